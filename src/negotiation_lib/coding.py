"""Coding sessions: code real statements yourself, save, merge and compare the codings.

A session has four steps, each a plain function:

1. :func:`coding_sheet` draws statements from a dataset and shows what a coder may see (quote,
   source, date, actor, issue and its anchors) without the dataset's values.
2. :func:`save_codings` appends one coder's values to a CSV file. The file is append-only: a
   save never rewrites or removes a row, so several coders can share one file and nobody's rows
   are lost. Coding a statement again adds a row with the next ``entry`` number for that coder
   and statement (no timestamps, so files stay reproducible); the highest entry counts.
3. :func:`read_codings` reads and merges one or more such files (or folders of them).
4. :func:`compare_with_dataset` sets each coder against the dataset's values,
   :func:`widest_spread` finds the statements coders disagreed on most, with the anchors
   involved, and :func:`agreement_codings` hands the codings to
   :func:`negotiation_lib.agreement.krippendorff_alpha` / ``agreement_report``.

A codings file has the columns :data:`CODING_COLUMNS`: ``coder``, ``position_id``, ``value``
(0-100 on the issue's scale) and ``entry`` (1 for a coder's first value for that statement).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from . import evidence as ev
from . import ids, schema, text
from .agreement import krippendorff_alpha

__all__ = [
    "ANCHOR_SEPARATOR",
    "CODING_COLUMNS",
    "SHEET_COLUMNS",
    "CodingsError",
    "agreement_codings",
    "anchors_text",
    "coding_sheet",
    "compare_with_dataset",
    "read_codings",
    "save_codings",
    "sheet_html",
    "statement_html",
    "widest_spread",
]

CODING_COLUMNS = ("coder", "position_id", "value", "entry")
SHEET_COLUMNS = (
    "position_id",
    "date",
    "actor",
    "issue_id",
    "issue",
    "low_label",
    "high_label",
    "anchors",
    "summary",
    "quote",
    "source_title",
    "source_publisher",
    "source_url",
)
SCALE = (0.0, 100.0)
#: Between two anchors in :func:`anchors_text` (anchor labels may contain ";").
ANCHOR_SEPARATOR = " | "


class CodingsError(ValueError):
    """A codings file or a set of values that cannot be used; the message lists every problem."""


# --- 1. the sheet ---------------------------------------------------------------------------


def anchors_text(neg, issue_id: str) -> str:
    """The issue's anchors as one line of text: ``"0 = ... | 50 = ... | 100 = ..."``."""
    table = ev.anchor_table(neg, issue_id)
    return ANCHOR_SEPARATOR.join(
        f"{text.format_number(v)} = {label}"
        for v, label in zip(table["value"], table["label"], strict=True)
    )


