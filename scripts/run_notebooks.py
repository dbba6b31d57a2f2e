"""Re-execute notebooks in place and normalise them: the one way stored outputs are regenerated.

    python scripts/run_notebooks.py                   # notebooks/*.ipynb, then notebooks/solutions/
    python scripts/run_notebooks.py notebooks/02-x.ipynb
    python scripts/run_notebooks.py --check           # execute, write nothing, exit 1 if stale
    python scripts/run_notebooks.py --compare         # strict pytest --nbval, in parallel
    python scripts/run_notebooks.py --compare --with-tests  # and tests/, one run (make test)

Each notebook runs in a fresh kernel of this interpreter's environment (kernel name `python3`,
resolved to the running Python like `pytest --nbval-current-env`, so a stray user kernelspec
cannot change the results), with the notebook's folder as working directory, `PYTHONHASHSEED=0`
and Plotly's default renderer. The kernel talks over IPC (Unix sockets in a private folder) where
the platform has it, so no other process can take its ports between choosing and binding them.
Every wait is bounded: the kernel's start (KERNEL_STARTUP_TIMEOUT) and each cell (`--timeout`,
DEFAULT_CELL_TIMEOUT). A cell that raises or does not finish stops that notebook, leaves its file
untouched, is reported by notebook and cell number, and makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat
from ipykernel.kernelspec import get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets import default

sys.path.insert(0, str(Path(__file__).resolve().parent))
from normalise_notebook import normalise

from negotiation_lib import kernel_provisioner

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SOLUTIONS_DIR = NOTEBOOKS_DIR / "solutions"
KERNEL_NAME = "python3"
# Seconds. The slowest cell in notebooks/ takes a few seconds alone; the bound leaves room for
# a loaded 2-core machine and still ends a stuck cell in under a minute (docs/notebook-testing.md).
DEFAULT_CELL_TIMEOUT = 60
KERNEL_STARTUP_TIMEOUT = 60
KERNEL_START_ATTEMPTS = 2


class _CurrentEnvKernelSpecManager(KernelSpecManager):
    """Resolves `python3` to an ipykernel of the running interpreter, whatever is installed,
    started by the IPC provisioner (negotiation_lib.kernel_provisioner: no TCP ports)."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == KERNEL_NAME:
            spec = get_kernel_dict()
            spec["metadata"] = {
                **spec.get("metadata", {}),
                "kernel_provisioner": {"provisioner_name": kernel_provisioner.NAME},
            }
            return KernelSpec(resource_dir="", **spec)
        return super().get_kernel_spec(kernel_name)


class _CurrentEnvKernelManager(AsyncKernelManager):
    """A kernel of this environment that talks over IPC sockets where the platform has them."""

    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self) -> KernelSpecManager:
        return _CurrentEnvKernelSpecManager(data_dir=self.data_dir)


class NotebookFailed(Exception):
    """A notebook could not be executed; the message names the notebook and the cell."""


def kernel_environment(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a notebook kernel starts with: ours, fixed hash seed, default renderer."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    # A renderer chosen by the caller's shell would change what figures store (HTML with random
    # ids, or nothing at all) instead of the reproducible application/vnd.plotly.v1+json.
    env.pop("PLOTLY_RENDERER", None)
    # Kernels started by a process with this environment (nbval's, in `make test`) use IPC too.
    env["JUPYTER_DEFAULT_PROVISIONER_NAME"] = kernel_provisioner.NAME
    env.update(overrides or {})
    return env


def execute_notebook(
    nb: nbformat.NotebookNode,
    *,
    cwd: Path,
    name: str,
    timeout: int = DEFAULT_CELL_TIMEOUT,
    env: Mapping[str, str] | None = None,
    record_timing: bool = False,
) -> nbformat.NotebookNode:
    """Execute `nb` in place in a fresh kernel and return it (not normalised).

    `cwd` is the kernel's working directory, `name` is used in error messages, `timeout` is the
    limit per cell in seconds, `env` extra environment variables for the kernel, `record_timing`
    keeps nbclient's per-cell timestamps in `cell.metadata.execution` (benchmarks). Widget state
    is stored while executing (`store_widget_state=False` crashes nbclient 0.11 as soon as an
    Output widget captures output) and removed later by the normaliser.
    Raises NotebookFailed naming the notebook and the 0-based cell index when a cell errors.
    """
    current = {"index": None}

    def remember_cell(cell: nbformat.NotebookNode, cell_index: int) -> None:
        current["index"] = cell_index

    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            kernel_manager_class=_CurrentEnvKernelManager,
            timeout=timeout,
            startup_timeout=KERNEL_STARTUP_TIMEOUT,
            record_timing=record_timing,
            store_widget_state=True,
            allow_errors=False,
            resources={"metadata": {"path": str(cwd)}},
            on_cell_start=remember_cell,
        )
        try:
            client.execute(env=kernel_environment(env))
            break
        except CellTimeoutError as error:
            failure = f"did not finish within {timeout} s"
            raise _cell_failure(nb, current["index"], name, failure) from error
        except CellExecutionError as error:
            raise _cell_failure(nb, current["index"], name, _error_detail(error)) from error
        except RuntimeError as error:
            # "Kernel didn't respond in N seconds": seen here now and then on a loaded machine
            # (the kernel never answers its first message). No cell has run yet, so start over.
            if current["index"] is not None or "didn't respond" not in str(error):
                raise
            if attempt == KERNEL_START_ATTEMPTS:
                raise NotebookFailed(
                    f"{name}: the kernel did not start ({KERNEL_START_ATTEMPTS} attempts of "
                    f"{KERNEL_STARTUP_TIMEOUT}s)"
                ) from error
            print(f"{name}: kernel did not answer, starting another", file=sys.stderr)
    return nb


