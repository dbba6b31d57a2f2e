"""Coding sessions: the sheet, the append-only codings file, merging, comparing, the form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import negotiation_lib as nl
from negotiation_lib import coding, widgets


@pytest.fixture(scope="module")
def sheet(bundled):
    return nl.coding_sheet(bundled)


# --- the sheet ------------------------------------------------------------------------------


def test_sheet_draws_one_quoted_statement_per_issue_without_values(bundled, sheet):
    assert list(sheet.columns) == list(coding.SHEET_COLUMNS)
    assert not {"value", "value_low", "value_high", "confidence", "scale_note"} & set(sheet)
    issues_with_quotes = bundled.positions.loc[
        bundled.positions["quote"].fillna("").str.strip() != "", "issue_id"
    ].unique()
    assert sorted(sheet["issue_id"]) == sorted(issues_with_quotes)
    assert sheet["issue_id"].is_unique
    assert 15 <= len(sheet) <= 20
    assert (sheet["quote"].str.strip() != "").all()
    assert sheet["source_title"].notna().all()
    positions = bundled.positions.set_index("position_id")
    for row in sheet.itertuples():
        assert positions.loc[row.position_id, "quote"] == row.quote
        assert positions.loc[row.position_id, "issue_id"] == row.issue_id
        roles = bundled.actors.set_index("name")["role"]
        assert roles[row.actor] != "joint"
        assert row.anchors.startswith("0 = ") or "0 = " in row.anchors


def test_sheet_is_deterministic_and_follows_the_seed(bundled, sheet):
    pd.testing.assert_frame_equal(sheet, nl.coding_sheet(bundled))
    other = nl.coding_sheet(bundled, seed=1)
    assert set(other["position_id"]) != set(sheet["position_id"])
    two = nl.coding_sheet(bundled, per_issue=2, issues=["ceasefire_terms", "sanctions"])
    assert two["issue_id"].tolist() == ["ceasefire_terms"] * 2 + ["sanctions"] * 2


def test_sheet_anchor_text_lists_the_issue_anchors(bundled, sheet):
    row = sheet.iloc[0]
    table = nl.evidence.anchor_table(bundled, row["issue_id"])
    assert row["anchors"].count(" = ") == len(table)
    assert str(table["label"].iloc[-1]) in row["anchors"]


def test_sheet_refuses_unknown_issue_and_bad_count(bundled):
    # the one unknown-id error (ids.UnknownIdError): names the argument and the known ids
    with pytest.raises(nl.ids.UnknownIdError, match="unknown issue id 'no_such_issue' in issues"):
        nl.coding_sheet(bundled, issues=["no_such_issue"])
    with pytest.raises(ValueError, match="per_issue"):
        nl.coding_sheet(bundled, per_issue=0)


def test_statement_cards_escape_the_data(hostile):
    sheet = nl.coding_sheet(hostile, per_issue=5)
    html = coding.sheet_html(sheet)
    assert len(sheet) > 0
    assert "<script>" not in html
    assert "<img" not in html
    assert html.count('class="nl-statement-card"') == len(sheet)


# --- saving ---------------------------------------------------------------------------------


def test_save_creates_the_file_and_appends_without_touching_other_rows(tmp_path):
    path = tmp_path / "codings.csv"
    first = nl.save_codings(path, "Ana", {"p1": 10, "p2": "55", "p3": ""})
    assert first[["coder", "position_id", "value", "entry"]].values.tolist() == [
        ["Ana", "p1", 10.0, 1],
        ["Ana", "p2", 55.0, 1],
    ]
    before = path.read_bytes()
    assert before.decode().splitlines()[0] == "coder,position_id,value,entry"
    nl.save_codings(path, "Ben", {"p1": 30, "p2": 50.5})
    after = path.read_bytes()
    assert after.startswith(before)  # append-only: Ana's rows are byte for byte as they were
    rows = after.decode().splitlines()
    assert rows[-2:] == ["Ben,p1,30,1", "Ben,p2,50.5,1"]


def test_a_coder_recoding_a_statement_adds_the_next_entry(tmp_path):
    path = tmp_path / "codings.csv"
    nl.save_codings(path, "Ana", {"p1": 10, "p2": 20})
    nl.save_codings(path, "Ben", {"p1": 90})
    again = nl.save_codings(path, " Ana ", {"p1": 15})
    assert again[["coder", "entry"]].values.tolist() == [["Ana", 2]]
    everything = nl.read_codings(path, all_entries=True)
    assert len(everything) == 4
    latest = nl.read_codings(path)
    ana = latest[latest["coder"] == "Ana"].set_index("position_id")["value"]
    assert ana.to_dict() == {"p1": 15.0, "p2": 20.0}
    assert latest.loc[latest["coder"] == "Ben", "value"].tolist() == [90.0]


def test_save_refuses_bad_input_and_writes_nothing(tmp_path):
    path = tmp_path / "codings.csv"
    with pytest.raises(coding.CodingsError) as caught:
        nl.save_codings(
            path,
            "  ",
            {"p1": "ten", "p2": 101, "p9": 5},
            position_ids=["p1", "p2"],
        )
    message = str(caught.value)
    for part in ("enter a coder name", "'ten' is not a number", "101 is outside 0-100", "p9"):
        assert part in message
    assert not path.exists()
    with pytest.raises(coding.CodingsError, match="nothing to save"):
        nl.save_codings(path, "Ana", {"p1": "", "p2": None})
    assert not path.exists()


def test_save_never_appends_to_a_file_that_is_not_a_codings_file(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("name,comment\nx,y\n", encoding="utf-8")
    with pytest.raises(coding.CodingsError, match="will not append"):
        nl.save_codings(path, "Ana", {"p1": 1})
    assert path.read_text(encoding="utf-8") == "name,comment\nx,y\n"


def test_save_adds_a_missing_final_newline_before_appending(tmp_path):
    path = tmp_path / "codings.csv"
    path.write_text("coder,position_id,value,entry\nAna,p1,3,1", encoding="utf-8")
    nl.save_codings(path, "Ben", {"p1": 4})
    assert nl.read_codings(path)["coder"].tolist() == ["Ana", "Ben"]


# --- reading and merging --------------------------------------------------------------------


def test_read_merges_files_and_folders_and_counts_a_copied_file_once(tmp_path):
    group = tmp_path / "group"
    nl.save_codings(group / "ana.csv", "Ana", {"p1": 10, "p2": 20})
    nl.save_codings(group / "ben.csv", "Ben", {"p1": 30})
    copy = tmp_path / "ana-again.csv"
    copy.write_bytes((group / "ana.csv").read_bytes())
    merged = nl.read_codings(group, copy)
    assert merged[["coder", "position_id", "value"]].values.tolist() == [
        ["Ana", "p1", 10.0],
        ["Ana", "p2", 20.0],
        ["Ben", "p1", 30.0],
    ]
    assert set(merged["file"]) == {"ana.csv", "ben.csv"}
    missing = tmp_path / "not-yet-saved.csv"
    with pytest.raises(coding.CodingsError, match=r"not-yet-saved\.csv: no such file"):
        nl.read_codings(group, missing)
    pd.testing.assert_frame_equal(
        nl.read_codings(group, missing, missing_ok=True), nl.read_codings(group)
    )


def test_read_refuses_the_same_entry_with_two_values(tmp_path):
    nl.save_codings(tmp_path / "a.csv", "Ana", {"p1": 10})
    nl.save_codings(tmp_path / "b.csv", "Ana", {"p1": 60})
    with pytest.raises(coding.CodingsError, match="coder 'Ana', p1, entry 1: values 10, 60"):
        nl.read_codings(tmp_path)


def test_read_lists_every_problem_with_file_row_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "coder,position_id,value,entry\n,p1,5,1\nAna,p2,high,1\nAna,p3,50,0\n", encoding="utf-8"
    )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(coding.CodingsError) as caught:
        nl.read_codings(bad, wrong, tmp_path / "missing.csv")
    message = str(caught.value)
    assert "bad.csv row 2, column coder: empty" in message
    assert "bad.csv row 3, column value: 'high'" in message
    assert "bad.csv row 4, column entry: '0'" in message
    assert "wrong.csv: not a codings file" in message
    assert "missing.csv: no such file" in message
    (tmp_path / "empty").mkdir()
    with pytest.raises(coding.CodingsError, match="no codings files"):
        nl.read_codings(tmp_path / "empty")


# --- comparing ------------------------------------------------------------------------------


def dataset_values(neg, sheet):
    return neg.positions.set_index("position_id").loc[sheet["position_id"], "value"].astype(float)


def test_compare_with_dataset(bundled, sheet, tmp_path):
    truth = dataset_values(bundled, sheet)
    path = tmp_path / "c.csv"
    nl.save_codings(path, "Exact", truth.to_dict())
    shifted = (truth + 10).clip(upper=100)
    nl.save_codings(path, "Shifted", shifted.to_dict())
    one_off = truth.copy()
    one_off.iloc[3] = 100 - one_off.iloc[3]
    nl.save_codings(path, "OneOff", one_off.to_dict())
    table = nl.compare_with_dataset(nl.read_codings(path), bundled).set_index("coder")
    assert table.loc["Exact", "mean_abs_difference"] == 0
    assert table.loc["Exact", "within_10"] == 1
    assert table.loc["Exact", "alpha_with_dataset"] == 1
    assert table.loc["Shifted", "mean_abs_difference"] == pytest.approx(
        (shifted - truth).abs().mean()
    )
    assert table.loc["OneOff", "largest_on"] == sheet["position_id"].iloc[3]
    assert table.loc["OneOff", "largest_difference"] == abs(100 - 2 * truth.iloc[3])
    assert table.loc["OneOff", "alpha_with_dataset"] < 1
    assert (table["statements"] == len(sheet)).all()


def test_widest_spread_names_the_anchors_involved(bundled, sheet, tmp_path):
    path = tmp_path / "c.csv"
    target = sheet.iloc[0]
    nl.save_codings(path, "Ana", {target["position_id"]: 0, sheet["position_id"].iloc[1]: 50})
    nl.save_codings(path, "Ben", {target["position_id"]: 100, sheet["position_id"].iloc[1]: 55})
    nl.save_codings(path, "Cy", {target["position_id"]: 40})
    spread = nl.widest_spread(nl.read_codings(path), bundled, top=5)
    assert spread["position_id"].tolist() == [target["position_id"], sheet["position_id"].iloc[1]]
    first = spread.iloc[0]
    assert (first["low"], first["high"], first["spread"], first["coders"]) == (0, 100, 100, 3)
    assert first["values"] == "0, 40, 100"
    anchors = nl.evidence.anchor_table(bundled, target["issue_id"])
    assert first["anchors_involved"].count(" = ") == len(anchors)  # 0 to 100: every anchor
    second = spread.iloc[1]
    involved = second["anchors_involved"].split(coding.ANCHOR_SEPARATOR)
    assert 1 <= len(involved) <= 3
    assert first["dataset"] == dataset_values(bundled, sheet).iloc[0]


def test_agreement_codings_feed_the_report(bundled, sheet, tmp_path):
    path = tmp_path / "c.csv"
    truth = dataset_values(bundled, sheet)
    rng = np.random.default_rng(0)
    for coder in ("a", "b", "c"):
        noisy = (truth + rng.normal(0, 8, len(truth))).clip(0, 100).round()
        nl.save_codings(path, coder, noisy.to_dict())
    long = coding.agreement_codings(nl.read_codings(path), bundled)
    assert list(long.columns) == ["unit", "coder", "value", "issue_id"]
    report = nl.agreement_report(long, n_boot=100)
    assert len(report.alphas) == len(sheet) + 2
    assert 0.5 < report.pooled_alpha <= 1


# --- the form -------------------------------------------------------------------------------


def test_form_saves_what_was_entered(sheet, tmp_path):
    path = tmp_path / "my-codings.csv"
    form = widgets.coding_form(sheet, path)
    assert len(form.values) == len(sheet)
    assert len(form.children) == len(sheet) + 3
    form.coder.value = "Dana"
    ids = list(form.values)
    form.values[ids[0]].value = "25"
    form.values[ids[1]].value = "80"
    form.save_button.click()
    assert form.message == f"Saved 2 values by Dana to {path.name}."
    saved = nl.read_codings(path)
    assert saved[["position_id", "value"]].values.tolist() == [[ids[0], 25.0], [ids[1], 80.0]]
    form.values[ids[0]].value = "30"
    written = form.save()
    assert written["entry"].tolist() == [2, 2]
    assert "2 replace your earlier values" in form.message
    assert nl.read_codings(path).set_index("position_id").loc[ids[0], "value"] == 30


def test_form_shows_problems_and_saves_nothing(sheet, tmp_path):
    path = tmp_path / "my-codings.csv"
    form = widgets.coding_form(sheet, path)
    form.values[next(iter(form.values))].value = "lots"
    form.save_button.click()
    assert "enter a coder name" in form.message
    assert "'lots' is not a number" in form.message
    assert not path.exists()
    assert "nl-message-text" in form.children[-1].value


# --- the committed example codings ----------------------------------------------------------


def test_example_codings_are_exactly_what_the_documented_rule_writes(
    bundled, script_module, tmp_path
):
    from pathlib import Path

    script = script_module("example_codings")
    committed = Path(script.OUT)
    written = script.write_example_codings(bundled, tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in committed.glob("*.csv"))
    for path in written:
        assert path.read_bytes() == (committed / path.name).read_bytes(), path.name
    readme = (committed / "README.md").read_text(encoding="utf-8")
    assert "not research data" in readme
    codings = nl.read_codings(committed)
    assert codings["coder"].str.startswith("Example coder").all()
    assert set(codings["position_id"]) <= set(nl.coding_sheet(bundled)["position_id"])
