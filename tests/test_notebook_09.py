"""Notebook 09 runs unedited on other datasets: its `parameters` cell is followed by an injected
cell that names another dataset (what papermill does with `-p dataset ...`); every cell must
run, and the messages say what cannot be shown. Also `make report DATASET=...`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

import negotiation_lib as nl

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO_ROOT / "notebooks" / "09-your-negotiation.ipynb"


def _with_parameters(**values) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "notebook 09 needs exactly one cell tagged 'parameters'"
    source = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    injected = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(tagged[0] + 1, injected)
    return nb


def _outputs_text(nb) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])


@pytest.mark.parametrize("case", ["example", "hostile", "one_actor", "parties_never_meet"])
def test_notebook_09_runs_unedited_on_another_dataset(case, tmp_path, script_module, edge_dataset):
    if case == "example":
        folder = nl.write_example_dataset(tmp_path / "example")
    elif case == "hostile":
        folder = shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "hostile", tmp_path / "h")
    else:
        folder = edge_dataset(case, tmp_path / case)
    runner = script_module("run_notebooks")
    nb = runner.execute_notebook(
        _with_parameters(dataset=str(folder)), cwd=NOTEBOOK.parent, name=f"09 on {case}"
    )
    text = _outputs_text(nb)
    assert '"output_type": "error"' not in text
    neg = nl.load(folder)
    assert json.dumps(neg.title)[1:-1] in text or case == "hostile"
    if case == "one_actor":
        assert "fewer than two actors" in text
    if case == "parties_never_meet":
        assert "never held positions on the same issue" in text
    if case == "hostile":
        html = "".join(
            output.get("data", {}).get("text/html", "")
            for cell in nb.cells
            if cell.cell_type == "code"
            for output in cell.outputs
        )
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_make_report_with_a_dataset_writes_the_dataset_report(tmp_path):
    folder = nl.write_example_dataset(tmp_path / "i13-make-example")
    out = REPO_ROOT / "build" / "report-i13-make-example"
    shutil.rmtree(out, ignore_errors=True)
    try:
        subprocess.run(
            ["make", "--no-print-directory", "report", f"DATASET={folder}"],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
            timeout=600,
        )
        assert sorted(p.name for p in out.glob("*.html")) == sorted(
            f"{s}.html" for s in ("index", "positions", "gaps", "movement", "evidence", "quality")
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
