"""Interactive explorers (ipywidgets): controls wired to the plain functions that draw the views.

Each ``*_explorer(neg)`` returns an :class:`Explorer`, a ``widgets.VBox`` holding the controls,
a message line, the figure (an ``Output`` showing a plotly Figure, not a ``FigureWidget``) and a
table (an escaped ``HTML`` widget). Besides being displayable it exposes, for tests, notebooks
and the browser tests:

- ``explorer.controls``: dict name -> control widget (set ``.value`` to drive it);
- ``explorer.figure``: the plotly Figure now shown (None for a view without a figure). The
  Output gets the figure's JSON straight from its dict spec (``figures.*_spec``); the
  validated Figure is built on first access, which keeps a redraw fast;
- ``explorer.table``: the DataFrame behind the table now shown;
- ``explorer.message``: the edge-case message now shown (plain text), or ``""``;
- ``explorer.error``: the exception of the last refresh if drawing failed, else None (the view
  then shows a message instead of a traceback).

Every control carries a CSS class ``nl-<name>`` (``nl-actor-a``, ``nl-issues``, ...), the
explorer itself ``nl-explorer`` plus ``nl-<kind>-explorer`` (``gap``, ``position``,
``evidence``), and its parts ``nl-message`` (inside: ``div.nl-message-text`` when there is a
message), ``nl-figure`` (the Output) and ``nl-table`` (inside: ``table.nl-data-table``), so a
browser test can find them.

The public surface is the explorers (``gap_explorer``, ``position_explorer``,
``evidence_explorer``, ``whatif_explorer``) and ``coding_form``; :class:`Explorer` and
:class:`CodingForm` are the types they return. The work happens in the private ``_*_view``
functions, which take plain values and return a :class:`_View`; an explorer's default view
equals the plain function's figure (``plot_gap_over_time``, ``plot_positions``,
``plot_whatif``) and table (``evidence.evidence_table``, ``evidence.anchor_table``), which is
how a notebook shows the same without widgets.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
import pandas as pd

from . import evidence as ev
from . import figures, ids, schema, text
from . import gaps as _gaps

__all__ = [
    "coding_form",
    "evidence_explorer",
    "gap_explorer",
    "position_explorer",
    "whatif_explorer",
]

_ALL = "(all)"
_SELECT_HELP = "Ctrl/Cmd-click to select several; none selected = all."
_PLACEHOLDER = "Run this cell (or Run All) to show the explorer: it needs a running kernel."
# rows an explorer's table writes (its caption says how many there are; the CSV link holds all)
_TABLE_ROWS = 50
# the columns of compute_gaps that figures._gap_spec reads (tests/test_widgets.py checks that
# the explorer's figure equals plot_gap_over_time's)
_GAP_FIGURE_COLUMNS = [
    "date", "issue_id", "gap", "gap_low", "gap_high", "hover", "position_id_a", "position_id_b"
]  # fmt: skip
# Explorer tables wrap their text and show many rows before scrolling: a 90em box holds 8 or
# more rows of five-line quotes (tests/e2e checks it in the browser). Words break only when
# longer than a column, so narrow columns keep whole words; the widgets' own line height (one
# control's height) would make each line of a cell 28 px tall.
_TABLE_STYLE = (
    "<style>.nl-table-scroll td, .nl-table-scroll th {white-space: normal; "
    "overflow-wrap: break-word; vertical-align: top; text-align: left; max-width: 32em; "
    "line-height: 1.35;}</style>"
)


#: The confidence filter of the gap and position explorers: label -> value; each value keeps
#: the positions whose confidence is in :data:`_CONFIDENCE_LEVELS` ``[value]``.
_CONFIDENCE_OPTIONS = (("all", "all"), ("medium and high", "medium+"), ("high only", "high"))
_CONFIDENCE_LEVELS = {
    "all": None,
    "medium+": tuple(c for c in schema.CONFIDENCES if c not in schema.LOW_CONFIDENCES),
    "high": schema.CONFIDENCES[-1:],
}


def _by_confidence(neg, confidence: str = "all"):
    """``neg`` with only the positions of a confidence level (``"all"``, ``"medium+"`` or
    ``"high"``, see :data:`_CONFIDENCE_LEVELS`); ``"all"`` returns ``neg`` itself."""
    if confidence not in _CONFIDENCE_LEVELS:
        raise ValueError(
            f"confidence must be one of {list(_CONFIDENCE_LEVELS)}, got {confidence!r}"
        )
    levels = _CONFIDENCE_LEVELS[confidence]
    if levels is None:
        return neg
    from .summaries import filter_positions

    return filter_positions(neg, confidence=levels)


def _confidence_note(confidence: str) -> str:
    label = {v: k for k, v in _CONFIDENCE_OPTIONS}[confidence]
    return "" if confidence == "all" else f"Confidence: {label} positions only"


def _csv_link(table: pd.DataFrame, filename: str) -> str:
    """An HTML link that downloads ``table`` as CSV (a ``data:`` URI, attribute-escaped), or
    ``""`` for an empty table."""
    if table is None or table.empty:
        return ""
    data = "data:text/csv;charset=utf-8," + text.percent_encode(table.to_csv(index=False))
    return (
        f'<a class="nl-csv-link" download="{text.escape_attribute(filename)}" '
        f'href="{text.escape_attribute(data)}">Download this table (CSV, '
        f"{len(table)} rows)</a>"
    )


@dataclass
class _View:
    """What an explorer shows: a figure, a table (DataFrame + its HTML) and a message.

    ``spec`` is the figure as plain dicts (``figures.*_spec``) or None; ``figure`` builds the
    validated plotly Figure from it on first access.
    """

    spec: object = None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    table_html: str = ""
    message: str = ""

    @functools.cached_property
    def figure(self):
        return None if self.spec is None else self.spec.figure()


def _figure_bundle(spec) -> dict:
    """The display_data output of a figure, as the plotly mimetype renderer would produce it."""
    return {
        "output_type": "display_data",
        "data": {
            "application/vnd.plotly.v1+json": spec.to_plotly_json(),
            "text/plain": "<plotly figure>",
        },
        "metadata": {},
    }


class Explorer(widgets.VBox):
    """A VBox of controls, message, figure and table that redraws on every control change."""

    def __init__(
        self,
        kind: str,
        controls: Mapping[str, widgets.Widget],
        render: Callable,
        *,
        rows: list[list[str]] | None = None,
    ):
        self.kind = kind
        self.controls = dict(controls)
        self._view = _View()
        self.table = pd.DataFrame()
        self.message = ""
        self.error: Exception | None = None
        self._render = render
        self._csv: tuple[pd.DataFrame | None, str] = (None, "")
        self._message_box = widgets.HTML(value="").add_class("nl-message")
        self._plot = widgets.Output().add_class("nl-figure")
        self._table_box = widgets.HTML(value="").add_class("nl-table")
        self._initial = {name: control.value for name, control in self.controls.items()}
        self._resetting = False
        self.reset_button = widgets.Button(
            description="Reset", tooltip="Every control back to its first value"
        ).add_class("nl-reset")
        self.reset_button.on_click(lambda _button: self.reset())
        for name, control in self.controls.items():
            control.add_class("nl-" + name.replace("_", "-"))
        names = list(self.controls)
        rows = rows or [names[i : i + 3] for i in range(0, len(names), 3)]
        boxes = [widgets.HBox([self.controls[name] for name in row]) for row in rows]
        help_text = "Reset puts every control back."
        if any(isinstance(c, widgets.SelectMultiple) for c in self.controls.values()):
            help_text = f"{_SELECT_HELP} {help_text}"
        self.help = widgets.HTML(
            value=f'<span class="nl-help-text">{text.escape(help_text)}</span>'
        )
        tools = widgets.HBox([self.reset_button, self.help.add_class("nl-help")])
        super().__init__(
            children=[
                *boxes,
                tools,
                self._message_box,
                self._plot,
                self._table_box,
            ]
        )
        self.add_class("nl-explorer")
        self.add_class(f"nl-{kind}-explorer")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        # before a kernel runs (a stored notebook) the front end shows text/plain: say what to do
        # instead of the raw "Explorer(children=...)" repr
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = _PLACEHOLDER
        return bundle

    def __repr__(self) -> str:
        return _PLACEHOLDER

    def reset(self) -> None:
        """Put every control back to its first value and redraw once."""
        self._resetting = True
        try:
            for name, value in self._initial.items():
                self.controls[name].value = value
        finally:
            self._resetting = False
        self.refresh()

    @property
    def figure(self):
        """The plotly Figure now shown (None when the view has no figure)."""
        return self._view.figure

    def values(self) -> dict:
        """The current value of every control, by control name."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change) -> None:
        if not self._resetting:
            self.refresh()

    def refresh(self) -> None:
        """Redraw the view from the current control values."""
        try:
            view = self._render(**self.values())
            self.error = None
        except Exception as exc:  # a broken view shows a message; .error keeps it for tests
            view = _View(message=f"Could not draw this view: {exc}")
            self.error = exc
        self._view = view
        self.table = view.table
        self.message = view.message
        self._message_box.value = text.message_html(view.message)
        # the browser gets the figure's dicts straight away; the validated Figure is built only
        # when someone asks for .figure (validation costs more than the rest of a redraw)
        self._plot.outputs = (_figure_bundle(view.spec),) if view.spec is not None else ()
        if view.table is not self._csv[0]:  # e.g. the same issue's anchors: the same link
            self._csv = (view.table, _csv_link(view.table, f"{self.kind}-view.csv"))
        self._table_box.value = (
            f'{_TABLE_STYLE}<div class="nl-table-scroll" style="max-height: 90em; overflow: auto;">'
            f'{view.table_html}</div><div class="nl-download">{self._csv[1]}</div>'
            if view.table_html
            else ""
        )


