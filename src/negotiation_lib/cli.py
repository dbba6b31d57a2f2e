"""Command line: ``python -m negotiation_lib {validate,summary,init} ...``.

- ``validate PATH``: print every problem as a table. Exit 0 when valid, 1 when invalid.
- ``summary PATH``: counts, date range, actors and issues of a valid dataset (problems and exit 1
  when invalid).
- ``init DIR``: copy the empty template (``data/templates``) to DIR to start a new dataset.
- ``report PATH --out DIR``: the static HTML report of a valid dataset (``report.build_report``);
  an invalid dataset prints its problems, writes nothing and exits 1.

``PATH`` is a dataset folder, its ``datapackage.json`` or a bundled dataset id. Exit 2 means the
arguments were unusable (no such path or id, DIR not empty, wrong options).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import schema
from .load import DatasetNotFoundError, Negotiation, resolve_source
from .validate import check_dataset, format_problems

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

# The repository's copy of the template, for readers browsing data/ (init does not need it).
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "data" / "templates"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m negotiation_lib",
        description="Check and describe negotiation datasets (see DATA_CONTRACT).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="list every problem; exit 0 valid, 1 invalid")
    p.add_argument("path", help="dataset folder, its datapackage.json, or a bundled dataset id")
    p.add_argument(
        "--max-rows", type=int, default=200, help="problems to print (default 200; 0 = all)"
    )
    p = sub.add_parser("summary", help="counts, date range, actors and issues")
    p.add_argument("path", help="dataset folder, its datapackage.json, or a bundled dataset id")
    p = sub.add_parser("init", help="start a new dataset from the empty template")
    p.add_argument("dir", help="folder to create (must not exist or be empty)")
    p = sub.add_parser("report", help="write the static HTML report of a valid dataset")
    p.add_argument("path", help="dataset folder, its datapackage.json, or a bundled dataset id")
    p.add_argument("--out", required=True, help="folder to write the pages into")
    p.add_argument("--pair", nargs=2, metavar="ACTOR_ID", help="main pair (default: from data)")
    p.add_argument("--issues", nargs="+", metavar="ISSUE_ID", help="issues (default: all)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # argparse exits 2 on bad options
    if args.command == "init":
        return _init(Path(args.dir))
    try:
        folder, descriptor = resolve_source(args.path)
    except DatasetNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    tables, meta, problems = check_dataset(folder, descriptor)
    if args.command == "report":
        return _report(args, folder, tables, meta, problems)
    if args.command == "validate":
        if len(problems) == 0:
            n = len(tables["positions"]) if tables else 0
            print(f"{folder}: valid ({n} positions)")
            return EXIT_OK
        max_rows = None if args.max_rows <= 0 else args.max_rows
        print(format_problems(problems, dataset=str(folder), max_rows=max_rows))
        return EXIT_INVALID
    if len(problems):
        print(format_problems(problems, dataset=str(folder), max_rows=50))
        return EXIT_INVALID
    neg = Negotiation(**tables, meta=meta, path=folder)
    print(summary_text(neg))
    return EXIT_OK


def _report(args, folder, tables, meta, problems) -> int:
    from .report import build_report

    if len(problems):
        print(format_problems(problems, dataset=str(folder), max_rows=None))
        print("no report written: fix the problems above first", file=sys.stderr)
        return EXIT_INVALID
    neg = Negotiation(**tables, meta=meta, path=folder)
    try:
        written, crashes = build_report(neg, args.out, main_pair=args.pair, issues=args.issues)
    except KeyError as err:
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return EXIT_USAGE
    for failure in crashes:
        print(f"chart not drawn: {failure}", file=sys.stderr)
    print(f"wrote {len(written)} pages to {args.out}: open {written[0]}")
    return EXIT_OK


def summary_text(neg: Negotiation) -> str:
    """A plain-text summary: title, version, row counts, date range, actors and issues."""
    from .gaps import compute_conflicts

    p = neg.positions
    lines = [f"{neg.title or neg.id} ({neg.id}, version {neg.version})", f"folder: {neg.path}"]
    lines.append(
        "rows: "
        + ", ".join(
            f"{len(getattr(neg, t.name))} {t.name.replace('_', ' ')}" for t in schema.TABLES
        )
    )
    if len(p):
        first, last = p["date"].min(), p["date"].max()
        lines.append(f"positions from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    conflicts = compute_conflicts(neg)
    lines.append(f"conflicting rows (same actor, issue, date; different values): {len(conflicts)}")
    per_actor = p.groupby("actor_id", observed=True).size()
    actors = neg.actors.assign(positions=neg.actors["actor_id"].map(per_actor).fillna(0))
    lines += ["", "actors:", _table(actors[["actor_id", "name", "role", "positions"]])]
    per_issue = p.groupby("issue_id", observed=True).size()
    issues = neg.issues.assign(positions=neg.issues["issue_id"].map(per_issue).fillna(0))
    lines += ["", "issues:", _table(issues[["issue_id", "label", "category", "positions"]])]
    return "\n".join(lines)


def _table(frame: pd.DataFrame) -> str:
    cells = [[_plain(v) for v in row] for row in frame.itertuples(index=False)]
    cols = list(frame.columns)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    out = ["  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()]
    for r in cells:
        out.append("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(out)


def _plain(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= 60 else text[:59] + "…"


TEMPLATE_METADATA = {
    "profile": "tabular-data-package",
    "name": "my-negotiation",
    "title": "My negotiation (replace this title)",
    "version": "0.1.0",
    "description": (
        "Positions of the sides in one negotiation, coded on 0-100 issue scales. "
        "Describe what the dataset covers here."
    ),
    "licenses": [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ],
    "sources": [],
    "contributors": [],
}


def template_files() -> dict[str, str]:
    """Return the empty dataset as ``{file name: text}``: ``datapackage.json`` with every
    table's Table Schema, and each table's CSV holding only its header row. Derived from
    ``schema.py``; ``data/templates/`` holds the same files (a test keeps them equal)."""
    from .validate import frictionless_schema

    resources = [
        {
            "name": table.name,
            "path": table.file,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": table.description,
            "schema": frictionless_schema(table),
        }
        for table in schema.TABLES
    ]
    descriptor = {**TEMPLATE_METADATA, "resources": resources}
    files = {schema.DATAPACKAGE_FILE: json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"}
    for table in schema.TABLES:
        files[table.file] = ",".join(table.column_names) + "\n"
    return files


def init_dataset(target: str | Path) -> Path:
    """Write the empty template (``template_files()``) to ``target`` and return its path.

    Raises ``FileExistsError`` when ``target`` exists and is not an empty folder (nothing is
    changed then).
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(
            f"{target} already exists and is not an empty folder; "
            "choose a new folder name (nothing was changed)"
        )
    target.mkdir(parents=True, exist_ok=True)
    for name, text in template_files().items():
        (target / name).write_text(text, encoding="utf-8", newline="\n")
    return target


def _init(target: Path) -> int:
    try:
        init_dataset(target)
    except FileExistsError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"created {target} from the template: fill in the CSV files (UTF-8), edit name/title/"
        f"version in datapackage.json, then run: python -m negotiation_lib validate {target}"
    )
    return EXIT_OK
