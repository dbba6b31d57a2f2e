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

    def cut_network(self, page) -> None:
        """Let ``page`` load file:// only; every other request is aborted and recorded."""

        def route(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                self.blocked_requests.append(route.request.url)
                route.abort()

        page.route("**/*", route)


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


# A whole page is saved in parts of at most this height (Chromium draws at most about 16k
# pixels in one piece; a shorter part is also easier to look at).
PART_HEIGHT = 4_000
# An inner scroller is drawn whole by making the window this tall at most.
MAX_WINDOW_HEIGHT = 16_000

# The height the page would need to show all its content: the document's, or that of an inner
# scroller that fills the window down to its bottom (JupyterLab's notebook panel, Voilà's app
# body; not a table's own scroll box).
_CONTENT_HEIGHT = """
() => Math.max(document.documentElement.scrollHeight, ...[...document.querySelectorAll('*')]
    .filter(el => {
        const box = el.getBoundingClientRect();
        return el.scrollHeight > el.clientHeight + 1
            && /(auto|scroll)/.test(getComputedStyle(el).overflowY)
            && el.clientHeight >= window.innerHeight / 2
            && Math.abs(box.bottom - window.innerHeight) <= 40;
    })
    .map(el => el.scrollHeight - el.clientHeight + window.innerHeight))
"""


def _full_page_screenshot(page, path: Path) -> list[Path]:
    """The whole page in parts (path, then path-2, path-3, ... when taller than
    PART_HEIGHT), also where an inner element scrolls: the window is then made as tall as the
    content for the pictures (up to MAX_WINDOW_HEIGHT), then put back."""
    size = page.viewport_size
    needed = int(page.evaluate(_CONTENT_HEIGHT))
    window = min(needed, MAX_WINDOW_HEIGHT)
    if window > size["height"] and window > page.evaluate("document.documentElement.scrollHeight"):
        page.set_viewport_size({"width": size["width"], "height": window})
        page.wait_for_timeout(300)  # let the layout (and plotly's resize) settle
    else:
        window = size["height"]
    try:
        height = max(int(page.evaluate("document.documentElement.scrollHeight")), window)
        paths = []
        for part, top in enumerate(range(0, height, PART_HEIGHT), start=1):
            name = path.stem if part == 1 else f"{path.stem}-{part}"
            paths.append(path.with_name(name + path.suffix))
            clip = {
                "x": 0,
                "y": top,
                "width": size["width"],
                "height": min(PART_HEIGHT, height - top),
            }
            page.screenshot(path=str(paths[-1]), full_page=True, clip=clip)
        return paths
    finally:
        if window != size["height"]:
            page.set_viewport_size(size)


@pytest.fixture(scope="session")
def save_screenshot():
    """`save_screenshot(page_or_locator, "name.png")` writes build/screenshots/name.png (the
    viewport, or just the element of a locator) and returns its path; with `full_page=True`,
    the whole page (in parts name.png, name-2.png, ... when long) and returns the first."""

    def save(target, name: str, *, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        if full_page:
            return _full_page_screenshot(target, path)[0]
        target.screenshot(path=str(path))
        return path

    return save
