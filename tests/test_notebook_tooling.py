"""The notebook tooling on a small fixture notebook: the normaliser and the runner
(nbval's comparison: tests/test_nbval_comparison.py, a module of its own so that pytest-xdist
can run the two groups of kernel tests at the same time).

tests/fixtures/notebooks/fixture_basic.ipynb has a markdown cell, a pandas table, a Plotly figure
shown with the default renderer, a Dropdown driving an Output widget (# NBVAL_IGNORE_OUTPUT) and a
printed line. Its numbers are made up for these tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from negotiation_lib import kernel_provisioner

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "notebooks" / "fixture_basic.ipynb"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
TABLE_CELL, FIGURE_CELL, WIDGET_CELL, PRINT_CELL = 2, 3, 4, 5


@pytest.fixture
def normaliser(script_module):
    return script_module("normalise_notebook")


@pytest.fixture
def runner(script_module):
    return script_module("run_notebooks")


def _fixture() -> nbformat.NotebookNode:
    return nbformat.read(FIXTURE, as_version=4)


def _dirty_fixture() -> nbformat.NotebookNode:
    """The fixture as JupyterLab or a plain nbclient run would save it."""
    nb = _fixture()
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {"abc": {}}, "version_major": 2}
    }
    nb.metadata["kernelspec"] = {"name": "myenv", "display_name": "My env", "language": "python"}
    nb.metadata["language_info"]["version"] = "3.11.7"
    for cell in nb.cells:
        cell.metadata["execution"] = {"iopub.execute_input": "2026-11-25T12:00:00.000000Z"}
        cell.metadata["scrolled"] = True
    figure_output = nb.cells[FIGURE_CELL].outputs[0]
    figure_output.data["image/png"] = "iVBORw0KGgo="
    figure_output.metadata["image/png"] = {"width": 600}
    widget_output = nb.cells[WIDGET_CELL].outputs[0]
    widget_output.data[WIDGET_MIME] = {"model_id": "0f3c", "version_major": 2, "version_minor": 0}
    return nb


def test_fixture_is_normalised_and_run(normaliser):
    assert normaliser.is_normalised(FIXTURE)
    counts = [cell.execution_count for cell in _fixture().cells if cell.cell_type == "code"]
    assert counts == [1, 2, 3, 4, 5]


def test_normaliser_strips_volatile_metadata_and_snapshots(normaliser):
    nb = normaliser.normalise(_dirty_fixture())
    assert "widgets" not in nb.metadata
    assert nb.metadata.kernelspec.name == "python3"
    assert "version" not in nb.metadata.language_info
    assert all("execution" not in c.metadata and "scrolled" not in c.metadata for c in nb.cells)
    figure_output = nb.cells[FIGURE_CELL].outputs[0]
    assert "image/png" not in figure_output.data
    assert "image/png" not in figure_output.metadata
    assert WIDGET_MIME not in nb.cells[WIDGET_CELL].outputs[0].data


def test_normaliser_keeps_outputs_and_counts(normaliser):
    clean = _fixture()
    nb = normaliser.normalise(_dirty_fixture())
    # Everything that is content survives: the normalised dirty copy is the clean fixture.
    assert nbformat.writes(nb) == nbformat.writes(clean)
    assert nb.cells[FIGURE_CELL].outputs[0].data[PLOTLY_MIME]["data"][0]["type"] == "bar"
    assert "<table" in nb.cells[TABLE_CELL].outputs[0].data["text/html"]
    assert nb.cells[PRINT_CELL].outputs[0].text == "largest gap: 80.0 on alpha\n"
    assert [c.get("execution_count") for c in nb.cells] == [None, 1, 2, 3, 4, 5]


def test_normaliser_joins_a_stream_split_over_several_outputs(normaliser):
    split = [
        nbformat.v4.new_output("stream", name="stdout", text="a sentence."),
        nbformat.v4.new_output("stream", name="stdout", text="\n"),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    cell = nbformat.v4.new_code_cell("print('a sentence.')", outputs=split, execution_count=1)
    nb = normaliser.normalise(nbformat.v4.new_notebook(cells=[cell]))
    outputs = nb.cells[0].outputs
    assert [(o["output_type"], o.get("name")) for o in outputs] == [
        ("stream", "stdout"),
        ("stream", "stderr"),
        ("execute_result", None),
        ("stream", "stdout"),
    ]
    assert outputs[0]["text"] == "a sentence.\n"


def test_normaliser_is_idempotent(normaliser):
    once = nbformat.writes(normaliser.normalise(_dirty_fixture()))
    twice = nbformat.writes(normaliser.normalise(nbformat.reads(once, as_version=4)))
    assert once == twice


def test_check_mode_reports_a_dirty_notebook(normaliser, tmp_path, capsys):
    dirty = tmp_path / "dirty.ipynb"
    nbformat.write(_dirty_fixture(), dirty)
    before = dirty.read_text()
    assert normaliser.main(["--check", str(dirty)]) == 1
    assert "not normalised" in capsys.readouterr().out
    assert dirty.read_text() == before
    assert normaliser.main([str(dirty)]) == 0
    assert normaliser.main(["--check", str(dirty)]) == 0
    assert dirty.read_text() == FIXTURE.read_text()


def test_runner_reproduces_the_stored_fixture(runner, tmp_path):
    copy_path = tmp_path / FIXTURE.name
    nb = _fixture()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, copy_path)
    assert runner.main([str(copy_path)]) == 0
    assert copy_path.read_text() == FIXTURE.read_text()
    assert runner.main(["--check", str(copy_path)]) == 0


def test_runner_check_reports_stale_outputs_and_writes_nothing(runner, tmp_path, capsys):
    nb = _fixture()
    nb.cells[PRINT_CELL].outputs[0].text = "largest gap: 70.0 on alpha\n"
    stale = tmp_path / "stale.ipynb"
    nbformat.write(nb, stale)
    before = stale.read_text()
    assert runner.main(["--check", str(stale)]) == 1
    assert f"STALE   {stale}" in capsys.readouterr().out
    assert stale.read_text() == before


def test_runner_fails_loudly_and_leaves_the_file(runner, tmp_path, capsys):
    nb = _fixture()
    nb.cells[PRINT_CELL].source = "table['no_such_column']"
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    before = broken.read_text()
    assert runner.main([str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}: cell {PRINT_CELL}" in err
    assert "KeyError" in err
    assert broken.read_text() == before


@pytest.mark.parametrize("silent_starts", [1, 2])
def test_runner_retries_a_kernel_that_never_answers(
    runner, tmp_path, monkeypatch, capsys, silent_starts
):
    """nbclient's "Kernel didn't respond" (seen on a loaded machine) gets one more kernel."""
    starts = []

    class FlakyClient(runner.NotebookClient):
        def execute(self, **kwargs):
            starts.append(1)
            if len(starts) <= silent_starts:
                raise RuntimeError("Kernel didn't respond in 60 seconds")
            return super().execute(**kwargs)

    monkeypatch.setattr(runner, "NotebookClient", FlakyClient)
    copy_path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, copy_path)
    succeeded = silent_starts < runner.KERNEL_START_ATTEMPTS
    assert runner.main(["--check", str(copy_path)]) == (0 if succeeded else 1)
    err = capsys.readouterr().err
    assert "kernel did not answer, starting another" in err
    assert ("the kernel did not start" in err) is not succeeded
    assert len(starts) == 2


