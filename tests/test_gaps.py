"""Gap semantics: hand-computed results on the mini fixture, and properties (hypothesis).

The mini fixture (tests/fixtures/mini/positions.csv), by issue:
  i1: A 0 (01-01), A 20 [10, 30] (02-01); B 100 (01-01), B 80 [70, 90] sal 0.5 (03-01);
      M 50 (03-01)
  i2: A 40 (01-15); B 60 sal 0.8 and B 70 on the same day (02-15) -> combined 65 [60, 70]
  i3: A 10 (04-01) only
"""

from __future__ import annotations

import dataclasses
import datetime
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_datasets import DAY0, position_rows, with_positions

import negotiation_lib as nl
from negotiation_lib import evidence, figures

T = pd.Timestamp


# ---------------------------------------------------------------- hand-computed


def test_compute_gaps_by_hand(mini):
    g = nl.compute_gaps(mini, "A", "B")
    assert list(g.columns[:11]) == [
        "date",
        "issue_id",
        "actor_a",
        "actor_b",
        "value_a",
        "value_b",
        "gap",
        "gap_low",
        "gap_high",
        "position_id_a",
        "position_id_b",
    ]
    expected = pd.DataFrame(
        {
            "date": [T("2022-01-01"), T("2022-02-01"), T("2022-03-01"), T("2022-02-15")],
            "issue_id": ["i1", "i1", "i1", "i2"],
            "value_a": [0.0, 20.0, 20.0, 40.0],
            "value_b": [100.0, 100.0, 80.0, 65.0],
            "gap": [100.0, 80.0, 60.0, 25.0],
            # [max(0, lo_b - hi_a, lo_a - hi_b), max(hi_b - lo_a, hi_a - lo_b)]
            "gap_low": [100.0, 70.0, 40.0, 20.0],
            "gap_high": [100.0, 90.0, 80.0, 30.0],
            "position_id_a": ["p1", "p3", "p3", "p5"],
            "position_id_b": ["p2", "p2", "p4", "p6"],
            "n_rows_b": [1, 1, 1, 2],
        }
    )
    got = g[expected.columns].astype({"date": "datetime64[us]"})
    pd.testing.assert_frame_equal(got, expected.astype(got.dtypes.to_dict()))
    assert set(g["actor_a"]) == {"A"}
    assert set(g["actor_b"]) == {"B"}


DAY_GIVEN_AS = [
    "2022-02-01",
    "2022-02-01 18:30",  # a time of day
    "2022-02-01T01:00+05:00",  # a zone: the day on the clock it names
    pd.Timestamp("2022-02-01 23:59", tz="America/New_York"),
    datetime.date(2022, 2, 1),
]


@pytest.mark.parametrize("given", DAY_GIVEN_AS)
def test_every_function_reads_a_given_date_as_the_same_day(mini, given):
    """One rule for a date the user gives, whatever the function: the day it names."""
    day = T("2022-02-01")
    assert nl.positions_asof(mini, given).equals(nl.positions_asof(mini, day))
    assert nl.compute_gaps(mini, "A", "B", start=given).equals(
        nl.compute_gaps(mini, "A", "B", start=day)
    )
    shown = evidence.filter_evidence(evidence.evidence_frame(mini), start=given, end=given)
    assert list(shown["position_id"]) == ["p3"]  # the one statement dated that day
    heat = figures.plot_gap_heatmap(mini, "A", "B", dates=[given])
    assert [v for row in heat.data[0].z for v in row if v is not None] == [80.0]
    snapshot = figures.plot_snapshot(mini, given)
    assert "2022-02-01" in snapshot.layout.title.text
    assert json.dumps(snapshot.to_plotly_json(), default=str) == json.dumps(
        figures.plot_snapshot(mini, day).to_plotly_json(), default=str
    )


@pytest.mark.parametrize("bad", ["not a date", "2022-13-45", float("nan")])
def test_a_value_that_is_no_date_is_named(mini, bad):
    with pytest.raises(ValueError, match="start must be a date"):
        nl.compute_gaps(mini, "A", "B", start=bad)
    with pytest.raises(ValueError, match="date must be a date"):
        nl.positions_asof(mini, bad)


