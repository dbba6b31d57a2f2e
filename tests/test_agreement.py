"""Krippendorff's alpha and the agreement report.

Reference values: the worked example in Krippendorff, "Computing Krippendorff's
Alpha-Reliability" (2011): 4 observers x 12 units with missing values; published alphas
nominal .743, ordinal .815, interval .849, ratio .797. Cross-check: the `krippendorff` package
(GPL, a test-only dev dependency, never imported by the library) on random data.
"""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest

import negotiation_lib as nl
from negotiation_lib import agreement

NAN = np.nan
# Observers A-D (columns) x units 1-12 (rows); NaN = the observer did not code the unit.
WORKED_EXAMPLE = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        "C": [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    },
    index=pd.RangeIndex(1, 13, name="unit"),
)
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def as_long(wide: pd.DataFrame) -> pd.DataFrame:
    long = wide.rename_axis("unit").reset_index().melt("unit", var_name="coder")
    return long.dropna(subset=["value"]).reset_index(drop=True)


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_worked_example_matches_the_published_alpha(level):
    assert round(nl.krippendorff_alpha(WORKED_EXAMPLE, level=level), 3) == PUBLISHED[level]


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_long_and_wide_frames_give_the_same_alpha(level):
    wide = nl.krippendorff_alpha(WORKED_EXAMPLE, level=level)
    long = as_long(WORKED_EXAMPLE)
    assert nl.krippendorff_alpha(long, level=level) == pytest.approx(wide, abs=1e-12)
    # Row order and extra columns do not matter.
    shuffled = long.sample(frac=1, random_state=3).assign(note="x")
    assert nl.krippendorff_alpha(shuffled, level=level) == pytest.approx(wide, abs=1e-12)


def test_default_level_is_interval():
    assert nl.krippendorff_alpha(WORKED_EXAMPLE) == nl.krippendorff_alpha(
        WORKED_EXAMPLE, level="interval"
    )


def random_codings(rng: np.random.Generator) -> pd.DataFrame:
    units = int(rng.integers(3, 40))
    coders = int(rng.integers(2, 7))
    values = rng.integers(0, int(rng.integers(2, 12)), size=(units, coders)).astype(float)
    # Make coders agree somewhat: each unit has a true value most coders stay near.
    truth = rng.integers(0, 10, size=units)
    near = rng.random((units, coders)) < 0.6
    values[near] = (truth[:, None] + rng.integers(-1, 2, size=(units, coders)))[near].clip(0)
    values[rng.random((units, coders)) < 0.25] = NAN
    return pd.DataFrame(values, columns=[f"c{i}" for i in range(coders)])


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_matches_the_krippendorff_package_on_random_data(level):
    rng = np.random.default_rng(2011)
    compared = 0
    for _ in range(60):
        wide = random_codings(rng)
        if level == "ratio":
            wide = wide + 1  # the package and we agree on zeros too, but keep ratios well defined
        pairable = wide[wide.notna().sum(axis=1) >= 2]
        if pairable.stack().nunique() < 2:
            assert np.isnan(nl.krippendorff_alpha(wide, level=level))
            continue
        expected = krippendorff.alpha(
            reliability_data=wide.T.to_numpy(), level_of_measurement=level
        )
        assert nl.krippendorff_alpha(wide, level=level) == pytest.approx(expected, abs=1e-9)
        compared += 1
    assert compared >= 50


def test_nominal_labels_match_the_package():
    wide = pd.DataFrame(
        {
            "a": ["pos", "neg", "neu", NAN, "pos"],
            "b": ["pos", "neg", "neu", "pos", "neg"],
            "c": ["pos", "neg", "pos", "pos", NAN],
        }
    )
    expected = krippendorff.alpha(
        reliability_data=wide.T.to_numpy(dtype=str), level_of_measurement="nominal"
    )
    assert nl.krippendorff_alpha(wide, level="nominal") == pytest.approx(expected, abs=1e-12)


# --- edge cases -----------------------------------------------------------------------------


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_all_coders_agree_gives_one(level):
    wide = pd.DataFrame({"a": [10, 20, 30, 40], "b": [10, 20, 30, 40], "c": [10, NAN, 30, 40]})
    assert nl.krippendorff_alpha(wide, level=level) == 1.0


def test_ratio_with_zeros_agreeing_gives_one():
    wide = pd.DataFrame({"a": [0, 1, 2], "b": [0, 1, 2]})
    assert nl.krippendorff_alpha(wide, level="ratio") == 1.0


