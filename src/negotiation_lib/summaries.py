"""Small reading tables for notebooks and reports, built from the library's tidy frames.

Each function returns a DataFrame (or a sentence) meant to be displayed as it is: values are
rounded for reading, dates shown as ``YYYY-MM-DD``. They hold no logic the notebooks would
otherwise repeat in cells, and they are unit-tested in ``tests/test_summaries.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from . import ids, schema, text
from .gaps import _changes_at, _timestamps, compute_conflicts, compute_movement, compute_overall_gap
from .text import text_table

__all__ = [
    "compare_overall_gaps",
    "compare_positions",
    "describe_movement",
    "describe_overall_gap",
    "describe_third_party",
    "describe_variants",
    "environment_report",
    "evidence_profile",
    "filter_positions",
    "gap_extremes",
    "movement_by_issue",
    "movement_summary",
    "summarize",
    "summary_text",
    "third_party_distance",
]

_LOCK_FILE = Path(__file__).resolve().parents[2] / "requirements.lock"
_CORE_PACKAGES = ("pandas", "numpy", "plotly", "ipywidgets", "jupyterlab", "ipykernel", "nbval")


def environment_report(packages: Iterable[str] = _CORE_PACKAGES) -> pd.DataFrame:
    """Return one row per package: ``package``, ``locked`` (version in requirements.lock, or
    empty when the lock is not beside the package), ``installed`` and ``status``
    (``ok``, ``missing`` or ``differs from lock``)."""
    from importlib import metadata  # here, not at module level: it costs import time

    locked = {}
    if _LOCK_FILE.exists():
        for line in _LOCK_FILE.read_text(encoding="utf-8").splitlines():
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
            if match:
                locked[match[1].lower().replace("_", "-")] = match[2]
    rows = []
    for name in ["python", *packages]:
        if name == "python":
            import platform

            installed, wanted = platform.python_version(), ""
            status = "ok" if tuple(map(int, installed.split(".")[:2])) >= (3, 11) else "too old"
        else:
            wanted = locked.get(name, "")
            try:
                installed = metadata.version(name)
            except metadata.PackageNotFoundError:
                installed = ""
            if not installed:
                status = "missing"
            elif wanted and installed != wanted:
                status = "differs from lock"
            else:
                status = "ok"
        rows.append({"package": name, "locked": wanted, "installed": installed, "status": status})
    return pd.DataFrame(rows)


_CONFIDENCE_RANK = {level: rank for rank, level in enumerate(schema.CONFIDENCES)}
_WHICH = ("closest", "farthest", "latest")


def _row_groups(neg) -> dict[str, pd.DataFrame]:
    """Per position id, every row of ``neg.positions`` combined with it (same actor, issue and
    date), columns ``position_id``, ``confidence``, ``status``."""
    positions = neg.positions[["position_id", "actor_id", "issue_id", "date"]].copy()
    # missing grades are text (compared as text, never a truth value of NA)
    confidence = neg.positions["confidence"].astype("string")
    positions["confidence"] = confidence.fillna(schema.MISSING_CONFIDENCE)
    positions["status"] = neg.positions["status"].astype("string").fillna("")
    groups = {}
    for _, group in positions.groupby(["actor_id", "issue_id", "date"], observed=True):
        rows = group[["position_id", "confidence", "status"]].reset_index(drop=True)
        for pid in rows["position_id"]:
            groups[str(pid)] = rows
    return groups


def _robustness(groups: Mapping[str, pd.DataFrame], position_ids: Iterable) -> dict:
    """The evidence behind one answer resting on ``position_ids``: ``ids`` (the rows, comma
    separated), ``weakest`` (the weakest stated confidence, ``schema.MISSING_CONFIDENCE`` when
    none is stated) and ``flag`` (``""``, or which low-confidence or disputed rows it rests on)."""
    rows = [groups[str(p)] for p in position_ids if not pd.isna(p) and str(p) in groups]
    rows = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["position_id", "confidence", "status"])
    )
    stated = [c for c in rows["confidence"] if c in _CONFIDENCE_RANK]
    weakest = min(stated, key=_CONFIDENCE_RANK.__getitem__) if stated else schema.MISSING_CONFIDENCE
    weak = []
    for row in rows.itertuples(index=False):
        reasons = []
        if row.confidence in schema.LOW_CONFIDENCES:
            reasons.append("low confidence")
        if row.status == "disputed":
            reasons.append("disputed")
        if reasons:
            weak.append(f"{row.position_id} ({', '.join(reasons)})")
    flag = ""
    if len(weak) == 1:
        flag = f"rests on one weak row: {weak[0]}"
    elif weak:
        flag = "rests on weak rows: " + "; ".join(weak)
    return {"ids": ", ".join(map(str, rows["position_id"])), "weakest": weakest, "flag": flag}


def gap_extremes(gaps: pd.DataFrame, neg=None) -> pd.DataFrame:
    """Return one row per issue of a ``compute_gaps`` frame: the smallest and largest gap and the
    first date each was reached, and the latest gap. Columns ``issue_id``, ``closest``,
    ``closest_on``, ``farthest``, ``farthest_on``, ``latest``, ``latest_on``; sorted by
    ``latest`` (widest first).

    With the dataset ``neg``, each answer also says what it rests on: per answer ``<answer>_ids``
    (the position ids in force then, both sides, combined rows included), ``<answer>_weakest``
    (the weakest confidence among them) and ``<answer>_flag`` (empty, or the low-confidence or
    disputed rows it rests on: "rests on one weak row: p12 (low confidence)"), for ``closest``,
    ``farthest`` and ``latest``."""
    columns = [
        "issue_id",
        "closest",
        "closest_on",
        "farthest",
        "farthest_on",
        "latest",
        "latest_on",
    ]
    if neg is not None:
        columns += [f"{w}_{part}" for w in _WHICH for part in ("ids", "weakest", "flag")]
    if gaps.empty:
        return pd.DataFrame(columns=columns)
    ordered = gaps.sort_values(["issue_id", "date"], kind="stable")
    grouped = ordered.groupby("issue_id", sort=False, observed=True)
    rows = {
        "closest": ordered.loc[grouped["gap"].idxmin()].set_index("issue_id"),
        "farthest": ordered.loc[grouped["gap"].idxmax()].set_index("issue_id"),
        "latest": grouped.tail(1).set_index("issue_id"),
    }
    table = pd.DataFrame(
        {
            "closest": rows["closest"]["gap"],
            "closest_on": rows["closest"]["date"].map(text.format_date),
            "farthest": rows["farthest"]["gap"],
            "farthest_on": rows["farthest"]["date"].map(text.format_date),
            "latest": rows["latest"]["gap"],
            "latest_on": rows["latest"]["date"].map(text.format_date),
        }
    ).round(text.DECIMALS)
    if neg is not None:
        groups = _row_groups(neg)
        for which, chosen in rows.items():
            found = [
                _robustness(groups, [r.position_id_a, r.position_id_b]) for r in chosen.itertuples()
            ]
            for part in ("ids", "weakest", "flag"):
                table[f"{which}_{part}"] = [f[part] for f in found]
    table = table.reset_index()
    return table.sort_values(["latest", "issue_id"], ascending=[False, True], kind="stable")[
        columns
    ].reset_index(drop=True)


def describe_overall_gap(overall: pd.DataFrame, actor_a: str, actor_b: str) -> str:
    """Return one sentence on a ``compute_overall_gap`` frame: its first, widest, narrowest and
    latest value, each with its date and the number of issues it covers."""
    if overall.empty:
        return f"{actor_a} and {actor_b} never held positions on a common issue."

    def at(row) -> str:
        gap, on = text.format_number(row.gap), text.format_date(row.date)
        return f"{gap} on {on} ({row.n_issues} issues)"

    first, last = overall.iloc[0], overall.iloc[-1]
    widest = overall.loc[overall["gap"].idxmax()]
    narrowest = overall.loc[overall["gap"].idxmin()]
    return (
        f"The overall gap between {actor_a} and {actor_b} was {at(first)} at first, "
        f"widest at {at(widest)}, narrowest at {at(narrowest)}, and {at(last)} at the latest date."
    )


def describe_variants(overall_gaps: Mapping[str, pd.DataFrame], actor_a: str, actor_b: str) -> str:
    """Return one sentence comparing several labelled ``compute_overall_gap`` frames of the same
    pair (e.g. all rows and high-confidence rows only): each variant's latest value with its date
    and issue count, and the largest difference between the latest values."""
    parts, latest = [], {}
    for label, overall in overall_gaps.items():
        known = overall.dropna(subset=["gap"])
        if known.empty:
            parts.append(f"no common issue with {label}")
            continue
        row = known.iloc[-1]
        latest[label] = float(row.gap)
        parts.append(
            f"{text.format_number(row.gap)} on {text.format_date(row.date)}"
            f" ({row.n_issues} issues) with {label}"
        )
    sentence = f"The latest overall gap between {actor_a} and {actor_b} is " + "; ".join(parts)
    if len(latest) > 1:
        spread = max(latest.values()) - min(latest.values())
        sentence += f": the variants differ by {text.format_number(spread)} points"
    return sentence + "."


def describe_movement(summary: pd.DataFrame) -> str:
    """Return one sentence per actor of a :func:`movement_summary` table: toward which other
    actor it moved on the most issues, and on how many of the issues compared."""
    if summary.empty:
        return "No actor has positions at both dates."
    lines = []
    for actor, rows in summary.groupby("actor", sort=False):
        rows = rows[rows["issues_compared"] > 0]
        if rows.empty:
            lines.append(f"{actor}: no issue with values at both dates.")
            continue
        counts = ", ".join(
            f"toward {r.toward} on {r.toward_issues} of {r.issues_compared} issues "
            f"(away on {r.away_issues})"
            for r in rows.itertuples()
        )
        lines.append(f"{actor} moved {counts}.")
    return "\n".join(lines)


def describe_third_party(distance: pd.DataFrame, third: str) -> str:
    """Return one sentence per row of a :func:`third_party_distance` table: to which party
    ``third``'s positions stood closer on that date, by how much, and on how many issues."""
    parties = [c for c in distance.columns if c != "date" and not c.endswith(" · issues")]
    lines = []
    for row in distance.to_dict("records"):
        known = {p: row[p] for p in parties if not pd.isna(row[p])}
        if len(known) < 2:
            lines.append(f"{row['date']}: {third} shares issues with fewer than two parties.")
            continue
        ranked = sorted(known, key=known.get)
        near, far = ranked[0], ranked[-1]
        if known[near] == known[far]:
            lines.append(
                f"{row['date']}: {third} stood as far from each "
                f"({text.format_number(known[near])})."
            )
            continue
        lines.append(
            f"{row['date']}: {third} stood closer to {near} ({text.format_number(known[near])} "
            f"over {row[near + ' · issues']} issues) than to {far} "
            f"({text.format_number(known[far])} over "
            f"{row[far + ' · issues']} issues)."
        )
    return "\n".join(lines)