def test_compute_gaps_issue_filter_and_window(mini):
    g = nl.compute_gaps(mini, "A", "B", issues=["i1"], start="2022-01-20", end="2022-02-28")
    assert list(g["date"]) == [T("2022-01-20"), T("2022-02-01")]
    assert list(g["gap"]) == [100.0, 80.0]  # state in force at start, then the change


def test_compute_gaps_max_age_and_no_carry(mini):
    # max_age 30 days: p2 (B, 01-01) is stale by 02-01, so no row there
    g = nl.compute_gaps(mini, "A", "B", issues="i1", max_age=30)
    assert list(g["date"]) == [T("2022-01-01"), T("2022-03-01")]
    assert list(g["gap"]) == [100.0, 60.0]  # p3 (02-01) is 28 days old at 03-01
    g = nl.compute_gaps(mini, "A", "B", carry_forward=False)
    assert list(g["date"]) == [T("2022-01-01")]  # the only day both speak on the same issue


def test_overall_gap_unweighted(mini):
    o = nl.compute_overall_gap(mini, "A", "B")
    assert list(o.columns[:5]) == ["date", "gap", "gap_low", "gap_high", "n_issues"]
    assert list(o["date"]) == [
        T(d) for d in ("2022-01-01", "2022-02-01", "2022-02-15", "2022-03-01")
    ]
    assert o["gap"].tolist() == [100.0, 80.0, 52.5, 42.5]
    assert o["gap_low"].tolist() == [100.0, 70.0, 45.0, 30.0]
    assert o["gap_high"].tolist() == [100.0, 90.0, 60.0, 55.0]
    assert o["n_issues"].tolist() == [1, 1, 2, 2]


def test_overall_gap_salience_weighted(mini):
    o = nl.compute_overall_gap(mini, "A", "B", weights="salience")
    # 02-15: i1 weight (1 + 1)/2, i2 weight (1 + 0.8)/2 (A's salience missing counts as 1)
    # 03-01: i1 weight (1 + 0.5)/2
    assert o["gap"].tolist() == pytest.approx(
        [100.0, 80.0, (80 * 1 + 25 * 0.9) / 1.9, (60 * 0.75 + 25 * 0.9) / 1.65]
    )
    assert o["gap_low"].iloc[2] == pytest.approx((70 + 20 * 0.9) / 1.9)
    assert o["n_issues"].tolist() == [1, 1, 2, 2]


def test_salience_weights_say_when_no_salience_is_coded(mini):
    coded = nl.compute_overall_gap(mini, "A", "B", weights="salience")
    assert coded.attrs["weights_note"] == ""
    bare = dataclasses.replace(mini, positions=mini.positions.assign(salience=np.nan))
    equal = nl.compute_overall_gap(bare, "A", "B")
    weighted = nl.compute_overall_gap(bare, "A", "B", weights="salience")
    assert weighted.attrs["weights_note"] == nl.NO_SALIENCE_NOTE
    assert equal.attrs["weights_note"] == ""  # equal weights asked for: nothing to say
    pd.testing.assert_frame_equal(weighted, equal, check_like=True)


def test_overall_gap_user_weights(mini):
    o = nl.compute_overall_gap(mini, "A", "B", weights={"i1": 0.0, "i2": 2.0})
    # i1 weighs nothing, so only i2 counts, from 02-15
    assert o["date"].tolist() == [T("2022-02-15")]
    assert o["gap"].tolist() == [25.0]
    assert o["n_issues"].tolist() == [1]
    with pytest.raises(ValueError, match="non-negative"):
        nl.compute_overall_gap(mini, "A", "B", weights={"i1": -1})
    with pytest.raises(ValueError, match="salience"):
        nl.compute_overall_gap(mini, "A", "B", weights="importance")


