"""widgets.py without a browser: build each explorer, set control values, check what it shows."""

from __future__ import annotations

import dataclasses
import json
import random
import re

import ipywidgets
import pandas as pd
import pytest

from negotiation_lib import evidence as ev
from negotiation_lib import figures, gaps, ids, text, widgets

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def shown_figure(explorer) -> dict | None:
    """The figure dict the Output widget holds (what the browser receives)."""
    outputs = explorer.children[-2].outputs
    return outputs[0]["data"][PLOTLY_MIME] if outputs else None


def issue_markers(fig):
    return [t for t in fig.data if t.yaxis == "y2" and t.mode == "lines+markers"]


def overall_markers(fig):
    return next(t for t in fig.data if t.yaxis == "y" and t.mode == "lines+markers")


def changes(trace, axis="y"):
    """x or y values of the points that carry a hover label (not the step's end point)."""
    values = trace.x if axis == "x" else trace.y
    return [v for v, h in zip(values, trace.hoverinfo, strict=True) if h == "text"]


def assert_no_markup(html_text):
    assert "<script>" not in html_text
    assert "<img" not in html_text


# --- the Explorer container -----------------------------------------------------------------


@pytest.mark.parametrize(
    "build", [widgets.gap_explorer, widgets.position_explorer, widgets.evidence_explorer]
)
def test_explorers_are_vboxes_with_classes_and_state(hostile, build):
    explorer = build(hostile)
    assert isinstance(explorer, ipywidgets.VBox)
    assert "nl-explorer" in explorer._dom_classes
    assert f"nl-{explorer.kind}-explorer" in explorer._dom_classes
    for name, control in explorer.controls.items():
        assert "nl-" + name.replace("_", "-") in control._dom_classes
        assert control.description
    assert explorer.error is None
    assert explorer.message == ""
    assert isinstance(explorer.table, pd.DataFrame)
    assert not explorer.table.empty
    assert_no_markup(explorer.children[-1].value)  # the table HTML


def test_output_widget_holds_the_current_figure(hostile):
    explorer = widgets.gap_explorer(hostile)
    assert shown_figure(explorer) == json.loads(explorer.figure.to_json())
    assert shown_figure(explorer)["layout"]["meta"]["dataset_version"] == "0.0.1"
    explorer.controls["issues"].value = ("security",)
    names = {
        t["meta"]["issue_id"] for t in shown_figure(explorer)["data"] if t.get("yaxis") == "y2"
    }
    assert names == {"security"}


def test_a_failing_view_shows_a_message_not_a_traceback(hostile):
    def broken(**_values):
        raise RuntimeError("boom")

    explorer = widgets.Explorer("broken", {"x": ipywidgets.Checkbox(description="x")}, broken)
    assert explorer.message == "Could not draw this view: boom"
    assert isinstance(explorer.error, RuntimeError)
    assert explorer.figure is None
    assert "boom" in explorer.children[-3].value


# --- gap explorer ---------------------------------------------------------------------------


def test_gap_explorer_default_view_equals_the_plain_function(hostile, bundled):
    for neg in (hostile, bundled):
        explorer = widgets.gap_explorer(neg)
        assert explorer.controls["actor_a"].value == "RU"
        assert explorer.controls["actor_b"].value == "UA"
        assert explorer.figure.to_dict() == figures.plot_gap_over_time(neg, "RU", "UA").to_dict()
        expected = widgets._gap_view(neg, actor_a="RU", actor_b="UA")
        pd.testing.assert_frame_equal(explorer.table, expected.table)


