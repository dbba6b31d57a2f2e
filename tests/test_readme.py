"""README.md and the index notebook must stay true to the repository."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def index_notebook_text() -> str:
    index = json.loads((ROOT / "notebooks" / "index.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in index["cells"])


def test_the_two_commands_come_first():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert first_block, "README has no bash block"
    assert "make lab" in first_block[1]
    assert "make test" in first_block[1]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_notebook_is_in_the_readme_index():
    assert NOTEBOOKS, "no notebooks found"
    missing = [name for name in NOTEBOOKS if f"(notebooks/{name})" not in README]
    assert not missing, f"README notebook index lacks {missing}"


def test_every_notebook_is_in_the_index_notebook():
    text = index_notebook_text()
    missing = [n for n in NOTEBOOKS if n != "index.ipynb" and f"({n})" not in text]
    assert not missing, f"notebooks/index.ipynb lacks {missing}"


def test_readme_links_point_to_files_that_exist():
    for target in re.findall(r"\]\(([^)#:]+)\)", README):
        assert (ROOT / target).exists(), f"README links to missing {target}"


def test_readme_cites_the_current_dataset_version():
    package = json.loads((ROOT / "data" / "ru-ua-2022-2026" / "datapackage.json").read_text())
    assert f"({package['name']}, version {package['version']})" in README


def test_readme_cites_the_package_version():
    import negotiation_lib

    assert f"(version {negotiation_lib.__version__})" in README


def test_citation_file_states_the_package_version():
    import negotiation_lib

    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(negotiation_lib.__version__)}$", citation, re.M)


def test_the_readme_library_example_runs_and_its_weighting_changes_the_gap():
    import negotiation_lib as nl

    block = re.search(r"## The library in a few lines\n+```python\n(.*?)```", README, re.S)
    assert block, "README has no library example"
    namespace: dict = {}
    exec(compile(block[1], "README.md", "exec"), namespace)
    equal = nl.compute_overall_gap(namespace["neg"], "RU", "UA")
    weighted = namespace["overall"]
    assert weighted.attrs["weights_note"] == ""
    assert not weighted["gap"].equals(equal["gap"]), "the README's weighting changes nothing"


def test_readme_and_index_notebook_point_to_every_worked_solution():
    solutions = sorted(p.name for p in (ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    assert solutions, "no worked solutions in notebooks/solutions/"
    assert "(notebooks/solutions/)" in README
    text = index_notebook_text()
    missing = [name for name in solutions if f"(solutions/{name})" not in text]
    assert not missing, f"notebooks/index.ipynb lacks {missing}"
