"""How long the notebooks take: start-up, each notebook, and the whole nbval regression run.

- Start-up: a fresh kernel (this environment, as `make notebooks` and nbval use) runs
  `import pandas`, `import negotiation_lib as nl` and `nl.load("ru-ua-2022-2026")`, one cell each.
  Reported per step (nbclient's per-cell timestamps) and as ratios: library import / pandas
  import, load / library import, and the whole start-up / an empty notebook (kernel start alone).
- Each notebook `make notebooks` runs (notebooks/, then notebooks/solutions/), executed as it
  does (nothing is written): wall time, ratio to an empty notebook, and its slowest cell.
- The whole `pytest --nbval` run over the same notebooks (the command `make test` uses): wall time
  and its ratio to the sum of plain executions (nbval's own overhead on top of running the cells).

Usage: `python benchmarks/bench_notebooks.py [--repeat 3] [--skip-nbval] [notebooks ...]`.
Prints tables; writes build/bench/notebooks.json. Times depend on the machine; compare ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "build" / "bench" / "notebooks.json"
sys.path.insert(0, str(REPO / "scripts"))
from run_notebooks import (  # noqa: E402
    NotebookFailed,
    default_notebooks,
    execute_notebook,
    kernel_environment,
    nbval_command,
)

DATASET_ID = "ru-ua-2022-2026"
STARTUP_CELLS = {
    "import pandas": "import pandas",
    "import negotiation_lib": "import negotiation_lib as nl",
    "nl.load": f'neg = nl.load("{DATASET_ID}")',
}


def _cell_seconds(cell) -> float:
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return float("nan")
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def _run(nb, *, cwd: Path, name: str) -> tuple[float, nbformat.NotebookNode]:
    started = time.perf_counter()
    execute_notebook(nb, cwd=cwd, name=name, record_timing=True)
    return time.perf_counter() - started, nb


def bench_startup(repeat: int) -> dict:
    empty_walls, steps = [], {label: [] for label in STARTUP_CELLS}
    startup_walls = []
    for _ in range(repeat):
        empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        empty_walls.append(_run(empty, cwd=REPO / "notebooks", name="empty")[0])
        cells = [nbformat.v4.new_code_cell(source) for source in STARTUP_CELLS.values()]
        wall, nb = _run(
            nbformat.v4.new_notebook(cells=cells), cwd=REPO / "notebooks", name="startup"
        )
        startup_walls.append(wall)
        for label, cell in zip(STARTUP_CELLS, nb.cells, strict=True):
            steps[label].append(_cell_seconds(cell))
    result = {
        "empty_notebook_s": statistics.median(empty_walls),
        "startup_notebook_s": statistics.median(startup_walls),
        "steps_s": {label: statistics.median(values) for label, values in steps.items()},
    }
    step = result["steps_s"]
    result["ratios"] = {
        "import negotiation_lib / import pandas": step["import negotiation_lib"]
        / step["import pandas"],
        "nl.load / import negotiation_lib": step["nl.load"] / step["import negotiation_lib"],
        "start-up notebook / empty notebook": result["startup_notebook_s"]
        / result["empty_notebook_s"],
    }
    return result


def bench_notebooks(paths: list[Path], empty_s: float) -> list[dict]:
    rows = []
    for path in paths:
        try:
            wall, nb = _run(nbformat.read(path, as_version=4), cwd=path.parent, name=path.name)
        except NotebookFailed as error:
            rows.append({"notebook": path.name, "error": str(error)})
            continue
        code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        slowest_index, slowest = max(code, key=lambda item: _cell_seconds(item[1]))
        rows.append(
            {
                "notebook": path.name,
                "code_cells": len(code),
                "wall_s": wall,
                "ratio_to_empty_notebook": wall / empty_s,
                "slowest_cell": slowest_index,
                "slowest_cell_s": _cell_seconds(slowest),
            }
        )
    return rows


def bench_nbval(paths: list[Path]) -> dict:
    command = nbval_command(*map(str, paths))
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=REPO, env=kernel_environment(), capture_output=True, text=True, timeout=3600
    )
    wall = time.perf_counter() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    counts = {
        word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|error|skipped)", summary)
    }
    return {"wall_s": wall, "exit_code": result.returncode, "summary": summary, "counts": counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="start-up repetitions (median)")
    parser.add_argument("--skip-nbval", action="store_true")
    args = parser.parse_args(argv)
    paths = sorted(args.paths) if args.paths else default_notebooks()  # as make notebooks

    startup = bench_startup(args.repeat)
    print(f"Start-up in a fresh kernel (median of {args.repeat}):")
    print(f"  {'empty notebook (kernel start)':40} {startup['empty_notebook_s']:8.2f} s")
    for label, seconds in startup["steps_s"].items():
        print(f"  {label:40} {seconds:8.3f} s")
    for label, ratio in startup["ratios"].items():
        print(f"  {label:40} {ratio:8.2f} x")

    rows = bench_notebooks(paths, startup["empty_notebook_s"]) if paths else []
    if rows:
        print("\nNotebooks (one execution each, as `make notebooks`):")
        print(f"  {'notebook':34} {'cells':>5} {'wall s':>8} {'x empty':>8} {'slowest':>12}")
        for row in rows:
            if "error" in row:
                print(f"  {row['notebook']:34} FAILED: {row['error']}")
                continue
            slowest = f"#{row['slowest_cell']} {row['slowest_cell_s']:.2f}s"
            print(
                f"  {row['notebook']:34} {row['code_cells']:5d} {row['wall_s']:8.2f} "
                f"{row['ratio_to_empty_notebook']:8.1f} {slowest:>12}"
            )
    total = sum(row.get("wall_s", 0.0) for row in rows)

    nbval = None
    if rows and not args.skip_nbval:
        nbval = bench_nbval(paths)
        nbval["ratio_to_plain_execution"] = nbval["wall_s"] / total if total else None
        print(
            f"\npytest --nbval over {len(paths)} notebooks: {nbval['wall_s']:.1f} s "
            f"({nbval['summary']}); x{nbval['ratio_to_plain_execution']:.2f} of plain "
            f"execution ({total:.1f} s)"
        )

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "benchmark": "notebooks",
                "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "machine": platform.machine(),
                "startup": startup,
                "notebooks": rows,
                "notebooks_total_s": total,
                "nbval": nbval,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
