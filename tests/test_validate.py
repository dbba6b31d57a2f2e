"""One test per validation rule: the exact table, spreadsheet row and column reported.

Every case starts from a copy of the valid hand-made fixture ``tests/fixtures/mini`` and breaks
one thing. Row numbers are spreadsheet rows (header = 1): in positions.csv p1 is row 2, p5 row 6.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from fixtures.edit import MINI, append_row, copy_fixture, drop_column, replace_in, set_cell
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_lib as nl


def only_problem(folder, **expected):
    """Validate ``folder``; assert exactly one problem and that it matches ``expected``."""
    problems = nl.validate(folder)
    assert len(problems) == 1, nl.format_problems(problems)
    got = problems.iloc[0]
    for key, value in expected.items():
        actual = got[key]
        if value is None:
            assert pd.isna(actual), f"{key}: expected empty, got {actual!r}"
        else:
            assert actual == value, f"{key}: expected {value!r}, got {actual!r}"
    return got


def test_the_fixture_is_valid():
    problems = nl.validate(MINI)
    assert list(problems.columns) == ["table", "row", "column", "rule", "value", "message"]
    assert problems.empty


# ---------------------------------------------------------------- whole files


def test_missing_file(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "sources.csv").unlink()
    # no foreign-key flood for source_id: the missing file is the one problem
    only_problem(folder, table="sources.csv", row=None, column=None, rule="missing_file")


def test_empty_file(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "positions.csv").write_bytes(b"")
    only_problem(folder, table="positions.csv", row=None, column=None, rule="empty_file")


def test_missing_datapackage(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "datapackage.json").unlink()
    only_problem(folder, table="datapackage.json", row=None, rule="missing_file")


def test_malformed_datapackage_json(tmp_path):
    folder = copy_fixture(tmp_path)
    text = (folder / "datapackage.json").read_text(encoding="utf-8")
    (folder / "datapackage.json").write_text(text.replace('"name"', "name", 1), encoding="utf-8")
    got = only_problem(folder, table="datapackage.json", row=None, column=None, rule="json")
    line = text[: text.index('"name"')].count("\n") + 1
    assert f"at line {line}," in got["message"]


def test_datapackage_without_a_table_resource(tmp_path):
    folder = copy_fixture(tmp_path)
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    meta["resources"] = [r for r in meta["resources"] if r["name"] != "events"]
    (folder / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    only_problem(
        folder, table="datapackage.json", column="resources", rule="resource", value="events"
    )


def test_datapackage_resource_path_that_does_not_exist(tmp_path):
    folder = copy_fixture(tmp_path)
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        if res["name"] == "events":
            res["path"] = "rounds.csv"
    (folder / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    # events.csv exists but the package points elsewhere; the event_id keys are not checked
    # against a table that is not there (no flood)
    only_problem(folder, table="rounds.csv", row=None, rule="missing_file")


def test_datapackage_without_name(tmp_path):
    folder = copy_fixture(tmp_path)
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    del meta["name"]
    (folder / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    only_problem(folder, table="datapackage.json", column="name", rule="required")


def test_file_that_is_not_utf8_is_named(tmp_path):
    folder = copy_fixture(tmp_path)
    text = (folder / "actors.csv").read_text(encoding="utf-8").replace("“M”", "M")
    (folder / "actors.csv").write_bytes(text.encode("cp1251"))  # Cyrillic in Windows-1251
    got = only_problem(folder, table="actors.csv", row=None, column=None, rule="encoding")
    assert "actors.csv is not UTF-8" in got["message"]
    assert "line 2" in got["message"]


def test_ragged_row_is_a_csv_problem(tmp_path):
    folder = copy_fixture(tmp_path)
    append_row(folder, "events.csv", "e3,2022-05-01,day,Round, two,Geneva,talks_round,,extra")
    got = only_problem(folder, table="events.csv", rule="csv")
    assert "line 4" in got["message"]


def test_header_with_duplicate_column(tmp_path):
    folder = copy_fixture(tmp_path)
    replace_in(folder, "actors.csv", "actor_id,name,role,color", "actor_id,name,role,name")
    only_problem(folder, table="actors.csv", row=1, column="name", rule="header")


# ---------------------------------------------------------------- columns and cells


def test_missing_required_column(tmp_path):
    folder = copy_fixture(tmp_path)
    drop_column(folder, "positions.csv", "summary")
    only_problem(folder, table="positions.csv", row=None, column="summary", rule="missing_column")


def test_missing_column_hint_for_stray_spaces(tmp_path):
    folder = copy_fixture(tmp_path)
    replace_in(folder, "issues.csv", "issue_id,label", "Issue_ID ,label")
    got = nl.validate(folder)
    first = got.iloc[0]
    assert (first["table"], first["column"], first["rule"]) == (
        "issues.csv",
        "issue_id",
        "missing_column",
    )
    assert "'Issue_ID '" in first["message"]


def test_wrong_type(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "forty")
    only_problem(folder, table="positions.csv", row=6, column="value", rule="type", value="forty")


def test_wrong_type_integer(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "issues.csv", 3, "order", "2.5")
    only_problem(folder, table="issues.csv", row=3, column="order", rule="type", value="2.5")


@pytest.mark.parametrize("bad", ["2022-02-31", "01.02.2022", "2022-2-1", "Feb 2022"])
def test_unparseable_date(tmp_path, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 4, "date", bad)
    only_problem(folder, table="positions.csv", row=4, column="date", rule="date", value=bad)


def test_unparseable_optional_date(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "sources.csv", 2, "published", "yesterday")
    only_problem(folder, table="sources.csv", row=2, column="published", rule="date")


@pytest.mark.parametrize(
    ("column", "bad"), [("value", "140"), ("value", "-1"), ("salience", "1.5")]
)
def test_value_out_of_range(tmp_path, column, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, column, bad)
    only_problem(folder, table="positions.csv", row=6, column=column, rule="range", value=bad)


def test_scale_anchor_out_of_range(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "scale_anchors.csv", 4, "value", "101")
    only_problem(folder, table="scale_anchors.csv", row=4, column="value", rule="range")


def test_value_low_above_value(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 4, "value_low", "25")  # p3: value 20
    only_problem(
        folder, table="positions.csv", row=4, column="value_low", rule="interval", value="25"
    )


def test_value_high_below_value(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 5, "value_high", "75")  # p4: value 80
    only_problem(folder, table="positions.csv", row=5, column="value_high", rule="interval")


@pytest.mark.parametrize(
    ("file", "row", "column", "bad"),
    [
        ("actors.csv", 3, "role", "observer"),
        ("events.csv", 2, "kind", "meeting"),
        ("events.csv", 3, "date_precision", "week"),
        ("sources.csv", 3, "source_type", "blog"),
        ("positions.csv", 2, "stance", "Demand"),
        ("positions.csv", 2, "status", "confirmed"),
        ("positions.csv", 2, "confidence", "certain"),
    ],
)
def test_unknown_enum_value(tmp_path, file, row, column, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, file, row, column, bad)
    got = only_problem(folder, table=file, row=row, column=column, rule="enum", value=bad)
    if bad == "Demand":
        assert "did you mean 'demand'" in got["message"]


@pytest.mark.parametrize(
    ("file", "row", "column"),
    [
        ("actors.csv", 3, "name"),
        ("issues.csv", 2, "low_label"),
        ("scale_anchors.csv", 2, "label"),
        ("events.csv", 2, "name"),
        ("sources.csv", 2, "title"),
        ("positions.csv", 3, "summary"),
        ("positions.csv", 3, "value"),
        ("positions.csv", 3, "stance"),
    ],
)
def test_missing_required_value(tmp_path, file, row, column):
    folder = copy_fixture(tmp_path)
    set_cell(folder, file, row, column, "")
    only_problem(folder, table=file, row=row, column=column, rule="required")


def test_whitespace_only_counts_as_missing(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 3, "summary", "   ")
    only_problem(folder, table="positions.csv", row=3, column="summary", rule="required")


def test_quote_missing_where_required(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 3, "quote", "")  # p2, status asserted
    only_problem(folder, table="positions.csv", row=3, column="quote", rule="quote_required")


def test_quote_may_be_missing_when_unverified(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 3, "status", "unverified")
    set_cell(folder, "positions.csv", 3, "quote", "")
    assert nl.validate(folder).empty


@pytest.mark.parametrize(
    ("file", "row", "column", "bad"),
    [
        ("actors.csv", 3, "actor_id", "A"),
        ("issues.csv", 4, "issue_id", "i1"),
        ("events.csv", 3, "event_id", "e1"),
        ("sources.csv", 3, "source_id", "s1"),
        ("positions.csv", 5, "position_id", "p1"),
    ],
)
def test_duplicate_primary_key(tmp_path, file, row, column, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, file, row, column, bad)
    problems = nl.validate(folder)
    dup = problems[problems["rule"] == "unique"]
    assert len(dup) == 1, nl.format_problems(problems)
    assert (dup.iloc[0]["table"], dup.iloc[0]["row"], dup.iloc[0]["column"]) == (file, row, column)
    assert "row 2" in dup.iloc[0]["message"] or "row 3" in dup.iloc[0]["message"]


def test_duplicate_scale_anchor_compares_numbers(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "scale_anchors.csv", 3, "value", "0.0")  # i1,0 already in row 2
    only_problem(folder, table="scale_anchors.csv", row=3, column="value", rule="unique")


@pytest.mark.parametrize(
    ("file", "row", "column", "bad"),
    [
        ("positions.csv", 6, "actor_id", "C"),
        ("positions.csv", 6, "issue_id", "i9"),
        ("positions.csv", 2, "event_id", "e9"),
        ("positions.csv", 2, "source_id", "s9"),
        ("scale_anchors.csv", 5, "issue_id", "i9"),
    ],
)
def test_foreign_key(tmp_path, file, row, column, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, file, row, column, bad)
    only_problem(folder, table=file, row=row, column=column, rule="foreign_key", value=bad)


def test_foreign_key_suggests_a_close_id(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 2, "source_id", "S1")
    got = only_problem(folder, rule="foreign_key")
    assert "Did you mean 's1'?" in got["message"]


@pytest.mark.parametrize(
    ("file", "row", "column", "bad"),
    [
        ("actors.csv", 2, "color", "red"),
        ("sources.csv", 2, "language", "rus"),
    ],
)
def test_pattern(tmp_path, file, row, column, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, file, row, column, bad)
    only_problem(folder, table=file, row=row, column=column, rule="pattern", value=bad)


def test_actor_id_pattern(tmp_path):
    folder = copy_fixture(tmp_path)
    append_row(folder, "actors.csv", "9 X,Nine,party,")
    only_problem(folder, table="actors.csv", row=5, column="actor_id", rule="pattern", value="9 X")


# ---------------------------------------------------------------- one pass, readable error


def test_all_problems_in_one_pass(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "actors.csv", 2, "role", "boss")
    set_cell(folder, "positions.csv", 4, "date", "2022-13-01")
    set_cell(folder, "positions.csv", 6, "value", "140")
    set_cell(folder, "positions.csv", 8, "actor_id", "Z")
    (folder / "events.csv").write_bytes(b"")
    problems = nl.validate(folder)
    got = set(zip(problems["table"], problems["row"], problems["column"], strict=True))
    expected_keys = {
        ("actors.csv", 2, "role"),
        ("positions.csv", 4, "date"),
        ("positions.csv", 6, "value"),
        ("positions.csv", 8, "actor_id"),
    }
    assert expected_keys <= got
    assert ("events.csv", "empty_file") in set(
        zip(problems["table"], problems["rule"], strict=True)
    )
    assert len(problems) == 5
    # sorted by table (contract order) then row
    assert list(problems["table"]) == [
        "actors.csv",
        "events.csv",
        "positions.csv",
        "positions.csv",
        "positions.csv",
    ]


def test_load_raises_with_problems_and_readable_str(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "140")
    set_cell(folder, "positions.csv", 7, "stance", "wish")
    with pytest.raises(nl.ValidationError) as info:
        nl.load(folder)
    err = info.value
    assert len(err.problems) == 2
    text = str(err)
    assert text.startswith("2 problems in mini:\n")
    assert "positions.csv  6    value" in text
    assert "positions.csv  7    stance" in text
    assert "must be one of" in text


def test_problem_table_dtypes(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "140")
    problems = nl.validate(folder)
    assert str(problems["row"].dtype) == "Int64"
    assert problems["value"].iloc[0] == "140"


def test_format_problems_escapes_control_characters(tmp_path):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 2, "stance", "demand\x1b[31m")
    text = str(nl.validate(folder).pipe(nl.format_problems))
    assert "\x1b" not in text
    assert "\\x1b" in text


def test_validate_never_raises_on_garbage(tmp_path):
    folder = tmp_path / "garbage"
    folder.mkdir()
    (folder / "datapackage.json").write_bytes(b"\xff\xfe\x00garbage")
    (folder / "positions.csv").write_bytes(b"\x00\x01\x02,\n\xff")
    (folder / "actors.csv").write_text('"unterminated,quote\n', encoding="utf-8")
    problems = nl.validate(folder)
    assert not problems.empty
    assert set(problems["table"]) >= {"datapackage.json", "positions.csv", "actors.csv"}


def test_validate_unknown_source_raises_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nl.validate(tmp_path / "does-not-exist")


def test_number_problems_show_the_cell_as_written(tmp_path):
    # numbers are parsed by the CSV reader when they all parse; a problem makes the file be
    # read again as text so the value is reported exactly as written
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "140.50")
    only_problem(folder, table="positions.csv", row=6, column="value", rule="range", value="140.50")


@pytest.mark.parametrize("bad", ["nan", "1,5", "12 %"])
def test_text_in_a_number_column(tmp_path, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, "salience", bad)
    only_problem(folder, table="positions.csv", row=6, column="salience", rule="type", value=bad)


# ---------------------------------------------------------------- quantities


def with_quantity_anchors(tmp_path) -> Path:
    """The mini fixture with amounts on issue i2's anchors (troops: 200000 -> 0, 85000 -> 40,
    10000 -> 100); p5 (row 6) names 85000 troops at value 40, exactly on an anchor."""
    folder = copy_fixture(tmp_path)
    (folder / "scale_anchors.csv").write_text(
        "issue_id,value,label,amount,unit\n"
        "i1,0,All land to A,,\n"
        "i1,50,Line of contact,,\n"
        "i1,100,All land to B,,\n"
        "i2,0,No cap,200000,troops\n"
        "i2,40,Cap at 85000,85000,troops\n"
        "i2,100,Tight cap,10000,troops\n",
        encoding="utf-8",
    )
    return folder


def test_quantity_on_an_anchor_is_valid(tmp_path):
    assert nl.validate(with_quantity_anchors(tmp_path)).empty


def test_quantity_value_off_the_anchors_names_the_expected_value(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "45")
    got = only_problem(
        folder, table="positions.csv", row=6, column="value", rule="quantity", value="45"
    )
    assert "interpolates to value 40" in got["message"]
    assert "85000 troops" in got["message"]


def test_quantity_between_anchors_is_interpolated(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    set_cell(folder, "positions.csv", 6, "amount", "142500")  # halfway from 85000 to 200000
    set_cell(folder, "positions.csv", 6, "value", "20")
    assert nl.validate(folder).empty
    set_cell(folder, "positions.csv", 6, "value", "25")
    got = only_problem(folder, table="positions.csv", row=6, rule="quantity", value="25")
    assert "interpolates to value 20 " in got["message"]


def test_quantity_beyond_the_last_anchor_takes_its_value(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    set_cell(folder, "positions.csv", 6, "amount", "500000")
    set_cell(folder, "positions.csv", 6, "value", "0")
    assert nl.validate(folder).empty


def test_quantity_rounded_to_one_decimal_passes(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    set_cell(folder, "positions.csv", 6, "amount", "100000")  # 40 - 40 * 15000 / 115000
    set_cell(folder, "positions.csv", 6, "value", "34.8")
    assert nl.validate(folder).empty


def test_quantity_range_containing_the_expected_value_passes(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "45")
    set_cell(folder, "positions.csv", 6, "value_low", "35")
    set_cell(folder, "positions.csv", 6, "value_high", "50")
    assert nl.validate(folder).empty
    set_cell(folder, "positions.csv", 6, "value_low", "42")
    only_problem(folder, table="positions.csv", row=6, rule="quantity", value="45")


def test_quantity_in_another_unit_is_not_checked(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "45")
    set_cell(folder, "positions.csv", 6, "unit", "tanks")
    assert nl.validate(folder).empty


def test_every_quantity_problem_is_reported_at_once(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "45")
    set_cell(folder, "positions.csv", 7, "amount", "10000")  # p6: value 60, anchor says 100
    set_cell(folder, "positions.csv", 7, "unit", "troops")
    problems = nl.validate(folder)
    assert list(problems["row"]) == [6, 7]
    assert set(problems["rule"]) == {"quantity"}
    assert "interpolates to value 100 " in problems["message"].iloc[1]


def test_two_anchors_at_one_amount_with_different_values(tmp_path):
    folder = with_quantity_anchors(tmp_path)
    append_row(folder, "scale_anchors.csv", "i2,60,Also 85000,85000,troops")
    only_problem(folder, table="scale_anchors.csv", row=8, column="amount", rule="quantity")


def test_more_fields_than_header_names_is_reported_not_dropped(tmp_path):
    folder = copy_fixture(tmp_path)
    text = (folder / "actors.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    widened = [lines[0]] + [line + ",extra" for line in lines[1:]]
    (folder / "actors.csv").write_text("\n".join(widened) + "\n", encoding="utf-8")
    got = only_problem(folder, table="actors.csv", row=None, rule="csv")
    assert "more fields than the header" in got["message"]


@settings(max_examples=80, deadline=None)
@given(
    file=st.sampled_from(["actors.csv", "positions.csv", "datapackage.json", "scale_anchors.csv"]),
    position=st.floats(0, 1),
    junk=st.binary(max_size=12) | st.sampled_from([b",", b'"', b"\n", b"\r\n", b"\x00", b"\xff"]),
    cut=st.integers(0, 8),
)
def test_validate_never_raises_on_damaged_files(file, position, junk, cut):
    """Insert junk bytes into (and cut bytes out of) a valid file: problems, not a traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mini"
        shutil.copytree(MINI, folder)
        raw = (folder / file).read_bytes()
        at = int(position * len(raw))
        (folder / file).write_bytes(raw[:at] + junk + raw[at + cut :])
        problems = nl.validate(folder)
        assert list(problems.columns) == ["table", "row", "column", "rule", "value", "message"]
        if len(problems):
            with pytest.raises(nl.ValidationError):
                nl.load(folder)
