"""How `make test` spreads tests over pytest-xdist workers (`--dist loadscope`).

Every test module and every notebook is one group, kept on one worker and in order (a notebook's
cells share one kernel; a module's fixtures are built once). The modules in SPLIT_MODULES are
split round-robin into that many groups, so their slow tests (e.g. Run All in the browser, one
notebook each) run on both workers at once; each group builds its own module fixtures.

Groups are handed out in the order of the items (`--no-loadscope-reorder`), sorted here: modules
with a `slow` or `browser` test first, then notebooks, then the rest, so no slow group starts
last while the other worker idles.

A scheduler of our own, not `--dist loadgroup` with `xdist_group` marks: pytest-xdist 3.8 passes
a group by rewriting the test's node id, which pytest 9.2 ignores (pytest-dev/pytest-xdist#1386),
so the marks silently do nothing.
"""

from __future__ import annotations

from collections import Counter

import pytest

SPLIT_MODULES = {
    "tests/e2e/test_jupyterlab.py": 2,
    "tests/e2e/test_dataset_report.py": 2,
    "tests/test_notebook_09.py": 2,
    "tests/test_notebook_tooling.py": 2,
}


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = {
        _module(item.nodeid)
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("browser")
    }

    def rank(item: pytest.Item) -> int:
        module = _module(item.nodeid)
        return 0 if module in slow else 1 if module.endswith(".ipynb") else 2

    items.sort(key=rank)  # stable: the order within a module stays


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SplitModuleScheduling(LoadScopeScheduling):
        """LoadScopeScheduling with one scope per module (not per class), and the modules in
        SPLIT_MODULES dealt round-robin into that many scopes."""

        def __init__(self, config, log=None):
            super().__init__(config, log)
            self._scopes: dict[str, str] = {}
            self._dealt: Counter[str] = Counter()

        def _split_scope(self, nodeid: str) -> str:
            if nodeid not in self._scopes:
                module = _module(nodeid)
                parts = SPLIT_MODULES.get(module, 1)
                self._scopes[nodeid] = f"{module}#{self._dealt[module] % parts}"
                self._dealt[module] += 1
            return self._scopes[nodeid]

    return SplitModuleScheduling(config, log)