def _error_detail(error: CellExecutionError) -> str:
    if getattr(error, "ename", ""):
        return f"{error.ename}: {error.evalue}"
    return str(error).strip().splitlines()[-1] if str(error).strip() else "error"


def _cell_failure(nb, index: int | None, name: str, detail: str) -> NotebookFailed:
    first_line = ""
    if index is not None:
        source = nb.cells[index].source.strip().splitlines()
        first_line = f" ({source[0][:70]!r})" if source else ""
    return NotebookFailed(f"{name}: cell {index}{first_line} failed: {detail}")


def run_notebook(path: Path, *, check: bool, timeout: int) -> bool:
    """Execute and normalise the notebook at `path`; True when its stored text is (was) current.

    With `check`, nothing is written. Otherwise the file is rewritten when it changed.
    """
    original = path.read_text(encoding="utf-8")
    nb = nbformat.reads(original, as_version=4)
    execute_notebook(nb, cwd=path.parent, name=str(path), timeout=timeout)
    new_text = nbformat.writes(normalise(nb))
    new_text = new_text if new_text.endswith("\n") else new_text + "\n"
    if new_text == original:
        return True
    if not check:
        path.write_text(new_text, encoding="utf-8")
    return False


def nbval_args() -> list[str]:
    """The pytest arguments that compare notebooks with their stored outputs: strict nbval in
    this interpreter's environment, sanitising only tests/nbval_sanitize.cfg's patterns."""
    sanitize = REPO_ROOT / "tests" / "nbval_sanitize.cfg"
    return [
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(sanitize),
        f"--nbval-cell-timeout={DEFAULT_CELL_TIMEOUT}",
        f"--nbval-kernel-startup-timeout={KERNEL_STARTUP_TIMEOUT}",
        "-p",
        "no:randomly",
    ]


def parallel_args(workers: int | None = None) -> list[str]:
    """pytest-xdist arguments: `workers` processes (default: NL_TEST_WORKERS or one per CPU),
    each notebook's cells and each test module kept together on one worker and in order,
    the modules in conftest.SPLIT_MODULES split (`--dist loadscope`, see conftest.py)."""
    workers = workers or int(os.environ.get("NL_TEST_WORKERS") or os.cpu_count() or 1)
    if workers == 1:
        return []
    return ["-n", str(workers), "--dist", "loadscope", "--no-loadscope-reorder"]


def nbval_command(*arguments: str) -> list[str]:
    """A quiet, cache-free pytest command with :func:`nbval_args` in this interpreter, then
    ``arguments`` (notebooks, folders, more flags): what the tests and benchmarks run on a
    notebook they compare on their own."""
    command = [sys.executable, "-m", "pytest", *nbval_args()]
    return [*command, "-p", "no:cacheprovider", "-q", *arguments]


def compare_notebooks(paths: list[Path], *, with_tests: bool = False) -> int:
    """Run strict nbval over ``paths`` (as `make test` does) and return pytest's exit code.

    With `with_tests`, the same pytest run also runs tests/, so the slow parts of both share
    the workers."""
    command = [sys.executable, "-m", "pytest", *nbval_args(), *parallel_args(), *map(str, paths)]
    if with_tests:
        # tests/fixtures holds notebooks that tests run on purpose, some with changed outputs
        command += [str(REPO_ROOT / "tests"), f"--ignore={REPO_ROOT / 'tests' / 'fixtures'}"]
    # the kernels nbval starts inherit this environment (hash seed, renderer)
    return subprocess.call(command, cwd=REPO_ROOT, env=kernel_environment())


def default_notebooks() -> list[Path]:
    """The notebooks `make notebooks` and `make test` run: notebooks/*.ipynb, then the worked
    solutions in notebooks/solutions/ (each runs in its own folder), each group sorted."""
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(SOLUTIONS_DIR.glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="notebooks (default: notebooks/* and notebooks/solutions/*)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="execute but write nothing; exit 1 if a stored notebook differs from a fresh run",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="execute nothing here; compare the stored outputs with strict pytest --nbval",
    )
    parser.add_argument(
        "--with-tests",
        action="store_true",
        help="with --compare: run tests/ in the same pytest run (make test)",
    )
    parser.add_argument(
        "--timeout", type=int, default=DEFAULT_CELL_TIMEOUT, help="seconds allowed per cell"
    )
    args = parser.parse_args(argv)
    paths = sorted(args.paths) if args.paths else default_notebooks()
    if not paths:
        print(f"no notebooks found in {NOTEBOOKS_DIR}", file=sys.stderr)
        return 1
    if args.compare:
        return compare_notebooks(paths, with_tests=args.with_tests)
    failures: list[str] = []
    stale: list[Path] = []
    for path in paths:
        try:
            current = run_notebook(path, check=args.check, timeout=args.timeout)
        except NotebookFailed as error:
            failures.append(str(error))
            print(f"FAILED  {error}", file=sys.stderr)
            continue
        if args.check:
            print(f"{'ok' if current else 'STALE':7} {path}")
            if not current:
                stale.append(path)
        else:
            print(f"{'same' if current else 'updated':7} {path}")
    if stale:
        print(
            f"{len(stale)} notebook(s) differ from a fresh run: python scripts/run_notebooks.py "
            + " ".join(str(p) for p in stale),
            file=sys.stderr,
        )
    if failures:
        print(f"{len(failures)} notebook(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
    return 1 if failures or stale else 0


if __name__ == "__main__":
    sys.exit(main())
