"""figures.py: structure, hover content, provenance, escaping and edge cases of every plot_*."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from figure_strings import strings

from negotiation_lib import evidence as ev
from negotiation_lib import figures, gaps, ids, text

ALLOWED_TAGS = {"<br>", "<b>", "</b>", "<i>", "</i>"}
# a source link in a hover: an http(s) URL with nothing that could end the attribute or tag
LINK_TAG = re.compile(r"<a href='https?://[^\"'<> `]*' style='color:inherit'>")
KINDS = ["positions", "gap", "heatmap", "snapshot", "movement", "third_party"]


def all_figures(neg):
    """One figure of each kind on the hostile fixture, by name."""
    return {
        "positions": figures.plot_positions(neg, "territory", show_anchors=True),
        "gap": figures.plot_gap_over_time(neg, "RU", "UA"),
        "heatmap": figures.plot_gap_heatmap(neg, "RU", "UA"),
        "snapshot": figures.plot_snapshot(neg, "2025-06-01"),
        "movement": figures.plot_movement(
            neg, actors=["RU", "UA"], start="2022-04-01", end="2025-06-01"
        ),
        "third_party": figures.plot_third_party_distance(neg, "UA", parties=["RU"]),
    }


def annotation(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


def traces(fig, mode):
    """The traces drawn in ``mode`` (not the entries of a key to the marker symbols)."""
    return [t for t in fig.data if getattr(t, "mode", None) == mode and t.legendgroup != "key"]


def gap_traces(fig, axis):
    """The step traces with hover markers on one panel ("y": overall, "y2": per issue)."""
    return [t for t in fig.data if t.yaxis == axis and t.mode == "lines+markers"]


def changes(trace):
    """(x, y) of the points that carry a hover label (the changes, not the end point)."""
    return [
        (x, y) for x, y, h in zip(trace.x, trace.y, trace.hoverinfo, strict=True) if h == "text"
    ]


# --- every figure ---------------------------------------------------------------------------


def test_importing_the_package_does_not_import_plotly_or_ipywidgets():
    code = (
        "import sys, negotiation_lib as nl; nl.load('ru-ua-2022-2026');"
        "print('plotly' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_figure_carries_provenance_size_and_template(hostile, kind):
    fig = all_figures(hostile)[kind]
    (provenance,) = annotation(fig, "provenance")
    assert provenance.text == "Data: hostile-fixture v0.0.1"
    assert fig.layout.meta == {
        "dataset_id": "hostile-fixture",
        "dataset_version": "0.0.1",
        "figure": kind,
    }
    assert fig.layout.width == figures.WIDTH
    assert fig.layout.height >= figures.HEIGHT
    assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white, set explicitly
    assert figures.figure_message(fig) == ""  # the default views have nothing missing


@pytest.mark.parametrize("kind", KINDS)
def test_every_text_from_data_is_escaped(hostile, kind):
    fig = all_figures(hostile)[kind]
    found_escaped = False
    for where, label in strings(fig.to_plotly_json()):
        tags = set(re.findall(r"<[^>]*>", label))
        links = {t for t in tags if LINK_TAG.fullmatch(t)} | {"</a>", "<u>", "</u>"}
        assert tags <= ALLOWED_TAGS | links, f"{where}: {label[:200]}"
        assert "&amp; “" not in label, f"{where}: raw entity from data: {label[:200]}"
        found_escaped |= "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror" in label
    assert found_escaped


@pytest.mark.parametrize("kind", KINDS)
def test_figures_are_deterministic(hostile, kind):
    first = json.dumps(all_figures(hostile)[kind].to_plotly_json(), sort_keys=True, default=str)
    again = json.dumps(all_figures(hostile)[kind].to_plotly_json(), sort_keys=True, default=str)
    assert first == again


def test_size_and_template_are_passed_through(hostile):
    fig = figures.plot_positions(
        hostile, "territory", width=500, height=300, template="simple_white"
    )
    assert (fig.layout.width, fig.layout.height) == (500, 300)
    assert fig.layout.template.layout.plot_bgcolor == "white"
    assert fig.layout.template.layout.xaxis.showgrid is False  # simple_white has no grid


# --- positions ------------------------------------------------------------------------------


def test_positions_steps_bands_and_markers(hostile):
    fig = figures.plot_positions(hostile, "territory")
    markers = traces(fig, "markers")
    assert [m.legendgroup.split(" ")[0] for m in markers] == ["Russia", "Ukraine"]  # file order
    russia = markers[0]
    assert russia.x == ("2022-03-29", "2025-05-16")
    assert russia.y == (90.0, 100.0)
    assert russia.marker.color == "#B22222"  # actors.color
    assert russia.marker.symbol == ("circle", "x")  # demand, red_line
    lines = [t for t in fig.data if t.line.shape == "hv" and t.fill is None and t.line.width]
    ukraine_line = lines[1]
    # a position holds until restated: the line runs on to the last statement in the dataset
    assert ukraine_line.x == ("2022-03-29", "2023-06-01", "2025-05-16")
    assert ukraine_line.y == (10.0, 25.0, 30.0)
    band_high = [t for t in fig.data if t.fill == "tonexty"][1]
    assert band_high.y == (15.0, 30.0, 40.0)
    assert fig.layout.yaxis.range == (-5, 105)
    assert fig.layout.yaxis.tickvals == (0, 50, 100)
    assert fig.layout.yaxis.ticktext[0].startswith("Full return")
    assert fig.layout.yaxis.ticktext[2].startswith("Full annexation")


def test_positions_hover_shows_date_actor_stance_summary_quote_source(hostile):
    fig = figures.plot_positions(hostile, "territory")
    hover = traces(fig, "markers")[0].hovertext[0]
    for part in (
        "2022-03-29",
        "Russia",
        "demand",
        "Summary P01",
        "Quote P01",
        "Kremlin",
        "Official text",
    ):
        assert part in hover
    assert "&lt;img src=x onerror=alert(1)&gt;" in hover


def test_positions_anchors_are_dotted_lines(hostile):
    fig = figures.plot_positions(hostile, "territory", show_anchors=True)
    assert sorted(s.y0 for s in fig.layout.shapes) == [0, 50, 100]
    assert len(annotation(fig, "anchor")) == 3
    assert figures.plot_positions(hostile, "territory").layout.shapes == ()


def test_positions_window_starts_with_the_value_in_force(hostile):
    fig = figures.plot_positions(hostile, "territory", start="2024-01-01", end="2025-12-31")
    line = next(t for t in fig.data if t.line.width == 2.5)
    assert line.x == ("2024-01-01", "2025-05-16", "2025-12-31")
    assert line.y == (90.0, 100.0, 100.0)
    assert traces(fig, "markers")[0].x == ("2025-05-16",)
    assert fig.layout.xaxis.range == ("2024-01-01", "2025-12-31")


def test_positions_single_statement(hostile):
    fig = figures.plot_positions(hostile, "single")
    (marker,) = traces(fig, "markers")
    assert marker.x == ("2025-05-16",)
    assert figures.figure_message(fig) == ""


def test_positions_actor_without_statements_gets_a_message(hostile):
    fig = figures.plot_positions(hostile, "territory", actors=["RU", "ZZ"])
    assert len(traces(fig, "markers")) == 1
    assert figures.figure_message(fig).startswith("No statement on this issue: Silent actor")
    alone = figures.plot_positions(hostile, "territory", actors=["ZZ"])
    assert alone.data == ()
    assert "No statement on this issue by Silent actor" in figures.figure_message(alone)


def test_positions_empty_date_range_gets_a_message(hostile):
    fig = figures.plot_positions(hostile, "territory", start="2025-01-01", end="2024-01-01")
    assert fig.data == ()
    assert figures.figure_message(fig).startswith("The date range is empty")


def test_positions_unknown_ids_raise_with_the_known_ones(hostile):
    with pytest.raises(KeyError, match="known: territory"):
        figures.plot_positions(hostile, "nope")
    with pytest.raises(KeyError, match="known: RU, UA"):
        figures.plot_positions(hostile, "territory", actors=["XX"])


# --- gap over time --------------------------------------------------------------------------


def test_gap_over_time_overall_on_top_issues_below(hostile):
    fig = figures.plot_gap_over_time(hostile, "RU", "UA")
    top = [t for t in fig.data if t.yaxis == "y"]
    bottom = [t for t in fig.data if t.yaxis == "y2"]
    overall = gaps.compute_overall_gap(hostile, "RU", "UA")
    (top_markers,) = gap_traces(fig, "y")
    assert [y for _, y in changes(top_markers)] == overall["gap"].round(2).tolist()
    assert "Issues covered: 2" in top_markers.hovertext[0]
    band = [t for t in top if t.fill == "tonexty"]
    assert len(band) == 1
    issue_markers = gap_traces(fig, "y2")
    assert len(bottom) == len(issue_markers)
    assert [t.meta["issue_id"] for t in issue_markers] == ["territory", "security"]
    per_issue = gaps.compute_gaps(hostile, "RU", "UA")
    territory = per_issue[per_issue["issue_id"] == "territory"]
    assert [y for _, y in changes(issue_markers[0])] == territory["gap"].round(2).tolist()
    # the step runs on to the last statement date, without a hover label there
    assert issue_markers[0].x[-1] == "2025-05-16"
    assert fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]


def test_gap_hover_shows_both_positions_with_quotes_and_sources(hostile):
    fig = figures.plot_gap_over_time(hostile, "RU", "UA")
    marker = gap_traces(fig, "y2")[0]
    hover = marker.hovertext[0]
    for part in ("2022-03-29", "Gap: 80 (interval 70–90)", "Russia", "Ukraine"):
        assert part in hover
    for part in ("Summary P01", "Quote P01", "Summary P02", "Quote P02", "Kremlin"):
        assert part in hover


def test_gap_over_time_window_and_weights(hostile):
    fig = figures.plot_gap_over_time(hostile, "RU", "UA", start="2024-01-01", end="2025-12-31")
    assert fig.layout.xaxis2.range == ("2024-01-01", "2025-12-31")
    top_markers = gap_traces(fig, "y")[0]
    assert top_markers.x[0] == "2024-01-01"
    weighted = figures.plot_gap_over_time(hostile, "RU", "UA", weights="salience")
    expected = gaps.compute_overall_gap(hostile, "RU", "UA", weights="salience")
    weighted_markers = gap_traces(weighted, "y")[0]
    assert [y for _, y in changes(weighted_markers)] == expected["gap"].round(2).tolist()


def test_gap_over_time_no_common_issue(hostile):
    fig = figures.plot_gap_over_time(hostile, "RU", "US")
    assert fig.data == ()
    assert figures.figure_message(fig).startswith("No common issue between Russia")
    later = figures.plot_gap_over_time(hostile, "RU", "UA", end="2021-12-31")
    assert figures.figure_message(later).endswith("in this range.")
    backwards = figures.plot_gap_over_time(
        hostile, "RU", "UA", start="2025-01-01", end="2024-01-01"
    )
    assert figures.figure_message(backwards).startswith("The date range is empty")


# --- heatmap --------------------------------------------------------------------------------


def test_heatmap_cells_are_the_gap_in_force(hostile):
    dates = ["2022-01-01", "2023-07-01", "2025-06-01"]
    fig = figures.plot_gap_heatmap(hostile, "RU", "UA", dates=dates)
    (heat,) = fig.data
    assert heat.x == tuple(dates)
    assert heat.y[0].startswith("Territory")
    assert heat.y[1].startswith("Security")
    # territory: nothing stated yet; RU 90 vs UA 25; RU 100 vs UA 30
    assert list(heat.z[0]) == [None, 65.0, 70.0]
    # security: RU 70 (2023) vs UA 10, then UA 20 (2025)
    assert list(heat.z[1]) == [None, 60.0, 50.0]
    assert heat.hovertext[0][0] == "No common position"
    assert "Quote P03" in heat.hovertext[0][1]


def test_heatmap_default_grid_is_quarterly_and_ends_at_the_last_statement(hostile):
    grid = figures._heatmap_dates(hostile)
    assert grid[0] == pd.Timestamp("2022-01-01")
    assert grid[-1] == pd.Timestamp("2025-05-16")
    assert (grid[1:-1].month % 3 == 1).all()


def test_heatmap_no_common_issue(hostile):
    fig = figures.plot_gap_heatmap(hostile, "RU", "ZZ")
    assert fig.data == ()
    assert "No common issue" in figures.figure_message(fig)


# --- snapshot -------------------------------------------------------------------------------


def test_snapshot_dumbbell(hostile):
    # by default the parties and the mediator (US); the first two (the parties) are the pair
    default = figures.plot_snapshot(hostile, "2025-06-01")
    assert [m.name.split(" ")[0] for m in traces(default, "markers")][:2] == ["Russia", "Ukraine"]
    assert len(traces(default, "markers")) == 3
    fig = figures.plot_snapshot(hostile, "2025-06-01", actors=["RU", "UA"])
    markers = traces(fig, "markers")
    assert [m.name.split(" ")[0] for m in markers] == ["Russia", "Ukraine"]
    russia, ukraine = markers
    assert russia.x == (100.0, 70.0, 50.0)  # territory, security, single
    assert ukraine.x == (30.0, 20.0)
    assert ukraine.error_x.arrayminus == (5.0, 5.0)
    assert ukraine.error_x.array == (10.0, 5.0)
    assert [a.text for a in annotation(fig, "gap")] == ["gap 70", "gap 50"]
    bar = fig.data[0]
    assert bar.x == (30.0, 100.0, None, 20.0, 70.0, None)
    assert "Quote P04" in russia.hovertext[0]


def test_snapshot_edges(hostile):
    before = figures.plot_snapshot(hostile, "2020-01-01")
    assert before.data == ()
    assert "holds a position as of 2020-01-01" in figures.figure_message(before)
    partial = figures.plot_snapshot(hostile, "2025-06-01", actors=["RU", "ZZ"])
    assert figures.figure_message(partial).startswith("No position as of this date: Silent")


# --- movement -------------------------------------------------------------------------------


def test_movement_frame_toward_and_away(hostile):
    frame = figures._movement_frame(
        hostile, actors=["RU", "UA"], start="2022-04-01", end="2025-06-01"
    )
    rows = {(r.actor_id, r.issue_id): r for r in frame.itertuples()}
    ru_territory = rows[("RU", "territory")]
    assert (ru_territory.value_start, ru_territory.value_end) == (90.0, 100.0)
    assert (ru_territory.toward, ru_territory.away) == ("", "UA")
    assert (rows[("RU", "security")].change, rows[("RU", "security")].toward) == (-10.0, "UA")
    assert (rows[("UA", "territory")].change, rows[("UA", "territory")].toward) == (20.0, "RU")
    assert list(frame["actor_id"]) == ["RU", "RU", "UA", "UA"]


def test_plot_movement_arrows_and_hover(hostile):
    fig = figures.plot_movement(hostile, actors=["RU", "UA"], start="2022-04-01", end="2025-06-01")
    starts = [t for t in fig.data if t.marker.symbol == "circle-open"]
    ends = [t for t in fig.data if t.hoverinfo == "text" and t not in starts]
    assert [t.name.split(" ")[0] for t in ends] == ["Russia", "Ukraine"]
    assert starts[0].x == (90.0, 80.0)
    assert "Quote P01" in starts[0].hovertext[0]  # the statement in force at the start
    assert ends[0].x == (100.0, 70.0)
    assert ends[0].marker.symbol == ("triangle-right", "triangle-left")
    hover = ends[0].hovertext[0]
    assert "90 → 100 (change 10)" in hover
    assert "Toward: nobody" in hover
    assert "Away from: Ukraine" in hover
    assert "Quote P04" in hover  # the statement in force at the end
    assert fig.layout.yaxis.ticktext[0].startswith("Territory")


def test_movement_edges(hostile):
    nobody = figures.plot_movement(hostile, actors=["ZZ"])
    assert nobody.data == ()
    assert "at both dates" in figures.figure_message(nobody)
    backwards = figures.plot_movement(hostile, start="2025-01-01", end="2024-01-01")
    assert figures.figure_message(backwards).startswith("The date range is empty")


# --- the bundled dataset --------------------------------------------------------------------


def test_bundled_figures_build_with_provenance(bundled):
    version = bundled.version
    for fig in [
        figures.plot_positions(bundled, "territory_donbas"),
        figures.plot_gap_over_time(bundled, "RU", "UA"),
        figures.plot_gap_heatmap(bundled, "RU", "UA"),
        figures.plot_snapshot(bundled, "2025-06-02"),
        figures.plot_movement(bundled, start="2025-01-01", end="2025-12-31"),
    ]:
        (provenance,) = annotation(fig, "provenance")
        assert provenance.text == f"Data: ru-ua-2022-2026 v{text.escape(version)}"
        labels = [h for t in fig.data if t.hovertext for h in t.hovertext]
        assert any("Source:" in str(h) for h in labels)


def test_specs_send_the_same_json_as_the_validated_figure(hostile):
    """Explorers send a spec's dicts to the browser without building graph objects; they
    must equal what the validated Figure serialises to."""
    evidence = ev.evidence_frame(hostile)
    issue = ids.issue_row(hostile, "territory")
    specs = [
        figures._positions_spec(hostile, evidence[evidence["issue_id"] == "territory"],
                                gaps.combined_positions(hostile, issues=["territory"]), issue,
                                anchors=ev.anchor_table(hostile, "territory")),
        figures._gap_spec(hostile, gaps.compute_gaps(hostile, "RU", "UA"),
                         gaps.compute_overall_gap(hostile, "RU", "UA"), actor_a="RU",
                         actor_b="UA", evidence=evidence, start="2023-01-01"),
        figures._gap_spec(hostile, gaps.compute_gaps(hostile, "RU", "US"),
                         gaps.compute_overall_gap(hostile, "RU", "US"), actor_a="RU",
                         actor_b="US", evidence=evidence),
    ]  # fmt: skip
    for spec in specs:
        assert spec.to_plotly_json() == json.loads(spec.figure().to_json())
    assert specs[2].message.startswith("No common issue")


# --- third parties --------------------------------------------------------------------------


def test_snapshot_bar_joins_the_first_two_actors_only(hostile):
    fig = figures.plot_snapshot(hostile, "2025-06-01", actors=["RU", "UA", "US"])
    assert fig.data[0].x == (30.0, 100.0, None, 20.0, 70.0, None)  # US is a marker only
    assert [a.text for a in annotation(fig, "gap")] == ["gap 70", "gap 50"]
    assert [m.name.split(" ")[0] for m in traces(fig, "markers")] == ["Russia", "Ukraine", "United"]


def test_third_party_distance(hostile):
    fig = figures.plot_third_party_distance(hostile, "UA", parties=["RU"])
    (line,) = [t for t in fig.data if t.mode == "lines+markers"]
    expected = gaps.compute_overall_gap(hostile, "UA", "RU")
    assert [y for _, y in changes(line)] == expected["gap"].round(2).tolist()
    assert line.line.color == "#B22222"  # the party's colour
    assert "Issues covered: 2" in line.hovertext[0]
    assert figures.figure_message(fig) == ""
    partial = figures.plot_third_party_distance(hostile, "RU", parties=["UA", "ZZ"])
    assert figures.figure_message(partial).startswith("No common issue between Russia")
    assert figures.figure_message(partial).endswith("Silent actor <script>alert(1)</script>"
                                                    " <img src=x onerror=alert(1)> &amp;"
                                                    " “Переговоры” ‘ok’.")  # fmt: skip
    assert len([t for t in partial.data if t.mode == "lines+markers"]) == 1
    alone = figures.plot_third_party_distance(hostile, "US", parties=["RU", "UA"])
    assert alone.data == ()


def test_without_carrying_forward_gaps_are_points_not_steps(hostile):
    fig = figures.plot_gap_over_time(hostile, "RU", "UA", carry_forward=False)
    per_issue = [t for t in fig.data if t.yaxis == "y2"]
    assert per_issue
    assert {t.mode for t in per_issue} == {"markers"}
    territory = next(t for t in per_issue if t.meta["issue_id"] == "territory")
    assert territory.x == ("2022-03-29", "2025-05-16")  # both spoke on these days only
    heat = figures.plot_gap_heatmap(
        hostile, "RU", "UA", dates=["2022-03-29", "2023-07-01"], carry_forward=False
    ).data[0]
    assert list(heat.z[0]) == [80.0, None]
    carried = figures.plot_gap_heatmap(hostile, "RU", "UA", dates=["2022-03-29", "2023-07-01"])
    assert list(carried.data[0].z[0]) == [80.0, 65.0]
