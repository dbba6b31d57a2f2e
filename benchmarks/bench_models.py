"""Speed of the bargaining models on synthetic data: ``forecast``, ``backtest``,
``backtest_summary`` and ``forecast_sensitivity`` at 10^4 and 10^5 positions.

The synthetic datasets (benchmarks/synthetic.py: 24 party actors, 60 issues, four years) have
no agreed texts, so a joint actor is added in memory with agreed outcomes on 10 issues at each
of ``k`` dates spread over the record (k = 10, 30, 100). Times are the best of a few runs and
are printed next to ``positions_asof`` at the same size (the cost of reading positions at one
date, which every forecast pays), as ratios: ``forecast / positions_asof`` and, for the
backtest, the time per outcome date against one ``forecast``. Writes ``build/bench/models.json``.

Usage: ``python benchmarks/bench_models.py [--sizes 10000 100000]``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from bench_core import best_of
from synthetic import make_dataset, results_per_size

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "build" / "bench"
OUTCOME_DATES = (10, 30, 100)
ISSUES_PER_OUTCOME_DATE = 10
SEED = 16


def with_agreed_outcomes(neg, n_dates: int):
    """``neg`` plus a joint actor whose agreed outcomes cover 10 issues at ``n_dates`` dates."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(SEED + n_dates)
    actors = neg.actors
    joint = actors.iloc[[0]].assign(actor_id="JOINT", name="Agreed text")
    joint["role"] = pd.Categorical(["joint"], categories=actors["role"].cat.categories)
    first, last = neg.positions["date"].min(), neg.positions["date"].max()
    dates = pd.date_range(first + pd.Timedelta(days=30), last, periods=n_dates).normalize()
    issues = neg.issues["issue_id"].to_numpy()
    n = n_dates * ISSUES_PER_OUTCOME_DATE
    rows = neg.positions.iloc[rng.integers(0, len(neg.positions), n)].copy()
    rows["position_id"] = [f"AGREED{i}" for i in range(n)]
    rows["actor_id"] = "JOINT"
    rows["date"] = np.repeat(dates.to_numpy(), ISSUES_PER_OUTCOME_DATE).astype("datetime64[us]")
    rows["issue_id"] = np.concatenate(
        [rng.choice(issues, ISSUES_PER_OUTCOME_DATE, replace=False) for _ in range(n_dates)]
    )
    rows["stance"] = pd.Categorical(
        ["agreement"] * n, categories=neg.positions["stance"].cat.categories
    )
    rows["value"] = rng.integers(0, 101, n).astype("float64")
    positions = pd.concat([neg.positions, rows], ignore_index=True)
    return dataclasses.replace(
        neg, actors=pd.concat([actors, joint], ignore_index=True), positions=positions
    )


def run_size(n: int) -> dict:
    import negotiation_lib as nl

    neg = nl.load(make_dataset(n))
    repeat = 5 if n <= 10_000 else 3
    p = neg.positions["date"]
    mid = p.min() + (p.max() - p.min()) / 2
    result: dict = {"n_positions": n}
    result["positions_asof_s"], _ = best_of(lambda: nl.positions_asof(neg, mid), repeat + 2)
    result["forecast_s"], f = best_of(lambda: nl.forecast(neg, mid), repeat + 2)
    result["forecast_rows"] = len(f)
    result["forecast_vs_asof"] = result["forecast_s"] / result["positions_asof_s"]
    result["sensitivity_100_draws_s"], _ = best_of(
        lambda: nl.forecast_sensitivity(
            neg, mid, capability={"A00": (0.5, 2), "A01": (0.5, 2)}, n_draws=100, seed=0
        ),
        2,
    )
    for k in OUTCOME_DATES:
        scored = with_agreed_outcomes(neg, k)
        t, bt = best_of(lambda scored=scored: nl.backtest(scored), 2)
        result[f"backtest_{k}_dates_s"] = t
        result[f"backtest_{k}_dates_rows"] = len(bt)
        result[f"backtest_{k}_per_date_vs_forecast"] = t / k / result["forecast_s"]
        ts, _ = best_of(lambda bt=bt: nl.backtest_summary(bt), 3)
        result[f"backtest_summary_{k}_dates_s"] = ts
    return result


def main() -> int:
    results = results_per_size(__file__, run_size, [10_000, 100_000])
    if results is None:
        return 1
    print(
        f"{'n':>8} {'asof s':>8} {'forecast s':>10} {'fc/asof':>8} {'sens100 s':>9} "
        + " ".join(f"{'bt ' + str(k) + 'd s':>9}" for k in OUTCOME_DATES)
        + " "
        + " ".join(f"{'/date/fc ' + str(k):>11}" for k in OUTCOME_DATES)
        + f" {'summary s':>9}"
    )
    for r in results:
        print(
            f"{r['n_positions']:>8} {r['positions_asof_s']:>8.3f} {r['forecast_s']:>10.3f} "
            f"{r['forecast_vs_asof']:>8.2f} {r['sensitivity_100_draws_s']:>9.3f} "
            + " ".join(f"{r[f'backtest_{k}_dates_s']:>9.3f}" for k in OUTCOME_DATES)
            + " "
            + " ".join(f"{r[f'backtest_{k}_per_date_vs_forecast']:>11.2f}" for k in OUTCOME_DATES)
            + f" {r[f'backtest_summary_{OUTCOME_DATES[-1]}_dates_s']:>9.3f}"
        )
    print(
        "\nfc/asof: forecast time over positions_asof at the same date (the models' own cost);"
        "\n/date/fc k: backtest time per outcome date over one forecast (backtest calls"
        " positions_asof once per outcome date, on the outcomes' issues only)."
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "models.json").write_text(json.dumps({"sizes": results}, indent=2), "utf-8")
    print(f"written {OUT_DIR / 'models.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