# --- shared controls ------------------------------------------------------------------------


def _actor_options(neg) -> list[tuple[str, str]]:
    names = ids.actor_names(neg)
    return [(f"{names[a]} ({a})", a) for a in ids.actor_order(neg)]


def _issue_options(neg) -> list[tuple[str, str]]:
    labels = ids.issue_labels(neg)
    return [(labels[i], i) for i in ids.issue_order(neg)]


def _date_options(neg, *, freq: str = "MS") -> list[tuple[str, pd.Timestamp]]:
    """Options of a date-range slider: period starts (monthly by default) covering the data,
    labelled like ``Feb 2022`` so that the slider's readout shows the whole range.

    The first option is the first statement's period start and the last one the start of the
    period after the last statement, so the full range shows every statement.
    """
    dates = neg.positions["date"].dropna()
    if dates.empty:
        return [("(no dates)", pd.Timestamp("1970-01-01"))]
    period = freq[0]
    first = dates.min().to_period(period).start_time
    after_last = (dates.max().to_period(period) + 1).start_time
    grid = pd.date_range(first, after_last, freq=freq)
    label = "%Y" if period == "Y" else "%b %Y"
    return [(d.strftime(label), d) for d in grid]


# --- gaps -----------------------------------------------------------------------------------

_WEIGHT_OPTIONS = (("equal", "none"), ("salience", "salience"))


