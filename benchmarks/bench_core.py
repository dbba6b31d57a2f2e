"""Speed and memory of the library core on synthetic datasets of 10^4, 10^5, 10^6 positions.

Times (best of a few runs): load + validate from CSV, ``positions_asof``, ``compute_gaps`` for one
pair across all issues, ``compute_overall_gap``, and a plain-pandas baseline a researcher would
write for the same gaps (pivot + forward fill). Prints rows per second, the scaling from one size
to the next (as a time ratio next to the n log n ratio), the ratio to the baseline, peak memory,
and the cost of ``import negotiation_lib`` relative to ``import pandas``. Writes
``build/bench/core.json``. Each size runs in its own process so peak memory is per size.

Usage: ``python benchmarks/bench_core.py [--sizes 10000 100000 1000000]``.
Targets (2-core machine): 10^6 rows load+validate < 5 s; compute_gaps < 1 s and not slower than
the baseline; growth no worse than n log n; import cost <= 1.3 x import pandas.
"""

from __future__ import annotations

import itertools
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

from synthetic import make_dataset, results_per_size

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "build" / "bench"


def best_of(fn, repeat: int) -> tuple[float, object]:
    """The shortest of ``repeat`` timed calls of ``fn`` (seconds) and the last call's result."""
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def baseline_gaps(neg, a: str, b: str):
    """What a researcher would write: pivot the two actors' values by date, forward fill."""
    p = neg.positions[neg.positions["actor_id"].isin([a, b])]
    wide = p.pivot_table(
        index="date", columns=["actor_id", "issue_id"], values="value", aggfunc="mean"
    )
    wide = wide.sort_index().ffill()
    gap = (wide[a] - wide[b]).abs()
    return gap.stack().rename("gap").reset_index()


def run_size(n: int) -> dict:
    import tracemalloc

    import negotiation_lib as nl

    folder = make_dataset(n)
    repeat = 3 if n <= 100_000 else 2
    result: dict = {"n_positions": n}
    t, neg = best_of(lambda: nl.load(folder), repeat)
    result["load_validate_s"] = t
    a, b = "A00", "A01"
    mid = (
        neg.positions["date"].min()
        + (neg.positions["date"].max() - neg.positions["date"].min()) / 2
    )
    ops = {
        "positions_asof_s": lambda: nl.positions_asof(neg, mid),
        "compute_gaps_s": lambda: nl.compute_gaps(neg, a, b),
        "compute_overall_gap_s": lambda: nl.compute_overall_gap(neg, a, b),
        "baseline_pivot_ffill_s": lambda: baseline_gaps(neg, a, b),
        "compute_movement_s": lambda: nl.compute_movement(neg, a),
    }
    for key, fn in ops.items():
        result[key], out = best_of(fn, repeat + 6)
        result[key.replace("_s", "_rows_out")] = len(out)
    result["gaps_vs_baseline"] = result["compute_gaps_s"] / result["baseline_pivot_ffill_s"]
    # peak memory of each step (Python + numpy allocations), measured apart from the timings
    del neg
    tracemalloc.start()
    neg = nl.load(folder)
    result["load_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    for key, fn in ops.items():
        tracemalloc.reset_peak()
        fn()
        result[key.replace("_s", "_peak_mb")] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def import_cost(repeat: int = 9) -> dict:
    def once(module: str) -> float:
        code = (
            f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip())

    # interleaved, best of each: the machine may be busy with other work
    runs = [(once("pandas"), once("negotiation_lib")) for _ in range(repeat)]
    pandas_s = min(r[0] for r in runs)
    lib_s = min(r[1] for r in runs)
    return {
        "import_pandas_s": pandas_s,
        "import_negotiation_lib_s": lib_s,
        "ratio": lib_s / pandas_s,
    }


def main() -> int:
    results = results_per_size(__file__, run_size, [10_000, 100_000, 1_000_000])
    if results is None:
        return 1
    imp = import_cost()

    print(
        f"{'n':>9} {'load+val s':>10} {'rows/s':>10} {'asof s':>8} {'gaps s':>8} "
        f"{'overall s':>9} {'baseline s':>10} {'gaps/base':>9} {'move s':>7} {'peak MB':>8} "
        f"{'RSS MB':>7}"
    )
    for r in results:
        peak = max(v for k, v in r.items() if k.endswith("_peak_mb"))
        print(
            f"{r['n_positions']:>9} {r['load_validate_s']:>10.3f} "
            f"{r['n_positions'] / r['load_validate_s']:>10.0f} {r['positions_asof_s']:>8.3f} "
            f"{r['compute_gaps_s']:>8.3f} {r['compute_overall_gap_s']:>9.3f} "
            f"{r['baseline_pivot_ffill_s']:>10.3f} {r['gaps_vs_baseline']:>9.2f} "
            f"{r['compute_movement_s']:>7.3f} "
            f"{peak:>8.0f} {r['max_rss_mb']:>7.0f}"
        )
    scaling = []
    keys = [
        "load_validate_s",
        "positions_asof_s",
        "compute_gaps_s",
        "compute_overall_gap_s",
        "compute_movement_s",
    ]
    print("\nscaling (time ratio from one size to the next; n log n ratio for reference)")
    for r1, r2 in itertools.pairwise(results):
        n1, n2 = r1["n_positions"], r2["n_positions"]
        nlogn = (n2 * math.log(n2)) / (n1 * math.log(n1))
        row = {"from": n1, "to": n2, "n_log_n_ratio": nlogn}
        row.update({k.replace("_s", "_ratio"): r2[k] / r1[k] for k in keys})
        scaling.append(row)
        print(
            f"  {n1:>8} -> {n2:>8}: n log n x{nlogn:.1f}; "
            + ", ".join(f"{k[:-2]} x{r2[k] / r1[k]:.1f}" for k in keys)
        )
    print(
        f"\nimport: pandas {imp['import_pandas_s']:.3f} s, negotiation_lib "
        f"{imp['import_negotiation_lib_s']:.3f} s, ratio {imp['ratio']:.2f} (target <= 1.3)"
    )
    big = results[-1]
    targets = {
        "load_validate_under_5s_at_largest": big["load_validate_s"] < 5,
        "compute_gaps_under_1s_at_largest": big["compute_gaps_s"] < 1,
        "compute_gaps_not_slower_than_baseline": all(r["gaps_vs_baseline"] <= 1 for r in results),
        "growth_no_worse_than_n_log_n": all(
            s[k] <= s["n_log_n_ratio"] * 1.1
            for s in scaling
            for k in ("load_validate_ratio", "compute_gaps_ratio", "compute_overall_gap_ratio")
        ),
        "import_ratio_at_most_1_3": imp["ratio"] <= 1.3,
    }
    print("targets: " + ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in targets.items()))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    payload = {"sizes": results, "scaling": scaling, "import": imp, "targets": targets}
    (OUT_DIR / "core.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"written {OUT_DIR / 'core.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
