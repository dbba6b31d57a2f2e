"""The command line: validate / summary / init, exit codes 0 valid, 1 invalid, 2 unusable."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fixtures.edit import MINI, append_row, copy_fixture, set_cell

from negotiation_lib.cli import main


def test_validate_valid(capsys):
    assert main(["validate", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "valid (9 positions)" in out


def test_validate_invalid_prints_the_problem_table(tmp_path, capsys):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "140")
    set_cell(folder, "actors.csv", 3, "role", "boss")
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"2 problems in {folder}:"
    assert lines[1].split() == ["table", "row", "column", "rule", "value", "message"]
    assert lines[3].split()[:5] == ["actors.csv", "3", "role", "enum", "boss"]
    assert lines[4].split()[:5] == ["positions.csv", "6", "value", "range", "140"]


def test_validate_max_rows(tmp_path, capsys):
    folder = copy_fixture(tmp_path)
    for row in range(2, 11):
        set_cell(folder, "positions.csv", row, "stance", "wish")
    assert main(["validate", str(folder), "--max-rows", "3"]) == 1
    out = capsys.readouterr().out
    assert "... and 6 more" in out


@pytest.mark.parametrize("args", [["validate", "no/such/path"], ["summary", "no-such-id"]])
def test_unusable_path_exits_2(args, capsys):
    assert main(args) == 2
    assert "error: no dataset" in capsys.readouterr().err


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2


def test_summary(capsys):
    assert main(["summary", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "mini-fixture, version 1.0.0" in out
    assert "3 actors, 3 issues, 5 scale anchors, 2 events, 2 sources, 9 positions" in out
    assert "positions from 2022-01-01 to 2022-04-01" in out
    assert "Северия (Northland)" in out
    assert "Talks format" in out
    assert "conflicting rows (same actor, issue, date; different values): 1" in out


def test_summary_of_invalid_data_lists_problems(tmp_path, capsys):
    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 6, "value", "x")
    assert main(["summary", str(folder)]) == 1
    assert "1 problem in" in capsys.readouterr().out


def test_init_creates_a_dataset_that_validates_once_filled(tmp_path, capsys):
    target = tmp_path / "new"
    assert main(["init", str(target)]) == 0
    assert main(["validate", str(target)]) == 0
    append_row(target, "actors.csv", "X,Xland,party,")
    append_row(target, "actors.csv", "Y,Yland,party,")
    append_row(target, "issues.csv", "land,Land,territory,,All to X,All to Y,1")
    append_row(target, "sources.csv", "s1,A statement,Publisher,https://example.org,,official,en")
    append_row(
        target,
        "positions.csv",
        "p1,2024-01-01,,X,land,demand,0,,,,,,asserted,X wants all,“all”,s1,",
    )
    append_row(
        target,
        "positions.csv",
        "p2,2024-01-01,,Y,land,demand,100,,,,,,asserted,Y wants all,“all”,s1,",
    )
    capsys.readouterr()
    assert main(["validate", str(target)]) == 0
    assert "valid (2 positions)" in capsys.readouterr().out


def test_init_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_python_dash_m(tmp_path):
    folder = copy_fixture(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "negotiation_lib", "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    set_cell(folder, "positions.csv", 6, "value", "x")
    done = subprocess.run(
        [sys.executable, "-m", "negotiation_lib", "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "positions.csv" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
