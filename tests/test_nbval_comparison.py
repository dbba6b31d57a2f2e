"""nbval, run as the test suite runs it (run_notebooks.nbval_args), on copies of the fixture
notebook: it passes as stored and fails when any compared output changes.

tests/fixtures/notebooks/fixture_basic.ipynb is described in tests/test_notebook_tooling.py.
"""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "notebooks" / "fixture_basic.ipynb"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
TABLE_CELL, FIGURE_CELL, PRINT_CELL = 2, 3, 5


def _fixture() -> nbformat.NotebookNode:
    return nbformat.read(FIXTURE, as_version=4)


def _run_nbval(directory, runner) -> subprocess.CompletedProcess:
    return subprocess.run(
        runner.nbval_command("-rA", str(directory)),
        cwd=directory,
        env=runner.kernel_environment(),
        capture_output=True,
        text=True,
        timeout=300,
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


def _alter_figure_last_bit(nb):
    """A last-bit change in a stored value (figures are reproducible with the locked versions,
    docs/notebook-testing.md), so no hook may loosen nbval's comparison of Plotly figures."""
    trace = nb.cells[FIGURE_CELL].outputs[0].data[PLOTLY_MIME]["data"][0]
    before = trace["y"]["bdata"]
    trace["y"]["bdata"] = _scaled_bdata(before, 1 + 4e-16)
    assert trace["y"]["bdata"] != before


ALTERATIONS = {  # the altered copy -> the code cell whose comparison must fail
    "table": (_alter_table, TABLE_CELL),
    "figure_value": (_alter_figure_value, FIGURE_CELL),
    "figure_title": (_alter_figure_title, FIGURE_CELL),
    "printed_text": (_alter_printed_text, PRINT_CELL),
    "figure_last_bit": (_alter_figure_last_bit, FIGURE_CELL),
}


def _code_cell_number(index: int) -> int:
    """nbval's "Cell N" of the notebook's cell `index` (nbval counts code cells only)."""
    return sum(cell.cell_type == "code" for cell in _fixture().cells[:index])


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, script_module) -> dict[str, dict[int, str]]:
    """One nbval run over the stored fixture and one altered copy per ALTERATIONS entry (one
    run, not six: each starts pytest and a kernel). Returns {copy: {cell index: outcome}}."""
    folder = tmp_path_factory.mktemp("nbval")
    shutil.copy(FIXTURE, folder / "stored.ipynb")
    for name, (alter, _) in ALTERATIONS.items():
        nb = _fixture()
        alter(nb)
        nbformat.write(nb, folder / f"{name}.ipynb")
    nbformat.write(_transport_notebook(), folder / "transport.ipynb")
    result = _run_nbval(folder, script_module("run_notebooks"))
    found: dict[str, dict[int, str]] = {}
    for outcome, stem, cell in re.findall(
        r"^(PASSED|FAILED) (?:\S*/)?(\w+)\.ipynb::Cell (\d+)", result.stdout, flags=re.M
    ):
        found.setdefault(stem, {})[int(cell)] = outcome
    assert set(found) == {"stored", "transport", *ALTERATIONS}, result.stdout + result.stderr
    return found


def _transport_notebook() -> nbformat.NotebookNode:
    """A notebook whose stored output says its kernel talks over IPC sockets in a private
    folder (negotiation_lib.kernel_provisioner), as nbval's kernels in `make test` must."""
    cell = nbformat.v4.new_code_cell(
        "import os\n"
        "from ipykernel.kernelapp import IPKernelApp\n"
        "app = IPKernelApp.instance()\n"
        "print(app.transport, os.path.basename(os.path.dirname(app.ip)).startswith('nbk-'))"
    )
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ipc True\n")]
    return nbformat.v4.new_notebook(cells=[cell])


def test_nbval_kernels_talk_over_ipc_sockets(outcomes):
    assert outcomes["transport"] == {0: "PASSED"}


def test_nbval_passes_on_the_stored_fixture(outcomes):
    assert len(outcomes["stored"]) == 5
    assert set(outcomes["stored"].values()) == {"PASSED"}


@pytest.mark.parametrize("name", list(ALTERATIONS))
def test_nbval_fails_when_a_compared_output_changes(outcomes, name):
    _, cell = ALTERATIONS[name]
    assert len(outcomes[name]) == 5
    failed = [index for index, outcome in outcomes[name].items() if outcome == "FAILED"]
    assert failed == [_code_cell_number(cell)], outcomes[name]