def _step_align(frames: Mapping[str, pd.DataFrame], value: str) -> pd.DataFrame:
    """Align several change-point frames on the union of their dates: per label, the ``value``
    in force at each date (NaN before its first change)."""
    dates = sorted(set().union(*(frame["date"] for frame in frames.values())))
    columns = {}
    for label, frame in frames.items():
        held = _changes_at(frame, dates, keys=[]).set_index("date")[value]
        columns[label] = held.reindex(dates)
    return pd.DataFrame(columns, index=pd.Index(dates))


def compare_overall_gaps(overall_gaps: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per date at which any of several ``compute_overall_gap`` frames changes:
    the ``date`` and, per labelled variant, its gap and the number of issues it covers
    (columns ``<label>`` and ``<label> · issues``), each carried forward between changes."""
    gaps = _step_align(overall_gaps, "gap").round(text.DECIMALS)
    counts = _step_align(overall_gaps, "n_issues").astype("Int64")
    table = pd.DataFrame(index=gaps.index)
    for label in overall_gaps:
        table[label] = gaps[label]
        table[f"{label} · issues"] = counts[label]
    table.index = [text.format_date(d) for d in table.index]
    table.index.name = "date"
    return table.reset_index()


def compare_positions(
    moments: Mapping[str, pd.DataFrame],
    *,
    actors: Iterable[str] | None = None,
    issues: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return one row per issue and one column per (moment, actor) with the value in force, from
    several ``positions_asof`` frames keyed by a label (e.g. the date). ``actors`` and
    ``issues`` default to every one in the frames (sorted)."""
    frames = list(moments.values())
    if actors is None:
        actors = sorted(set().union(*(set(f["actor_id"]) for f in frames)))
    if issues is None:
        issues = sorted(set().union(*(set(f["issue_id"]) for f in frames)))
    actors, issues = list(actors), list(issues)
    columns = {}
    for label, frame in moments.items():
        chosen = frame[frame["actor_id"].isin(actors) & frame["issue_id"].isin(issues)]
        values = chosen.groupby(["issue_id", "actor_id"], observed=True)["value"].mean()
        for actor in actors:
            columns[(label, actor)] = [values.get((issue, actor)) for issue in issues]
    table = pd.DataFrame(columns, index=pd.Index(issues, name="issue_id"), dtype="float64")
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["as of", "actor"])
    return table.round(text.DECIMALS)


