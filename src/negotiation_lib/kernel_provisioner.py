"""A Jupyter kernel provisioner whose kernels talk over Unix sockets, never TCP ports.

jupyter_client picks a kernel's TCP ports by binding to free ports and letting them go again, so
another process can take one before the kernel binds it: with many kernels starting at once (two
`make test` runs on one machine) a kernel then fails to start. Over IPC sockets in a private
folder nothing is shared. The test suite and `make notebooks` name this provisioner
("negotiation-lib-ipc", an entry point of this package) through the environment variable
JUPYTER_DEFAULT_PROVISIONER_NAME or a kernel spec's metadata (scripts/run_notebooks.py);
on a platform without Unix sockets it is the plain local provisioner.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

__all__ = ["NAME", "IPCProvisioner", "ipc_available", "kernel_socket_dir"]

NAME = "negotiation-lib-ipc"
_socket_dir: Path | None = None


def ipc_available() -> bool:
    return os.name == "posix"


def kernel_socket_dir() -> Path:
    """A private folder (made once per process, removed at exit) for kernels' IPC sockets.

    Short on purpose: a Unix socket path may not exceed about 100 characters."""
    global _socket_dir
    if _socket_dir is None:
        _socket_dir = Path(tempfile.mkdtemp(prefix="nbk-"))
        atexit.register(shutil.rmtree, _socket_dir, ignore_errors=True)
    return _socket_dir


class IPCProvisioner(LocalProvisioner):
    """LocalProvisioner that moves its kernel from TCP ports to sockets in kernel_socket_dir()."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        manager = self.parent
        if manager is not None and ipc_available() and manager.transport == "tcp":
            manager.transport = "ipc"
            # the sockets are named `<ip>-<port>`; jupyter_client's IPC default is relative to
            # each process's working directory
            manager.ip = str(kernel_socket_dir() / f"kernel-{uuid.uuid4().hex[:12]}")
        return await super().pre_launch(**kwargs)