class _GapCache:
    """Memo of the gap explorer's frames for one negotiation.

    Per (pair, carrying), the pair's timeline (:func:`gaps._pair_timeline`) is computed once
    over all issues; the per-issue gaps (``compute_gaps`` rows) and the overall gap for any
    issue selection and weighting are read from it (a per-issue state does not depend on the
    other issues). The date range is applied afterwards (:func:`gaps._changes_in_window`), so
    moving the slider never recomputes them; the hover labels of both are made for the rows a
    view shows and kept.
    """

    def __init__(self, neg, *, evidence: pd.DataFrame | None = None, max_entries: int = 64):
        self.neg = neg
        self.evidence = ev.evidence_frame(neg) if evidence is None else evidence
        self.snippets = ev.position_snippets(self.evidence)
        self.position_index = _position_index(self.evidence)
        self.table_rows: dict = {}  # each position's row of the table, written once
        self.max_entries = max_entries
        self._timelines: dict[tuple, pd.DataFrame] = {}
        self._gaps: dict[tuple, pd.DataFrame] = {}
        self._overall: dict[tuple, pd.DataFrame] = {}

    def _remember(self, store: dict, key, compute):
        if key not in store:
            if len(store) >= self.max_entries:  # oldest out first
                store.pop(next(iter(store)))
            store[key] = compute()
        return store[key]

    def _timeline(self, actor_a, actor_b, carry_forward) -> pd.DataFrame:
        key = (actor_a, actor_b, bool(carry_forward))
        return self._remember(
            self._timelines,
            key,
            lambda: _gaps._pair_timeline(
                self.neg,
                actor_a,
                actor_b,
                issues=None,
                start=None,
                carry_forward=carry_forward,
                max_age=None,
            ),
        )

    def gaps(self, actor_a, actor_b, *, issues=None, carry_forward=True, **window) -> pd.DataFrame:
        """``compute_gaps`` for the given issues (None = all) in the ``start``/``end`` window
        (:func:`gaps._changes_in_window`), with a ``hover`` column. A row's label is made when a
        window first shows it, and names the row's own date (also where the window moves the
        row to ``start``)."""

        def compute():
            timeline = self._timeline(actor_a, actor_b, carry_forward)
            gaps = timeline.loc[timeline["both"], _gaps._GAP_COLUMNS].reset_index(drop=True)
            return gaps.assign(_row=np.arange(len(gaps))), np.full(len(gaps), None, object)

        key = (actor_a, actor_b, bool(carry_forward))
        everything, labels = self._remember(self._gaps, key, compute)
        gaps = everything
        if issues is not None:
            gaps = gaps[gaps["issue_id"].isin(list(issues))].reset_index(drop=True)
        gaps = _gaps._changes_in_window(gaps, keys=["issue_id"], **window)
        rows = gaps["_row"].to_numpy()
        todo = np.unique(rows[pd.isna(labels[rows])])
        if len(todo):
            unlabelled = everything.iloc[todo][_gaps._GAP_COLUMNS]
            hover = ev.gap_hover(unlabelled, self.evidence, self.neg, snippets=self.snippets)
            labels[todo] = hover.to_numpy()
        return gaps.drop(columns="_row").assign(hover=labels[rows])

    def _overall_entry(self, actor_a, actor_b, issues, carry_forward, weights) -> tuple:
        """The overall gap over the whole record and its labels kept so far, by date."""
        chosen = None if issues is None else tuple(sorted(issues))

        def compute():
            timeline = self._timeline(actor_a, actor_b, carry_forward)
            if chosen is not None:
                timeline = timeline[timeline["issue_id"].isin(chosen)].reset_index(drop=True)
            return _gaps._overall_gap(timeline, weights, start=None, end=None), {}

        key = (actor_a, actor_b, chosen, bool(carry_forward), weights)
        return self._remember(self._overall, key, compute)

    def overall_labelled(
        self, actor_a, actor_b, gaps, *, issues=None, carry_forward=True, weights=None, **window
    ) -> pd.DataFrame:
        """``compute_overall_gap`` for the given issues (None = all) in the ``start``/``end``
        window (:func:`gaps._changes_in_window`), labelled from ``gaps`` (the ``compute_gaps``
        rows of that window) as the figure labels it (:func:`figures._overall_labels`). A row's
        labels are kept by date for other windows (a gap row has both values, so the positions
        in force after ``start`` are the whole record's), except at ``start``, where the
        clipped gaps hold the rows moved there."""
        overall, kept = self._overall_entry(actor_a, actor_b, issues, carry_forward, weights)
        overall = _gaps._changes_in_window(overall, keys=[], **window)
        start = window.get("start")
        dates = overall["date"]
        new = ~dates.isin(list(kept)).to_numpy()
        at_start = (dates == start).to_numpy() if start is not None else np.zeros(len(dates), bool)
        labelled = figures._overall_labels(
            self.neg, overall[new | at_start], gaps, carried=carry_forward
        )
        fresh = {}
        for date, pids, hover in zip(
            labelled["date"], labelled["position_ids"], labelled["hover"], strict=True
        ):
            fresh[date] = (pids, hover)
            if date != start:
                kept[date] = (pids, hover)
        rows = [fresh[d] if d in fresh else kept[d] for d in dates]
        return overall.assign(position_ids=[r[0] for r in rows], hover=[r[1] for r in rows])