def coding_sheet(neg, *, per_issue: int = 1, seed: int = 0, issues=None) -> pd.DataFrame:
    """Statements to code, drawn from ``neg`` without their values; one row per statement.

    The rule: positions that have a quote and whose actor is not ``joint`` (a text several
    actors drafted) are grouped by issue; from each issue (in ``issues`` order, default all,
    in the dataset's issue order) ``per_issue`` positions are drawn at random with
    ``numpy.random.default_rng(seed)`` from the list sorted by position_id (all of them when an
    issue has fewer). The same dataset, ``per_issue`` and ``seed`` give the same sheet.
    Columns: :data:`SHEET_COLUMNS` (``anchors`` as :func:`anchors_text`). Sorted by issue order,
    then date. Values, ranges, confidence and coding notes are left out.
    """
    if per_issue < 1:
        raise ValueError(f"per_issue must be at least 1 (got {per_issue})")
    order = ids.issue_order(neg)
    chosen = order if issues is None else ids.check_issues(neg, issues, given_as="issues")
    evidence = ev.evidence_frame(neg)
    roles = neg.actors.set_index("actor_id")["role"] if "role" in neg.actors else pd.Series()
    quoted = evidence["quote"].fillna("").astype(str).str.strip() != ""
    joint = evidence["actor_id"].map(roles).eq(schema.JOINT_ROLE)
    pool = evidence[quoted & ~joint]
    rng = np.random.default_rng(seed)
    rows = []
    for issue_id in chosen:
        candidates = pool[pool["issue_id"] == issue_id].sort_values("position_id")
        if candidates.empty:
            continue
        take = min(per_issue, len(candidates))
        picked = candidates.iloc[np.sort(rng.choice(len(candidates), size=take, replace=False))]
        rows.append(picked.sort_values(["date", "position_id"], kind="stable"))
    if not rows:
        return pd.DataFrame(columns=list(SHEET_COLUMNS))
    drawn = pd.concat(rows, ignore_index=True)
    issue_rows = neg.issues.drop_duplicates("issue_id").set_index("issue_id")
    sheet = pd.DataFrame(
        {
            "position_id": drawn["position_id"].astype(str),
            "date": drawn["date"],
            "actor": drawn["actor_name"],
            "issue_id": drawn["issue_id"].astype(str),
            "issue": drawn["issue_label"],
            "low_label": drawn["issue_id"].map(issue_rows["low_label"]),
            "high_label": drawn["issue_id"].map(issue_rows["high_label"]),
            "anchors": [anchors_text(neg, i) for i in drawn["issue_id"]],
            "summary": drawn["summary"],
            "quote": drawn["quote"],
            "source_title": drawn["source_title"],
            "source_publisher": drawn["source_publisher"],
            "source_url": drawn["source_url"],
        }
    )
    return sheet[list(SHEET_COLUMNS)]


def statement_html(row: Mapping[str, object], number: int | None = None) -> str:
    """One sheet row as an escaped HTML card: issue, actor, date, quote, summary, source, anchors.

    Only http(s) source URLs become links. ``number`` is shown before the issue when given.
    """
    esc = text.escape
    title = esc(row.get("source_title")) or "source"
    url = text.safe_url(row.get("source_url"))
    if url:
        link = f'<a href="{text.escape_attribute(url)}" target="_blank" rel="noopener noreferrer">'
        title = f"{link}{title}</a>"
    publisher = esc(row.get("source_publisher"))
    anchors = "".join(
        f"<li>{esc(part)}</li>"
        for part in str(row.get("anchors") or "").split(ANCHOR_SEPARATOR)
        if part
    )
    prefix = f"{number}. " if number is not None else ""
    return (
        '<div class="nl-statement-card">'
        f"<p><b>{prefix}{esc(row.get('issue'))}</b> · {esc(row.get('actor'))} · "
        f"{esc(text.format_date(row.get('date')))} · "
        f"<code>{esc(row.get('position_id'))}</code></p>"
        f"<blockquote>{esc(row.get('quote'))}</blockquote>"
        f"<p>Summary: {esc(row.get('summary'))}</p>"
        f"<p>Source: {title}{f' ({publisher})' if publisher else ''}</p>"
        f"<p>0 = {esc(row.get('low_label'))}; 100 = {esc(row.get('high_label'))}</p>"
        f"<details><summary>Anchors</summary><ul>{anchors}</ul></details>"
        "</div>"
    )


def sheet_html(sheet: pd.DataFrame) -> str:
    """Every statement of a coding sheet as numbered, escaped HTML cards (no values)."""
    cards = [statement_html(row, n) for n, row in enumerate(sheet.to_dict("records"), start=1)]
    return '<div class="nl-coding-sheet">' + "".join(cards) + "</div>"


# --- 2. saving ------------------------------------------------------------------------------


