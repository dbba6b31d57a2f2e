"""Servers the tests start (JupyterLab, Voilà, `make lab`): a free port, and a bounded stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess


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