@pytest.mark.parametrize(
    "wide",
    [
        pd.DataFrame({"only": [1, 2, 3]}),  # a single coder: nothing to pair
        pd.DataFrame({"a": [1, NAN], "b": [NAN, 2]}),  # no unit has two values
        pd.DataFrame({"a": [5, 5, 5], "b": [5, 5, NAN]}),  # constant values: no variation
        pd.DataFrame({"a": [7], "b": [7]}),  # one unit, agreeing
        pd.DataFrame({"a": [], "b": []}, dtype=float),  # no units at all
    ],
    ids=["single-coder", "no-pairs", "constant", "one-unit-agreeing", "empty"],
)
def test_undefined_alpha_is_nan(wide):
    for level in PUBLISHED:
        assert np.isnan(nl.krippendorff_alpha(wide, level=level))


def test_one_unit_with_disagreement_is_zero():
    # n = 2 pairable values, D_o = D_e: no better than chance.
    assert nl.krippendorff_alpha(pd.DataFrame({"a": [1], "b": [3]})) == pytest.approx(0.0)


def test_unit_coded_once_is_left_out():
    wide = pd.DataFrame({"a": [1, 2, 3, 99], "b": [1, 2, 4, NAN]})
    assert nl.krippendorff_alpha(wide) == nl.krippendorff_alpha(wide.iloc[:3])


def test_unknown_level_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown level 'metric'.*nominal, ordinal"):
        nl.krippendorff_alpha(WORKED_EXAMPLE, level="metric")


def test_long_frame_with_a_missing_column_names_it():
    long = as_long(WORKED_EXAMPLE).drop(columns="coder")
    with pytest.raises(ValueError, match="missing: coder"):
        nl.krippendorff_alpha(long)


def test_all_problems_are_listed_at_once():
    long = pd.DataFrame(
        {
            "unit": ["u1", "u1", "u1", None, "u2"],
            "coder": ["a", "a", "b", "c", "b"],
            "value": [1, 2, "high", 3, 4],
        }
    )
    with pytest.raises(ValueError, match="cannot compute agreement") as caught:
        nl.krippendorff_alpha(long, level="interval")
    message = str(caught.value)
    assert "unit is empty in row(s) 5" in message
    assert "must be numbers; 1 are not" in message
    assert "'high'" in message
    assert "unit u1 coder a" in message  # one coder, one unit, two values


def test_negative_ratio_values_are_refused():
    with pytest.raises(ValueError, match="ratio values must not be negative"):
        nl.krippendorff_alpha(pd.DataFrame({"a": [-1, 2], "b": [1, 2]}), level="ratio")


def test_non_frame_input_is_refused():
    with pytest.raises(TypeError, match="pandas DataFrame"):
        nl.krippendorff_alpha([[1, 2], [1, 2]])


