"""Notebooks in a real JupyterLab: Run All on every notebook (each cell must finish in time),
and in the explorers, change a widget control and the chart's data changes.

JupyterLab runs on 127.0.0.1 with a token, rooted in a temporary copy of the notebooks so
nothing is saved into the repository, with its own settings, workspaces and data folders so
the user's setup plays no part; its kernels talk over IPC sockets (no TCP ports to race for).
Every wait is bounded; the server is always stopped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from processes import free_port, stop_process_group
from readability import MIN_EXPLORER_ROWS, table_problems, visible_rows

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
JUPYTER = Path(sys.executable).parent / "jupyter"
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
SERVER_START_TIMEOUT = 90
SERVER_START_ATTEMPTS = 3
RUN_ALL_TIMEOUT = 180_000  # ms, a whole notebook
CELL_TIMEOUT = 60_000  # ms, one cell (as scripts/run_notebooks.py and nbval)
CHART_UPDATE_TIMEOUT = 30_000  # ms
EXPORT_TIMEOUT = 150_000  # ms: Chromium starts (bounded by 60 s) and renders (60 s)


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
    export: bool = False  # click the explorer's "Export SVG" and find the file it wrote


SCENARIOS = {
    "fixture": Scenario(
        REPO_ROOT / "tests" / "fixtures" / "notebooks" / "fixture_basic.ipynb",
        (Change("dropdown", "Pair", "A only"),),
    ),
    "gap-explorer": Scenario(
        REPO_ROOT / "notebooks" / "03-gap-explorer.ipynb",
        (Change("dropdown", "Actor B"), Change("select-multiple", "Issues")),
        readme_picture=True,
        export=True,
    ),
    "whatif-explorer": Scenario(
        REPO_ROOT / "notebooks" / "12-would-a-model-predict-the-deal.ipynb",
        (Change("dropdown", "Model"), Change("slider", "RU", "3.0")),
    ),
    "your-negotiation": Scenario(
        REPO_ROOT / "notebooks" / "09-your-negotiation.ipynb", (), widgets=False
    ),
}


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


@contextmanager
def _running_lab(base: Path) -> Iterator[LabServer]:
    """A JupyterLab server rooted in base/root; stopped (with its kernels) on exit."""
    root = base / "root"
    root.mkdir()
    home = base / "home"
    _write_settings(home / "settings")
    # Kernel sockets are named after the connection file in the runtime folder: keep it short
    # (a Unix socket path may not exceed about 100 characters; pytest's tmp_path can).
    runtime = Path(tempfile.mkdtemp(prefix="jr-"))
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        # Kernels then come from this environment only, not from the user's own kernelspecs.
        "JUPYTER_DATA_DIR": str(home / "data"),
    }
    env.pop("PLOTLY_RENDERER", None)
    log = base / "jupyterlab.log"
    process = None
    try:
        for attempt in range(1, SERVER_START_ATTEMPTS + 1):
            process, url, token = _start_lab(root, env, log)
            started = _wait_until_up(process, url, token, log)
            if started:
                break
            # The port was free when chosen but taken before the server bound it: choose again.
            stop_process_group(process)
            if attempt == SERVER_START_ATTEMPTS:
                pytest.fail(f"JupyterLab found no free port in {attempt} attempts")
        yield LabServer(url=url, token=token, root=root, log=log)
    finally:
        if process is not None:
            stop_process_group(process)
        shutil.rmtree(runtime, ignore_errors=True)


def _start_lab(root: Path, env: dict[str, str], log: Path):
    port, token = free_port(), secrets.token_hex(16)
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
                "--KernelManager.transport=ipc",
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
    return process, f"http://127.0.0.1:{port}", token


def _wait_until_up(process: subprocess.Popen, url: str, token: str, log: Path) -> bool:
    """True once the server answers; False if its port was taken; fails the test otherwise."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            if "already in use" in log.read_text():
                return False
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5):
                return True
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab not up after {SERVER_START_TIMEOUT}s:\n{log.read_text()}")
            time.sleep(0.5)


@pytest.fixture(scope="module")
def shared_lab_server(tmp_path_factory, browser):
    """One JupyterLab server for the Run All tests of this module (each opens its own copy)."""
    with _running_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture
def lab_server(shared_lab_server):
    """The module's JupyterLab server; the kernels a test started are shut down after it."""
    yield shared_lab_server
    _shut_down_kernels(shared_lab_server)


def _shut_down_kernels(server: LabServer) -> None:
    """Shut down every kernel of the server (REST API, bounded), so they do not pile up."""
    headers = {"Authorization": f"token {server.token}"}
    listing = urllib.request.Request(f"{server.url}/api/kernels", headers=headers)
    with urllib.request.urlopen(listing, timeout=30) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(
            f"{server.url}/api/kernels/{kernel['id']}", method="DELETE", headers=headers
        )
        with urllib.request.urlopen(request, timeout=30):
            pass


def _copy_notebook(source: Path, root: Path, folder: str | None = None) -> str:
    """Copy the notebook's folder into root/folder (default: the folder's own name; relative
    paths keep working) and return the notebook's path in root."""
    folder = folder or source.parent.name
    target = root / folder
    shutil.copytree(
        source.parent, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.html")
    )
    return f"{folder}/{source.name}"


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


# [index among code cells, prompt text, first line of source] of every code cell on the page.
READ_PROMPTS = """
() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map((cell, index) => [
    index,
    (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
    (cell.querySelector('.jp-InputArea-editor .cm-line') || {}).textContent || '',
])
"""


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


