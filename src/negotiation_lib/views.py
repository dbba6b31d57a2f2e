"""Pure helpers behind the figures and explorers: joined evidence, filters, escaped text.

Nothing here imports plotly or ipywidgets, so every function can be tested (and reused in a
notebook table) on its own. Every string that comes from a dataset and is meant for display
passes through :func:`escape` (or :func:`wrap`) here, before plotly or a browser sees it:
plotly renders hover labels, titles and tick labels as a subset of HTML.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

# Used for actors whose `color` is empty (Okabe-Ito, readable by colour-blind viewers).
FALLBACK_COLORS = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)

# Issue colours for per-issue traces (plotly's D3 / Tableau 10 order, fixed here so that
# stored figures do not depend on the template's colourway).
ISSUE_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

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

SAFE_URL_SCHEMES = ("http://", "https://")


# --- text ---------------------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas NA (and for nothing else)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes are not missing
        return False


def escape(value: object) -> str:
    """Return ``value`` as HTML-escaped text (``&``, ``<``, ``>``); missing values become ``""``.

    Quotes are left as they are: they are harmless in text, and plotly's label renderer does not
    decode ``&quot;`` (it would show literally). Attribute values use :func:`escape_attribute`.
    """
    if is_missing(value):
        return ""
    return html.escape(str(value), quote=False)


def escape_attribute(value: object) -> str:
    """HTML-escape ``value`` for use inside a double-quoted attribute (quotes escaped too)."""
    if is_missing(value):
        return ""
    return html.escape(str(value), quote=True)


def wrap(value: object, width: int = 60, *, max_lines: int | None = None) -> str:
    """Escape ``value`` and break it into lines of at most ``width`` characters joined by ``<br>``.

    The text is split on the raw string and each line escaped afterwards, so a ``<br>`` never
    lands inside an escaped entity; the only markup in the result is the ``<br>`` we add.
    With ``max_lines`` the text is cut and ends with an ellipsis.
    """
    if is_missing(value):
        return ""
    lines = textwrap.wrap(str(value), width=width, break_long_words=True) or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + " …"
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def safe_url(value: object) -> str | None:
    """Return the URL if it is an http(s) address, else None (``javascript:`` and friends)."""
    if is_missing(value):
        return None
    url = str(value).strip()
    return url if url.lower().startswith(SAFE_URL_SCHEMES) else None


def format_date(value: object) -> str:
    """ISO date ``YYYY-MM-DD`` or ``""`` when missing."""
    if is_missing(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def format_number(value: object, digits: int = 2) -> str:
    """A number rounded to ``digits`` decimals without trailing zeros, or ``""`` when missing."""
    if is_missing(value):
        return ""
    rounded = round(float(value), digits)
    text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --- dataset-level lookups ------------------------------------------------------------------


def dataset_label(neg) -> str:
    """The escaped provenance line every figure carries, e.g. ``Data: ru-ua-2022-2026 v1.0.0``."""
    return f"Data: {escape(neg.id)} v{escape(neg.version)}"


def actor_order(neg) -> list[str]:
    """Actor ids in the order of actors.csv (the order of traces and legends)."""
    return [str(a) for a in neg.actors["actor_id"]]


def actor_names(neg) -> dict[str, str]:
    """Raw (unescaped) actor names by id; the id itself where the name is missing."""
    names = {}
    for actor_id, name in zip(neg.actors["actor_id"], neg.actors["name"], strict=True):
        names[str(actor_id)] = str(actor_id) if is_missing(name) else str(name)
    return names


def actor_colors(neg) -> dict[str, str]:
    """Colour per actor id: ``actors.color`` where given, else a fixed fallback palette.

    Fallback colours are handed out in actors.csv order, so they are stable run to run.
    """
    colors: dict[str, str] = {}
    given = neg.actors["color"] if "color" in neg.actors else pd.Series(pd.NA, neg.actors.index)
    spare = iter(FALLBACK_COLORS * (len(neg.actors) // len(FALLBACK_COLORS) + 1))
    for actor_id, color in zip(neg.actors["actor_id"], given, strict=True):
        colors[str(actor_id)] = str(color) if not is_missing(color) and str(color) else next(spare)
    return colors


def issue_order(neg) -> list[str]:
    """Issue ids sorted by ``issues.order`` (then file order)."""
    issues = neg.issues.reset_index(drop=True)
    if "order" in issues:
        key = pd.to_numeric(issues["order"], errors="coerce")
        issues = issues.assign(_order=key, _pos=range(len(issues)))
        issues = issues.sort_values(["_order", "_pos"], na_position="last", kind="stable")
    return [str(i) for i in issues["issue_id"]]


def issue_labels(neg) -> dict[str, str]:
    """Raw (unescaped) issue labels by id."""
    return {
        str(i): (str(i) if is_missing(label) else str(label))
        for i, label in zip(neg.issues["issue_id"], neg.issues["label"], strict=True)
    }


def issue_row(neg, issue_id: str) -> pd.Series:
    """The issues.csv row for ``issue_id``; raises KeyError naming the known ids when unknown."""
    match = neg.issues[neg.issues["issue_id"] == issue_id]
    if match.empty:
        known = ", ".join(map(str, neg.issues["issue_id"]))
        raise KeyError(f"unknown issue_id {issue_id!r}; known: {known}")
    return match.iloc[0]


def check_actors(neg, actors: Iterable[str]) -> list[str]:
    """Return ``actors`` as a list; raise KeyError naming the known ids if one is unknown."""
    actors = [str(a) for a in actors]
    known = set(actor_order(neg))
    unknown = [a for a in actors if a not in known]
    if unknown:
        raise KeyError(f"unknown actor_id {unknown}; known: {', '.join(actor_order(neg))}")
    return actors


def anchor_table(neg, issue_id: str) -> pd.DataFrame:
    """The scale anchors of one issue, one row per named point: ``value``, ``label``.

    The two ends of the scale (``low_label`` at 0, ``high_label`` at 100) are added when the
    codebook has no anchor there. Sorted by value.
    """
    row = issue_row(neg, issue_id)
    anchors = neg.scale_anchors
    table = anchors.loc[anchors["issue_id"] == issue_id, ["value", "label"]].copy()
    ends = [(0.0, row["low_label"]), (100.0, row["high_label"])]
    extra = [{"value": v, "label": lab} for v, lab in ends if not (table["value"] == v).any()]
    if extra:
        table = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    table["value"] = table["value"].astype("float64")
    return table.sort_values("value", kind="stable").reset_index(drop=True)


# --- evidence -------------------------------------------------------------------------------


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
    may hold ``"unknown"`` to keep rows with no confidence. ``haystack`` is a precomputed
    :func:`search_text` of ``evidence`` (explorers keep one to make typing fast).
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
        conf = conf.fillna("unknown")
        keep &= conf.isin(wanted).to_numpy(dtype=bool)
    if start is not None:
        keep &= (evidence["date"] >= pd.Timestamp(start)).to_numpy(dtype=bool, na_value=False)
    if end is not None:
        keep &= (evidence["date"] <= pd.Timestamp(end)).to_numpy(dtype=bool, na_value=False)
    if text is not None and text.strip():
        haystack = search_text(evidence) if haystack is None else haystack
        found = haystack.str.contains(text.strip().lower(), regex=False)
        keep &= found.to_numpy(dtype=bool, na_value=False)
    return evidence[keep].reset_index(drop=True)


def evidence_table(neg, **filters) -> pd.DataFrame:
    """Positions with their evidence, filtered; one row per position, :data:`EVIDENCE_COLUMNS`.

    Keyword filters as in :func:`filter_evidence` (``actors``, ``issues``, ``events``,
    ``source_types``, ``confidence``, ``text``, ``start``, ``end``). With no filters this is
    the default view of :func:`negotiation_lib.widgets.evidence_browser`.
    """
    return filter_evidence(evidence_frame(neg), **filters)


def hover_html(evidence: pd.DataFrame, *, width: int = 70) -> pd.Series:
    """One escaped hover label per evidence row (index kept).

    Shows date, actor, issue, stance and value (with its range), the summary, the quote and the
    source (publisher, title). Long text is wrapped with ``<br>`` after escaping.
    """
    labels = []
    for row in evidence.itertuples(index=False):
        value = format_number(row.value)
        if not is_missing(row.value_low) or not is_missing(row.value_high):
            low = format_number(row.value if is_missing(row.value_low) else row.value_low)
            high = format_number(row.value if is_missing(row.value_high) else row.value_high)
            value = f"{value} (range {low}–{high})"
        source = ", ".join(
            str(part) for part in (row.source_publisher, row.source_title) if not is_missing(part)
        )
        has_quote = not is_missing(row.quote) and str(row.quote)
        lines = [
            f"<b>{escape(format_date(row.date))} · {wrap(row.actor_name, width, max_lines=2)}</b>",
            f"{wrap(row.issue_label, width, max_lines=2)}",
            f"{escape(row.stance)}, value {value}",
            f"Summary: {wrap(row.summary, width, max_lines=6)}",
            f"Quote: “{wrap(row.quote, width, max_lines=6)}”" if has_quote else "Quote: (none)",
            f"Source: {wrap(source or row.source_id, width, max_lines=3)}",
        ]
        if not is_missing(row.status) and row.status != "asserted":
            lines.append(f"Status: {escape(row.status)}")
        labels.append("<br>".join(lines))
    return pd.Series(labels, index=evidence.index, dtype="object")


def evidence_html(
    table: pd.DataFrame, *, columns: Mapping[str, str] | None = None, limit=200
) -> str:
    """An escaped HTML table of evidence rows, the source title linked to its (http) URL.

    ``columns`` maps column -> header (defaults: date, actor, issue, stance, value, summary,
    quote, source, type, confidence). At most ``limit`` rows are written; a caption says how many
    rows there are in all. Every cell is escaped; only http(s) URLs become links.
    """
    columns = dict(
        columns
        or {
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
    )
    shown = table.head(limit) if limit is not None else table
    caption = f"{len(table)} position{'s' if len(table) != 1 else ''}"
    if len(shown) < len(table):
        caption += f" (first {len(shown)} shown)"
    head = "".join(f"<th>{escape(h)}</th>" for h in columns.values())
    body = []
    get = {c: shown[c].tolist() if c in shown else [None] * len(shown) for c in columns}
    urls = shown["source_url"].tolist() if "source_url" in shown else [None] * len(shown)
    publishers = (
        shown["source_publisher"].tolist() if "source_publisher" in shown else [None] * len(shown)
    )
    for i in range(len(shown)):
        cells = []
        for column in columns:
            value = get[column][i]
            if column == "date":
                text = escape(format_date(value))
            elif column in {"value", "value_low", "value_high"}:
                text = escape(format_number(value))
            elif column == "source_title":
                url = safe_url(urls[i])
                text = escape(value)
                if url:
                    href = escape_attribute(url)
                    link = f'<a href="{href}" target="_blank" rel="noopener noreferrer">'
                    text = f"{link}{text}</a>"
                if not is_missing(publishers[i]) and str(publishers[i]):
                    text += f" ({escape(publishers[i])})"
            else:
                text = escape(value)
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="nl-data-table">'
        f"<caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def frame_html(frame: pd.DataFrame, *, limit: int | None = 200, digits: int = 2) -> str:
    """Any DataFrame as an escaped HTML table (numbers rounded, dates as ISO days)."""
    shown = frame.head(limit) if limit is not None else frame
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    rows = []
    for values in shown.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, values, strict=True):
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                text = format_date(value)
            elif pd.api.types.is_float_dtype(frame[column]):
                text = format_number(value, digits)
            else:
                text = "" if is_missing(value) else str(value)
            cells.append(f"<td>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"{len(frame)} row{'s' if len(frame) != 1 else ''}"
    if len(shown) < len(frame):
        caption += f" (first {len(shown)} shown)"
    return (
        f'<table class="nl-data-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def message_html(message: str) -> str:
    """An escaped notice for the explorers (``""`` for no message)."""
    if not message:
        return ""
    return f'<div class="nl-message-text" role="status">{escape(message)}</div>'


# --- positions over time --------------------------------------------------------------------

#: Marker symbol per stance in the figures (the hover names the stance too).
STANCE_SYMBOLS = {
    "demand": "circle",
    "counter": "circle-open",
    "offer": "diamond",
    "proposal": "square",
    "red_line": "x",
    "concession": "triangle-down",
    "rejection": "cross",
    "agreement": "star",
}


def position_steps(statements: pd.DataFrame, *, until: object = None) -> pd.DataFrame:
    """The step line of one actor on one issue from its statements (evidence rows).

    One row per distinct statement date, sorted: ``date``, ``value``, ``value_low``,
    ``value_high`` (a missing bound is the value itself). Several statements on the same date
    (different sources) are combined as the mean value, and the band spans the lowest low and
    the highest high of them, so a conflict widens the band instead of hiding. With ``until``
    a last row repeats the final value at that date (the position holds until restated).
    Values are rounded to 2 decimals.
    """
    frame = statements.assign(
        value_low=statements["value_low"].fillna(statements["value"]),
        value_high=statements["value_high"].fillna(statements["value"]),
    )
    steps = (
        frame.groupby("date", sort=True)
        .agg(
            value=("value", "mean"),
            value_low=("value_low", "min"),
            value_high=("value_high", "max"),
        )
        .reset_index()
    )
    if until is not None and not steps.empty:
        until = pd.Timestamp(until)
        if until > steps["date"].iloc[-1]:
            last = steps.iloc[[-1]].assign(date=until)
            steps = pd.concat([steps, last], ignore_index=True)
    return steps.round({"value": 2, "value_low": 2, "value_high": 2})


# --- gaps -----------------------------------------------------------------------------------


def position_snippets(evidence: pd.DataFrame, *, width: int = 70) -> dict[str, str]:
    """Escaped hover lines per position id (stance, date, summary, quote, source) for gap labels.

    Explorers build this once, so a control change only looks strings up.
    """
    snippets = {}
    for row in evidence.drop_duplicates("position_id").itertuples(index=False):
        source = ", ".join(
            str(part) for part in (row.source_publisher, row.source_title) if not is_missing(part)
        )
        has_quote = not is_missing(row.quote) and str(row.quote)
        snippets[str(row.position_id)] = "<br>".join(
            [
                f"{escape(row.stance)} ({escape(format_date(row.date))}):"
                f" {wrap(row.summary, width, max_lines=3)}",
                f"“{wrap(row.quote, width, max_lines=3)}”" if has_quote else "(no quote)",
                f"Source: {wrap(source or row.source_id, width, max_lines=2)}",
            ]
        )
    return snippets


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
    summary, quote and source (looked up by ``position_id_a`` / ``position_id_b``).
    ``snippets`` is a precomputed :func:`position_snippets` of ``evidence``.
    """
    snippets = position_snippets(evidence, width=width) if snippets is None else snippets
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
    for date, issue, gap, low, high, *sides in zip(*(gaps[c] for c in columns), strict=True):
        shown = format_number(gap)
        if not shown:
            shown = "n/a (one side has no position)"
        elif format_number(low) != format_number(high):
            shown += f" (interval {format_number(low)}–{format_number(high)})"
        title = issue_titles.get(issue) or escape(issue)
        lines = [f"<b>{escape(format_date(date))} · {title}</b>", f"Gap: {shown}"]
        for actor, value, pid in (sides[:3], sides[3:]):
            value = format_number(value) or "no position"
            lines.append(f"<b>{actor_titles.get(actor) or escape(actor)}: {value}</b>")
            if not is_missing(pid) and str(pid) in snippets:
                lines.append(snippets[str(pid)])
        out.append("<br>".join(lines))
    return pd.Series(out, index=gaps.index, dtype="object")