def test_wide_frame_with_a_repeated_coder_or_unit_is_refused():
    wide = pd.DataFrame([[1, 2], [1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="repeated"):
        nl.krippendorff_alpha(wide)
    wide = pd.DataFrame([[1, 2], [1, 3]], columns=["a", "b"], index=["u1", "u1"])
    with pytest.raises(ValueError, match=r"each unit once; repeated: \['u1'\]"):
        nl.krippendorff_alpha(wide)


# --- disagreement per unit ------------------------------------------------------------------


def test_unit_disagreement_ranks_the_disputed_units():
    table = agreement.unit_disagreement(WORKED_EXAMPLE, level="interval")
    assert table["unit"].tolist()[:3] == [6, 2, 8]  # 1,2,3,4 then one-off disagreements
    first = table.iloc[0]
    assert first["values"] == "1, 2, 3, 4"
    assert (first["low"], first["high"], first["spread"]) == (1, 4, 3)
    # Mean squared difference over the 12 ordered pairs of 1, 2, 3, 4: 40 / 12.
    assert first["disagreement"] == pytest.approx(40 / 12)
    assert table["share"].sum() == pytest.approx(1.0)
    assert 12 not in set(table["unit"])  # coded once: not pairable
    assert (table.loc[table["spread"] == 0, "disagreement"] == 0).all()


# --- the report -----------------------------------------------------------------------------


def grouped_example() -> pd.DataFrame:
    long = as_long(WORKED_EXAMPLE)
    return long.assign(issue_id=np.where(long["unit"] <= 6, "first", "second"))


def test_report_rows_counts_and_values():
    report = nl.agreement_report(grouped_example(), level="interval", n_boot=200, seed=1)
    alphas = report.alphas.set_index("issue_id")
    assert list(alphas.index) == ["first", "second", "(mean of groups)", "(all units)"]
    assert alphas.loc["(all units)", "alpha"] == pytest.approx(PUBLISHED["interval"], abs=5e-4)
    assert alphas.loc["(all units)", "units"] == 11
    assert alphas.loc["(all units)", "pairable_values"] == 40
    assert alphas.loc["(all units)", "coders"] == 4
    first = as_long(WORKED_EXAMPLE.loc[1:6])
    assert alphas.loc["first", "alpha"] == pytest.approx(nl.krippendorff_alpha(first))
    assert alphas.loc["first", "units"] == 6
    mean = (alphas.loc["first", "alpha"] + alphas.loc["second", "alpha"]) / 2
    assert report.mean_alpha == pytest.approx(mean)
    assert report.pooled_alpha == alphas.loc["(all units)", "alpha"]
    for _, row in alphas.iterrows():
        assert row["ci_low"] <= row["ci_high"]
    assert alphas.loc["(all units)", "ci_low"] < alphas.loc["(all units)", "alpha"]
    assert report.disagreements.loc[0, "unit"] == 6
    assert report.disagreements.loc[0, "issue_id"] == "first"


def test_report_is_deterministic_and_the_seed_matters():
    one = nl.agreement_report(grouped_example(), n_boot=300, seed=7)
    two = nl.agreement_report(grouped_example(), n_boot=300, seed=7)
    other = nl.agreement_report(grouped_example(), n_boot=300, seed=8)
    pd.testing.assert_frame_equal(one.alphas, two.alphas)
    pd.testing.assert_frame_equal(one.disagreements, two.disagreements)
    assert not one.alphas["ci_low"].equals(other.alphas["ci_low"])
    pd.testing.assert_series_equal(one.alphas["alpha"], other.alphas["alpha"])


def test_report_without_groups_has_the_overall_row_only():
    report = nl.agreement_report(as_long(WORKED_EXAMPLE), by=None, n_boot=50, top=3)
    assert report.alphas["kind"].tolist() == ["all"]
    assert len(report.disagreements) == 3
    report_wide = nl.agreement_report(WORKED_EXAMPLE, n_boot=50)  # no issue_id column
    assert report_wide.alphas["kind"].tolist() == ["all"]
    with pytest.raises(ValueError, match="no column 'issue'"):
        nl.agreement_report(as_long(WORKED_EXAMPLE), by="issue")


def test_report_leaves_a_one_unit_group_undefined():
    long = grouped_example()
    long.loc[long["unit"] == 7, "issue_id"] = "alone"
    report = nl.agreement_report(long, n_boot=50)
    alphas = report.alphas.set_index("issue_id")
    assert alphas.loc["alone", "units"] == 1
    assert np.isnan(alphas.loc["alone", "alpha"])
    assert any("fewer than 2 pairable units" in n and "alone" in n for n in report.notes)
    # krippendorff_alpha itself follows the formula: one unit's alpha is 0.
    one = long[long["issue_id"] == "alone"].assign(value=lambda f: f["value"] + f.index)
    assert nl.krippendorff_alpha(one) == pytest.approx(0.0)


def test_report_notes_an_undefined_group():
    long = pd.concat(
        [
            as_long(WORKED_EXAMPLE).assign(issue_id="varied"),
            pd.DataFrame(
                {
                    "unit": ["x", "x", "y", "y"],
                    "coder": ["A", "B", "A", "B"],
                    "value": [5, 5, 5, 5],
                    "issue_id": "flat",
                }
            ),
        ]
    )
    report = nl.agreement_report(long, n_boot=50)
    alphas = report.alphas.set_index("issue_id")
    assert np.isnan(alphas.loc["flat", "alpha"])
    assert np.isnan(alphas.loc["flat", "ci_low"])
    assert report.mean_alpha == pytest.approx(alphas.loc["varied", "alpha"])
    assert any("no variation" in note and "flat" in note for note in report.notes)


def test_report_refuses_a_unit_in_two_groups_and_bad_arguments():
    long = grouped_example()
    long.loc[0, "issue_id"] = "second"  # unit 1 now in both groups
    with pytest.raises(ValueError, match="each unit belongs to one issue_id"):
        nl.agreement_report(long)
    with pytest.raises(ValueError, match="unknown level"):
        nl.agreement_report(grouped_example(), level="circular")
    with pytest.raises(ValueError, match="must not be negative"):
        nl.agreement_report(grouped_example(), n_boot=-1)


def test_library_never_imports_the_gpl_package():
    import ast
    from pathlib import Path

    src = Path(nl.__file__).parent
    for path in src.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "krippendorff" for n in names), path.name


def test_report_mean_of_groups_is_quiet_when_no_group_is_defined_in_a_replicate():
    # Three of each group's four units have the same value: a bootstrap replicate that draws
    # only those has no expected disagreement, so its alpha is undefined, and now and then
    # both groups' are. The mean of groups is then NaN for that replicate, without a warning.
    rows = []
    for issue in ("a", "b"):
        for unit, value in enumerate([10, 10, 10, 90]):
            rows += [
                {"unit": f"{issue}{unit}", "coder": c, "value": value, "issue_id": issue}
                for c in ("x", "y")
            ]
    long = pd.DataFrame(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = nl.agreement_report(long, n_boot=200, seed=0)
    mean = report.alphas.set_index("issue_id").loc[agreement.MEAN_LABEL]
    assert mean["alpha"] == pytest.approx(1.0)
    assert mean["ci_low"] == pytest.approx(1.0)
    assert mean["ci_high"] == pytest.approx(1.0)
