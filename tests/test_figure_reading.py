"""figures.py, read as a reader would: a key wherever a marker symbol means something, a source
link and a position id in every hover, a per-issue gap panel grouped by category with a few
issues drawn, and the overall gap without carrying forward as points with error bars.

Each on the bundled dataset and on small edge datasets (tests/conftest.py, random_datasets.py).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pandas as pd
import pytest
from random_datasets import with_positions

import negotiation_lib as nl
from negotiation_lib import evidence as ev
from negotiation_lib import figures, gaps

CITE = re.compile(r"Cite: position (\S+?)(?:<br>|$)")
LINK = re.compile(r"Link: (.*?)<br>Cite: position ")


@pytest.fixture(scope="module")
def edge(edge_dataset, tmp_path_factory):
    """``edge(case)``: an edge-case dataset of tests/conftest.py, loaded (cached per case)."""
    loaded = {}

    def load(case):
        if case not in loaded:
            folder = tmp_path_factory.mktemp(case)
            loaded[case] = nl.load(edge_dataset(case, folder / "data"))
        return loaded[case]

    return load


def drawn(fig, mode=None):
    """The traces that draw data (not the entries of a key)."""
    return [t for t in fig.data if t.legendgroup != "key" and (mode is None or t.mode == mode)]


def key(fig):
    """(symbol, label) of each entry of the figure's key to the marker symbols."""
    return [(t.marker.symbol, t.name) for t in fig.data if t.legendgroup == "key"]


def sources_by_position(neg) -> dict[str, str | None]:
    evidence = ev.evidence_frame(neg)
    return dict(zip(evidence["position_id"], evidence["source_url"], strict=True))


def shown_links(label: str) -> list[str]:
    """The source URLs a hover shows as text (whole, over several lines)."""
    return [html.unescape(link.replace("<br>", "")) for link in LINK.findall(label)]


def expected_link(url) -> str | None:
    """The URL a hover shows: an http(s) URL, as it is; None for other schemes or none."""
    if not isinstance(url, str) or not url.strip().startswith(("http://", "https://")):
        return None
    return url.strip()


def labels(fig):
    """Every non-empty hover label of the figure."""
    out = []
    for trace in fig.data:
        hover = trace.hovertext
        if hover is None:
            continue
        rows = hover if isinstance(hover[0], (list, tuple)) else [hover]
        out += [label for row in rows for label in row if label and label != "No common position"]
    return out


# --- 1. a key wherever the marker symbol encodes stance (or a move's start and end) -----------


@pytest.mark.parametrize("case", ["bundled", "one_issue", "single_date"])
def test_positions_chart_keys_every_stance_symbol_it_draws(bundled, edge, case):
    neg = bundled if case == "bundled" else edge(case)
    issue = "territory_donbas" if case == "bundled" else str(neg.issues["issue_id"].iloc[0])
    fig = figures.plot_positions(neg, issue)
    symbols_drawn = {s for t in drawn(fig, "markers") for s in t.marker.symbol}
    entries = key(fig)
    assert {symbol for symbol, _ in entries} == symbols_drawn
    stances = set(neg.positions.loc[neg.positions["issue_id"] == issue, "stance"].astype(str))
    for stance in stances:  # every stance drawn is named next to its symbol
        symbol = figures.STANCE_SYMBOLS[stance]
        assert stance.replace("_", " ") in dict(entries)[symbol]
    assert fig.layout.legend2.title.text == "Marker: stance"
    assert all(t.legend == "legend2" and t.x == (None,) for t in fig.data if t.legendgroup == "key")
    assert fig.layout.legend2.itemclick is False  # a key, not a filter


def test_positions_key_on_the_bundled_dataset_names_demand_proposal_rejection(bundled):
    fig = figures.plot_positions(bundled, "territory_donbas")
    assert key(fig) == [("circle", "demand"), ("square", "proposal"), ("cross", "rejection")]


def test_positions_without_a_statement_has_no_key(hostile):
    fig = figures.plot_positions(hostile, "territory", actors=["ZZ"])
    assert key(fig) == []
    assert "legend2" not in fig.layout.to_plotly_json()


def test_stances_that_share_a_symbol_share_one_entry(mini):
    neg = dataclasses.replace(
        mini, positions=mini.positions.assign(stance=mini.positions["stance"].astype(str))
    )
    positions = neg.positions.copy()
    positions.loc[positions.index[0], "stance"] = "something_new"  # no symbol of its own
    neg = dataclasses.replace(neg, positions=positions)
    issue = positions.loc[positions.index[0], "issue_id"]
    entries = dict(key(figures.plot_positions(neg, issue)))
    assert "something new" in entries["circle"]


