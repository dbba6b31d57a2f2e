"""How long from a control change to the new figure ready in the kernel, per explorer.

For each explorer (gap, position, evidence) on the bundled dataset and on synthetic datasets
of 10^3, 10^4 and 10^5 positions: build it, then make random control changes (seeded) and time
each one from setting ``control.value`` to the explorer having drawn the new view (figure built
and serialised into its Output widget, table HTML written). Prints median, p95 and max in ms
and the p95 relative to the bundled dataset's; writes build/bench/widgets.json.

The gap explorer caches per actor pair; a change to a pair not seen yet computes the pair's
timeline and hover labels, and a new issue selection or weighting its overall gap (a "miss",
reported apart).

    python benchmarks/bench_widgets.py [--changes 200] [--sizes 1000 10000 100000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import ipywidgets
import numpy as np
from synthetic import make_dataset

import negotiation_lib as nl
from negotiation_lib import widgets

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench" / "widgets.json"
TARGET_P95_MS = 100.0


# --- random control changes -----------------------------------------------------------------


def random_change(explorer, rng: random.Random):
    """A (control name, new value) different from the current value, chosen at random."""
    name = rng.choice(sorted(explorer.controls))
    control = explorer.controls[name]
    if name == "dates":
        n = len(control.options)
        a = rng.randrange(n)
        b = rng.randrange(a, n)
        return name, (control.options[a][1], control.options[b][1])
    if name == "text":
        return name, rng.choice(["", "a", "ce", "cease", "talks", "border", "ist", "zzz"])
    if isinstance(control, ipywidgets.Checkbox):
        return name, not control.value
    values = [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, ipywidgets.SelectMultiple):  # 0-3 options (none = all)
        return name, tuple(rng.sample(values, rng.randint(0, min(3, len(values)))))
    return name, rng.choice(values)


def time_changes(explorer, n_changes: int, seed: int) -> dict:
    rng = random.Random(seed)
    timings, misses, failures = [], [], 0
    for _ in range(n_changes):
        name, value = random_change(explorer, rng)
        cache = getattr(explorer, "cache", None)
        seen = None if cache is None else (len(cache._gaps), len(cache._overall))
        t0 = time.perf_counter()
        explorer.controls[name].value = value
        elapsed = (time.perf_counter() - t0) * 1000
        timings.append(elapsed)
        if cache is not None:
            misses.append((len(cache._gaps), len(cache._overall)) != seen)
        failures += explorer.error is not None
    result = summarise(timings)
    result["failures"] = failures
    if misses:
        hits = [t for t, m in zip(timings, misses, strict=True) if not m]
        missed = [t for t, m in zip(timings, misses, strict=True) if m]
        result["cache_hits"] = summarise(hits)
        result["cache_misses"] = summarise(missed)
    return result


def summarise(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(values),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(float(np.percentile(ordered, 95)), 2),
        "max_ms": round(ordered[-1], 2),
    }


BUILDERS = {
    "gap": widgets.gap_explorer,
    "position": widgets.position_explorer,
    "evidence": widgets.evidence_explorer,
}


def bench_dataset(label: str, neg, n_changes: int, seed: int) -> dict:
    out = {"dataset": label, "positions": len(neg.positions), "explorers": {}}
    for kind, build in BUILDERS.items():
        t0 = time.perf_counter()
        explorer = build(neg)
        build_ms = (time.perf_counter() - t0) * 1000
        result = time_changes(explorer, n_changes, seed)
        result["build_ms"] = round(build_ms, 1)
        out["explorers"][kind] = result
        print(
            f"{label:>20} {kind:>9} {len(neg.positions):>8} {build_ms:>9.0f}"
            f" {result['median_ms']:>9.1f} {result['p95_ms']:>9.1f} {result['max_ms']:>9.1f}"
            + (
                f"   hits p95 {result['cache_hits'].get('p95_ms', float('nan')):.1f}"
                f" / misses p95 {result['cache_misses'].get('p95_ms', float('nan')):.1f}"
                f" ({result['cache_misses']['n']} misses)"
                if "cache_hits" in result
                else ""
            ),
            flush=True,
        )
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    print(
        f"{'dataset':>20} {'explorer':>9} {'rows':>8} {'build ms':>9} {'median':>9}"
        f" {'p95':>9} {'max':>9}   (ms per control change; {args.changes} random changes)"
    )
    runs = [bench_dataset("ru-ua-2022-2026", nl.load("ru-ua-2022-2026"), args.changes, args.seed)]
    for size in args.sizes:
        folder = make_dataset(size)
        t0 = time.perf_counter()
        neg = nl.load(folder)
        load_ms = (time.perf_counter() - t0) * 1000
        run = bench_dataset(f"synthetic-{size}", neg, args.changes, args.seed)
        run["load_ms"] = round(load_ms, 1)
        runs.append(run)

    bundled = runs[0]["explorers"]
    print("\np95 relative to the bundled dataset (scaling):")
    print(f"{'dataset':>20} " + " ".join(f"{k:>9}" for k in BUILDERS))
    for run in runs:
        ratios = [run["explorers"][k]["p95_ms"] / bundled[k]["p95_ms"] for k in BUILDERS]
        print(f"{run['dataset']:>20} " + " ".join(f"{r:>8.1f}x" for r in ratios))
    worst = max(bundled[k]["p95_ms"] for k in BUILDERS)
    verdict = "meets" if worst < TARGET_P95_MS else "MISSES"
    print(
        f"\nbundled dataset: worst p95 {worst:.1f} ms {verdict} the {TARGET_P95_MS:.0f} ms target"
    )
    failures = sum(e["failures"] for run in runs for e in run["explorers"].values())

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "benchmark": "widgets: control change -> new figure ready (ms)",
                "changes_per_explorer": args.changes,
                "seed": args.seed,
                "target_p95_ms_bundled": TARGET_P95_MS,
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "runs": runs,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
