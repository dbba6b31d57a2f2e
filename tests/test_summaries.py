"""Reading tables (summaries.py) and the fictional example dataset (examples.py).

The example: union states 0 on 2024-03-01 and 30 on 2024-04-02; the employer states 80
(range 70–90) on 2024-03-01. So the union–employer gap is 80 [70, 90] from 2024-03-01 and
50 [40, 60] from 2024-04-02, worked out by hand from those three rows.
"""

import dataclasses

import pandas as pd
import pytest

import negotiation_lib as nl


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = nl.write_example_dataset(tmp_path_factory.mktemp("example") / "wages")
    return nl.load(folder)


def test_example_dataset_is_valid_and_has_the_three_rows(example):
    assert nl.validate(example.path).empty
    assert example.positions["position_id"].tolist() == ["p1", "p2", "p3"]
    assert "Fictional" in example.sources.loc[0, "title"]


def test_broken_example_reports_each_mistake_at_its_spreadsheet_row(tmp_path):
    broken = nl.write_example_dataset(tmp_path / "broken", broken=True)
    problems = nl.validate(broken)
    found = set(zip(problems["row"], problems["column"], problems["rule"], strict=True))
    assert found == {
        (2, "value", "range"),
        (3, "date", "date"),
        (4, "quote", "quote_required"),
        (4, "actor_id", "foreign_key"),
    }
    with pytest.raises(nl.ValidationError):
        nl.load(broken)


def test_write_example_refuses_nothing_and_init_refuses_a_full_folder(tmp_path):
    folder = nl.write_example_dataset(tmp_path / "ex")
    with pytest.raises(FileExistsError):
        nl.init_dataset(folder)


def test_gap_extremes_by_hand(example):
    table = nl.gap_extremes(nl.compute_gaps(example, "union", "employer"))
    row = table.iloc[0]
    assert (row.issue_id, row.closest, row.closest_on) == ("wages", 50.0, "2024-04-02")
    assert (row.farthest, row.farthest_on, row.latest) == (80.0, "2024-03-01", 50.0)


def test_gap_extremes_flags_the_one_low_confidence_row_that_decides_the_closest(example):
    # the closest gap (50 on 2024-04-02) rests on p3 (union, 30) and p2 (employer, 80); make
    # p3 a low-confidence row: only the closest and latest answers rest on it, not the farthest
    positions = example.positions.copy()
    positions["confidence"] = positions["confidence"].astype("string")
    positions.loc[positions["position_id"] == "p3", "confidence"] = "low"
    weak = dataclasses.replace(example, positions=positions)
    row = nl.gap_extremes(nl.compute_gaps(weak, "union", "employer"), weak).iloc[0]
    assert row.closest == 50.0
    assert set(row.closest_ids.split(", ")) == {"p2", "p3"}
    assert row.closest_weakest == "low"
    assert row.closest_flag == "rests on one weak row: p3 (low confidence)"
    assert set(row.farthest_ids.split(", ")) == {"p1", "p2"}
    assert (row.farthest_weakest, row.farthest_flag) == ("medium", "")
    assert row.latest_flag == row.closest_flag
    # the same data with every row strong: no flag, weakest medium (p2)
    strong = nl.gap_extremes(nl.compute_gaps(example, "union", "employer"), example).iloc[0]
    assert (strong.closest_weakest, strong.closest_flag) == ("medium", "")


def test_gap_extremes_flags_a_disputed_row_and_lists_combined_rows(example):
    # a second, disputed employer row on the same date is combined with p2: both are behind
    extra = example.positions.iloc[[1]].assign(position_id="p4", status="disputed", value=90.0)
    positions = pd.concat([example.positions, extra], ignore_index=True)
    disputed = dataclasses.replace(example, positions=positions)
    row = nl.gap_extremes(nl.compute_gaps(disputed, "union", "employer"), disputed).iloc[0]
    assert set(row.farthest_ids.split(", ")) == {"p1", "p2", "p4"}
    assert row.farthest_flag == "rests on one weak row: p4 (disputed)"


def test_gap_extremes_of_no_gaps_is_an_empty_table():
    empty = pd.DataFrame(columns=["date", "issue_id", "gap"])
    assert nl.gap_extremes(empty).empty


