"""Properties that tie the layers together on random datasets (hypothesis):

- every value a figure plots equals the library frame it shows (``compute_gaps``,
  ``compute_overall_gap``, ``positions_asof``, ``compute_movement``, ``combined_positions``);
- each explorer's default view equals the plain function's output.

(Gaps against ``positions_asof`` and movement against ``positions_asof`` are in test_gaps.py.)
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_datasets import DAY0, ISSUES, position_rows, with_positions

import negotiation_lib as nl
from negotiation_lib import figures, widgets

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _values(values) -> list:
    return [None if v is None or pd.isna(v) else round(float(v), 2) for v in values]


def _trace(fig, name: str):
    found = [t for t in fig.data if t.name == name]
    assert found, f"no trace {name!r} in {[t.name for t in fig.data]}"
    return found[0]


def _changes(trace, n: int) -> tuple[list, list]:
    """The first ``n`` points of a step trace (the change points; the last may be repeated)."""
    return [str(x)[:10] for x in trace.x[:n]], list(trace.y[:n])


@PROPERTY
@given(rows=position_rows())
def test_gap_figure_plots_compute_gaps_and_the_overall_gap(mini, rows):
    neg = with_positions(mini, rows)
    fig = figures.plot_gap_over_time(neg, "A", "B")
    gaps = nl.compute_gaps(neg, "A", "B")
    overall = nl.compute_overall_gap(neg, "A", "B")
    if gaps.empty:
        assert figures.figure_message(fig).startswith("No common issue")
        return
    labels = dict(zip(neg.issues["issue_id"], neg.issues["label"], strict=True))
    for issue, rows_of_issue in gaps.groupby("issue_id"):
        trace = _trace(fig, labels[issue])
        x, y = _changes(trace, len(rows_of_issue))
        assert x == [d.strftime("%Y-%m-%d") for d in rows_of_issue["date"]]
        assert y == _values(rows_of_issue["gap"])
    trace = _trace(fig, "Overall gap")
    x, y = _changes(trace, len(overall))
    assert x == [d.strftime("%Y-%m-%d") for d in overall["date"]]
    assert y == _values(overall["gap"])


@PROPERTY
@given(rows=position_rows(), day=st.integers(-2, 45))
def test_snapshot_plots_positions_asof(mini, rows, day):
    neg = with_positions(mini, rows)
    date = DAY0 + pd.Timedelta(days=day)
    fig = figures.plot_snapshot(neg, date, actors=["A", "B", "M"])
    held = nl.positions_asof(neg, date, actors=["A", "B", "M"])
    names = dict(zip(neg.actors["actor_id"], neg.actors["name"], strict=True))
    for actor, own in held.groupby("actor_id"):
        trace = [t for t in fig.data if t.mode == "markers" and t.legendgroup is None]
        trace = [t for t in trace if t.name.startswith(names[actor][:5])]
        assert trace, actor
        order = [i for i in ISSUES if i in set(own["issue_id"])]
        expected = own.set_index("issue_id").loc[order, "value"]
        assert list(trace[0].x) == _values(expected)


@PROPERTY
@given(rows=position_rows(), start=st.integers(0, 30), length=st.integers(0, 15))
def test_movement_figure_plots_compute_movement(mini, rows, start, length):
    neg = with_positions(mini, rows)
    first = DAY0 + pd.Timedelta(days=start)
    last = first + pd.Timedelta(days=length)
    fig = figures.plot_movement(neg, actors=["A", "B"], start=first, end=last)
    names = dict(zip(neg.actors["actor_id"], neg.actors["name"], strict=True))
    for actor in ("A", "B"):
        moves = nl.compute_movement(
            neg, actor, start=first, end=last, others=["B" if actor == "A" else "A"]
        )
        moves = moves.dropna(subset=["value_start", "value_end"])
        ends = [t for t in fig.data if t.name == names[actor] and t.showlegend is not False]
        if moves.empty:
            assert not ends
            continue
        order = [i for i in ISSUES if i in set(moves["issue_id"])]
        moves = moves.set_index("issue_id").loc[order]
        assert list(ends[0].x) == _values(moves["value_end"])
        starts = [
            t for t in fig.data if t.name == names[actor] and t.marker.symbol == "circle-open"
        ]
        assert list(starts[0].x) == _values(moves["value_start"])
        # the hover names the same concession as the movement column
        for hover, toward in zip(ends[0].hovertext, moves["toward"], strict=True):
            other = names["B" if actor == "A" else "A"]
            assert (f"Toward: {other}" in hover) == (pd.notna(toward) and bool(toward))


@PROPERTY
@given(rows=position_rows())
def test_positions_figure_lines_are_the_combined_positions(mini, rows):
    neg = with_positions(mini, rows)
    combined = nl.combined_positions(neg, issues=["i1"]).sort_values("date", kind="stable")
    fig = figures.plot_positions(neg, "i1")
    names = dict(zip(neg.actors["actor_id"], neg.actors["name"], strict=True))
    for actor, own in combined.groupby("actor_id"):
        line = [t for t in fig.data if t.mode == "lines" and t.name == names[actor]]
        x, y = _changes(line[0], len(own))
        assert x == [d.strftime("%Y-%m-%d") for d in own["date"]]
        assert y == _values(own["value"])


@PROPERTY
@given(rows=position_rows(), max_age=st.none() | st.integers(0, 10))
def test_heatmap_cells_are_gaps_asof_each_column(mini, rows, max_age):
    neg = with_positions(mini, rows)
    dates = pd.date_range(DAY0, periods=6, freq="7D")
    fig = figures.plot_gap_heatmap(neg, "A", "B", dates=dates, max_age=max_age)
    if not fig.data:
        return
    heat = fig.data[0]
    labels = dict(zip(neg.issues["label"], neg.issues["issue_id"], strict=True))
    for row_label, cells in zip(heat.y, heat.z, strict=True):
        issue = labels[row_label]
        for date, cell in zip(dates, cells, strict=True):
            held = nl.positions_asof(neg, date, max_age=max_age, issues=[issue])
            value = dict(zip(held["actor_id"], held["value"], strict=True))
            expected = abs(value["A"] - value["B"]) if {"A", "B"} <= set(value) else None
            assert cell == (None if expected is None else round(expected, 2))


@PROPERTY
@given(rows=position_rows())
def test_third_party_figure_plots_the_overall_gap_to_each_party(mini, rows):
    neg = with_positions(mini, rows)
    fig = figures.plot_third_party_distance(neg, "M")  # parties default: A and B
    names = dict(zip(neg.actors["actor_id"], neg.actors["name"], strict=True))
    for party in ("A", "B"):
        overall = nl.compute_overall_gap(neg, "M", party)
        drawn = [t for t in fig.data if t.name == f"to {names[party]}" and t.mode]
        if overall["gap"].notna().sum() == 0:
            assert not drawn
            continue
        x, y = _changes(drawn[0], len(overall))
        assert x == [d.strftime("%Y-%m-%d") for d in overall["date"]]
        assert y == _values(overall["gap"])


def _json(fig) -> str:
    return json.dumps(fig.to_plotly_json()["data"], sort_keys=True, default=str)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=position_rows())
def test_explorers_default_views_equal_the_plain_functions(mini, rows):
    neg = with_positions(mini, rows)
    gap = widgets.gap_explorer(neg)
    assert gap.error is None
    expected = figures.plot_gap_over_time(neg)
    assert _json(gap.figure) == _json(expected)
    position = widgets.position_explorer(neg)
    first_issue = neg.issues.sort_values("order")["issue_id"].iloc[0]
    assert _json(position.figure) == _json(
        figures.plot_positions(neg, first_issue, show_anchors=True)
    )
    evidence = widgets.evidence_explorer(neg)
    pd.testing.assert_frame_equal(evidence.table, nl.evidence_table(neg))


@pytest.mark.parametrize("dataset", ["mini", "hostile", "bundled"])
def test_explorer_defaults_on_the_fixtures(request, dataset):
    neg = request.getfixturevalue(dataset)
    gap = widgets.gap_explorer(neg)
    assert _json(gap.figure) == _json(figures.plot_gap_over_time(neg))