def summarize(neg) -> pd.DataFrame:
    """Return one row per table of the dataset: ``table``, ``rows``, and for dated tables the
    ``first`` and ``last`` date."""
    rows = []
    for name, frame in neg.tables.items():
        row = {"table": name, "rows": len(frame), "first": "", "last": ""}
        if "date" in frame and len(frame):
            row["first"] = text.format_date(frame["date"].min())
            row["last"] = text.format_date(frame["date"].max())
        rows.append(row)
    return pd.DataFrame(rows)


def movement_summary(
    neg, *, actors: Iterable[str] | None = None, start=None, end=None
) -> pd.DataFrame:
    """Return one row per (actor, other listed actor): on how many issues the actor moved toward
    the other's position at ``start``, away from it, or did not move, between ``start`` and
    ``end``, counted from ``compute_movement`` (``toward_issues``: its boolean ``toward``
    column, concessions; the others: its ``movement`` column). Columns ``actor``, ``toward``
    (the other actor), ``issues_compared`` (issues where both values are known), ``toward_issues``,
    ``away_issues``, ``unmoved_issues``. ``actors`` default: the parties, then the mediators."""
    actors = ids.default_actors(neg) if actors is None else ids.check_actors(neg, actors)
    rows = []
    for actor in actors:
        others = [a for a in actors if a != actor]
        moves = compute_movement(neg, actor, start=start, end=end, others=others)
        moves = moves[moves["other_actor"].isin(others) & moves["movement"].notna()]
        for other in others:
            mine = moves[moves["other_actor"] == other]
            movement, toward = mine["movement"], mine["toward"]
            rows.append(
                {
                    "actor": actor,
                    "toward": other,
                    "issues_compared": len(movement),
                    "toward_issues": int(toward.sum()),
                    "away_issues": int((movement == "away").sum()),
                    "unmoved_issues": int((movement == "unmoved").sum()),
                }
            )
    return pd.DataFrame(rows)


