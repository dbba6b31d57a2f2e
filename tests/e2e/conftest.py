"""Real-browser fixtures: Debian's Chromium driven by Playwright (sync API).

`playwright install` cannot download browsers here, so the tests use /usr/bin/chromium
(`apt-get install chromium`). Without it they skip with that reason, except when
NL_REQUIRE_BROWSER=1 (set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"chromium not installed at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("NL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NL_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=60_000
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageProblems:
    """What went wrong in a page: JS errors, console errors, dialogs, requests off file://."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)


@pytest.fixture
def page_and_problems(browser):
    """A fresh page (1280x900) and the problems it records; dialogs are dismissed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems = PageProblems()
    page.on("pageerror", lambda error: problems.errors.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.errors.append(f"console.error: {message.text}")
            if message.type == "error"
            else None
        ),
    )

    def on_dialog(dialog):
        problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page, problems
    finally:
        context.close()


@pytest.fixture(scope="session")
def save_screenshot():
    """`save_screenshot(page_or_locator, "name.png")` writes build/screenshots/name.png (the
    viewport, or just the element of a locator) and returns its path."""

    def save(target, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        target.screenshot(path=str(path))
        return path

    return save