def _number(value) -> float | None:
    """``value`` as a float; None for an empty entry; raises ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return float(str(value).strip().replace(",", ".") if isinstance(value, str) else value)


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != CODING_COLUMNS:
            raise CodingsError(
                f"{path}: not a codings file: the header must be {','.join(CODING_COLUMNS)}, "
                f"found {','.join(reader.fieldnames or ['(empty)'])}"
            )
        return list(reader)


def save_codings(
    path: str | os.PathLike[str],
    coder: str,
    values: Mapping[str, object],
    *,
    position_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Append ``coder``'s ``values`` ({position_id: value}) to the codings CSV at ``path``.

    Empty values (None, NaN, "") are skipped. Each value must be a number from 0 to 100; with
    ``position_ids`` (e.g. the sheet's) every key must be one of them. The file is created with
    a header when missing and otherwise only appended to: other coders' rows and this coder's
    earlier rows stay as they are; a statement this coder already coded gets the next ``entry``
    number. Returns the rows written (columns :data:`CODING_COLUMNS`). Raises CodingsError
    listing every problem, and writes nothing then.
    """
    path = Path(path)
    name = str(coder or "").strip()
    problems = []
    if not name:
        problems.append("enter a coder name")
    elif any(ch in name for ch in "\r\n"):
        problems.append("the coder name must be on one line")
    allowed = None if position_ids is None else {str(p) for p in position_ids}
    parsed: list[tuple[str, float]] = []
    for position_id, raw in values.items():
        try:
            number = _number(raw)
        except (TypeError, ValueError):
            problems.append(f"{position_id}: {raw!r} is not a number")
            continue
        if number is None:
            continue
        if allowed is not None and str(position_id) not in allowed:
            problems.append(f"{position_id}: not a statement on this sheet")
        elif not SCALE[0] <= number <= SCALE[1]:
            problems.append(f"{position_id}: {raw!r} is outside 0-100")
        else:
            parsed.append((str(position_id), number))
    if not problems and not parsed:
        problems.append("nothing to save: enter at least one value")
    existing: list[dict[str, str]] = []
    if path.exists() and path.stat().st_size > 0:
        try:
            existing = _read_rows(path)
        except CodingsError as exc:
            problems.append(f"will not append to it: {exc}")
    if problems:
        raise CodingsError(f"nothing saved to {path}:\n- " + "\n- ".join(problems))
    last_entry: dict[str, int] = {}
    for row in existing:
        if row["coder"].strip() == name:
            try:
                entry = int(row["entry"])
            except ValueError:
                continue
            last_entry[row["position_id"]] = max(last_entry.get(row["position_id"], 0), entry)
    written = [
        {
            "coder": name,
            "position_id": position_id,
            "value": _format_value(number),
            "entry": last_entry.get(position_id, 0) + 1,
        }
        for position_id, number in parsed
    ]
    new_file = not path.exists() or path.stat().st_size == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    needs_newline = not new_file and not path.read_bytes().endswith(b"\n")
    with path.open("a", encoding="utf-8", newline="") as f:
        if needs_newline:
            f.write("\n")
        writer = csv.DictWriter(f, fieldnames=list(CODING_COLUMNS), lineterminator="\n")
        if new_file:
            writer.writeheader()
        writer.writerows(written)
    out = pd.DataFrame(written, columns=list(CODING_COLUMNS))
    out["value"] = out["value"].astype(float)
    return out


def _format_value(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


# --- 3. reading and merging -----------------------------------------------------------------


def _files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(p.glob("*.csv")) if p.is_dir() else [p])
    return files


