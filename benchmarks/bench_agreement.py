"""Speed of Krippendorff's alpha and the agreement report as the number of units grows.

Synthetic codings: 3 coders, values 0-100 in steps of 5 (21 distinct values, like a coding
session), 10% missing. Times (best of a few runs) of ``nl.krippendorff_alpha`` at the interval
and ordinal levels, of the ``krippendorff`` package (a dev dependency, for reference) on the same
data, and of ``nl.agreement_report`` with 1000 bootstrap replicates. Prints the scaling from one
size to the next (as a time ratio next to the size ratio) and the ratio to the package. Writes
``build/bench/agreement.json``.

Usage: ``python benchmarks/bench_agreement.py [--sizes 100 1000 10000 100000]``.
Target: alpha grows no worse than linearly in units; the report with 1000 replicates takes
well under a second for a workshop-sized set (100 units).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

import negotiation_lib as nl

OUT = Path(__file__).resolve().parents[1] / "build" / "bench" / "agreement.json"


def best_of(fn, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def codings(units: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 21, size=units) * 5
    noise = rng.integers(-2, 3, size=(units, 3)) * 5
    values = np.clip(truth[:, None] + noise, 0, 100).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    return pd.DataFrame(values, columns=["a", "b", "c"])


def run(units: int) -> dict:
    import krippendorff

    wide = codings(units)
    long = wide.rename_axis("unit").reset_index().melt("unit", var_name="coder").dropna()
    repeat = 5 if units <= 10_000 else 2
    row = {"units": units}
    for level in ("interval", "ordinal"):
        row[f"alpha_{level}_s"] = best_of(
            lambda lv=level: nl.krippendorff_alpha(wide, level=lv), repeat
        )
        row[f"package_{level}_s"] = best_of(
            lambda lv=level: krippendorff.alpha(
                reliability_data=wide.T.to_numpy(), level_of_measurement=lv
            ),
            repeat,
        )
    if units <= 10_000:
        row["report_1000_boot_s"] = best_of(
            lambda: nl.agreement_report(long, by=None, n_boot=1000), 2
        )
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1_000, 10_000, 100_000])
    args = parser.parse_args()
    results = [run(n) for n in args.sizes]
    print(
        f"{'units':>7} {'alpha int s':>11} {'pkg int s':>9} {'ratio':>6} "
        f"{'alpha ord s':>11} {'pkg ord s':>9} {'ratio':>6} {'report s':>9}"
    )
    for r in results:
        report = r.get("report_1000_boot_s")
        print(
            f"{r['units']:>7} {r['alpha_interval_s']:>11.4f} {r['package_interval_s']:>9.4f} "
            f"{r['alpha_interval_s'] / r['package_interval_s']:>6.2f} "
            f"{r['alpha_ordinal_s']:>11.4f} {r['package_ordinal_s']:>9.4f} "
            f"{r['alpha_ordinal_s'] / r['package_ordinal_s']:>6.2f} "
            + (f"{report:>9.3f}" if report is not None else f"{'-':>9}")
        )
    scaling = []
    print("\nscaling (time ratio from one size to the next)")
    for r1, r2 in itertools.pairwise(results):
        row = {
            "from": r1["units"],
            "to": r2["units"],
            "size_ratio": r2["units"] / r1["units"],
            "alpha_interval_ratio": r2["alpha_interval_s"] / r1["alpha_interval_s"],
            "alpha_ordinal_ratio": r2["alpha_ordinal_s"] / r1["alpha_ordinal_s"],
        }
        scaling.append(row)
        print(
            f"  {r1['units']:>6} -> {r2['units']:>6}: size x{row['size_ratio']:.0f}; "
            f"interval x{row['alpha_interval_ratio']:.1f}, "
            f"ordinal x{row['alpha_ordinal_ratio']:.1f}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"results": results, "scaling": scaling}, indent=2))
    print(f"\nwrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
