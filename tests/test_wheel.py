"""The wheel carries the bundled datasets: built from the repository, installed into a fresh
virtual environment outside it, it loads a bundled dataset by id (importlib.resources), and it
writes the report of a dataset folder outside the repository (no checkout, no repository path).
The wheel is built once (`built_wheel`).

Only the packages ``import negotiation_lib`` needs are installed next to the wheel, at the
versions in requirements.lock (``--no-deps``, so pip resolves nothing; its cache serves them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

REPO = Path(__file__).resolve().parents[1]
RUNTIME = ("numpy", "pandas", "python-dateutil", "six")  # what `import negotiation_lib` needs
BUNDLED = REPO / "data" / "ru-ua-2022-2026"
TIMEOUT = 600  # seconds for any one step (a build fetches setuptools once)


def _locked(names) -> list[str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            pins[match[1].lower()] = f"{match[1]}=={match[2]}"
    return [pins[name] for name in names]


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> Path:
    """The package's wheel, built once for this module by pip (isolated build: setuptools and
    wheel come from pip's cache or the package index) into a folder outside the repository."""
    dist = tmp_path_factory.mktemp("wheel-dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)])
    (wheel,) = dist.glob("negotiation_lib-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory, built_wheel):
    """Python of a fresh venv (outside the repository) holding the wheel and its runtime."""
    base = tmp_path_factory.mktemp("wheel")
    assert REPO not in base.parents
    wheel = built_wheel
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check"]
    _run([*pip, *_locked(RUNTIME)])
    _run([*pip, str(wheel)])
    return python, base


def test_installed_wheel_loads_a_bundled_dataset(installed):
    python, base = installed
    code = (
        "import json, negotiation_lib as nl\n"
        "neg = nl.load('ru-ua-2022-2026')\n"
        "listed = nl.list_datasets()\n"
        "print(json.dumps({'file': nl.__file__, 'path': str(neg.path), 'n': len(neg.positions),"
        " 'ids': listed['id'].tolist()}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NEGOTIATION_LIB_DATA", "PYTHONPATH")}
    out = json.loads(_run([str(python), "-c", code], cwd=base, env=env).stdout)
    site = base / "venv"
    assert Path(out["file"]).is_relative_to(site)  # the installed copy, not the repository
    assert Path(out["path"]).is_relative_to(site)
    assert Path(out["path"]).name == "ru-ua-2022-2026"
    repo_rows = (REPO / "data" / "ru-ua-2022-2026" / "positions.csv").read_text(encoding="utf-8")
    assert out["n"] > 0
    assert out["n"] <= repo_rows.count("\n")
    assert "ru-ua-2022-2026" in out["ids"]
    assert "templates" not in out["ids"]


def test_data_env_var_still_wins_in_the_installed_wheel(installed, tmp_path):
    python, base = installed
    folder = tmp_path / "mine"
    _run(
        [
            sys.executable,
            "-c",
            f"import negotiation_lib as nl; nl.write_example_dataset({str(folder)!r})",
        ]
    )
    env = {**os.environ, "NEGOTIATION_LIB_DATA": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    code = "import negotiation_lib as nl; print(nl.load('mine').id, len(nl.load('mine').positions))"
    out = _run([str(python), "-c", code], cwd=base, env=env).stdout.split()
    assert out[0] == nl_example_id(folder)
    assert int(out[1]) > 0


def nl_example_id(folder: Path) -> str:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["name"]


def test_wheel_installs_and_reports_a_folder_outside_the_repository(tmp_path, built_wheel):
    wheel = built_wheel
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _run([python, "-m", "pip", "install", "--no-deps", "-q", wheel], cwd=tmp_path)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    target_site = Path(_run([python, "-c", purelib], cwd=tmp_path).stdout.strip())
    # the locked dependencies of this venv; the editable install's own .pth in that folder is
    # not processed there, so `negotiation_lib` can only come from the wheel
    (target_site / "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    data = tmp_path / "my data" / "negotiation"
    shutil.copytree(BUNDLED, data)
    out = tmp_path / "report out"
    where = _run(
        [python, "-c", "import negotiation_lib; print(negotiation_lib.__file__)"], cwd=tmp_path
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where
    result = _run([python, "-m", "negotiation_lib", "report", data, "--out", out], cwd=tmp_path)
    assert "wrote 6 pages" in result.stdout
    assert (out / "plotly.min.js").stat().st_size > 1_000_000
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<span class="report-dataset-id">ru-ua-2022-2026</span>' in index
    assert str(REPO) not in "".join(p.read_text(encoding="utf-8") for p in out.glob("*.html"))