def read_codings(
    *paths: str | os.PathLike[str], all_entries: bool = False, missing_ok: bool = False
) -> pd.DataFrame:
    """Read and merge codings files (or folders of ``*.csv``); one row per coder and statement.

    With ``missing_ok``, paths that do not exist are skipped (e.g. your own file before you
    first save); at least one file must still be found.

    Columns: :data:`CODING_COLUMNS` plus ``file``. Only each coder's highest ``entry`` per
    statement is kept unless ``all_entries``. The same row in two files (a file collected
    twice) counts once. Raises CodingsError listing every problem (file, row, column, value):
    a missing file, a wrong header, an empty coder or statement, a value that is not a number
    from 0 to 100, an entry that is not a whole number from 1, or one coder's same entry for a
    statement with two different values in different files. Sorted by coder, position_id.
    """
    files = _files(p for p in paths if not missing_ok or Path(p).exists())
    problems: list[str] = []
    frames = []
    if not files:
        problems.append(f"no codings files in {', '.join(str(p) for p in paths) or '(nothing)'}")
    for path in files:
        if not path.is_file():
            problems.append(f"{path}: no such file")
            continue
        try:
            rows = _read_rows(path)
        except CodingsError as exc:
            problems.append(str(exc))
            continue
        for number, row in enumerate(rows, start=2):
            for column in ("coder", "position_id"):
                if not (row[column] or "").strip():
                    problems.append(f"{path} row {number}, column {column}: empty")
            try:
                value = float(row["value"])
                if not SCALE[0] <= value <= SCALE[1]:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(
                    f"{path} row {number}, column value: {row['value']!r} is not a number 0-100"
                )
            entry = (row["entry"] or "").strip()
            if not entry.isdigit() or int(entry) < 1:
                problems.append(
                    f"{path} row {number}, column entry: {row['entry']!r} is not a whole number "
                    "from 1"
                )
        frame = pd.DataFrame(rows, columns=list(CODING_COLUMNS))
        frames.append(frame.assign(file=path.name))
    if problems:
        raise CodingsError("cannot read the codings:\n- " + "\n- ".join(problems))
    merged = pd.concat(frames, ignore_index=True)
    merged["coder"] = merged["coder"].str.strip()
    merged["position_id"] = merged["position_id"].str.strip()
    merged["value"] = merged["value"].astype(float)
    merged["entry"] = merged["entry"].astype(int)
    key = ["coder", "position_id", "entry"]
    merged = merged.drop_duplicates([*key, "value"])
    clash = merged[merged.duplicated(key, keep=False)]
    if len(clash):
        lines = [
            f"coder {c!r}, {p}, entry {e}: values {', '.join(_format_value(v) for v in g['value'])}"
            f" in {', '.join(g['file'])}"
            for (c, p, e), g in clash.groupby(key, sort=True)
        ]
        raise CodingsError(
            "the same coder's entry has different values in different files (rename one coder):"
            "\n- " + "\n- ".join(lines)
        )
    if not all_entries:
        merged = merged.sort_values("entry").drop_duplicates(["coder", "position_id"], keep="last")
    return merged.sort_values(key, kind="stable").reset_index(drop=True)


# --- 4. comparing ---------------------------------------------------------------------------


def agreement_codings(codings: pd.DataFrame, neg=None) -> pd.DataFrame:
    """The codings as the long frame the agreement functions take: one row per coder's value.

    Columns ``unit`` (the position_id), ``coder``, ``value`` and, with ``neg``, ``issue_id``.
    """
    out = pd.DataFrame(
        {
            "unit": codings["position_id"].astype(str),
            "coder": codings["coder"].astype(str),
            "value": codings["value"].astype(float),
        }
    )
    if neg is not None:
        issue_of = neg.positions.drop_duplicates("position_id").set_index("position_id")
        out["issue_id"] = out["unit"].map(issue_of["issue_id"])
    return out.reset_index(drop=True)


def _dataset_values(neg) -> pd.Series:
    return (
        neg.positions.drop_duplicates("position_id").set_index("position_id")["value"].astype(float)
    )


