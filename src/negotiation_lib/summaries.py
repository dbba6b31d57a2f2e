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

DECIMALS = 1
_LOCK_FILE = Path(__file__).resolve().parents[2] / "requirements.lock"
_CORE_PACKAGES = ("pandas", "numpy", "plotly", "ipywidgets", "jupyterlab", "ipykernel", "nbval")


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


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


def gap_extremes(gaps: pd.DataFrame) -> pd.DataFrame:
    """Return one row per issue of a ``compute_gaps`` frame: the smallest and largest gap and the
    first date each was reached, and the latest gap. Columns ``issue_id``, ``closest``,
    ``closest_on``, ``farthest``, ``farthest_on``, ``latest``, ``latest_on``; sorted by
    ``latest`` (widest first)."""
    columns = [
        "issue_id",
        "closest",
        "closest_on",
        "farthest",
        "farthest_on",
        "latest",
        "latest_on",
    ]
    if gaps.empty:
        return pd.DataFrame(columns=columns)
    ordered = gaps.sort_values(["issue_id", "date"], kind="stable")
    grouped = ordered.groupby("issue_id", sort=False, observed=True)
    closest = ordered.loc[grouped["gap"].idxmin()].set_index("issue_id")
    farthest = ordered.loc[grouped["gap"].idxmax()].set_index("issue_id")
    latest = grouped.tail(1).set_index("issue_id")
    table = pd.DataFrame(
        {
            "closest": closest["gap"],
            "closest_on": closest["date"].map(_day),
            "farthest": farthest["gap"],
            "farthest_on": farthest["date"].map(_day),
            "latest": latest["gap"],
            "latest_on": latest["date"].map(_day),
        }
    )
    table = table.round(DECIMALS).reset_index()
    return table.sort_values(["latest", "issue_id"], ascending=[False, True], kind="stable")[
        columns
    ].reset_index(drop=True)


def describe_overall_gap(overall: pd.DataFrame, actor_a: str, actor_b: str) -> str:
    """Return one sentence on a ``compute_overall_gap`` frame: its first, widest, narrowest and
    latest value, each with its date and the number of issues it covers."""
    if overall.empty:
        return f"{actor_a} and {actor_b} never held positions on a common issue."

    def at(row) -> str:
        return f"{row.gap:.{DECIMALS}f} on {_day(row.date)} ({row.n_issues} issues)"

    first, last = overall.iloc[0], overall.iloc[-1]
    widest = overall.loc[overall["gap"].idxmax()]
    narrowest = overall.loc[overall["gap"].idxmin()]
    return (
        f"The overall gap between {actor_a} and {actor_b} was {at(first)} at first, "
        f"widest at {at(widest)}, narrowest at {at(narrowest)}, and {at(last)} at the latest date."
    )


def _step_align(frames: Mapping[str, pd.DataFrame], value: str) -> pd.DataFrame:
    """Align several date-indexed step series on the union of their dates (a value holds until
    the next one)."""
    series = {
        label: frame.drop_duplicates("date", keep="last").set_index("date")[value]
        for label, frame in frames.items()
    }
    dates = sorted(set().union(*(s.index for s in series.values())))
    return pd.DataFrame({label: s.reindex(dates).ffill() for label, s in series.items()})