def test_overall_gap_reports_when_nothing_is_covered(mini):
    o = nl.compute_overall_gap(mini, "A", "B", max_age=20)
    # both i1 positions of 01-01 expire after 20 days; nothing else overlaps within 20 days
    assert o["date"].tolist() == [T("2022-01-01"), T("2022-01-22")]
    assert o["n_issues"].tolist() == [1, 0]
    assert o["gap"].iloc[0] == 100.0
    assert np.isnan(o["gap"].iloc[1])


def test_positions_asof(mini):
    p = nl.positions_asof(mini, "2022-02-20")
    got = list(zip(p["actor_id"], p["issue_id"], p["position_id"], p["value"], strict=True))
    assert got == [
        ("A", "i1", "p3", 20.0),
        ("A", "i2", "p5", 40.0),
        ("B", "i1", "p2", 100.0),
        ("B", "i2", "p6", 65.0),
    ]
    combined = p.iloc[3]
    assert (combined["value_low"], combined["value_high"]) == (60.0, 70.0)
    assert combined["n_rows"] == 2
    assert combined["position_ids"] == "p6;p7"
    assert combined["salience"] == 0.8
    assert p["age_days"].tolist() == [19, 36, 50, 5]
    # text columns come from the first row of the group, unchanged
    assert combined["quote"] == "“tighter”"


def test_positions_asof_max_age_and_carry(mini):
    p = nl.positions_asof(mini, "2022-02-20", max_age=30)
    assert p["position_id"].tolist() == ["p3", "p6"]
    p = nl.positions_asof(mini, "2022-02-20", max_age="20D")
    assert p["position_id"].tolist() == ["p3", "p6"]
    assert nl.positions_asof(mini, "2022-02-20", carry_forward=False).empty
    p = nl.positions_asof(mini, "2022-02-15", carry_forward=False)
    assert p["position_id"].tolist() == ["p6"]
    assert nl.positions_asof(mini, "2021-12-31").empty


def test_compute_movement_default_span(mini):
    m = nl.compute_movement(mini, "A")
    assert list(m.columns) == [
        "issue_id",
        "actor_id",
        "start",
        "end",
        "value_start",
        "value_end",
        "change",
        "other_actor",
        "other_value",
        "gap_before",
        "gap_after",
        "movement",
        "toward",
    ]
    i1 = m[m["issue_id"] == "i1"].set_index("other_actor")
    assert i1.loc["B", "change"] == 20.0
    assert i1.loc["B", "other_value"] == 100.0  # B's position at A's start (01-01)
    assert (i1.loc["B", "gap_before"], i1.loc["B", "gap_after"]) == (100.0, 80.0)
    assert bool(i1.loc["B", "toward"]) is True
    assert pd.isna(i1.loc["M", "toward"])  # M had no position on 01-01
    i3 = m[m["issue_id"] == "i3"]
    assert len(i3) == 1
    assert pd.isna(i3["other_actor"].iloc[0])
    assert i3["change"].iloc[0] == 0.0


def test_compute_movement_window(mini):
    m = nl.compute_movement(mini, "B", start="2022-02-01", end="2022-03-01", others=["A"])
    i1 = m[m["issue_id"] == "i1"].iloc[0]
    assert (i1["value_start"], i1["value_end"], i1["change"]) == (100.0, 80.0, -20.0)
    assert i1["other_value"] == 20.0
    assert bool(i1["toward"]) is True
    i2 = m[m["issue_id"] == "i2"].iloc[0]
    assert np.isnan(i2["value_start"])  # B had not spoken on i2 by 02-01
    assert i2["value_end"] == 65.0
    assert pd.isna(i2["toward"])


def test_movement_away_is_not_toward(mini):
    neg = with_positions(
        mini,
        [
            ("A", "i1", "2022-01-01", 40),
            ("B", "i1", "2022-01-01", 60),
            ("A", "i1", "2022-02-01", 30),
            ("B", "i1", "2022-02-01", 60),
        ],
    )
    m = nl.compute_movement(neg, "A").set_index("other_actor")
    assert m.loc["B", "change"] == -10.0
    assert bool(m.loc["B", "toward"]) is False
    m = nl.compute_movement(neg, "B").set_index("other_actor")
    assert m.loc["A", "change"] == 0.0
    assert bool(m.loc["A", "toward"]) is False


