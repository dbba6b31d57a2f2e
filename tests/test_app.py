"""app.py without a server: which dataset the app shows, its tabs, a control that redraws, and
the problem table for a dataset that breaks the contract."""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets
from fixtures.edit import copy_fixture, set_cell

import negotiation_lib as nl
from negotiation_lib import app as nl_app
from negotiation_lib import widgets

FIXTURES = Path(__file__).resolve().parent / "fixtures"
APP_NOTEBOOK = Path(__file__).resolve().parents[1] / "app" / "explorers.ipynb"
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def shown_traces(explorer) -> list:
    """The traces the explorer's Output widget holds (what the browser receives)."""
    outputs = explorer._plot.outputs
    return outputs[0]["data"][PLOTLY_MIME]["data"] if outputs else []


def html_of(widget) -> str:
    """Every HTML widget's value inside ``widget``, concatenated."""
    if isinstance(widget, ipywidgets.HTML):
        return widget.value
    return "".join(html_of(child) for child in getattr(widget, "children", ()))


# --- which dataset ----------------------------------------------------------------------------


def test_app_dataset_prefers_the_query_parameter_over_the_environment_variable():
    environ = {"QUERY_STRING": "dataset=%2Fsome%2Ffolder&x=1", "NL_APP_DATASET": "other"}
    assert nl_app.app_dataset(environ) == "/some/folder"


def test_app_dataset_falls_back_to_the_environment_variable_then_none():
    assert nl_app.app_dataset({"QUERY_STRING": "", "NL_APP_DATASET": " mine "}) == "mine"
    assert nl_app.app_dataset({"QUERY_STRING": "dataset=", "NL_APP_DATASET": "mine"}) == "mine"
    assert nl_app.app_dataset({"QUERY_STRING": "theme=dark", "NL_APP_DATASET": ""}) is None
    assert nl_app.app_dataset({}) is None


def test_build_app_without_a_source_reads_the_environment(monkeypatch, mini):
    monkeypatch.setenv("QUERY_STRING", "")
    monkeypatch.setenv("NL_APP_DATASET", str(FIXTURES / "mini"))
    app = nl_app.build_app()
    assert app.neg is not None
    assert app.neg.id == mini.id
    assert len(app.neg.positions) == len(mini.positions)


def test_build_app_query_parameter_overrides_the_environment(monkeypatch, hostile):
    monkeypatch.setenv("NL_APP_DATASET", str(FIXTURES / "mini"))
    monkeypatch.setenv("QUERY_STRING", f"dataset={FIXTURES / 'hostile'}")
    app = nl_app.build_app()
    assert app.neg.id == hostile.id


def test_build_app_with_nothing_given_shows_the_first_bundled_dataset(monkeypatch):
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("NL_APP_DATASET", raising=False)
    app = nl_app.build_app()
    assert app.neg is not None
    assert app.neg.id == nl.list_datasets()["id"].iloc[0]


# --- the explorers in tabs --------------------------------------------------------------------


def test_app_holds_the_three_explorers_in_tabs_with_their_tables(hostile):
    app = nl_app.build_app(hostile)
    assert isinstance(app, ipywidgets.VBox)
    assert app.problems.empty
    assert app.tabs.titles == ("Gap explorer", "Position explorer", "Evidence browser")
    assert [e.kind for e in app.tabs.children] == ["gap", "position", "evidence"]
    assert list(app.explorers.values()) == list(app.tabs.children)
    for explorer in app.explorers.values():
        # the table sits under the chart, as the last child of each explorer
        assert "nl-table" in explorer.children[-1]._dom_classes
        assert "nl-data-table" in explorer.children[-1].value
    assert len(app.explorers["Evidence browser"].table) == len(hostile.positions)


def test_app_default_views_equal_the_explorers_built_alone(hostile):
    app = nl_app.build_app(hostile)
    alone = widgets.gap_explorer(hostile)
    assert shown_traces(app.explorers["Gap explorer"]) == shown_traces(alone)
    assert app.explorers["Gap explorer"].values() == alone.values()


def test_changing_a_control_in_the_app_changes_the_chart(hostile):
    app = nl_app.build_app(hostile)
    gap = app.explorers["Gap explorer"]
    before = json.dumps(shown_traces(gap), sort_keys=True, default=str)
    gap.controls["issues"].value = ("territory",)
    after = json.dumps(shown_traces(gap), sort_keys=True, default=str)
    assert gap.error is None
    assert before != after
    assert gap.message == ""
    assert set(gap.table["issue_id"]) == {"territory"}  # the table under it followed


def test_app_header_and_tables_escape_markup(hostile):
    app = nl_app.build_app(hostile)
    text = html_of(app)
    assert hostile.title is not None
    assert "<script>" not in text
    assert "<img" not in text
    assert "&lt;script&gt;" in text


# --- a dataset that cannot be shown -----------------------------------------------------------


def test_invalid_dataset_shows_every_problem_instead_of_the_explorers(tmp_path):
    folder = copy_fixture(tmp_path, "hostile")
    set_cell(folder, "positions.csv", 2, "value", "<b>lots</b>")
    set_cell(folder, "positions.csv", 3, "actor_id", "NOBODY")
    problems = nl.validate(folder)
    assert len(problems) >= 2
    app = nl_app.build_app(folder)
    assert app.neg is None
    assert app.tabs is None
    assert app.explorers == {}
    assert len(app.problems) == len(problems)
    text = html_of(app)
    assert "nl-data-table" in text
    assert f"{len(problems)} rows" in text
    assert "&lt;b&gt;lots&lt;/b&gt;" in text
    assert "<b>lots" not in text
    assert "NOBODY" in text


def test_missing_dataset_says_so(tmp_path):
    app = nl_app.build_app(str(tmp_path / "no-such-folder"))
    assert app.neg is None
    assert app.problems.empty
    assert "no-such-folder" in app.error
    assert "no-such-folder" in html_of(app)


# --- the notebook Voilà serves stays thin -----------------------------------------------------


def test_app_notebook_only_calls_build_app():
    notebook = json.loads(APP_NOTEBOOK.read_text(encoding="utf-8"))
    code = [
        line
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert code == ["from negotiation_lib.app import build_app", "build_app()"]
    assert all(not cell.get("outputs") for cell in notebook["cells"])


def test_valid_dataset_without_positions_says_so(tmp_path):
    folder = nl.init_dataset(tmp_path / "empty")
    assert nl.validate(folder).empty
    app = nl_app.build_app(folder)
    assert app.neg is None
    assert app.tabs is None
    assert "no positions yet" in app.error
    assert "no positions yet" in html_of(app)


def test_an_explorer_that_cannot_be_built_leaves_a_message_in_its_tab(hostile, monkeypatch):
    def broken(neg):
        raise ValueError("<b>odd</b> data")

    monkeypatch.setitem(nl_app.TABS, "Position explorer", broken)
    app = nl_app.build_app(hostile)
    assert list(app.explorers) == ["Gap explorer", "Evidence browser"]
    assert app.tabs.titles == ("Gap explorer", "Position explorer", "Evidence browser")
    page = app.tabs.children[1]
    assert "cannot show this dataset" in page.value
    assert "&lt;b&gt;odd&lt;/b&gt;" in page.value
