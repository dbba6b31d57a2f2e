"""Servers the tests start (JupyterLab, Voilà, `make lab`): a free port, `make` started as a
server with a bounded wait for its URL, and a bounded stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (a server may still lose it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process_group(process: subprocess.Popen, *polite: int) -> None:
    """Stop ``process`` and its process group (a server and its kernels): each ``polite``
    signal in turn (default SIGTERM), then SIGKILL; 15 s for the first answer, 10 s for each
    later one."""
    if process.poll() is not None:
        return
    for step, sig in enumerate((*(polite or (signal.SIGTERM,)), signal.SIGKILL)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15 if step == 0 else 10)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class MadeServer:
    """A `make` target serving on ``url``; ``lines`` is everything it printed so far (a reader
    thread keeps appending)."""

    process: subprocess.Popen
    url: str
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def stop(self, *polite: int) -> None:
        stop_process_group(self.process, *polite)
        if self.reader is not None:
            self.reader.join(timeout=5)


def start_make_server(
    target: str, *, cwd: Path, env: dict[str, str], port: int, url: re.Pattern, timeout: float
) -> MadeServer:
    """Run `make <target>` (its own process group) and wait at most ``timeout`` seconds for it
    to print a URL matching ``url`` whose first group is ``port``. Fails naming the target and
    showing its output when it exits first or prints no such URL in time (then stops it)."""
    process = subprocess.Popen(
        ["make", "--no-print-directory", target],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []

    def read_output() -> None:
        for line in process.stdout:
            lines.append(line)

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    server = MadeServer(process, "", lines, reader)
    deadline = time.monotonic() + timeout
    while True:
        found = (m for m in map(url.search, list(lines)) if m and int(m[1]) == port)
        match = next(found, None)
        if match:
            server.url = match[0]
            return server
        problem = None
        if process.poll() is not None:
            problem = f"make {target} exited with {process.returncode}"
        elif time.monotonic() > deadline:
            problem = f"make {target} printed no URL on port {port} within {timeout:g} s"
        if problem:
            server.stop()
            raise AssertionError(f"{problem}:\n{''.join(lines[-40:])}")
        time.sleep(0.2)
