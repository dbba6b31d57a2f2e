"""Negotiation gap explorer: load, validate and compare negotiation positions as data.

``import negotiation_lib as nl`` gives the data functions (pandas only). The figures and the
explorers are one spelling each: ``nl.figures.plot_*`` (plotly) and ``nl.widgets.*_explorer``
(ipywidgets); those modules, ``nl.app`` (the explorers in tabs, for ``make app``) and
``nl.export_figure`` (SVG and PDF through kaleido and Chromium) load on first use, so importing
the package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from .agreement import agreement_report, krippendorff_alpha
from .coding import (
    coding_sheet,
    compare_with_dataset,
    read_codings,
    save_codings,
    widest_spread,
)
from .consistency import check_coding_consistency
from .evidence import evidence_table
from .examples import write_example_dataset
from .gaps import (
    MOVEMENTS,
    NO_SALIENCE_NOTE,
    combined_positions,
    compute_conflicts,
    compute_gaps,
    compute_movement,
    compute_overall_gap,
    positions_asof,
)
from .ids import UnknownIdError, default_actors, default_pair, parties
from .load import Negotiation, load
from .locate import DatasetNotFoundError, list_datasets
from .models import (
    agreed_outcomes,
    backtest,
    backtest_summary,
    describe_backtest,
    forecast,
    forecast_over_time,
    forecast_sensitivity,
)
from .schema import init_dataset
from .summaries import (
    compare_overall_gaps,
    compare_positions,
    describe_movement,
    describe_overall_gap,
    describe_third_party,
    describe_variants,
    environment_report,
    evidence_profile,
    filter_positions,
    gap_extremes,
    movement_by_issue,
    movement_summary,
    summarize,
    third_party_distance,
)
from .text import readable_tables, show_table
from .validate import ValidationError, format_problems, validate

__version__ = "0.1.0"

__all__ = [
    "MOVEMENTS",
    "NO_SALIENCE_NOTE",
    "DatasetNotFoundError",
    "Negotiation",
    "UnknownIdError",
    "ValidationError",
    "__version__",
    "agreed_outcomes",
    "agreement_report",
    "backtest",
    "backtest_summary",
    "check_coding_consistency",
    "coding_sheet",
    "combined_positions",
    "compare_overall_gaps",
    "compare_positions",
    "compare_with_dataset",
    "compute_conflicts",
    "compute_gaps",
    "compute_movement",
    "compute_overall_gap",
    "default_actors",
    "default_pair",
    "describe_backtest",
    "describe_movement",
    "describe_overall_gap",
    "describe_third_party",
    "describe_variants",
    "environment_report",
    "evidence_profile",
    "evidence_table",
    "export_figure",
    "filter_positions",
    "forecast",
    "forecast_over_time",
    "forecast_sensitivity",
    "format_problems",
    "gap_extremes",
    "init_dataset",
    "krippendorff_alpha",
    "list_datasets",
    "load",
    "movement_by_issue",
    "movement_summary",
    "parties",
    "positions_asof",
    "read_codings",
    "readable_tables",
    "save_codings",
    "show_table",
    "summarize",
    "third_party_distance",
    "validate",
    "widest_spread",
    "write_example_dataset",
]

_LAZY_SUBMODULES = ("app", "export", "figures", "report", "widgets")
# names of __all__ that live in a lazily loaded module (asyncio, kaleido: only when used)
_LAZY_NAMES = {"export_figure": "export"}

# In a notebook, every DataFrame on display reads as nl.show_table shows it (HTML only).
readable_tables()


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES) | set(_LAZY_NAMES))
