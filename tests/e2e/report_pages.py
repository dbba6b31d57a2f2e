"""Opening a page of the HTML report (negotiation_lib.report) in the browser tests."""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHARTS_SECONDS = 30


def open_report_page(page, url: str, expected: int | None = None) -> int:
    """Open `url` (a report page), wait until every embedded figure is drawn (at most
    CHARTS_SECONDS), return how many there are; with `expected`, fail unless that many are
    embedded."""
    page.goto(url)
    embedded = page.locator("script.report-plotly-figure").count()
    if expected is not None:
        assert embedded == expected, f"{url}: {embedded} figures embedded, {expected} stored"
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot').length === n && "
            "[...document.querySelectorAll('.js-plotly-plot')]"
            ".every(p => p.querySelector('.main-svg'))",
            arg=embedded,
            timeout=CHARTS_SECONDS * 1000,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"{url}: the {embedded} embedded charts were not all drawn within {CHARTS_SECONDS} s"
        ) from None
    return embedded