def third_party_distance(
    neg, third: str, *, parties: Iterable[str] | None = None, dates=None
) -> pd.DataFrame:
    """Return one row per date: the overall gap from ``third`` to each of ``parties`` and the
    number of issues each covers (columns ``<party>`` and ``<party> · issues``). Without
    ``dates``, every date at which either gap changes. ``parties`` default: the dataset's
    parties (:func:`~negotiation_lib.ids.parties`) other than ``third``."""
    if parties is None:
        parties = [p for p in ids.parties(neg) if p != third]
    third, *parties = ids.check_actors(neg, [third, *parties])
    overall = {party: compute_overall_gap(neg, third, party) for party in parties}
    if dates is not None:
        wanted = _timestamps(dates, "dates")
        overall = {party: _changes_at(frame, wanted, keys=[]) for party, frame in overall.items()}
    return compare_overall_gaps(overall)


def evidence_profile(neg) -> pd.DataFrame:
    """Return one row per (source type, status, confidence) combination with the number of
    positions it covers, widest first."""
    joined = neg.positions.merge(
        neg.sources[["source_id", "source_type"]], on="source_id", how="left", validate="m:1"
    )
    keys = ["source_type", "status", "confidence"]
    counts = (
        joined.astype(dict.fromkeys(keys, "string"))
        .fillna({"source_type": "(none)", "status": "(none)"})
        .fillna({"confidence": schema.MISSING_CONFIDENCE})
        .groupby(keys)
        .size()
        .rename("positions")
        .reset_index()
    )
    return counts.sort_values(
        ["positions", *keys], ascending=[False, True, True, True]
    ).reset_index(drop=True)


