"""check_coding_consistency on small hand-made tables: each kind of finding, and its absence."""

from __future__ import annotations

import pandas as pd
import pytest

import negotiation_lib as nl
from negotiation_lib.consistency import FINDING_COLUMNS, content_overlap
from negotiation_lib.load import Negotiation

ANCHORS = pd.DataFrame(
    {
        "issue_id": ["sanctions"] * 4 + ["ceasefire"] * 3,
        "value": [0.0, 22.5, 75.0, 100.0, 0.0, 80.0, 100.0],
        "label": ["none", "Range 20–25: phased", "post-2014 relief", "all", "a", "b", "c"],
    }
)


def position(pid, value, *, actor="A", issue="sanctions", date="2025-01-01", **extra):
    row = {
        "position_id": pid,
        "date": pd.Timestamp(date),
        "actor_id": actor,
        "issue_id": issue,
        "value": float(value),
        "value_low": float("nan"),
        "value_high": float("nan"),
        "status": "reported",
        "summary": "",
        "quote": "",
        "scale_note": "",
    }
    row.update(extra)
    return row


def negotiation(*rows) -> Negotiation:
    empty = pd.DataFrame()
    return Negotiation(
        actors=empty,
        issues=empty,
        scale_anchors=ANCHORS,
        events=empty,
        sources=empty,
        positions=pd.DataFrame(list(rows)),
    )


LIFT = "Russia wanted all countries to lift the sanctions against Moscow imposed since 2014"


def test_same_content_with_values_apart_is_found():
    neg = negotiation(
        position("p1", 100, quote=LIFT),
        position("p2", 75, actor="B", quote="The lifting of sanctions imposed since 2014."),
    )
    found = nl.check_coding_consistency(neg)
    assert list(found.columns) == FINDING_COLUMNS
    assert found["kind"].tolist() == ["same_content"]
    row = found.iloc[0]
    assert (row.position_ids, row["values"], row.ranges) == ("p1, p2", "100, 75", "-, -")
    assert not row.explained


def test_same_content_within_the_width_of_the_ranges_is_no_finding():
    neg = negotiation(
        position("p1", 100, quote=LIFT, value_low=75.0, value_high=100.0),
        position("p2", 75, actor="B", quote="The lifting of sanctions imposed since 2014."),
    )
    assert nl.check_coding_consistency(neg).empty


def test_different_content_with_different_values_is_no_finding():
    neg = negotiation(
        position("p1", 100, quote=LIFT),
        position(
            "p2", 0, actor="B", quote="New sanctions on banks, oil majors and energy exports."
        ),
    )
    assert nl.check_coding_consistency(neg).empty


def test_value_on_no_anchor_without_range_is_found_and_a_range_clears_it():
    found = nl.check_coding_consistency(negotiation(position("p1", 45)))
    assert found["kind"].tolist() == ["off_anchor"]
    assert "45" in found.iloc[0].reason
    ranged = negotiation(position("p1", 45, value_low=22.5, value_high=75.0))
    assert nl.check_coding_consistency(ranged).empty
    assert nl.check_coding_consistency(negotiation(position("p1", 75))).empty


def test_off_anchor_value_explained_only_by_a_note_saying_between_anchors():
    noted = negotiation(position("p1", 45, scale_note="Between anchors 22.5 and 75: phased."))
    assert nl.check_coding_consistency(noted).iloc[0].explained
    other = negotiation(position("p1", 45, scale_note="Russia's demand."))
    assert not nl.check_coding_consistency(other).iloc[0].explained


def test_value_from_an_amount_in_the_anchors_unit_is_not_off_anchor():
    anchors = ANCHORS.assign(amount=[0.0, 10.0, 20.0, 30.0, None, None, None])
    anchors["unit"] = ["kg"] * 4 + [None] * 3
    rows = [position("p1", 45, amount=12.0, unit="kg"), position("p2", 45, amount=12.0, unit="t")]
    neg = negotiation(*rows)
    neg = Negotiation(**{**vars(neg), "scale_anchors": anchors})
    assert nl.check_coding_consistency(neg)["position_ids"].tolist() == ["p2"]


def test_issue_without_anchors_is_not_judged():
    assert nl.check_coding_consistency(negotiation(position("p1", 45, issue="other"))).empty


def test_same_actor_issue_and_date_with_two_values_is_found_unless_disputed():
    rows = [
        position("p1", 100, issue="ceasefire", quote="withdraw first"),
        position("p2", 80, issue="ceasefire", quote="two day truce"),
    ]
    found = nl.check_coding_consistency(negotiation(*rows))
    assert found["kind"].tolist() == ["same_actor_date"]
    assert found.iloc[0].position_ids == "p1, p2"
    rows[1]["status"] = "disputed"
    assert nl.check_coding_consistency(negotiation(*rows)).empty


def test_same_actor_and_date_with_a_range_holding_the_other_value_is_no_finding():
    rows = [
        position("p1", 100, issue="ceasefire"),
        position("p2", 80, issue="ceasefire", value_low=80.0, value_high=100.0),
    ]
    assert nl.check_coding_consistency(negotiation(*rows)).empty


def test_a_note_naming_the_other_row_explains_the_finding():
    rows = [
        position("p1", 100, issue="ceasefire", scale_note="Differs from p2 because ..."),
        position("p2", 80, issue="ceasefire"),
    ]
    assert nl.check_coding_consistency(negotiation(*rows)).iloc[0].explained
    rows[0]["scale_note"] = "Differs from p22 because ..."
    assert not nl.check_coding_consistency(negotiation(*rows)).iloc[0].explained


def test_the_note_column_is_chosen_by_the_caller_and_may_be_absent():
    rows = [position("p1", 100, issue="ceasefire"), position("p2", 80, issue="ceasefire")]
    for row in rows:
        del row["scale_note"]
    rows[0]["coder_note"] = "Differs from p2 because ..."
    rows[1]["coder_note"] = ""
    neg = negotiation(*rows)
    assert not nl.check_coding_consistency(neg).iloc[0].explained  # no scale_note column
    assert nl.check_coding_consistency(neg, note_column="coder_note").iloc[0].explained


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("The lifting of sanctions imposed since 2014.", LIFT, 1.0),
        ("sanctions", LIFT, 0.0),  # too short to judge
        ("Tanks, artillery and troops limited", "Elections held within 100 days", 0.0),
    ],
)
def test_content_overlap(a, b, expected):
    assert content_overlap(a, b) == pytest.approx(expected)


def test_the_mini_fixture_runs(mini):
    found = nl.check_coding_consistency(mini)
    assert list(found.columns) == FINDING_COLUMNS
