"""Loading: sources, dtypes, exact text, what careful tools accept, dataset discovery."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from fixtures.edit import MINI, append_row, copy_fixture, drop_column

import negotiation_lib as nl


def test_load_folder_and_datapackage_path_agree(mini):
    other = nl.load(MINI / "datapackage.json")
    for name, frame in mini.tables.items():
        pd.testing.assert_frame_equal(frame, other.tables[name])
    assert mini.meta == other.meta


def test_negotiation_attributes(mini):
    assert mini.id == "mini-fixture"
    assert mini.version == "1.0.0"
    assert mini.path == MINI
    assert mini.meta["title"].startswith("Mini fixture")
    assert [len(mini.tables[t]) for t in mini.tables] == [3, 3, 5, 2, 2, 9]
    assert repr(mini) == (
        "<Negotiation 'mini-fixture' v1.0.0: 3 actors, 3 issues, 5 scale anchors, "
        "2 events, 2 sources, 9 positions>"
    )


def test_dtypes(mini):
    p = mini.positions
    assert str(p["date"].dtype).startswith("datetime64")
    assert p["date"].dt.tz is None
    for col in ("value", "value_low", "value_high", "salience", "amount"):
        assert p[col].dtype == "float64"
    for col in ("position_id", "actor_id", "issue_id", "summary", "quote", "source_id"):
        assert p[col].dtype == "str"
    assert isinstance(p["stance"].dtype, pd.CategoricalDtype)
    assert list(p["status"].cat.categories) == ["asserted", "reported", "disputed", "unverified"]
    assert mini.issues["order"].dtype == "float64"
    assert str(mini.sources["published"].dtype).startswith("datetime64")
    assert isinstance(mini.actors["role"].dtype, pd.CategoricalDtype)


def test_values_and_missing(mini):
    p = mini.positions.set_index("position_id")
    assert p.loc["p3", "date"] == pd.Timestamp("2022-02-01")
    assert p.loc["p3", "value_low"] == 10.0
    assert pd.isna(p.loc["p1", "value_low"])
    assert p.loc["p5", "amount"] == 85000.0
    assert pd.isna(p.loc["p3", "event_id"])
    assert pd.isna(mini.sources.set_index("source_id").loc["s2", "published"])


def test_rows_keep_file_order(mini):
    assert list(mini.positions["position_id"]) == [f"p{i}" for i in range(1, 10)]


def test_text_is_kept_exactly(mini):
    p = mini.positions.set_index("position_id")
    assert p.loc["p1", "quote"] == "«Вся земля — наша»"
    assert p.loc["p2", "quote"] == "“All of it is ours”"
    assert p.loc["p3", "summary"] == "A offers a <b>partial</b> line & talks"
    assert p.loc["p3", "quote"] == 'He said: "we could move"'
    assert p.loc["p5", "quote"] == "'85 000 troops'"
    assert mini.actor_name("A") == "Северия (Northland)"
    assert mini.actors.loc[2, "name"] == "Mediator “M”"
    assert mini.issues.loc[2, "description"] == "Who sits at the table, and where"


def test_extra_columns_are_kept(mini):
    assert mini.positions.columns[-1] == "coder_note"
    assert mini.positions.loc[0, "coder_note"] == "first"
    assert mini.positions.loc[1, "coder_note"] == ""


def test_date_precision_defaults_to_day(tmp_path):
    folder = copy_fixture(tmp_path)
    append_row(folder, "events.csv", "e3,2022-05-01,,Third round,,talks_round,")
    neg = nl.load(folder)
    assert neg.events.loc[2, "date_precision"] == "day"
    assert neg.events.loc[1, "date_precision"] == "month"


def test_lookups(mini):
    assert mini.issue_label("i2") == "Troop cap"
    assert mini.issue_label("zz") == "zz"
    assert mini.actor_name("nobody") == "nobody"
    assert mini.actor_color("A") == "#1f77b4"
    assert mini.actor_color("M") is None


def test_utf8_bom_and_crlf_are_accepted(tmp_path, mini):
    folder = copy_fixture(tmp_path)
    for name in ("positions.csv", "actors.csv"):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    neg = nl.load(folder)
    pd.testing.assert_frame_equal(neg.positions, mini.positions)
    pd.testing.assert_frame_equal(neg.actors, mini.actors)


def test_quoted_newline_inside_a_cell_is_kept(tmp_path):
    folder = copy_fixture(tmp_path)
    append_row(folder, "actors.csv", 'C,"Two\nlines",third_party,')
    neg = nl.load(folder)
    assert neg.actor_name("C") == "Two\nlines"


def test_blank_lines_are_ignored_and_rows_still_counted(tmp_path):
    folder = copy_fixture(tmp_path)
    text = (folder / "actors.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    (folder / "actors.csv").write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n\n")
    assert len(nl.load(folder).actors) == 3
    # a problem after the blank line is reported on its spreadsheet row (5, not 4)
    text = (folder / "actors.csv").read_text(encoding="utf-8").replace("mediator", "boss")
    (folder / "actors.csv").write_text(text, encoding="utf-8")
    problems = nl.validate(folder)
    assert list(problems["row"]) == [5]


def test_missing_optional_columns_are_filled(tmp_path):
    folder = copy_fixture(tmp_path)
    drop_column(folder, "positions.csv", "confidence")
    drop_column(folder, "actors.csv", "color")
    neg = nl.load(folder)
    assert neg.positions["confidence"].isna().all()
    assert neg.actors["color"].isna().all()
    assert neg.actors["capability"].isna().all()  # optional since contract 1.1, absent here
    assert list(neg.actors.columns) == ["actor_id", "name", "role", "color", "capability"]


def test_columns_in_any_order(tmp_path, mini):
    folder = copy_fixture(tmp_path)
    frame = pd.read_csv(folder / "issues.csv", dtype=str, keep_default_na=False)
    frame[frame.columns[::-1]].to_csv(folder / "issues.csv", index=False)
    pd.testing.assert_frame_equal(nl.load(folder).issues, mini.issues)


def test_header_only_tables_load_empty(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "scale_anchors.csv").write_text("issue_id,value,label\n", encoding="utf-8")
    neg = nl.load(folder)
    assert neg.scale_anchors.empty
    assert neg.scale_anchors["value"].dtype == "float64"


def test_bad_data_never_gives_a_half_loaded_object(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "issues.csv").write_bytes(b"")
    with pytest.raises(nl.ValidationError):
        nl.load(folder)


def test_unknown_source_names_what_was_tried(tmp_path):
    with pytest.raises(nl.DatasetNotFoundError, match="not a bundled dataset id"):
        nl.load("no-such-dataset-id")
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("a\n")
    with pytest.raises(nl.DatasetNotFoundError, match=r"not a datapackage\.json"):
        nl.load(csv_file)


def test_list_datasets_and_load_by_id(tmp_path, monkeypatch, mini):
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    shutil.copytree(MINI, shelf / "mini-copy")
    shutil.copytree(MINI, shelf / "templates")  # never listed
    monkeypatch.setenv("NEGOTIATION_LIB_DATA", str(shelf))
    listed = nl.list_datasets()
    assert list(listed.columns) == ["id", "title", "version", "n_positions", "path"]
    row = listed[listed["id"] == "mini-copy"].iloc[0]
    assert row["title"] == mini.meta["title"]
    assert row["version"] == "1.0.0"
    assert row["n_positions"] == 9
    assert "templates" not in set(listed["id"])
    neg = nl.load("mini-copy")
    assert neg.id == "mini-fixture"
    assert len(neg.positions) == 9


def test_list_datasets_counts_records_not_lines(tmp_path, monkeypatch):
    shelf = tmp_path / "shelf"
    folder = copy_fixture(shelf)
    append_row(
        folder,
        "positions.csv",
        'p10,2022-05-01,,A,i3,offer,20,,,,,,asserted,"two\nline summary",“q”,s1,,',
    )
    monkeypatch.setenv("NEGOTIATION_LIB_DATA", str(shelf))
    listed = nl.list_datasets().set_index("id")
    assert listed.loc["mini", "n_positions"] == 10


TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "data" / "templates"


def test_template_loads_as_an_empty_valid_dataset(tmp_path):
    neg = nl.load(TEMPLATE_DIR)
    assert all(frame.empty for frame in neg.tables.values())


def test_template_matches_the_schema_constants():
    """data/templates is exactly what `init` writes, which is derived from schema.py."""
    from negotiation_lib import schema
    from negotiation_lib.schema import frictionless_schema, template_files

    files = template_files()
    for name, text in files.items():
        assert (TEMPLATE_DIR / name).read_text(encoding="utf-8") == text, (
            f"data/templates/{name} differs from template_files(); regenerate it from schema.py"
        )
    meta = json.loads(files["datapackage.json"])
    resources = {r["name"]: r for r in meta["resources"]}
    assert list(resources) == [t.name for t in schema.TABLES]
    for table in schema.TABLES:
        assert resources[table.name]["path"] == table.file
        assert resources[table.name]["schema"] == frictionless_schema(table)
        assert files[table.file].strip().split(",") == list(table.column_names)


def test_a_cell_of_spaces_is_missing_in_every_column(tmp_path):
    """One rule for an empty cell, required column or not: empty or only spaces. An optional
    quote of spaces is no quote (the hover says so), an optional category of spaces no value."""
    from fixtures.edit import set_cell

    from negotiation_lib import evidence

    folder = copy_fixture(tmp_path)
    set_cell(folder, "positions.csv", 9, "quote", "   ")  # p8, status unverified
    set_cell(folder, "positions.csv", 9, "confidence", " ")
    neg = nl.load(folder)
    p8 = neg.positions.set_index("position_id").loc["p8"]
    assert pd.isna(p8["quote"])
    assert pd.isna(p8["confidence"])
    frame = evidence.evidence_frame(neg)
    hover = evidence.hover_html(frame[frame["position_id"] == "p8"]).iloc[0]
    assert "Quote: (none)" in hover


def test_a_dataset_without_a_version_is_named_by_its_id_alone(tmp_path):
    """``version`` is optional in datapackage.json: every label, stamp, summary and repr then
    names the dataset by its id (text.dataset_version is ``""``), never "None"."""
    from negotiation_lib import export, figures, report

    folder = copy_fixture(tmp_path)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    del descriptor["version"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    neg = nl.load(folder)
    assert neg.version is None
    assert repr(neg).startswith("<Negotiation 'mini-fixture': ")
    fig = figures.plot_positions(neg, "i1")
    stamped = export.stamp_figure(fig, neg)  # the figure's own dataset: no mismatch
    facts = export._facts(stamped, neg)
    summary = nl.summary_text(neg)
    overview = report.overview(report.prepare(neg))
    shown = [
        str(fig.layout.meta),
        *facts.values(),
        summary,
        *(str(b.content) for b in overview.blocks if b.kind == "text"),
    ]
    assert not [s for s in shown if "None" in s], shown
    assert summary.splitlines()[0].endswith("(mini-fixture)")
    assert fig.layout.meta["dataset_version"] == ""
    assert nl.text.dataset_label(neg) == "Data: mini-fixture"
    assert nl.text.dataset_version(neg) == ""
    assert facts["dataset"] == "mini-fixture"


def test_a_dataset_with_a_version_is_named_with_it(mini):
    assert nl.text.dataset_version(mini) == "1.0.0"
    assert nl.text.dataset_name(mini) == "mini-fixture v1.0.0"
    assert nl.text.dataset_label(mini) == "Data: mini-fixture v1.0.0"
