"""Figures as SVG and PDF (nl.export_figure, the explorers' Export buttons): the file exists, is
not empty, and names the dataset's id and version in its metadata and on the figure.

Tests marked ``browser`` render with the installed Chromium (fixture ``chromium``); the others
check the errors and the stamp without one.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest
from pypdf import PdfReader

import negotiation_lib as nl
from negotiation_lib import export, figures, widgets

SVG = "{http://www.w3.org/2000/svg}"
DCTERMS = "{http://purl.org/dc/terms/}"


@pytest.fixture(scope="module")
def edge(tmp_path_factory, edge_dataset):
    """A made-up edge dataset whose labels carry markup and ampersands."""
    return nl.load(edge_dataset("parties_only", tmp_path_factory.mktemp("edge") / "data"))


def _dataset(request, name):
    return request.getfixturevalue(name)


def _stamp(neg) -> str:
    return f"Data: {neg.id} v{neg.version}"


def _svg_facts(path) -> dict:
    """What an exported SVG says: its title, desc, dcterms:source and the text drawn."""
    root = ET.parse(path).getroot()  # parses: the metadata is well-formed XML
    assert root.tag == f"{SVG}svg"
    return {
        "title": root.findtext(f"{SVG}title"),
        "desc": root.findtext(f"{SVG}desc"),
        "source": root.findtext(f".//{SVG}metadata//{DCTERMS}source"),
        "drawn": [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")],
    }


def _figure(neg):
    first, second = nl.default_pair(neg)
    return figures.plot_gap_over_time(neg, first, second)


@pytest.mark.browser
@pytest.mark.parametrize("dataset", ["bundled", "edge"])
def test_svg_export_names_the_dataset_in_metadata_and_on_the_figure(
    request, dataset, chromium, tmp_path
):
    neg = _dataset(request, dataset)
    fig = _figure(neg)
    before = copy.deepcopy(fig.to_dict())
    path = nl.export_figure(fig, tmp_path / "gap.svg", neg)
    assert path == tmp_path / "gap.svg"
    assert path.is_file()
    assert path.stat().st_size > 1000
    facts = _svg_facts(path)
    assert facts["source"] == f"{neg.id} v{neg.version}"
    for field in ("title", "desc"):
        assert neg.id in facts[field], (field, facts[field])
        assert neg.version in facts[field], (field, facts[field])
    assert _stamp(neg) in facts["drawn"]
    assert fig.to_dict() == before  # the caller's figure is not changed


@pytest.mark.browser
@pytest.mark.parametrize("dataset", ["bundled", "edge"])
def test_pdf_export_names_the_dataset_in_metadata_and_on_the_figure(
    request, dataset, chromium, tmp_path
):
    neg = _dataset(request, dataset)
    fig = figures.plot_positions(neg, neg.issues["issue_id"].iloc[0])
    path = nl.export_figure(fig, tmp_path / "positions.pdf", neg)
    assert path.is_file()
    assert path.stat().st_size > 1000
    reader = PdfReader(path)
    info = reader.metadata
    for key in ("/Title", "/Subject", "/Keywords"):
        assert neg.id in info[key], (key, info[key])
        assert neg.version in info[key], (key, info[key])
    assert info["/Keywords"] == f"dataset={neg.id}; version={neg.version}"
    assert len(reader.pages) == 1
    assert _stamp(neg) in reader.pages[0].extract_text()


@pytest.mark.browser
def test_a_figure_not_made_by_the_library_gets_the_stamp(bundled, chromium, tmp_path):
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"title": {"text": "Mine & <b>"}})
    path = nl.export_figure(fig, tmp_path / "mine", bundled, format="svg")
    assert path.name == "mine.svg"
    facts = _svg_facts(path)
    assert _stamp(bundled) in facts["drawn"]
    assert facts["title"].startswith("Mine &")
    assert not fig.layout.annotations  # the stamp went on a copy


@pytest.mark.browser
def test_explorer_buttons_write_new_files_in_the_working_folder(
    bundled, chromium, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    explorer = widgets.position_explorer(bundled)
    assert set(explorer.export_buttons) == {"svg", "pdf"}
    explorer.export_buttons["svg"].click()
    explorer.export_buttons["svg"].click()  # never overwrites: a second file
    explorer.export_buttons["pdf"].click()
    stem = f"{bundled.id}-position-{dt.date.today().isoformat()}"
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [f"{stem}-2.svg", f"{stem}.pdf", f"{stem}.svg"]
    assert explorer.export_error is None
    assert explorer.export_message == f"Saved {(tmp_path / f'{stem}.pdf').resolve()}"
    assert _svg_facts(tmp_path / f"{stem}.svg")["source"] == f"{bundled.id} v{bundled.version}"
    assert bundled.id in PdfReader(tmp_path / f"{stem}.pdf").metadata["/Keywords"]


# --- without a browser ----------------------------------------------------------------------


def test_every_explorer_with_a_figure_has_the_export_buttons(hostile):
    for explorer in (
        widgets.gap_explorer(hostile),
        widgets.position_explorer(hostile),
        widgets.whatif_explorer(hostile),
    ):
        assert [b.description for b in explorer.export_buttons.values()] == [
            "Export SVG",
            "Export PDF",
        ]
        shown = [w for box in explorer.children for w in getattr(box, "children", ())]
        assert all(b in shown for b in explorer.export_buttons.values())
    assert not hasattr(widgets.evidence_explorer(hostile), "export_buttons")  # no figure


def test_missing_browser_is_a_clear_error_and_writes_nothing(bundled, tmp_path, monkeypatch):
    nowhere = tmp_path / "no-chromium-here"
    with pytest.raises(export.ChromiumNotFoundError) as error:
        nl.export_figure(_figure(bundled), tmp_path / "f.svg", bundled, browser_path=nowhere)
    assert str(nowhere) in str(error.value)
    assert "apt-get install chromium" in str(error.value)
    assert "BROWSER_PATH" in str(error.value)
    monkeypatch.setenv("BROWSER_PATH", str(nowhere))
    with pytest.raises(export.ChromiumNotFoundError, match=r"BROWSER_PATH=.*no-chromium-here"):
        nl.export_figure(_figure(bundled), tmp_path / "f.pdf", bundled)
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(export.ChromiumNotFoundError, match="none of chromium"):
        export.find_chromium()
    assert list(tmp_path.iterdir()) == []


def test_explorer_shows_the_missing_browser_instead_of_a_traceback(hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium-here"))
    explorer = widgets.gap_explorer(hostile)
    explorer.export_buttons["pdf"].click()
    assert isinstance(explorer.export_error, export.ChromiumNotFoundError)
    assert explorer.export_message.startswith("Could not export the figure: No Chromium")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for the browser")
def test_a_browser_that_never_answers_times_out_with_a_clear_error(bundled, tmp_path):
    silent = tmp_path / "silent-chromium"
    silent.write_text("#!/bin/sh\nexec sleep 60\n")
    silent.chmod(0o755)
    with pytest.raises(export.ExportTimeoutError, match=r"Waited 2 s for Chromium .* to start"):
        nl.export_figure(
            _figure(bundled), tmp_path / "f.svg", bundled, browser_path=silent, timeout=2
        )
    assert not (tmp_path / "f.svg").exists()


def test_format_comes_from_the_suffix_and_must_be_svg_or_pdf(bundled, tmp_path):
    fig = _figure(bundled)
    with pytest.raises(ValueError, match=r"\.svg or \.pdf"):
        nl.export_figure(fig, tmp_path / "f.png", bundled)
    with pytest.raises(ValueError, match=r"ends in \.svg"):
        nl.export_figure(fig, tmp_path / "f.svg", bundled, format="pdf")
    with pytest.raises(FileNotFoundError, match="folder does not exist"):
        nl.export_figure(fig, tmp_path / "missing" / "f.svg", bundled)


def test_stamp_is_added_once_on_a_copy_and_refuses_another_dataset(bundled, hostile):
    own = go.Figure(go.Scatter(x=[1], y=[2]))
    stamped = export.stamp_figure(own, bundled)
    labels = [a.text for a in stamped.layout.annotations if a.name == "provenance"]
    assert labels == [f"Data: {bundled.id} v{bundled.version}"]
    assert stamped.layout.meta == {"dataset_id": bundled.id, "dataset_version": bundled.version}
    assert not own.layout.annotations
    assert own.layout.meta is None
    library = _figure(bundled)  # already shows the line: not added twice
    again = export.stamp_figure(library, bundled)
    assert [a.name for a in again.layout.annotations].count("provenance") == 1
    with pytest.raises(ValueError, match=f"drawn from dataset {bundled.id}"):
        export.stamp_figure(library, hostile)


def test_free_path_never_names_an_existing_file(tmp_path):
    first = export.free_path(tmp_path, "my data/set: gap", ".svg")
    assert first == tmp_path / "my-data-set-gap.svg"
    first.write_text("x")
    second = export.free_path(tmp_path, "my data/set: gap", ".svg")
    assert second == tmp_path / "my-data-set-gap-2.svg"
    second.write_text("x")
    assert export.free_path(tmp_path, "my data/set: gap", ".svg").name == "my-data-set-gap-3.svg"
