"""How long one figure export (`nl.export_figure`, SVG and PDF) takes, cold and warm.

- cold: in a fresh process, the first export: Chromium starts (and kaleido is imported);
- warm: later exports in the same process, which reuse the Chromium kept open.

The figure is the bundled dataset's gap chart (`figures.plot_gap_over_time`), built before the
clock starts. Each cold run is its own Python process (`--one FORMAT`); warm times are the
median of `--warm` exports after it. Prints seconds and the warm/cold ratio, with the 1-minute
load average (the machine is shared); writes build/bench/export.json. Without a Chromium it
says so and exits 0. Usage: `python benchmarks/bench_export.py [--repeat 2] [--warm 5]`.
"""

from __future__ import annotations

import argparse
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
OUT = REPO / "build" / "bench" / "export.json"
DATASET = "ru-ua-2022-2026"  # the benchmark's input, not a library default


def one(fmt: str, warm: int) -> dict:
    """Cold then warm export times (s) of one format in this (fresh) process."""
    import negotiation_lib as nl

    neg = nl.load(DATASET)
    fig = nl.figures.plot_gap_over_time(neg, *nl.default_pair(neg))
    with tempfile.TemporaryDirectory() as folder:
        times = []
        for n in range(1 + warm):
            started = time.perf_counter()
            path = nl.export_figure(fig, Path(folder) / f"gap-{n}.{fmt}", neg)
            times.append(time.perf_counter() - started)
            size = path.stat().st_size
    nl.export.close_browser()
    return {"format": fmt, "cold_s": times[0], "warm_s": times[1:], "bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="fresh processes per format")
    parser.add_argument("--warm", type=int, default=5, help="warm exports per process")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.warm)))
        return 0

    from negotiation_lib import export

    try:
        chromium = export.find_chromium()
    except export.ChromiumNotFoundError as exc:
        print(f"skipped: {exc}")
        return 0
    rows = []
    for fmt in export.EXPORT_FORMATS:
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, __file__, "--one", fmt, "--warm", str(args.warm)],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        cold = statistics.median(r["cold_s"] for r in runs)
        warm = statistics.median(t for r in runs for t in r["warm_s"])
        rows.append(
            {
                "format": fmt,
                "cold_s": cold,
                "warm_s": warm,
                "warm_over_cold": warm / cold,
                "bytes": runs[-1]["bytes"],
                "runs": runs,
            }
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"Chromium: {chromium}; load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'format':8}{'cold s':>9}{'warm s':>9}{'warm/cold':>11}{'bytes':>9}")
    for row in rows:
        print(
            f"{row['format']:8}{row['cold_s']:9.2f}{row['warm_s']:9.2f}"
            f"{row['warm_over_cold']:11.2f}{row['bytes']:9d}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "load_1min": load,
                "chromium": str(chromium),
                "rows": rows,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
