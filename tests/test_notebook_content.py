"""The notebooks follow the suite's conventions, and their stored baseline holds no warnings.

A warning stored as output would be compared by nbval like any other output, so a notebook
regenerated while something warned would enshrine the warning; this test refuses that.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
SOLUTIONS_DIR = NOTEBOOKS_DIR / "solutions"
NUMBERED = sorted(p for p in NOTEBOOKS_DIR.glob("*.ipynb") if re.match(r"\d\d-", p.name))
SOLUTIONS = sorted(SOLUTIONS_DIR.glob("*.ipynb"))
# every notebook a participant opens: the suite, the index and the worked solutions
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + SOLUTIONS


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


def nbval_tags(cell: dict) -> list[str]:
    return [t for t in cell.get("metadata", {}).get("tags", []) if t.startswith("nbval-")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_are_ignored_and_also_shown_plain(path):
    # nbval's cell tag, not its `# NBVAL_IGNORE_OUTPUT` comment: participants read the code
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    for number, cell in enumerate(code):
        text = source(cell)
        if "_explorer(" in text or "evidence_browser(" in text or "coding_form(" in text:
            assert nbval_tags(cell) == ["nbval-ignore-output"], f"code cell {number}"
            assert number + 1 < len(code), "a widget cell needs a plain, compared view after it"
    ignored = [source(c) for c in code if nbval_tags(c)]
    assert all(("widgets." in c) for c in ignored), "only widget cells may skip comparison"
    assert all(nbval_tags(c) in ([], ["nbval-ignore-output"]) for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_participants_read_no_test_machinery(path):
    # what a participant reads (markdown and code) does not talk about the regression tests
    for number, cell in enumerate(cells(path)):
        text = source(cell)
        for word in ("NBVAL", "nbval", "regression check"):
            assert word not in text, f"cell {number} mentions {word!r}"


def exercises(path: Path) -> list[str]:
    """The numbered exercises of a notebook's last cell, each as one line of text."""
    last = source(cells(path)[-1])
    if "### Exercises" not in last:
        return []
    items: list[list[str]] = []
    current: list[str] | None = None
    for line in last.split("### Exercises", 1)[1].splitlines():
        numbered = re.match(r"\d+\. (.*)", line)
        if numbered:
            current = [numbered[1]]
            items.append(current)
        elif current is not None and line.startswith("   ") and line.strip():
            current.append(line.strip())
        else:
            current = None
    return [" ".join(item) for item in items]


RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|/|\.\./)([^)\s]+)\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_relative_links_in_the_text_point_to_files_that_exist(path):
    for number, cell in enumerate(cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        for target in re.findall(r"\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s]+)\)", source(cell)):
            file = (path.parent / target.split("#")[0]).resolve()
            assert file.exists(), f"cell {number} links to missing {target}"


def solutions_path(path: Path) -> Path:
    return SOLUTIONS_DIR / f"{path.stem}-solutions.ipynb"


WITH_EXERCISES = [p for p in NUMBERED if exercises(p)]


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_exercises_link_to_their_worked_solutions(path):
    target = f"solutions/{solutions_path(path).name}"
    last = source(cells(path)[-1])
    assert f"]({target})" in last, f"the exercises do not link to {target}"
    assert solutions_path(path).exists(), f"{target} is missing"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_solutions_notebook_answers_a_notebook_and_quotes_each_exercise(path):
    notebook = NOTEBOOKS_DIR / f"{path.stem.removesuffix('-solutions')}.ipynb"
    assert path.stem.endswith("-solutions"), f"{path.name}: name it <notebook>-solutions.ipynb"
    assert notebook.exists(), f"no notebook for {path.name}"
    asked = exercises(notebook)
    assert asked, f"{notebook.name} has no exercises"
    text = [source(c) for c in cells(path) if c["cell_type"] == "markdown"]
    assert text[0].startswith(f"# {notebook.name[:2]} · ")
    assert f"](../{notebook.name})" in text[0], "the first cell links back to the notebook"
    headings = [t for t in text if t.startswith("## Exercise ")]
    assert len(headings) == len(asked), "one '## Exercise n' section per exercise"
    for number, (heading, exercise) in enumerate(zip(headings, asked, strict=True), start=1):
        # quoted verbatim, with the notebook's relative links made relative to solutions/
        quoted = RELATIVE_LINK.sub(r"](../\1)", exercise)
        assert heading.startswith(f"## Exercise {number}\n\n> {quoted}"), f"exercise {number}"
    code = [source(c) for c in cells(path) if c["cell_type"] == "code"]
    assert len(code) > len(asked), "each exercise has a worked answer"
