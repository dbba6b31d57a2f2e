"""Where `frictionless validate` and the library check the same rule, they agree.

Each case breaks one cell of the hand-made fixture (keeping the header as the schema declares
it, which frictionless requires) and compares the (table, row) reported by both tools.
Rules only the library checks (`interval`, `quote_required`, strict YYYY-MM-DD) are not
compared; frictionless rules the library relaxes on purpose (missing optional columns, extra
columns not declared in datapackage.json) are not exercised here.
"""

from __future__ import annotations

import pytest
from fixtures.edit import MINI, copy_fixture, set_cell

import negotiation_lib as nl

frictionless = pytest.importorskip("frictionless")

# frictionless error type -> the library's rule codes that check the same thing
SAME_RULE = {
    "type-error": {"type", "date"},
    "constraint-error": {"required", "enum", "pattern", "range"},
    "primary-key": {"unique"},
    "unique-error": {"unique"},
    "foreign-key": {"foreign_key"},
}


def frictionless_findings(folder):
    report = frictionless.validate(str(folder / "datapackage.json"))
    found = set()
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            found.add((f"{task.name}.csv", row, error.type))
    return found


def library_findings(folder):
    problems = nl.validate(folder)
    return {
        (table, None if row is None or row != row else int(row), rule)
        for table, row, rule in zip(
            problems["table"], problems["row"].astype(object), problems["rule"], strict=True
        )
    }


def same(folder):
    ours = library_findings(folder)
    theirs = frictionless_findings(folder)
    comparable = {rule for rules in SAME_RULE.values() for rule in rules}
    ours_cmp = {(t, r) for t, r, rule in ours if rule in comparable}
    theirs_cmp = {(t, r) for t, r, kind in theirs if kind in SAME_RULE}
    return ours_cmp, theirs_cmp, ours, theirs


def test_both_accept_the_valid_fixture():
    assert frictionless.validate(str(MINI / "datapackage.json")).valid
    assert nl.validate(MINI).empty


CASES = [
    ("positions.csv", 6, "value", "forty"),  # type
    ("positions.csv", 6, "value", "140"),  # maximum
    ("positions.csv", 6, "salience", "-0.5"),  # minimum
    ("positions.csv", 4, "date", "2022-02-31"),  # date
    ("positions.csv", 3, "stance", "wish"),  # enum
    ("positions.csv", 3, "summary", ""),  # required
    ("actors.csv", 2, "color", "blue"),  # pattern
    ("positions.csv", 5, "position_id", "p1"),  # primary key
    ("positions.csv", 6, "actor_id", "Q"),  # foreign key
    ("positions.csv", 2, "event_id", "e7"),  # optional foreign key
    ("scale_anchors.csv", 5, "issue_id", "i7"),  # foreign key to issues
    ("issues.csv", 3, "order", "two"),  # integer
]


@pytest.mark.parametrize(("file", "row", "column", "bad"), CASES)
def test_one_broken_cell(tmp_path, file, row, column, bad):
    folder = copy_fixture(tmp_path)
    set_cell(folder, file, row, column, bad)
    ours, theirs, all_ours, all_theirs = same(folder)
    assert ours == theirs, f"library {all_ours} vs frictionless {all_theirs}"
    assert (file, row) in ours


def test_several_broken_cells_at_once(tmp_path):
    folder = copy_fixture(tmp_path)
    for file, row, column, bad in CASES[:5] + CASES[6:7] + CASES[8:9]:
        set_cell(folder, file, row, column, bad)
    ours, theirs, all_ours, all_theirs = same(folder)
    assert ours == theirs, f"library {all_ours} vs frictionless {all_theirs}"