def _window(dates):
    """The (start, end) days of a date-range control's value; ``(None, None)`` when empty."""
    if not dates:
        return None, None
    return figures._date_range(*dates)


def _position_index(evidence: pd.DataFrame) -> pd.Index:
    """The evidence rows' position ids as text (an Index keeps its lookup table once built)."""
    return pd.Index(evidence["position_id"].astype(str))


def _gap_positions(
    gaps: pd.DataFrame, evidence: pd.DataFrame, *, start=None, end=None, index=None
) -> pd.DataFrame:
    """The positions behind a gap view: every statement referenced by a gap in the window.

    ``gaps`` is a ``compute_gaps`` frame; the rows in force during ``start``-``end`` are kept
    (:func:`gaps._changes_in_window`), and the evidence rows of their ``position_id_a`` and
    ``position_id_b`` returned (one row per position, :data:`evidence.EVIDENCE_COLUMNS`, in
    evidence order). ``index``: :func:`_position_index` of ``evidence``, if kept.
    """
    window = _gaps._changes_in_window(gaps, keys=["issue_id"], start=start, end=end)
    shown = pd.unique(pd.concat([window["position_id_a"], window["position_id_b"]]).astype(str))
    index = _position_index(evidence) if index is None else index
    rows = index.get_indexer_for(shown)
    return evidence.iloc[np.unique(rows[rows >= 0])].reset_index(drop=True)


def _gap_view(
    neg,
    *,
    actor_a: str,
    actor_b: str,
    issues=(),
    dates=(),
    carry_forward: bool = True,
    weights: str = "none",
    confidence: str = "all",
    cache: _GapCache | None = None,
) -> _View:
    """Overall and per-issue gap between two actors, and the positions behind the view.

    ``issues`` empty = all; ``dates`` = (start, end) or empty for the whole record; ``weights``
    ``"none"`` or ``"salience"``; ``confidence`` keeps the positions of a level
    (:func:`_by_confidence`; a given ``cache`` must hold those). The figure is
    :func:`figures.plot_gap_over_time` with the same choices; the table is
    :func:`_gap_positions`. Two equal actors give a message, no figure.
    """
    if actor_a == actor_b:
        return _View(message="Choose two different actors.")
    neg = _by_confidence(neg, confidence) if cache is None else cache.neg
    cache = _GapCache(neg) if cache is None else cache
    issue_list = list(issues) or None
    start, end = _window(dates)
    choice = {"issues": issue_list, "carry_forward": carry_forward}
    # clipped once here; gap_figure's own clipping then finds nothing to do
    gaps = cache.gaps(actor_a, actor_b, start=start, end=end, **choice)
    weights = None if weights in (None, "none") else weights
    overall = cache.overall_labelled(
        actor_a,
        actor_b,
        gaps[_GAP_FIGURE_COLUMNS],
        weights=weights,
        start=start,
        end=end,
        **choice,
    )
    spec = figures._gap_spec(
        neg,
        gaps[_GAP_FIGURE_COLUMNS],  # only what the figure reads: narrow frames split fast
        overall,
        actor_a=actor_a,
        actor_b=actor_b,
        evidence=cache.evidence,
        start=start,
        end=end,
        steps=carry_forward,
    )
    table = _gap_positions(gaps, cache.evidence, index=cache.position_index)
    # e.g. "no salience coded: equal weights": the weighting said, not silently the default
    notes = [
        spec.message,
        _confidence_note(confidence),
        f"Weights: {overall.attrs.get('weights_note', '')}",
    ]
    message = " · ".join(n for n in notes if n and n != "Weights: ")
    return _View(
        spec=spec,
        table=table,
        table_html=ev.evidence_html(table, limit=_TABLE_ROWS, rows=cache.table_rows),
        message=message,
    )


