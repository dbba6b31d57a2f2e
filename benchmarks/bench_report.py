"""How long `python -m negotiation_lib report` takes for the bundled dataset (the aim: <= 30 s
on 2 cores).

- The whole command in a fresh process (imports, validation, every section, the pages), wall
  time over `--repeat` runs (median, min, max).
- In one process: the time of each step (load, each section, writing the pages), to see where
  the time goes, and each step's share of the total.

The 1-minute load average and the CPU count are recorded next to the times (the machine is
shared; a number without its load says little). Usage:
`python benchmarks/bench_report.py [--repeat 3] [--dataset ID_OR_FOLDER]`.
Prints a table; writes build/bench/report.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "build" / "bench" / "report.json"
AIM_S = 30.0


def _command_seconds(dataset: str, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "negotiation_lib", "report", dataset, "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - started


def _steps(dataset: str, out: Path) -> dict[str, float]:
    import negotiation_lib as nl
    from negotiation_lib import report

    steps = {}
    started = time.perf_counter()
    analysis = report.prepare(nl.load(dataset))
    steps["load and prepare"] = time.perf_counter() - started
    sections = []
    for make, _ in report.SECTIONS:
        started = time.perf_counter()
        sections.append(make(analysis))
        steps[f"section {make.__name__}"] = time.perf_counter() - started
    started = time.perf_counter()
    report.copy_plotly_js(out)
    for section in sections:
        header = report.header_html(
            dataset_id=analysis.neg.id, version=analysis.neg.version, build_date="bench"
        )
        page = report.page_html(section, header=header, title=section.title)
        (out / f"{section.slug}.html").write_text(page, encoding="utf-8")
    steps["write pages (figure JSON)"] = time.perf_counter() - started
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dataset", default="ru-ua-2022-2026")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        walls = [_command_seconds(args.dataset, Path(tmp) / f"run{i}") for i in range(args.repeat)]
        steps = _steps(args.dataset, Path(tmp))
    load_after = os.getloadavg()[0]
    total = sum(steps.values())
    result = {
        "dataset": args.dataset,
        "command_s": {
            "median": statistics.median(walls),
            "min": min(walls),
            "max": max(walls),
            "runs": walls,
        },
        "aim_s": AIM_S,
        "median_over_aim": statistics.median(walls) / AIM_S,
        "steps_s": steps,
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_1min_before": load_before,
            "loadavg_1min_after": load_after,
            "python": platform.python_version(),
        },
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(
        f"report of {args.dataset}: median {result['command_s']['median']:.1f} s "
        f"(min {min(walls):.1f}, max {max(walls):.1f}; {args.repeat} runs) = "
        f"{result['median_over_aim']:.2f} x the {AIM_S:.0f} s aim"
    )
    print(
        f"  on {os.cpu_count()} CPUs, 1-min load average {load_before:.1f} before, "
        f"{load_after:.1f} after"
    )
    for step, seconds in steps.items():
        print(f"  {step:40s} {seconds:6.2f} s  {seconds / total:5.1%}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
