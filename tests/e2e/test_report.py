"""The static HTML report in a real browser, opened from file:// with the network cut off.

Three reports are built into temporary folders with scripts/build_report.py: the fixture
notebook, the real notebooks/ (the report `make report` builds), and a fixture notebook run on
a hostile dataset whose every text field carries markup that would run script if it were ever
interpreted as HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from readability import table_problems, texts_ending_with_an_ellipsis
from report_pages import open_report_page

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_NOTEBOOKS = REPO_ROOT / "tests" / "fixtures" / "notebooks"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
HOSTILE_DATA = REPO_ROOT / "tests" / "fixtures" / "hostile"
HOSTILE_NOTEBOOK = REPO_ROOT / "tests" / "fixtures" / "report" / "hostile_report.ipynb"
PAYLOAD_SCRIPT = "<script>window.__pwned=1</script>"
PAYLOAD_IMG = "<img src=x onerror=window.__pwned=1>"
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def _build(builder, notebooks, out, **kwargs):
    dates = {dt.datetime.now(dt.UTC).date().isoformat()}
    builder.build_report(notebooks, out=out, **kwargs)
    dates.add(dt.datetime.now(dt.UTC).date().isoformat())
    return out, dates


@pytest.fixture(scope="session")
def fixture_report(tmp_path_factory, browser, script_module):
    notebook = FIXTURE_NOTEBOOKS / "fixture_basic.ipynb"
    return _build(
        script_module("build_report"), [notebook], tmp_path_factory.mktemp("report-fixture")
    ), [notebook]


@pytest.fixture(scope="session")
def notebooks_report(tmp_path_factory, browser, script_module):
    if not NOTEBOOKS:
        pytest.fail("no notebooks in notebooks/ to build a report from")
    # Stored outputs: strict nbval in the same run checks they are what a fresh run gives, and
    # the fixture and hostile reports here execute, so rendering is what is left to check.
    return _build(
        script_module("build_report"),
        NOTEBOOKS,
        tmp_path_factory.mktemp("report-notebooks"),
        execute=False,
    ), NOTEBOOKS


@pytest.fixture(scope="session")
def hostile_dataset(tmp_path_factory) -> Path:
    """The hostile fixture with payloads that set window.__pwned instead of calling alert."""
    folder = tmp_path_factory.mktemp("hostile-data") / "hostile"
    shutil.copytree(HOSTILE_DATA, folder)
    for csv in folder.glob("*.csv"):
        text = csv.read_text(encoding="utf-8")
        text = text.replace(
            "<script>alert(1)</script>", f"{PAYLOAD_SCRIPT} <script>alert(1)</script>"
        )
        text = text.replace("<img src=x onerror=alert(1)>", PAYLOAD_IMG)
        csv.write_text(text, encoding="utf-8")
    assert PAYLOAD_SCRIPT in (folder / "positions.csv").read_text(encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory, hostile_dataset, browser, script_module):
    out = tmp_path_factory.mktemp("report-hostile")
    return _build(
        script_module("build_report"), [HOSTILE_NOTEBOOK], out, dataset=hostile_dataset
    ), [HOSTILE_NOTEBOOK]


def _stored_plotly_outputs(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum(
        PLOTLY_MIME in output.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def _dataset_header(descriptor_folder: Path) -> tuple[str, str]:
    meta = json.loads((descriptor_folder / "datapackage.json").read_text(encoding="utf-8"))
    return meta["name"], meta["version"]


def _check_header(page, *, dataset_id, version, dates):
    assert page.locator(".report-dataset-id").inner_text() == dataset_id
    assert page.locator(".report-dataset-version").inner_text() == version
    assert page.locator(".report-build-date").inner_text() in dates


# The notebook page whose top the README shows (docs/notebook-page.png).
README_NOTEBOOK = "01-tour-of-the-data"
README_PICTURE_HEIGHT = 1400


def _readme_picture(page, name: str) -> None:
    """The top of the page (header, first text and tables) as docs/<name>: only (re)written
    when missing or asked for (NL_UPDATE_SCREENSHOTS=1), so test runs do not dirty the tree."""
    copy = REPO_ROOT / "docs" / name
    if copy.exists() and os.environ.get("NL_UPDATE_SCREENSHOTS") != "1":
        return
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": README_PICTURE_HEIGHT}
    page.screenshot(path=str(copy), full_page=True, clip=clip)


def _check_report(
    page, problems, report, *, dataset_folder, shot_prefix, counts_from_notebooks, save_screenshot
):
    (out, dates), notebooks = report
    dataset_id, version = _dataset_header(dataset_folder)
    problems.cut_network(page)
    page.goto((out / "index.html").as_uri())
    _check_header(page, dataset_id=dataset_id, version=version, dates=dates)
    links = page.eval_on_selector_all(
        "a.report-page-link", "links => links.map(a => a.getAttribute('href'))"
    )
    pages = [nb for nb in notebooks if nb.stem != "index"]
    assert sorted(links) == sorted(f"{nb.stem}.html" for nb in pages)
    assert (out / "plotly.min.js").is_file()
    save_screenshot(page, f"{shot_prefix}-index.png")
    total = 0
    for notebook in pages:
        html = (out / f"{notebook.stem}.html").read_text(encoding="utf-8")
        # plotly.js comes once, from the shared file; never inline, never from a CDN.
        assert html.count('<script src="plotly.min.js"></script>') == 1
        assert re.findall(r"<script[^>]*\ssrc=", html) == ["<script src="]
        assert re.findall(r"<link[^>]*\shref=\"?https?:", html) == []
        expected = _stored_plotly_outputs(notebook) if counts_from_notebooks else None
        total += open_report_page(page, (out / f"{notebook.stem}.html").as_uri(), expected)
        _check_header(page, dataset_id=dataset_id, version=version, dates=dates)
        save_screenshot(page, f"{shot_prefix}-{notebook.stem}.png")
    assert problems.errors == []
    assert problems.dialogs == []
    assert problems.blocked_requests == []
    return total


def test_fixture_report_renders_offline(page_and_problems, fixture_report, save_screenshot):
    page, problems = page_and_problems
    charts = _check_report(
        page,
        problems,
        fixture_report,
        dataset_folder=REPO_ROOT / "data" / "ru-ua-2022-2026",
        shot_prefix="report-fixture",
        counts_from_notebooks=True,
        save_screenshot=save_screenshot,
    )
    assert charts == 1
    assert "interactive control" in page.locator(".report-widget-note").inner_text().lower()


def test_notebooks_report_renders_offline(page_and_problems, notebooks_report, save_screenshot):
    page, problems = page_and_problems
    charts = _check_report(
        page,
        problems,
        notebooks_report,
        dataset_folder=REPO_ROOT / "data" / "ru-ua-2022-2026",
        shot_prefix="report",
        counts_from_notebooks=True,
        save_screenshot=save_screenshot,
    )
    assert charts > 0


def test_every_notebook_page_has_readable_tables(
    page_and_problems, notebooks_report, save_screenshot
):
    """A full-page screenshot of every notebook's page (build/screenshots/page-*.png), and no
    table on it that a reader cannot read: text cut or hidden, NaN shown, whole numbers as
    floats, a column of row numbers, a column off the right edge (readability.py). Apart from
    the test above so that each keeps within the per-test time limit."""
    (out, _dates), notebooks = notebooks_report
    page, problems = page_and_problems
    problems.cut_network(page)
    datasets = [folder for folder in (REPO_ROOT / "data").iterdir() if folder.is_dir()]
    as_written = texts_ending_with_an_ellipsis(*datasets)
    unreadable = []
    for notebook in notebooks:
        open_report_page(page, (out / f"{notebook.stem}.html").as_uri(), None)
        save_screenshot(page, f"page-{notebook.stem}.png", full_page=True)
        if notebook.stem == README_NOTEBOOK:
            _readme_picture(page, "notebook-page.png")
        found = table_problems(page, "main table", as_written)
        unreadable += [f"{notebook.name}: {p}" for p in found]
    assert unreadable == [], "\n".join(unreadable)
    assert problems.errors == []
    assert problems.blocked_requests == []


def test_hostile_report_runs_no_script_from_the_data(
    page_and_problems, hostile_report, hostile_dataset, save_screenshot
):
    page, problems = page_and_problems
    charts = _check_report(
        page,
        problems,
        hostile_report,
        dataset_folder=hostile_dataset,
        shot_prefix="report-hostile",
        counts_from_notebooks=False,
        save_screenshot=save_screenshot,
    )
    assert charts >= 2
    # Hover every point so that hover labels (drawn from data) are rendered too.
    for point in page.locator(".js-plotly-plot .point").all()[:20]:
        point.hover(force=True)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert problems.dialogs == []
    text = page.locator("body").inner_text()
    assert PAYLOAD_SCRIPT in text
    assert PAYLOAD_IMG in text
    # The only scripts are the report's own: plotly.js, the renderer, and figure JSON holders.
    scripts = page.eval_on_selector_all(
        "script",
        "nodes => nodes.map(s => [s.getAttribute('src'), s.id, s.type, s.className])",
    )
    own = [
        ["plotly.min.js", "", "", ""],
        [None, "report-render-figures", "", ""],
        [None, "", "application/json", "report-plotly-figure"],
    ]
    assert [s for s in scripts if s not in own] == []
    assert page.locator("img").count() == 0