def gap_explorer(neg, *, actor_a: str | None = None, actor_b: str | None = None) -> Explorer:
    """Choose two actors, issues, a date range, carrying forward and weighting: the overall and
    per-issue gap, and a table of the positions behind the view.

    Defaults: :func:`~negotiation_lib.ids.default_pair` (the first two parties), all issues, the
    whole record, carrying forward on, equal weights; that default view equals
    ``_gap_view(neg, actor_a=..., actor_b=...)`` and :func:`figures.plot_gap_over_time`.
    The explorer's ``cache`` attribute is its :class:`_GapCache`.
    """
    actor_a, actor_b = ids.pair_or_default(neg, (actor_a, actor_b))
    actors = _actor_options(neg)
    dates = _date_options(neg)
    caches = {"all": _GapCache(neg)}
    controls = {
        "actor_a": widgets.Dropdown(options=actors, value=actor_a, description="Actor A"),
        "actor_b": widgets.Dropdown(options=actors, value=actor_b, description="Actor B"),
        "issues": widgets.SelectMultiple(options=_issue_options(neg), description="Issues", rows=5),
        "dates": widgets.SelectionRangeSlider(
            options=dates,
            index=(0, len(dates) - 1),
            description="Dates",
            continuous_update=False,
            layout=widgets.Layout(width="460px"),
        ),
        "carry_forward": widgets.Checkbox(value=True, description="Carry positions forward"),
        "weights": widgets.ToggleButtons(
            options=_WEIGHT_OPTIONS,
            value="none",
            description="Weights",
            style={"button_width": "90px"},
        ),
        "confidence": _confidence_control(),
    }

    whole_record = (dates[0][1], dates[-1][1])

    def render(*, dates, confidence, **values):
        # the slider at both ends means "the whole record": the same view as no date range
        window = () if tuple(dates) == whole_record else dates
        if confidence not in caches:
            caches[confidence] = _GapCache(_by_confidence(neg, confidence))
        cache = caches[confidence]
        return _gap_view(neg, cache=cache, dates=window, confidence=confidence, **values)

    rows = [
        ["actor_a", "actor_b"],
        ["issues", "dates"],
        ["carry_forward", "weights"],
        ["confidence"],
    ]
    explorer = add_figure_export(Explorer("gap", controls, render, rows=rows), neg)
    explorer.cache = caches["all"]
    return explorer


def _confidence_control():
    return widgets.ToggleButtons(
        options=_CONFIDENCE_OPTIONS,
        value="all",
        description="Confidence",
        style={"button_width": "150px"},
    )


# --- positions ------------------------------------------------------------------------------


class _IssueCache:
    """Per issue, computed once: its evidence rows (with hover labels), its combined positions
    (the lines), its row in issues.csv, its scale anchors and their table's HTML.

    The rows keep only the columns the figure reads (:func:`figures._positions_spec` filters
    them per actor on every redraw: narrow frames make that cheap)."""

    _STATEMENT_COLUMNS = ("actor_id", "date", "value", "stance")
    _CHANGE_COLUMNS = ("actor_id", "issue_id", "date", "value", "value_low", "value_high")

    def __init__(self, neg, evidence: pd.DataFrame | None = None):
        self.neg = neg
        evidence = ev.evidence_frame(neg) if evidence is None else evidence
        self.statements = dict(tuple(evidence.groupby("issue_id", sort=False, observed=True)))
        self.empty = evidence.iloc[0:0][list(self._STATEMENT_COLUMNS)].assign(
            hover=pd.Series(dtype="object")
        )
        changes = _gaps.combined_positions(neg)[list(self._CHANGE_COLUMNS)]
        self.changes = dict(tuple(changes.groupby("issue_id", sort=False, observed=True)))
        self.no_changes = changes.iloc[0:0]
        self.anchors = ev.anchor_tables(neg)
        self._issue: dict[str, tuple] = {}

    def __call__(
        self, issue: str
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.DataFrame, str]:
        """The issue's statements, changes, issues.csv row, anchors and anchors' table HTML."""
        if issue not in self._issue:
            statements = self.statements.get(issue)  # hover labels made once per issue
            issue_row = ids.issue_row(self.neg, issue)  # an unknown id raises here
            anchors = self.anchors[issue]
            self._issue[issue] = (
                self.empty
                if statements is None
                else statements[list(self._STATEMENT_COLUMNS)].assign(
                    hover=ev.hover_html(statements)
                ),
                self.changes.get(issue, self.no_changes),
                issue_row,
                anchors,
                text.frame_html(anchors.rename(columns={"label": "anchor"})),
            )
        return self._issue[issue]