def test_gap_explorer_views_after_others_equal_fresh_views(bundled):
    # the explorer keeps hover labels per row and date across views: each view it shows must
    # equal the same choices drawn from scratch
    explorer = widgets.gap_explorer(bundled)
    slider = explorer.controls["dates"]
    whole = (slider.options[0][1], slider.options[-1][1])
    actors = [a for _, a in explorer.controls["actor_a"].options]
    issues = [i for _, i in explorer.controls["issues"].options]
    rng = random.Random(11)
    for _ in range(40):
        name = rng.choice(["actor_a", "actor_b", "issues", "dates", "dates", "carry_forward"])
        if name in ("actor_a", "actor_b"):
            explorer.controls[name].value = rng.choice(actors[:5])
        elif name == "issues":
            explorer.controls[name].value = tuple(rng.sample(issues, rng.randint(0, 3)))
        elif name == "dates":
            a = rng.randrange(len(slider.options))
            slider.index = (a, rng.randrange(a, len(slider.options)))
        else:
            explorer.controls[name].value = not explorer.controls[name].value
        values = explorer.values()
        window = () if tuple(values["dates"]) == whole else values.pop("dates")
        values.pop("dates", None)
        fresh = widgets._gap_view(bundled, dates=window, **values)
        assert explorer.message == fresh.message
        shown = shown_figure(explorer)
        expected = None if fresh.spec is None else fresh.spec.to_plotly_json()
        assert json.dumps(shown, sort_keys=True) == json.dumps(expected, sort_keys=True)


@pytest.mark.parametrize("carry_forward", [False, True])
def test_gap_views_starting_on_a_change_equal_fresh_views(bundled, carry_forward):
    # a window starting on a change moves earlier rows there: the labels made at its start
    # must not be kept for windows where that date is an ordinary row
    a, b = ids.default_pair(bundled)
    cache = widgets._GapCache(bundled)
    dates = cache._overall_entry(a, b, None, carry_forward, None)[0]["date"]
    end = dates.iloc[-1]
    for start in dates.iloc[1:-1]:
        for window in [(start, end), (dates.iloc[0], end)]:
            choice = {"actor_a": a, "actor_b": b, "carry_forward": carry_forward, "dates": window}
            kept = widgets._gap_view(bundled, cache=cache, **choice).spec.to_plotly_json()
            fresh = widgets._gap_view(bundled, **choice).spec.to_plotly_json()
            assert json.dumps(kept, sort_keys=True) == json.dumps(fresh, sort_keys=True)


def test_gap_explorer_table_holds_the_positions_behind_the_view(hostile):
    explorer = widgets.gap_explorer(hostile)
    assert set(explorer.table["position_id"]) == {
        "P01",
        "P02",
        "P03",
        "P04",
        "P05",
        "P06",
        "P07",
        "P08",
        "P09",
    }
    explorer.controls["issues"].value = ("territory",)
    assert set(explorer.table["position_id"]) == {"P01", "P02", "P03", "P04", "P05"}
    assert [t.meta["issue_id"] for t in issue_markers(explorer.figure)] == ["territory"]


def test_gap_explorer_issue_selection_changes_the_overall_gap(hostile):
    explorer = widgets.gap_explorer(hostile)
    both = changes(overall_markers(explorer.figure))
    explorer.controls["issues"].value = ("security",)
    only_security = changes(overall_markers(explorer.figure))
    expected = gaps.compute_overall_gap(hostile, "RU", "UA", issues=["security"])
    assert only_security == expected["gap"].round(2).tolist()
    assert only_security != both


def test_gap_explorer_date_range(hostile):
    explorer = widgets.gap_explorer(hostile)
    slider = explorer.controls["dates"]
    labels = [label for label, _ in slider.options]
    slider.index = (labels.index("Jan 2024"), len(labels) - 1)
    assert explorer.figure.layout.xaxis2.range[0] == "2024-01-01"
    assert overall_markers(explorer.figure).x[0] == "2024-01-01"
    # in force from 2024 on: P01, P03, P07, P08 (stated earlier) and P04, P05, P09;
    # P02 and P06 were replaced before 2024
    assert set(explorer.table["position_id"]) == {"P01", "P03", "P04", "P05", "P07", "P08", "P09"}


