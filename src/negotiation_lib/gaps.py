"""Positions as of a date, gaps between two actors, the overall gap, movement, conflicts.

Vectorised pandas/numpy (an as-of join on sorted integer keys with ``searchsorted``, grouped
shifts and cumulative sums; no Python loops over dates or rows).

**Holding a position.** A position stated at date ``d`` holds from ``d`` until the same actor
states a new one on the same issue ("as of" semantics). ``max_age`` caps how long it is carried:
it is in force at ``t`` only while ``t - d <= max_age`` (an int/float is a number of days, or
anything ``pandas.Timedelta`` accepts, e.g. ``"180D"``). ``carry_forward=False`` means a
position holds only on its own date (the same as ``max_age=0``).

**Several rows for the same (actor, issue, date)** (e.g. two sources) are combined by one rule:
``value`` is the mean of their values, ``value_low`` the smallest and ``value_high`` the largest
of their interval ends (a row without a range counts as ``[value, value]``), ``salience`` the
mean of the given saliences; every other column (``position_id``, ``stance``, ``quote``,
``source_id`` ...) is taken from the first of the rows in file order. The combined row carries
``n_rows`` (how many rows it stands for) and ``position_ids`` (all of their ids, joined by
``;``). :func:`compute_conflicts` lists the groups whose values or ranges differ.

**Gap** between ``a`` and ``b`` on an issue: ``|value_a - value_b|``; with ranges the interval
``[max(0, low_b - high_a, low_a - high_b), max(high_b - low_a, high_a - low_b)]`` (``gap_low``,
``gap_high``), where a position without a range has ``low = high = value``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .load import Negotiation

__all__ = [
    "combined_positions",
    "compute_conflicts",
    "compute_gaps",
    "compute_movement",
    "compute_overall_gap",
    "positions_asof",
]

_KEYS = ["actor_id", "issue_id", "date"]
_NUMERIC_COLUMNS = [*_KEYS, "position_id", "value", "value_low", "value_high", "salience"]
_DAY = pd.Timedelta(days=1)
_ROUND = 9  # decimals kept after summing many float deltas (removes 1e-13 residue)


# --------------------------------------------------------------------------------------------
# helpers


def _timestamp(value: Any, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{name} must be a date, got {value!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize().as_unit("us")


def _age_limit(carry_forward: bool, max_age: Any) -> pd.Timedelta | None:
    """How long a position holds after its date; ``None`` means until replaced."""
    if not carry_forward:
        return pd.Timedelta(0)
    if max_age is None:
        return None
    limit = (
        pd.Timedelta(days=float(max_age))
        if isinstance(max_age, int | float | np.integer | np.floating)
        else pd.Timedelta(max_age)
    )
    if pd.isna(limit) or limit < pd.Timedelta(0):
        raise ValueError(f"max_age must be a non-negative duration, got {max_age!r}")
    return limit


def _as_list(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return list(values)


def _check_actor(neg: Negotiation, actor: str) -> None:
    if not (neg.actors["actor_id"] == actor).any():
        known = ", ".join(neg.actors["actor_id"].astype(str))
        raise ValueError(f"unknown actor {actor!r} (actors: {known})")


def _check_issues(neg: Negotiation, issues: list[str] | None) -> None:
    if issues is None:
        return
    unknown = sorted(set(issues) - set(neg.issues["issue_id"]))
    if unknown:
        known = ", ".join(neg.issues["issue_id"].astype(str))
        raise ValueError(f"unknown issue(s) {', '.join(unknown)} (issues: {known})")


def combined_positions(
    neg: Negotiation,
    *,
    actors: Iterable[str] | None = None,
    issues: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Positions with several rows for one (actor, issue, date) combined by the module's rule.

    One row per (actor, issue, date), in file order of each group's first row. Columns: every
    positions column (``value_low``/``value_high`` filled with ``value`` where no range is
    given), plus ``n_rows`` and ``position_ids``.
    """
    return _combine(_select(neg.positions, actors=actors, issues=issues), ids=True)


