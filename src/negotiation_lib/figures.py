"""Plotly figures of a negotiation: positions, gaps, heatmap, snapshot, movement.

Every ``plot_*`` function takes the Negotiation first (everything else keyword-only) and returns
a ``plotly.graph_objects.Figure``; none displays it or touches global plotly settings. Each
figure:

- carries its provenance as an annotation named ``"provenance"`` ("Data: <id> v<version>") and
  in ``layout.meta`` (``dataset_id``, ``dataset_version``, ``figure``);
- has an explicit width, height and template, rounded values and a stable trace order (actors
  in actors.csv order, issues by ``issues.order``), so stored notebook outputs compare equal;
- shows every text from the data HTML-escaped (plotly renders labels as HTML); hover labels
  of statements give date, actor, stance, summary, quote and source (publisher, title);
- shows an annotation named ``"message"`` instead of raising when there is nothing to draw
  (an actor with no positions, an empty date range, a pair with no common issue).

The figure builders that take precomputed frames (``gap_figure``, ...) are what the explorers
in :mod:`negotiation_lib.widgets` call on each control change.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import gaps as _gaps
from . import views

__all__ = [
    "figure_message",
    "plot_positions",
    "positions_figure",
]

WIDTH = 900
HEIGHT = 520
TEMPLATE = "plotly_white"
BAND_OPACITY = 0.18


# --- shared pieces --------------------------------------------------------------------------


def _rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _short(text, width: int = 36) -> str:
    """Escaped text cut to one line of ``width`` characters (for titles built from data)."""
    return views.wrap(text, width, max_lines=1)


def _iso(dates) -> list[str]:
    return [views.format_date(d) for d in dates]


def _finish(fig, neg, *, kind, title, width, height, template, message=""):
    """Title, size, template, provenance and (optionally) an edge-case message."""
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        width=width,
        height=height,
        template=template,
        margin={"l": 170, "r": 70, "t": 90, "b": 60},
        hoverlabel={"align": "left", "font": {"size": 12}},
        legend={"orientation": "h", "x": 0, "y": -0.12, "xanchor": "left", "yanchor": "top"},
        meta={"dataset_id": str(neg.id), "dataset_version": str(neg.version), "figure": kind},
    )
    fig.add_annotation(
        name="provenance",
        text=views.dataset_label(neg),
        xref="paper",
        yref="paper",
        x=1,
        y=1.0,
        xanchor="right",
        yanchor="bottom",
        yshift=28,
        showarrow=False,
        font={"size": 11, "color": "#666666"},
    )
    if message:
        fig.add_annotation(
            name="message",
            text=views.escape(message),
            xref="paper",
            yref="paper",
            # centred over an empty plot, else a note at the top that leaves the data visible
            x=0.5 if not fig.data else 0.0,
            y=0.5 if not fig.data else 1.0,
            xanchor="center" if not fig.data else "left",
            yanchor="middle" if not fig.data else "bottom",
            showarrow=False,
            font={"size": 15 if not fig.data else 12, "color": "#444444"},
            bgcolor="rgba(255,255,255,0.85)",
        )
    return fig


def figure_message(fig) -> str:
    """The edge-case message a figure shows, as plain (unescaped) text, or ``""``."""
    for annotation in fig.layout.annotations:
        if annotation.name == "message":
            return html.unescape(annotation.text)
    return ""


def _date_range(start, end):
    start = None if start is None else pd.Timestamp(start)
    end = None if end is None else pd.Timestamp(end)
    return start, end


def _step_xy(steps: pd.DataFrame, column: str):
    return _iso(steps["date"]), steps[column].tolist()


def _band_traces(x, low, high, *, color, group, xaxis=None, yaxis=None):
    """Two traces whose fill between them is an uncertainty band (drawn as steps)."""
    common = {
        "x": x,
        "mode": "lines",
        "line": {"width": 0, "shape": "hv", "color": color},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": group,
    }
    if xaxis:
        common |= {"xaxis": xaxis, "yaxis": yaxis}
    return [
        go.Scatter(y=low, name=f"{group} low", **common),
        go.Scatter(
            y=high,
            name=f"{group} high",
            fill="tonexty",
            fillcolor=_rgba(color, BAND_OPACITY),
            **common,
        ),
    ]


def _axes_0_100(fig, issue, *, axis="y", title="Position (0–100 scale)"):
    """Date x axis; 0-100 value axis with the scale's words at the ends."""
    low = views.wrap(issue["low_label"], 20, max_lines=3)
    high = views.wrap(issue["high_label"], 20, max_lines=3)
    value_axis = {
        "range": [-5, 105],
        "tickvals": [0, 50, 100],
        "ticktext": [low, "50", high],
        "title_text": title,
        "zeroline": False,
    }
    date_axis = {"type": "date", "title_text": "Date"}
    if axis == "y":
        fig.update_yaxes(**value_axis)
        fig.update_xaxes(**date_axis)
    else:
        fig.update_xaxes(**value_axis)


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
    ``end`` (default: the last statement date in the dataset). One marker per statement (its
    symbol follows the stance); its hover gives date, actor, stance, value, summary, quote and
    source. The y axis runs 0-100 with the scale's words (``low_label``, ``high_label``) at the
    ends; with ``show_anchors`` the codebook's anchors are faint horizontal lines.

    ``actors`` default: every actor with a statement on the issue, in actors.csv order.
    Statements before ``start`` still set the value the line starts from. Returns a Figure;
    when no actor has a statement in view it shows a message instead.
    """
    issue = views.issue_row(neg, issue_id)
    evidence = views.evidence_frame(neg)
    return positions_figure(
        neg,
        evidence[evidence["issue_id"] == issue_id],
        issue,
        anchors=views.anchor_table(neg, issue_id) if show_anchors else None,
        actors=actors,
        start=start,
        end=end,
        width=width,
        height=height,
        template=template,
    )


def positions_figure(
    neg,
    statements: pd.DataFrame,
    issue: pd.Series,
    *,
    anchors: pd.DataFrame | None = None,
    actors: Sequence[str] | None = None,
    start=None,
    end=None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """Build :func:`plot_positions` from the issue's evidence rows (see there)."""
    start, end = _date_range(start, end)
    colors = views.actor_colors(neg)
    names = views.actor_names(neg)
    present = set(statements["actor_id"])
    if actors is None:
        actors = [a for a in views.actor_order(neg) if a in present]
    else:
        actors = views.check_actors(neg, actors)
    last_date = neg.positions["date"].max() if end is None else end
    title = f"Positions on {_short(issue['label'], 60)}"
    fig = go.Figure()
    if start is not None and start > last_date:
        _axes_0_100(fig, issue)
        message = "The date range is empty: it starts after it ends (or after the last statement)."
        return _finish(
            fig,
            neg,
            kind="positions",
            title=title,
            width=width,
            height=height,
            template=template,
            message=message,
        )
    missing = []
    for actor in actors:
        own = statements[statements["actor_id"] == actor]
        window = own
        if start is not None:
            window = window[window["date"] >= start]
        if end is not None:
            window = window[window["date"] <= end]
        line_rows = window
        if start is not None:
            # the last statement before the window sets the value the window opens with
            before = own[own["date"] < start]
            if not before.empty:
                carried = before[before["date"] == before["date"].max()].assign(date=start)
                line_rows = pd.concat([carried, window])
        if line_rows.empty:
            missing.append(names[actor])
            continue
        steps = views.position_steps(line_rows, until=last_date)
        x = _iso(steps["date"])
        color = colors[actor]
        name = views.escape(names[actor])
        low, high = steps["value_low"].tolist(), steps["value_high"].tolist()
        fig.add_traces(_band_traces(x, low, high, color=color, group=name))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=steps["value"].tolist(),
                mode="lines",
                line={"shape": "hv", "color": color, "width": 2.5},
                name=name,
                legendgroup=name,
                showlegend=window.empty,
                hoverinfo="skip",
            )
        )
        if not window.empty:
            fig.add_trace(
                go.Scatter(
                    x=_iso(window["date"]),
                    y=window["value"].round(2).tolist(),
                    mode="markers",
                    marker={
                        "color": color,
                        "size": 10,
                        "symbol": [views.STANCE_SYMBOLS.get(s, "circle") for s in window["stance"]],
                        "line": {"color": "#ffffff", "width": 1},
                    },
                    name=name,
                    legendgroup=name,
                    hovertext=views.hover_html(window).tolist(),
                    hoverinfo="text",
                )
            )
    if anchors is not None:
        for value, label in zip(anchors["value"], anchors["label"], strict=True):
            fig.add_hline(
                y=round(float(value), 2),
                line={"color": "#bbbbbb", "width": 1, "dash": "dot"},
                annotation_text=views.wrap(label, 40, max_lines=1),
                annotation_position="top left",
                annotation_font={"size": 9, "color": "#888888"},
            )
    message = ""
    if not fig.data:
        in_range = " in the chosen range" if start is not None or end is not None else ""
        message = f"No statement on this issue{in_range}"
        message += f" by {', '.join(missing)}." if missing else "."
    elif missing:
        message = "No statement on this issue: " + ", ".join(missing)
    _axes_0_100(fig, issue)
    if start is not None or end is not None:
        lo = start if start is not None else neg.positions["date"].min()
        fig.update_xaxes(range=[views.format_date(lo), views.format_date(last_date)])
    return _finish(
        fig,
        neg,
        kind="positions",
        title=title,
        width=width,
        height=height,
        template=template,
        message=message,
    )