def test_gap_explorer_empty_date_range(hostile):
    explorer = widgets.gap_explorer(hostile)
    slider = explorer.controls["dates"]
    slider.index = (0, 0)  # the month before the first statement
    assert explorer.message == (
        "No common issue between " + ids.actor_names(hostile)["RU"] + " and "
        + ids.actor_names(hostile)["UA"] + " in this range."
    )  # fmt: skip
    assert explorer.figure.data == ()
    assert explorer.table.empty
    assert explorer.error is None


def test_gap_explorer_carry_forward_off(hostile):
    explorer = widgets.gap_explorer(hostile)
    explorer.controls["carry_forward"].value = False
    per_issue = [t for t in explorer.figure.data if t.yaxis == "y2"]
    assert {t.mode for t in per_issue} == {"markers"}  # no steps: nothing is carried
    expected = gaps.compute_overall_gap(hostile, "RU", "UA", carry_forward=False)
    # a point (with error bars) on each day with a value, no band joining them
    assert changes(overall_markers(explorer.figure), "x") == [
        d.strftime("%Y-%m-%d") for d in expected.dropna(subset=["gap"])["date"]
    ]
    assert not [t for t in explorer.figure.data if t.fill]
    assert explorer.error is None


def test_gap_explorer_weights(hostile):
    explorer = widgets.gap_explorer(hostile)
    explorer.controls["weights"].value = "salience"
    expected = gaps.compute_overall_gap(hostile, "RU", "UA", weights="salience")
    assert changes(overall_markers(explorer.figure)) == expected["gap"].round(2).tolist()
    # RU weighs territory 0.9 and security 0.5 in 2022: the weighted mean differs from equal
    assert overall_markers(explorer.figure).y[0] != pytest.approx(75.0)


def test_gap_explorer_says_when_salience_weights_find_no_salience(hostile):
    bare = dataclasses.replace(hostile, positions=hostile.positions.assign(salience=float("nan")))
    explorer = widgets.gap_explorer(bare)
    assert gaps.NO_SALIENCE_NOTE not in explorer.message
    explorer.controls["weights"].value = "salience"
    assert explorer.message == f"Weights: {gaps.NO_SALIENCE_NOTE}"
    assert gaps.NO_SALIENCE_NOTE in explorer._message_box.value  # shown, not only stored
    # the hostile fixture codes salience: no note there
    assert widgets._gap_view(hostile, actor_a="RU", actor_b="UA", weights="salience").message == ""


def test_gap_explorer_pair_without_common_issue(hostile):
    explorer = widgets.gap_explorer(hostile)
    explorer.controls["actor_b"].value = "US"
    assert explorer.message.startswith("No common issue between Russia")
    assert explorer.figure.data == ()
    assert explorer.table.empty
    assert "nl-message-text" in explorer.children[-3].value
    assert_no_markup(explorer.children[-3].value)


def test_gap_explorer_same_actor_twice(hostile):
    explorer = widgets.gap_explorer(hostile)
    explorer.controls["actor_b"].value = "RU"
    assert explorer.message == "Choose two different actors."
    assert explorer.figure is None
    assert shown_figure(explorer) is None
    assert explorer.error is None


def test_gap_explorer_actor_without_positions(hostile):
    explorer = widgets.gap_explorer(hostile, actor_a="ZZ", actor_b="UA")
    assert explorer.message.startswith("No common issue between Silent actor")
    assert explorer.error is None


# --- position explorer ----------------------------------------------------------------------


def test_position_explorer_default_and_issue_change(hostile):
    explorer = widgets.position_explorer(hostile)
    assert explorer.controls["issue"].value == "territory"
    assert (
        explorer.figure.to_dict()
        == figures.plot_positions(hostile, "territory", show_anchors=True).to_dict()
    )
    assert explorer.table["value"].tolist() == [0.0, 50.0, 100.0]
    explorer.controls["issue"].value = "mediation"
    assert explorer.figure.layout.title.text.startswith("Positions on Mediation format")
    markers = [t for t in explorer.figure.data if t.mode == "markers" and t.legendgroup != "key"]
    assert len(markers) == 1
    assert markers[0].x == ("2024-01-15", "2025-05-16")
    assert explorer.table["label"].tolist()[0].startswith("Direct")