def _select(
    p: pd.DataFrame,
    *,
    actors: Iterable[str] | None,
    issues: Iterable[str] | None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    keep = None
    if actors is not None:
        keep = p["actor_id"].isin(list(actors))
    if issues is not None:
        in_issues = p["issue_id"].isin(list(issues))
        keep = in_issues if keep is None else keep & in_issues
    if keep is None:
        return p if columns is None else p[columns]
    # rows and columns in one take: copying long text columns is costly
    return p.loc[keep, columns] if columns is not None else p[keep]


def _combine(p: pd.DataFrame, *, ids: bool) -> pd.DataFrame:
    """Apply the combination rule to positions rows (``ids``: also build ``position_ids``)."""
    p = p.copy()
    p["value_low"] = p["value_low"].fillna(p["value"])
    p["value_high"] = p["value_high"].fillna(p["value"])
    dup = p.duplicated(_KEYS, keep=False)
    p["n_rows"] = 1
    if ids:
        p["position_ids"] = p["position_id"].astype("str")
    if not dup.any():
        return p.reset_index(drop=True)
    multi = p[dup]
    grouped = multi.groupby(_KEYS, sort=False, observed=True)
    aggregations = {
        "value": ("value", "mean"),
        "value_low": ("value_low", "min"),
        "value_high": ("value_high", "max"),
        "salience": ("salience", "mean"),
        "n_rows": ("value", "size"),
    }
    if ids:
        aggregations["position_ids"] = ("position_id", ";".join)
    agg = grouped.agg(**aggregations)
    firsts = multi.drop_duplicates(_KEYS, keep="first").drop(columns=list(agg.columns))
    firsts = firsts.join(agg, on=_KEYS)
    out = pd.concat([p[~dup], firsts]).sort_index(kind="stable")
    return out[list(p.columns)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# positions as of a date


def positions_asof(
    neg: Negotiation,
    date: Any,
    *,
    carry_forward: bool = True,
    max_age: Any = None,
    actors: Iterable[str] | None = None,
    issues: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The positions in force at ``date``.

    Returns one row per (actor, issue) that holds a position at ``date``, sorted by actor then
    issue: the positions columns of the (combined) row in force, ``value_low``/``value_high``
    filled with ``value`` where no range is given, ``n_rows``, ``position_ids``, and
    ``age_days`` (days since it was stated). Actors and issues without a position are absent.
    """
    t = _timestamp(date, "date")
    limit = _age_limit(carry_forward, max_age)
    p = _select(neg.positions, actors=_as_list(actors), issues=_as_list(issues))
    p = p[p["date"] <= t]
    if limit is not None:
        p = p[(t - p["date"]) <= limit]
    latest = p.groupby(["actor_id", "issue_id"], observed=True)["date"].transform("max")
    c = _combine(p[p["date"] == latest], ids=True)
    c = c.assign(age_days=(t - c["date"]).dt.days.astype("int64"))
    return c.sort_values(["actor_id", "issue_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# pairwise gaps


_SIDE_COLUMNS = ["value", "value_low", "value_high", "salience", "position_id", "n_rows"]
_DAY_SHIFT = 1 << 31  # days are offset so that keys stay positive for any pandas date
_STRIDE = np.int64(1 << 33)  # key = issue code * _STRIDE + day


def _days(values: Any) -> np.ndarray:
    """Dates as int64 day numbers (offset to be non-negative)."""
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64) + _DAY_SHIFT


def _side(cols: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    """One actor's rows combined per (issue, date), as arrays sorted by (issue, date)."""
    sel = np.flatnonzero(mask)
    # stable: the first row of a group is the first in file order
    sel = sel[np.argsort(cols["key"][sel], kind="stable")]
    key = cols["key"][sel]
    if len(key) == 0:
        empty = np.array([], dtype="float64")
        return {
            "key": key,
            **dict.fromkeys(("value", "value_low", "value_high", "salience"), empty),
            "position_id": np.array([], dtype=object),
            "n_rows": np.array([], dtype=np.int64),
        }
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    value = cols["value"][sel]
    low = cols["value_low"][sel]
    high = cols["value_high"][sel]
    low = np.where(np.isnan(low), value, low)
    high = np.where(np.isnan(high), value, high)
    sal = cols["salience"][sel]
    has_sal = ~np.isnan(sal)
    sal_sum = np.add.reduceat(np.where(has_sal, sal, 0.0), starts)
    sal_n = np.add.reduceat(has_sal.astype(np.int64), starts)
    return {
        "key": key[starts],
        "value": np.add.reduceat(value, starts) / counts,
        "value_low": np.minimum.reduceat(low, starts),
        "value_high": np.maximum.reduceat(high, starts),
        "salience": np.where(sal_n > 0, sal_sum / np.maximum(sal_n, 1), np.nan),
        "position_id": cols["position_id"][sel[starts]],
        "n_rows": counts,
    }


def _pair_timeline(
    neg: Negotiation,
    a: str,
    b: str,
    *,
    issues: Iterable[str] | None,
    start: pd.Timestamp | None,
    carry_forward: bool,
    max_age: Any,
    both_only: bool = False,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per (issue, date) state of the pair at every date the pair's state may change.

    Rows are kept only where the state (which positions are in force) differs from the previous
    row of the same issue, plus a row at ``start`` for every issue. Not restricted to rows where
    both actors hold a position: a row with NaN gap marks the gap ending (e.g. expiry).
    Implemented as an as-of join on sorted integer keys (issue code, day) with ``searchsorted``.
    """
    _check_actor(neg, a)
    _check_actor(neg, b)
    if a == b:
        raise ValueError("compare two different actors (a and b are the same)")
    issue_list = _as_list(issues)
    _check_issues(neg, issue_list)
    limit = _age_limit(carry_forward, max_age)
    limit_days = None if limit is None else int(limit // _DAY)
    positions = neg.positions
    keep = positions["actor_id"].isin([a, b]).to_numpy(dtype=bool)
    if issue_list is not None:
        keep = keep & positions["issue_id"].isin(issue_list).to_numpy(dtype=bool)
    rows = np.flatnonzero(keep)  # plain numpy takes: DataFrame.loc would copy more

    def column(name: str) -> np.ndarray:
        # take the rows from the column's own array (to_numpy with a dtype would copy it all)
        return np.asarray(positions[name].to_numpy())[rows]

    codes, labels = pd.factorize(column("issue_id"), sort=True)
    cols = {
        "key": codes.astype(np.int64) * _STRIDE + _days(column("date")),
        "value": column("value").astype("float64", copy=False),
        "value_low": column("value_low").astype("float64", copy=False),
        "value_high": column("value_high").astype("float64", copy=False),
        "salience": column("salience").astype("float64", copy=False),
        "position_id": column("position_id"),
    }
    is_a = column("actor_id") == a
    sides = {"_a": _side(cols, is_a), "_b": _side(cols, ~is_a)}
    grid_keys = [sides["_a"]["key"], sides["_b"]["key"]]
    if limit_days is not None:
        grid_keys += [s["key"] + limit_days + 1 for s in sides.values()]
    if start is not None:
        grid_keys.append(np.arange(len(labels), dtype=np.int64) * _STRIDE + _days([start])[0])
    grid = np.sort(np.concatenate(grid_keys))
    grid = grid[np.r_[True, grid[1:] != grid[:-1]][: len(grid)]]
    g_issue, g_day = grid // _STRIDE, grid % _STRIDE
    idx = {}
    for suffix, side in sides.items():
        i = np.searchsorted(side["key"], grid, side="right") - 1
        safe = np.maximum(i, 0)
        if len(side["key"]):
            held = (i >= 0) & (side["key"][safe] // _STRIDE == g_issue)
            if limit_days is not None:
                held &= (g_day - side["key"][safe] % _STRIDE) <= limit_days
        else:
            held = np.zeros(len(grid), dtype=bool)
        idx[suffix] = np.where(held, i, -1)
    both = (idx["_a"] >= 0) & (idx["_b"] >= 0)
    # the pair's state is which two (combined) rows are in force; -1 when not both hold one
    state_a, state_b = np.where(both, idx["_a"], -1), np.where(both, idx["_b"], -1)
    first_of_issue = np.r_[True, g_issue[1:] != g_issue[:-1]][: len(grid)]
    prev_a = np.where(first_of_issue, -1, np.r_[-1, state_a[:-1]][: len(grid)])
    prev_b = np.where(first_of_issue, -1, np.r_[-1, state_b[:-1]][: len(grid)])
    dates = (g_day - _DAY_SHIFT).astype("datetime64[D]").astype("datetime64[us]")
    changed = (state_a != prev_a) | (state_b != prev_b)
    if start is not None:
        changed |= dates == np.datetime64(start, "us")
    if both_only:  # compute_gaps: only where both hold, within [start, end]
        changed &= both
        if start is not None:
            changed &= dates >= np.datetime64(start, "us")
        if end is not None:
            changed &= dates <= np.datetime64(end, "us")
    keep = np.flatnonzero(changed)
    out: dict[str, Any] = {
        "date": dates[keep],
        "issue_id": pd.array(np.asarray(labels, dtype=object)[g_issue[keep]], dtype="str"),
        "actor_a": pd.array(np.full(len(keep), a, dtype=object), dtype="str"),
        "actor_b": pd.array(np.full(len(keep), b, dtype=object), dtype="str"),
    }
    for suffix, side in sides.items():
        i = idx[suffix][keep]
        held = i >= 0
        safe = np.maximum(i, 0)
        for col in ("value", "value_low", "value_high", "salience"):
            vals = side[col][safe] if len(side["key"]) else np.zeros(len(keep))
            out[col + suffix] = np.where(held, vals, np.nan)
        pid = side["position_id"][safe] if len(side["key"]) else np.full(len(keep), None)
        out["position_id" + suffix] = pd.array(np.where(held, pid, None), dtype="str")
        n_rows = side["n_rows"][safe] if len(side["key"]) else np.zeros(len(keep), np.int64)
        out["n_rows" + suffix] = np.where(held, n_rows, 0)
    va, vb = out["value_a"], out["value_b"]
    la, ha, lb, hb = (
        out["value_low_a"],
        out["value_high_a"],
        out["value_low_b"],
        out["value_high_b"],
    )
    out["gap"] = np.abs(va - vb)
    out["gap_low"] = np.where(both[keep], np.maximum(np.maximum(lb - ha, la - hb), 0.0), np.nan)
    out["gap_high"] = np.maximum(hb - la, ha - lb)
    out["both"] = both[keep]
    return pd.DataFrame(out)


_GAP_COLUMNS = [
    "date",
    "issue_id",
    "actor_a",
    "actor_b",
    "value_a",
    "value_b",
    "gap",
    "gap_low",
    "gap_high",
    "position_id_a",
    "position_id_b",
    "value_low_a",
    "value_high_a",
    "value_low_b",
    "value_high_b",
    "n_rows_a",
    "n_rows_b",
]


def _window(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None):
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["date"] >= start
    if end is not None:
        keep &= frame["date"] <= end
    return frame[keep]


def compute_gaps(
    neg: Negotiation,
    a: str,
    b: str,
    *,
    issues: Iterable[str] | str | None = None,
    start: Any = None,
    end: Any = None,
    carry_forward: bool = True,
    max_age: Any = None,
) -> pd.DataFrame:
    """The gap between actors ``a`` and ``b`` on each issue over time.

    Returns one row per (date, issue) at which either actor's position changes, only where both
    hold a position, sorted by issue then date. With ``start``, the first row of each issue is
    the state in force at ``start`` (dated ``start``); ``end`` drops later rows.

    Columns: ``date``, ``issue_id``, ``actor_a``, ``actor_b``, ``value_a``, ``value_b``,
    ``gap``, ``gap_low``, ``gap_high``, ``position_id_a``, ``position_id_b`` (the first row of a
    combined group, see the module docstring), then ``value_low_a``, ``value_high_a``,
    ``value_low_b``, ``value_high_b``, ``n_rows_a``, ``n_rows_b``.
    """
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    t = _pair_timeline(
        neg,
        a,
        b,
        issues=issues,
        start=start_ts,
        carry_forward=carry_forward,
        max_age=max_age,
        both_only=True,
        end=end_ts,
    )
    return t[_GAP_COLUMNS]


def _issue_weights(timeline: pd.DataFrame, weights: Any) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=timeline.index)
    if isinstance(weights, str):
        if weights != "salience":
            raise ValueError(f'weights must be None, "salience" or a mapping, got {weights!r}')
        sa = timeline["salience_a"].astype("float64").fillna(1.0)
        sb = timeline["salience_b"].astype("float64").fillna(1.0)
        return (sa + sb) / 2
    if isinstance(weights, Mapping | pd.Series):
        mapping = {str(k): float(v) for k, v in dict(weights).items()}
        if any(not np.isfinite(v) or v < 0 for v in mapping.values()):
            raise ValueError("weights must be finite and non-negative")
        return timeline["issue_id"].map(mapping).astype("float64").fillna(0.0)
    raise TypeError(f'weights must be None, "salience" or a mapping, got {type(weights)}')


def compute_overall_gap(
    neg: Negotiation,
    a: str,
    b: str,
    *,
    weights: Any = None,
    issues: Iterable[str] | str | None = None,
    start: Any = None,
    end: Any = None,
    carry_forward: bool = True,
    max_age: Any = None,
) -> pd.DataFrame:
    """The overall gap between ``a`` and ``b``: the (weighted) mean over the issues where both
    hold a position.

    ``weights``: ``None`` (every issue counts 1), ``"salience"`` (an issue weighs the mean of
    the two actors' salience as of that date; a missing salience counts as 1), or a mapping
    ``issue_id -> weight`` (issues not in it weigh 0 and are not counted).

    Returns one row per date at which any per-issue gap changes, sorted by date. Columns:
    ``date``, ``gap``, ``gap_low``, ``gap_high`` (weighted means of the per-issue values),
    ``n_issues`` (issues counted at that date; ``gap`` is NaN when it is 0), ``weight``
    (sum of the weights counted).
    """
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    t = _pair_timeline(
        neg,
        a,
        b,
        issues=issues,
        start=start_ts,
        carry_forward=carry_forward,
        max_age=max_age,
    )
    w = _issue_weights(t, weights)
    active = t["both"] & (w > 0)
    contrib = pd.DataFrame(
        {
            "w": w.where(active, 0.0),
            "wg": (w * t["gap"]).where(active, 0.0),
            "wlo": (w * t["gap_low"]).where(active, 0.0),
            "whi": (w * t["gap_high"]).where(active, 0.0),
            "n": active.astype("int64"),
        }
    )
    # each row replaces the previous row of the same issue: add the difference
    first_of_issue = t["issue_id"] != t["issue_id"].shift()
    previous = contrib.shift()
    previous.loc[first_of_issue] = 0
    delta = contrib - previous
    delta["date"] = t["date"]
    totals = delta.groupby("date", sort=True).sum().cumsum()
    n = totals["n"].round().astype("int64")
    weight = totals["w"].round(_ROUND)
    has = (n > 0) & (totals["w"] > 0)
    out = pd.DataFrame(
        {
            "date": totals.index,
            "gap": (totals["wg"] / totals["w"]).where(has).round(_ROUND).to_numpy(),
            "gap_low": (totals["wlo"] / totals["w"]).where(has).round(_ROUND).to_numpy(),
            "gap_high": (totals["whi"] / totals["w"]).where(has).round(_ROUND).to_numpy(),
            "n_issues": n.to_numpy(),
            "weight": weight.where(n > 0, 0.0).to_numpy(),
        }
    )
    # drop dates where nothing counted changed (e.g. an actor alone restating a position)
    signature = out[["gap", "gap_low", "gap_high", "n_issues", "weight"]]
    same = (signature.fillna(-1) == signature.shift().fillna(-1)).all(axis=1)
    same.iloc[:1] = out["n_issues"].iloc[:1] == 0
    keep = ~same
    if start_ts is not None:
        keep |= out["date"] == start_ts
    out = _window(out[keep], start_ts, end_ts)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# movement and conflicts


def compute_movement(
    neg: Negotiation,
    actor: str,
    *,
    start: Any = None,
    end: Any = None,
    issues: Iterable[str] | str | None = None,
    others: Iterable[str] | str | None = None,
    carry_forward: bool = True,
    max_age: Any = None,
) -> pd.DataFrame:
    """How ``actor`` moved on each issue between ``start`` and ``end``, and toward whom.

    ``start``/``end`` default, per issue, to the actor's first and last statement on it. The
    actor's value at each end is the one in force then (as-of semantics).

    Returns one row per (issue, other actor), sorted by issue then other actor, for the issues
    the actor has stated a position on (up to ``end``). Columns: ``issue_id``, ``actor_id``,
    ``start``, ``end``, ``value_start``, ``value_end``, ``change`` (end minus start),
    ``other_actor``, ``other_value`` (the other actor's value in force at ``start``: "the other
    side's position at that time"), ``gap_before`` (|value_start - other_value|),
    ``gap_after`` (|value_end - other_value|), ``toward`` (boolean: the actor moved in the
    direction of ``other_value``, i.e. a concession to that actor; False when it did not move or
    moved away; NA when a value is missing). ``others`` defaults to every other actor with a
    position on that issue; an issue no other actor speaks to has one row with ``other_actor``
    NA.
    """
    _check_actor(neg, actor)
    issue_list = _as_list(issues)
    _check_issues(neg, issue_list)
    other_list = _as_list(others)
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    limit = _age_limit(carry_forward, max_age)
    limit_days = None if limit is None else int(limit // _DAY)
    p = neg.positions
    if issue_list is not None:
        p = p[p["issue_id"].isin(issue_list)]
    actor_codes, actor_labels = pd.factorize(p["actor_id"].to_numpy(), sort=True)
    issue_codes, issue_labels = pd.factorize(p["issue_id"].to_numpy(), sort=True)
    n_issues = max(len(issue_labels), 1)
    group = actor_codes.astype(np.int64) * n_issues + issue_codes
    cols = {
        "key": group * _STRIDE + _days(p["date"].to_numpy()),
        "value": p["value"].to_numpy(dtype="float64"),
        "value_low": p["value_low"].to_numpy(dtype="float64"),
        "value_high": p["value_high"].to_numpy(dtype="float64"),
        "salience": p["salience"].to_numpy(dtype="float64"),
        "position_id": p["position_id"].to_numpy(),
    }
    comb = _side(cols, np.ones(len(p), dtype=bool))
    comb_group, comb_day = comb["key"] // _STRIDE, comb["key"] % _STRIDE

    def value_asof(groups: np.ndarray, days: np.ndarray) -> np.ndarray:
        i = np.searchsorted(comb["key"], groups * _STRIDE + days, side="right") - 1
        safe = np.maximum(i, 0)
        held = (i >= 0) & (comb_group[safe] == groups) if len(comb["key"]) else i >= 0
        if limit_days is not None and len(comb["key"]):
            held &= (days - comb_day[safe]) <= limit_days
        values = comb["value"][safe] if len(comb["key"]) else np.zeros(len(groups))
        return np.where(held, values, np.nan)

    own_code = np.flatnonzero(np.asarray(actor_labels, dtype=object) == actor)
    own = np.zeros(len(comb_group), dtype=bool)
    if len(own_code):
        own = comb_group // n_issues == own_code[0]
    if end_ts is not None:
        own &= comb_day <= _days([end_ts])[0]
    own_groups = comb_group[own]
    # keys are sorted, so each group's rows are contiguous in date order
    span_groups, first = np.unique(own_groups, return_index=True)
    last = np.r_[first[1:], len(own_groups)] - 1
    own_days = comb_day[own]
    start_day = own_days[first] if start_ts is None else np.full(len(first), _days([start_ts])[0])
    end_day = own_days[last] if end_ts is None else np.full(len(first), _days([end_ts])[0])
    span_issue = span_groups % n_issues
    value_start = value_asof(span_groups, start_day)
    value_end = value_asof(span_groups, end_day)

    # (issue row, other actor code) pairs
    if other_list is not None:
        other_codes = pd.Index(actor_labels).get_indexer(other_list)
        rows = np.repeat(np.arange(len(span_groups)), len(other_list))
        others_code = np.tile(other_codes, len(span_groups))
        other_names = np.tile(np.asarray(other_list, dtype=object), len(span_groups))
    else:
        spoken = np.unique(comb_group)
        spoken_actor, spoken_issue = spoken // n_issues, spoken % n_issues
        keep = np.isin(spoken_issue, span_issue)
        if len(own_code):
            keep &= spoken_actor != own_code[0]
        row_of_issue = np.full(n_issues, -1)
        row_of_issue[span_issue] = np.arange(len(span_issue))
        rows = row_of_issue[spoken_issue[keep]]
        others_code = spoken_actor[keep]
        other_names = np.asarray(actor_labels, dtype=object)[others_code]
        lonely = np.setdiff1d(np.arange(len(span_groups)), rows)  # nobody else spoke
        rows = np.r_[rows, lonely]
        others_code = np.r_[others_code, np.full(len(lonely), -1)]
        other_names = np.r_[other_names, np.full(len(lonely), None, dtype=object)]
    known_other = others_code >= 0
    other_value = np.full(len(rows), np.nan)
    if known_other.any():
        q_groups = others_code[known_other] * n_issues + span_issue[rows[known_other]]
        other_value[known_other] = value_asof(q_groups, start_day[rows[known_other]])

    def as_dates(days: np.ndarray) -> np.ndarray:
        return (days - _DAY_SHIFT).astype("datetime64[D]").astype("datetime64[us]")

    labels = np.asarray(issue_labels, dtype=object)
    vs, ve = value_start[rows], value_end[rows]
    change = ve - vs
    known = ~np.isnan(vs) & ~np.isnan(ve) & ~np.isnan(other_value)
    toward = (change != 0) & (np.sign(change) == np.sign(other_value - vs))
    out = pd.DataFrame(
        {
            "issue_id": pd.array(labels[span_issue[rows]] if len(labels) else [], dtype="str"),
            "actor_id": pd.array(np.full(len(rows), actor, dtype=object), dtype="str"),
            "start": as_dates(start_day[rows]),
            "end": as_dates(end_day[rows]),
            "value_start": vs,
            "value_end": ve,
            "change": change,
            "other_actor": pd.array(other_names, dtype="str"),
            "other_value": other_value,
            "gap_before": np.abs(vs - other_value),
            "gap_after": np.abs(ve - other_value),
            "toward": pd.array(np.where(known, toward, None), dtype="boolean"),
        }
    )
    out = out.sort_values(["issue_id", "other_actor"], kind="stable")
    return out.reset_index(drop=True)


def compute_conflicts(neg: Negotiation) -> pd.DataFrame:
    """Groups of rows for the same (actor, issue, date) whose values or ranges differ.

    Returns one row per such group, sorted by actor, issue, date. Columns: ``actor_id``,
    ``issue_id``, ``date``, ``n_rows``, ``position_ids`` (``;``-joined, file order),
    ``values`` (the values as numbers, ``;``-joined), ``value_min``, ``value_max``,
    ``spread`` (max - min), ``value`` (the combined value used everywhere else).
    """
    p = neg.positions.copy()
    p["value_low"] = p["value_low"].fillna(p["value"])
    p["value_high"] = p["value_high"].fillna(p["value"])
    p = p[p.duplicated(_KEYS, keep=False)]
    columns = [
        "actor_id",
        "issue_id",
        "date",
        "n_rows",
        "position_ids",
        "values",
        "value_min",
        "value_max",
        "spread",
        "value",
    ]
    if p.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    g = p.groupby(_KEYS, sort=True, observed=True)
    out = g.agg(
        n_rows=("value", "size"),
        position_ids=("position_id", ";".join),
        values=("value", lambda v: ";".join(f"{x:g}" for x in v)),
        value_min=("value", "min"),
        value_max=("value", "max"),
        value=("value", "mean"),
        low_spread=("value_low", lambda v: v.max() - v.min()),
        high_spread=("value_high", lambda v: v.max() - v.min()),
    ).reset_index()
    out["spread"] = out["value_max"] - out["value_min"]
    differ = (out["spread"] > 0) | (out["low_spread"] > 0) | (out["high_spread"] > 0)
    return out.loc[differ, columns].reset_index(drop=True)
