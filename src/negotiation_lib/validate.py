"""Check a dataset against the data contract and convert it, collecting every problem at once.

``validate(source)`` returns a DataFrame of problems (empty when the dataset is valid) and never
raises for bad data. ``load()`` (in ``load.py``) raises :class:`ValidationError` carrying the same
DataFrame. One problem row is one thing wrong, with columns:

- ``table``: the file it is in (``positions.csv``, ``datapackage.json``),
- ``row``: the row as a spreadsheet shows it (header = 1, first record = 2); ``<NA>`` when the
  problem is about a whole file or column,
- ``column``: the column (or ``datapackage.json`` key), ``<NA>`` for whole-file problems,
- ``rule``: a short stable code: ``missing_file``, ``empty_file``, ``encoding``, ``csv``,
  ``json``, ``resource``, ``header``, ``missing_column``, ``required``, ``type``, ``date``,
  ``range``, ``interval``, ``enum``, ``pattern``, ``unique``, ``foreign_key``,
  ``quote_required``, ``quantity``,
- ``value``: the cell exactly as written (``<NA>`` when there is none),
- ``message``: what is wrong and how to fix it.

What is accepted on purpose (as careful tools do): a UTF-8 byte-order mark (Excel writes one),
CRLF line endings, extra columns (kept as text, exactly as written), missing *optional* columns
(filled with missing values), empty optional cells, blank lines (ignored). Cells are read as text
first (nothing is coerced silently), then checked, then converted.

Dates must be written ``YYYY-MM-DD`` (an event known only to the month or year carries its first
day and ``date_precision`` ``month`` or ``year``). A cell holding only spaces counts as empty for
required columns.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_float_dtype

from . import schema
from .locate import resolve_source
from .schema import DATE, INTEGER, NUMBER, PROBLEM_COLUMNS, Column, Table
from .text import text_table

__all__ = ["ValidationError", "check_dataset", "format_problems", "validate"]

_UTF8_BOM = b"\xef\xbb\xbf"


class ValidationError(Exception):
    """A dataset breaks the data contract. ``.problems`` is the DataFrame of every problem."""

    def __init__(self, problems: pd.DataFrame, *, dataset: str = "") -> None:
        self.problems = problems
        self.dataset = dataset
        super().__init__(format_problems(problems, dataset=dataset))

    def __str__(self) -> str:
        return format_problems(self.problems, dataset=self.dataset)


def validate(source: str | Path) -> pd.DataFrame:
    """Check a dataset (bundled id, folder or ``datapackage.json`` path) against the contract.

    Returns the problems DataFrame (one row per problem, columns ``table, row, column, rule,
    value, message``), empty when the dataset is valid. Bad data never raises; a ``source`` that
    names nothing at all (no such path or dataset id) raises ``FileNotFoundError``.
    """
    folder, descriptor = resolve_source(source)
    _, _, problems = check_dataset(folder, descriptor)
    return problems


def format_problems(problems: pd.DataFrame, *, dataset: str = "", max_rows: int | None = 50) -> str:
    """A readable, aligned text table of problems (for terminals and ``str(ValidationError)``)."""
    n = len(problems)
    where = f" in {dataset}" if dataset else ""
    if n == 0:
        return f"no problems{where}"
    head = f"{n} problem{'s' if n != 1 else ''}{where}:"
    shown = problems if max_rows is None else problems.head(max_rows)
    cols = ["table", "row", "column", "rule", "value", "message"]
    lines = [head, text_table(shown[cols], rule=True, limits={"value": 40})]
    if len(shown) < n:
        lines.append(f"... and {n - len(shown)} more (all of them are in .problems)")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Collecting problems


class _Problems:
    """Accumulates problems: single records and vectorised batches (a mask over a table)."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self._records: list[dict[str, Any]] = []

    def add(
        self,
        table: str,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self._records.append(
            {
                "table": table,
                "row": row,
                "column": column,
                "rule": rule,
                "value": value,
                "message": message,
            }
        )

    def add_rows(
        self,
        table: str,
        frame: pd.DataFrame,
        mask: pd.Series,
        column: str,
        rule: str,
        message: str | pd.Series,
    ) -> None:
        """One problem per True in ``mask``; ``message`` may be a Series aligned with frame."""
        if not mask.any():
            return
        values = frame.loc[mask, column]
        msgs = message[mask] if isinstance(message, pd.Series) else message
        part = pd.DataFrame(
            {
                "table": table,
                "row": values.index.to_numpy() + 2,
                "column": column,
                "rule": rule,
                "value": values.to_numpy(dtype=object),
                "message": np.asarray(msgs, dtype=object) if isinstance(msgs, pd.Series) else msgs,
            }
        )
        self._parts.append(part)

    def __len__(self) -> int:
        return len(self._records) + sum(len(p) for p in self._parts)

    def extend(self, other: _Problems) -> None:
        self._parts.extend(other._parts)
        self._records.extend(other._records)

    def frame(self, table_order: list[str]) -> pd.DataFrame:
        parts = list(self._parts)
        if self._records:
            parts.insert(0, pd.DataFrame.from_records(self._records, columns=PROBLEM_COLUMNS))
        if not parts:
            out = pd.DataFrame({c: pd.Series(dtype="str") for c in PROBLEM_COLUMNS})
            out["row"] = pd.Series(dtype="Int64")
            return out
        out = pd.concat(parts, ignore_index=True)
        order = {name: i for i, name in enumerate(table_order)}
        out["row"] = pd.array(out["row"], dtype="Int64")
        for c in ("table", "column", "rule", "value", "message"):
            out[c] = out[c].astype("str")
        rank = out["table"].map(order).fillna(len(order))
        out = (
            out.assign(_rank=rank, _row=out["row"].fillna(0))
            .sort_values(["_rank", "_row"], kind="stable")
            .drop(columns=["_rank", "_row"])
            .reset_index(drop=True)
        )
        return out[list(PROBLEM_COLUMNS)]


# --------------------------------------------------------------------------------------------
# Reading files


def _read_utf8(
    label: str, path: Path, problems: _Problems, *, missing: str, empty: str
) -> bytes | None:
    """The file's bytes without a byte-order mark, or None after recording why they are
    unusable (missing, unreadable, empty or blank, not UTF-8)."""
    if not path.is_file():
        problems.add(label, "missing_file", missing)
        return None
    try:
        raw = path.read_bytes()
    except OSError as err:
        problems.add(label, "missing_file", f"{label} could not be read: {err.strerror}")
        return None
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    if not raw or raw.isspace():
        problems.add(label, "empty_file", empty)
        return None
    try:
        raw.decode("utf-8")  # only to check; callers read the bytes
    except UnicodeDecodeError as err:
        problems.add(label, "encoding", _encoding_message(label, raw, err))
        return None
    return raw


def _read_descriptor(path: Path, problems: _Problems) -> dict[str, Any] | None:
    name = schema.DATAPACKAGE_FILE
    raw = _read_utf8(
        name,
        path,
        problems,
        missing=f"{path} does not exist: a dataset folder needs a datapackage.json "
        "(copy data/templates/datapackage.json or run `python -m negotiation_lib init DIR`)",
        empty=f"{name} is empty: it must hold a JSON object",
    )
    if raw is None:
        return None
    text = raw.decode("utf-8")
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as err:
        problems.add(
            name,
            "json",
            f"{name} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
        )
        return None
    if not isinstance(meta, dict):
        problems.add(name, "json", f"{name} must hold a JSON object ({{...}}) at the top level")
        return None
    return meta


def _resource_paths(
    folder: Path, meta: dict[str, Any] | None, problems: _Problems
) -> dict[str, tuple[str, Path]]:
    """Map each contract table to (label used in problems, file path)."""
    default = {t.name: (t.file, folder / t.file) for t in schema.TABLES}
    if meta is None:
        return default
    name = schema.DATAPACKAGE_FILE
    if not isinstance(meta.get("name"), str) or not meta.get("name", "").strip():
        problems.add(
            name,
            "required",
            'the data package needs a "name" (a short lower-case id, e.g. "my-negotiation")',
            column="name",
            value=None if meta.get("name") is None else str(meta.get("name")),
        )
    resources = meta.get("resources")
    if not isinstance(resources, list):
        problems.add(
            name,
            "json",
            '"resources" must be a list with one entry per table (actors, issues, '
            "scale_anchors, events, sources, positions)",
            column="resources",
        )
        return default
    by_name: dict[str, dict[str, Any]] = {}
    by_file: dict[str, dict[str, Any]] = {}
    for res in resources:
        if not isinstance(res, dict):
            continue
        if isinstance(res.get("name"), str):
            by_name.setdefault(res["name"], res)
        if isinstance(res.get("path"), str):
            by_file.setdefault(Path(res["path"]).name, res)
    out: dict[str, tuple[str, Path]] = {}
    for table in schema.TABLES:
        res = by_name.get(table.name) or by_file.get(table.file)
        if res is None:
            problems.add(
                name,
                "resource",
                f'no resource for table "{table.name}": add {{"name": "{table.name}", '
                f'"path": "{table.file}", ...}} to "resources"',
                column="resources",
                value=table.name,
            )
            out[table.name] = default[table.name]
            continue
        rel = res.get("path")
        if not isinstance(rel, str) or not rel.strip():
            problems.add(
                name,
                "resource",
                f'resource "{table.name}" needs a "path" to its CSV file (e.g. "{table.file}")',
                column="resources",
                value=table.name,
            )
            out[table.name] = default[table.name]
            continue
        if "://" in rel or Path(rel).is_absolute():
            problems.add(
                name,
                "resource",
                f'resource "{table.name}" path {rel!r} must be a file inside the dataset folder',
                column="resources",
                value=rel,
            )
            out[table.name] = default[table.name]
            continue
        out[table.name] = (rel, folder / rel)
    return out


def _encoding_message(label: str, raw: bytes, err: UnicodeDecodeError) -> str:
    line = raw[: err.start].count(b"\n") + 1
    bad = raw[err.start : err.start + 1].hex()
    return (
        f"{label} is not UTF-8 text (byte 0x{bad} on line {line} cannot be read). "
        "It was probably saved in another encoding (e.g. Windows-1251 or Latin-1): save it "
        'again as UTF-8 (in Excel: "CSV UTF-8")'
    )


_BLANK_LINE = re.compile(rb"\n[ \t,\"]*\r?\n")
_PARSER_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _read_csv(
    label: str, path: Path, problems: _Problems, *, float_columns: Iterable[str] = ()
) -> pd.DataFrame | None:
    """Read a CSV as text cells, keeping the index as record number (row = index + 2).

    ``float_columns`` may be parsed as numbers by the CSV parser itself (fast path); when any
    of their cells is not a number the whole file is read as text instead.
    """
    raw = _read_utf8(
        label,
        path,
        problems,
        missing=f"{label} does not exist (looked for {path})",
        empty=f"{label} is empty: it needs at least its header row",
    )
    if raw is None:
        return None
    head = raw[: 1 << 16].decode("utf-8", errors="ignore")
    try:
        header = next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error as err:
        problems.add(label, "csv", f"the header row of {label} could not be read: {err}", row=1)
        return None
    bad_header = False
    seen: set[str] = set()
    for i, col in enumerate(header, start=1):
        if col.strip() == "":
            problems.add(
                label, "header", f"column {i} of the header row has no name", value=col, row=1
            )
            bad_header = True
        elif col in seen:
            problems.add(
                label,
                "header",
                f"column name {col!r} appears more than once in the header row",
                column=col,
                row=1,
                value=col,
            )
            bad_header = True
        seen.add(col)
    if bad_header:
        return None
    fast = [c for c in header if c in set(float_columns)]
    frame = None
    if fast:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    io.BytesIO(raw),
                    encoding="utf-8",
                    dtype=defaultdict(lambda: str, dict.fromkeys(fast, "float64")),
                    keep_default_na=False,
                    na_values={c: [""] for c in fast},
                    skip_blank_lines=False,
                    index_col=False,
                )
        except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
            frame = None  # a cell is not a number (or the file is malformed): read as text
    try:
        if frame is None:
            with warnings.catch_warnings():
                # more fields than header names: pandas would drop them; report it instead
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    io.BytesIO(raw),
                    encoding="utf-8",
                    dtype=str,
                    keep_default_na=False,
                    na_filter=False,
                    skip_blank_lines=False,
                    index_col=False,
                )
    except pd.errors.ParserWarning:
        problems.add(
            label,
            "csv",
            f"rows of {label} have more fields than the header row has names ({len(header)}): "
            'a value that contains a comma must be put in double quotes ("..."), or a column '
            "name is missing from the header",
        )
        return None
    except (pd.errors.ParserError, ValueError) as err:
        found = _PARSER_LINE.search(str(err))
        if found:
            expected, line, saw = found.groups()
            message = (
                f"line {line} has {saw} fields but the header has {expected}: a value that "
                'contains a comma must be put in double quotes ("...")'
            )
        else:
            message = f"{label} could not be read as CSV: {err}"
        problems.add(label, "csv", message)
        return None
    # rows of empty cells (blank lines, ",,,," from spreadsheets) are dropped; the index keeps
    # counting them so row numbers stay those of a spreadsheet
    if len(frame) and _BLANK_LINE.search(raw):
        blank = pd.concat(
            [frame[c].isna() if is_float_dtype(frame[c]) else frame[c] == "" for c in frame],
            axis=1,
        ).all(axis=1)
        if blank.any():
            frame = frame[~blank]
    return frame


