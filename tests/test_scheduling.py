"""The scheduler of conftest.py at the repository root, in a pytest-xdist run of its own: a
module's tests stay on one worker and in order, a module in SPLIT_MODULES is dealt to both
workers, and slow modules are handed out first."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULE = """
import time
import pytest
{mark}
@pytest.mark.parametrize("n", range(4))
def test_step(n):
    time.sleep(0.3)
"""


def test_modules_stay_together_split_modules_spread_and_slow_ones_go_first(tmp_path, script_module):
    conftest = (REPO_ROOT / "conftest.py").read_text(encoding="utf-8")
    split = '"tests/test_notebook_09.py": 2'
    assert split in conftest
    (tmp_path / "conftest.py").write_text(conftest.replace(split, '"test_split.py": 2'))
    (tmp_path / "test_plain.py").write_text(MODULE.format(mark=""))
    (tmp_path / "test_split.py").write_text(MODULE.format(mark=""))
    (tmp_path / "test_zslow.py").write_text(MODULE.format(mark="pytestmark = pytest.mark.slow"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)  # the markers
    xdist = script_module("run_notebooks").parallel_args(2)  # as `make test` runs
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *xdist,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    ran = re.findall(r"\[(gw\d)\] \[\s*\d+%\] PASSED (test_\w+)\.py::test_step\[(\d)\]", run.stdout)
    assert len(ran) == 12, run.stdout
    workers = {module: {w for w, m, _ in ran if m == module} for _, module, _ in ran}
    assert len(workers["test_plain"]) == 1
    assert len(workers["test_zslow"]) == 1
    assert workers["test_split"] == {"gw0", "gw1"}
    order = {module: [int(n) for _, m, n in ran if m == module] for module in workers}
    assert order["test_plain"] == [0, 1, 2, 3]
    # the slow module is handed out first although it is collected last
    assert ran[0][1] == "test_zslow" or ran[1][1] == "test_zslow"
