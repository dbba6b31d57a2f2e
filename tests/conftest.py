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
from edge_datasets import EDGE_CASES, write_edge_dataset

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


# Edge-case datasets (tests/edge_datasets.py): `edge_dataset(case, folder)` writes one.


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