def test_position_explorer_actor_selection_and_anchors(hostile):
    explorer = widgets.position_explorer(hostile)
    explorer.controls["actors"].value = ("UA",)
    drawn = [t for t in explorer.figure.data if t.mode == "markers" and t.legendgroup != "key"]
    assert [t.legendgroup for t in drawn] == [text.escape(ids.actor_names(hostile)["UA"])]
    assert len(explorer.figure.layout.shapes) == 3
    explorer.controls["show_anchors"].value = False
    assert explorer.figure.layout.shapes == ()


def test_position_explorer_edges(hostile):
    explorer = widgets.position_explorer(hostile)
    explorer.controls["issue"].value = "single"
    assert explorer.message == ""  # a single statement is a figure, not an edge case
    statements = [t for t in explorer.figure.data if t.mode == "markers" and t.legendgroup != "key"]
    assert len(statements) == 1
    explorer.controls["actors"].value = ("ZZ",)
    assert explorer.message.startswith("No statement on this issue by Silent actor")
    assert explorer.figure.data == ()
    assert explorer.error is None


# --- evidence browser -----------------------------------------------------------------------


def test_evidence_browser_default_is_the_evidence_table(hostile):
    browser = widgets.evidence_explorer(hostile)
    assert browser.figure is None
    pd.testing.assert_frame_equal(browser.table, ev.evidence_table(hostile))


@pytest.mark.parametrize(
    ("control", "value", "expected"),
    [
        ("actors", ("US",), {"P10", "P11"}),
        ("issues", ("single",), {"P12"}),
        ("event", "E2", {"P03", "P08"}),
        ("source_types", ("leak",), {"P08", "P10"}),
        ("confidence", ("medium",), {"P03", "P09", "P11"}),
        ("text", "summary p05", {"P05"}),
    ],
)
def test_evidence_browser_filters(hostile, control, value, expected):
    browser = widgets.evidence_explorer(hostile)
    browser.controls[control].value = value
    assert set(browser.table["position_id"]) == expected
    assert browser.children[-1].value.count("<tr") == len(expected) + 1


def test_evidence_browser_filters_combine_and_empty_gives_a_message(hostile):
    browser = widgets.evidence_explorer(hostile)
    browser.controls["actors"].value = ("RU",)
    browser.controls["confidence"].value = ("high",)
    assert set(browser.table["position_id"]) == {"P01", "P04", "P06", "P12"}
    browser.controls["text"].value = "no such words"
    assert browser.table.empty
    assert browser.message == "No position matches these filters."


def test_evidence_browser_table_links_and_escaping(hostile):
    browser = widgets.evidence_explorer(hostile)
    page = browser.children[-1].value
    assert_no_markup(page)
    hrefs = re.findall(r'href="([^"]*)"', page)
    # the one non-source link is the CSV download of the table on view (percent-encoded data)
    csv = [h for h in hrefs if h.startswith("data:text/csv;charset=utf-8,")]
    assert len(csv) == 1
    sources = [h for h in hrefs if h not in csv]
    assert sources
    assert all(h.startswith("https://") for h in sources)
    assert 'rel="noopener noreferrer"' in page


def test_evidence_browser_on_the_bundled_dataset(bundled):
    browser = widgets.evidence_explorer(bundled)
    assert len(browser.table) == len(bundled.positions)
    browser.controls["actors"].value = ("UA",)
    browser.controls["text"].value = "istanbul"
    assert not browser.table.empty
    assert set(browser.table["actor_id"]) == {"UA"}
    assert ev.search_text(browser.table).str.contains("istanbul").all()