def test_forecasts_over_time_keep_the_stance_key(bundled):
    fig = figures.plot_forecasts_over_time(bundled, "territory_donbas")
    assert ("square", "proposal") in key(fig)


@pytest.mark.parametrize("case", ["bundled", "no_salience_no_ranges"])
def test_movement_chart_keys_start_and_end_markers(bundled, edge, case):
    neg = bundled if case == "bundled" else edge(case)
    fig = figures.plot_movement(neg)
    entries = key(fig)
    assert entries[0] == ("circle-open", "start")
    ends = {s for t in drawn(fig, "markers") if t.showlegend is not False for s in t.marker.symbol}
    assert {symbol for symbol, _ in entries[1:]} == ends
    assert fig.layout.legend2.title.text == "Marker"


# --- 2. every hover links its source and names the position id to cite ----------------------


def assert_cites_with_links(neg, label, expected_ids):
    """``label`` names each of ``expected_ids`` with a link to its source (where it has an http
    URL), in the order given."""
    urls = sources_by_position(neg)
    cited = CITE.findall(label)
    assert cited == [html.escape(p) for p in expected_ids], label[:300]
    wanted = [expected_link(urls[p]) for p in expected_ids]
    assert shown_links(label) == [u for u in wanted if u is not None], label[:300]
    assert "<a " not in label  # a link in a plotly hover makes plotly.js throw (evidence.py)


def test_statement_hovers_carry_the_source_link_and_id(bundled):
    evidence = ev.evidence_frame(bundled)
    hover = ev.hover_html(evidence)
    for label, pid, url in zip(hover, evidence["position_id"], evidence["source_url"], strict=True):
        assert f"Cite: position {pid}<br>" in label or label.endswith(f"Cite: position {pid}")
        assert shown_links(label) == [url]
    fig = figures.plot_positions(bundled, "territory_donbas")
    on_issue = evidence[evidence["issue_id"] == "territory_donbas"]
    shown = [label for t in drawn(fig, "markers") for label in t.hovertext]
    assert len(shown) == len(on_issue)
    for label in shown:
        (pid,) = CITE.findall(label)
        assert_cites_with_links(bundled, label, [pid])


def test_hover_links_are_whole_escaped_text_and_only_http(hostile):
    evidence = ev.evidence_frame(hostile)
    labels = dict(zip(evidence["position_id"], ev.hover_html(evidence), strict=True))
    urls = sources_by_position(hostile)
    for pid, label in labels.items():
        assert "<a " not in label
        assert "<script" not in label
        wanted = expected_link(urls[pid])
        assert shown_links(label) == ([wanted] if wanted else [])
    javascript = [p for p, u in urls.items() if str(u).startswith("javascript:")]
    assert javascript
    assert all("Link: " not in labels[p] for p in javascript)
    long_url = "https://example.org/" + "a" * 150
    lines = ev._url_lines(long_url, 70)
    assert lines.count("<br>") == 2
    assert lines.replace("<br>", "") == long_url


@pytest.mark.parametrize("case", ["bundled", "hostile", "parties_only", "no_events"])
def test_gap_hovers_name_both_positions_with_links(bundled, hostile, edge, case):
    neg = {"bundled": bundled, "hostile": hostile}.get(case) or edge(case)
    a, b = nl.default_pair(neg)
    per_issue = gaps.compute_gaps(neg, a, b)
    fig = figures.plot_gap_over_time(neg, a, b, top_issues=None)
    for trace in [t for t in fig.data if t.yaxis == "y2"]:
        rows = per_issue[per_issue["issue_id"] == trace.meta["issue_id"]]
        hovers = [h for h in trace.hovertext if h]
        assert len(hovers) == len(rows)
        for label, row in zip(hovers, rows.itertuples(), strict=True):
            assert_cites_with_links(neg, label, [row.position_id_a, row.position_id_b])
    heat = figures.plot_gap_heatmap(neg, a, b)
    for label in labels(heat):
        assert len(CITE.findall(label)) == 2