def _truthy(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.lower().isin(["true", "yes", "1"])


def filter_positions(
    neg,
    *,
    confidence: Iterable[str] | None = None,
    status: Iterable[str] | None = None,
    source_types: Iterable[str] | None = None,
    exclude_mirrors: bool = False,
):
    """Return a copy of ``neg`` keeping only the positions that pass every given filter (the
    other tables are unchanged). ``exclude_mirrors`` drops positions whose source is marked in an
    ``is_mirror`` column of ``sources.csv`` (an extra column some datasets add)."""
    import dataclasses

    positions = neg.positions
    keep = pd.Series(True, index=positions.index)
    if confidence is not None:
        keep &= positions["confidence"].astype("string").isin(list(confidence)).fillna(False)
    if status is not None:
        keep &= positions["status"].astype("string").isin(list(status)).fillna(False)
    if source_types is not None or exclude_mirrors:
        sources = neg.sources.set_index("source_id")
        if source_types is not None:
            allowed = sources.index[
                sources["source_type"].astype("string").isin(list(source_types))
            ]
            keep &= positions["source_id"].isin(allowed)
        if exclude_mirrors:
            if "is_mirror" not in sources:
                raise ValueError(
                    "exclude_mirrors needs an 'is_mirror' column in sources.csv; "
                    f"dataset {neg.id!r} has none"
                )
            mirrors = sources.index[_truthy(sources["is_mirror"]).fillna(False).to_numpy()]
            keep &= ~positions["source_id"].isin(mirrors)
    return dataclasses.replace(neg, positions=positions[keep.to_numpy()].reset_index(drop=True))


def movement_by_issue(
    neg, actor: str, *, others: Iterable[str] | None = None, start=None, end=None
) -> pd.DataFrame:
    """Return one row per issue ``actor`` spoke to: its value at ``start`` and at ``end``, the
    ``change``, and per other actor a column ``toward <other>``: ``yes`` (``compute_movement``'s
    ``toward``: moved toward that actor's position at ``start``, or past it), ``no`` (moved away
    or did not move) or empty (a value is missing, e.g. no position yet at ``start``).
    ``others`` default: the parties and mediators other than ``actor``."""
    if others is None:
        others = [a for a in ids.default_actors(neg) if a != actor]
    others = ids.check_actors(neg, others)
    moves = compute_movement(neg, actor, start=start, end=end, others=others)
    table = (
        moves.drop_duplicates("issue_id")
        .set_index("issue_id")[["value_start", "value_end", "change"]]
        .rename(columns={"value_start": "from", "value_end": "to"})
    )
    for other in others:
        toward = moves[moves["other_actor"] == other].set_index("issue_id")["toward"]
        words = toward.map({True: "yes", False: "no"}).astype("string").fillna("")
        table[f"toward {other}"] = words.reindex(table.index).fillna("")
    return table.round(text.DECIMALS).reset_index()


def summary_text(neg) -> str:
    """A plain-text summary: title, version, row counts, date range, actors and issues."""
    p = neg.positions
    version = text.dataset_version(neg)
    named = f"{neg.id}, version {version}" if version else str(neg.id)
    lines = [f"{neg.title or neg.id} ({named})", f"folder: {neg.path}"]
    lines.append(
        "rows: "
        + ", ".join(
            f"{len(getattr(neg, t.name))} {t.name.replace('_', ' ')}" for t in schema.TABLES
        )
    )
    if len(p):
        first, last = p["date"].min(), p["date"].max()
        lines.append(f"positions from {text.format_date(first)} to {text.format_date(last)}")
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
    return text_table(frame, indent="  ", limits=dict.fromkeys(frame.columns, 60))