def test_compute_conflicts(mini):
    c = nl.compute_conflicts(mini)
    assert len(c) == 1
    row = c.iloc[0]
    assert (row["actor_id"], row["issue_id"], row["date"]) == ("B", "i2", T("2022-02-15"))
    assert (row["n_rows"], row["position_ids"], row["values"]) == (2, "p6;p7", "60;70")
    assert (row["value_min"], row["value_max"], row["spread"], row["value"]) == (
        60.0,
        70.0,
        10.0,
        65.0,
    )


def test_agreeing_duplicates_are_not_conflicts(mini):
    neg = with_positions(mini, [("A", "i1", "2022-01-01", 40), ("A", "i1", "2022-01-01", 40)])
    assert nl.compute_conflicts(neg).empty
    assert nl.positions_asof(neg, "2022-01-01")["n_rows"].tolist() == [2]


def test_unknown_actor_or_issue_is_a_clear_error(mini):
    with pytest.raises(nl.UnknownIdError, match=r"unknown actor id 'Z' \(not in actors.csv\)"):
        nl.compute_gaps(mini, "A", "Z")
    closest = r"unknown issue id 'i4' \(not in issues.csv\); closest: .*i1"
    with pytest.raises(nl.UnknownIdError, match=closest):
        nl.compute_gaps(mini, "A", "B", issues=["i4"])
    for call in [
        lambda: nl.positions_asof(mini, "2022-01-01", actors=["Z"]),
        lambda: nl.compute_overall_gap(mini, "Z", "A"),
        lambda: nl.compute_movement(mini, "A", others=["Z"]),
        lambda: nl.compute_movement(mini, "Z"),
        lambda: nl.combined_positions(mini, issues=["nope"]),
    ]:
        with pytest.raises(nl.UnknownIdError) as caught:
            call()
        # one type for every caller: both a ValueError and a KeyError, message not quoted
        assert isinstance(caught.value, ValueError)
        assert isinstance(caught.value, KeyError)
        assert str(caught.value).startswith("unknown ")
    with pytest.raises(ValueError, match="different actors"):
        nl.compute_gaps(mini, "A", "A")
    with pytest.raises(ValueError, match="max_age"):
        nl.positions_asof(mini, "2022-01-01", max_age=-1)


@pytest.mark.parametrize(
    ("start", "end", "other", "movement"),
    [
        (20, 20, 80, "unmoved"),
        (20, 50, 80, "toward"),
        (20, 80, 80, "toward"),  # meeting the other's position is not passing it
        (20, 90, 80, "overshoot"),  # past it, gap shrank
        (20, 100, 50, "overshoot"),  # past it, gap grew: still a concession, not "away"
        (20, 10, 80, "away"),
        (80, 60, 80, "away"),  # moving off the other's position
        (80, 20, 20, "toward"),
    ],
)
def test_movement_definition(mini, start, end, other, movement):
    neg = with_positions(
        mini,
        [
            ("A", "i1", "2022-01-01", start),
            ("B", "i1", "2022-01-01", other),
            ("A", "i1", "2022-02-01", end),
        ],
    )
    row = nl.compute_movement(neg, "A", others=["B"]).iloc[0]
    assert row["movement"] == movement
    assert row["toward"] == (movement in ("toward", "overshoot"))
    summary = nl.movement_summary(neg, actors=["A", "B"]).set_index(["actor", "toward"])
    counts = summary.loc[("A", "B")]
    assert counts["toward_issues"] == int(movement in ("toward", "overshoot"))
    assert counts["away_issues"] == int(movement == "away")
    assert counts["unmoved_issues"] == int(movement == "unmoved")


# ---------------------------------------------------------------- properties

