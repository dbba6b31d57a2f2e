"""Bargaining models and the backtest, checked against values worked out by hand.

The fixture ``tests/fixtures/bargain``: three actors, two issues, one agreed text.

- Actors: A (party, capability 2), B (party, capability empty = 1), C (mediator, 1), and the
  joint actor J (the agreed text). Default pair: A and B (the first two parties).
- Issue x: A 20 (salience 1) on 2024-01-01, then 30 (salience 0.5) on 2024-02-01; B 80 (0.5)
  on 2024-01-01 and 90 (0.5) on 2024-03-01, the day of the agreement; C 50 (no salience = 1)
  on 2024-01-10. J agrees on 45 on 2024-03-01.
- Issue y: A 60 (no salience = 1), B 40 (0.5), both on 2024-01-01.

Weight of an actor = salience x capability. On 2024-02-15 on x: A 0.5 x 2 = 1, C 1 x 1 = 1,
B 0.5 x 1 = 0.5; total 2.5. On y: A 1 x 2 = 2, B 0.5 x 1 = 0.5; total 2.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures.edit import FIXTURES

import negotiation_lib as nl
from negotiation_lib import models


@pytest.fixture(scope="module")
def bargain():
    return nl.load(FIXTURES / "bargain")


def table(frame: pd.DataFrame, column: str = "forecast") -> dict:
    return {(r.issue_id, r.model): getattr(r, column) for r in frame.itertuples()}


# --- forecast --------------------------------------------------------------------------------


def test_forecast_by_hand(bargain):
    f = nl.forecast(bargain, "2024-02-15")
    assert list(f.columns) == list(models.FORECAST_COLUMNS)
    assert list(zip(f["issue_id"], f["model"], strict=True)) == [
        ("x", "compromise"),
        ("x", "weighted_median"),
        ("x", "midpoint"),
        ("y", "compromise"),
        ("y", "weighted_median"),
        ("y", "midpoint"),
    ]
    got = table(f)
    # x: (30*1 + 50*1 + 80*0.5) / 2.5 = 120 / 2.5
    assert got["x", "compromise"] == pytest.approx(48.0)
    # x in value order: 30 (1), 50 (1), 80 (0.5); cumulative 1, 2 -> first >= 1.25 is at 50
    assert got["x", "weighted_median"] == 50.0
    assert got["x", "midpoint"] == (30 + 80) / 2
    # y: (60*2 + 40*0.5) / 2.5 = 140 / 2.5
    assert got["y", "compromise"] == pytest.approx(56.0)
    # y in value order: 40 (0.5), 60 (2); cumulative 0.5, 2.5 -> first >= 1.25 is at 60
    assert got["y", "weighted_median"] == 60.0
    assert got["y", "midpoint"] == (60 + 40) / 2
    assert table(f, "weight")["x", "compromise"] == pytest.approx(2.5)
    assert np.isnan(table(f, "weight")["x", "midpoint"])
    assert table(f, "n_actors") == {
        ("x", "compromise"): 3,
        ("x", "weighted_median"): 3,
        ("x", "midpoint"): 2,
        ("y", "compromise"): 2,
        ("y", "weighted_median"): 2,
        ("y", "midpoint"): 2,
    }
    # the actors counted, in value order, and the capability each one had
    assert table(f, "actors")["x", "compromise"] == "A;C;B"
    assert table(f, "capability")["x", "compromise"] == "A=2; C=1; B=1"
    assert table(f, "capability")["x", "midpoint"] == ""


def test_capability_mapping_overrides_the_column(bargain):
    f = nl.forecast(bargain, "2024-02-15", capability={"A": 1}, issues=["x"])
    got = table(f)
    # weights A 0.5, C 1, B 0.5 (total 2): (30*0.5 + 50 + 80*0.5) / 2 = 105 / 2
    assert got["x", "compromise"] == pytest.approx(52.5)
    # cumulative 0.5 (30), 1.5 (50) -> first >= 1 is at 50
    assert got["x", "weighted_median"] == 50.0
    assert table(f, "capability")["x", "compromise"] == "A=1; C=1; B=1"
    # an actor not named keeps its column value (A's 2 here, B's missing = 1)
    f = nl.forecast(bargain, "2024-02-15", capability={"B": 3}, issues=["x"])
    # weights A 1, C 1, B 1.5 (total 3.5): (30 + 50 + 80*1.5) / 3.5 = 200 / 3.5
    assert table(f)["x", "compromise"] == pytest.approx(200 / 3.5)
    # cumulative 1 (30), 2 (50) -> first >= 1.75 is at 50
    assert table(f)["x", "weighted_median"] == 50.0


def test_weighted_median_is_the_lowest_value_reaching_half(bargain):
    # A (20, weight 1 x 1 with capability 1) and B (80, 0.5 x 2 = 1): cumulative 1 at 20 = half
    f = nl.forecast(bargain, "2024-01-05", capability={"A": 1, "B": 2}, issues=["x"])
    assert table(f)["x", "weighted_median"] == 20.0
    assert table(f)["x", "compromise"] == pytest.approx(50.0)


def test_positions_are_carried_forward_and_joint_actors_left_out(bargain):
    # 2024-03-02: A 30 (w 1), C 50 (w 1), B 90 (w 0.5); J's 45 is not a side
    f = nl.forecast(bargain, "2024-03-02", issues=["x"])
    assert table(f)["x", "compromise"] == pytest.approx((30 + 50 + 45) / 2.5)
    assert table(f, "actors")["x", "compromise"] == "A;C;B"
    assert table(f)["x", "midpoint"] == (30 + 90) / 2


def test_actors_models_and_pair_choices(bargain):
    f = nl.forecast(bargain, "2024-02-15", actors=["A", "B"], models="compromise", issues="x")
    assert list(f["model"]) == ["compromise"]
    # A 30 (w 1), B 80 (w 0.5): (30 + 40) / 1.5
    assert f["forecast"].iloc[0] == pytest.approx(70 / 1.5)
    f = nl.forecast(bargain, "2024-02-15", models=["midpoint"], pair=["C", "B"], issues=["x"])
    assert f["forecast"].tolist() == [(50 + 80) / 2]
    assert f["actors"].tolist() == ["C;B"]


def test_midpoint_is_empty_when_a_side_has_no_position(bargain):
    # on y, C never states a position
    f = nl.forecast(bargain, "2024-02-15", pair=["A", "C"], issues=["y"])
    mid = f[f["model"] == "midpoint"].iloc[0]
    assert np.isnan(mid["forecast"])
    assert mid["n_actors"] == 1
    assert mid["actors"] == "A"


def test_before_any_position_is_empty(bargain):
    f = nl.forecast(bargain, "2023-01-01")
    assert f.empty
    assert list(f.columns) == list(models.FORECAST_COLUMNS)


def test_zero_capability_leaves_an_actor_out(bargain):
    f = nl.forecast(bargain, "2024-02-15", capability={"A": 0, "B": 0, "C": 0}, issues="x")
    assert np.isnan(table(f)["x", "compromise"])
    assert np.isnan(table(f)["x", "weighted_median"])
    assert table(f, "n_actors")["x", "compromise"] == 0
    assert table(f)["x", "midpoint"] == 55.0  # the midpoint has no weights


def test_default_pair_comes_from_the_data(bargain, mini, bundled):
    assert nl.default_pair(bargain) == ("A", "B")
    assert nl.default_pair(mini) == ("A", "B")
    parties = bundled.actors.loc[bundled.actors["role"] == "party", "actor_id"].tolist()
    assert nl.default_pair(bundled) == tuple(parties[:2])
    # without two parties: the first two actors
    no_parties = bargain.actors.assign(role=pd.Categorical(["mediator"] * 4))
    import dataclasses

    other = dataclasses.replace(bargain, actors=no_parties)
    assert nl.default_pair(other) == ("A", "B")


def test_mini_fixture_without_capability_column(mini):
    """The mini fixture has no capability column (a 1.0 dataset): every capability is 1.

    On 2022-03-15, i1: A 20 (salience 1), M 50 (1), B 80 (0.5); i2: A 40 (1) and B 65 (the
    combined 60/70 rows, salience 0.8).
    """
    f = nl.forecast(mini, "2022-03-15")
    got = table(f)
    assert got["i1", "compromise"] == pytest.approx((20 + 50 + 80 * 0.5) / 2.5)
    assert got["i1", "weighted_median"] == 50.0  # 1 < 1.25 at 20, 2 >= 1.25 at 50
    assert got["i2", "compromise"] == pytest.approx((40 + 65 * 0.8) / 1.8)
    assert got["i2", "weighted_median"] == 40.0  # 1 >= 0.9 at 40
    assert got["i2", "midpoint"] == pytest.approx((40 + 65) / 2)
    assert "i3" not in set(f["issue_id"])  # A states i3 only on 2022-04-01


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"models": ["nash"]}, "models must be among"),
        ({"capability": {"A": -1}}, "capability of A must be a number >= 0"),
        ({"capability": {"A": float("nan")}}, "capability of A"),
        ({"pair": ["A"]}, "pair must name two actors"),
    ],
)
def test_bad_arguments_are_named(bargain, kwargs, match):
    with pytest.raises(ValueError, match=match):
        nl.forecast(bargain, "2024-02-15", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"capability": {"Z": 1}}, "unknown actor id 'Z' in capability"),
        ({"pair": ["A", "Z"]}, "unknown actor id 'Z' in pair"),
        ({"issues": ["z"]}, "unknown issue id 'z' in issues"),
        ({"actors": ["Q"]}, "unknown actor id 'Q' in actors"),
    ],
)
def test_unknown_ids_raise_the_one_error_naming_the_argument(bargain, kwargs, match):
    with pytest.raises(nl.UnknownIdError, match=match):
        nl.forecast(bargain, "2024-02-15", **kwargs)


# --- over time and sensitivity --------------------------------------------------------------


def test_forecast_over_time_by_hand(bargain):
    f = nl.forecast_over_time(bargain, "x", models="compromise")
    assert list(f.columns) == ["date", *models.FORECAST_COLUMNS]
    dates = [d.strftime("%Y-%m-%d") for d in f["date"]]
    assert dates == ["2024-01-01", "2024-01-10", "2024-02-01", "2024-03-01"]
    assert f["forecast"].tolist() == pytest.approx(
        [
            (20 * 2 + 80 * 0.5) / 2.5,  # A 20 (w 2), B 80 (w 0.5)
            (20 * 2 + 80 * 0.5 + 50) / 3.5,  # C 50 (w 1) joins
            (30 * 1 + 80 * 0.5 + 50) / 2.5,  # A moves to 30 with salience 0.5 (w 1)
            (30 * 1 + 90 * 0.5 + 50) / 2.5,  # B hardens to 90; J's agreement is not a side
        ]
    )


def test_sensitivity_grid_by_hand(bargain):
    s = nl.forecast_sensitivity(
        bargain, "2024-02-15", capability={"A": (1, 3)}, method="grid", steps=3, issues=["x"]
    )
    assert list(s.columns) == ["draw", *models.FORECAST_COLUMNS, "capability[A]"]
    assert len(s) == 3 * 3  # draws x models (one issue)
    comp = s[s["model"] == "compromise"].set_index("capability[A]")["forecast"]
    # A's weight is 0.5 x c; C 1 and B 0.5 fixed
    assert comp[1.0] == pytest.approx((30 * 0.5 + 50 + 40) / 2)
    assert comp[2.0] == pytest.approx((30 * 1.0 + 50 + 40) / 2.5)
    assert comp[3.0] == pytest.approx((30 * 1.5 + 50 + 40) / 3)
    # the midpoint does not depend on weights
    assert set(s.loc[s["model"] == "midpoint", "forecast"]) == {55.0}


def test_sensitivity_salience_ranges_replace_the_coded_salience(bargain):
    s = nl.forecast_sensitivity(
        bargain,
        "2024-02-15",
        salience={("B", "x"): (0, 1)},
        method="grid",
        steps=2,
        models="compromise",
        issues=["x"],
    )
    by = s.set_index("salience[B|x]")["forecast"]
    # B's salience 0: B weighs 0 -> (30*1 + 50) / 2; salience 1: B weighs 1 -> (30+50+80) / 3
    assert by[0.0] == pytest.approx(40.0)
    assert by[1.0] == pytest.approx(160 / 3)


def test_sensitivity_random_draws_are_seeded_and_in_range(bargain):
    options = {
        "capability": {"A": (0.5, 4), "C": (0, 2)},
        "salience": {"B": (0.2, 0.9)},
        "n_draws": 25,
    }
    one = nl.forecast_sensitivity(bargain, "2024-02-15", seed=7, **options)
    again = nl.forecast_sensitivity(bargain, "2024-02-15", seed=7, **options)
    other = nl.forecast_sensitivity(bargain, "2024-02-15", seed=8, **options)
    pd.testing.assert_frame_equal(one, again)
    assert not one["capability[A]"].equals(other["capability[A]"])
    assert len(one) == 25 * 2 * 3  # draws x issues x models
    assert one["draw"].nunique() == 25
    assert one["capability[A]"].between(0.5, 4).all()
    assert one["capability[C]"].between(0, 2).all()
    assert one["salience[B]"].between(0.2, 0.9).all()
    # every forecast lies between the lowest and highest position on the issue
    x = one[(one["issue_id"] == "x") & (one["model"] != "midpoint")]
    assert x["forecast"].between(30, 80).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "at least one"),
        ({"capability": {"A": (2, 1)}}, "low <= high"),
        ({"salience": {"A": (0, 2)}}, "<= 1"),
        ({"capability": {"A": (1, 2)}, "method": "latin"}, "method"),
        ({"capability": {"A": "big"}}, "must be \\(low, high\\)"),
        ({"capability": {f"{a}": (0, 1) for a in "ABC"}, "method": "grid", "steps": 50}, "100000"),
    ],
)
def test_sensitivity_bad_arguments(bargain, kwargs, match):
    with pytest.raises(ValueError, match=match):
        nl.forecast_sensitivity(bargain, "2024-02-15", **kwargs)


# --- backtest -------------------------------------------------------------------------------


def test_agreed_outcomes(bargain, bundled):
    out = nl.agreed_outcomes(bargain)
    assert out["position_id"].tolist() == ["p7"]
    # the bundled dataset: several sources of one agreed text count once
    bundled_out = nl.agreed_outcomes(bundled)
    raw = bundled.positions[bundled.positions["stance"] == "agreement"]
    assert len(bundled_out) <= len(raw)
    assert not bundled_out.duplicated(["actor_id", "issue_id", "date"]).any()
    joint = set(bundled.actors.loc[bundled.actors["role"] == "joint", "actor_id"])
    assert set(bundled_out["actor_id"]) <= joint


def test_backtest_by_hand(bargain):
    bt = nl.backtest(bargain)
    assert list(bt.columns) == list(models.BACKTEST_COLUMNS)
    assert bt["position_id"].tolist() == ["p7"] * 3
    assert bt["model"].tolist() == ["compromise", "weighted_median", "midpoint"]
    assert (bt["outcome"] == 45.0).all()
    assert bt["date"].iloc[0] == pd.Timestamp("2024-03-01")
    # the day before (2024-02-29): A 30 (w 1), C 50 (w 1), B 80 (w 0.5); B's 90 of the
    # signing day is not yet in force
    assert bt["forecast"].tolist() == pytest.approx([48.0, 50.0, 55.0])
    assert bt["error"].tolist() == pytest.approx([3.0, 5.0, 10.0])
    assert bt["abs_error"].tolist() == pytest.approx([3.0, 5.0, 10.0])
    assert bt["capability"].iloc[0] == "A=2; C=1; B=1"
    bt = nl.backtest(bargain, capability={"A": 1}, models="compromise")
    assert bt["forecast"].tolist() == pytest.approx([52.5])
    assert bt["error"].tolist() == pytest.approx([7.5])


def test_backtest_without_agreed_outcomes_is_empty(mini):
    bt = nl.backtest(mini)
    assert bt.empty
    assert list(bt.columns) == list(models.BACKTEST_COLUMNS)
    summary = nl.backtest_summary(bt)
    assert summary.empty
    assert "nothing to compare" in nl.describe_backtest(summary)


def test_backtest_summary_by_hand(bargain):
    summary = nl.backtest_summary(nl.backtest(bargain))
    assert list(summary.columns) == list(models.SUMMARY_COLUMNS)
    s = summary.set_index("model")
    assert s["n"].tolist() == [1, 1, 1]
    assert s["mae"].tolist() == pytest.approx([3.0, 5.0, 10.0])
    # one outcome: every resample is that outcome, so the interval is the point
    assert s["mae_low"].tolist() == pytest.approx([3.0, 5.0, 10.0])
    assert s["mae_high"].tolist() == pytest.approx([3.0, 5.0, 10.0])
    assert s.loc["compromise", "beats_midpoint"] == 1
    assert s.loc["weighted_median", "n_paired"] == 1
    assert s.loc["compromise", "diff_vs_midpoint"] == pytest.approx(3.0 - 10.0)
    assert pd.isna(s.loc["midpoint", "beats_midpoint"])
    text = nl.describe_backtest(summary)
    assert "n = 1 agreed outcome" in text
    assert "too few to tell" in text


def synthetic_backtest(errors: dict[str, list[float]]) -> pd.DataFrame:
    """A backtest frame with the given absolute errors per model (outcome 0, forecast = error)."""
    rows = []
    for model, values in errors.items():
        for i, value in enumerate(values):
            rows.append({"position_id": f"o{i}", "model": model, "forecast": value, "outcome": 0.0})
    frame = pd.DataFrame(rows)
    frame["error"] = frame["forecast"] - frame["outcome"]
    frame["abs_error"] = frame["error"].abs()
    return frame


def test_backtest_summary_counts_and_interval():
    bt = synthetic_backtest(
        {
            "compromise": [1, 2, 3, 4, np.nan],
            "midpoint": [2, 2, 5, 3, 8],
        }
    )
    s = nl.backtest_summary(bt, n_boot=500, seed=3).set_index("model")
    assert s.loc["compromise", "n"] == 4
    assert s.loc["compromise", "mae"] == pytest.approx(2.5)
    assert s.loc["midpoint", "mae"] == pytest.approx(4.0)
    # paired on o0..o3: 1<2 yes, 2=2 tie, 3<5 yes, 4>3 no
    assert s.loc["compromise", "n_paired"] == 4
    assert s.loc["compromise", "beats_midpoint"] == 2
    assert s.loc["compromise", "ties_midpoint"] == 1
    # mean of (1-2, 2-2, 3-5, 4-3) = (-1 + 0 - 2 + 1) / 4
    assert s.loc["compromise", "diff_vs_midpoint"] == pytest.approx(-0.5)
    for model in ("compromise", "midpoint"):
        assert s.loc[model, "mae_low"] <= s.loc[model, "mae"] <= s.loc[model, "mae_high"]
    assert s.loc["compromise", "mae_low"] >= 1
    assert s.loc["compromise", "mae_high"] <= 4
    # a fixed seed gives the same table; another seed draws other resamples
    again = nl.backtest_summary(bt, n_boot=500, seed=3)
    pd.testing.assert_frame_equal(s.reset_index(), again)
    other = nl.backtest_summary(bt, n_boot=500, seed=4).set_index("model")
    assert (other["mae"] == s["mae"]).all()
    wider = nl.backtest_summary(bt, n_boot=500, seed=3, level=0.99).set_index("model")
    assert wider.loc["midpoint", "mae_low"] <= s.loc["midpoint", "mae_low"]


def test_describe_backtest_verdicts():
    many_better = synthetic_backtest({"compromise": [1] * 12, "midpoint": [5] * 12})
    text = nl.describe_backtest(nl.backtest_summary(many_better))
    assert "did better than the midpoint" in text
    many_worse = synthetic_backtest({"compromise": [9] * 12, "midpoint": [5] * 12})
    assert "did worse than the midpoint" in nl.describe_backtest(nl.backtest_summary(many_worse))
    mixed = synthetic_backtest(
        {"compromise": [1, 9] * 6, "midpoint": [5] * 12},
    )
    assert "not distinguishable" in nl.describe_backtest(nl.backtest_summary(mixed))


def test_backtest_summary_rejects_other_frames():
    with pytest.raises(ValueError, match="not a backtest frame"):
        nl.backtest_summary(pd.DataFrame({"model": []}))
    with pytest.raises(ValueError, match="level"):
        nl.backtest_summary(synthetic_backtest({"midpoint": [1]}), level=1.5)


def test_compute_forecast_is_gone():
    """One way to forecast: nl.forecast (compute_forecast was folded into it)."""
    assert not hasattr(nl, "compute_forecast")
    assert not hasattr(models, "compute_forecast")
