# The suite's commands. `make lab` opens it, `make test` checks it; both build .venv from
# requirements.lock first (only when .venv is missing or the lock or pyproject.toml changed).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# Set NO_BROWSER=1 to serve JupyterLab without opening a browser (the URL is printed either way).
NO_BROWSER ?=
# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_FLAGS := --ServerApp.port=$(PORT) $(if $(NO_BROWSER),--no-browser,) $(ALLOW_ROOT)

export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: lab app test lint format lock env clean bench notebooks report data stress

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	$(BIN)/python -m pip install --quiet --no-deps --requirement requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	$(BIN)/python -m pip check
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (negotiation-lib)" >/dev/null
	@touch $(STAMP)
	@echo "Environment ready in $(VENV) (from requirements.lock)."

# Workshop-friendly JupyterLab defaults (start the notebook's kernel without asking).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): etc/jupyterlab-overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp $< $@

lab: $(STAMP) $(LAB_OVERRIDES)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/index.ipynb

# The explorers as a Voilà dashboard (no code shown) on 127.0.0.1. DATASET= a bundled id or a
# dataset folder (default: the first bundled dataset); the page's ?dataset=... overrides it.
# A dataset that breaks the contract shows its problem table. Ctrl-C stops the server.
DATASET ?=
# The app opens the workshop's dataset (the one notebooks 01-08 teach with) unless DATASET= says.
APP_DATASET = $(if $(DATASET),$(if $(wildcard $(DATASET)),$(abspath $(DATASET)),$(DATASET)),ru-ua-2022-2026)
# app/jupyter holds the "offline" template: Voilà's lab template without stylesheets from a CDN.
APP_FLAGS := --Voila.ip=127.0.0.1 --Voila.port=$(PORT) $(if $(NO_BROWSER),--no-browser,) \
	--template=offline --VoilaConfiguration.show_tracebacks=False

app: $(STAMP)
	NL_APP_DATASET="$(APP_DATASET)" JUPYTER_PATH="$(CURDIR)/app/jupyter$(if $(JUPYTER_PATH),:$(JUPYTER_PATH),)" \
	  $(BIN)/voila $(APP_FLAGS) app/explorers.ipynb

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Unit, property, data and browser tests and every notebook against its stored outputs (strict
# nbval), in one pytest run spread over one worker per CPU (NL_TEST_WORKERS=n to choose).
# Every wait is bounded: 60 s per cell and kernel start, 300 s per test (pyproject.toml).
test: lint $(LAB_OVERRIDES)
	$(BIN)/python scripts/run_notebooks.py --compare --with-tests

# Start fresh kernels and run cells as the suite does (runner, nbval, a Jupyter server session),
# two at once, and count the executions that hang (build/bench/stress-*.json).
stress: $(STAMP)
	$(BIN)/python benchmarks/stress_kernels.py

# Re-execute every notebook and store normalised outputs: the regression baseline.
notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py

# The notebooks as static web pages in build/report/ (offline, charts interactive); with
# DATASET=PATH (a dataset folder or id), the whole analysis of that dataset in build/report-<name>/.
DATASET ?=
report: $(STAMP)
ifeq ($(strip $(DATASET)),)
	$(BIN)/python scripts/build_report.py
else
	$(BIN)/python -m negotiation_lib report "$(DATASET)" --out "build/report-$(notdir $(patsubst %/,%,$(DATASET)))"
endif

# Rebuild the bundled datasets, their verification logs and codebooks from scripts/*_inputs/.
data: $(STAMP)
	$(BIN)/python scripts/build_dataset.py
	$(BIN)/python scripts/build_iran_dataset.py

# Speed and memory, printed as ratios and scaling curves (results also in build/bench/*.json).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Re-solve the dependency ranges in pyproject.toml into exact pins (needs the package registry).
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet ".[lab,dev]"
	{ sed -n '1,3p' requirements.lock; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^negotiation-lib' ; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