def _position_view(
    neg,
    *,
    issue: str,
    actors=(),
    show_anchors: bool = True,
    confidence: str = "all",
    cache: _IssueCache | None = None,
) -> _View:
    """Positions over time on one issue plus the issue's scale anchors (the table).

    ``actors`` empty = every actor with a statement on the issue; ``confidence`` keeps the
    positions of a level (:func:`_by_confidence`; a given ``cache`` must hold those). ``cache``
    holds what does not change between control changes.
    """
    if cache is None:
        cache = _IssueCache(_by_confidence(neg, confidence))
    neg = cache.neg
    statements, changes, issue_row, anchors, anchors_html = cache(issue)
    spec = figures._positions_spec(
        neg,
        statements,
        changes,
        issue_row,
        anchors=anchors if show_anchors else None,
        actors=list(actors) or None,
    )
    return _View(
        spec=spec,
        table=anchors,
        table_html=anchors_html,
        message=" · ".join(n for n in (spec.message, _confidence_note(confidence)) if n),
    )


def position_explorer(neg, *, issue: str | None = None) -> Explorer:
    """Choose an issue (and actors): positions over time and the issue's scale anchors.

    Defaults: the first issue in issue order (or ``issue``), every actor with a statement on
    it, anchors shown; that view equals ``plot_positions(neg, issue, show_anchors=True)`` and
    its table ``evidence.anchor_table(neg, issue)``.
    """
    caches = {"all": _IssueCache(neg)}
    issues = _issue_options(neg)
    controls = {
        "issue": widgets.Dropdown(options=issues, value=issue or issues[0][1], description="Issue"),
        "actors": widgets.SelectMultiple(
            options=_actor_options(neg), value=(), description="Actors", rows=4
        ),
        "show_anchors": widgets.Checkbox(value=True, description="Show scale anchors"),
        "confidence": _confidence_control(),
    }

    def render(*, confidence, **values):
        if confidence not in caches:
            caches[confidence] = _IssueCache(_by_confidence(neg, confidence))
        return _position_view(neg, cache=caches[confidence], confidence=confidence, **values)

    return add_figure_export(Explorer("position", controls, render), neg)


# --- evidence -------------------------------------------------------------------------------


def _evidence_view(
    neg,
    *,
    actors=(),
    issues=(),
    event: str = _ALL,
    source_types=(),
    confidence=(),
    text: str = "",
    evidence: pd.DataFrame | None = None,
    haystack: pd.Series | None = None,
    rows: dict | None = None,
    limit: int = _TABLE_ROWS,
) -> _View:
    """The positions that pass the filters, as a table with source links (no figure).

    Empty selections mean no filter. ``evidence``/``haystack`` are a cached evidence frame and
    its search text; ``rows`` the table rows already written (:func:`evidence.evidence_html`).
    The table is :func:`evidence.evidence_table` with the same filters.
    """
    evidence = ev.evidence_frame(neg) if evidence is None else evidence
    table = ev.filter_evidence(
        evidence,
        actors=list(actors) or None,
        issues=list(issues) or None,
        events=None if event in (_ALL, None) else [event],
        source_types=list(source_types) or None,
        confidence=list(confidence) or None,
        text=text or None,
        haystack=haystack,
    )
    message = "" if len(table) else "No position matches these filters."
    html = ev.evidence_html(table, limit=limit, rows=rows)
    return _View(table=table, table_html=html, message=message)


def evidence_explorer(neg) -> Explorer:
    """Filter positions by actor, issue, event, source type, confidence and free text.

    Every selection starts empty (= no filter), so the default table is
    ``ev.evidence_table(neg)``; the HTML shows the first 50 rows (:data:`_TABLE_ROWS`; the CSV
    link holds all) with escaped text and links to http(s) sources.
    """
    evidence = ev.evidence_frame(neg)
    haystack = ev.search_text(evidence)
    rows: dict = {}  # each position's row of the table, written once
    events = neg.events.sort_values("date", kind="stable")
    event_options = [(_ALL, _ALL)] + [
        (f"{text.format_date(d)} {name}", e)
        for e, d, name in zip(events["event_id"], events["date"], events["name"], strict=True)
    ]
    source_types = sorted(set(neg.sources["source_type"].dropna()))
    controls = {
        "actors": widgets.SelectMultiple(options=_actor_options(neg), description="Actors", rows=4),
        "issues": widgets.SelectMultiple(options=_issue_options(neg), description="Issues", rows=4),
        "event": widgets.Dropdown(options=event_options, value=_ALL, description="Event"),
        "source_types": widgets.SelectMultiple(
            options=source_types, description="Source type", rows=4
        ),
        "confidence": widgets.SelectMultiple(
            options=[*reversed(schema.CONFIDENCES), schema.MISSING_CONFIDENCE],
            description="Confidence",
            rows=4,
        ),
        "text": widgets.Text(
            value="", description="Search", placeholder="words in summary, quote, source"
        ),
    }

    def render(**values):
        return _evidence_view(neg, evidence=evidence, haystack=haystack, rows=rows, **values)

    return Explorer("evidence", controls, render)


# --- what-if: bargaining models -------------------------------------------------------------


