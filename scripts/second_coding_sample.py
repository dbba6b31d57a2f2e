"""Draw the sample for the blind second coding of a dataset and write the coder's sheet.

The rule, so anyone can repeat it: positions of non-joint actors that have a quote are grouped
by issue; from each issue `--per-issue` positions are drawn at random with a fixed seed (all of
them when an issue has fewer). The sheet holds what a coder may see and nothing else: position
id, date, actor name, issue label, what 0 and 100 mean, the issue's anchors, the summary and the
quote. Values, ranges, confidence and the first coder's notes are left out.

Usage: python scripts/second_coding_sample.py DATASET_FOLDER OUT.csv [--per-issue 4] [--seed 2026]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def draw_sample(folder: Path, per_issue: int, seed: int) -> list[dict[str, str]]:
    """Return one dict per sampled position: the blind sheet's columns, ordered by issue, id."""
    actors = {a["actor_id"]: a for a in read_rows(folder / "actors.csv")}
    issues = {i["issue_id"]: i for i in read_rows(folder / "issues.csv")}
    anchors: dict[str, list[str]] = defaultdict(list)
    for a in sorted(read_rows(folder / "scale_anchors.csv"), key=lambda r: float(r["value"])):
        anchors[a["issue_id"]].append(f"{a['value']} = {a['label']}")
    by_issue: dict[str, list[dict[str, str]]] = defaultdict(list)
    for p in read_rows(folder / "positions.csv"):
        if actors[p["actor_id"]]["role"] != "joint" and p["quote"].strip():
            by_issue[p["issue_id"]].append(p)
    rng = random.Random(seed)
    sheet = []
    for issue_id in sorted(by_issue):
        rows = sorted(by_issue[issue_id], key=lambda r: r["position_id"])
        for p in sorted(
            rng.sample(rows, min(per_issue, len(rows))), key=lambda r: r["position_id"]
        ):
            issue = issues[issue_id]
            sheet.append(
                {
                    "position_id": p["position_id"],
                    "date": p["date"],
                    "actor": actors[p["actor_id"]]["name"],
                    "issue_id": issue_id,
                    "issue": issue["label"],
                    "low_label (0)": issue["low_label"],
                    "high_label (100)": issue["high_label"],
                    "anchors": " | ".join(anchors[issue_id]),
                    "summary": p["summary"],
                    "quote": p["quote"],
                }
            )
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-issue", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sheet = draw_sample(args.folder, args.per_issue, args.seed)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(sheet[0]))
        writer.writeheader()
        writer.writerows(sheet)
    print(f"{len(sheet)} positions from {len({r['issue_id'] for r in sheet})} issues -> {args.out}")


if __name__ == "__main__":
    main()