def compare_with_dataset(codings: pd.DataFrame, neg) -> pd.DataFrame:
    """Each coder against the dataset's values; one row per coder, sorted by coder.

    Columns: ``coder``, ``statements`` (coded statements the dataset has a value for),
    ``mean_abs_difference`` (mean of |coder - dataset|, in scale points), ``within_10`` (share
    of statements within 10 points), ``largest_difference``, ``largest_on`` (its position_id;
    the first such when tied) and ``alpha_with_dataset`` (interval alpha of this coder and the
    dataset as two coders; NaN when not defined).
    """
    dataset = _dataset_values(neg)
    rows = []
    for coder, part in codings.groupby("coder", sort=True):
        part = part[part["position_id"].isin(dataset.index)]
        truth = part["position_id"].map(dataset)
        diff = (part["value"] - truth).abs()
        if diff.empty:
            rows.append({"coder": coder, "statements": 0})
            continue
        wide = pd.DataFrame(
            {"coding": part["value"].to_numpy(), "dataset": truth.to_numpy()},
            index=part["position_id"].to_numpy(),
        )
        largest = int(np.argmax(diff.to_numpy()))
        rows.append(
            {
                "coder": coder,
                "statements": len(part),
                "mean_abs_difference": float(diff.mean()),
                "within_10": float((diff <= 10).mean()),
                "largest_difference": float(diff.iloc[largest]),
                "largest_on": str(part["position_id"].iloc[largest]),
                "alpha_with_dataset": krippendorff_alpha(wide, level="interval"),
            }
        )
    columns = [
        "coder",
        "statements",
        "mean_abs_difference",
        "within_10",
        "largest_difference",
        "largest_on",
        "alpha_with_dataset",
    ]
    return pd.DataFrame(rows, columns=columns)


def _anchors_between(anchors: pd.DataFrame, low: float, high: float) -> str:
    """The anchors from the one nearest ``low`` to the one nearest ``high``, as text."""
    values = anchors["value"].to_numpy(float)
    first = int(np.argmin(np.abs(values - low)))
    last = int(np.argmin(np.abs(values - high)))
    part = anchors.iloc[min(first, last) : max(first, last) + 1]
    return ANCHOR_SEPARATOR.join(
        f"{text.format_number(v)} = {label}"
        for v, label in zip(part["value"], part["label"], strict=True)
    )


def widest_spread(codings: pd.DataFrame, neg, *, top: int = 5) -> pd.DataFrame:
    """The statements coders disagreed on most, with the anchors involved; widest first.

    One row per statement coded by at least two coders. Columns: ``position_id``, ``actor``,
    ``issue``, ``coders``, ``values`` (sorted, as text), ``low``, ``high``, ``spread`` (high -
    low), ``dataset`` (the dataset's value) and ``anchors_involved`` (the issue's anchors from
    the one nearest the lowest coding to the one nearest the highest). Ties keep position_id
    order. At most ``top`` rows.
    """
    columns = [
        "position_id",
        "actor",
        "issue",
        "coders",
        "values",
        "low",
        "high",
        "spread",
        "dataset",
        "anchors_involved",
    ]
    grouped = codings.groupby("position_id", sort=True)["value"]
    summary = pd.DataFrame(
        {
            "coders": grouped.size(),
            "values": grouped.agg(lambda v: ", ".join(_format_value(x) for x in sorted(v))),
            "low": grouped.min(),
            "high": grouped.max(),
        }
    )
    summary = summary[summary["coders"] >= 2]
    if summary.empty:
        return pd.DataFrame(columns=columns)
    summary["spread"] = summary["high"] - summary["low"]
    summary = summary.sort_values("spread", ascending=False, kind="stable").head(top)
    positions = neg.positions.drop_duplicates("position_id").set_index("position_id")
    summary["dataset"] = _dataset_values(neg).reindex(summary.index)
    issue_ids = positions["issue_id"].reindex(summary.index)
    summary["actor"] = positions["actor_id"].reindex(summary.index).map(ids.actor_names(neg))
    summary["issue"] = issue_ids.map(ids.issue_labels(neg))
    summary["anchors_involved"] = [
        _anchors_between(ev.anchor_table(neg, issue), low, high) if pd.notna(issue) else ""
        for issue, low, high in zip(issue_ids, summary["low"], summary["high"], strict=True)
    ]
    summary["coders"] = summary["coders"].astype(int)
    return summary.rename_axis("position_id").reset_index()[columns]
