"""Notebooks in a real JupyterLab: Run All, change a widget control, the chart's data changes.

JupyterLab runs on 127.0.0.1 with a token, rooted in a temporary copy of the notebooks so
nothing is saved into the repository, with its own settings, workspaces and data folders so
the user's setup plays no part. Every wait is bounded; the server is always stopped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
JUPYTER = Path(sys.executable).parent / "jupyter"
SERVER_START_TIMEOUT = 90
RUN_ALL_TIMEOUT = 180_000  # ms
CHART_UPDATE_TIMEOUT = 30_000  # ms


@dataclass(frozen=True)
class Change:
    """One user action on a widget control, found by its description label."""

    control: str  # "dropdown", "select-multiple" or "slider"
    label: str
    option: str | None = None  # None: the first option that is not selected yet; a slider's value


@dataclass(frozen=True)
class Scenario:
    source: Path
    changes: tuple[Change, ...]
    readme_picture: bool = False
    widgets: bool = True  # False: a notebook of plain figures (drawn after Run All, no controls)


SCENARIOS = {
    "fixture": Scenario(
        REPO_ROOT / "tests" / "fixtures" / "notebooks" / "fixture_basic.ipynb",
        (Change("dropdown", "Pair", "A only"),),
    ),
    "gap-explorer": Scenario(
        REPO_ROOT / "notebooks" / "03-gap-explorer.ipynb",
        (Change("dropdown", "Actor B"), Change("select-multiple", "Issues")),
        readme_picture=True,
    ),
    "whatif-explorer": Scenario(
        REPO_ROOT / "notebooks" / "12-would-a-model-predict-the-deal.ipynb",
        (Change("dropdown", "Model"), Change("slider", "RU", "3.0")),
    ),
    "your-negotiation": Scenario(
        REPO_ROOT / "notebooks" / "09-your-negotiation.ipynb", (), widgets=False
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    """No news or update check (they would fetch from the network and pop up a toast), and no
    notebook windowing, so every cell stays in the page and can be scrolled to and read."""
    settings = {
        ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
        ("notebook-extension", "tracker"): {"windowingMode": "none"},
    }
    for (package, plugin), values in settings.items():
        path = settings_dir / "@jupyterlab" / package / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@dataclass
class LabServer:
    url: str
    token: str
    root: Path
    log: Path


@pytest.fixture
def lab_server(tmp_path, browser):
    """A JupyterLab server rooted in tmp_path/root; yields LabServer and stops it afterwards."""
    root = tmp_path / "root"
    root.mkdir()
    home = tmp_path / "home"
    _write_settings(home / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        # Kernels then come from this environment only, not from the user's own kernelspecs.
        "JUPYTER_DATA_DIR": str(home / "data"),
    }
    env.pop("PLOTLY_RENDERER", None)
    log = tmp_path / "jupyterlab.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                str(JUPYTER),
                "lab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                "--LabApp.news_url=",
                # The default 'pypi' manager queries the package index; nothing here installs.
                "--LabApp.extension_manager=readonly",
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],
            cwd=root,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab not up after {SERVER_START_TIMEOUT}s:\n{log.read_text()}"
                    )
                time.sleep(0.5)
        yield LabServer(url=url, token=token, root=root, log=log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and its kernels (its own process group), politely and then not."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _copy_notebook(source: Path, root: Path) -> str:
    """Copy the notebook's folder into root (relative paths keep working); its name in root."""
    target = root / source.parent.name
    shutil.copytree(
        source.parent, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.html")
    )
    return f"{source.parent.name}/{source.name}"


READ_CHARTS = """
() => [...document.querySelectorAll('.jp-Notebook .js-plotly-plot')].map(plot => JSON.stringify(
    (plot.data || []).map(trace => ({
        name: trace.name,
        x: Array.from(trace.x || []).map(String),
        y: Array.from(trace.y || []).map(String),
    }))
))
"""


def _no_kernel_dialog(page) -> None:
    """`make lab` and `make test` install etc/jupyterlab-overrides.json, which makes JupyterLab
    start the notebook's own kernel; a "Select Kernel" dialog would stop a newcomer's Run All."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(timeout=5_000)
    except PlaywrightTimeoutError:
        return
    pytest.fail("JupyterLab asked to select a kernel: is etc/jupyterlab-overrides.json installed?")


def _scroll_to_top_of(locator) -> None:
    locator.evaluate("el => el.scrollIntoView({block: 'start'})")
    locator.page.wait_for_timeout(500)  # let plotly finish drawing after the scroll


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(r"^Run All Cells$")).click()


def _wait_until_executed(page) -> None:
    """Every code cell has run: kernel idle and no prompt still [*] or empty."""
    page.wait_for_function(
        """() => {
            const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
            if (status && status.getAttribute('data-status') !== 'idle') return false;
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=RUN_ALL_TIMEOUT,
    )


def _control(page, change: Change):
    css = {"dropdown": ".widget-dropdown", "select-multiple": ".widget-select-multiple"}
    box = page.locator(css[change.control]).filter(has=page.locator("label", has_text=change.label))
    return box.first.locator("select")