def compare_overall_gaps(overall_gaps: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per date at which any of several ``compute_overall_gap`` frames changes:
    the ``date`` and, per labelled variant, its gap and the number of issues it covers
    (columns ``<label>`` and ``<label> · issues``), each carried forward between changes."""
    gaps = _step_align(overall_gaps, "gap").round(DECIMALS)
    counts = _step_align(overall_gaps, "n_issues").astype("Int64")
    table = pd.DataFrame(index=gaps.index)
    for label in overall_gaps:
        table[label] = gaps[label]
        table[f"{label} · issues"] = counts[label]
    table.index = [_day(d) for d in table.index]
    table.index.name = "date"
    return table.reset_index()


def compare_positions(
    moments: Mapping[str, pd.DataFrame], *, actors: Iterable[str], issues: Iterable[str]
) -> pd.DataFrame:
    """Return one row per issue and one column per (moment, actor) with the value in force, from
    several ``positions_asof`` frames keyed by a label (e.g. the date)."""
    actors, issues = list(actors), list(issues)
    columns = {}
    for label, frame in moments.items():
        chosen = frame[frame["actor_id"].isin(actors) & frame["issue_id"].isin(issues)]
        values = chosen.groupby(["issue_id", "actor_id"], observed=True)["value"].mean()
        for actor in actors:
            columns[(label, actor)] = [values.get((issue, actor)) for issue in issues]
    table = pd.DataFrame(columns, index=pd.Index(issues, name="issue_id"), dtype="float64")
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["as of", "actor"])
    return table.round(DECIMALS)


def summarize(neg) -> pd.DataFrame:
    """Return one row per table of the dataset: ``table``, ``rows``, and for dated tables the
    ``first`` and ``last`` date."""
    rows = []
    for name, frame in neg.tables.items():
        row = {"table": name, "rows": len(frame), "first": "", "last": ""}
        if "date" in frame and len(frame):
            row["first"], row["last"] = _day(frame["date"].min()), _day(frame["date"].max())
        rows.append(row)
    return pd.DataFrame(rows)


def movement_summary(neg, *, actors: Iterable[str], start=None, end=None) -> pd.DataFrame:
    """Return one row per (actor, other listed actor): on how many issues the actor moved toward
    the other's position at ``start``, away from it, or did not move, between ``start`` and
    ``end`` (``toward`` as ``compute_movement`` decides it). Columns ``actor``, ``toward`` (the
    other actor), ``issues_compared`` (issues where both values are known), ``toward_issues``,
    ``away_issues``, ``unmoved_issues``."""
    from .gaps import compute_movement

    actors = list(actors)
    rows = []
    for actor in actors:
        others = [a for a in actors if a != actor]
        moves = compute_movement(neg, actor, start=start, end=end, others=others)
        moves = moves[moves["other_actor"].isin(others) & moves["toward"].notna()]
        for other in others:
            pair = moves[moves["other_actor"] == other]
            moved = pair["change"] != 0
            toward = pair["toward"].astype(bool)  # compute_movement's rule, not a second one
            rows.append(
                {
                    "actor": actor,
                    "toward": other,
                    "issues_compared": len(pair),
                    "toward_issues": int((moved & toward).sum()),
                    "away_issues": int((moved & ~toward).sum()),
                    "unmoved_issues": int((~moved).sum()),
                }
            )
    return pd.DataFrame(rows)


def third_party_distance(neg, third: str, *, parties: Iterable[str], dates=None) -> pd.DataFrame:
    """Return one row per date: the overall gap from ``third`` to each of ``parties`` and the
    number of issues each covers (columns ``<party>`` and ``<party> · issues``). Without
    ``dates``, every date at which either gap changes."""
    from .gaps import compute_overall_gap

    overall = {party: compute_overall_gap(neg, third, party) for party in parties}
    table = compare_overall_gaps(overall)
    if dates is None:
        return table
    wanted = [_day(d) for d in dates]
    aligned = table.set_index("date").sort_index()
    picked = aligned.reindex(sorted(set(aligned.index) | set(wanted))).ffill().loc[wanted]
    return picked.reset_index()


def evidence_profile(neg) -> pd.DataFrame:
    """Return one row per (source type, status, confidence) combination with the number of
    positions it covers, widest first."""
    joined = neg.positions.merge(
        neg.sources[["source_id", "source_type"]], on="source_id", how="left", validate="m:1"
    )
    keys = ["source_type", "status", "confidence"]
    counts = (
        joined.astype(dict.fromkeys(keys, "string"))
        .fillna(dict.fromkeys(keys, "(none)"))
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
    neg, actor: str, *, others: Iterable[str], start=None, end=None
) -> pd.DataFrame:
    """Return one row per issue ``actor`` spoke to: its value at ``start`` and at ``end``, the
    ``change``, and per other actor a column ``toward <other>``: ``yes`` (moved toward that
    actor's position at ``start``), ``no`` (moved away or did not move) or empty (a value is
    missing, e.g. no position yet at ``start``). A compact view of ``compute_movement``."""
    from .gaps import compute_movement

    others = list(others)
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
    return table.round(DECIMALS).reset_index()