def _whatif_view(
    neg,
    *,
    model: str = "compromise",
    date=None,
    capability: Mapping[str, float] | None = None,
    pair=None,
    evidence: pd.DataFrame | None = None,
) -> _View:
    """One model's forecast per issue, with the positions it came from and the agreed outcome.

    ``date`` default: :func:`figures.whatif_default_date` (the latest agreed text). The
    forecast uses the positions of non-joint actors in force the day before ``date`` and the
    capabilities in ``capability`` (actors not named keep ``actors.capability``, else 1). The
    figure equals :func:`figures.plot_whatif` with the same choices; the table is
    :func:`negotiation_lib.models.forecast_and_outcomes`.
    """
    from . import models

    day = figures.whatif_default_date(neg) if date is None else _gaps._timestamp(date, "date")
    evidence = ev.evidence_frame(neg) if evidence is None else evidence
    table = models.forecast_and_outcomes(neg, day, model=model, capability=capability, pair=pair)
    held = _gaps.positions_asof(
        neg, day - pd.Timedelta(days=1), actors=models.non_joint_actors(neg)
    )
    the_pair = ids.pair_or_default(neg, pair)
    spec = figures._whatif_spec(neg, table, held, evidence, date=day, pair=the_pair)
    labels = ids.issue_labels(neg)
    shown = table.assign(issue=table["issue_id"].map(labels))[
        ["issue", "forecast", "outcome", "outcome_date", "error", "n_actors", "capability"]
    ]
    message = spec.message
    if not message and table["outcome"].notna().sum() == 0:
        message = "No agreed outcome up to this date: only the forecasts are shown."
    return _View(spec=spec, table=table, table_html=text.frame_html(shown), message=message)


def _whatif_dates(neg) -> list[tuple[str, pd.Timestamp]]:
    from . import models

    outcomes = models.agreed_outcomes(neg)
    options = [
        (f"{text.format_date(d)}: agreed text (forecast from the day before)", pd.Timestamp(d))
        for d in sorted(pd.unique(outcomes["date"]))
    ]
    after = pd.Timestamp(neg.positions["date"].max()) + pd.Timedelta(days=1)
    if not options or options[-1][1] != after:
        options.append(("After the last statement (latest positions)", after))
    return options


def whatif_explorer(neg, *, model: str = "compromise") -> Explorer:
    """What if the sides' bargaining power were different? One capability slider per non-joint
    actor, a model and a date (the agreed texts, or after the last statement).

    Each redraw shows the chosen model's forecast per issue next to the positions it came
    from and any agreed outcome (:func:`_whatif_view`). The sliders start at
    ``actors.capability`` (1 where empty); the default view equals ``_whatif_view(neg)`` and
    :func:`figures.plot_whatif`. Controls: ``model``, ``date`` and ``capability_<actor_id>``.
    """
    from . import models

    evidence = ev.evidence_frame(neg)
    caps = models.capabilities(neg)
    sides = models.non_joint_actors(neg)
    top = max(5.0, 2 * float(caps.max()) if len(caps) else 5.0)
    the_pair = ids.default_pair(neg)
    model_options = [
        (
            f"Midpoint of {the_pair[0]} and {the_pair[1]}"
            if m == "midpoint"
            else models.MODEL_LABELS[m],
            m,
        )
        for m in models.MODELS
    ]
    dates = _whatif_dates(neg)
    default_day = figures.whatif_default_date(neg)
    controls: dict[str, widgets.Widget] = {
        "model": widgets.Dropdown(options=model_options, value=model, description="Model"),
        "date": widgets.Dropdown(
            options=dates,
            value=default_day if default_day in [d for _, d in dates] else dates[-1][1],
            description="Date",
            layout=widgets.Layout(width="460px"),
        ),
    }
    slider_of = {}
    names = ids.actor_names(neg)
    for actor in sides:
        name = f"capability_{actor}"
        slider_of[name] = actor
        controls[name] = widgets.FloatSlider(
            value=float(caps[actor]),
            min=0.0,
            max=top,
            step=0.1,
            description=actor,
            description_allow_html=False,
            tooltip=f"Capability of {names[actor]}",
            readout_format=".1f",
            continuous_update=False,
        )

    def render(*, model, date, **sliders):
        capability = {slider_of[name]: value for name, value in sliders.items()}
        return _whatif_view(neg, model=model, date=date, capability=capability, evidence=evidence)

    names_list = list(slider_of)
    rows = [["model", "date"]] + [names_list[i : i + 3] for i in range(0, len(names_list), 3)]
    return add_figure_export(Explorer("whatif", controls, render, rows=rows), neg)


# --- coding form (code it yourself) ----------------------------------------------------------
# Kept at the end of the module and independent of Explorer: it saves instead of drawing.


