"""Stress notebook kernels the way the suite uses them and count the executions that hang.

Every session starts a fresh kernel and executes the same small notebook (imports, a pandas
table, printed text, an ipywidgets control, a Plotly figure and quick one-liners); every wait
is bounded (`--cell-timeout`, `--start-timeout`), and a reply that does not come within its
bound is counted as a hang. Three ways of driving a kernel, as the project does:

- runner: `scripts/run_notebooks.py`'s `execute_notebook` (nbclient; `make notebooks`, tests);
- nbval: `pytest` with `run_notebooks.nbval_args()` on a stored copy (`make test`);
- lab:    a Jupyter server's REST API creates a session (fresh kernel) and a websocket sends
          every cell's execute_request at once, as JupyterLab's Run All does.

`--parallel 2` (the default) runs two workers at once, each with its own sessions (and, for
`lab`, its own server), as two test runs on one machine would.

Usage: `python benchmarks/stress_kernels.py [--executions 1000] [--modes runner,nbval,lab]`.
Run it with another environment's Python to measure other versions (`--label` names them).
Prints hangs per 1,000 executions per mode; writes build/bench/stress-<label>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from importlib.metadata import version
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "build" / "bench"
sys.path.insert(0, str(REPO / "scripts"))
from run_notebooks import (  # noqa: E402
    KERNEL_STARTUP_TIMEOUT,
    NotebookFailed,
    execute_notebook,
    kernel_environment,
    nbval_command,
)

MODES = ("runner", "nbval", "lab")
CELLS = [
    "import pandas as pd\nimport numpy as np",
    "table = pd.DataFrame({'issue': list('abcde'), 'gap': np.arange(5) * 1.5})\ntable",
    "print('largest gap:', table['gap'].max())",
    "import ipywidgets as widgets\n"
    "pick = widgets.Dropdown(options=['a', 'b'], description='Pick')\npick",
    "import plotly.graph_objects as go\n"
    "go.Figure(go.Bar(x=list(table['issue']), y=list(table['gap']))).update_layout(width=400)",
    "total = int(table['gap'].sum())",
    "print(total)",
    "pick.value = 'b'\npick.value",
    "len(table)",
    "sorted(table['issue'])",
]
VERSIONS = (
    "ipykernel",
    "jupyter_client",
    "pyzmq",
    "tornado",
    "nbclient",
    "nbval",
    "jupyter_server",
)


def stress_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    return nb


# --- one worker: many sessions of one mode, printed as one JSON line ---------------------------


def _session_result(executions: int, hangs: int, errors: int, detail: str = "") -> dict:
    return {"executions": executions, "hangs": hangs, "errors": errors, "detail": detail}


def runner_session(workdir: Path, cell_timeout: int) -> dict:
    from nbclient.exceptions import CellTimeoutError

    nb = stress_notebook()
    try:
        execute_notebook(nb, cwd=workdir, name="stress", timeout=cell_timeout)
    except NotebookFailed as error:
        ran = sum(1 for c in nb.cells if c.get("execution_count"))
        if isinstance(error.__cause__, CellTimeoutError) or "did not start" in str(error):
            return _session_result(ran + 1, 1, 0, str(error))
        return _session_result(ran, 0, 1, str(error))
    except Exception as error:  # a kernel that died, a start that failed
        return _session_result(0, 0, 1, f"{type(error).__name__}: {error}")
    return _session_result(len(CELLS), 0, 0)


def nbval_session(workdir: Path, cell_timeout: int, stored: Path) -> dict:
    target = workdir / "stress.ipynb"
    shutil.copy(stored, target)
    command = nbval_command(
        f"--nbval-cell-timeout={cell_timeout}",
        f"--nbval-kernel-startup-timeout={KERNEL_STARTUP_TIMEOUT}",
        str(target),
    )
    bound = cell_timeout * len(CELLS) + KERNEL_STARTUP_TIMEOUT + 60
    try:
        done = subprocess.run(
            command,
            cwd=workdir,
            env=kernel_environment(),
            capture_output=True,
            text=True,
            timeout=bound,
        )
    except subprocess.TimeoutExpired:
        return _session_result(len(CELLS), 1, 0, f"pytest --nbval did not end in {bound}s")
    out = done.stdout + done.stderr
    if "Timeout of" in out or "timed out" in out:
        return _session_result(len(CELLS), 1, 0, out[-600:])
    if done.returncode != 0:
        return _session_result(len(CELLS), 0, 1, out[-600:])
    return _session_result(len(CELLS), 0, 0)


class LabServer:
    """A Jupyter server on 127.0.0.1 (its own runtime folder) for the `lab` mode."""

    def __init__(self, root: Path, transport: str):
        self.root = root
        self.token = secrets.token_hex(16)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        home = root.parent / "home"
        env = {
            **kernel_environment(),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
        }
        self.log = (root.parent / "server.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
                f"--KernelManager.transport={transport}",
                "--no-browser",
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter server exited with {self.process.returncode}")
            try:
                self.request("GET", "/api/status")
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("jupyter server not up after 90s") from None
                time.sleep(0.5)

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=KERNEL_STARTUP_TIMEOUT) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=wait)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        self.log.close()


def _ws_message(session: str, msg_type: str, content: dict) -> tuple[str, str]:
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "msg_type": msg_type,
        "session": session,
        "username": "stress",
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "version": "5.3",
    }
    message = {
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }
    return msg_id, json.dumps(message)


def lab_session(server: LabServer, cell_timeout: int) -> dict:
    import websocket

    name = f"stress-{uuid.uuid4().hex[:8]}.ipynb"
    nbformat.write(stress_notebook(), server.root / name)
    try:
        session = server.request(
            "POST",
            "/api/sessions",
            {"path": name, "type": "notebook", "name": name, "kernel": {"name": "python3"}},
        )
    except OSError as error:
        return _session_result(0, 0, 1, f"session not created: {error}")
    kernel_id = session["kernel"]["id"]
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
    ws = None
    try:
        ws = websocket.create_connection(
            url,
            timeout=KERNEL_STARTUP_TIMEOUT,
            header=[f"Authorization: token {server.token}"],
        )
        client_session = uuid.uuid4().hex
        # The server waits for the kernel to answer kernel_info before it relays anything.
        info_id, info = _ws_message(client_session, "kernel_info_request", {})
        ws.send(info)
        if not _wait_replies(ws, {info_id}, KERNEL_STARTUP_TIMEOUT):
            return _session_result(1, 1, 0, "kernel_info_reply never came")
        # Run All: every execute_request at once; the kernel queues them.
        pending = {}
        for index, source in enumerate(CELLS):
            msg_id, text = _ws_message(
                client_session,
                "execute_request",
                {"code": source, "silent": False, "store_history": True, "allow_stdin": False},
            )
            pending[msg_id] = index
            ws.send(text)
        left = _wait_replies(ws, set(pending), cell_timeout, per_reply=True)
        if left is True:
            return _session_result(len(CELLS), 0, 0)
        first = min(pending[m] for m in left)
        return _session_result(first + 1, 1, 0, f"no execute_reply for cell {first}")
    except (OSError, websocket.WebSocketException) as error:
        return _session_result(0, 0, 1, f"{type(error).__name__}: {error}")
    finally:
        if ws is not None:
            ws.close()
        with contextlib.suppress(OSError):
            server.request("DELETE", f"/api/sessions/{session['id']}")
        (server.root / name).unlink(missing_ok=True)


def _wait_replies(ws, wanted: set[str], timeout: float, per_reply: bool = False):
    """True once a shell reply for every id in `wanted` came; otherwise the ids still missing.

    The bound is `timeout` seconds in all, or per reply with `per_reply` (a cell's own limit)."""
    import websocket

    wanted = set(wanted)
    deadline = time.monotonic() + timeout
    while wanted:
        left = deadline - time.monotonic()
        if left <= 0:
            return wanted
        ws.settimeout(left)
        try:
            message = json.loads(ws.recv())
        except websocket.WebSocketTimeoutException:
            return wanted
        if message.get("channel") == "shell":
            parent = message.get("parent_header", {}).get("msg_id")
            if parent in wanted:
                wanted.discard(parent)
                if per_reply:
                    deadline = time.monotonic() + timeout
    return True


def worker(mode: str, sessions: int, cell_timeout: int, transport: str) -> int:
    workdir = Path(tempfile.mkdtemp(prefix=f"stress-{mode}-"))
    server = None
    try:
        if mode == "nbval":
            stored = workdir / "stored.ipynb"
            nb = execute_notebook(stress_notebook(), cwd=workdir, name="stored", timeout=60)
            nbformat.write(nb, stored)
            # widget views and the figure are not what is measured; compare the rest strictly
            for cell in nb.cells[3:5]:
                cell.source = "# NBVAL_IGNORE_OUTPUT\n" + cell.source
            nbformat.write(nb, stored)
        if mode == "lab":
            (workdir / "root").mkdir()
            server = LabServer(workdir / "root", transport)
        for _ in range(sessions):
            started = time.monotonic()
            if mode == "runner":
                result = runner_session(workdir, cell_timeout)
            elif mode == "nbval":
                result = nbval_session(workdir, cell_timeout, stored)
            else:
                result = lab_session(server, cell_timeout)
            result["seconds"] = round(time.monotonic() - started, 2)
            print(json.dumps(result), flush=True)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


# --- the measurement: workers in parallel, summed up --------------------------------------------


def measure(mode: str, executions: int, parallel: int, cell_timeout: int, transport: str) -> dict:
    sessions = -(-executions // len(CELLS))
    shares = [sessions // parallel + (i < sessions % parallel) for i in range(parallel)]
    bound = max(shares) * (cell_timeout * len(CELLS) + KERNEL_STARTUP_TIMEOUT + 60) + 120
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                mode,
                "--sessions",
                str(share),
                "--cell-timeout",
                str(cell_timeout),
                "--transport",
                transport,
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=kernel_environment(),
        )
        for share in shares
    ]
    results = []
    for process in processes:
        try:
            out, _ = process.communicate(timeout=max(1, bound - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
            results.append(_session_result(0, 1, 0, f"worker did not end in {bound}s"))
        results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    total = sum(r["executions"] for r in results)
    hangs = sum(r["hangs"] for r in results)
    errors = sum(r["errors"] for r in results)
    return {
        "mode": mode,
        "sessions": len(results),
        "executions": total,
        "hangs": hangs,
        "errors": errors,
        "hangs_per_1000": round(1000 * hangs / total, 2) if total else None,
        "wall_seconds": round(time.monotonic() - started, 1),
        "problems": [r["detail"] for r in results if r["hangs"] or r["errors"]][:10],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=1000, help="cell executions per mode")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated: " + ",".join(MODES)
    )
    parser.add_argument("--parallel", type=int, default=2, help="workers at once")
    parser.add_argument("--cell-timeout", type=int, default=30, help="seconds per reply")
    parser.add_argument("--transport", choices=["ipc", "tcp"], default="ipc", help="lab kernels")
    parser.add_argument("--label", default=None, help="name of this measurement (file name)")
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--sessions", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.sessions, args.cell_timeout, args.transport)

    versions = {name: version(name) for name in VERSIONS}
    label = args.label or f"ipykernel-{versions['ipykernel']}"
    print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    load = os.getloadavg()[0]
    print(f"{args.parallel} workers at once, {len(CELLS)} cells per fresh kernel, load {load:.1f}")
    print(f"{'mode':8} {'executions':>10} {'hangs':>6} {'errors':>6} {'per 1000':>9} {'wall s':>7}")
    rows = []
    for mode in args.modes.split(","):
        row = measure(mode, args.executions, args.parallel, args.cell_timeout, args.transport)
        rows.append(row)
        print(
            f"{mode:8} {row['executions']:>10} {row['hangs']:>6} {row['errors']:>6} "
            f"{row['hangs_per_1000']!s:>9} {row['wall_seconds']:>7}",
            flush=True,
        )
        for problem in row["problems"]:
            print("   ", problem.strip().splitlines()[-1][:160] if problem.strip() else "?")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"stress-{label}.json"
    out.write_text(
        json.dumps(
            {
                "label": label,
                "versions": versions,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "parallel": args.parallel,
                "cells_per_kernel": len(CELLS),
                "cell_timeout": args.cell_timeout,
                "lab_transport": args.transport,
                "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "results": rows,
            },
            indent=2,
        )
    )
    print(f"written {out.relative_to(REPO)}")
    return 1 if any(row["hangs"] or row["errors"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
