"""How `make test` spreads tests over pytest-xdist workers (`--dist loadgroup`).

Every test module and every notebook is one group, kept on one worker and in order (a notebook's
cells share one kernel; a module's fixtures are built once), as `--dist loadscope` would do. A
test module that sets `XDIST_GROUPS = n` is split round-robin into n groups, so its slow tests
(e.g. Run All in the browser, one notebook each) run on several workers at once; each group then
builds its own module fixtures.

Groups are handed out longest first (with `--no-loadscope-reorder`, in the order of the items
here): groups with a `browser` or `slow` test, then notebooks, then the rest, so no slow group
starts last while the other worker idles.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (xdist/remote.py)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("dist", "no") != "loadgroup":
        return
    seen: dict[str, int] = {}
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        scope = item.nodeid.split("::")[0]
        groups = getattr(getattr(item, "module", None), "XDIST_GROUPS", 1)
        index = seen.get(scope, 0)
        seen[scope] = index + 1
        item.add_marker(pytest.mark.xdist_group(f"{scope}#{index % groups}"))
    items[:] = sorted(items, key=_rank_of_group(items).__getitem__)


def _group(item: pytest.Item) -> str:
    return next(item.iter_markers("xdist_group")).args[0]


def _rank_of_group(items: list[pytest.Item]) -> dict[pytest.Item, int]:
    """0 for a group with a slow or browser test, 1 for a notebook, 2 for the rest."""
    slow = {
        _group(item)
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("browser")
    }
    return {
        item: 0
        if _group(item) in slow
        else 1
        if item.nodeid.split("::")[0].endswith(".ipynb")
        else 2
        for item in items
    }
