"""Plotly figures of a negotiation: positions, gaps, heatmap, snapshot, movement.

Every ``plot_*`` function takes the Negotiation first (everything else keyword-only) and returns
a ``plotly.graph_objects.Figure``; none displays it or touches global plotly settings. Each
figure:

- carries its provenance as an annotation named ``"provenance"`` ("Data: <id> v<version>") and
  in ``layout.meta`` (``dataset_id``, ``dataset_version``, ``figure``);
- has an explicit width, height and template, values rounded to 2 decimals and a stable trace
  order (actors in actors.csv order, issues by ``issues.order``), so stored notebook outputs
  compare equal run to run;
- shows every text from the data HTML-escaped (plotly renders labels as HTML); the hover label
  of a statement gives date, actor, stance, summary, quote, source (publisher, title, linked to
  its http(s) URL) and the position id to cite; a value computed from positions (a gap, an
  overall gap, a move) names the ids of the positions behind it;
- keys what a marker symbol encodes (a statement's stance, a move's start and end) in a second
  legend at the right;
- shows an annotation named ``"message"`` instead of raising when there is nothing (or not
  everything) to draw: an actor with no positions, an empty date range, a pair with no common
  issue. :func:`figure_message` reads it back.

Defaults come from the data (:mod:`negotiation_lib.ids`): the pair is the first two parties,
third parties are compared against the parties, snapshots and movement show the parties and the
mediators. Every value in time comes from :mod:`negotiation_lib.gaps`.

The private ``_*_spec`` builders take frames the library computed (``compute_gaps`` ...) and
return the figure as plain dicts; the explorers in :mod:`negotiation_lib.widgets` call them on
each control change, and ``go.Figure`` validates them once (much faster than adding traces one
by one).
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from . import evidence as ev
from . import gaps as _gaps
from . import ids, text

__all__ = [
    "figure_message",
    "plot_gap_heatmap",
    "plot_gap_over_time",
    "plot_movement",
    "plot_positions",
    "plot_snapshot",
    "plot_third_party_distance",
]

WIDTH = 900
HEIGHT = 520
GAP_HEIGHT = 640  # two panels
HEATMAP_HEIGHT = 620
TEMPLATE = "plotly_white"
BAND_OPACITY = 0.18
VALUE_AXIS_TITLE = "Position (0–100; each issue's own scale)"
_EMPTY_RANGE = "The date range is empty: it starts after it ends."


FALLBACK_COLORS = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)

# Issue colours for per-issue traces (plotly's D3 / Tableau 10 order, fixed here so that
# stored figures do not depend on the template's colourway).
ISSUE_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

#: How many issues' lines the per-issue gap panel draws at first (the rest are one legend click
#: away): those with the most gap changes in view.
TOP_ISSUES = 5
KEY_COLOR = "#555555"
SIDE_LEGEND_MARGIN = 150  # right margin of a figure with a second legend (a key) at the right
ISSUE_LEGEND_MARGIN = 250  # right margin of the gap figure, whose issues' legend is at the right

STANCE_SYMBOLS = {
    "demand": "circle",
    "counter": "circle-open",
    "offer": "diamond",
    "proposal": "square",
    "red_line": "x",
    "concession": "triangle-down",
    "rejection": "cross",
    "agreement": "star",
}


def actor_colors(neg) -> dict[str, str]:
    """Colour per actor id: ``actors.color`` where given, else a fixed fallback palette.

    Fallback colours are handed out in actors.csv order, so they are stable run to run.
    """
    colors: dict[str, str] = {}
    given = neg.actors["color"] if "color" in neg.actors else pd.Series(pd.NA, neg.actors.index)
    spare = iter(FALLBACK_COLORS * (len(neg.actors) // len(FALLBACK_COLORS) + 1))
    for actor_id, color in zip(neg.actors["actor_id"], given, strict=True):
        colors[str(actor_id)] = (
            str(color) if not text.is_missing(color) and str(color) else next(spare)
        )
    return colors


# --- shared pieces --------------------------------------------------------------------------


class _FigureSpec:
    """A figure as plain dicts (traces and layout): ``.figure()`` validates it into a plotly
    Figure, ``.to_plotly_json()`` gives what the browser needs without that cost."""

    def __init__(self):
        self.data: list[dict] = []
        self.layout: dict = {"annotations": [], "shapes": []}

    def trace(self, **trace) -> None:
        trace.setdefault("type", "scatter")
        self.data.append(trace)

    def annotate(self, **annotation) -> None:
        self.layout["annotations"].append(annotation)

    def figure(self) -> go.Figure:
        """The validated plotly Figure."""
        return go.Figure(data=self.data, layout=self.layout)

    def to_plotly_json(self) -> dict:
        """The figure as JSON-ready dicts, the template expanded as plotly would, without
        building and validating graph objects (what an explorer sends to the browser)."""
        layout = {key: value for key, value in self.layout.items() if value != []}
        if isinstance(layout.get("template"), str):
            layout["template"] = _template_json(layout["template"])
        return json.loads(pio.to_json({"data": self.data, "layout": layout}, validate=False))

    @property
    def message(self) -> str:
        """The edge-case message (plain text), or ``""``."""
        for annotation in self.layout["annotations"]:
            if annotation.get("name") == "message":
                return html.unescape(annotation["text"])
        return ""


@functools.cache
def _template_json(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


class _Look(NamedTuple):
    """A figure's size and template: what each public ``plot_*`` hands its builders. ``height``
    is a minimum where a figure grows with its rows."""

    width: int = WIDTH
    height: int = HEIGHT
    template: str = TEMPLATE

    def at_least(self, height: int) -> _Look:
        """This look, at least ``height`` pixels tall."""
        return self._replace(height=max(self.height, int(height)))


_DEFAULT_LOOK = _Look()
_GAP_LOOK = _Look(height=GAP_HEIGHT)


def _rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _short(value, width: int = 36) -> str:
    """Escaped text cut to one line of ``width`` characters (for titles built from data)."""
    return text.wrap(value, width, max_lines=1)


def _iso(dates) -> list[str]:
    """ISO days (``""`` for a missing date), as :func:`text.format_date` writes them."""
    days = np.datetime_as_string(np.asarray(dates, dtype="datetime64[D]"), unit="D")
    return ["" if d == "NaT" else d for d in days.tolist()]


def _floats(values) -> list:
    """Numbers rounded to 2 decimals, missing as None (plotly leaves a gap)."""
    return [None if text.is_missing(v) else round(float(v), 2) for v in values]


def _provenance_annotation(neg) -> dict:
    """The annotation that shows ``Data: <dataset id> v<version>`` above a figure's top right."""
    return {
        "name": "provenance",
        "text": text.dataset_label(neg),
        "xref": "paper",
        "yref": "paper",
        "x": 1,
        "y": 1.0,
        "xanchor": "right",
        "yanchor": "bottom",
        "yshift": 28,
        "showarrow": False,
        "font": {"size": 11, "color": "#666666"},
    }


def _finish(spec: _FigureSpec, neg, *, kind, title, look: _Look, message="") -> _FigureSpec:
    """Title, size, template, provenance and (optionally) an edge-case message."""
    spec.layout.update(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        **look._asdict(),
        margin={
            "l": 170,
            "r": SIDE_LEGEND_MARGIN if "legend2" in spec.layout else 70,
            "t": 90,
            "b": 60,
        },
        hoverlabel={"align": "left", "font": {"size": 12}},
        legend={"orientation": "h", "x": 0, "y": -0.12, "xanchor": "left", "yanchor": "top"},
        meta={
            "dataset_id": str(neg.id),
            "dataset_version": text.dataset_version(neg),
            "figure": kind,
        },
    )
    spec.annotate(**_provenance_annotation(neg))
    if message:
        empty = not spec.data
        # centred over an empty plot, else a note at the top that leaves the data visible
        spec.annotate(
            name="message",
            text=text.escape(message),
            xref="paper",
            yref="paper",
            x=0.5 if empty else 0.0,
            y=0.5 if empty else 1.0,
            xanchor="center" if empty else "left",
            yanchor="middle" if empty else "bottom",
            showarrow=False,
            font={"size": 15 if empty else 12, "color": "#444444"},
            bgcolor="rgba(255,255,255,0.85)",
        )
    return spec


def figure_message(fig) -> str:
    """The edge-case message a figure shows, as plain (unescaped) text, or ``""``."""
    for annotation in fig.layout.annotations:
        if annotation.name == "message":
            return html.unescape(annotation.text)
    return ""


def _show_range(spec: _FigureSpec, neg, axis: str, start, end, until) -> None:
    """With ``start`` or ``end`` chosen, the date ``axis`` shows ``start`` (default: the first
    statement) to ``until``; else plotly fits it to the data."""
    if start is None and end is None:
        return
    lo = start if start is not None else neg.positions["date"].min()
    spec.layout[axis]["range"] = [text.format_date(lo), text.format_date(until)]


