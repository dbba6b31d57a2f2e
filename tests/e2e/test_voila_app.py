"""`make app` in a real browser: the Voilà dashboard shows the explorers, a control redraws the
chart, no code and no console errors, and data markup stays text.

`make app` runs on a free port on 127.0.0.1 (NO_BROWSER=1); its printed URL is opened. Every wait
is bounded; the server's process group is always stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from processes import free_port, start_make_server
from readability import MIN_EXPLORER_ROWS, table_problems, visible_rows

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 120  # s, includes `make` checking the environment
APP_RENDER_TIMEOUT = 180_000  # ms: kernel start, dataset load and three explorers
CHART_UPDATE_TIMEOUT = 30_000  # ms
URL_PATTERN = re.compile(r"http://127\.0\.0\.1:(\d+)/\S*")
MARKUP = "<script>alert(1)</script>"


@dataclass(frozen=True)
class Scenario:
    dataset: str  # DATASET= for make app ("" = the default)
    title: str  # text the header shows
    hostile: bool = False
    readme_picture: bool = False


SCENARIOS = {
    "bundled": Scenario("", "Russia", readme_picture=True),
    # a relative path, as a teacher would type it from the repository folder
    "hostile": Scenario("tests/fixtures/hostile", "Hostile test fixture", hostile=True),
}


@pytest.fixture
def app_server(request):
    """`make app` on a free port with DATASET=request.param; yields (url, output lines)."""
    scenario: Scenario = SCENARIOS[request.param]
    port = free_port()
    env = {**os.environ, "NO_BROWSER": "1", "PORT": str(port), "DATASET": scenario.dataset}
    env.pop("QUERY_STRING", None)
    env.pop("NL_APP_DATASET", None)
    server = start_make_server(
        "app", cwd=REPO_ROOT, env=env, port=port, url=URL_PATTERN, timeout=SERVER_START_TIMEOUT
    )
    try:
        yield scenario, server.url, server.lines
    finally:
        server.stop(signal.SIGINT, signal.SIGTERM)


def _readme_copy(picture: Path, name: str) -> None:
    """The README's copy of a picture, docs/<name>: only (re)written when missing or asked for
    (NL_UPDATE_SCREENSHOTS=1), so test runs do not dirty the work tree."""
    copy = REPO_ROOT / "docs" / name
    if not copy.exists() or os.environ.get("NL_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(picture, copy)


READ_GAP_CHART = """
() => [...document.querySelectorAll('.nl-gap-explorer .js-plotly-plot')].map(plot =>
    JSON.stringify((plot.data || []).map(trace => ({
        name: trace.name,
        x: Array.from(trace.x || []).map(String),
        y: Array.from(trace.y || []).map(String),
    })))
)
"""


def _pick_other_option(select) -> str:
    """Select the first option of a <select> that is not selected yet; return its label."""
    label = select.evaluate(
        """s => {
            const taken = new Set(
                [...document.querySelectorAll('.nl-gap-explorer .widget-dropdown select')]
                    .map(o => o.value));
            const free = [...s.options].find(o => !o.selected && !taken.has(o.value));
            return free ? free.label : null;
        }"""
    )
    assert label, "no unselected option to pick"
    select.select_option(label=label)
    return label


def _check_explorer_table(page, explorer_css: str, scenario: Scenario) -> list[str]:
    """What a reader cannot read in an explorer's table (see readability.py), including a table
    that shows fewer than MIN_EXPLORER_ROWS rows (or all of them, when fewer) without scrolling
    (not asked of the hostile fixture, whose every text is a paragraph of markup)."""
    table = page.locator(f"{explorer_css} .nl-table table.nl-data-table")
    assert table.count() == 1, f"{explorer_css}: no table"
    problems = [f"{explorer_css}: {p}" for p in table_problems(page, f"{explorer_css} .nl-table")]
    shown, total, boxes = visible_rows(table, explorer_css)
    if not scenario.hostile and shown < min(MIN_EXPLORER_ROWS, total):
        problems.append(
            f"{explorer_css}: {shown} of {total} rows visible without scrolling in {boxes}"
        )
    return problems


def _change_and_see_the_chart_change(page, control_css: str) -> None:
    before = page.evaluate(READ_GAP_CHART)
    select = page.locator(f".nl-gap-explorer {control_css} select").first
    picked = _pick_other_option(select)
    page.wait_for_function(
        f"before => JSON.stringify(({READ_GAP_CHART})()) !== JSON.stringify(before)",
        arg=before,
        timeout=CHART_UPDATE_TIMEOUT,
    )
    assert page.evaluate(READ_GAP_CHART) != before, f"{control_css} -> {picked}: no change"


@pytest.mark.parametrize("app_server", list(SCENARIOS), indirect=True)
def test_make_app_serves_the_explorers(app_server, page_and_problems, save_screenshot):
    scenario, url, _lines = app_server
    page, problems = page_and_problems
    page.set_viewport_size({"width": 1400, "height": 1000})
    name = "app-hostile" if scenario.hostile else "app"
    local = ("http://127.0.0.1:", "data:", "blob:")
    page.on(
        "request",
        lambda r: None if r.url.startswith(local) else problems.blocked_requests.append(r.url),
    )
    page.goto(url, timeout=60_000)
    try:
        page.wait_for_selector(
            ".nl-app .nl-gap-explorer .js-plotly-plot .main-svg", timeout=APP_RENDER_TIMEOUT
        )
    except Exception:
        save_screenshot(page, f"{name}-failure.png")
        raise
    header = page.locator(".nl-app-header").inner_text()
    assert scenario.title in header

    # No code: Voilà strips the sources, so the notebook's call is nowhere on the page.
    assert "build_app" not in page.locator("body").inner_text()
    assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0

    tabs = page.locator(".nl-app-tabs .lm-TabBar-tab")
    assert tabs.all_inner_texts() == ["Gap explorer", "Position explorer", "Evidence browser"]
    table = page.locator(".nl-gap-explorer .nl-table table.nl-data-table")
    assert table.count() == 1, "no evidence table under the gap chart"
    page.wait_for_timeout(500)  # let plotly finish drawing before the picture
    picture = save_screenshot(page, f"{name}.png")
    save_screenshot(page, f"{name}-gap-full.png", full_page=True)
    unreadable = _check_explorer_table(page, ".nl-gap-explorer", scenario)
    if scenario.readme_picture:
        _readme_copy(picture, "app.png")

    try:
        charts = page.evaluate(READ_GAP_CHART)
        assert len(charts) == 1
        assert charts[0] != "[]", "the gap explorer shows no chart data"
        # an issue selection first (the default pair has common issues), then another actor
        _change_and_see_the_chart_change(page, ".widget-select-multiple")  # Issues
        _change_and_see_the_chart_change(page, ".widget-dropdown")  # Actor A

        # the other tabs draw too, each with its table underneath
        tabs.nth(1).click()
        page.locator(".nl-position-explorer .js-plotly-plot .main-svg").first.wait_for(
            state="visible", timeout=CHART_UPDATE_TIMEOUT
        )
        assert page.locator(".nl-position-explorer .nl-table table.nl-data-table").is_visible()
        page.wait_for_timeout(500)  # let plotly finish drawing before the picture
        save_screenshot(page, f"{name}-position-full.png", full_page=True)
        unreadable += _check_explorer_table(page, ".nl-position-explorer", scenario)
        tabs.nth(2).click()
        evidence = page.locator(".nl-evidence-explorer .nl-table table.nl-data-table")
        evidence.wait_for(state="visible", timeout=CHART_UPDATE_TIMEOUT)
        assert evidence.locator("tbody tr").count() > 0
        save_screenshot(page, f"{name}-evidence.png")
        full = save_screenshot(page, f"{name}-evidence-full.png", full_page=True)
        if scenario.readme_picture:
            _readme_copy(full, "evidence-browser.png")
        unreadable += _check_explorer_table(page, ".nl-evidence-explorer", scenario)

    except Exception:
        save_screenshot(page, f"{name}-failure.png")
        raise

    assert unreadable == [], "\n".join(unreadable)
    if scenario.hostile:
        app_text = page.locator(".nl-app").inner_text()
        assert MARKUP in app_text, "markup from the data is not shown as text"
        assert page.locator(".nl-app script, .nl-app img[src='x']").count() == 0
    assert problems.errors == [], "\n".join(problems.errors)
    assert problems.dialogs == [], problems.dialogs
    # works offline: nothing is fetched from anywhere but the app's own server
    assert problems.blocked_requests == [], problems.blocked_requests


@pytest.mark.parametrize("app_server", ["bundled"], indirect=True)
def test_query_parameter_picks_the_dataset_and_problems_show_as_a_table(
    app_server, page_and_problems, save_screenshot, tmp_path
):
    _scenario, url, _lines = app_server
    page, problems = page_and_problems
    broken = tmp_path / "broken <b>dataset</b>"
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "hostile", broken)
    positions = broken / "positions.csv"
    text = positions.read_text(encoding="utf-8")
    assert "P01,2022-03-29," in text
    positions.write_text(text.replace("P01,2022-03-29,", "P01,2022-13-45,"), encoding="utf-8")

    page.goto(f"{url}?dataset={quote(str(broken))}", timeout=60_000)
    table = page.locator(".nl-app-problems table.nl-data-table")
    try:
        table.wait_for(timeout=APP_RENDER_TIMEOUT)
    except Exception:
        save_screenshot(page, "app-problems-failure.png")
        raise
    save_screenshot(page, "app-problems.png")
    assert page.locator(".nl-app-tabs").count() == 0
    assert "2022-13-45" in table.inner_text()
    assert "broken <b>dataset</b>" in page.locator(".nl-app-header").inner_text()
    assert problems.errors == [], "\n".join(problems.errors)