# --------------------------------------------------------------------------------------------
# Checking one table


def _empty_cells(s: pd.Series) -> pd.Series:
    """Empty cells: NaN where the CSV reader parsed numbers (fast path), else empty or
    whitespace-only text (one rule for every column, required or not: a cell of spaces says
    nothing, and loads as missing)."""
    if is_float_dtype(s):
        return s.isna()
    return _missing(s)


def _missing(s: pd.Series) -> pd.Series:
    """Empty or whitespace-only cells."""
    return (s == "") | s.str.isspace()


def _allowed_text(values: Iterable[str]) -> str:
    return ", ".join(values)


def _check_table(
    table: Table, label: str, frame: pd.DataFrame, problems: _Problems
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Column-wise checks; returns the frame (missing optional columns added) and parsed values."""
    parsed: dict[str, pd.Series] = {}
    present = set(frame.columns)
    for col in table.columns:
        if col.name not in present:
            if col.required:
                hint = _header_hint(col.name, frame.columns)
                problems.add(
                    label,
                    "missing_column",
                    f"{label} has no column {col.name!r}, which is required{hint}",
                    column=col.name,
                )
            frame[col.name] = ""
            parsed[col.name] = _empty_parsed(col, len(frame), frame.index)
            continue
        s = frame[col.name]
        empty = _empty_cells(s)
        if col.required:
            problems.add_rows(
                label, frame, empty, col.name, "required", f"{col.name} is required but empty"
            )
        parsed[col.name] = _check_values(col, label, frame, s, empty, problems)
    return frame, parsed


def _header_hint(name: str, columns: Iterable[str]) -> str:
    for c in columns:
        if c.strip().lower() == name:
            return f" (there is a column {c!r}: remove spaces / use lower case)"
    close = difflib.get_close_matches(name, [str(c) for c in columns], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _empty_parsed(col: Column, n: int, index: pd.Index) -> pd.Series:
    if col.type in (NUMBER, INTEGER):
        return pd.Series(np.nan, index=index, dtype="float64")
    if col.type == DATE:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
    return pd.Series(pd.NA, index=index, dtype="str")


def _check_values(
    col: Column,
    label: str,
    frame: pd.DataFrame,
    s: pd.Series,
    empty: pd.Series,
    problems: _Problems,
) -> pd.Series:
    present = ~empty
    if col.type in (NUMBER, INTEGER):
        num = s if is_float_dtype(s) else pd.to_numeric(s, errors="coerce").astype("float64")
        bad = present & num.isna()
        kind = "a number" if col.type == NUMBER else "a whole number"
        problems.add_rows(
            label,
            frame,
            bad,
            col.name,
            "type",
            f"{col.name} must be {kind} (use . as decimal point, no units or spaces)",
        )
        if col.type == INTEGER:
            frac = present & ~bad & (num % 1 != 0)
            problems.add_rows(
                label, frame, frac, col.name, "type", f"{col.name} must be a whole number"
            )
            num = num.where(~frac)
        ok = num.notna()
        if col.minimum is not None or col.maximum is not None:
            lo = -np.inf if col.minimum is None else col.minimum
            hi = np.inf if col.maximum is None else col.maximum
            out = ok & ((num < lo) | (num > hi))
            problems.add_rows(
                label,
                frame,
                out,
                col.name,
                "range",
                f"{col.name} must be between {_num(lo)} and {_num(hi)}",
            )
        return num.where(present & ~bad)
    if col.type == DATE:
        dates = pd.to_datetime(s, format=schema.DATE_FORMAT, errors="coerce")
        # strptime accepts single-digit months/days; ISO 8601 (and our contract) does not:
        # a date that parses with this format and has 10 characters is YYYY-MM-DD
        bad = present & (dates.isna() | (s.str.len() != 10))
        problems.add_rows(
            label,
            frame,
            bad,
            col.name,
            "date",
            f"{col.name} must be a date written YYYY-MM-DD (e.g. 2022-03-29)",
        )
        return dates.where(~bad)
    # text
    if col.enum is not None:
        bad = present & ~s.isin(col.enum)
        if bad.any():
            lower = {v.lower(): v for v in col.enum}
            msgs = s[bad].map(
                lambda v: (
                    f"{col.name} must be one of: {_allowed_text(col.enum)}"
                    + (
                        f" (did you mean {lower[v.strip().lower()]!r}?)"
                        if v.strip().lower() in lower
                        else ""
                    )
                )
            )
            problems.add_rows(
                label, frame, bad, col.name, "enum", msgs.reindex(frame.index, fill_value="")
            )
    if col.pattern is not None:
        bad = present & ~s.str.fullmatch(col.pattern[1:-1]).fillna(False).astype(bool)
        problems.add_rows(
            label,
            frame,
            bad,
            col.name,
            "pattern",
            f"{col.name} must match {col.pattern} ({_PATTERN_HELP.get(col.pattern, '')})",
        )
    return s.where(present)


_PATTERN_HELP = {
    schema.ACTOR_ID_PATTERN: "a letter, then letters, digits, _ or -; no spaces",
    schema.COLOR_PATTERN: "a colour like #1f77b4",
    schema.LANGUAGE_PATTERN: "a two-letter ISO 639-1 code like en, ru, uk",
}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_unique(
    table: Table,
    label: str,
    frame: pd.DataFrame,
    parsed: dict[str, pd.Series],
    problems: _Problems,
) -> None:
    keys = pd.DataFrame({c: parsed[c] for c in table.primary_key})
    complete = keys.notna().all(axis=1)
    dup = complete & keys.duplicated(keep="first")
    if not dup.any():
        return
    first_row = (
        pd.Series(keys.index.to_numpy(), index=keys.index)
        .groupby([keys[c] for c in table.primary_key])
        .transform("first")
        + 2
    )
    col = table.primary_key[-1] if len(table.primary_key) > 1 else table.primary_key[0]
    key_text = " + ".join(table.primary_key)
    msgs = (
        "duplicate "
        + key_text
        + ": the same value is already in row "
        + first_row.astype("int64").astype(str)
    )
    problems.add_rows(label, frame, dup, col, "unique", msgs.reindex(frame.index))


def _check_interval(label: str, frame: pd.DataFrame, parsed: dict[str, pd.Series], problems):
    value, low, high = parsed["value"], parsed["value_low"], parsed["value_high"]
    problems.add_rows(
        label,
        frame,
        (low > value).fillna(False).astype(bool),
        "value_low",
        "interval",
        "value_low must not be above value (value_low <= value <= value_high)",
    )
    problems.add_rows(
        label,
        frame,
        (high < value).fillna(False).astype(bool),
        "value_high",
        "interval",
        "value_high must not be below value (value_low <= value <= value_high)",
    )
    both_only = value.isna() & (low > high).fillna(False).astype(bool)
    problems.add_rows(
        label,
        frame,
        both_only,
        "value_high",
        "interval",
        "value_high must not be below value_low",
    )


def _check_quote(label: str, frame: pd.DataFrame, problems: _Problems) -> None:
    quote_missing = _missing(frame["quote"])
    needs = ~frame["status"].isin(schema.QUOTE_OPTIONAL_STATUSES)
    problems.add_rows(
        label,
        frame,
        quote_missing & needs,
        "quote",
        "quote_required",
        "quote is required (a verbatim excerpt of the source) unless status is unverified",
    )


def _check_foreign_keys(
    tables: dict[str, tuple[str, pd.DataFrame, dict[str, pd.Series]]],
    missing_columns: set[tuple[str, str]],
    problems: _Problems,
) -> None:
    for table in schema.TABLES:
        if table.name not in tables:
            continue
        label, frame, parsed = tables[table.name]
        for fk in table.foreign_keys:
            (col,), (ref_col,) = fk.columns, fk.ref_columns
            if fk.table not in tables or (table.name, col) in missing_columns:
                continue
            if (fk.table, ref_col) in missing_columns:
                continue
            ref_label, _, ref_parsed = tables[fk.table]
            known = ref_parsed[ref_col].dropna()
            values = parsed[col]
            bad = values.notna() & ~values.isin(known)
            if not bad.any():
                continue
            known_list = sorted(set(known.astype(str)))
            suggestions: dict[str, str] = {}
            for v in pd.unique(values[bad].astype(str))[:50]:
                close = [k for k in known_list if k.lower() == v.lower()] or (
                    difflib.get_close_matches(v, known_list, n=1)
                )
                suggestions[v] = f" Did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(known_list[:10]) + (" ..." if len(known_list) > 10 else "")
            base = f"{col} is not in {ref_label} (column {ref_col}; known: {shown or 'none'})."
            msgs = base + values[bad].astype(str).map(suggestions).fillna("")
            problems.add_rows(
                label, frame, bad, col, "foreign_key", msgs.reindex(frame.index, fill_value="")
            )


def _written(frame: pd.DataFrame, index: Any, column: str) -> str:
    """A cell as written (a cell the CSV reader parsed as a number is shown without ``.0``)."""
    cell = frame.at[index, column]
    return _num(cell) if isinstance(cell, float) and not np.isnan(cell) else str(cell)


def _check_quantities(
    tables: dict[str, tuple[str, pd.DataFrame, dict[str, pd.Series]]], problems: _Problems
) -> None:
    """The contract's rule for quantities.

    Anchors of one issue that carry an ``amount`` in one ``unit`` define a piecewise-linear
    curve from amount to value (flat beyond the first and last anchor). A position on that issue
    whose ``amount`` is in the same unit must have the value the curve gives (within
    ``schema.QUANTITY_TOLERANCE``), or a ``value_low``-``value_high`` range that contains it.
    Two anchors naming the same amount and unit with different values are a problem themselves
    (and positions in that unit are then not checked against the ambiguous curve).
    """
    if "scale_anchors" not in tables or "positions" not in tables:
        return
    a_label, a_frame, a_parsed = tables["scale_anchors"]
    anchors = pd.DataFrame(
        {
            "issue_id": a_parsed["issue_id"],
            "unit": a_parsed["unit"].fillna(""),
            "amount": a_parsed["amount"],
            "value": a_parsed["value"],
        }
    ).dropna(subset=["issue_id", "amount", "value"])
    if anchors.empty:
        return
    curves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for (issue, unit), group in anchors.groupby(["issue_id", "unit"], sort=False):
        group = group.sort_values(["amount", "value"], kind="stable")
        clash = group["amount"].duplicated(keep=False) & ~group.duplicated(
            ["amount", "value"], keep=False
        )
        clash &= group["amount"].duplicated(keep="first")
        for i in group.index[clash]:
            problems.add(
                a_label,
                "quantity",
                f"issue {issue!r} has two anchors at amount {_num(group.at[i, 'amount'])} "
                f"{unit} with different values: one amount needs one value",
                row=int(i) + 2,
                column="amount",
                value=_written(a_frame, i, "amount"),
            )
        if not clash.any():  # an ambiguous curve checks no position (its anchors are reported)
            curves[(issue, unit)] = (group["amount"].to_numpy(), group["value"].to_numpy())
    label, frame, parsed = tables["positions"]
    value, amount = parsed["value"], parsed["amount"]
    low = parsed["value_low"].fillna(value)
    high = parsed["value_high"].fillna(value)
    unit = parsed["unit"].fillna("")
    tol = schema.QUANTITY_TOLERANCE
    for i in frame.index[amount.notna() & value.notna()]:
        curve = curves.get((parsed["issue_id"][i], unit[i]))
        if curve is None:
            continue
        amounts, values = curve
        expected = round(float(np.interp(amount[i], amounts, values)), 2)
        if abs(value[i] - expected) <= tol or low[i] - tol <= expected <= high[i] + tol:
            continue
        points = ", ".join(f"{_num(x)} -> {_num(v)}" for x, v in zip(amounts, values, strict=True))
        problems.add(
            label,
            "quantity",
            f"amount {_num(amount[i])} {unit[i]} on issue {parsed['issue_id'][i]!r} "
            f"interpolates to value {_num(expected)} between the anchors ({points}); "
            f"write value {_num(expected)} or a value_low-value_high range containing it",
            row=int(i) + 2,
            column="value",
            value=_written(frame, i, "value"),
        )


# --------------------------------------------------------------------------------------------
# Whole dataset


def _check_table_rules(
    table: Table, label: str, frame: pd.DataFrame, problems: _Problems
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    frame, parsed = _check_table(table, label, frame, problems)
    _check_unique(table, label, frame, parsed, problems)
    if table is schema.POSITIONS:
        _check_interval(label, frame, parsed, problems)
        _check_quote(label, frame, problems)
    return frame, parsed


def check_dataset(
    folder: Path, descriptor: Path
) -> tuple[dict[str, pd.DataFrame] | None, dict[str, Any] | None, pd.DataFrame]:
    """Read and check every file of a dataset in one pass.

    Returns ``(tables, meta, problems)``: ``tables`` maps table name to its converted DataFrame
    and ``meta`` is the parsed descriptor, both ``None`` unless ``problems`` is empty.
    """
    problems = _Problems()
    meta = _read_descriptor(descriptor, problems)
    paths = _resource_paths(folder, meta, problems)
    checked: dict[str, tuple[str, pd.DataFrame, dict[str, pd.Series]]] = {}
    missing_columns: set[tuple[str, str]] = set()
    for table in schema.TABLES:
        label, path = paths[table.name]
        numbers = [c.name for c in table.columns if c.type == NUMBER]
        frame = _read_csv(label, path, problems, float_columns=numbers)
        if frame is None:
            continue
        for col in table.columns:
            if col.name not in frame.columns:
                missing_columns.add((table.name, col.name))
        found = _Problems()
        frame, parsed = _check_table_rules(table, label, frame, found)
        if len(found) and any(is_float_dtype(frame[c]) for c in numbers if c in frame):
            # problems are reported with cells exactly as written: read this file as text
            frame = _read_csv(label, path, _Problems())
            found = _Problems()
            frame, parsed = _check_table_rules(table, label, frame, found)
        problems.extend(found)
        checked[table.name] = (label, frame, parsed)
    _check_foreign_keys(checked, missing_columns, problems)
    _check_quantities(checked, problems)
    order = [schema.DATAPACKAGE_FILE] + [paths[t.name][0] for t in schema.TABLES]
    result = problems.frame(order)
    if len(result):
        return None, None, result
    tables = {name: _convert(schema.TABLES_BY_NAME[name], *checked[name][1:]) for name in checked}
    return tables, meta, result


def _convert(table: Table, frame: pd.DataFrame, parsed: dict[str, pd.Series]) -> pd.DataFrame:
    """Contract columns in contract order with proper dtypes, then extra columns as written."""
    out: dict[str, pd.Series] = {}
    for col in table.columns:
        values = parsed[col.name]
        if col.enum is not None:
            if col.name == "date_precision":
                values = values.fillna(schema.DEFAULT_DATE_PRECISION)
            values = pd.Categorical(values, categories=list(col.enum))
        elif col.type == DATE:
            values = values.astype("datetime64[us]")
        elif col.type in (NUMBER, INTEGER):
            values = values.astype("float64")
        else:
            values = values.astype("str")
        out[col.name] = values
    known = set(table.column_names)
    for extra in frame.columns:
        if extra not in known:
            out[extra] = frame[extra].astype("str")
    result = pd.DataFrame(out, index=frame.index).reset_index(drop=True)
    return result
