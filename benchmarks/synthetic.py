"""Synthetic negotiation datasets for the benchmarks: valid against the data contract, seeded,
cached under build/bench/data/n<N>/ so repeated runs do not pay for writing them again."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "build" / "bench" / "data"
TEMPLATE = REPO / "data" / "templates"

N_ACTORS = 24
N_ISSUES = 60
N_DAYS = 4 * 365
SEED = 20260225


def make_dataset(n_positions: int) -> Path:
    """Write a valid synthetic dataset (cached under build/bench/data/n<N>/)."""
    import numpy as np
    import pandas as pd

    folder = DATA_DIR / f"n{n_positions}"
    if (folder / "positions.csv").is_file() and (folder / ".complete").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    meta = json.loads((TEMPLATE / "datapackage.json").read_text(encoding="utf-8"))
    meta["name"] = f"synthetic-{n_positions}"
    meta["title"] = f"Synthetic benchmark data ({n_positions} positions)"
    (folder / "datapackage.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    actors = pd.DataFrame(
        {
            "actor_id": [f"A{i:02d}" for i in range(N_ACTORS)],
            "name": [f"Актор {i} “synthetic”" for i in range(N_ACTORS)],
            "role": ["party"] * N_ACTORS,
            "color": "",
        }
    )
    issues = pd.DataFrame(
        {
            "issue_id": [f"I{i:02d}" for i in range(N_ISSUES)],
            "label": [f"Issue {i}" for i in range(N_ISSUES)],
            "category": "security",
            "description": "",
            "low_label": "low end",
            "high_label": "high end",
            "order": range(N_ISSUES),
        }
    )
    anchors = pd.DataFrame(
        {"issue_id": np.repeat(issues["issue_id"], 2), "value": [0, 100] * N_ISSUES, "label": "x"}
    )
    n_events = 500
    day0 = np.datetime64("2022-01-01")
    events = pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(n_events)],
            "date": (day0 + np.sort(rng.integers(0, N_DAYS, n_events))).astype(str),
            "date_precision": "day",
            "name": "Round",
            "venue": "",
            "kind": "talks_round",
            "description": "",
        }
    )
    sources = pd.DataFrame(
        {
            "source_id": [f"S{i}" for i in range(200)],
            "title": "A source",
            "publisher": "",
            "url": "https://example.org/",
            "published": "",
            "source_type": "media",
            "language": "en",
        }
    )
    n = n_positions
    value = rng.integers(0, 101, n).astype(float)
    has_range = rng.random(n) < 0.3
    low = np.where(has_range, np.maximum(0, value - rng.integers(0, 15, n)), np.nan)
    high = np.where(has_range, np.minimum(100, value + rng.integers(0, 15, n)), np.nan)
    salience = np.where(rng.random(n) < 0.5, rng.integers(0, 11, n) / 10, np.nan)

    def fmt(x):
        return pd.Series(x).map(lambda v: "" if np.isnan(v) else f"{v:g}")

    positions = pd.DataFrame(
        {
            "position_id": [f"P{i}" for i in range(n)],
            "date": (day0 + rng.integers(0, N_DAYS, n)).astype(str),
            "event_id": np.where(
                rng.random(n) < 0.5,
                "",
                np.array([f"E{i}" for i in range(n_events)])[rng.integers(0, n_events, n)],
            ),
            "actor_id": actors["actor_id"].to_numpy()[rng.integers(0, N_ACTORS, n)],
            "issue_id": issues["issue_id"].to_numpy()[rng.integers(0, N_ISSUES, n)],
            "stance": "demand",
            "value": fmt(value),
            "value_low": fmt(low),
            "value_high": fmt(high),
            "salience": fmt(salience),
            "amount": "",
            "unit": "",
            "status": "reported",
            "summary": "Synthetic position — «текст» with <b>markup</b> & quotes",
            "quote": "“a verbatim excerpt”",
            "source_id": sources["source_id"].to_numpy()[rng.integers(0, 200, n)],
            "confidence": "medium",
        }
    )
    for name, frame in [
        ("actors", actors),
        ("issues", issues),
        ("scale_anchors", anchors),
        ("events", events),
        ("sources", sources),
        ("positions", positions),
    ]:
        frame.to_csv(folder / f"{name}.csv", index=False)
    (folder / ".complete").write_text("ok")
    return folder


def results_in_fresh_processes(script: str, sizes, *, timeout: float = 1800) -> list[dict] | None:
    """Run ``script --one N`` once per size in its own Python process (so one size's memory and
    caches do not touch the next) and return the JSON each prints last; ``None`` (after printing
    the error) when one fails. Each run is bounded by ``timeout`` seconds."""
    results = []
    for n in sizes:
        done = subprocess.run(
            [sys.executable, script, "--one", str(n)],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if done.returncode != 0:
            print(done.stderr)
            return None
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def results_per_size(script: str, run_size, default_sizes) -> list[dict] | None:
    """A size benchmark's command line: ``--sizes N ...`` (default ``default_sizes``) runs
    ``run_size(n)`` per size in a fresh process (:func:`results_in_fresh_processes`) and
    returns the results (``None`` when one failed); the hidden ``--one N`` is that process: it
    prints ``run_size(N)`` as JSON and exits."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=list(default_sizes))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one)))
        raise SystemExit(0)
    return results_in_fresh_processes(script, args.sizes)
