"""Repository-wide pytest hooks: how nbval compares stored Plotly figures.

This file sits at the repository root because pytest only loads a conftest.py from the folders of
the paths it is given and their parents: `pytest --nbval notebooks/` never sees tests/conftest.py.

nbval compares `application/vnd.plotly.v1+json` outputs as dicts with `==`; its regex sanitizer
(`--nbval-sanitize-with`) only reaches strings. Figures are reproducible run to run with the locked
versions, so almost nothing is sanitised. Only two things are, both volatile by nature:

- Numbers are compared by value, rounded to 12 significant digits. Plotly stores numpy arrays as
  base64 of their raw bytes (`{"dtype": "f8", "bdata": ...}`), so a last-bit difference in a float
  (a different CPU's SIMD summation order) would otherwise fail a figure whose plotted values are
  the same. Any change visible in a chart (and most that are not) still fails.
- A trace's `uid` is random for `go.FigureWidget`; it identifies nothing in the data.

The template, layout, config and all text are compared as stored. This patches
`nbval.plugin.IPyNbCell.sanitize`, an internal of nbval, so nbval is pinned (0.11.0); the check
in `pytest_configure` fails loudly if that method disappears.
"""

from __future__ import annotations

import base64
from typing import Any

PLOTLY_MIME = "application/vnd.plotly.v1+json"
SIGNIFICANT_DIGITS = 12


def _decode_typed_array(value: dict[str, Any]) -> list[Any]:
    import numpy as np

    array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    shape = value.get("shape")
    if shape:
        dims = [int(n) for n in str(shape).split(",")] if isinstance(shape, str) else list(shape)
        array = array.reshape(dims)
    return array.tolist()


def plotly_for_comparison(value: Any) -> Any:
    """A copy of a Plotly figure dict (or any part of it) in the form nbval should compare.

    Typed arrays become lists, floats are rounded to 12 significant digits, trace `uid`s go.
    """
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            return plotly_for_comparison(_decode_typed_array(value))
        return {key: plotly_for_comparison(item) for key, item in value.items() if key != "uid"}
    if isinstance(value, list):
        return [plotly_for_comparison(item) for item in value]
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value


def _is_plotly_figure(value: Any) -> bool:
    return isinstance(value, dict) and "data" in value and "layout" in value


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("nbval"):
        return
    import nbval.plugin

    cell_class = nbval.plugin.IPyNbCell
    if getattr(cell_class.sanitize, "_plotly_aware", False):
        return
    if not callable(getattr(cell_class, "sanitize", None)):
        raise RuntimeError(
            "nbval.plugin.IPyNbCell.sanitize is gone: conftest.py cannot normalise Plotly "
            "figures for comparison with this nbval version (tested with 0.11.0)"
        )
    original_sanitize = cell_class.sanitize

    def sanitize(self, value):
        if _is_plotly_figure(value):
            return plotly_for_comparison(value)
        return original_sanitize(self, value)

    sanitize._plotly_aware = True
    cell_class.sanitize = sanitize