def _clear_all_outputs(page) -> None:
    """Edit > Clear Outputs of All Cells: stored outputs and prompts go (prompts read [ ])."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Edit").first.click()
    page.locator(".lm-Menu-itemLabel").filter(
        has_text=re.compile(r"^Clear Outputs of All Cells$")
    ).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .every(p => !/\\d/.test(p.textContent))""",
        timeout=CHART_UPDATE_TIMEOUT,
    )


def _run_all_cells_finish(page, name: str) -> None:
    """Clear the stored outputs, Run All, and wait for the cells in order, each within
    CELL_TIMEOUT of the one before (JupyterLab runs them one after another); fail naming the
    first code cell that does not finish."""
    _clear_all_outputs(page)
    prompts = page.evaluate(READ_PROMPTS)
    assert prompts, f"{name}: no code cells on the page"
    _run_all(page)
    for index, _, first_line in prompts:
        try:
            page.wait_for_function(
                """index => {
                    const cell = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[index];
                    const prompt = cell && cell.querySelector('.jp-InputPrompt');
                    return Boolean(prompt && /\\[\\d+\\]/.test(prompt.textContent));
                }""",
                arg=index,
                timeout=CELL_TIMEOUT,
            )
        except PlaywrightTimeoutError:
            pytest.fail(
                f"{name}: code cell {index} ({first_line[:70]!r}) did not finish within "
                f"{CELL_TIMEOUT // 1000}s of the cell before it"
            )
    _wait_until_executed(page)


def _error_outputs(page) -> list[str]:
    """The first line of every traceback shown in the notebook."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
                + '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')]
            .map(e => e.textContent.trim().split('\\n').slice(-1)[0])"""
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


def _close_left_sidebar(page) -> None:
    """Collapse JupyterLab's left sidebar (the file browser) if it is open: click its tab."""
    css = ".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current"
    current = page.locator(css)
    if current.count():
        current.first.click()
        page.wait_for_function(
            "css => !document.querySelector(css)", arg=css, timeout=CHART_UPDATE_TIMEOUT
        )
        page.wait_for_timeout(500)  # let the notebook and its charts take the width


def _explorer_table_problems(page) -> list[str]:
    """What a reader cannot read in the tables of the explorers on the page (readability.py),
    including a table showing fewer than MIN_EXPLORER_ROWS rows (or all, when fewer) without
    scrolling."""
    problems = table_problems(page, ".nl-explorer .nl-table")
    tables = page.locator(".nl-explorer .nl-table table")
    for index in range(tables.count()):
        shown, total, boxes = visible_rows(tables.nth(index), ".nl-explorer")
        if shown < min(MIN_EXPLORER_ROWS, total):
            problems.append(
                f"explorer table {index + 1}: {shown} of {total} rows visible in {boxes}"
            )
    return problems


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_run_all_and_drive_widgets(name, lab_server, page_and_problems, save_screenshot):
    scenario = SCENARIOS[name]
    assert scenario.source.is_file(), f"{scenario.source} is missing"
    page, problems = page_and_problems
    page.set_viewport_size({"width": 1400, "height": 1000})
    path = _copy_notebook(scenario.source, lab_server.root, folder=f"drive-{name}")
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
        # This is the notebook's Run All check too (it is left out of the test below).
        _run_all_cells_finish(page, scenario.source.name)
        assert _error_outputs(page) == [], f"{scenario.source.name}: a cell shows an error"
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

    if scenario.export:
        _export_svg(page, lab_server.root)

    _scroll_to_top_of(explorer.first)
    save_screenshot(page, f"jupyterlab-{scenario.source.stem}.png")
    # The explorers' tables as a participant reads them with the file browser closed (with it
    # open, the notebook is a third narrower and every quote twice as many lines)
    _close_left_sidebar(page)
    save_screenshot(page, f"jupyterlab-{scenario.source.stem}-full.png", full_page=True)
    unreadable = _explorer_table_problems(page)
    assert unreadable == [], "\n".join(unreadable)
    assert problems.errors == [], "\n".join(problems.errors)
    assert problems.dialogs == []


def _export_svg(page, root: Path) -> None:
    """Click the first explorer's "Export SVG": the kernel writes an SVG next to the notebook
    (Chromium rendering it) and the explorer shows its path."""
    before = set(root.rglob("*.svg"))
    page.locator(".jupyter-widgets .nl-export-svg").first.click()
    page.wait_for_function(
        "() => /Saved |Could not/.test("
        "document.querySelector('.nl-export-message')?.textContent || '')",
        timeout=EXPORT_TIMEOUT,
    )
    shown = page.locator(".nl-export-message").first.text_content()
    written = set(root.rglob("*.svg")) - before
    assert len(written) == 1, shown
    path = written.pop()
    assert shown == f"Saved {path.resolve()}"
    assert path.stat().st_size > 1000


# The notebooks whose widgets or figures a scenario drives run all their cells there.
RUN_ALL_ONLY = [n for n in NOTEBOOKS if n not in {s.source for s in SCENARIOS.values()}]


@pytest.mark.parametrize("notebook", RUN_ALL_ONLY, ids=[n.stem for n in RUN_ALL_ONLY])
def test_run_all_finishes_in_every_notebook(notebook, lab_server, page_and_problems):
    """What a workshop participant does first: open the notebook and Run All. Every code cell
    must finish (bounded per cell) without an error, in a kernel JupyterLab started itself."""
    page, problems = page_and_problems
    path = _copy_notebook(notebook, lab_server.root, folder=f"run-all-{notebook.stem}")
    page.goto(f"{lab_server.url}/lab/tree/{path}?token={lab_server.token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    _no_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    _run_all_cells_finish(page, notebook.name)
    assert _error_outputs(page) == [], f"{notebook.name}: a cell shows an error"
    assert problems.errors == [], "\n".join(problems.errors)
    assert problems.dialogs == []
