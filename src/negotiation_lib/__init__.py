"""Negotiation gap explorer: load, validate and compare negotiation positions as data.

``import negotiation_lib as nl`` gives the data functions (pandas only). The figure and widget
layers load on first use: ``nl.figures`` / ``nl.plot_*`` import plotly, ``nl.widgets`` /
``nl.*_explorer`` import ipywidgets, so importing the package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from .cli import init_dataset
from .examples import write_example_dataset
from .gaps import (
    combined_positions,
    compute_conflicts,
    compute_gaps,
    compute_movement,
    compute_overall_gap,
    positions_asof,
)
from .load import DatasetNotFoundError, Negotiation, list_datasets, load
from .models import compute_forecast
from .summaries import (
    compare_overall_gaps,
    compare_positions,
    describe_overall_gap,
    environment_report,
    evidence_profile,
    filter_positions,
    gap_extremes,
    movement_by_issue,
    movement_summary,
    summarize,
    third_party_distance,
)
from .validate import ValidationError, format_problems, validate

__version__ = "0.1.0"

__all__ = [
    "DatasetNotFoundError",
    "Negotiation",
    "ValidationError",
    "__version__",
    "combined_positions",
    "compare_overall_gaps",
    "compare_positions",
    "compute_conflicts",
    "compute_forecast",
    "compute_gaps",
    "compute_movement",
    "compute_overall_gap",
    "describe_overall_gap",
    "environment_report",
    "evidence_profile",
    "filter_positions",
    "format_problems",
    "gap_extremes",
    "init_dataset",
    "list_datasets",
    "load",
    "movement_by_issue",
    "movement_summary",
    "positions_asof",
    "summarize",
    "third_party_distance",
    "validate",
    "write_example_dataset",
]

_LAZY_SUBMODULES = ("figures", "report", "views", "widgets")


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name.startswith("plot_"):
        return getattr(importlib.import_module(".figures", __name__), name)
    if name.endswith("_explorer"):
        return getattr(importlib.import_module(".widgets", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))