@pytest.mark.parametrize("case", ["bundled", "hostile", "single_date"])
def test_overall_hover_names_the_positions_behind_it(bundled, hostile, edge, case):
    neg = {"bundled": bundled, "hostile": hostile}.get(case) or edge(case)
    a, b = nl.default_pair(neg)
    fig = figures.plot_gap_over_time(neg, a, b)
    overall = next(t for t in fig.data if t.yaxis == "y" and t.mode == "lines+markers")
    hovers = [h for h in overall.hovertext if h]
    expected = gaps.compute_overall_gap(neg, a, b)
    assert len(hovers) == len(expected)
    for label, n in zip(hovers, expected["n_issues"], strict=True):
        cited = re.search(r"Cite: positions (.*)$", label).group(1).replace("<br>", " ").split(", ")
        assert len(cited) == 2 * n  # both sides on every issue counted
    # at the latest date every issue's latest gap is in force (positions carry forward)
    latest = gaps.compute_gaps(neg, a, b).groupby("issue_id").tail(1)
    cited = re.search(r"Cite: positions (.*)$", hovers[-1]).group(1).replace("<br>", " ")
    wanted = set(latest["position_id_a"]) | set(latest["position_id_b"])
    assert set(cited.split(", ")) == {html.escape(p) for p in wanted}


def test_weighted_overall_hover_cites_only_the_issues_it_counts(bundled):
    weights = {"territory_crimea": 1.0, "territory_donbas": 2.0}
    fig = figures.plot_gap_over_time(bundled, "RU", "UA", weights=weights)
    overall = next(t for t in fig.data if t.yaxis == "y" and t.mode == "lines+markers")
    per_issue = gaps.compute_gaps(bundled, "RU", "UA", issues=list(weights))
    allowed = set(per_issue["position_id_a"]) | set(per_issue["position_id_b"])
    for label in [h for h in overall.hovertext if h and "Cite:" in h]:
        cited = re.search(r"Cite: positions (.*)$", label).group(1).replace("<br>", " ")
        assert set(cited.split(", ")) <= allowed


def test_every_figure_hover_on_positions_cites_an_id(bundled):
    snapshot = figures.plot_snapshot(bundled, "2025-06-02")
    for trace in drawn(snapshot, "markers"):
        for label in trace.hovertext:
            (pid,) = CITE.findall(label)
            assert_cites_with_links(bundled, label, [pid])
    movement = figures.plot_movement(bundled, start="2025-01-01", end="2025-12-31")
    ends = [t for t in drawn(movement, "markers") if t.showlegend is not False]
    for label in [h for t in ends for h in t.hovertext]:
        assert re.search(r"Cite: position \S+ → \S+", label)
    third = figures.plot_third_party_distance(bundled, "US")
    for label in [h for t in third.data if t.hovertext for h in t.hovertext if h]:
        if "Overall gap: n/a" not in label:
            assert "Cite: positions " in label
    whatif = figures.plot_whatif(bundled)
    statements = [t for t in whatif.data if t.name and not t.name.startswith("Forecast")]
    for label in [h for t in statements for h in t.hovertext]:
        assert CITE.search(label)


# --- 3. the per-issue panel: grouped by category, distinct colours, a few drawn --------------


def issue_traces(fig):
    return [t for t in fig.data if t.yaxis == "y2"]


@pytest.mark.parametrize("case", ["bundled", "large", "one_issue"])
def test_issue_panel_groups_by_category_with_distinct_looks(bundled, edge, case):
    neg = bundled if case == "bundled" else edge(case)
    a, b = nl.default_pair(neg)
    fig = figures.plot_gap_over_time(neg, a, b)
    traces = issue_traces(fig)
    category = dict(zip(neg.issues["issue_id"], neg.issues["category"], strict=True))
    groups = [category[t.meta["issue_id"]] for t in traces]
    runs = [g for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]]
    assert len(runs) == len(set(runs))  # each category is one block in the legend
    assert [t.legendgroup for t in traces] == [f"category: {g}" for g in groups]
    for trace, group in zip(traces, groups, strict=True):
        assert trace.legend == "legend2"
        assert trace.legendgrouptitle.text == f"<b>{group}</b>"
    for group in set(groups):
        members = [t for t, g in zip(traces, groups, strict=True) if g == group]
        looks = {(t.line.color, t.marker.symbol) for t in members}
        assert len(looks) == len(members)  # no two issues of a category look the same
        if len(members) <= len(figures.ISSUE_COLORS):
            assert len({t.line.color for t in members}) == len(members)
    assert fig.layout.legend2.groupclick == "toggleitem"  # one click: one issue