PROPERTY = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(rows=position_rows())
def test_gaps_are_symmetric(mini, rows):
    neg = with_positions(mini, rows)
    ab = nl.compute_gaps(neg, "A", "B")
    ba = nl.compute_gaps(neg, "B", "A")
    key = ["issue_id", "date"]
    ab, ba = ab.sort_values(key).reset_index(drop=True), ba.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(ab[key], ba[key])
    for col in ("gap", "gap_low", "gap_high"):
        np.testing.assert_allclose(ab[col], ba[col])
    np.testing.assert_array_equal(ab["value_a"], ba["value_b"])
    oab = nl.compute_overall_gap(neg, "A", "B", weights="salience")
    oba = nl.compute_overall_gap(neg, "B", "A", weights="salience")
    pd.testing.assert_frame_equal(oab, oba)


@PROPERTY
@given(rows=position_rows())
def test_gap_bounds(mini, rows):
    neg = with_positions(mini, rows)
    g = nl.compute_gaps(neg, "A", "B")
    assert (g["gap_low"] >= 0).all()
    assert (g["gap_low"] <= g["gap"] + 1e-9).all()
    assert (g["gap"] <= g["gap_high"] + 1e-9).all()
    assert (g["gap_high"] <= 100).all()
    o = nl.compute_overall_gap(neg, "A", "B", weights="salience")
    covered = o[o["n_issues"] > 0]
    assert ((covered["gap_low"] >= -1e-9) & (covered["gap_high"] <= 100 + 1e-9)).all()
    assert (covered["gap_low"] <= covered["gap"] + 1e-9).all()
    assert (covered["gap"] <= covered["gap_high"] + 1e-9).all()


@PROPERTY
@given(rows=position_rows(), max_age=st.none() | st.integers(0, 15))
def test_gaps_agree_with_positions_asof(mini, rows, max_age):
    """Every row of compute_gaps is the pair's as-of state, and every statement date where both
    hold a position has a row (a brute-force check of the vectorised merge)."""
    neg = with_positions(mini, rows)
    g = nl.compute_gaps(neg, "A", "B", max_age=max_age)
    got = {(r.issue_id, r.date): r for r in g.itertuples()}
    stated = {(issue, pd.Timestamp(date)) for actor, issue, date, *_ in rows if actor in ("A", "B")}
    expected_keys = set()
    for issue, date in stated:
        asof = nl.positions_asof(neg, date, max_age=max_age, actors=["A", "B"], issues=[issue])
        if len(asof) == 2:
            expected_keys.add((issue, date))
            a, b = asof.set_index("actor_id").loc["A"], asof.set_index("actor_id").loc["B"]
            row = got[(issue, date)]
            assert row.value_a == pytest.approx(a["value"])
            assert row.value_b == pytest.approx(b["value"])
            assert row.gap == pytest.approx(abs(a["value"] - b["value"]))
    # rows also appear when a position expires under max_age only if both still hold then
    assert expected_keys <= set(got)
    if max_age is None:
        assert set(got) == expected_keys


@PROPERTY
@given(rows=position_rows())
def test_overall_gap_is_the_mean_over_issues_as_of_each_date(mini, rows):
    neg = with_positions(mini, rows)
    o = nl.compute_overall_gap(neg, "A", "B")
    for r in o.itertuples():
        asof = nl.positions_asof(neg, r.date, actors=["A", "B"])
        wide = asof.pivot(index="issue_id", columns="actor_id", values="value")
        if not {"A", "B"} <= set(wide.columns):
            assert r.n_issues == 0
            continue
        gaps = (wide["A"] - wide["B"]).abs().dropna()
        assert r.n_issues == len(gaps)
        if len(gaps):
            assert r.gap == pytest.approx(gaps.mean())


@PROPERTY
@given(rows=position_rows(), when=st.integers(-5, 45))
def test_no_position_before_first_statement(mini, rows, when):
    neg = with_positions(mini, rows)
    t = DAY0 + pd.Timedelta(days=when)
    asof = nl.positions_asof(neg, t)
    first = neg.positions.groupby(["actor_id", "issue_id"])["date"].min()
    for r in asof.itertuples():
        assert first[(r.actor_id, r.issue_id)] <= t
        assert r.date <= t
    g = nl.compute_gaps(neg, "A", "B")
    for r in g.itertuples():
        assert first[("A", r.issue_id)] <= r.date
        assert first[("B", r.issue_id)] <= r.date