def test_runner_stops_a_cell_that_does_not_finish(runner, tmp_path, capsys):
    """A cell that never ends fails within the bound, named by notebook and cell."""
    nb = _fixture()
    nb.cells[1].source = "import time\ntime.sleep(600)"  # the first code cell
    stuck = tmp_path / "stuck.ipynb"
    nbformat.write(nb, stuck)
    before = stuck.read_text()
    assert runner.main(["--timeout", "10", str(stuck)]) == 1
    err = capsys.readouterr().err
    assert f"{stuck}: cell 1 ('import time') failed: did not finish within 10 s" in err
    assert stuck.read_text() == before


# A cell that prints how its kernel talks to its client (ipykernel's own connection settings).
TRANSPORT_CELL = (
    "from ipykernel.kernelapp import IPKernelApp\n"
    "app = IPKernelApp.instance()\n"
    "print(app.transport, app.ip.startswith(KERNEL_SOCKET_DIR))"
)


def test_runner_kernels_use_ipc_sockets_in_a_private_folder(runner, tmp_path):
    socket_dir = str(kernel_provisioner.kernel_socket_dir())
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(f"KERNEL_SOCKET_DIR = {socket_dir!r}"),
            nbformat.v4.new_code_cell(TRANSPORT_CELL),
        ]
    )
    runner.execute_notebook(nb, cwd=tmp_path, name="transport")
    assert nb.cells[1].outputs[0].text == "ipc True\n"
