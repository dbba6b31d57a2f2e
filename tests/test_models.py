"""compute_forecast: weighted median / mean of the positions in force, checked by hand.

On 2022-03-15 in the mini fixture: i1 has A 20 (no salience: 1), M 50 (1), B 80 (salience
0.5); i2 has A 40 (1) and B 65 (the combined 60/70 rows, salience 0.8).
"""

from __future__ import annotations

import pytest

import negotiation_lib as nl


def test_salience_weighted(mini):
    f = nl.compute_forecast(mini, "2022-03-15").set_index("issue_id")
    # i1: total weight 2.5; A alone holds 1 < 1.25, A + M hold 2 >= 1.25 -> median 50
    assert f.loc["i1", "weighted_median"] == 50.0
    assert f.loc["i1", "weighted_mean"] == pytest.approx((20 + 50 + 80 * 0.5) / 2.5)
    assert f.loc["i1", "actors"] == "A;M;B"
    assert (f.loc["i1", "low"], f.loc["i1", "high"], f.loc["i1", "n_actors"]) == (20.0, 80.0, 3)
    # i2: total 1.8; A alone holds 1 >= 0.9 -> median 40
    assert f.loc["i2", "weighted_median"] == 40.0
    assert f.loc["i2", "weighted_mean"] == pytest.approx((40 + 65 * 0.8) / 1.8)
    assert "i3" not in f.index  # A states i3 only on 2022-04-01


def test_equal_and_mapped_weights(mini):
    f = nl.compute_forecast(mini, "2022-03-15", weights=None).set_index("issue_id")
    assert f.loc["i1", "weighted_mean"] == 50.0
    f = nl.compute_forecast(mini, "2022-03-15", weights={"A": 3, "B": 1}).set_index("issue_id")
    assert f.loc["i1", "weighted_median"] == 20.0  # M weighs 0 and is left out
    assert f.loc["i1", "actors"] == "A;B"
    assert f.loc["i1", "weighted_mean"] == pytest.approx((20 * 3 + 80) / 4)


def test_before_any_position_is_empty(mini):
    f = nl.compute_forecast(mini, "2021-01-01")
    assert f.empty
    assert list(f.columns) == [
        "issue_id",
        "n_actors",
        "weighted_median",
        "weighted_mean",
        "low",
        "high",
        "weight",
        "actors",
    ]


def test_bad_weights(mini):
    with pytest.raises(ValueError, match="salience"):
        nl.compute_forecast(mini, "2022-03-15", weights="power")
    with pytest.raises(ValueError, match="non-negative"):
        nl.compute_forecast(mini, "2022-03-15", weights={"A": -1})