@PROPERTY
@given(rows=position_rows(), when=st.integers(0, 40))
def test_without_carrying_there_is_no_value_on_dates_without_a_statement(mini, rows, when):
    neg = with_positions(mini, rows)
    t = DAY0 + pd.Timedelta(days=when)
    asof = nl.positions_asof(neg, t, carry_forward=False)
    stated = {(a, i) for a, i, d, *_ in rows if pd.Timestamp(d) == t}
    assert set(zip(asof["actor_id"], asof["issue_id"], strict=True)) == stated
    g = nl.compute_gaps(neg, "A", "B", carry_forward=False)
    for r in g.itertuples():
        assert ("A", r.issue_id, r.date) in {(a, i, pd.Timestamp(d)) for a, i, d, *_ in rows}
        assert ("B", r.issue_id, r.date) in {(a, i, pd.Timestamp(d)) for a, i, d, *_ in rows}


@PROPERTY
@given(rows=position_rows(), max_age=st.integers(0, 20), when=st.integers(0, 45))
def test_max_age_caps_carrying(mini, rows, max_age, when):
    neg = with_positions(mini, rows)
    t = DAY0 + pd.Timedelta(days=when)
    capped = nl.positions_asof(neg, t, max_age=max_age)
    assert (capped["age_days"] <= max_age).all()
    full = nl.positions_asof(neg, t)
    expected = full[full["age_days"] <= max_age]
    assert capped["position_id"].tolist() == expected["position_id"].tolist()


@PROPERTY
@given(rows=position_rows(), start=st.integers(0, 40), length=st.integers(0, 20))
def test_movement_agrees_with_positions_asof(mini, rows, start, length):
    neg = with_positions(mini, rows)
    t0 = DAY0 + pd.Timedelta(days=start)
    t1 = t0 + pd.Timedelta(days=length)
    m = nl.compute_movement(neg, "A", start=t0, end=t1)
    before = nl.positions_asof(neg, t0).set_index(["actor_id", "issue_id"])["value"]
    after = nl.positions_asof(neg, t1).set_index(["actor_id", "issue_id"])["value"]
    spoken = {i for a, i, d, *_ in rows if a == "A" and pd.Timestamp(d) <= t1}
    assert set(m["issue_id"]) == spoken
    for r in m.itertuples():
        expected_start = before.get(("A", r.issue_id), np.nan)
        assert r.value_start == pytest.approx(expected_start, nan_ok=True)
        assert r.value_end == pytest.approx(after.get(("A", r.issue_id), np.nan), nan_ok=True)
        if pd.isna(r.other_actor):
            continue
        other = before.get((r.other_actor, r.issue_id), np.nan)
        assert r.other_value == pytest.approx(other, nan_ok=True)
        if not np.isnan(other) and not np.isnan(r.change) and r.change != 0:
            assert bool(r.toward) == (np.sign(r.change) == np.sign(other - r.value_start))


def test_kernel_sees_a_positions_frame_edited_in_place(mini):
    """The kernel caches the id codes of a positions frame; an in-place edit must not leave
    it stale (pandas copies the edited column because the cache holds it: copy-on-write)."""
    neg = dataclasses.replace(mini, positions=mini.positions.copy())
    before = nl.positions_asof(neg, "2030-01-01")
    assert "B" in set(before["actor_id"])
    neg.positions.loc[neg.positions["actor_id"] == "B", "actor_id"] = "M"
    neg.positions.loc[0, "date"] = pd.Timestamp("2031-01-01")
    after = nl.positions_asof(neg, "2030-01-01")
    assert "B" not in set(after["actor_id"])
    expected = neg.positions[neg.positions["date"] <= "2030-01-01"]
    assert set(zip(after["actor_id"], after["issue_id"], strict=True)) == set(
        zip(expected["actor_id"], expected["issue_id"], strict=True)
    )