def clip_steps(
    frame: pd.DataFrame, *, keys: list[str], start: object = None, end: object = None
) -> pd.DataFrame:
    """Rows of a change-point frame (one row per date at which a value changes) in a window.

    The last row before ``start`` in each ``keys`` group is kept and moved to ``start`` (unless
    the group changes exactly at ``start``), so a step line opens with the value that held
    then. Rows after ``end`` are dropped. Returned sorted by ``keys`` then date.
    """
    if frame.empty:
        return frame
    dates = frame["date"]
    start = None if start is None else pd.Timestamp(start)
    end = None if end is None else pd.Timestamp(end)
    if (start is None or start <= dates.min()) and (end is None or end >= dates.max()):
        return frame  # the window holds every change: nothing to clip
    ordered = frame.sort_values([*keys, "date"], kind="stable").reset_index(drop=True)
    day = ordered["date"].to_numpy()
    keep = np.ones(len(ordered), dtype=bool)
    if end is not None:
        keep &= day <= end.to_datetime64()
    carried = np.zeros(len(ordered), dtype=bool)
    if start is not None:
        begin = start.to_datetime64()
        before = day < begin
        if keys:
            group = ordered.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
        else:
            group = np.zeros(len(ordered), dtype=np.int64)
        same_next = np.append(group[1:] == group[:-1], False)
        next_before = np.append(before[1:], False)
        next_at_start = np.append(day[1:] == begin, False)
        # the last row before start in its group, unless the group changes exactly at start
        carried = before & ~(same_next & next_before) & ~(same_next & next_at_start)
        keep &= ~before
        keep |= carried & (day <= begin)
    out = ordered[keep].copy()
    if carried.any():
        out.loc[carried[keep], "date"] = start
    return out.reset_index(drop=True)


def gaps_on_grid(gaps: pd.DataFrame, dates) -> pd.DataFrame:
    """The gap per issue as of each date in ``dates`` (the heatmap's cells).

    ``gaps`` is a ``compute_gaps`` frame (change points). One row per (date, issue):
    the row of ``gaps`` in force at that date (its latest change on or before it) with ``date``
    set to the grid date; issues with no change yet at a date are left out.
    """
    grid = pd.DataFrame({"date": pd.to_datetime(pd.Index(dates)).astype(gaps["date"].dtype)})
    if gaps.empty or grid.empty:
        return gaps.iloc[0:0]
    parts = []
    for _, group in gaps.groupby("issue_id", sort=False):
        group = group.sort_values("date", kind="stable").drop_duplicates("date", keep="last")
        merged = pd.merge_asof(
            grid,
            group.rename(columns={"date": "changed"}),
            left_on="date",
            right_on="changed",
            direction="backward",
        )
        parts.append(merged.dropna(subset=["issue_id"]).drop(columns="changed"))
    return pd.concat(parts, ignore_index=True)