def _set_slider(page, change: Change) -> str:
    """Type a value into a slider's readout (ipywidgets 8 readouts are editable) and Enter."""
    label = page.locator("label", has_text=re.compile(rf"^{re.escape(change.label)}$"))
    slider = page.locator(".widget-slider").filter(has=label).first
    readout = slider.locator(".widget-readout")
    readout.wait_for(timeout=CHART_UPDATE_TIMEOUT)
    readout.scroll_into_view_if_needed(timeout=CHART_UPDATE_TIMEOUT)
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(change.option)
    page.keyboard.press("Enter")
    return change.option


def _apply(page, change: Change) -> str:
    if change.control == "slider":
        return _set_slider(page, change)
    select = _control(page, change)
    select.wait_for(timeout=CHART_UPDATE_TIMEOUT)
    option = change.option
    if option is None:
        option = select.evaluate(
            """s => {
                const others = document.querySelectorAll('.widget-dropdown select');
                const taken = new Set([...others].map(o => o.value));
                const free = [...s.options].find(o => !o.selected && !taken.has(o.value));
                return free ? free.label : null;
            }"""
        )
        assert option, f"no unselected option to pick in {change.label}"
    select.select_option(label=option)
    return option


def _check_plain_figures(page) -> None:
    """After Run All: every cell ran without an error output, and each Plotly output is drawn
    (JupyterLab renders outputs lazily, so each is scrolled into view first; bounded waits)."""
    # Run All stops at an error, leaving later prompts empty: wait until nothing is queued,
    # then name any error before asking that every cell ran.
    page.wait_for_function(
        """() => {
            const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
            if (status && status.getAttribute('data-status') !== 'idle') return false;
            return ![...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .some(p => p.textContent.includes('*'));
        }""",
        timeout=RUN_ALL_TIMEOUT,
    )
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()
    _wait_until_executed(page)
    plots = page.locator(".jp-Notebook .jp-OutputArea-output .js-plotly-plot")
    page.wait_for_function(
        "() => document.querySelectorAll('.jp-Notebook .js-plotly-plot').length > 0",
        timeout=CHART_UPDATE_TIMEOUT,
    )
    for index in range(plots.count()):
        plot = plots.nth(index)
        plot.scroll_into_view_if_needed(timeout=CHART_UPDATE_TIMEOUT)
        plot.locator(".main-svg").first.wait_for(timeout=CHART_UPDATE_TIMEOUT)
    # markup in the data (the report's text comes from the data) is text, never elements
    assert page.locator(".jp-Notebook .jp-OutputArea-output script:not([type])").count() == 0


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_run_all_and_drive_widgets(name, lab_server, page_and_problems, save_screenshot):
    scenario = SCENARIOS[name]
    assert scenario.source.is_file(), f"{scenario.source} is missing"
    page, problems = page_and_problems
    page.set_viewport_size({"width": 1400, "height": 1000})
    path = _copy_notebook(scenario.source, lab_server.root)
    page.goto(f"{lab_server.url}/lab/tree/{path}?token={lab_server.token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    _no_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    # The stored figures take a while to draw (longer on a loaded machine); the kernel connects
    # after that, and Run All before then clears the outputs without running anything.
    page.wait_for_function(
        "() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')",
        timeout=120_000,
    )
    try:
        _run_all(page)
        if not scenario.widgets:
            _check_plain_figures(page)
            save_screenshot(page, f"jupyterlab-{scenario.source.stem}.png")
            assert problems.errors == [], "\n".join(problems.errors)
            assert problems.dialogs == []
            return
        # Stored outputs already carry prompts and charts: the widget's <select> only exists
        # once the widget cell has run in this kernel.
        page.wait_for_selector(".jupyter-widgets select", timeout=RUN_ALL_TIMEOUT)
        _wait_until_executed(page)
        page.wait_for_selector(
            ".jupyter-widgets .js-plotly-plot .main-svg", timeout=CHART_UPDATE_TIMEOUT
        )
    except Exception:
        save_screenshot(page, f"jupyterlab-{scenario.source.stem}-failure.png")
        raise
    explorer = page.locator(".jp-Cell-outputArea").filter(has=page.locator(".jupyter-widgets"))
    _scroll_to_top_of(explorer.first)
    save_screenshot(page, f"jupyterlab-{scenario.source.stem}-run-all.png")
    if scenario.readme_picture:
        # The explorer's default view as a reader first sees it. The README's copy in docs/ is
        # only (re)written when missing or asked for, so test runs do not dirty the work tree.
        picture = save_screenshot(
            page.locator(".jp-NotebookPanel-notebook").first, "gap-explorer.png"
        )
        readme_copy = REPO_ROOT / "docs" / "gap-explorer.png"
        if not readme_copy.exists() or os.environ.get("NL_UPDATE_SCREENSHOTS") == "1":
            readme_copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(picture, readme_copy)

    for change in scenario.changes:
        before = page.evaluate(READ_CHARTS)
        picked = _apply(page, change)
        page.wait_for_function(
            f"before => JSON.stringify(({READ_CHARTS})()) !== JSON.stringify(before)",
            arg=before,
            timeout=CHART_UPDATE_TIMEOUT,
        )
        after = page.evaluate(READ_CHARTS)
        assert after != before, f"{change.label} -> {picked}: no chart changed"

    _scroll_to_top_of(explorer.first)
    save_screenshot(page, f"jupyterlab-{scenario.source.stem}.png")
    assert problems.errors == [], "\n".join(problems.errors)
    assert problems.dialogs == []
