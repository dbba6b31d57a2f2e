"""Coding consistency: the same content should get the same value, whoever says it.

``check_coding_consistency(neg)`` lists three kinds of finding in any dataset:

- ``same_content``: two positions on one issue whose quotes or summaries say the same thing
  (most content words of the shorter text appear in the longer) but whose values differ by more
  than the combined width of their ranges;
- ``off_anchor``: a value that is on none of its issue's anchors and has no range
  (``value_low``/``value_high``), unless the row names an ``amount`` in the unit of its issue's
  anchors (the value then follows from the amount by the contract's quantity rule, which
  ``validate`` checks);
- ``same_actor_date``: two positions of one actor on one issue and date whose values differ
  (neither value inside the other's range) where neither is ``disputed``.

A finding is ``explained`` when a note of one of its rows (``scale_note`` by default, an extra
column some datasets keep) names every other row of the finding by id; an ``off_anchor`` finding
when its row's note says why the value sits "between anchors".
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .load import Negotiation

__all__ = ["FINDING_COLUMNS", "check_coding_consistency", "content_overlap"]

FINDING_COLUMNS = [
    "kind",
    "issue_id",
    "position_ids",
    "values",
    "ranges",
    "reason",
    "explained",
]

# Words that say nothing about the content of a position (English function words).
_STOPWORD_TEXT = """
    a an the and or but if of to in on at by for from with without as into onto over under
    than then that this these those it its is are was were be been being has have had do does
    did will would shall should can could may might must not no nor so such also only very
    their they them there he she his her we our us you your i me my which who whom whose what
    when where while all any each other some more most about after before between during
    said says say"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> frozenset[str]:
    words = re.findall(r"[^\W_]+", str(text).lower())
    return frozenset(_stem(w) for w in words if w not in _STOPWORDS and len(w) > 1)


def content_overlap(a: str, b: str, *, min_words: int = 4) -> float:
    """Share (0–1) of the shorter text's content words found in the other text.

    0.0 when either text has fewer than ``min_words`` content words (too short to judge).
    """
    wa, wb = _content_words(a), _content_words(b)
    shorter = min(len(wa), len(wb))
    if shorter < min_words:
        return 0.0
    return len(wa & wb) / shorter


def _interval(row) -> tuple[float, float]:
    low = row.value_low if pd.notna(row.value_low) else row.value
    high = row.value_high if pd.notna(row.value_high) else row.value
    return float(min(low, row.value)), float(max(high, row.value))


def _range_text(row) -> str:
    if pd.isna(row.value_low) and pd.isna(row.value_high):
        return ""
    low, high = _interval(row)
    return f"{low:g}–{high:g}"


def _explained(rows: list, note_column: str | None) -> bool:
    if not note_column:
        return False
    if len(rows) == 1:
        return "between anchors" in str(getattr(rows[0], note_column, "") or "").lower()
    ids = [str(r.position_id) for r in rows]
    for r in rows:
        note = str(getattr(r, note_column, "") or "")
        others = [i for i in ids if i != str(r.position_id)]
        if others and all(re.search(rf"\b{re.escape(i)}\b", note) for i in others):
            return True
    return False


def _finding(kind: str, rows: list, reason: str, note_column: str | None) -> dict:
    return {
        "kind": kind,
        "issue_id": rows[0].issue_id,
        "position_ids": ", ".join(str(r.position_id) for r in rows),
        "values": ", ".join(f"{float(r.value):g}" for r in rows),
        "ranges": ", ".join(_range_text(r) or "-" for r in rows),
        "reason": reason,
        "explained": _explained(rows, note_column),
    }


def check_coding_consistency(
    neg: Negotiation,
    *,
    min_overlap: float = 0.8,
    min_words: int = 4,
    note_column: str | None = "scale_note",
) -> pd.DataFrame:
    """Findings of inconsistent coding in ``neg``'s positions; empty when there are none.

    One row per finding, columns: ``kind`` (``same_content``, ``off_anchor``,
    ``same_actor_date``), ``issue_id``, ``position_ids`` (comma-separated), ``values`` and
    ``ranges`` (one per position, ``-`` for none), ``reason`` (a sentence), ``explained``
    (a note of one row names the other rows). ``min_overlap``/``min_words`` tune how alike
    two texts must be to count as the same content (see :func:`content_overlap`);
    ``note_column`` is the positions column read for explanations (ignored when absent).
    """
    pos = neg.positions
    if note_column not in pos.columns:
        note_column = None
    pos = pos[pos["value"].notna()].sort_values("position_id", kind="stable")
    anchors = neg.scale_anchors
    anchor_values = {
        issue: {round(float(v), 6) for v in group["value"]}
        for issue, group in anchors.groupby("issue_id")
    }
    anchor_units = (
        {
            issue: set(group["unit"].dropna().astype(str))
            for issue, group in anchors.groupby("issue_id")
        }
        if "unit" in anchors.columns
        else {}
    )
    findings: list[dict] = []

    for row in pos.itertuples(index=False):
        on_issue = anchor_values.get(row.issue_id)
        if not on_issue or round(float(row.value), 6) in on_issue:
            continue
        amount, unit = getattr(row, "amount", None), getattr(row, "unit", None)
        if pd.notna(amount) and str(unit) in anchor_units.get(row.issue_id, set()):
            continue
        if pd.isna(row.value_low) and pd.isna(row.value_high):
            findings.append(
                _finding(
                    "off_anchor",
                    [row],
                    f"value {float(row.value):g} is on no anchor of {row.issue_id} and has "
                    "no range",
                    note_column,
                )
            )

    for _issue, group in pos.groupby("issue_id", sort=True):
        rows = list(group.itertuples(index=False))
        for a, b in combinations(rows, 2):
            (alow, ahigh), (blow, bhigh) = _interval(a), _interval(b)
            gap = abs(float(a.value) - float(b.value))
            if gap <= (ahigh - alow) + (bhigh - blow):
                continue
            overlap = max(
                content_overlap(a.quote, b.quote, min_words=min_words),
                content_overlap(a.summary, b.summary, min_words=min_words),
            )
            if overlap >= min_overlap:
                findings.append(
                    _finding(
                        "same_content",
                        [a, b],
                        f"quotes or summaries share {overlap:.0%} of their content words but "
                        f"the values differ by {gap:g}",
                        note_column,
                    )
                )

    undisputed = pos[pos["status"].astype(str) != "disputed"]
    for _key, group in undisputed.groupby(["actor_id", "issue_id", "date"], sort=True):
        rows = list(group.itertuples(index=False))
        for a, b in combinations(rows, 2):
            (alow, ahigh), (blow, bhigh) = _interval(a), _interval(b)
            if a.value == b.value or alow <= b.value <= ahigh or blow <= a.value <= bhigh:
                continue
            findings.append(
                _finding(
                    "same_actor_date",
                    [a, b],
                    f"{a.actor_id} on {pd.Timestamp(a.date).date()}: values "
                    f"{float(a.value):g} and {float(b.value):g}, neither disputed",
                    note_column,
                )
            )

    return pd.DataFrame(findings, columns=FINDING_COLUMNS)
