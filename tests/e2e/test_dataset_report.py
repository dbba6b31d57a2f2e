"""The report of a whole dataset (negotiation_lib.report) in a real browser, from file://, with
the network cut off: the bundled dataset, notebook 08's example, the hostile fixture and every
edge-case dataset. Each page draws every embedded chart, logs no console error, and shows the
dataset's title, id, version and build date; markup in the data shows as text.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from edge_datasets import EDGE_CASES
from report_pages import open_report_page

import negotiation_lib as nl
from negotiation_lib import report

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
HOSTILE_DATA = REPO_ROOT / "tests" / "fixtures" / "hostile"
PAYLOAD = "<script>window.__pwned=1</script>"
PAGES = ["index", "positions", "gaps", "movement", "evidence", "quality"]
README_PICTURE = REPO_ROOT / "docs" / "report-gaps.png"


def _build(source, out: Path):
    dates = {dt.datetime.now(dt.UTC).date().isoformat()}
    written, crashes = report.build_report(source, out)
    dates.add(dt.datetime.now(dt.UTC).date().isoformat())
    assert [p.stem for p in written] == PAGES
    return out, dates, crashes


def _datasets(tmp: Path, edge_dataset, edge_cases) -> dict[str, Path | str]:
    hostile = tmp / "hostile"
    shutil.copytree(HOSTILE_DATA, hostile)
    for csv in hostile.glob("*.csv"):
        text = csv.read_text(encoding="utf-8").replace("<script>alert(1)</script>", PAYLOAD)
        csv.write_text(text, encoding="utf-8")
    found = {
        "bundled": "ru-ua-2022-2026",
        "example": nl.write_example_dataset(tmp / "example"),
        "hostile": hostile,
    }
    for case in edge_cases:
        found[case] = edge_dataset(case, tmp / case)
    return found


class _Reports(dict):
    """{dataset name: (Negotiation, out folder, build dates, crashes)}, each report built when a
    test first asks for it (the tests of this module run on two workers)."""

    def __init__(self, tmp: Path, sources: dict[str, Path | str]):
        super().__init__()
        self.tmp, self.sources = tmp, sources

    def __missing__(self, name: str):
        source = self.sources[name]
        self[name] = (nl.load(source), *_build(source, self.tmp / "out" / name))
        return self[name]


@pytest.fixture(scope="session")
def reports(tmp_path_factory, browser, edge_dataset, edge_cases):
    tmp = tmp_path_factory.mktemp("dataset-reports")
    return _Reports(tmp, _datasets(tmp / "data", edge_dataset, edge_cases))


CASES = ["bundled", "example", "hostile", *EDGE_CASES]


@pytest.mark.parametrize("name", CASES)
def test_report_draws_offline(name, reports, page_and_problems, save_screenshot):
    neg, out, dates, crashes = reports[name]
    page, problems = page_and_problems
    problems.cut_network(page)
    charts, messages = 0, 0
    for stem in PAGES:
        charts += open_report_page(page, (out / f"{stem}.html").as_uri())
        assert page.locator(".report-dataset-id").inner_text() == neg.id
        assert page.locator(".report-dataset-version").inner_text() == neg.version
        assert page.locator(".report-dataset-title").inner_text() == neg.title
        assert page.locator(".report-build-date").inner_text() in dates
        messages += page.locator(".report-message").count()
        save_screenshot(page, f"dataset-report-{name}-{stem}.png")
        if name == "bundled" and stem == "gaps":
            shot = save_screenshot(page, "report-gaps.png")
            if not README_PICTURE.exists() or os.environ.get("NL_UPDATE_SCREENSHOTS") == "1":
                shutil.copyfile(shot, README_PICTURE)
    assert charts > 0
    assert crashes == []
    if name in {"one_actor", "single_date", "parties_never_meet", "no_events", "parties_only"}:
        assert messages > 0
    assert problems.errors == [], "\n".join(problems.errors)
    assert problems.dialogs == []
    assert problems.blocked_requests == []


def test_markup_in_the_data_shows_as_text(reports, page_and_problems):
    _, out, _, _ = reports["hostile"]
    page, problems = page_and_problems
    problems.cut_network(page)
    for stem in PAGES:
        open_report_page(page, (out / f"{stem}.html").as_uri())
        for point in page.locator(".js-plotly-plot .point").all()[:10]:
            point.hover(force=True)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("img").count() == 0
        scripts = page.eval_on_selector_all(
            "script", "nodes => nodes.map(s => [s.getAttribute('src'), s.id, s.type, s.className])"
        )
        own = [
            ["plotly.min.js", "", "", ""],
            [None, "report-render-figures", "", ""],
            [None, "", "application/json", "report-plotly-figure"],
        ]
        assert [s for s in scripts if s not in own] == []
    open_report_page(page, (out / "evidence.html").as_uri())
    assert PAYLOAD in page.locator("body").inner_text()
    assert problems.dialogs == []
    assert problems.errors == []
