"""``compute_gaps`` (intervals and position ids included) against the plain pandas baseline a
researcher would write (pivot + forward fill of the values only), at 10^6 and 10^7 positions.

The positions are built in memory with the distribution of ``synthetic.py`` (24 actors, 60
issues, 4 years, 30 % with a range), on the tables of the 10^4 synthetic dataset, so 10^7 rows
need no 2 GB CSV. Each size runs in its own process. Printed per size: the first call (which
also codes the frame's ids once), the best of later calls, the baseline, and their ratios.
Writes ``build/bench/gaps_scale.json``. Target: best call <= 0.8 x the baseline.

Usage: ``python benchmarks/bench_gaps_scale.py [--sizes 1000000 10000000]``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

from bench_core import baseline_gaps
from synthetic import N_ACTORS, N_DAYS, N_ISSUES, SEED, make_dataset, results_per_size

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "build" / "bench" / "gaps_scale.json"
TARGET = 0.8


def in_memory(n: int):
    """A valid Negotiation with ``n`` synthetic positions (built without writing a CSV)."""
    import numpy as np
    import pandas as pd

    import negotiation_lib as nl

    base = nl.load(make_dataset(10_000))
    rng = np.random.default_rng(SEED)
    value = rng.integers(0, 101, n).astype(float)
    has_range = rng.random(n) < 0.3
    template = base.positions
    columns = {
        "position_id": np.array([f"P{i}" for i in range(n)], dtype=object),
        "date": np.datetime64("2022-01-01", "us") + rng.integers(0, N_DAYS, n).astype("m8[D]"),
        "actor_id": np.array([f"A{i:02d}" for i in range(N_ACTORS)], dtype=object)[
            rng.integers(0, N_ACTORS, n)
        ],
        "issue_id": np.array([f"I{i:02d}" for i in range(N_ISSUES)], dtype=object)[
            rng.integers(0, N_ISSUES, n)
        ],
        "value": value,
        "value_low": np.where(has_range, np.maximum(0, value - rng.integers(0, 15, n)), np.nan),
        "value_high": np.where(has_range, np.minimum(100, value + rng.integers(0, 15, n)), np.nan),
        "salience": np.where(rng.random(n) < 0.5, rng.integers(0, 11, n) / 10, np.nan),
    }
    repeated = template.iloc[np.zeros(n, dtype=np.intp)].reset_index(drop=True)
    for name, values in columns.items():
        repeated[name] = pd.Series(values).astype(template[name].dtype)
    return dataclasses.replace(base, positions=repeated)


def run_size(n: int) -> dict:
    import negotiation_lib as nl

    neg = in_memory(n)
    a, b = "A00", "A01"
    start = time.perf_counter()
    rows = len(nl.compute_gaps(neg, a, b))
    first = time.perf_counter() - start
    repeat = 5 if n <= 1_000_000 else 3
    best, base = math.inf, math.inf
    for _ in range(repeat):  # interleaved: the machine may be busy with other work
        start = time.perf_counter()
        nl.compute_gaps(neg, a, b)
        best = min(best, time.perf_counter() - start)
        start = time.perf_counter()
        baseline_gaps(neg, a, b)
        base = min(base, time.perf_counter() - start)
    return {
        "n_positions": n,
        "rows_out": rows,
        "compute_gaps_first_s": first,
        "compute_gaps_s": best,
        "baseline_pivot_ffill_s": base,
        "first_vs_baseline": first / base,
        "gaps_vs_baseline": best / base,
    }


def main() -> int:
    results = results_per_size(__file__, run_size, [1_000_000, 10_000_000])
    if results is None:
        return 1
    print(
        f"{'n':>9} {'first s':>8} {'gaps s':>8} {'baseline s':>10} "
        f"{'first/base':>10} {'gaps/base':>9}   (target gaps/base <= {TARGET})"
    )
    for r in results:
        print(
            f"{r['n_positions']:>9} {r['compute_gaps_first_s']:>8.3f} {r['compute_gaps_s']:>8.3f} "
            f"{r['baseline_pivot_ffill_s']:>10.3f} {r['first_vs_baseline']:>10.2f} "
            f"{r['gaps_vs_baseline']:>9.2f}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"target": TARGET, "results": results}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