def _date_range(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``start`` and ``end`` as days (``None`` stays ``None``: no limit)."""
    return _gaps._timestamp(start, "start"), _gaps._timestamp(end, "end")


def _record_span(neg, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``start`` and ``end`` as days, by default the first and last statement dates."""
    start, end = _date_range(start, end)
    dates = neg.positions["date"]
    return (dates.min() if start is None else start), (dates.max() if end is None else end)


def _spec_with_value_axis() -> _FigureSpec:
    """An empty spec whose x axis is the 0-100 position scale (issues as rows on y)."""
    spec = _FigureSpec()
    spec.layout["xaxis"] = {
        "range": [-5, 105],
        "tickvals": [0, 25, 50, 75, 100],
        "title": {"text": VALUE_AXIS_TITLE},
    }
    return spec


def _band(spec: _FigureSpec, x, low, high, *, color, group, axes=None) -> None:
    """Two traces whose fill between them is an uncertainty band (drawn as steps)."""
    common = {
        "x": x,
        "mode": "lines",
        "line": {"width": 0, "shape": "hv", "color": color},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": group,
        **(axes or {}),
    }
    spec.trace(y=low, name=f"{group} low", **common)
    spec.trace(
        y=high, name=f"{group} high", fill="tonexty", fillcolor=_rgba(color, BAND_OPACITY), **common
    )


def _key(spec: _FigureSpec, title: str, entries: Sequence[tuple[str, str]]) -> None:
    """A key to the marker symbols in a second legend at the right: one grey entry per
    ``(symbol, label)``. The entries draw nothing and clicking them does nothing."""
    if not entries:
        return
    for symbol, label in entries:
        spec.trace(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": symbol, "color": KEY_COLOR, "size": 10},
            name=label,
            legend="legend2",
            legendgroup="key",
            hoverinfo="skip",
        )
    spec.layout["legend2"] = {
        "title": {"text": title, "font": {"size": 12}},
        "x": 1.02,
        "xanchor": "left",
        "y": 1.0,
        "yanchor": "top",
        "orientation": "v",
        "itemclick": False,
        "itemdoubleclick": False,
        "font": {"size": 11},
    }


def _stance_key(spec: _FigureSpec, stances: Iterable[str]) -> None:
    """The key "marker = stance" for the stances drawn (stances sharing a symbol on one entry)."""
    used = {str(s) for s in stances}
    by_symbol: dict[str, list[str]] = {}
    for stance in [*STANCE_SYMBOLS, *sorted(used - set(STANCE_SYMBOLS))]:
        if stance in used:
            symbol = STANCE_SYMBOLS.get(stance, "circle")
            by_symbol.setdefault(symbol, []).append(text.escape(stance.replace("_", " ")))
    _key(spec, "Marker: stance", [(sym, ", ".join(names)) for sym, names in by_symbol.items()])


def _row_labels(labels, order) -> dict[str, str]:
    """{id: its label on one line of a chart's row axis (escaped)} for the ids in ``order``."""
    return {key: text.wrap(labels[key], 36, max_lines=1) for key in order}


def _rows_top_down(labels) -> dict:
    """A category y axis that lists ``labels`` in this order, from the top down."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(labels),
        "autorange": "reversed",
    }


def _value_axis(issue, *, title="Position (0–100 scale)") -> dict:
    """A 0-100 axis with the issue scale's words at the ends."""
    low = text.wrap(issue["low_label"], 20, max_lines=3)
    high = text.wrap(issue["high_label"], 20, max_lines=3)
    return {
        "range": [-5, 105],
        "tickvals": [0, 50, 100],
        "ticktext": [low, "50", high],
        "title": {"text": title},
        "zeroline": False,
    }


def _step_lists(frame: pd.DataFrame, columns: list[str], until) -> tuple[list, list[list]]:
    """ISO dates and rounded values of a change-point frame, the last row repeated at ``until``
    (a step line runs on to the right edge; the first ``len(frame)`` items are the changes)."""
    x = _iso(frame["date"])
    values = [_floats(frame[c]) for c in columns]
    last = frame["date"].iloc[-1] if len(frame) else None
    return _run_on(x, values, last, until)


def _run_on(x: list, values: list[list], last, until) -> tuple[list, list[list]]:
    """``x`` and ``values`` with the last point repeated at ``until`` when the last change
    (dated ``last``) is before it."""
    if x and until is not None and last < until:
        x.append(text.format_date(until))
        for v in values:
            v.append(v[-1])
    return x, values


def _rows_by_key(keys: pd.Series) -> dict[object, np.ndarray]:
    """Each key's row positions (in frame order), keys in first-seen order: a groupby's groups
    as positions, to slice lists made once for the whole frame."""
    codes, uniques = pd.factorize(keys)
    order = np.argsort(codes, kind="stable")
    splits = np.flatnonzero(np.diff(codes[order])) + 1
    return dict(zip(uniques, np.split(order, splits), strict=True))


def _steps_with_markers(hover: list[str], n_points: int, *, width, color, dash="solid") -> dict:
    """Step line with a hover marker at each change (the extra end point has neither)."""
    extra = n_points - len(hover)
    return {
        "mode": "lines+markers",
        "line": {"shape": "hv", "color": color, "width": width, "dash": dash},
        "marker": {"color": color, "size": [7] * len(hover) + [0] * extra},
        "hovertext": hover + [""] * extra,
        "hoverinfo": ["text"] * len(hover) + ["skip"] * extra,
    }


def _overall_hover(overall: pd.DataFrame) -> list[str]:
    """Escaped hover labels of a ``compute_overall_gap`` frame: date, gap, interval, issues
    covered, and the positions behind it when the frame has a ``position_ids`` column
    (:func:`_with_position_ids`; each position's source is in the per-issue hovers)."""
    hover = []
    behind = overall["position_ids"] if "position_ids" in overall else [""] * len(overall)
    for date, gap, low, high, n, pids in zip(
        overall["date"],
        overall["gap"],
        overall["gap_low"],
        overall["gap_high"],
        overall["n_issues"],
        behind,
        strict=True,
    ):
        gap, low, high = (text.format_number(v) for v in (gap, low, high))
        interval = f" (interval {low}–{high})" if low != high else ""
        covered = 0 if text.is_missing(n) else int(n)
        label = (
            f"<b>{text.format_date(date)}</b><br>Overall gap: {gap or 'n/a'}"
            f"{interval}<br>Issues covered: {covered}"
        )
        if gap and isinstance(pids, str) and pids:
            label += f"<br>Cite: positions {text.wrap(pids, 70, max_lines=6)}"
        hover.append(label)
    return hover


def _with_position_ids(
    neg, overall: pd.DataFrame, actor_a, actor_b, *, weights=None, **options
) -> pd.DataFrame:
    """``overall`` (a ``compute_overall_gap`` frame) with a ``position_ids`` column: the ids
    of both sides' positions in force at each date on the issues it counts (", "-joined,
    issue order; a mapping ``weights`` counts only the issues it weighs above 0; a date where
    the ids found are not the ``n_issues`` counted, e.g. a salience of 0, gets "")."""
    if overall.empty:
        return overall.assign(position_ids=pd.Series(dtype="object"))
    cells = _gaps._gaps_at(neg, actor_a, actor_b, overall["date"], **options)
    if isinstance(weights, Mapping):
        cells = cells[cells["issue_id"].map(lambda i: float(weights.get(i, 0) or 0) > 0)]
    found = _position_ids_from_gaps(neg, overall, cells, carried=False)
    return overall.assign(position_ids=found)


def _position_ids_from_gaps(
    neg, overall: pd.DataFrame, gaps: pd.DataFrame, *, carried: bool
) -> list[str]:
    """Per row of ``overall``: the ``position_id_a``, ``position_id_b`` of the ``gaps`` rows (a
    ``compute_gaps`` frame, or any with those columns, ``date``, ``issue_id`` and ``gap``) in
    force at its date, ", "-joined in issue order: each issue's last change up to that date
    (``carried``: positions carry forward) or its change on that very day. "" where their
    number is not the row's ``n_issues`` (then they are not exactly the positions counted)."""
    rows = gaps[gaps["gap"].notna()]
    if overall.empty or rows.empty:
        return [""] * len(overall)
    rank = {i: n for n, i in enumerate(ids.issue_order(neg))}
    days = overall["date"].to_numpy(dtype="datetime64[us]")
    order = np.lexsort((rows["date"].to_numpy(), rows["issue_id"].map(rank).to_numpy()))
    issue_of = rows["issue_id"].to_numpy()[order]
    row_days = rows["date"].to_numpy(dtype="datetime64[us]")[order]
    pairs = rows["position_id_a"].astype(str) + ", " + rows["position_id_b"].astype(str)
    pairs = pairs.to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, issue_of[1:] != issue_of[:-1]])
    ends = np.r_[starts[1:], len(order)]
    in_force = np.full((len(days), len(starts)), -1, dtype=np.int64)  # date x issue (rank order)
    for column, (first, last) in enumerate(zip(starts, ends, strict=True)):
        found = np.searchsorted(row_days[first:last], days, side="right") - 1 + first
        held = found >= first
        if not carried:  # only a change on that very day
            held &= row_days[np.maximum(found, first)] == days
        in_force[:, column] = np.where(held, found, -1)
    out = []
    for n, held in zip(overall["n_issues"], in_force, strict=True):
        held = held[held >= 0]
        if text.is_missing(n) or len(held) != int(n) or not len(held):
            out.append("")
        else:
            out.append(", ".join(pairs[held]))
    return out