def test_describe_overall_gap_states_first_widest_narrowest_latest(example):
    overall = nl.compute_overall_gap(example, "union", "employer")
    sentence = nl.describe_overall_gap(overall, "union", "employer")
    # numbers as text.format_number writes them everywhere (whole numbers without decimals)
    assert "was 80 on 2024-03-01 (1 issues) at first" in sentence
    assert "widest at 80 on 2024-03-01" in sentence
    assert "narrowest at 50 on 2024-04-02" in sentence
    assert "and 50 on 2024-04-02 (1 issues) at the latest date" in sentence


def test_sentences_and_tables_show_a_gap_with_the_same_decimals(example):
    """One precision (text.DECIMALS) in the describe_* sentences and the reading tables: a gap
    of 33.3456 reads 33.35 in both (the sentences used to say 33.3)."""
    overall = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01"]),
            "gap": [33.3456],
            "gap_low": [33.3456],
            "gap_high": [33.3456],
            "n_issues": [1],
        }
    )
    sentence = nl.describe_overall_gap(overall, "A", "B")
    assert "was 33.35 on 2024-01-01" in sentence
    assert "33.3 " not in sentence
    assert "33.35 on 2024-01-01 (1 issues) with all" in nl.describe_variants(
        {"all": overall}, "A", "B"
    )
    table = nl.compare_overall_gaps({"all": overall})
    assert table.loc[0, "all"] == 33.35
    gaps = pd.DataFrame({"date": overall["date"], "issue_id": ["i"], "gap": [33.3456]})
    assert nl.gap_extremes(gaps).loc[0, "latest"] == 33.35
    assert nl.text.DECIMALS == 2


def test_describe_overall_gap_without_common_issue():
    empty = pd.DataFrame(columns=["date", "gap", "gap_low", "gap_high", "n_issues"])
    assert "never held positions on a common issue" in nl.describe_overall_gap(empty, "a", "b")


def test_compare_overall_gaps_carries_each_variant_forward():
    first = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01", "2024-03-01"]),
            "gap": [10.0, 20.0],
            "n_issues": [1, 2],
        }
    )
    second = pd.DataFrame({"date": pd.to_datetime(["2024-02-01"]), "gap": [5.0], "n_issues": [1]})
    table = nl.compare_overall_gaps({"a": first, "b": second})
    assert table["date"].tolist() == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert table["a"].tolist() == [10.0, 10.0, 20.0]
    assert table["b"].isna().tolist() == [True, False, False]
    assert table["b"].tolist()[1:] == [5.0, 5.0]
    assert table["a · issues"].tolist() == [1, 1, 2]


def test_compare_positions_reads_values_in_force(example):
    moments = {d: nl.positions_asof(example, d) for d in ["2024-03-15", "2024-04-15"]}
    table = nl.compare_positions(moments, actors=["union", "employer"], issues=["wages"])
    assert table.loc["wages", ("2024-03-15", "union")] == 0.0
    assert table.loc["wages", ("2024-04-15", "union")] == 30.0
    assert table.loc["wages", ("2024-04-15", "employer")] == 80.0


def test_movement_summary_counts_the_union_concession(example):
    table = nl.movement_summary(
        example, actors=["union", "employer"], start="2024-03-01", end="2024-04-30"
    ).set_index("actor")
    assert table.loc["union", ["issues_compared", "toward_issues", "away_issues"]].tolist() == [
        1,
        1,
        0,
    ]
    assert table.loc["employer", ["toward_issues", "unmoved_issues"]].tolist() == [0, 1]


def test_third_party_distance_at_given_dates(example):
    table = nl.third_party_distance(
        example, "union", parties=["employer"], dates=["2024-03-15", "2024-04-30"]
    )
    assert table["employer"].tolist() == [80.0, 50.0]


def test_evidence_profile_counts_positions_per_kind(example):
    profile = nl.evidence_profile(example)
    assert profile["positions"].sum() == 3
    top = profile.iloc[0]
    assert (top.source_type, top.status, top.confidence, top.positions) == (
        "official",
        "asserted",
        "high",
        2,
    )


def test_filter_positions_keeps_other_tables(example):
    strong = nl.filter_positions(example, confidence=["high"])
    assert strong.positions["position_id"].tolist() == ["p1", "p3"]
    assert strong.actors.equals(example.actors)
    assert len(example.positions) == 3  # the original is untouched
    assert nl.filter_positions(example, source_types=["leak"]).positions.empty


