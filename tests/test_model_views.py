"""Figures and the what-if explorer of the bargaining models, on the hand-computed fixture.

``tests/fixtures/bargain`` (see tests/test_models.py for the arithmetic): on the day before
the agreed text (2024-02-29) issue x has A 30 (weight 1), C 50 (1), B 80 (0.5); the models
give compromise 48, weighted median 50, midpoint of A and B 55; the agreed value is 45. Its
texts carry markup: B's name is ``Beta <i>state</i>``, the agreed text's source title holds a
``<script>`` tag and its quote ``<b>line 45</b> & done``.
"""

from __future__ import annotations

import json
import re

import ipywidgets
import pandas as pd
import pytest
from figure_strings import strings
from fixtures.edit import FIXTURES

import negotiation_lib as nl
from negotiation_lib import figures, models, widgets

PLOTLY_MIME = "application/vnd.plotly.v1+json"
# a hover's source link: an http(s) URL with nothing that could end plotly's attribute or tag
SOURCE_LINK = re.compile(r"<a href='https?://[^\"'<> `]*' style='color:inherit'>")


@pytest.fixture(scope="module")
def bargain():
    return nl.load(FIXTURES / "bargain")


def all_model_figures(neg):
    return {
        "forecast_vs_outcome": figures.plot_forecast_vs_outcome(neg),
        "forecasts_over_time": figures.plot_forecasts_over_time(neg, "x"),
        "forecast_sensitivity": figures.plot_forecast_sensitivity(
            neg, "2024-02-15", capability={"A": (1, 3)}, method="grid", steps=3
        ),
        "whatif": figures.plot_whatif(neg),
    }


def trace(fig, name):
    (found,) = [t for t in fig.data if t.name == name]
    return found


# --- every model figure ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["forecast_vs_outcome", "forecasts_over_time", "forecast_sensitivity", "whatif"]
)
def test_model_figures_carry_provenance_and_escape_every_text(bargain, kind):
    fig = all_model_figures(bargain)[kind]
    assert fig.layout.meta == {
        "dataset_id": "bargain-fixture",
        "dataset_version": "0.0.1",
        "figure": kind,
    }
    assert fig.layout.width == figures.WIDTH
    assert figures.figure_message(fig) == ""
    for where, text in strings(fig.to_plotly_json()):
        tags = {t for t in re.findall(r"<[^>]*>", text) if not SOURCE_LINK.fullmatch(t)}
        assert tags <= {"<br>", "<b>", "</b>", "</a>", "<u>", "</u>"}, f"{where}: {text[:200]}"
    again = all_model_figures(bargain)[kind]
    assert json.dumps(fig.to_plotly_json(), default=str) == json.dumps(
        again.to_plotly_json(), default=str
    )


def test_forecast_vs_outcome_points_errors_and_quote(bargain):
    fig = figures.plot_forecast_vs_outcome(bargain)
    outcome = trace(fig, "Agreed outcome")
    assert list(outcome.x) == [45.0]
    (row,) = outcome.y
    assert row.startswith("2024-03-01 · Border line")
    # the agreed text's quote and source in the hover, escaped
    assert "&lt;b&gt;line 45&lt;/b&gt; &amp; done" in outcome.hovertext[0]
    assert "&lt;script&gt;x&lt;/script&gt;" in outcome.hovertext[0]
    expected = {
        "Compromise (weighted mean)": (48.0, "+3"),
        "Weighted median": (50.0, "+5"),
        "Midpoint of A and B": (55.0, "+10"),
    }
    for name, (x, error) in expected.items():
        marker = trace(fig, name)
        assert list(marker.x) == [x]
        assert list(marker.text) == [error]
        assert "Error (forecast − agreed): " + error in marker.hovertext[0]
        line = trace(fig, f"{name} error")
        assert list(line.x) == [45.0, x, None]


def test_forecast_vs_outcome_without_agreed_texts_says_so(mini):
    fig = figures.plot_forecast_vs_outcome(mini)
    assert "No agreed outcome" in figures.figure_message(fig)
    assert not fig.data


def test_forecasts_over_time_drawn_over_the_positions(bargain):
    fig = figures.plot_forecasts_over_time(bargain, "x", models="compromise")
    forecast = trace(fig, "Forecast: Compromise (weighted mean)")
    # the changes (hand values in tests/test_models.py), the last one held to the last date
    assert list(forecast.x) == ["2024-01-01", "2024-01-10", "2024-02-01", "2024-03-01"]
    assert list(forecast.y) == [32.0, 37.14, 48.0, 50.0]
    # the positions are there too: every actor with a statement on x, the agreed text included
    names = {t.name for t in fig.data if t.mode == "markers"}
    assert {"Alpha", "Beta &lt;i&gt;state&lt;/i&gt;", "Mediator C", "Joint text of A and B"} <= (
        names
    )


def test_sensitivity_figure_spreads_and_coded_marker(bargain):
    fig = figures.plot_forecast_sensitivity(
        bargain, "2024-02-15", capability={"A": (1, 3)}, method="grid", steps=3, issues=["x"]
    )
    box = trace(fig, "Compromise (weighted mean)")
    assert box.type == "box"
    # the three grid draws of A's capability: 1, 2, 3 (tests/test_models.py)
    assert sorted(box.x) == pytest.approx([45.0, 48.0, 52.5])
    coded = trace(fig, "Compromise (weighted mean), as coded")
    assert list(coded.x) == [48.0]
    assert "capability[A]" in fig.layout.title.text
    assert "3 draws" in fig.layout.title.text


