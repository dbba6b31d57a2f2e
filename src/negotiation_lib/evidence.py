"""Positions joined with their evidence (actor, issue, event, source), filtered and shown.

Nothing here imports plotly or ipywidgets. Text is kept raw in the frames and escaped
(:mod:`negotiation_lib.text`) wherever it is turned into HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from . import schema
from .gaps import _timestamp
from .ids import actor_names, actor_order, issue_labels, issue_order, issue_row
from .text import escape, format_date, format_number, frame_html, is_missing, safe_url, wrap

__all__ = [
    "EVIDENCE_COLUMNS",
    "anchor_table",
    "anchor_tables",
    "evidence_frame",
    "evidence_html",
    "evidence_table",
    "filter_evidence",
    "gap_hover",
    "hover_html",
    "position_snippets",
    "search_text",
    "source_lines",
]

EVIDENCE_COLUMNS = (
    "position_id",
    "date",
    "actor_id",
    "actor_name",
    "issue_id",
    "issue_label",
    "stance",
    "value",
    "value_low",
    "value_high",
    "status",
    "confidence",
    "summary",
    "quote",
    "event_id",
    "event_name",
    "source_id",
    "source_title",
    "source_publisher",
    "source_type",
    "source_url",
)


def anchor_table(neg, issue_id: str) -> pd.DataFrame:
    """The scale anchors of one issue, one row per named point: ``value``, ``label``.

    The two ends of the scale (``low_label`` at 0, ``high_label`` at 100) are added when the
    codebook has no anchor there. Sorted by value.
    """
    issue_row(neg, issue_id)  # an unknown id raises here
    return anchor_tables(neg)[issue_id]


def anchor_tables(neg) -> dict[str, pd.DataFrame]:
    """:func:`anchor_table` of every issue in issues.csv, by issue id, made in one pass."""
    issues = neg.issues
    anchors = neg.scale_anchors[["issue_id", "value", "label"]]
    labels = np.column_stack(
        [issues["low_label"].to_numpy(object), issues["high_label"].to_numpy(object)]
    )
    ends = pd.DataFrame(
        {
            "issue_id": np.repeat(issues["issue_id"].to_numpy(object), 2),
            "value": np.tile([0.0, 100.0], len(issues)),
            "label": labels.ravel(),
        }
    )
    taken = set(zip(anchors["issue_id"], anchors["value"].astype("float64"), strict=True))
    missing = [(i, v) not in taken for i, v in zip(ends["issue_id"], ends["value"], strict=True)]
    table = pd.concat([anchors, ends[missing]], ignore_index=True)
    table["value"] = table["value"].astype("float64")
    table = table.sort_values("value", kind="stable")
    groups = dict(tuple(table.groupby("issue_id", sort=False, observed=True)))
    return {
        str(i): groups[i][["value", "label"]].reset_index(drop=True) for i in issues["issue_id"]
    }


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype="object")


def evidence_frame(neg) -> pd.DataFrame:
    """Every position joined with its actor, issue, event and source; one row per position.

    Columns: :data:`EVIDENCE_COLUMNS` (``actor_name``, ``issue_label``, ``event_name`` and the
    ``source_*`` columns come from the other tables; missing ones are NA). Text is raw, not
    escaped: escape when displaying. Sorted by date, then actors.csv order, then issue order.
    """
    pos = neg.positions
    joined = {"actor_name", "issue_label", "event_name"} | {
        c for c in EVIDENCE_COLUMNS if c.startswith("source_") and c != "source_id"
    }
    out = pd.DataFrame({c: _column(pos, c) for c in EVIDENCE_COLUMNS if c not in joined})
    out["actor_name"] = pos["actor_id"].map(actor_names(neg))
    out["issue_label"] = pos["issue_id"].map(issue_labels(neg))
    events = neg.events.drop_duplicates("event_id").set_index("event_id")
    out["event_name"] = _column(out, "event_id").map(events["name"])
    sources = neg.sources.drop_duplicates("source_id").set_index("source_id")
    for column, target in [
        ("title", "source_title"),
        ("publisher", "source_publisher"),
        ("source_type", "source_type"),
        ("url", "source_url"),
    ]:
        values = _column(sources, column)
        out[target] = pos["source_id"].map(values)
    actor_rank = {a: i for i, a in enumerate(actor_order(neg))}
    issue_rank = {i: n for n, i in enumerate(issue_order(neg))}
    out = out.assign(
        _a=out["actor_id"].map(actor_rank), _i=out["issue_id"].map(issue_rank), _p=range(len(out))
    )
    out = out.sort_values(["date", "_a", "_i", "_p"], kind="stable")
    return out[list(EVIDENCE_COLUMNS)].reset_index(drop=True)


def _as_set(values: str | Iterable[str] | None) -> set[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return {values}
    return {str(v) for v in values}


def search_text(evidence: pd.DataFrame) -> pd.Series:
    """Lower-cased text a free-text filter searches: summary, quote, names, event, source."""
    columns = [
        "summary",
        "quote",
        "actor_name",
        "issue_label",
        "event_name",
        "source_title",
        "source_publisher",
        "position_id",
    ]
    text = evidence[columns[0]].fillna("").astype(str)
    for column in columns[1:]:
        text = text + "\n" + evidence[column].fillna("").astype(str)
    return text.str.lower()


def filter_evidence(
    evidence: pd.DataFrame,
    *,
    actors: str | Iterable[str] | None = None,
    issues: str | Iterable[str] | None = None,
    events: str | Iterable[str] | None = None,
    source_types: str | Iterable[str] | None = None,
    confidence: str | Iterable[str] | None = None,
    text: str | None = None,
    start: object = None,
    end: object = None,
    haystack: pd.Series | None = None,
) -> pd.DataFrame:
    """Rows of an :func:`evidence_frame` that pass every filter given (None = no filter).

    ``text`` is matched case-insensitively as a plain substring (not a regex) in summary, quote,
    actor, issue, event and source names. ``start``/``end`` are inclusive dates. ``confidence``
    may hold :data:`schema.MISSING_CONFIDENCE` (``"unknown"``) to keep rows with no confidence.
    ``haystack`` is a precomputed :func:`search_text` of ``evidence`` (explorers keep one to
    make typing fast).
    """
    keep = np.ones(len(evidence), dtype=bool)
    for column, wanted in [
        ("actor_id", actors),
        ("issue_id", issues),
        ("event_id", events),
        ("source_type", source_types),
    ]:
        wanted = _as_set(wanted)
        if wanted is not None:
            keep &= evidence[column].isin(wanted).to_numpy(dtype=bool, na_value=False)
    wanted = _as_set(confidence)
    if wanted is not None:
        conf = evidence["confidence"].astype("object").where(evidence["confidence"].notna())
        conf = conf.fillna(schema.MISSING_CONFIDENCE)
        keep &= conf.isin(wanted).to_numpy(dtype=bool)
    start, end = _timestamp(start, "start"), _timestamp(end, "end")
    if start is not None:
        keep &= (evidence["date"] >= start).to_numpy(dtype=bool, na_value=False)
    if end is not None:
        keep &= (evidence["date"] <= end).to_numpy(dtype=bool, na_value=False)
    if text is not None and text.strip():
        haystack = search_text(evidence) if haystack is None else haystack
        found = haystack.str.contains(text.strip().lower(), regex=False)
        keep &= found.to_numpy(dtype=bool, na_value=False)
    return evidence[keep].reset_index(drop=True)


def evidence_table(neg, **filters) -> pd.DataFrame:
    """Positions with their evidence, filtered; one row per position, :data:`EVIDENCE_COLUMNS`.

    Keyword filters as in :func:`filter_evidence` (``actors``, ``issues``, ``events``,
    ``source_types``, ``confidence``, ``text``, ``start``, ``end``). With no filters this is
    the default view of :func:`negotiation_lib.widgets.evidence_explorer`.
    """
    return filter_evidence(evidence_frame(neg), **filters)


def hover_html(evidence: pd.DataFrame, *, width: int = 70) -> pd.Series:
    """One escaped hover label per evidence row (index kept).

    Shows date, actor, issue, stance and value (with its range), the summary, the quote, the
    source (publisher, title, linked to its URL) and the position id to cite
    (:func:`source_lines`). Long text is wrapped with ``<br>`` after escaping.
    """
    labels = []
    for row in evidence.itertuples(index=False):
        value = format_number(row.value)
        if not is_missing(row.value_low) or not is_missing(row.value_high):
            low = format_number(row.value if is_missing(row.value_low) else row.value_low)
            high = format_number(row.value if is_missing(row.value_high) else row.value_high)
            value = f"{value} (range {low}–{high})"
        has_quote = not is_missing(row.quote) and str(row.quote)
        lines = [
            f"<b>{escape(format_date(row.date))} · {wrap(row.actor_name, width, max_lines=2)}</b>",
            f"{wrap(row.issue_label, width, max_lines=2)}",
            f"{escape(row.stance)}, value {value}",
            f"Summary: {wrap(row.summary, width, max_lines=6)}",
            f"Quote: “{wrap(row.quote, width, max_lines=6)}”" if has_quote else "Quote: (none)",
            source_lines(row, width=width, max_lines=3),
        ]
        if not is_missing(row.status) and row.status != "asserted":
            lines.append(f"Status: {escape(row.status)}")
        labels.append("<br>".join(lines))
    return pd.Series(labels, index=evidence.index, dtype="object")


_EVIDENCE_HEADERS = {
    "date": "Date",
    "actor_name": "Actor",
    "issue_label": "Issue",
    "stance": "Stance",
    "value": "Value",
    "summary": "Summary",
    "quote": "Quote",
    "source_title": "Source",
    "source_type": "Type",
    "confidence": "Confidence",
}


def evidence_html(
    table: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    limit=200,
    rows: dict | None = None,
) -> str:
    """An HTML table of evidence rows (:func:`text.frame_html`: cells escaped by pandas), the
    source title and publisher linked to the source's URL when it is http(s).

    ``columns`` maps column -> header (defaults: date, actor, issue, stance, value, summary,
    quote, source, type, confidence). At most ``limit`` rows are written; a caption says how many
    positions there are in all. ``rows`` (with the default columns) is a dict the caller keeps:
    each position's ``<tr>`` is written once and then taken from it (the same HTML).
    """
    columns = dict(columns or _EVIDENCE_HEADERS)
    first = table.head(limit) if limit is not None else table
    if rows is None or "position_id" not in first or columns != _EVIDENCE_HEADERS:
        return _evidence_page(first, columns, total=len(table))
    ids = first["position_id"].astype(str).tolist()
    new = [i not in rows for i in ids]
    if any(new) or None not in rows:  # None holds the table's opening tag and head
        missing = first.iloc[np.flatnonzero(new)]
        page = _evidence_page(missing, columns, total=len(missing))
        head, body = page.split("<tbody>\n", 1)
        opening, rest = head.split("<caption>", 1)
        rows[None] = (opening, rest.split("</caption>", 1)[1])
        parts = body.split("    <tr>\n")[1:]
        if parts:
            parts[-1] = parts[-1].removesuffix("  </tbody>\n</table>")
        rows.update(zip(missing["position_id"].astype(str), parts, strict=True))
    opening, thead = rows[None]
    caption = f"{len(table)} position{'s' if len(table) != 1 else ''}"
    if len(first) < len(table):
        caption += f" (first {len(first)} shown)"
    return (
        f"{opening}<caption>{escape(caption)}</caption>{thead}<tbody>\n"
        + "".join("    <tr>\n" + rows[i] for i in ids)
        + "  </tbody>\n</table>"
    )


def _evidence_page(first: pd.DataFrame, columns: Mapping[str, str], *, total: int) -> str:
    shown = pd.DataFrame(
        {
            header: first[column] if column in first else pd.Series(pd.NA, index=first.index)
            for column, header in columns.items()
        }
    )
    links = {}
    if "source_title" in columns and "source_url" in first:
        header = columns["source_title"]
        publisher = _column(first, "source_publisher")
        named = publisher.notna() & (publisher.astype("object").map(str) != "")
        title = shown[header].astype("object").map(lambda v: "" if is_missing(v) else str(v))
        shown[header] = title.where(
            ~named, title + " (" + publisher.astype("object").map(str) + ")"
        )
        links[header] = first["source_url"].tolist()
    return frame_html(shown, limit=None, links=links, noun="position", total=total)


class _Snippets(Mapping):
    """Position id -> escaped hover lines, each built on first use and then kept."""

    def __init__(self, evidence: pd.DataFrame, width: int):
        firsts = evidence.drop_duplicates("position_id")
        self._rows = dict(zip(firsts["position_id"].astype(str), range(len(firsts)), strict=True))
        self._evidence, self._width, self._made = firsts, width, {}

    def __getitem__(self, position_id: str) -> str:
        if position_id not in self._made:
            self.prepare([position_id])
        return self._made[position_id]

    def prepare(self, position_ids: Iterable[str]) -> None:
        """Build the lines of every id given not built yet, in one pass."""
        missing = [i for i in set(position_ids) if i in self._rows and i not in self._made]
        if not missing:
            return
        rows = self._evidence.iloc[[self._rows[i] for i in missing]]
        for position_id, row in zip(missing, rows.itertuples(index=False), strict=True):
            self._made[position_id] = _snippet(row, self._width)

    def __contains__(self, position_id: object) -> bool:
        return position_id in self._rows

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _snippet(row, width: int) -> str:
    has_quote = not is_missing(row.quote) and str(row.quote)
    return "<br>".join(
        [
            f"{escape(row.stance)} ({escape(format_date(row.date))}):"
            f" {wrap(row.summary, width, max_lines=3)}",
            f"“{wrap(row.quote, width, max_lines=3)}”" if has_quote else "(no quote)",
            source_lines(row, width=width, max_lines=2),
        ]
    )


def _url_lines(url: str, width: int) -> str:
    """``url`` escaped, in lines of ``width`` characters (a URL has no spaces to wrap at)."""
    return "<br>".join(escape(url[i : i + width]) for i in range(0, len(url), width))


def source_lines(row, *, width: int = 70, max_lines: int = 3) -> str:
    """The escaped hover lines that say where a position comes from and how to cite it.

    ``row`` is an evidence row (:data:`EVIDENCE_COLUMNS`). ``Source: publisher, title``, then
    ``Link: <the source's URL>`` when it is http(s), whole (in lines of ``width``), then
    ``Cite: position <id>``. One place for every hover: statement labels (:func:`hover_html`)
    and gap labels (:func:`gap_hover`).

    The URL is text, not an ``<a>``: a link in a plotly hover label cannot be reached (the label
    goes when the pointer leaves the point) and makes plotly.js 3 throw on every mouse move over
    the label ("Cannot set property target of #<Event>"). The explorers' and the report's
    tables link each source."""
    source = ", ".join(
        str(part) for part in (row.source_publisher, row.source_title) if not is_missing(part)
    )
    source = source or ("" if is_missing(row.source_id) else str(row.source_id))
    lines = [f"Source: {wrap(source, width, max_lines=max_lines)}"]
    url = safe_url(row.source_url)
    if url is not None:
        lines.append(f"Link: {_url_lines(url, width)}")
    lines.append(f"Cite: position {escape(row.position_id)}")
    return "<br>".join(lines)


def position_snippets(evidence: pd.DataFrame, *, width: int = 70) -> Mapping[str, str]:
    """Escaped hover lines per position id (stance, date, summary, quote, source) for gap labels.

    A mapping that builds each position's lines on first use and keeps them: explorers hold one,
    so a control change only looks strings up, and building an explorer costs nothing per row.
    """
    return _Snippets(evidence, width)


def _memo(format_one):
    """``format_one`` remembering its answer per value (missing values are not remembered:
    NaN never equals itself)."""
    made: dict = {}

    def formatted(value):
        try:
            return made[value]
        except KeyError:
            made[value] = out = format_one(value)
            return out
        except TypeError:  # unhashable
            return format_one(value)

    return formatted


def gap_hover(
    gaps: pd.DataFrame,
    evidence: pd.DataFrame,
    neg,
    *,
    width: int = 70,
    snippets: Mapping[str, str] | None = None,
) -> pd.Series:
    """One escaped hover label per row of a ``compute_gaps`` frame (index kept).

    Shows the date, the issue, the gap with its interval, and for each actor its value, stance,
    summary, quote, linked source and position id to cite (looked up by ``position_id_a`` /
    ``position_id_b``).
    ``snippets`` is a precomputed :func:`position_snippets` of ``evidence``.
    """
    snippets = position_snippets(evidence, width=width) if snippets is None else snippets
    if isinstance(snippets, _Snippets):
        ids = pd.concat([gaps["position_id_a"], gaps["position_id_b"]]).dropna().astype(str)
        snippets.prepare(ids)
    names = actor_names(neg)
    labels = issue_labels(neg)
    out = []
    issue_titles = {i: wrap(label, width, max_lines=2) for i, label in labels.items()}
    actor_titles = {a: wrap(name, width, max_lines=1) for a, name in names.items()}
    columns = [
        "date",
        "issue_id",
        "gap",
        "gap_low",
        "gap_high",
        "actor_a",
        "value_a",
        "position_id_a",
        "actor_b",
        "value_b",
        "position_id_b",
    ]
    values = [gaps[c].tolist() for c in columns]  # plain lists: element access is costly
    # values and dates repeat a lot (a 0-100 scale): each distinct one is formatted once
    number = _memo(format_number)
    day = _memo(lambda d: escape(format_date(d)))
    for date, issue, gap, low, high, *sides in zip(*values, strict=True):
        shown = number(gap)
        if not shown:
            shown = "n/a (one side has no position)"
        elif number(low) != number(high):
            shown += f" (interval {number(low)}–{number(high)})"
        title = issue_titles.get(issue) or escape(issue)
        lines = [f"<b>{day(date)} · {title}</b>", f"Gap: {shown}"]
        for actor, value, pid in (sides[:3], sides[3:]):
            value = number(value) or "no position"
            lines.append(f"<b>{actor_titles.get(actor) or escape(actor)}: {value}</b>")
            if not is_missing(pid) and str(pid) in snippets:
                lines.append(snippets[str(pid)])
        out.append("<br>".join(lines))
    return pd.Series(out, index=gaps.index, dtype="object")