def test_filter_positions_mirrors_need_the_column(example):
    with pytest.raises(ValueError, match="is_mirror"):
        nl.filter_positions(example, exclude_mirrors=True)


def test_filter_positions_drops_mirror_sources(example):
    import dataclasses

    marked = dataclasses.replace(example, sources=example.sources.assign(is_mirror="true"))
    assert nl.filter_positions(marked, exclude_mirrors=True).positions.empty


def test_summarize_counts_rows_and_date_range(example):
    table = nl.summarize(example).set_index("table")
    assert table.loc["positions", "rows"] == 3
    assert (table.loc["positions", "first"], table.loc["positions", "last"]) == (
        "2024-03-01",
        "2024-04-02",
    )
    assert table.loc["actors", "first"] == ""


def test_environment_report_flags_missing_packages():
    report = nl.environment_report(["pandas", "surely-not-installed-package"]).set_index("package")
    assert report.loc["pandas", "status"] == "ok"
    assert report.loc["surely-not-installed-package", "status"] == "missing"
    assert report.loc["python", "status"] == "ok"


def test_movement_by_issue_one_row_per_issue(example):
    table = nl.movement_by_issue(
        example, "union", others=["employer"], start="2024-03-01", end="2024-04-30"
    )
    row = table.iloc[0]
    assert len(table) == 1
    assert (row.issue_id, row["from"], row.to, row.change) == ("wages", 0.0, 30.0, 30.0)
    assert row["toward employer"] == "yes"
    employer = nl.movement_by_issue(
        example, "employer", others=["union"], start="2024-03-01", end="2024-04-30"
    )
    assert employer.iloc[0]["toward union"] == "no"  # did not move


def test_describe_variants_states_each_latest_value_and_the_difference(example):
    overall = nl.compute_overall_gap(example, "union", "employer")
    early = nl.compute_overall_gap(example, "union", "employer", end="2024-03-15")
    sentence = nl.describe_variants({"all": overall, "early": early}, "union", "employer")
    assert "50 on 2024-04-02 (1 issues) with all" in sentence
    assert "80 on 2024-03-01 (1 issues) with early" in sentence
    assert sentence.endswith("differ by 30 points.")


def test_describe_movement_counts_the_union_concession(example):
    summary = nl.movement_summary(
        example, actors=["union", "employer"], start="2024-03-01", end="2024-04-30"
    )
    text = nl.describe_movement(summary).splitlines()
    assert text == [
        "union moved toward employer on 1 of 1 issues (away on 0).",
        "employer moved toward union on 0 of 1 issues (away on 0).",
    ]


def test_describe_third_party_names_the_closer_party():
    table = pd.DataFrame(
        {"date": ["2024-01-01"], "A": [10.0], "A · issues": [3], "B": [40.456], "B · issues": [2]}
    )
    assert nl.describe_third_party(table, "M") == (
        "2024-01-01: M stood closer to A (10 over 3 issues) than to B (40.46 over 2 issues)."
    )


def test_a_missing_confidence_has_one_name_everywhere(example):
    """schema.MISSING_CONFIDENCE names a missing confidence in the evidence profile, in the
    weakest confidence a gap answer rests on, and in the evidence browser's filter."""
    from negotiation_lib import schema, widgets

    positions = example.positions.copy()
    positions["confidence"] = pd.Series(pd.NA, index=positions.index, dtype="string")
    unknown = dataclasses.replace(example, positions=positions)
    profile = nl.evidence_profile(unknown)
    row = nl.gap_extremes(nl.compute_gaps(unknown, "union", "employer"), unknown).iloc[0]
    named = {*profile["confidence"], row.closest_weakest, row.farthest_weakest, row.latest_weakest}
    assert len(named) == 1  # one name
    missing = schema.MISSING_CONFIDENCE
    assert named == {missing}
    browser = widgets.evidence_explorer(unknown)
    assert browser.controls["confidence"].options == (*reversed(schema.CONFIDENCES), missing)
    browser.controls["confidence"].value = (missing,)
    assert len(browser.table) == len(positions)  # evidence.filter_evidence keeps them
