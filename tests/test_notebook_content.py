"""The notebooks follow the suite's conventions, and their stored baseline holds no warnings.

A warning stored as output would be compared by nbval like any other output, so a notebook
regenerated while something warned would enshrine the warning; this test refuses that.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
NUMBERED = [p for p in NOTEBOOKS if re.match(r"\d\d-", p.name)]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_numbered_suite_is_complete():
    numbers = [int(p.name[:2]) for p in NUMBERED]
    assert len(set(numbers)) == len(numbers), "two notebooks share a number"
    assert sorted(numbers) == list(range(len(numbers))), "a number is missing from the suite"
    assert len(NUMBERED) >= 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_warning_or_error(path):
    for number, cell in enumerate(cells(path)):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"cell {number} stored an error"
            assert output.get("name") != "stderr", (
                f"cell {number} stored stderr: {''.join(output['text'])[:300]}"
            )


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.name)
def test_opens_with_question_goals_prerequisites_and_minutes(path):
    first = source(cells(path)[0])
    assert first.startswith(f"# {path.name[:2]} · ")
    for part in ("**Question:**", "**You will:**", "**Prerequisites:**", "**Time:**"):
        assert part in first, f"first cell lacks {part}"


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.name)
def test_ends_with_summary_and_a_link_onwards(path):
    last = source(cells(path)[-1])
    assert "## Summary" in last
    assert re.search(r"\*\*(Next|Back to):\*\* \[.+\]\(.+\.ipynb\)", last)
    if path.name[:2] != "00":
        assert "### Exercises" in last


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_the_library_once_and_never_patches_paths(path):
    code = [source(c) for c in cells(path) if c["cell_type"] == "code"]
    assert "import negotiation_lib as nl" in code[0]
    assert sum("import negotiation_lib as nl" in c for c in code) == 1
    assert not any("sys.path" in c or "import *" in c for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_are_ignored_and_also_shown_plain(path):
    code = [source(c) for c in cells(path) if c["cell_type"] == "code"]
    for number, text in enumerate(code):
        if "_explorer(" in text or "evidence_browser(" in text:
            assert text.startswith("# NBVAL_IGNORE_OUTPUT"), f"code cell {number}"
            assert number + 1 < len(code), "a widget cell needs a plain, compared view after it"
    ignored = [c for c in code if c.startswith("# NBVAL_IGNORE_OUTPUT")]
    assert all(("widgets." in c) for c in ignored), "only widget cells may skip comparison"