class CodingForm(widgets.VBox):
    """A form to code a sheet's statements: coder name, a value per statement, a save button.

    ``form.coder`` (Text), ``form.values`` (dict position_id -> Text, empty = not coded),
    ``form.save_button`` and ``form.message`` (the last save's message, plain text) drive it
    in tests; ``form.save()`` is what the button does and returns the rows written (empty when
    nothing was saved). Saving appends to ``path`` with :func:`coding.save_codings`, which
    never rewrites another coder's rows. CSS classes: ``nl-coding-form``, ``nl-coder``,
    ``nl-coding-value``, ``nl-save``, ``nl-message``.
    """

    def __init__(self, sheet: pd.DataFrame, path="my-codings.csv"):
        from pathlib import Path

        from . import coding

        self.sheet = sheet.reset_index(drop=True)
        self.path = Path(path)
        self.message = ""
        self.coder = widgets.Text(
            value="", description="Your name", placeholder="a name or nickname"
        ).add_class("nl-coder")
        self.values = {
            str(pid): widgets.Text(
                value="", description="Value", placeholder="0-100, empty = skip"
            ).add_class("nl-coding-value")
            for pid in self.sheet["position_id"]
        }
        cards = [
            widgets.VBox(
                [widgets.HTML(coding.statement_html(row, n)), self.values[str(row["position_id"])]]
            ).add_class("nl-statement")
            for n, row in enumerate(self.sheet.to_dict("records"), start=1)
        ]
        self.save_button = widgets.Button(
            description="Save my codings", button_style="primary"
        ).add_class("nl-save")
        self._message_box = widgets.HTML(value="").add_class("nl-message")
        self.save_button.on_click(lambda _button: self.save())
        super().__init__(children=[self.coder, *cards, self.save_button, self._message_box])
        self.add_class("nl-coding-form")

    def save(self) -> pd.DataFrame:
        """Append the entered values to the file; set and show the message; return rows written."""
        from . import coding

        try:
            written = coding.save_codings(
                self.path,
                self.coder.value,
                {pid: box.value for pid, box in self.values.items()},
                position_ids=self.values,
            )
        except coding.CodingsError as exc:
            self.message = str(exc)
            written = pd.DataFrame(columns=list(coding.CODING_COLUMNS))
        else:
            again = int((written["entry"] > 1).sum())
            self.message = (
                f"Saved {len(written)} value{'s' if len(written) != 1 else ''} by "
                f"{written['coder'].iloc[0]} to {self.path.name}"
                + (f" ({again} replace your earlier values)." if again else ".")
            )
        self._message_box.value = text.message_html(self.message).replace(
            'role="status"', 'role="status" style="white-space: pre-line"'
        )
        return written


def coding_form(sheet: pd.DataFrame, path="my-codings.csv") -> CodingForm:
    """A :class:`CodingForm` for ``sheet`` (from ``coding.coding_sheet``), saving to ``path``."""
    return CodingForm(sheet, path)


def evidence_browser(neg) -> Explorer:
    """Deprecated name of :func:`evidence_explorer` (kept for old notebooks)."""
    warnings.warn("evidence_browser is now evidence_explorer", DeprecationWarning, stacklevel=2)
    return evidence_explorer(neg)


# --- figure export: SVG / PDF buttons of the explorers that draw a figure -------------------


def add_figure_export(explorer: Explorer, neg, *, folder=None) -> Explorer:
    """Give ``explorer`` "Export SVG" / "Export PDF" buttons under its controls; return it.

    A button writes the figure on view (:func:`negotiation_lib.export_figure`, stamped with the
    dataset's id and version) into ``folder`` (default: the working folder at the click) as
    ``<dataset id>-<kind>-<date>.svg`` (``-2``, ``-3``, ... instead of overwriting) and shows
    the path saved, or the error. ``explorer.export_figure(fmt)`` does what a button does and
    returns the path (None on error, kept in ``explorer.export_error``);
    ``explorer.export_buttons`` and ``explorer.export_message`` (plain text) are for tests.
    CSS classes: ``nl-export-svg``, ``nl-export-pdf``, ``nl-export-message``.
    """
    import datetime as dt
    from pathlib import Path

    from . import export

    status = widgets.HTML(value="").add_class("nl-export-message")
    explorer.export_message = ""
    explorer.export_error = None

    def export_figure(fmt: str):
        explorer.export_error, path = None, None
        status.value = text.escape(f"Exporting {fmt.upper()}…")
        try:
            if explorer.figure is None:
                raise ValueError("this view has no figure to export")
            where = Path.cwd() if folder is None else Path(folder)
            stem = f"{neg.id}-{explorer.kind}-{dt.date.today().isoformat()}"
            path = export.export_figure(
                explorer.figure, export.free_path(where, stem, f".{fmt}"), neg
            )
            explorer.export_message = f"Saved {path.resolve()}"
        except Exception as exc:  # shown next to the buttons; the error kept for tests
            explorer.export_error = exc
            explorer.export_message = f"Could not export the figure: {exc}"
        status.value = f'<span role="status">{text.escape(explorer.export_message)}</span>'
        return path

    explorer.export_figure = export_figure
    explorer.export_buttons = {}
    for fmt in export.EXPORT_FORMATS:
        button = widgets.Button(
            description=f"Export {fmt.upper()}",
            tooltip=f"Save the figure as {fmt.upper()} in the working folder, for a paper",
        ).add_class(f"nl-export-{fmt}")
        button.on_click(lambda _button, fmt=fmt: export_figure(fmt))
        explorer.export_buttons[fmt] = button
    children = list(explorer.children)
    at = children.index(explorer._message_box)
    row = widgets.HBox([*explorer.export_buttons.values(), status])
    explorer.children = (*children[:at], row, *children[at:])
    return explorer


__all__ += ["add_figure_export"]