def _overall_labels(neg, overall: pd.DataFrame, gaps: pd.DataFrame, *, carried: bool):
    """``overall`` (a ``compute_overall_gap`` frame) with the ``position_ids`` found in ``gaps``
    (:func:`_position_ids_from_gaps`, unless it has them) and its ``hover`` labels
    (:func:`_overall_hover`)."""
    if "position_ids" not in overall:
        found = _position_ids_from_gaps(neg, overall, gaps, carried=carried)
        overall = overall.assign(position_ids=found)
    return overall.assign(hover=_overall_hover(overall))


def _overall_trace(
    spec: _FigureSpec,
    overall: pd.DataFrame,
    until,
    *,
    steps: bool,
    hover: list[str],
    color: str,
    name: str,
    axes: dict | None = None,
) -> None:
    """The overall gap (or distance) of a ``compute_overall_gap`` frame, drawn in one of two ways.

    ``steps``: a step line with a marker per change and its interval as a band (a value holds
    until the next change). Otherwise (no carrying forward, or ``max_age``): a marker with its
    interval as error bars at each date with a value, and a line only over the days that value
    holds (up to the frame's next row, which marks where it ends): no band, which would join
    values that do not hold in between."""
    axes = axes or {}
    if steps:
        x, (gap, low, high) = _step_lists(overall, ["gap", "gap_low", "gap_high"], until)
        _band(spec, x, low, high, color=color, group=name, axes=axes)
        spec.trace(
            x=x,
            y=gap,
            name=name,
            legendgroup=name,
            **_steps_with_markers(hover, len(x), color=color, width=2.5),
            **axes,
        )
        return
    days = _iso(overall["date"])
    ends = [*days[1:], text.format_date(until) if until is not None else days[-1]]
    gaps, lows, highs = (_floats(overall[c]) for c in ("gap", "gap_low", "gap_high"))
    x, y, up, down, labels, shown = [], [], [], [], [], []
    for day, end, gap, low, high, label in zip(days, ends, gaps, lows, highs, hover, strict=True):
        if gap is None:
            continue
        low, high = gap if low is None else low, gap if high is None else high
        # the value, where it stops holding, and a break before the next value
        x += [day, end, end]
        y += [gap, gap, None]
        up += [round(high - gap, 2), None, None]
        down += [round(gap - low, 2), None, None]
        labels += [label, "", ""]
        shown += ["text", "skip", "skip"]
    spec.trace(
        x=x,
        y=y,
        name=name,
        legendgroup=name,
        mode="lines+markers",
        line={"color": color, "width": 2.5},
        marker={"color": color, "size": [8, 0, 0] * (len(x) // 3)},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": up,
            "arrayminus": down,
            "color": color,
            "thickness": 1.5,
            "width": 5,
        },
        hovertext=labels,
        hoverinfo=shown,
        **axes,
    )


def _pair_title(neg, actor_a, actor_b) -> str:
    names = ids.actor_names(neg)
    return f"{_short(names[actor_a])} and {_short(names[actor_b])}"


def _no_common_issue(neg, actor_a, actor_b, *, in_range: bool) -> str:
    names = ids.actor_names(neg)
    message = f"No common issue between {names[actor_a]} and {names[actor_b]}"
    return message + (" in this range." if in_range else ".")


# --- positions over time --------------------------------------------------------------------


def plot_positions(
    neg,
    issue_id: str,
    *,
    actors: Sequence[str] | None = None,
    start=None,
    end=None,
    show_anchors: bool = False,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """Each actor's position on one issue over time, as a step line with its uncertainty band.

    A position holds until the same actor restates it, so each line is a step that runs on to
    ``end`` (default: the last statement date in the dataset). Several statements on one date
    combine as in :mod:`negotiation_lib.gaps` (mean value, widest range). One marker per
    statement (its symbol follows the stance, :data:`STANCE_SYMBOLS`, with a key to the
    stances drawn at the right); its hover gives date, actor, stance, value, summary, quote,
    the source linked to its URL and the position id to cite. The y axis runs 0-100 with the
    scale's words (``low_label``, ``high_label``) at the ends; with ``show_anchors`` the
    codebook's anchors are dotted lines.

    ``actors`` default: every actor with a statement on the issue, in actors.csv order.
    A statement before ``start`` still sets the value the line starts from. Shows a message
    for actors without a statement, and instead of lines when nobody has one.
    """
    issue = ids.issue_row(neg, issue_id)
    statements = ev.evidence_frame(neg)
    return _positions_spec(
        neg,
        statements[statements["issue_id"] == issue_id],
        _gaps.combined_positions(neg, issues=[issue_id]),
        issue,
        anchors=ev.anchor_table(neg, issue_id) if show_anchors else None,
        actors=actors,
        start=start,
        end=end,
        look=_Look(width, height, template),
    ).figure()


def _positions_spec(
    neg,
    statements: pd.DataFrame,
    changes: pd.DataFrame,
    issue: pd.Series,
    *,
    anchors: pd.DataFrame | None = None,
    actors: Sequence[str] | None = None,
    start=None,
    end=None,
    look: _Look = _DEFAULT_LOOK,
) -> _FigureSpec:
    """:func:`plot_positions` as plain dicts (``.figure()`` validates it): markers from
    ``statements`` (the issue's evidence rows; a ``hover`` column, if present, is used as their
    labels), lines from ``changes`` (the issue's ``combined_positions``)."""
    start, end = _date_range(start, end)
    colors = actor_colors(neg)
    names = ids.actor_names(neg)
    if actors is None:
        present = set(statements["actor_id"])
        actors = [a for a in ids.actor_order(neg) if a in present]
    else:
        actors = ids.check_actors(neg, actors)
    last_date = neg.positions["date"].max() if end is None else end
    title = f"Positions on {_short(issue['label'], 60)}"
    spec = _FigureSpec()
    spec.layout["xaxis"] = {"type": "date", "title": {"text": "Date"}}
    spec.layout["yaxis"] = _value_axis(issue)
    finish = {"kind": "positions", "title": title, "look": look}
    if start is not None and start > last_date:
        message = "The date range is empty: it starts after it ends (or after the last statement)."
        return _finish(spec, neg, message=message, **finish)
    # the line of each actor: its combined positions, the one in force at start carried there
    lines = _gaps._changes_in_window(changes, keys=["actor_id"], start=start, end=end)
    missing = []
    drawn_stances: list[str] = []
    for actor in actors:
        window = statements[statements["actor_id"] == actor]
        if start is not None:
            window = window[window["date"] >= start]
        if end is not None:
            window = window[window["date"] <= end]
        steps = lines[lines["actor_id"] == actor].sort_values("date", kind="stable")
        if steps.empty:
            missing.append(names[actor])
            continue
        x, (value, low, high) = _step_lists(steps, ["value", "value_low", "value_high"], last_date)
        color = colors[actor]
        name = text.escape(names[actor])
        _band(spec, x, low, high, color=color, group=name)
        spec.trace(
            x=x,
            y=value,
            mode="lines",
            name=name,
            legendgroup=name,
            line={"shape": "hv", "color": color, "width": 2.5},
            showlegend=window.empty,
            hoverinfo="skip",
        )
        if not window.empty:
            hover = window["hover"] if "hover" in window else ev.hover_html(window)
            symbols = [STANCE_SYMBOLS.get(s, "circle") for s in window["stance"]]
            drawn_stances += [str(s) for s in window["stance"]]
            spec.trace(
                x=_iso(window["date"]),
                y=_floats(window["value"]),
                mode="markers",
                marker={
                    "color": color,
                    "size": 10,
                    "symbol": symbols,
                    "line": {"color": "#ffffff", "width": 1},
                },
                name=name,
                legendgroup=name,
                hovertext=hover.tolist(),
                hoverinfo="text",
            )
    if anchors is not None:
        for value, label in zip(anchors["value"], anchors["label"], strict=True):
            y = round(float(value), 2)
            spec.layout["shapes"].append(
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "yref": "y",
                    "y0": y,
                    "y1": y,
                    "line": {"color": "#bbbbbb", "width": 1, "dash": "dot"},
                    "layer": "below",
                }
            )
            spec.annotate(
                name="anchor",
                text=text.wrap(label, 40, max_lines=1),
                xref="paper",
                x=0,
                xanchor="left",
                yref="y",
                y=y,
                yanchor="bottom",
                showarrow=False,
                font={"size": 9, "color": "#888888"},
            )
    message = ""
    if not spec.data:
        in_range = " in the chosen range" if start is not None or end is not None else ""
        message = f"No statement on this issue{in_range}"
        message += f" by {', '.join(missing)}." if missing else "."
    elif missing:
        message = "No statement on this issue: " + ", ".join(missing)
    _stance_key(spec, drawn_stances)
    _show_range(spec, neg, "xaxis", start, end, last_date)
    return _finish(spec, neg, message=message, **finish)


# --- gaps over time -------------------------------------------------------------------------


def _issue_categories(neg) -> dict[str, str]:
    """Issue id -> its category (raw text), in legend order: categories in the order of their
    first issue, issues in issue order within each. One group, "Issues", when the dataset has
    no category; "Uncategorised" for the issues without one when others have one."""
    order = ids.issue_order(neg)
    given = neg.issues.set_index("issue_id")["category"] if "category" in neg.issues else None
    raw = {
        i: ("" if given is None or text.is_missing(given.get(i)) else str(given.get(i)).strip())
        for i in order
    }
    fallback = "Uncategorised" if any(raw.values()) else "Issues"
    category = {i: raw[i] or fallback for i in order}
    groups = list(dict.fromkeys(category.values()))
    return {i: category[i] for g in groups for i in order if category[i] == g}


def _issue_style(neg) -> dict[str, dict]:
    """A fixed colour, dash and category per issue, the same in every figure: colours go round
    :data:`ISSUE_COLORS` in legend order (issues grouped by category), so the issues of a
    category have distinct colours; each time the colours come round again the line dash and
    the marker symbol change too (the markers tell issues apart where no line is drawn), so
    up to 60 issues have a look of their own."""
    dashes = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
    symbols = ("circle", "diamond", "square", "triangle-up", "star", "x")
    n = len(ISSUE_COLORS)
    return {
        issue: {
            "color": ISSUE_COLORS[k % n],
            "dash": dashes[(k // n) % len(dashes)],
            "symbol": symbols[(k // n) % len(symbols)],
            "category": category,
        }
        for k, (issue, category) in enumerate(_issue_categories(neg).items())
    }


def _top_issues(gaps: pd.DataFrame, order: Sequence[str], top: int | None) -> set[str]:
    """The ``top`` issues with the most gap changes (rows with a gap) in ``gaps``, ties in
    ``order``; every issue when ``top`` is None."""
    if top is None:
        return set(order)
    counts = gaps.loc[gaps["gap"].notna(), "issue_id"].value_counts()
    ranked = sorted(order, key=lambda i: (-int(counts.get(i, 0)), order.index(i)))
    return set(ranked[: max(int(top), 0)])


def plot_gap_over_time(
    neg,
    actor_a: str | None = None,
    actor_b: str | None = None,
    *,
    issues: Iterable[str] | None = None,
    start=None,
    end=None,
    carry_forward: bool = True,
    max_age=None,
    weights=None,
    top_issues: int | None = TOP_ISSUES,
    width: int = WIDTH,
    height: int = GAP_HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """The gap between two actors over time: overall on top, per issue below.

    Top panel: the overall gap (``compute_overall_gap``: the mean over the issues where both
    hold a position, with ``weights``) as a step line with its interval band; its hover gives
    the number of issues it covers and the ids of the positions behind it. Bottom panel: one
    step line per issue (``compute_gaps``); a marker's hover gives both actors' values,
    stances, summaries, quotes, linked sources and position ids. A gap holds until either side
    restates. The issues' legend (at the right) groups them by ``issues.category``; the
    ``top_issues`` issues with the most gap changes in view are drawn, the others are listed
    there and drawn with one click (``None`` draws every issue).

    ``start``/``end`` clip the view (the gap holding at ``start`` is drawn from there);
    ``carry_forward``/``max_age`` as in ``compute_gaps``. Without carrying forward (or with
    ``max_age``) a value does not hold until the next change: the overall gap is then a point
    with its interval as error bars wherever it has a value, joined only over the days it holds,
    and the per-issue gaps are points with error bars. Shows a message instead of lines when the
    pair has no common issue in the range. The pair defaults to
    :func:`~negotiation_lib.ids.default_pair`.
    """
    actor_a, actor_b = ids.pair_or_default(neg, (actor_a, actor_b))
    issues = None if issues is None else list(issues)
    options = {"issues": issues, "carry_forward": carry_forward, "max_age": max_age}
    gaps = _gaps.compute_gaps(neg, actor_a, actor_b, **options)
    overall = _gaps.compute_overall_gap(neg, actor_a, actor_b, weights=weights, **options)
    if weights is not None or max_age is not None:  # else _gap_spec finds them from the gaps
        overall = _with_position_ids(neg, overall, actor_a, actor_b, weights=weights, **options)
    return _gap_spec(
        neg,
        gaps,
        overall,
        actor_a=actor_a,
        actor_b=actor_b,
        evidence=ev.evidence_frame(neg),
        start=start,
        end=end,
        steps=carry_forward and max_age is None,
        top_issues=top_issues,
        look=_Look(width, height, template),
    ).figure()


def _gap_spec(
    neg,
    gaps: pd.DataFrame,
    overall: pd.DataFrame,
    *,
    actor_a: str,
    actor_b: str,
    evidence: pd.DataFrame,
    snippets: Mapping[str, str] | None = None,
    start=None,
    end=None,
    steps: bool = True,
    top_issues: int | None = TOP_ISSUES,
    look: _Look = _GAP_LOOK,
) -> _FigureSpec:
    """:func:`plot_gap_over_time` as plain dicts (``.figure()`` validates it), from
    ``compute_gaps`` / ``compute_overall_gap`` frames over the whole record (``start``/``end``
    clip here).

    A ``hover`` column in ``gaps`` is used as the markers' labels (explorers precompute it),
    else :func:`evidence.gap_hover` with ``snippets`` (a cached :func:`evidence.position_snippets`
    of ``evidence``). The overall hover names the positions behind it: ``overall``'s
    ``position_ids`` column (:func:`_with_position_ids`) if given, else the ones found in
    ``gaps`` (:func:`_position_ids_from_gaps`); a ``hover`` column in ``overall`` is used as
    its labels (:func:`_overall_labels` of the clipped frames; explorers keep them).
    ``steps=False`` draws the per-issue gaps as markers with error bars only: without carrying
    forward (or with ``max_age``) a gap does not simply hold until the next change, and
    ``compute_gaps`` does not say when it ends; the overall gap as in :func:`_overall_trace`
    (its frame marks where a value ends)."""
    start, end = _date_range(start, end)
    until = end if end is not None else neg.positions["date"].max()
    title = f"Gap between {_pair_title(neg, actor_a, actor_b)}"
    spec = _FigureSpec()
    axis = {"range": [-3, 103], "title": {"text": "Gap (scale points)"}, "zeroline": False}
    spec.layout.update(
        xaxis={"type": "date", "anchor": "y", "matches": "x2", "showticklabels": False},
        xaxis2={"type": "date", "anchor": "y2", "title": {"text": "Date"}},
        yaxis={**axis, "domain": [0.62, 1.0], "anchor": "x"},
        yaxis2={**axis, "domain": [0.0, 0.53], "anchor": "x2"},
    )
    for panel, y in [("Overall gap (mean over common issues)", 1.0), ("Gap per issue", 0.53)]:
        spec.annotate(
            name="panel",
            text=panel,
            xref="paper",
            yref="paper",
            x=0.5,
            y=y,
            xanchor="center",
            yanchor="bottom",
            showarrow=False,
            font={"size": 14},
        )
    finish = {"kind": "gap", "title": title, "look": look}
    if start is not None and until is not None and start > until:
        return _finish(spec, neg, message=_EMPTY_RANGE, **finish)
    gaps = _gaps._changes_in_window(gaps, keys=["issue_id"], start=start, end=end)
    overall = _gaps._changes_in_window(overall, keys=[], start=start, end=end)
    in_range = start is not None or end is not None
    if gaps["gap"].notna().sum() == 0:
        message = _no_common_issue(neg, actor_a, actor_b, in_range=in_range)
        return _finish(spec, neg, message=message, **finish)

    if "hover" not in overall:
        overall = _overall_labels(neg, overall, gaps, carried=steps)
    top = {"xaxis": "x", "yaxis": "y"}
    _overall_trace(
        spec,
        overall,
        until,
        steps=steps,
        hover=overall["hover"].tolist(),
        color="#333333",
        name="Overall gap",
        axes=top,
    )

    bottom = {"xaxis": "x2", "yaxis": "y2", "legend": "legend2"}
    style = _issue_style(neg)
    labels = ids.issue_labels(neg)
    if "hover" not in gaps:
        gaps = gaps.assign(hover=ev.gap_hover(gaps, evidence, neg, snippets=snippets))
    # every column as a list once, then sliced per issue (60 issues: 60 small frames cost more)
    by_issue = _rows_by_key(gaps["issue_id"])
    has_gap = gaps["gap"].notna().to_numpy()
    drawn_issues = [
        i for i in style if i in by_issue and has_gap[by_issue[i]].any()
    ]  # legend order: by category
    shown = _top_issues(gaps, [i for i in ids.issue_order(neg) if i in drawn_issues], top_issues)
    dates, days, gap_values = gaps["date"], _iso(gaps["date"]), _floats(gaps["gap"])
    hovers = gaps["hover"].tolist()
    if not steps:
        above = _floats(gaps["gap_high"] - gaps["gap"])
        below = _floats(gaps["gap"] - gaps["gap_low"])
    for issue in drawn_issues:
        rows = by_issue[issue]
        issue_style = style[issue]
        x, (gap,) = _run_on(
            [days[r] for r in rows],
            [[gap_values[r] for r in rows]],
            dates.iloc[rows[-1]],
            until if steps else None,
        )
        drawn = _steps_with_markers(
            [hovers[r] for r in rows],
            len(x),
            width=2,
            color=issue_style["color"],
            dash=issue_style["dash"],
        )
        drawn["marker"]["symbol"] = issue_style["symbol"]
        if not steps:
            drawn["mode"] = "markers"
            drawn["error_y"] = {
                "type": "data",
                "symmetric": False,
                "array": [above[r] for r in rows],
                "arrayminus": [below[r] for r in rows],
                "color": issue_style["color"],
                "thickness": 1.2,
                "width": 4,
            }
        spec.trace(
            x=x,
            y=gap,
            name=text.wrap(labels[issue], 34, max_lines=2),
            legendgroup=f"category: {text.escape(issue_style['category'])}",
            legendgrouptitle={
                "text": f"<b>{text.wrap(issue_style['category'], 30, max_lines=2)}</b>"
            },
            meta={"issue_id": issue},
            visible=True if issue in shown else "legendonly",
            **drawn,
            **bottom,
        )
    if drawn_issues:
        spec.layout["legend2"] = {
            "title": {
                "text": f"Issues by category: {len(shown)} of {len(drawn_issues)} drawn<br>"
                "<i>click an issue to draw or hide it</i>",
                "font": {"size": 12},
            },
            "x": 1.02,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "top",
            "orientation": "v",
            "groupclick": "toggleitem",
            "tracegroupgap": 6,
            "font": {"size": 11},
        }
    _show_range(spec, neg, "xaxis2", start, end, until)
    # tall enough for the issues' legend to show whole: about 21 px an entry, 30 a category
    groups = len({style[i]["category"] for i in drawn_issues})
    finish["look"] = look.at_least(210 + 21 * len(drawn_issues) + 30 * groups)
    spec = _finish(spec, neg, **finish)
    spec.layout["margin"].update(l=70, r=ISSUE_LEGEND_MARGIN)
    return spec


# --- a third party against each side -------------------------------------------------------


def plot_third_party_distance(
    neg,
    third: str,
    *,
    parties: Sequence[str] | None = None,
    start=None,
    end=None,
    carry_forward: bool = True,
    max_age=None,
    weights=None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """How far a third party's positions were from each party's, over time.

    One step line per party (its colour) of ``compute_overall_gap(neg, third, party)``: the
    mean gap over the issues where both hold a position, with its interval band; the hover of
    each change gives the distance, its interval, how many issues it covers (read it: a
    distance over one issue says little) and the positions behind it. Without carrying forward
    (or with ``max_age``) each value is a point with error bars, joined only over the days it
    holds (see :func:`plot_gap_over_time`). ``start``/``end`` clip the view. Shows a message for
    a party with no issue in common with ``third``. ``parties`` default: the dataset's parties
    (:func:`~negotiation_lib.ids.parties`) other than ``third``.
    """
    if parties is None:
        parties = [p for p in ids.parties(neg) if p != third]
    third, *parties = ids.check_actors(neg, [third, *parties])
    start, end = _date_range(start, end)
    until = end if end is not None else neg.positions["date"].max()
    names = ids.actor_names(neg)
    colors = actor_colors(neg)
    title = f"Distance from {_short(names[third])} to each side"
    spec = _FigureSpec()
    spec.layout["xaxis"] = {"type": "date", "title": {"text": "Date"}}
    spec.layout["yaxis"] = {
        "range": [-3, 103],
        "title": {"text": "Overall gap (scale points)"},
        "zeroline": False,
    }
    finish = {"kind": "third_party", "title": title, "look": _Look(width, height, template)}
    if start is not None and start > until:
        message = _EMPTY_RANGE
        return _finish(spec, neg, message=message, **finish).figure()
    missing = []
    for party in parties:
        if party == third:
            continue
        overall = _gaps.compute_overall_gap(
            neg, third, party, carry_forward=carry_forward, max_age=max_age, weights=weights
        )
        overall = _gaps._changes_in_window(overall, keys=[], start=start, end=end)
        if overall["gap"].notna().sum() == 0:
            missing.append(names[party])
            continue
        overall = _with_position_ids(
            neg, overall, third, party, weights=weights, carry_forward=carry_forward,
            max_age=max_age,
        )  # fmt: skip
        name = f"to {text.escape(names[party])}"
        hover = [
            f"{text.escape(names[third])} to {text.escape(names[party])}<br>{label}"
            for label in _overall_hover(overall)
        ]
        _overall_trace(
            spec,
            overall,
            until,
            steps=carry_forward and max_age is None,
            hover=hover,
            color=colors[party],
            name=name,
        )
    message = ""
    if missing:
        message = f"No common issue between {names[third]} and {', '.join(missing)}"
        message += " in this range." if start is not None or end is not None else "."
    _show_range(spec, neg, "xaxis", start, end, until)
    return _finish(spec, neg, message=message, **finish).figure()


# --- heatmap --------------------------------------------------------------------------------


def _heatmap_dates(neg, *, freq: str = "QS", start=None, end=None) -> pd.DatetimeIndex:
    """The default heatmap columns: period starts at ``freq`` over the statements, plus the last
    statement date when it falls after the last period start."""
    first, last = _record_span(neg, start, end)
    if pd.isna(first) or pd.isna(last) or first > last:
        return pd.DatetimeIndex([])
    try:
        anchor = pd.Timestamp(first).to_period(freq.removesuffix("S")).start_time
    except ValueError:  # a frequency with no matching period (e.g. "2QS"): start at the data
        anchor = pd.Timestamp(first)
    grid = pd.date_range(anchor, last, freq=freq)
    if grid.empty or grid[-1] < last:
        grid = grid.append(pd.DatetimeIndex([last]))
    return grid


def plot_gap_heatmap(
    neg,
    actor_a: str | None = None,
    actor_b: str | None = None,
    *,
    freq: str = "QS",
    dates=None,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age=None,
    width: int = WIDTH,
    height: int = HEATMAP_HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """A heatmap of the gap between two actors: one row per issue, one column per date.

    A cell is the gap in force at its date (what ``compute_gaps`` gives for that date), blank
    where the two hold no common position. Columns are ``dates`` if given, else
    :func:`_heatmap_dates` at ``freq`` (a pandas offset, default quarterly ``"QS"``). Cell hover:
    both positions with stance, summary, quote and source. Shows a message when the pair has
    no common issue. The pair defaults to :func:`~negotiation_lib.ids.default_pair`.
    """
    actor_a, actor_b = ids.pair_or_default(neg, (actor_a, actor_b))
    issues = None if issues is None else list(issues)
    grid = _heatmap_dates(neg, freq=freq) if dates is None else _gaps._timestamps(dates, "dates")
    cells = _gaps._gaps_at(
        neg, actor_a, actor_b, grid, issues=issues, carry_forward=carry_forward, max_age=max_age
    )
    title = f"Gap by issue and time between {_pair_title(neg, actor_a, actor_b)}"
    spec = _FigureSpec()
    finish = {"kind": "heatmap", "title": title, "look": _Look(width, height, template)}
    if cells.empty or cells["gap"].notna().sum() == 0:
        return _finish(
            spec, neg, message=_no_common_issue(neg, actor_a, actor_b, in_range=False), **finish
        ).figure()
    cells = cells.round({"gap": 2, "gap_low": 2, "gap_high": 2, "value_a": 2, "value_b": 2})
    cells = cells.assign(hover=ev.gap_hover(cells, ev.evidence_frame(neg), neg))
    present = set(cells.loc[cells["gap"].notna(), "issue_id"])
    order = [i for i in ids.issue_order(neg) if i in present]
    labels = ids.issue_labels(neg)
    z = cells.pivot(index="issue_id", columns="date", values="gap").reindex(
        index=order, columns=grid
    )
    labels_grid = cells.pivot(index="issue_id", columns="date", values="hover")
    labels_grid = labels_grid.reindex(index=order, columns=grid)
    hover = [
        [
            label if isinstance(label, str) and not pd.isna(gap) else "No common position"
            for label, gap in zip(labels_row, gap_row, strict=True)
        ]
        for labels_row, gap_row in zip(labels_grid.to_numpy(), z.to_numpy(), strict=True)
    ]
    spec.trace(
        type="heatmap",
        z=[_floats(row) for row in z.to_numpy()],
        x=_iso(grid),
        y=list(_row_labels(labels, order).values()),
        zmin=0,
        zmax=100,
        colorscale="YlOrRd",
        colorbar={"title": {"text": "Gap"}},
        hovertext=hover,
        hoverinfo="text",
        texttemplate="%{z:.0f}",
        xgap=1,
        ygap=1,
    )
    spec.layout["yaxis"] = {"autorange": "reversed", "type": "category"}
    spec.layout["xaxis"] = {"type": "category", "title": {"text": "As of"}, "tickangle": -45}
    return _finish(spec, neg, **finish).figure()


# --- snapshot -------------------------------------------------------------------------------


def plot_snapshot(
    neg,
    date,
    *,
    actors: Sequence[str] | None = None,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age=None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """Where each actor stood on every issue at ``date`` (a dumbbell chart).

    One row per issue (issue order) on which at least one of ``actors`` holds a position as of
    ``date`` (``positions_asof``): a marker per actor at its value with its range as error bar.
    The first two actors are the pair: a grey bar joins their positions and their gap is
    written at the right of the row; further actors (third parties) are markers only, so one
    sees where they stand against the pair's bar. Hover on a marker: the statement in force
    (date, stance, summary, quote, source). Shows a message when an actor (or every actor)
    holds no position then. ``actors`` default: the parties, then the mediators.
    """
    actors = ids.default_actors(neg) if actors is None else ids.check_actors(neg, actors)
    date = _gaps._timestamp(date, "date")
    held = _gaps.positions_asof(
        neg,
        date,
        carry_forward=carry_forward,
        max_age=max_age,
        actors=actors,
        issues=None if issues is None else list(issues),
    )
    return _snapshot_spec(
        neg,
        held,
        ev.evidence_frame(neg),
        date=date,
        actors=actors,
        look=_Look(width, height, template),
    ).figure()


def _snapshot_spec(
    neg,
    held: pd.DataFrame,
    evidence: pd.DataFrame,
    *,
    date,
    actors: Sequence[str],
    look: _Look = _DEFAULT_LOOK,
) -> _FigureSpec:
    """:func:`plot_snapshot` as plain dicts, from a ``positions_asof`` frame (see there)."""
    names = ids.actor_names(neg)
    colors = actor_colors(neg)
    labels = ids.issue_labels(neg)
    who = ", ".join(_short(names[a]) for a in actors)
    title = f"Positions as of {text.format_date(date)}: {who}"
    spec = _spec_with_value_axis()
    held = held[held["actor_id"].isin(actors)]
    order = [i for i in ids.issue_order(neg) if i in set(held["issue_id"])]
    finish = {"kind": "snapshot", "title": title}
    if not order:
        message = f"None of {', '.join(names[a] for a in actors)} holds a position"
        message += f" as of {text.format_date(date)}."
        return _finish(spec, neg, message=message, look=look, **finish)
    rows = _row_labels(labels, order)
    pair = list(actors[:2])
    bar_x, bar_y = [], []
    for issue in order:
        here = held[held["issue_id"] == issue]
        values = here.loc[here["actor_id"].isin(pair), "value"].round(2)
        if len(values) == 2:
            bar_x += [float(values.min()), float(values.max()), None]
            bar_y += [rows[issue], rows[issue], None]
            spec.annotate(
                name="gap",
                text=f"gap {text.format_number(values.max() - values.min())}",
                x=1.0,
                xref="paper",
                xanchor="left",
                xshift=6,
                y=rows[issue],
                yref="y",
                showarrow=False,
                font={"size": 11, "color": "#555555"},
            )
    spec.trace(
        x=bar_x,
        y=bar_y,
        mode="lines",
        line={"color": "#cccccc", "width": 6},
        hoverinfo="skip",
        showlegend=False,
        name="between",
    )
    by_id = evidence.drop_duplicates("position_id").set_index("position_id", drop=False)
    for actor in actors:
        own = held[held["actor_id"] == actor]
        if own.empty:
            continue
        own = own.set_index("issue_id").reindex([i for i in order if i in set(own["issue_id"])])
        statements = by_id.reindex(own["position_id"].astype(str)).reset_index(drop=True)
        spec.trace(
            x=_floats(own["value"]),
            y=[rows[i] for i in own.index],
            mode="markers",
            name=text.escape(names[actor]),
            marker={"color": colors[actor], "size": 13, "line": {"color": "#ffffff", "width": 1}},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": _floats(own["value_high"] - own["value"]),
                "arrayminus": _floats(own["value"] - own["value_low"]),
                "color": colors[actor],
                "thickness": 1.5,
                "width": 4,
            },
            hovertext=ev.hover_html(statements).tolist(),
            hoverinfo="text",
        )
    spec.layout["yaxis"] = _rows_top_down([rows[i] for i in order])
    missing = [names[a] for a in actors if a not in set(held["actor_id"])]
    message = ("No position as of this date: " + ", ".join(missing)) if missing else ""
    return _finish(spec, neg, message=message, look=look.at_least(120 + 28 * len(order)), **finish)


# --- movement -------------------------------------------------------------------------------


def _movement_frame(
    neg,
    *,
    actors: Sequence[str],
    start=None,
    end=None,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age=None,
) -> pd.DataFrame:
    """How far each actor moved on each issue between two dates, and toward whom.

    Built on ``compute_movement`` (its ``movement`` column) with the other ``actors`` as
    references (their positions at ``start``). One row per (actor, issue) where the actor holds
    a position at both dates: ``actor_id``, ``issue_id``, ``start``, ``end``, ``value_start``,
    ``value_end``, ``change`` (rounded to 2 decimals), ``toward`` (the other actors the move
    was a concession to: ``toward`` or ``overshoot``, ``;``-joined in the given order; "" for
    none), ``overshoot`` (those of them whose position it passed), ``away`` (the others it moved
    away from). Sorted by actor (given order) then issue order. ``start``/``end`` default to the
    first and last statement dates in the dataset.
    """
    actors = ids.check_actors(neg, actors)
    start, end = _record_span(neg, start, end)
    columns = [
        "actor_id",
        "issue_id",
        "start",
        "end",
        "value_start",
        "value_end",
        "change",
        "toward",
        "overshoot",
        "away",
    ]
    parts = []
    for actor in actors:
        others = [a for a in actors if a != actor]
        moves = _gaps.compute_movement(
            neg,
            actor,
            start=start,
            end=end,
            issues=None if issues is None else list(issues),
            others=others or None,
            carry_forward=carry_forward,
            max_age=max_age,
        )
        moves = moves.dropna(subset=["value_start", "value_end"])
        if moves.empty:
            continue
        movement = moves["movement"]
        moves = moves.assign(
            _toward=moves["other_actor"].where(moves["toward"].fillna(False).astype(bool)),
            _overshoot=moves["other_actor"].where(movement == "overshoot"),
            _away=moves["other_actor"].where(movement == "away"),
        )

        def joined(ids):
            return ";".join(sorted(ids.dropna(), key=actors.index))

        summary = moves.groupby("issue_id", sort=False).agg(
            start=("start", "first"),
            end=("end", "first"),
            value_start=("value_start", "first"),
            value_end=("value_end", "first"),
            change=("change", "first"),
            toward=("_toward", joined),
            overshoot=("_overshoot", joined),
            away=("_away", joined),
        )
        parts.append(summary.reset_index().assign(actor_id=actor))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    out = pd.concat(parts, ignore_index=True)
    rank = {i: n for n, i in enumerate(ids.issue_order(neg))}
    out = out.assign(_a=out["actor_id"].map(actors.index), _i=out["issue_id"].map(rank))
    out = out.sort_values(["_a", "_i"], kind="stable")[columns].reset_index(drop=True)
    return out.round({"value_start": 2, "value_end": 2, "change": 2})


def plot_movement(
    neg,
    *,
    actors: Sequence[str] | None = None,
    start=None,
    end=None,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age=None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """Movement between two dates: per issue, an arrow per actor from its start to its end value.

    Rows are issues (issue order), one lane per actor; a hollow marker at the start value, a
    triangle at the end value pointing the way it moved, joined by a line (a key at the right
    says which marker is which). Hover on the end
    marker: the move (from, to, change), toward and away from whom it went (relative to the
    other actors' positions at ``start``), and the statement in force at ``end`` (date, stance,
    summary, quote, source); on the start marker, the statement in force at ``start``.
    "Toward", "overshoot" and "away" are ``compute_movement``'s ``movement`` (see
    :mod:`negotiation_lib.gaps`). ``actors`` default: the parties, then the mediators.
    """
    actors = ids.default_actors(neg) if actors is None else ids.check_actors(neg, actors)
    first, last = _record_span(neg, start, end)
    names = ids.actor_names(neg)
    title = f"Movement from {text.format_date(first)} to {text.format_date(last)}"
    spec = _spec_with_value_axis()
    look = _Look(width, height, template)
    finish = {"kind": "movement", "title": title}
    if first > last:
        return _finish(
            spec,
            neg,
            message=_EMPTY_RANGE,
            look=look,
            **finish,
        ).figure()
    frame = _movement_frame(
        neg,
        actors=actors,
        start=first,
        end=last,
        issues=issues,
        carry_forward=carry_forward,
        max_age=max_age,
    )
    if frame.empty:
        message = f"None of {', '.join(names[a] for a in actors)} holds a position on an issue"
        return _finish(spec, neg, message=message + " at both dates.", look=look, **finish).figure()
    colors = actor_colors(neg)
    labels = ids.issue_labels(neg)
    order = [i for i in ids.issue_order(neg) if i in set(frame["issue_id"])]

    def in_force(day) -> dict:
        held = _gaps.positions_asof(
            neg, day, carry_forward=carry_forward, max_age=max_age, actors=actors
        )
        keys = zip(held["actor_id"], held["issue_id"], strict=True)
        return dict(zip(keys, held["position_id"].astype(str), strict=True))

    start_ids, end_ids = in_force(first), in_force(last)
    evidence = ev.evidence_frame(neg)
    by_id = evidence.drop_duplicates("position_id").set_index("position_id", drop=False)
    spread = 0.6 / len(actors)
    row_of = {issue: n for n, issue in enumerate(order)}

    def who(ids):
        return ", ".join(text.escape(names[a]) for a in ids.split(";")) if ids else "nobody"

    end_symbols: set[str] = set()
    for lane, actor in enumerate(actors):
        own = frame[frame["actor_id"] == actor]
        if own.empty:
            continue
        offset = round((lane - (len(actors) - 1) / 2) * spread, 3)
        y = [row_of[i] + offset for i in own["issue_id"]]
        name = text.escape(names[actor])
        line_x, line_y = [], []
        for x0, x1, yy in zip(own["value_start"], own["value_end"], y, strict=True):
            line_x += [float(x0), float(x1), None]
            line_y += [yy, yy, None]
        spec.trace(
            x=line_x,
            y=line_y,
            mode="lines",
            line={"color": colors[actor], "width": 2},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=name,
            name=name,
        )
        start_hover = []
        for issue in own["issue_id"]:
            pid = start_ids.get((actor, issue))
            label = f"<b>{name} at the start</b>"
            if pid is not None and pid in by_id.index:
                statement = ev.hover_html(by_id.loc[[pid]].reset_index(drop=True)).iloc[0]
                label += f"<br>{statement}"
            start_hover.append(label)
        markers = {"y": y, "mode": "markers", "name": name, "legendgroup": name}
        start_marker = {"symbol": "circle-open", "size": 9, "color": colors[actor]}
        spec.trace(
            x=_floats(own["value_start"]),
            **markers,
            showlegend=False,
            hovertext=start_hover,
            hoverinfo="text",
            marker=start_marker,
        )
        hover = []
        for row in own.itertuples(index=False):
            lines = [
                f"<b>{name} on {text.wrap(labels[row.issue_id], 60, max_lines=1)}</b>",
                f"{text.format_number(row.value_start)} → {text.format_number(row.value_end)}"
                f" (change {text.format_number(row.change)})",
                f"Toward: {who(row.toward)}"
                + (f" (past the position of {who(row.overshoot)})" if row.overshoot else ""),
                f"Away from: {who(row.away)}",
            ]
            pid = end_ids.get((actor, row.issue_id))
            first = start_ids.get((actor, row.issue_id))
            if first is not None and pid is not None:
                lines.append(f"Cite: position {text.escape(first)} → {text.escape(pid)}")
            if pid is not None and pid in by_id.index:
                lines.append("<i>Position in force at the end:</i>")
                lines.append(ev.hover_html(by_id.loc[[pid]].reset_index(drop=True)).iloc[0])
            hover.append("<br>".join(lines))
        symbols = [
            "triangle-right" if c > 0 else "triangle-left" if c < 0 else "circle"
            for c in own["change"]
        ]
        end_symbols.update(symbols)
        spec.trace(
            x=_floats(own["value_end"]),
            **markers,
            hovertext=hover,
            hoverinfo="text",
            marker={**start_marker, "symbol": symbols, "size": 12},
        )
    spec.layout["yaxis"] = {
        "tickvals": list(range(len(order))),
        "ticktext": list(_row_labels(labels, order).values()),
        "range": [len(order) - 0.5, -0.5],
        "zeroline": False,
        "showgrid": False,
    }
    ends = [
        ("triangle-right", "end: moved up the scale"),
        ("triangle-left", "end: moved down the scale"),
        ("circle", "end: did not move"),
    ]
    _key(spec, "Marker", [("circle-open", "start"), *[e for e in ends if e[0] in end_symbols]])
    missing = [names[a] for a in actors if a not in set(frame["actor_id"])]
    message = ("No position at both dates: " + ", ".join(missing)) if missing else ""
    return _finish(
        spec, neg, message=message, look=look.at_least(120 + 34 * len(order)), **finish
    ).figure()


# --- bargaining models: forecasts against agreed outcomes -----------------------------------

__all__ += [  # appended: the model figures live at the end of this module
    "MODEL_COLORS",
    "_whatif_spec",
    "plot_forecast_sensitivity",
    "plot_forecast_vs_outcome",
    "plot_forecasts_over_time",
    "plot_whatif",
    "whatif_default_date",
]

#: One colour, marker and dash per model (fixed, so stored figures do not depend on the
#: template; colours apart from the actors' Okabe-Ito fallback palette).
MODEL_COLORS = {"compromise": "#7B3294", "weighted_median": "#A6611A", "midpoint": "#404040"}
MODEL_DASHES = {"compromise": "dash", "weighted_median": "dot", "midpoint": "dashdot"}
MODEL_SYMBOLS = {"compromise": "diamond-open", "weighted_median": "square-open", "midpoint": "x"}
OUTCOME_COLOR = "#000000"


def _model_label(model: str, pair=None) -> str:
    from .models import MODEL_LABELS

    label = MODEL_LABELS.get(model, model)
    if model == "midpoint" and pair is not None:
        label = f"Midpoint of {pair[0]} and {pair[1]}"
    return text.escape(label)


def _signed(value) -> str:
    if text.is_missing(value):
        return ""
    shown = text.format_number(value)
    return shown if shown.startswith("-") or shown == "0" else "+" + shown


def _forecast_hover(row, *, label: str) -> str:
    """Escaped hover of one forecast row (model, value, who counted, capability)."""
    lines = [f"<b>{label}</b>", f"Forecast: {text.format_number(row.forecast) or 'none'}"]
    if hasattr(row, "outcome") and not text.is_missing(row.outcome):
        lines.append(f"Agreed: {text.format_number(row.outcome)}")
        lines.append(f"Error (forecast − agreed): {_signed(row.error)}")
    lines.append(f"Actors counted: {row.n_actors} ({text.escape(row.actors.replace(';', ', '))})")
    if row.capability:
        lines.append(f"Capability used: {text.wrap(row.capability, 60, max_lines=2)}")
    return "<br>".join(lines)


def _unique_rows(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def plot_forecast_vs_outcome(
    neg,
    *,
    backtest: pd.DataFrame | None = None,
    models=None,
    capability=None,
    pair=None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """Each model's forecast against every agreed outcome (a dot chart with the errors).

    One row per agreed outcome (``backtest`` from :func:`negotiation_lib.backtest`, computed
    with ``models``/``capability``/``pair`` when not given), in date order: a black diamond at
    the agreed value, whose hover carries the agreed text's summary, quote and source; a marker
    per model at its forecast, labelled with its error (forecast − agreed) and joined to the
    outcome by a line. The x axis is each issue's own 0-100 scale. Shows a message when the
    dataset has no agreed outcome.
    """
    from . import models as _models

    the_pair = ids.pair_or_default(neg, pair)
    bt = (
        _models.backtest(neg, models=models, capability=capability, pair=pair)
        if backtest is None
        else backtest
    )
    spec = _spec_with_value_axis()
    look = _Look(width, height, template)
    finish = {"kind": "forecast_vs_outcome", "title": "Model forecasts against the agreed outcomes"}
    if bt.empty:
        message = (
            "No agreed outcome to score: none of the positions is a joint actor's "
            "with stance agreement."
        )
        return _finish(spec, neg, message=message, look=look, **finish).figure()
    labels = ids.issue_labels(neg)
    outcomes = bt.drop_duplicates("position_id")
    row_of = dict(
        zip(
            outcomes["position_id"],
            _unique_rows(
                [
                    f"{text.format_date(d)} · {text.wrap(labels[i], 30, max_lines=1)}"
                    for d, i in zip(outcomes["date"], outcomes["issue_id"], strict=True)
                ]
            ),
            strict=True,
        )
    )
    evidence = ev.evidence_frame(neg).drop_duplicates("position_id")
    statements = evidence.set_index("position_id", drop=False).reindex(outcomes["position_id"])
    hover = ev.hover_html(statements.reset_index(drop=True)).tolist()
    for model in [m for m in _models.MODELS if m in set(bt["model"])]:
        rows = bt[(bt["model"] == model) & bt["forecast"].notna()]
        if rows.empty:
            continue
        label = _model_label(model, the_pair)
        line_x, line_y = [], []
        pairs = zip(rows["outcome"], rows["forecast"], rows["position_id"], strict=True)
        for outcome, fc, pid in pairs:
            line_x += [round(float(outcome), 2), round(float(fc), 2), None]
            line_y += [row_of[pid], row_of[pid], None]
        color = MODEL_COLORS.get(model, "#444444")
        spec.trace(
            x=line_x,
            y=line_y,
            mode="lines",
            line={"color": color, "width": 1.5},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=model,
            name=f"{label} error",
        )
        spec.trace(
            x=_floats(rows["forecast"]),
            y=[row_of[p] for p in rows["position_id"]],
            mode="markers+text",
            text=[_signed(e) for e in rows["error"]],
            textposition="top center",
            textfont={"size": 10, "color": color},
            marker={"color": color, "size": 12, "symbol": MODEL_SYMBOLS.get(model, "circle")},
            name=label,
            legendgroup=model,
            hovertext=[_forecast_hover(r, label=label) for r in rows.itertuples()],
            hoverinfo="text",
        )
    spec.trace(
        x=_floats(outcomes["outcome"]),
        y=[row_of[p] for p in outcomes["position_id"]],
        mode="markers",
        marker={"color": OUTCOME_COLOR, "size": 13, "symbol": "diamond"},
        name="Agreed outcome",
        hovertext=hover,
        hoverinfo="text",
    )
    order = list(row_of.values())
    spec.layout["yaxis"] = _rows_top_down(order)
    missing = sorted(set(bt.loc[bt["forecast"].isna(), "model"]), key=_models.MODELS.index)
    message = ""
    if missing:
        names = ", ".join(html.unescape(_model_label(m, the_pair)) for m in missing)
        message = f"No forecast for some outcomes (nothing to go on the day before): {names}"
    return _finish(
        spec, neg, message=message, look=look.at_least(160 + 44 * len(order)), **finish
    ).figure()


def plot_forecasts_over_time(
    neg,
    issue_id: str,
    *,
    models=None,
    capability=None,
    pair=None,
    actors: Sequence[str] | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """The models' forecasts on one issue over time, drawn over the positions.

    The positions are :func:`plot_positions` of the issue (every actor with a statement,
    agreed texts included, with hover evidence); each model's forecast
    (:func:`negotiation_lib.forecast_over_time`: non-joint actors, or ``actors``) is a dashed
    step line that changes whenever a counted position does, with a hover naming the actors
    and capability behind it.
    """
    from . import models as _models

    issue = ids.issue_row(neg, issue_id)
    the_pair = ids.pair_or_default(neg, pair)
    over_time = _models.forecast_over_time(
        neg, issue_id, models=models, capability=capability, pair=the_pair, actors=actors
    )
    evidence = ev.evidence_frame(neg)
    spec = _positions_spec(
        neg,
        evidence[evidence["issue_id"] == issue_id],
        _gaps.combined_positions(neg, issues=[issue_id]),
        issue,
        look=_Look(width, height, template),
    )
    last = neg.positions["date"].max()
    for model in _models.MODELS:
        rows = over_time[over_time["model"] == model]
        if rows.empty:
            continue
        label = _model_label(model, the_pair)
        x, (y,) = _step_lists(rows, ["forecast"], last)
        hover = [
            f"{text.format_date(d)}<br>{_forecast_hover(r, label=label)}"
            for d, r in zip(rows["date"], rows.itertuples(), strict=True)
        ]
        color = MODEL_COLORS.get(model, "#444444")
        spec.trace(
            x=x,
            y=y,
            name=f"Forecast: {label}",
            legendgroup=f"model-{model}",
            **_steps_with_markers(
                hover, len(x), width=2, color=color, dash=MODEL_DASHES.get(model, "dash")
            ),
        )
    spec.layout["title"]["text"] = f"Forecasts and positions on {_short(issue['label'], 60)}"
    spec.layout["meta"]["figure"] = "forecasts_over_time"
    return spec.figure()


def plot_forecast_sensitivity(
    neg,
    date,
    *,
    capability=None,
    salience=None,
    method: str = "random",
    n_draws: int = 200,
    steps: int = 3,
    seed: int = 0,
    models=("compromise", "weighted_median"),
    issues=None,
    pair=None,
    sensitivity: pd.DataFrame | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """The spread of each issue's forecast when capability and salience vary (box plots).

    One row per issue (issue order), one box per model over the draws of
    :func:`negotiation_lib.forecast_sensitivity` (given as ``sensitivity`` or computed from
    the ranges ``capability``/``salience`` and the other options), and a marker at the
    forecast with the coded assumptions. The default models leave out ``midpoint``, which
    has no weights to vary.
    """
    from . import models as _models

    if sensitivity is None:
        sensitivity = _models.forecast_sensitivity(
            neg,
            date,
            capability=capability,
            salience=salience,
            method=method,
            n_draws=n_draws,
            steps=steps,
            seed=seed,
            models=models,
            issues=issues,
            pair=pair,
        )
    chosen = [m for m in _models.MODELS if m in set(sensitivity["model"])]
    coded = _models.forecast(neg, date, models=chosen, issues=issues, pair=pair)
    labels = ids.issue_labels(neg)
    order = [i for i in ids.issue_order(neg) if i in set(sensitivity["issue_id"])]
    rows = _row_labels(labels, order)
    varied = [c for c in sensitivity.columns if c.startswith(("capability[", "salience["))]
    n = int(sensitivity["draw"].nunique()) if len(sensitivity) else 0
    spec = _spec_with_value_axis()
    title = (
        f"How the forecasts as of {text.format_date(date)} move over {n} draws of "
        f"{text.escape(', '.join(varied)) or 'the assumptions'}"
    )
    finish = {"kind": "forecast_sensitivity", "title": title}
    for model in chosen:
        own = sensitivity[(sensitivity["model"] == model) & sensitivity["forecast"].notna()]
        label = _model_label(model)
        color = MODEL_COLORS.get(model, "#444444")
        spec.trace(
            type="box",
            orientation="h",
            x=_floats(own["forecast"]),
            y=[rows[i] for i in own["issue_id"]],
            name=label,
            legendgroup=model,
            marker={"color": color, "size": 3},
            line={"color": color, "width": 1.5},
            boxpoints="outliers",
            hoverinfo="x",
        )
        fixed = coded[(coded["model"] == model) & coded["forecast"].notna()]
        fixed = fixed[fixed["issue_id"].isin(rows)]
        spec.trace(
            x=_floats(fixed["forecast"]),
            y=[rows[i] for i in fixed["issue_id"]],
            mode="markers",
            marker={"color": color, "size": 10, "symbol": "line-ns-open", "line": {"width": 3}},
            name=f"{label}, as coded",
            legendgroup=model,
            hovertext=[_forecast_hover(r, label=f"{label}, as coded") for r in fixed.itertuples()],
            hoverinfo="text",
        )
    spec.layout["boxmode"] = "group"
    spec.layout["yaxis"] = _rows_top_down([rows[i] for i in order])
    message = "" if order else "No issue has a forecast at this date."
    return _finish(
        spec,
        neg,
        message=message,
        look=_Look(width, height, template).at_least(140 + 40 * len(order)),
        **finish,
    ).figure()


def plot_whatif(
    neg,
    *,
    date=None,
    model: str = "compromise",
    capability=None,
    pair=None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """One model's forecast per issue next to the positions it came from and the agreed outcome.

    ``date`` default: the latest agreed outcome's date (else the day after the last
    statement). The forecast uses the positions in force the day before ``date``
    (:func:`negotiation_lib.models.forecast_and_outcomes`); the outcome shown on an issue is
    its latest agreed text up to ``date``. The default view of
    :func:`negotiation_lib.widgets.whatif_explorer`.
    """
    from . import models as _models

    day = whatif_default_date(neg) if date is None else _gaps._timestamp(date, "date")
    table = _models.forecast_and_outcomes(neg, day, model=model, capability=capability, pair=pair)
    held = _gaps.positions_asof(
        neg, day - pd.Timedelta(days=1), actors=_models.non_joint_actors(neg)
    )
    return _whatif_spec(
        neg,
        table,
        held,
        ev.evidence_frame(neg),
        date=day,
        pair=ids.pair_or_default(neg, pair),
        look=_Look(width, height, template),
    ).figure()


def whatif_default_date(neg) -> pd.Timestamp:
    """The latest agreed outcome's date, else the day after the last statement."""
    from . import models as _models

    outcomes = _models.agreed_outcomes(neg)
    if len(outcomes):
        return pd.Timestamp(outcomes["date"].max())
    return pd.Timestamp(neg.positions["date"].max()) + pd.Timedelta(days=1)


def _whatif_spec(
    neg,
    table: pd.DataFrame,
    held: pd.DataFrame,
    evidence: pd.DataFrame,
    *,
    date,
    pair=None,
    look: _Look = _DEFAULT_LOOK,
) -> _FigureSpec:
    """:func:`plot_whatif` as plain dicts, from a ``forecast_and_outcomes`` frame (``table``),
    the ``positions_asof`` frame of the day before (``held``) and an evidence frame."""
    names = ids.actor_names(neg)
    colors = actor_colors(neg)
    labels = ids.issue_labels(neg)
    model = str(table["model"].iloc[0]) if len(table) else "compromise"
    label = _model_label(model, pair)
    order = list(table["issue_id"])
    rows = _row_labels(labels, order)
    spec = _spec_with_value_axis()
    title = (
        f"{label}: forecast from the positions of {text.format_date(date - pd.Timedelta(days=1))}"
        ", and the agreed outcome"
    )
    finish = {"kind": "whatif", "title": title}
    if not order:
        message = f"No position and no agreed outcome before {text.format_date(date)}."
        return _finish(spec, neg, message=message, look=look, **finish)
    by_id = evidence.drop_duplicates("position_id").set_index("position_id", drop=False)
    held = held[held["issue_id"].isin(rows)]
    for actor in ids.actor_order(neg):
        own = held[held["actor_id"] == actor]
        if own.empty:
            continue
        statements = by_id.reindex(own["position_id"].astype(str)).reset_index(drop=True)
        spec.trace(
            x=_floats(own["value"]),
            y=[rows[i] for i in own["issue_id"]],
            mode="markers",
            name=text.escape(names[actor]),
            legendgroup=f"actor-{actor}",
            marker={"color": colors[actor], "size": 9, "opacity": 0.8},
            hovertext=ev.hover_html(statements).tolist(),
            hoverinfo="text",
        )
    fc = table[table["forecast"].notna()]
    color = MODEL_COLORS.get(model, "#444444")
    spec.trace(
        x=_floats(fc["forecast"]),
        y=[rows[i] for i in fc["issue_id"]],
        mode="markers",
        name=f"Forecast: {label}",
        marker={
            "color": color,
            "size": 15,
            "symbol": MODEL_SYMBOLS.get(model, "circle"),
            "line": {"width": 3, "color": color},
        },
        hovertext=[_forecast_hover(r, label=label) for r in fc.itertuples()],
        hoverinfo="text",
    )
    agreed = table[table["outcome"].notna()]
    if len(agreed):
        statements = by_id.reindex(agreed["outcome_position_id"]).reset_index(drop=True)
        spec.trace(
            x=_floats(agreed["outcome"]),
            y=[rows[i] for i in agreed["issue_id"]],
            mode="markers",
            name="Agreed outcome",
            marker={"color": OUTCOME_COLOR, "size": 13, "symbol": "diamond"},
            hovertext=ev.hover_html(statements).tolist(),
            hoverinfo="text",
        )
    spec.layout["yaxis"] = _rows_top_down([rows[i] for i in order])
    return _finish(spec, neg, look=look.at_least(140 + 30 * len(order)), **finish)