def csv_of(explorer) -> pd.DataFrame:
    """The table the explorer's CSV link downloads, read back."""
    import io
    from urllib.parse import unquote

    href = re.search(r'class="nl-csv-link"[^>]*href="([^"]*)"', explorer.children[-1].value)[1]
    data = unquote(href.replace("&amp;", "&").split(",", 1)[1])
    return pd.read_csv(io.StringIO(data), dtype=str)


def test_explorers_say_how_to_select_several_and_reset_every_control(hostile):
    browser = widgets.evidence_explorer(hostile)
    assert widgets._SELECT_HELP in browser.help.value
    everything = len(browser.table)
    browser.controls["confidence"].value = ("high",)
    browser.controls["text"].value = "no such words anywhere"
    assert browser.table.empty  # filters piled up to nothing
    browser.reset_button.click()
    assert browser.values()["confidence"] == ()
    assert browser.values()["text"] == ""
    assert len(browser.table) == everything
    gap = widgets.gap_explorer(hostile)
    first = gap.values()
    gap.controls["carry_forward"].value = False
    gap.controls["weights"].value = "salience"
    gap.reset()
    assert gap.values() == first


def test_explorer_csv_link_downloads_the_table_on_view(hostile):
    browser = widgets.evidence_explorer(hostile)
    browser.controls["actors"].value = ("UA",)
    downloaded = csv_of(browser)
    assert downloaded["position_id"].tolist() == browser.table["position_id"].tolist()
    assert set(downloaded["actor_id"]) == {"UA"}
    assert widgets._csv_link(pd.DataFrame(), "x.csv") == ""
    link = widgets._csv_link(pd.DataFrame({"a": ['"><script>']}), 'a"b.csv')
    assert "<script>" not in link
    assert 'download="a&quot;b.csv"' in link


def test_explorer_shows_a_placeholder_before_a_kernel_runs(hostile):
    explorer = widgets.position_explorer(hostile)
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == widgets._PLACEHOLDER
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "children=" not in repr(explorer)


def test_gap_and_position_explorers_filter_by_confidence(hostile):
    from negotiation_lib import summaries

    high = summaries.filter_positions(hostile, confidence=["high"])
    assert 0 < len(high.positions) < len(hostile.positions)  # the filter has work to do
    gap = widgets.gap_explorer(hostile)
    gap.controls["confidence"].value = "high"
    expected = gaps.compute_overall_gap(high, "RU", "UA")
    assert changes(overall_markers(gap.figure)) == expected["gap"].round(2).tolist()
    assert "high only" in gap.message
    kept = set(high.positions["position_id"])
    assert set(gap.table["position_id"]) <= kept
    plain = widgets._gap_view(hostile, actor_a="RU", actor_b="UA", confidence="high")
    assert plain.table["position_id"].tolist() == gap.table["position_id"].tolist()
    medium = summaries.filter_positions(hostile, confidence=["medium", "high"])
    gap.controls["confidence"].value = "medium+"
    expected = gaps.compute_overall_gap(medium, "RU", "UA")
    assert changes(overall_markers(gap.figure)) == expected["gap"].round(2).tolist()
    gap.reset()
    assert gap.message == ""

    position = widgets.position_explorer(hostile)
    on_issue = hostile.positions[hostile.positions["issue_id"] == position.values()["issue"]]

    def statements_shown():
        drawn = [t for t in position.figure.data if t.mode == "markers" and t.legendgroup != "key"]
        return sum(len(t.x) for t in drawn)

    assert statements_shown() == len(on_issue)
    position.controls["confidence"].value = "high"
    assert statements_shown() == (on_issue["confidence"] == "high").sum() < len(on_issue)
    assert "high only" in position.message
    with pytest.raises(ValueError, match="confidence must be one of"):
        widgets._by_confidence(hostile, "very high")