# --- gaps over time -------------------------------------------------------------------------


def _issue_style(neg) -> dict[str, dict]:
    """A fixed colour and dash per issue (by issue order), the same in every figure."""
    dashes = ("solid", "dash", "dot")
    n = len(views.ISSUE_COLORS)
    return {
        issue: {"color": views.ISSUE_COLORS[i % n], "dash": dashes[(i // n) % len(dashes)]}
        for i, issue in enumerate(views.issue_order(neg))
    }


def _extend(steps: pd.DataFrame, until) -> pd.DataFrame:
    """Repeat the last row at ``until`` so a step line runs on to the right edge."""
    if steps.empty or until is None or steps["date"].iloc[-1] >= until:
        return steps
    return pd.concat([steps, steps.iloc[[-1]].assign(date=until)], ignore_index=True)


def _pair_title(neg, actor_a, actor_b) -> str:
    names = views.actor_names(neg)
    return f"{_short(names[actor_a])} and {_short(names[actor_b])}"


def plot_gap_over_time(
    neg,
    actor_a: str,
    actor_b: str,
    *,
    issues: Iterable[str] | None = None,
    start=None,
    end=None,
    carry_forward: bool = True,
    max_age=None,
    weights=None,
    width: int = WIDTH,
    height: int = 640,
    template: str = TEMPLATE,
) -> go.Figure:
    """The gap between two actors over time: overall on top, per issue below.

    Top panel: the overall gap (``compute_overall_gap``: mean over the issues where both hold
    a position, with ``weights``) as a step line with its interval band; its hover gives the
    number of issues it covers. Bottom panel: one step line per issue (``compute_gaps``), whose
    markers' hover gives both actors' values, stances, summaries, quotes and sources. Values hold
    until either side restates. ``start``/``end`` clip the view (the value holding at ``start``
    is shown from there); ``carry_forward``/``max_age`` as in ``compute_gaps``.
    Shows a message instead of lines when the pair has no common issue in the range.
    """
    actor_a, actor_b = views.check_actors(neg, [actor_a, actor_b])
    issues = None if issues is None else list(issues)
    gaps = _gaps.compute_gaps(
        neg, actor_a, actor_b, issues=issues, carry_forward=carry_forward, max_age=max_age
    )
    overall = _gaps.compute_overall_gap(
        neg,
        actor_a,
        actor_b,
        issues=issues,
        carry_forward=carry_forward,
        max_age=max_age,
        weights=weights,
    )
    return gap_figure(
        neg,
        gaps,
        overall,
        actor_a=actor_a,
        actor_b=actor_b,
        evidence=views.evidence_frame(neg),
        start=start,
        end=end,
        width=width,
        height=height,
        template=template,
    )


def gap_figure(
    neg,
    gaps: pd.DataFrame,
    overall: pd.DataFrame,
    *,
    actor_a: str,
    actor_b: str,
    evidence: pd.DataFrame,
    start=None,
    end=None,
    width: int = WIDTH,
    height: int = 640,
    template: str = TEMPLATE,
) -> go.Figure:
    """Build :func:`plot_gap_over_time` from ``compute_gaps`` / ``compute_overall_gap`` frames."""
    start, end = _date_range(start, end)
    until = end if end is not None else neg.positions["date"].max()
    title = f"Gap between {_pair_title(neg, actor_a, actor_b)}"
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.09,
        row_heights=[0.38, 0.62],
        subplot_titles=("Overall gap (mean over common issues)", "Gap per issue"),
    )
    for row in (1, 2):
        fig.update_yaxes(range=[-3, 103], title_text="Gap (scale points)", row=row, col=1)
    fig.update_xaxes(type="date", row=2, col=1, title_text="Date")
    fig.update_xaxes(type="date", row=1, col=1)
    if start is not None and until is not None and start > until:
        message = "The date range is empty: it starts after it ends."
        return _finish(
            fig,
            neg,
            kind="gap",
            title=title,
            width=width,
            height=height,
            template=template,
            message=message,
        )
    gaps = views.clip_steps(gaps, keys=["issue_id"], start=start, end=end)
    overall = views.clip_steps(overall, keys=[], start=start, end=end)
    if gaps["gap"].notna().sum() == 0:
        names = views.actor_names(neg)
        message = f"No common issue between {names[actor_a]} and {names[actor_b]}"
        message += " in this range." if start is not None or end is not None else "."
        return _finish(
            fig,
            neg,
            kind="gap",
            title=title,
            width=width,
            height=height,
            template=template,
            message=message,
        )

    overall = overall.round({"gap": 2, "gap_low": 2, "gap_high": 2})
    steps = _extend(overall, until)
    x = _iso(steps["date"])
    color = "#333333"
    fig.add_traces(
        _band_traces(
            x,
            steps["gap_low"].tolist(),
            steps["gap_high"].tolist(),
            color=color,
            group="Overall gap",
            xaxis="x",
            yaxis="y",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=steps["gap"].tolist(),
            mode="lines",
            name="Overall gap",
            line={"shape": "hv", "color": color, "width": 2.5},
            hoverinfo="skip",
            legendgroup="Overall gap",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    hover = [
        f"<b>{views.format_date(d)}</b><br>Overall gap: {views.format_number(g) or 'n/a'}"
        + (
            f" (interval {views.format_number(lo)}–{views.format_number(hi)})"
            if views.format_number(lo) != views.format_number(hi)
            else ""
        )
        + f"<br>Issues covered: {int(n) if not views.is_missing(n) else 0}"
        for d, g, lo, hi, n in zip(
            overall["date"],
            overall["gap"],
            overall["gap_low"],
            overall["gap_high"],
            overall["n_issues"],
            strict=True,
        )
    ]
    fig.add_trace(
        go.Scatter(
            x=_iso(overall["date"]),
            y=overall["gap"].tolist(),
            mode="markers",
            name="Overall gap",
            legendgroup="Overall gap",
            marker={"color": color, "size": 7},
            hovertext=hover,
            hoverinfo="text",
        ),
        row=1,
        col=1,
    )

    style = _issue_style(neg)
    labels = views.issue_labels(neg)
    gaps = gaps.round({"gap": 2, "gap_low": 2, "gap_high": 2, "value_a": 2, "value_b": 2})
    present = set(gaps.loc[gaps["gap"].notna(), "issue_id"])
    for issue in views.issue_order(neg):
        if issue not in present:
            continue
        rows = gaps[gaps["issue_id"] == issue]
        steps = _extend(rows, until)
        name = views.wrap(labels[issue], 40, max_lines=1)
        fig.add_trace(
            go.Scatter(
                x=_iso(steps["date"]),
                y=steps["gap"].tolist(),
                mode="lines",
                line={"shape": "hv", "width": 2, **style[issue]},
                name=name,
                legendgroup=issue,
                showlegend=False,
                hoverinfo="skip",
            ),
            row=2,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=_iso(rows["date"]),
                y=rows["gap"].tolist(),
                mode="markers",
                name=name,
                legendgroup=issue,
                marker={"color": style[issue]["color"], "size": 7},
                hovertext=views.gap_hover(rows, evidence, neg).tolist(),
                hoverinfo="text",
            ),
            row=2,
            col=1,
        )
    if start is not None or end is not None:
        lo = start if start is not None else neg.positions["date"].min()
        fig.update_xaxes(range=[views.format_date(lo), views.format_date(until)])
    return _finish(fig, neg, kind="gap", title=title, width=width, height=height, template=template)


# --- heatmap --------------------------------------------------------------------------------


def heatmap_dates(neg, *, freq: str = "QS", start=None, end=None) -> pd.DatetimeIndex:
    """The default heatmap grid: period starts at ``freq`` from the first to the last statement."""
    first = neg.positions["date"].min() if start is None else pd.Timestamp(start)
    last = neg.positions["date"].max() if end is None else pd.Timestamp(end)
    if pd.isna(first) or pd.isna(last) or first > last:
        return pd.DatetimeIndex([])
    try:
        anchor = pd.Timestamp(first).to_period(freq.removesuffix("S")).start_time
    except ValueError:  # a frequency with no matching period (e.g. "2QS"): start at the data
        anchor = pd.Timestamp(first)
    grid = pd.date_range(anchor, last, freq=freq)
    if grid.empty or grid[-1] < last:  # a last column for the statements after the last period
        grid = grid.append(pd.DatetimeIndex([last]))
    return grid


def plot_gap_heatmap(
    neg,
    actor_a: str,
    actor_b: str,
    *,
    freq: str = "QS",
    dates=None,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age=None,
    width: int = WIDTH,
    height: int = 620,
    template: str = TEMPLATE,
) -> go.Figure:
    """A heatmap of the gap between two actors: one row per issue, one column per date.

    Each cell is the gap in force at that date (``compute_gaps``, latest change on or before
    it); blank where either actor holds no position. Columns are ``dates`` if given, else the
    period starts at ``freq`` (pandas offset, default quarterly ``"QS"``) over the data. Cell
    hover: both positions with stance, summary, quote and source.
    """
    actor_a, actor_b = views.check_actors(neg, [actor_a, actor_b])
    gaps = _gaps.compute_gaps(
        neg,
        actor_a,
        actor_b,
        issues=None if issues is None else list(issues),
        carry_forward=carry_forward,
        max_age=max_age,
    )
    grid = (
        heatmap_dates(neg, freq=freq) if dates is None else pd.DatetimeIndex(pd.to_datetime(dates))
    )
    cells = views.gaps_on_grid(gaps, grid)
    title = f"Gap by issue and time between {_pair_title(neg, actor_a, actor_b)}"
    fig = go.Figure()
    if cells.empty or cells["gap"].notna().sum() == 0:
        names = views.actor_names(neg)
        message = f"No common issue between {names[actor_a]} and {names[actor_b]}."
        return _finish(
            fig,
            neg,
            kind="heatmap",
            title=title,
            width=width,
            height=height,
            template=template,
            message=message,
        )
    cells = cells.round({"gap": 2, "gap_low": 2, "gap_high": 2, "value_a": 2, "value_b": 2})
    cells = cells.assign(hover=views.gap_hover(cells, views.evidence_frame(neg), neg))
    present = set(cells.loc[cells["gap"].notna(), "issue_id"])
    order = [i for i in views.issue_order(neg) if i in present]
    labels = views.issue_labels(neg)
    columns = _iso(grid)
    z = cells.pivot(index="issue_id", columns="date", values="gap").reindex(
        index=order, columns=grid
    )
    text = cells.pivot(index="issue_id", columns="date", values="hover").reindex(
        index=order, columns=grid
    )
    z_values = [[None if pd.isna(v) else float(v) for v in row] for row in z.to_numpy()]
    hover = [
        [
            label if isinstance(label, str) and not pd.isna(gap) else "No common position"
            for label, gap in zip(labels_row, gap_row, strict=True)
        ]
        for labels_row, gap_row in zip(text.to_numpy(), z.to_numpy(), strict=True)
    ]
    fig.add_trace(
        go.Heatmap(
            z=z_values,
            x=columns,
            y=[views.wrap(labels[i], 36, max_lines=1) for i in order],
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
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", title_text="As of", tickangle=-45)
    return _finish(
        fig, neg, kind="heatmap", title=title, width=width, height=height, template=template
    )


# --- snapshot -------------------------------------------------------------------------------


def plot_snapshot(
    neg,
    date,
    *,
    actors: Sequence[str] = ("RU", "UA"),
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age=None,
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """Where each actor stood on every issue at ``date`` (a dumbbell chart).

    One row per issue (issue order) on which at least one of ``actors`` holds a position as of
    ``date`` (``positions_asof``); a marker per actor at its value with its range as error bar,
    and a grey bar joining the actors' positions. With two actors the gap is written at the right
    of each row. Hover on a marker: the statement in force (date, stance, summary, quote,
    source). Shows a message when none of the actors holds a position then.
    """
    actors = views.check_actors(neg, actors)
    date = pd.Timestamp(date)
    held = _gaps.positions_asof(
        neg,
        date,
        carry_forward=carry_forward,
        max_age=max_age,
        actors=actors,
        issues=None if issues is None else list(issues),
    )
    evidence = views.evidence_frame(neg)
    return snapshot_figure(
        neg,
        held,
        evidence,
        date=date,
        actors=actors,
        width=width,
        height=height,
        template=template,
    )


def snapshot_figure(
    neg,
    held: pd.DataFrame,
    evidence: pd.DataFrame,
    *,
    date,
    actors: Sequence[str],
    width: int = WIDTH,
    height: int = HEIGHT,
    template: str = TEMPLATE,
) -> go.Figure:
    """Build :func:`plot_snapshot` from a ``positions_asof`` frame (see there)."""
    names = views.actor_names(neg)
    colors = views.actor_colors(neg)
    labels = views.issue_labels(neg)
    who = ", ".join(_short(names[a]) for a in actors)
    title = f"Positions as of {views.format_date(date)}: {who}"
    fig = go.Figure()
    held = held[held["actor_id"].isin(actors)]
    order = [i for i in views.issue_order(neg) if i in set(held["issue_id"])]
    if not order:
        message = f"None of {', '.join(names[a] for a in actors)} holds a position"
        message += f" as of {views.format_date(date)}."
        fig.update_xaxes(range=[-5, 105])
        return _finish(
            fig,
            neg,
            kind="snapshot",
            title=title,
            width=width,
            height=height,
            template=template,
            message=message,
        )
    rows = {issue: views.wrap(labels[issue], 36, max_lines=1) for issue in order}
    held = held.round({"value": 2, "value_low": 2, "value_high": 2})
    bar_x, bar_y, gap_y, gap_text = [], [], [], []
    for issue in order:
        values = held.loc[held["issue_id"] == issue, "value"]
        if len(values) >= 2:
            bar_x += [float(values.min()), float(values.max()), None]
            bar_y += [rows[issue], rows[issue], None]
        if len(actors) == 2 and len(values) == 2:
            gap_y.append(rows[issue])
            gap_text.append(f"gap {views.format_number(values.max() - values.min())}")
    fig.add_trace(
        go.Scatter(
            x=bar_x,
            y=bar_y,
            mode="lines",
            line={"color": "#cccccc", "width": 6},
            hoverinfo="skip",
            showlegend=False,
            name="between",
        )
    )
    by_id = evidence.drop_duplicates("position_id").set_index("position_id", drop=False)
    for actor in actors:
        own = held[held["actor_id"] == actor]
        if own.empty:
            continue
        own = own.set_index("issue_id").reindex([i for i in order if i in set(own["issue_id"])])
        rows_evidence = by_id.reindex(own["position_id"].astype(str))
        hover = views.hover_html(rows_evidence.reset_index(drop=True)).tolist()
        fig.add_trace(
            go.Scatter(
                x=own["value"].tolist(),
                y=[rows[i] for i in own.index],
                mode="markers",
                name=views.escape(names[actor]),
                marker={
                    "color": colors[actor],
                    "size": 13,
                    "line": {"color": "#ffffff", "width": 1},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (own["value_high"] - own["value"]).round(2).tolist(),
                    "arrayminus": (own["value"] - own["value_low"]).round(2).tolist(),
                    "color": colors[actor],
                    "thickness": 1.5,
                    "width": 4,
                },
                hovertext=hover,
                hoverinfo="text",
            )
        )
    for y, text in zip(gap_y, gap_text, strict=True):
        fig.add_annotation(
            name="gap",
            text=text,
            x=1.0,
            xref="paper",
            xanchor="left",
            xshift=6,
            y=y,
            yref="y",
            showarrow=False,
            font={"size": 11, "color": "#555555"},
        )
    missing = [names[a] for a in actors if a not in set(held["actor_id"])]
    message = ("No position as of this date: " + ", ".join(missing)) if missing else ""
    fig.update_xaxes(
        range=[-5, 105],
        tickvals=[0, 25, 50, 75, 100],
        title_text="Position (0–100; each issue's own scale)",
    )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[rows[i] for i in order],
        autorange="reversed",
    )
    return _finish(
        fig,
        neg,
        kind="snapshot",
        title=title,
        width=width,
        height=max(height, 120 + 28 * len(order)),
        template=template,
        message=message,
    )


# --- movement -------------------------------------------------------------------------------


def movement_frame(
    neg,
    *,
    actors: Sequence[str] = ("RU", "UA", "US"),
    start=None,
    end=None,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age=None,
) -> pd.DataFrame:
    """How far each actor moved on each issue between two dates, and toward whom.

    Built on ``compute_movement`` with the other ``actors`` as the reference. One row per
    (actor, issue) where the actor holds a position at both dates: ``actor_id``, ``issue_id``,
    ``start``, ``end``, ``value_start``, ``value_end``, ``change``, ``toward`` (the other actors
    the move went toward, ``;``-joined in actors.csv order, "" for none), ``away`` (likewise).
    Sorted by actor (given order) then issue order. ``start``/``end`` default to the first and
    last statement dates in the dataset.
    """
    actors = views.check_actors(neg, actors)
    start = neg.positions["date"].min() if start is None else pd.Timestamp(start)
    end = neg.positions["date"].max() if end is None else pd.Timestamp(end)
    columns = [
        "actor_id",
        "issue_id",
        "start",
        "end",
        "value_start",
        "value_end",
        "change",
        "toward",
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
        toward = moves["toward"].fillna(False).astype(bool)
        away = (moves["gap_after"] > moves["gap_before"]).fillna(False).astype(bool)
        moves = moves.assign(
            _toward=moves["other_actor"].where(toward), _away=moves["other_actor"].where(away)
        )
        summary = (
            moves.groupby("issue_id", sort=False)
            .agg(
                start=("start", "first"),
                end=("end", "first"),
                value_start=("value_start", "first"),
                value_end=("value_end", "first"),
                change=("change", "first"),
                toward=("_toward", lambda s: ";".join(sorted(s.dropna(), key=actors.index))),
                away=("_away", lambda s: ";".join(sorted(s.dropna(), key=actors.index))),
            )
            .reset_index()
        )
        parts.append(summary.assign(actor_id=actor))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    out = pd.concat(parts, ignore_index=True)
    rank = {i: n for n, i in enumerate(views.issue_order(neg))}
    out = out.assign(_a=out["actor_id"].map(actors.index), _i=out["issue_id"].map(rank))
    out = out.sort_values(["_a", "_i"], kind="stable")[columns].reset_index(drop=True)
    return out.round({"value_start": 2, "value_end": 2, "change": 2})


def plot_movement(
    neg,
    *,
    actors: Sequence[str] = ("RU", "UA", "US"),
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
    filled one at the end value, joined by a line. Hover on the end marker: the move (from, to,
    change), toward whom and away from whom it went (relative to the other actors' positions at
    ``start``), and the statement in force at ``end`` (date, stance, summary, quote, source).
    The frame behind it is :func:`movement_frame`.
    """
    actors = views.check_actors(neg, actors)
    frame = movement_frame(
        neg,
        actors=actors,
        start=start,
        end=end,
        issues=issues,
        carry_forward=carry_forward,
        max_age=max_age,
    )
    start = neg.positions["date"].min() if start is None else pd.Timestamp(start)
    end = neg.positions["date"].max() if end is None else pd.Timestamp(end)
    names = views.actor_names(neg)
    colors = views.actor_colors(neg)
    labels = views.issue_labels(neg)
    title = f"Movement from {views.format_date(start)} to {views.format_date(end)}"
    fig = go.Figure()
    if start > end:
        return _finish(
            fig,
            neg,
            kind="movement",
            title=title,
            width=width,
            height=height,
            template=template,
            message="The date range is empty: it starts after it ends.",
        )
    if frame.empty:
        message = f"None of {', '.join(names[a] for a in actors)} holds a position on an issue"
        message += " at both dates."
        return _finish(
            fig,
            neg,
            kind="movement",
            title=title,
            width=width,
            height=height,
            template=template,
            message=message,
        )
    order = [i for i in views.issue_order(neg) if i in set(frame["issue_id"])]
    held_end = _gaps.positions_asof(
        neg, end, carry_forward=carry_forward, max_age=max_age, actors=actors
    )
    end_ids = {
        (a, i): p
        for a, i, p in zip(
            held_end["actor_id"], held_end["issue_id"], held_end["position_id"], strict=True
        )
    }
    evidence = views.evidence_frame(neg)
    by_id = evidence.drop_duplicates("position_id").set_index("position_id", drop=False)
    lane = {a: n for n, a in enumerate(actors)}
    spread = 0.6 / max(len(actors), 1)
    row_of = {issue: n for n, issue in enumerate(order)}
    for actor in actors:
        own = frame[frame["actor_id"] == actor]
        if own.empty:
            continue
        offset = (lane[actor] - (len(actors) - 1) / 2) * spread
        y = [row_of[i] + offset for i in own["issue_id"]]
        name = views.escape(names[actor])
        line_x, line_y = [], []
        for (x0, x1), yy in zip(
            zip(own["value_start"], own["value_end"], strict=True), y, strict=True
        ):
            line_x += [x0, x1, None]
            line_y += [yy, yy, None]
        fig.add_trace(
            go.Scatter(
                x=line_x,
                y=line_y,
                mode="lines",
                line={"color": colors[actor], "width": 2},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
                name=name,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=own["value_start"].tolist(),
                y=y,
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
                marker={"symbol": "circle-open", "size": 9, "color": colors[actor]},
            )
        )
        hover = []
        for row in own.itertuples(index=False):
            lines = [
                f"<b>{name} on {views.wrap(labels[row.issue_id], 60, max_lines=1)}</b>",
                f"{views.format_number(row.value_start)} → {views.format_number(row.value_end)}"
                f" (change {views.format_number(row.change)})",
                "Toward: "
                + (
                    ", ".join(views.escape(names[a]) for a in row.toward.split(";"))
                    if row.toward
                    else "nobody"
                ),
                "Away from: "
                + (
                    ", ".join(views.escape(names[a]) for a in row.away.split(";"))
                    if row.away
                    else "nobody"
                ),
            ]
            pid = end_ids.get((actor, row.issue_id))
            if pid is not None and str(pid) in by_id.index:
                lines.append("<i>Position in force at the end:</i>")
                lines.append(views.hover_html(by_id.loc[[str(pid)]].reset_index(drop=True)).iloc[0])
            hover.append("<br>".join(lines))
        symbols = [
            "triangle-right" if c > 0 else "triangle-left" if c < 0 else "circle"
            for c in own["change"]
        ]
        fig.add_trace(
            go.Scatter(
                x=own["value_end"].tolist(),
                y=y,
                mode="markers",
                name=name,
                legendgroup=name,
                hovertext=hover,
                hoverinfo="text",
                marker={"symbol": symbols, "size": 12, "color": colors[actor]},
            )
        )
    fig.update_xaxes(
        range=[-5, 105],
        tickvals=[0, 25, 50, 75, 100],
        title_text="Position (0–100; each issue's own scale)",
    )
    fig.update_yaxes(
        tickvals=list(range(len(order))),
        ticktext=[views.wrap(labels[i], 36, max_lines=1) for i in order],
        range=[len(order) - 0.5, -0.5],
        zeroline=False,
    )
    missing = [names[a] for a in actors if a not in set(frame["actor_id"])]
    message = ("No position at both dates: " + ", ".join(missing)) if missing else ""
    return _finish(
        fig,
        neg,
        kind="movement",
        title=title,
        width=width,
        height=max(height, 120 + 34 * len(order)),
        template=template,
        message=message,
    )
