"""The no-code app: the three explorers in tabs, for ``make app`` (Voilà) or any notebook.

``build_app(source)`` returns an :class:`ExplorerApp`, a ``widgets.VBox`` with a header naming
the dataset and a ``Tab`` holding the gap explorer, the position explorer and the evidence
browser (each with its table under its chart). When the dataset breaks the data contract the app
shows the problem table instead (escaped HTML, one row per problem), so a teacher who points it
at a half-finished folder sees what to fix rather than a traceback (and a valid dataset with no
positions yet says so).

Which dataset: ``build_app()`` without a source reads :func:`app_dataset`, i.e. the Voilà query
parameter ``?dataset=...`` (Voilà hands the page's query string to the kernel as the
``QUERY_STRING`` environment variable), else the ``NL_APP_DATASET`` environment variable (set by
``make app DATASET=PATH``), else the first bundled dataset (:func:`~negotiation_lib.list_datasets`).
The server binds 127.0.0.1 only, so a query parameter can name folders of the machine it runs on
and nothing else.

For tests the app exposes ``app.explorers`` (dict tab title -> :class:`~.widgets.Explorer`),
``app.tabs`` (the ``Tab``), ``app.neg`` (the :class:`~negotiation_lib.Negotiation`, or None) and
``app.problems`` (the problems DataFrame, empty when the dataset loaded).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qs

import ipywidgets as widgets
import pandas as pd

from . import text
from . import widgets as explorers
from .load import Negotiation, load
from .locate import DatasetNotFoundError, list_datasets
from .validate import ValidationError

__all__ = [
    "DATASET_ENV_VAR",
    "QUERY_PARAMETER",
    "ExplorerApp",
    "app_dataset",
    "build_app",
]

DATASET_ENV_VAR = "NL_APP_DATASET"
QUERY_PARAMETER = "dataset"

#: Tab title -> function building that explorer from a Negotiation, in tab order.
TABS = {
    "Gap explorer": explorers.gap_explorer,
    "Position explorer": explorers.position_explorer,
    "Evidence browser": explorers.evidence_explorer,
}

PROBLEM_COLUMNS = ["table", "row", "column", "rule", "value", "message"]


def app_dataset(environ: Mapping[str, str] | None = None) -> str | None:
    """The dataset the app should show, as given (a bundled id or a path), or None.

    Looks, in order, at the ``dataset`` parameter of ``QUERY_STRING`` (Voilà's query string),
    then at ``NL_APP_DATASET``; ``environ`` defaults to ``os.environ``. Blank values count as
    not given.
    """
    environ = os.environ if environ is None else environ
    query = parse_qs(environ.get("QUERY_STRING", ""))
    for value in [*query.get(QUERY_PARAMETER, []), environ.get(DATASET_ENV_VAR, "")]:
        if value.strip():
            return value.strip()
    return None


def _default_source() -> str | None:
    datasets = list_datasets()
    return None if datasets.empty else str(datasets["id"].iloc[0])


class ExplorerApp(widgets.VBox):
    """The app: a header and either the explorers in tabs or the dataset's problems."""

    def __init__(
        self,
        neg: Negotiation | None,
        *,
        source: str = "",
        problems: pd.DataFrame | None = None,
        error: str = "",
    ):
        self.neg = neg
        self.source = source
        self.problems = pd.DataFrame(columns=PROBLEM_COLUMNS) if problems is None else problems
        self.error = error
        self.explorers: dict[str, explorers.Explorer] = {}
        self.tabs: widgets.Tab | None = None
        if neg is not None:
            pages = {title: self._page(build, neg) for title, build in TABS.items()}
            self.explorers = {t: p for t, p in pages.items() if isinstance(p, explorers.Explorer)}
            self.tabs = widgets.Tab(children=list(pages.values()), titles=tuple(pages)).add_class(
                "nl-app-tabs"
            )
            body = [self.tabs]
        else:
            body = [widgets.HTML(self._problem_html()).add_class("nl-app-problems")]
        header = widgets.HTML(self._header_html()).add_class("nl-app-header")
        super().__init__(children=[header, *body])
        self.add_class("nl-app")

    @staticmethod
    def _page(build, neg) -> widgets.Widget:
        """The explorer, or a message saying why it could not be built (never a traceback)."""
        try:
            return build(neg)
        except Exception as exc:  # an odd but valid dataset must not take the whole app down
            message = f"This explorer cannot show this dataset: {exc!r}"
            return widgets.HTML(text.message_html(message)).add_class("nl-app-page-error")

    def _header_html(self) -> str:
        if self.neg is None:
            name = f"Dataset {self.source}" if self.source else "The dataset"
            return f"<h2>{text.escape(name)} cannot be shown</h2>"
        title = self.neg.title or self.neg.id or self.source
        return (
            f"<h2>{text.escape(title)}</h2>"
            f"<p>{text.dataset_label(self.neg)}. Choose a tab; every chart has the positions "
            "behind it in a table underneath, with their quotes and sources.</p>"
        )

    def _problem_html(self) -> str:
        parts = [f"<p>{text.escape(self.error)}</p>"] if self.error else []
        if len(self.problems):
            parts.append(
                "<p>Fix these in the dataset's files and reload the page "
                "(row numbers are as a spreadsheet shows them):</p>"
            )
            parts.append(text.frame_html(self.problems[PROBLEM_COLUMNS], limit=None))
        return "".join(parts)


def build_app(source: Negotiation | str | os.PathLike[str] | None = None) -> ExplorerApp:
    """The app for ``source``: a :class:`Negotiation`, a bundled id or a dataset path.

    ``None`` means :func:`app_dataset` (query parameter, then ``NL_APP_DATASET``), and when
    neither is set the first bundled dataset. Returns an :class:`ExplorerApp` showing the
    explorers in tabs, or, when the dataset breaks the contract, cannot be found or has no
    positions, its problems (``app.problems``, one row per problem) or the reason
    (``app.error``).
    """
    if isinstance(source, Negotiation):
        return _app_for(source, source.id or "")
    if source is None:
        source = app_dataset() or _default_source()
    if source is None:
        return ExplorerApp(None, error="No dataset given and no bundled dataset found.")
    text = os.fspath(source)
    try:
        neg = load(source)
    except ValidationError as exc:
        n = len(exc.problems)
        return ExplorerApp(
            None,
            source=text,
            problems=exc.problems,
            error=f"{n} problem{'s' if n != 1 else ''} in {text}.",
        )
    except DatasetNotFoundError as exc:
        return ExplorerApp(None, source=text, error=str(exc))
    return _app_for(neg, text)


def _app_for(neg: Negotiation, source: str) -> ExplorerApp:
    """The explorers for a loaded dataset, or the reason they cannot show it."""
    if neg.positions.empty:
        message = f"{source} is valid but has no positions yet: fill in positions.csv."
        return ExplorerApp(None, source=source, error=message)
    return ExplorerApp(neg, source=source)