@pytest.mark.parametrize("case", ["bundled", "large"])
def test_issue_panel_draws_the_issues_with_most_changes(bundled, edge, case):
    neg = bundled if case == "bundled" else edge(case)
    a, b = nl.default_pair(neg)
    fig = figures.plot_gap_over_time(neg, a, b)
    traces = issue_traces(fig)
    shown = [t.meta["issue_id"] for t in traces if t.visible is True]
    assert {t.visible for t in traces} == {True, "legendonly"}
    assert len(shown) == figures.TOP_ISSUES
    per_issue = gaps.compute_gaps(neg, a, b)
    counts = per_issue["issue_id"].value_counts()
    order = list(neg.issues.sort_values("order")["issue_id"])
    ranked = sorted(counts.index, key=lambda i: (-counts[i], order.index(i)))
    assert set(shown) == set(ranked[: figures.TOP_ISSUES])
    title = fig.layout.legend2.title.text
    assert title.startswith(f"Issues by category: {figures.TOP_ISSUES} of {len(traces)} drawn")
    everything = figures.plot_gap_over_time(neg, a, b, top_issues=None)
    assert {t.visible for t in issue_traces(everything)} == {True}
    again = figures.plot_gap_over_time(neg, a, b)
    assert json.dumps(fig.to_plotly_json(), default=str) == json.dumps(
        again.to_plotly_json(), default=str
    )


def test_issue_panel_without_categories_is_one_group(mini):
    neg = dataclasses.replace(mini, issues=mini.issues.drop(columns="category"))
    fig = figures.plot_gap_over_time(neg, "A", "B")
    assert {t.legendgroup for t in issue_traces(fig)} == {"category: Issues"}
    some = mini.issues.copy()
    some.loc[some.index[0], "category"] = pd.NA
    fig = figures.plot_gap_over_time(dataclasses.replace(mini, issues=some), "A", "B")
    assert "category: Uncategorised" in {t.legendgroup for t in issue_traces(fig)}


# --- 4. without carrying forward: points with error bars, no band ---------------------------


@pytest.mark.parametrize("case", ["bundled", "single_date", "no_salience_no_ranges"])
def test_overall_gap_without_carry_forward_is_points_with_error_bars(bundled, edge, case):
    neg = bundled if case == "bundled" else edge(case)
    a, b = nl.default_pair(neg)
    fig = figures.plot_gap_over_time(neg, a, b, carry_forward=False)
    assert not [t for t in fig.data if t.fill]  # no band polygon
    (overall,) = [t for t in fig.data if t.yaxis == "y"]
    expected = gaps.compute_overall_gap(neg, a, b, carry_forward=False)
    with_value = expected.dropna(subset=["gap"])
    points = [i for i, h in enumerate(overall.hoverinfo) if h == "text"]
    assert [overall.x[i] for i in points] == [d.strftime("%Y-%m-%d") for d in with_value["date"]]
    assert [overall.y[i] for i in points] == with_value["gap"].round(2).tolist()
    up = (with_value["gap_high"].round(2) - with_value["gap"].round(2)).round(2).tolist()
    down = (with_value["gap"].round(2) - with_value["gap_low"].round(2)).round(2).tolist()
    assert [overall.error_y.array[i] for i in points] == up
    assert [overall.error_y.arrayminus[i] for i in points] == down
    # a value is joined only up to where it ends (the next row), then the line breaks
    ends = expected["date"].shift(-1)
    for i, end in zip(points, ends[with_value.index], strict=True):
        if not pd.isna(end):
            assert overall.x[i + 1] == end.strftime("%Y-%m-%d")
        assert overall.y[i + 2] is None
    per_issue = [t for t in fig.data if t.yaxis == "y2"]
    assert all(t.mode == "markers" and t.error_y.array is not None for t in per_issue)


def test_overall_gap_with_carry_forward_keeps_its_band(bundled):
    fig = figures.plot_gap_over_time(bundled, "RU", "UA")
    assert len([t for t in fig.data if t.fill == "tonexty" and t.yaxis == "y"]) == 1


def test_max_age_draws_how_long_a_value_holds(mini):
    rows = [("A", "i1", "2022-01-01", 10, 5, 15), ("B", "i1", "2022-01-01", 60, 50, 70)]
    neg = with_positions(mini, rows)
    fig = figures.plot_gap_over_time(neg, "A", "B", max_age="10D", end="2022-02-01")
    (overall,) = [t for t in fig.data if t.yaxis == "y"]
    assert overall.x[:2] == ("2022-01-01", "2022-01-12")  # holds 10 days, ends on day 11
    assert overall.y[:3] == (50.0, 50.0, None)
    assert (overall.error_y.array[0], overall.error_y.arrayminus[0]) == (15.0, 15.0)
    assert not [t for t in fig.data if t.fill]


def test_third_party_distance_without_carry_forward_has_no_band(bundled, edge):
    for neg in (bundled, edge("parties_only")):
        third = nl.default_pair(neg)[0]
        fig = figures.plot_third_party_distance(neg, third, carry_forward=False)
        assert not [t for t in fig.data if t.fill]
        assert all(t.error_y.array is not None for t in fig.data)
