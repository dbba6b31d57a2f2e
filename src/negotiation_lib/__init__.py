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

from . import summaries as _summaries
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
from .summaries import *  # noqa: F403 (the reading tables: summaries.__all__, exported below)
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
    "compare_with_dataset",
    "compute_conflicts",
    "compute_gaps",
    "compute_movement",
    "compute_overall_gap",
    "default_actors",
    "default_pair",
    "describe_backtest",
    "evidence_table",
    "export_figure",  # noqa: F405 (loaded on first use: _LAZY_NAMES)
    "forecast",
    "forecast_over_time",
    "forecast_sensitivity",
    "format_problems",
    "init_dataset",
    "krippendorff_alpha",
    "list_datasets",
    "load",
    "parties",
    "positions_asof",
    "read_codings",
    "readable_tables",
    "save_codings",
    "show_table",
    "validate",
    "widest_spread",
    "write_example_dataset",
]
__all__ += _summaries.__all__

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
