"""nbval, run as the test suite runs it (run_notebooks.nbval_args), on copies of the fixture
notebook: it passes as stored and fails when any compared output changes.

tests/fixtures/notebooks/fixture_basic.ipynb is described in tests/test_notebook_tooling.py.
"""

from __future__ import annotations

import base64
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "notebooks" / "fixture_basic.ipynb"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
TABLE_CELL, FIGURE_CELL, PRINT_CELL = 2, 3, 5


@pytest.fixture
def runner(script_module):
    return script_module("run_notebooks")


def _fixture() -> nbformat.NotebookNode:
    return nbformat.read(FIXTURE, as_version=4)


def _run_nbval(directory, runner) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *runner.nbval_args(),
            "-p",
            "no:cacheprovider",
            "-q",
            str(directory),
        ],
        cwd=directory,
        env=runner.kernel_environment(),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _scaled_bdata(bdata: str, factor: float) -> str:
    raw = base64.b64decode(bdata)
    values = struct.unpack(f"<{len(raw) // 8}d", raw)
    return base64.b64encode(struct.pack(f"<{len(values)}d", *(v * factor for v in values))).decode()


def _alter_table(nb):
    output = nb.cells[TABLE_CELL].outputs[0]
    output.data["text/plain"] = output.data["text/plain"].replace("80.0", "81.0")
    output.data["text/html"] = output.data["text/html"].replace("80.0", "81.0")


def _alter_figure_value(nb):
    trace = nb.cells[FIGURE_CELL].outputs[0].data[PLOTLY_MIME]["data"][0]
    trace["y"]["bdata"] = _scaled_bdata(trace["y"]["bdata"], 1.01)


def _alter_figure_title(nb):
    layout = nb.cells[FIGURE_CELL].outputs[0].data[PLOTLY_MIME]["layout"]
    layout["title"]["text"] = "Gap per issue: B vs A"


def _alter_printed_text(nb):
    nb.cells[PRINT_CELL].outputs[0].text = "largest gap: 80.1 on alpha\n"


def test_nbval_passes_on_the_stored_fixture(tmp_path, runner):
    shutil.copy(FIXTURE, tmp_path / FIXTURE.name)
    result = _run_nbval(tmp_path, runner)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout


@pytest.mark.parametrize(
    "alter", [_alter_table, _alter_figure_value, _alter_figure_title, _alter_printed_text]
)
def test_nbval_fails_when_a_compared_output_changes(tmp_path, alter, runner):
    nb = _fixture()
    alter(nb)
    nbformat.write(nb, tmp_path / FIXTURE.name)
    result = _run_nbval(tmp_path, runner)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 4 passed" in result.stdout, result.stdout


def test_nbval_compares_figures_exactly(tmp_path, runner):
    """No hook loosens nbval's comparison of Plotly figures: a last-bit change in a stored value
    fails (figures are reproducible with the locked versions; docs/notebook-testing.md)."""
    nb = _fixture()
    trace = nb.cells[FIGURE_CELL].outputs[0].data[PLOTLY_MIME]["data"][0]
    trace["y"]["bdata"] = _scaled_bdata(trace["y"]["bdata"], 1 + 4e-16)
    assert (
        trace["y"]["bdata"]
        != _fixture().cells[FIGURE_CELL].outputs[0].data[PLOTLY_MIME]["data"][0]["y"]["bdata"]
    )
    nbformat.write(nb, tmp_path / FIXTURE.name)
    result = _run_nbval(tmp_path, runner)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 4 passed" in result.stdout, result.stdout
