"""Shared test fixtures. Test modules use fixtures, never `from conftest import ...`: several
conftest.py files exist and pytest swaps the module named `conftest` as it loads them.

nbval's comparison hooks live in the repository's root conftest.py (see there why).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = REPO_ROOT / "scripts"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_NOTEBOOKS = FIXTURES / "notebooks"


def load_script(name: str) -> ModuleType:
    """Import scripts/<name>.py as a module (scripts/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    if str(SCRIPTS_DIR) not in sys.path:
        sys.path.insert(0, str(SCRIPTS_DIR))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def script_module():
    """`script_module("build_report")` imports scripts/build_report.py (scripts/ is no package)."""
    return load_script


# Datasets most test modules read; module scope, so a test that changes a frame affects no other
# module.


@pytest.fixture(scope="module")
def mini():
    """tests/fixtures/mini: small, with gaps worked out by hand."""
    import negotiation_lib as nl

    return nl.load(FIXTURES / "mini")


@pytest.fixture(scope="module")
def hostile():
    """tests/fixtures/hostile: markup, Cyrillic and typographic quotes in every text field."""
    import negotiation_lib as nl

    return nl.load(FIXTURES / "hostile")


@pytest.fixture(scope="module")
def bundled():
    """The bundled Russia–Ukraine dataset."""
    import negotiation_lib as nl

    return nl.load("ru-ua-2022-2026")


# Edge-case datasets for the report and notebook 09: each is a small valid dataset built from the
# template (`nl.init_dataset`), with made-up values; `edge_dataset(case, folder)` writes one.

EDGE_CASES = (
    "one_actor",
    "one_issue",
    "no_events",
    "no_salience_no_ranges",
    "parties_only",
    "single_date",
    "parties_never_meet",
    "large",
)


def _edge_tables(case: str) -> dict[str, list[dict[str, object]]]:
    n_actors = {"one_actor": 1, "parties_only": 2, "parties_never_meet": 3, "large": 15}.get(
        case, 4
    )
    n_issues = {"one_issue": 1, "large": 45}.get(case, 3)
    n_dates = 1 if case == "single_date" else 4
    roles = ["party", "party", "mediator", "third_party"] + ["third_party"] * 20
    actors = [
        {"actor_id": f"a{i}", "name": f"Actor {i} <b>&</b>", "role": roles[i]}
        for i in range(n_actors)
    ]
    issues = [
        {
            "issue_id": f"i{j}",
            "label": f"Issue {j} <i>label</i>",
            "category": "process",
            "low_label": "nothing",
            "high_label": "everything",
            "order": j + 1,
        }
        for j in range(n_issues)
    ]
    anchors = [{"issue_id": f"i{j}", "value": 50, "label": "half"} for j in range(n_issues)]
    dates = [f"2024-0{d + 1}-15" for d in range(n_dates)]
    events = [
        {"event_id": f"e{d}", "date": day, "name": f"Round {d}", "kind": "talks_round"}
        for d, day in enumerate(dates)
    ]
    sources = [{"source_id": "s1", "title": "Made-up minutes", "source_type": "official"}]
    positions = []
    for i in range(n_actors):
        for j in range(n_issues):
            if case == "parties_never_meet" and i < 2 and j % 2 != i:
                continue  # actor 0 speaks only to even issues, actor 1 only to odd ones
            for d, day in enumerate(dates):
                value = (17 * i + 29 * j + 11 * d) % 101
                row = {
                    "position_id": f"p{i}-{j}-{d}",
                    "date": day,
                    "event_id": f"e{d}",
                    "actor_id": f"a{i}",
                    "issue_id": f"i{j}",
                    "stance": "demand",
                    "value": value,
                    "value_low": max(0, value - 5),
                    "value_high": min(100, value + 5),
                    "salience": 0.5,
                    "status": "asserted",
                    "summary": f"Actor {i} on issue {j} <script>x</script>",
                    "quote": "We say so.",
                    "source_id": "s1",
                    "confidence": ["high", "medium", "low"][(i + j + d) % 3],
                }
                if case == "no_salience_no_ranges":
                    row.update(value_low="", value_high="", salience="")
                if case == "no_events":
                    row["event_id"] = ""
                positions.append(row)
    if case == "no_events":
        events = []
    return {
        "actors": actors,
        "issues": issues,
        "scale_anchors": anchors,
        "events": events,
        "sources": sources,
        "positions": positions,
    }


def write_edge_dataset(case: str, folder: Path) -> Path:
    """Write the edge-case dataset `case` (one of EDGE_CASES) into `folder`; return the folder."""
    import csv

    import negotiation_lib as nl

    nl.init_dataset(folder)
    meta_path = folder / "datapackage.json"
    meta = meta_path.read_text(encoding="utf-8").replace(
        '"name": "my-negotiation"', f'"name": "edge-{case.replace("_", "-")}"'
    )
    meta_path.write_text(meta, encoding="utf-8")
    for name, rows in _edge_tables(case).items():
        path = folder / f"{name}.csv"
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows([{c: row.get(c, "") for c in header} for row in rows])
    return folder


@pytest.fixture(scope="session")
def edge_dataset():
    """`edge_dataset(case, folder)` writes one of EDGE_CASES (see `edge_cases`) and returns it."""
    return write_edge_dataset


@pytest.fixture(scope="session")
def edge_cases():
    """The names of the edge-case datasets."""
    return EDGE_CASES


# The Chromium the figure export (nl.export_figure, kaleido) drives. Like the browser tests in
# tests/e2e: without one the test skips, except when NL_REQUIRE_BROWSER=1 (CI), where it fails.


@pytest.fixture(scope="session")
def chromium():
    """The Chromium executable `nl.export.find_chromium()` finds (skip or fail without one)."""
    import os

    from negotiation_lib import export

    try:
        return export.find_chromium()
    except export.ChromiumNotFoundError as exc:
        if os.environ.get("NL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NL_REQUIRE_BROWSER=1 but {exc}")
        pytest.skip(str(exc))
