"""A tiny, made-up negotiation for the bring-your-own-data tutorial.

It is fictional on purpose (a wage negotiation between a union and an employer): every source
in it says so. ``write_example_dataset`` fills a dataset folder that ``init_dataset`` created,
or, with ``broken=True``, writes a copy with typical mistakes for the validation tutorial.
"""

from __future__ import annotations

import csv
from pathlib import Path

FICTIONAL = "Fictional example (invented for the tutorial; not a real negotiation)"

_TABLES: dict[str, list[dict[str, str]]] = {
    "actors": [
        {"actor_id": "union", "name": "Workers' union", "role": "party", "color": "#0072B2"},
        {"actor_id": "employer", "name": "Employer", "role": "party", "color": "#D55E00"},
    ],
    "issues": [
        {
            "issue_id": "wages",
            "label": "Wage increase",
            "category": "economic",
            "description": "The yearly pay rise.",
            "low_label": "10% rise (the union's maximal aim)",
            "high_label": "No rise (the employer's maximal aim)",
            "order": "1",
        }
    ],
    "scale_anchors": [
        {"issue_id": "wages", "value": "0", "label": "10% rise"},
        {"issue_id": "wages", "value": "50", "label": "5% rise"},
        {"issue_id": "wages", "value": "100", "label": "No rise"},
    ],
    "events": [
        {
            "event_id": "round-1",
            "date": "2024-03-01",
            "date_precision": "day",
            "name": "First bargaining round",
            "venue": "",
            "kind": "talks_round",
            "description": "",
        },
        {
            "event_id": "round-2",
            "date": "2024-04-02",
            "date_precision": "day",
            "name": "Second bargaining round",
            "venue": "",
            "kind": "talks_round",
            "description": "",
        },
    ],
    "sources": [
        {
            "source_id": "minutes",
            "title": f"Minutes of the bargaining rounds. {FICTIONAL}",
            "publisher": "Example",
            "url": "https://example.org/minutes",
            "published": "2024-04-03",
            "source_type": "official",
            "language": "en",
        }
    ],
    "positions": [
        {
            "position_id": "p1",
            "date": "2024-03-01",
            "event_id": "round-1",
            "actor_id": "union",
            "issue_id": "wages",
            "stance": "demand",
            "value": "0",
            "status": "asserted",
            "summary": "The union demands a 10% rise.",
            "quote": "We want ten per cent.",
            "source_id": "minutes",
            "confidence": "high",
        },
        {
            "position_id": "p2",
            "date": "2024-03-01",
            "event_id": "round-1",
            "actor_id": "employer",
            "issue_id": "wages",
            "stance": "offer",
            "value": "80",
            "value_low": "70",
            "value_high": "90",
            "status": "asserted",
            "summary": "The employer offers about 2%.",
            "quote": "Two per cent, perhaps a little more.",
            "source_id": "minutes",
            "confidence": "medium",
        },
        {
            "position_id": "p3",
            "date": "2024-04-02",
            "event_id": "round-2",
            "actor_id": "union",
            "issue_id": "wages",
            "stance": "counter",
            "value": "30",
            "status": "asserted",
            "summary": "The union lowers its demand to 7%.",
            "quote": "Seven per cent is our last word.",
            "source_id": "minutes",
            "confidence": "high",
        },
    ],
}

# One typical mistake each: (table, row index, column, wrong value).
_MISTAKES = [
    ("positions", 0, "value", "120"),
    ("positions", 1, "date", "2024-13-03"),
    ("positions", 2, "quote", ""),
    ("positions", 2, "actor_id", "unoin"),
]


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    path = folder / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows([{column: row.get(column, "") for column in header} for row in rows])


def write_example_dataset(folder: str | Path, *, broken: bool = False) -> Path:
    """Fill ``folder`` with the fictional wage negotiation and return the folder. The folder is
    created from the template first when it holds no dataset yet. With ``broken=True`` four rows
    carry a mistake each (a value above 100, an impossible date, a missing quote, an unknown
    actor)."""
    from .schema import init_dataset

    folder = Path(folder)
    if not (folder / "datapackage.json").exists():
        init_dataset(folder)
    tables = {name: [dict(row) for row in rows] for name, rows in _TABLES.items()}
    if broken:
        for table, index, column, value in _MISTAKES:
            tables[table][index][column] = value
    for name, rows in tables.items():
        _write(folder, name, rows)
    return folder
