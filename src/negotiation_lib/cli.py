"""Command line: ``python -m negotiation_lib {validate,summary,init,report} ...``.

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
import sys
from collections.abc import Sequence
from pathlib import Path

from .load import Negotiation
from .locate import DatasetNotFoundError, resolve_source
from .schema import init_dataset
from .summaries import summary_text
from .validate import check_dataset, format_problems

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


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
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
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


def _init(target: Path) -> int:
    try:
        init_dataset(target)
    except FileExistsError as err:
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"created {target} from the template: fill in the CSV files (UTF-8), edit name/title/"
        f"version in datapackage.json, then run: python -m negotiation_lib validate {target}"
    )
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
    except (KeyError, ValueError) as err:  # an unknown id (UnknownIdError), a pair of one actor
        print(f"error: {err.args[0] if err.args else err}", file=sys.stderr)
        return EXIT_USAGE
    for failure in crashes:
        print(f"chart not drawn: {failure}", file=sys.stderr)
    print(f"wrote {len(written)} pages to {args.out}: open {written[0]}")
    return EXIT_OK