def test_whatif_figure(bargain):
    fig = figures.plot_whatif(bargain)
    assert list(trace(fig, "Forecast: Compromise (weighted mean)").x) == [48.0, 56.0]
    assert list(trace(fig, "Agreed outcome").x) == [45.0]
    assert list(trace(fig, "Alpha").x) == [30.0, 60.0]
    assert "2024-02-29" in fig.layout.title.text


@pytest.mark.parametrize(
    "plot",
    [
        lambda neg, pair: figures.plot_whatif(neg, pair=pair),
        lambda neg, pair: figures.plot_forecast_vs_outcome(neg, pair=pair),
        lambda neg, pair: figures.plot_forecasts_over_time(neg, "x", pair=pair),
    ],
)
def test_model_figures_check_the_pair_they_are_given(bargain, plot):
    with pytest.raises(nl.UnknownIdError, match="unknown actor id 'Nobody' in pair"):
        plot(bargain, ["A", "Nobody"])
    with pytest.raises(ValueError, match="pair must name two actors"):
        plot(bargain, ["A"])


# --- the what-if explorer -------------------------------------------------------------------


def shown_figure(explorer):
    outputs = explorer.children[-2].outputs
    return outputs[0]["data"][PLOTLY_MIME] if outputs else None


def forecast_of(explorer, issue="x"):
    return explorer.table.set_index("issue_id").loc[issue, "forecast"]


def test_whatif_explorer_controls_and_default_view(bargain):
    explorer = widgets.whatif_explorer(bargain)
    assert isinstance(explorer, ipywidgets.VBox)
    assert "nl-whatif-explorer" in explorer._dom_classes
    # one slider per non-joint actor, starting at actors.capability (1 where empty)
    sliders = {n: c for n, c in explorer.controls.items() if n.startswith("capability_")}
    assert list(sliders) == ["capability_A", "capability_B", "capability_C"]
    assert [s.value for s in sliders.values()] == [2.0, 1.0, 1.0]
    assert all(isinstance(s, ipywidgets.FloatSlider) for s in sliders.values())
    assert "nl-capability-A" in sliders["capability_A"]._dom_classes
    assert explorer.controls["model"].value == "compromise"
    assert explorer.controls["date"].value == pd.Timestamp("2024-03-01")
    assert explorer.error is None
    assert explorer.figure.to_dict() == figures.plot_whatif(bargain).to_dict()
    expected = widgets._whatif_view(bargain)
    pd.testing.assert_frame_equal(explorer.table, expected.table)
    assert forecast_of(explorer) == pytest.approx(48.0)
    assert explorer.table.set_index("issue_id").loc["x", "outcome"] == 45.0
    html = explorer.children[-1].value
    assert "<script>" not in html


def test_whatif_explorer_sliders_model_and_date_redraw(bargain):
    explorer = widgets.whatif_explorer(bargain)
    before = shown_figure(explorer)
    explorer.controls["capability_A"].value = 1.0
    # weights A 0.5, C 1, B 0.5: 105 / 2
    assert forecast_of(explorer) == pytest.approx(52.5)
    assert shown_figure(explorer) != before
    assert "A=1" in explorer.table.set_index("issue_id").loc["x", "capability"]
    explorer.controls["capability_B"].value = 3.0
    # weights A 0.5, C 1, B 1.5: (15 + 50 + 120) / 3
    assert forecast_of(explorer) == pytest.approx(185 / 3)
    explorer.controls["model"].value = "weighted_median"
    # total 3, half 1.5; cumulative 0.5 at 30, 1.5 at 50 -> 50
    assert forecast_of(explorer) == 50.0
    explorer.controls["model"].value = "midpoint"
    assert forecast_of(explorer) == 55.0
    dates = dict(explorer.controls["date"].options)
    after = dates["After the last statement (latest positions)"]
    assert after == pd.Timestamp("2024-03-02")
    explorer.controls["date"].value = after
    # positions of 2024-03-01 count now: B at 90; the agreed 45 is still the latest outcome
    assert forecast_of(explorer) == (30 + 90) / 2
    assert explorer.table.set_index("issue_id").loc["x", "outcome"] == 45.0
    assert explorer.error is None


def test_whatif_explorer_without_agreed_texts(mini):
    explorer = widgets.whatif_explorer(mini)
    assert explorer.error is None
    assert explorer.message == "No agreed outcome up to this date: only the forecasts are shown."
    assert [label for label, _ in explorer.controls["date"].options] == [
        "After the last statement (latest positions)"
    ]
    assert explorer.table["forecast"].notna().any()


def test_forecast_and_outcomes_by_hand(bargain):
    t = models.forecast_and_outcomes(bargain, "2024-03-01", capability={"A": 1})
    row = t.set_index("issue_id").loc["x"]
    assert row["forecast"] == pytest.approx(52.5)
    assert row["outcome"] == 45.0
    assert row["error"] == pytest.approx(7.5)
    assert row["outcome_position_id"] == "p7"
    assert pd.isna(t.set_index("issue_id").loc["y", "outcome"])
    # before the agreement there is no outcome yet
    early = models.forecast_and_outcomes(bargain, "2024-02-01")
    assert early["outcome"].isna().all()
    with pytest.raises(ValueError, match="model"):
        models.forecast_and_outcomes(bargain, "2024-03-01", model=["compromise"])
