"""Positions as of a date, gaps between two actors, the overall gap, movement, conflicts.

Every value in time in the library comes from one private kernel here (:class:`_Held`): it
combines the rows of one (actor, issue, date) and answers "which position holds at these
dates" with an as-of search on sorted integer keys (``searchsorted``; no Python loop over dates
or rows). :func:`positions_asof`, :func:`compute_gaps`, :func:`compute_overall_gap`,
:func:`compute_movement`, the figures, tables and explorers all read it.

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

**Movement** of an actor on an issue between two dates, relative to another actor's position
``o`` at the start (:func:`compute_movement`, column ``movement``), with ``s`` and ``e`` the
actor's values at the start and the end:

- ``unmoved``: ``e == s``;
- ``toward``: it moved in the direction of ``o`` and did not pass it (``e`` lies between ``s``
  and ``o``, or on ``o``): the gap to ``o`` shrank;
- ``overshoot``: it moved in the direction of ``o`` and past it (``e`` is on the other side of
  ``o``); the gap may have shrunk or grown, but the move was a concession;
- ``away``: it moved the other way (or moved off ``o`` where it stood on it): the gap grew.

``toward`` (boolean) is True for ``toward`` and ``overshoot``: a concession to that actor. The
summaries, notebook tables and the movement figure all read this one column.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .ids import check_actors, check_issues
from .load import Negotiation

__all__ = [
    "MOVEMENTS",
    "NO_SALIENCE_NOTE",
    "SALIENCE_WHEN_MISSING",
    "combined_positions",
    "compute_conflicts",
    "compute_gaps",
    "compute_movement",
    "compute_overall_gap",
    "positions_asof",
]

#: The values of ``compute_movement``'s ``movement`` column (see the module docstring).
MOVEMENTS = ("toward", "overshoot", "away", "unmoved")

#: ``compute_overall_gap(..., weights="salience").attrs["weights_note"]`` when no position it
#: counts has a salience value, so that every issue weighs the same.
NO_SALIENCE_NOTE = "no salience coded: equal weights"
#: The weight of a position whose salience is not coded (in the overall gap and the models).
SALIENCE_WHEN_MISSING = 1.0

_KEYS = ["actor_id", "issue_id", "date"]
_DAY = pd.Timedelta(days=1)
_ROUND = 9  # decimals kept after summing many float deltas (removes 1e-13 residue)
_DAY_SHIFT = 1 << 31  # days are offset so that keys stay positive for any pandas date
_STRIDE = np.int64(1 << 33)  # key = group code * _STRIDE + day


# --------------------------------------------------------------------------------------------
# helpers


def _timestamp(value: Any, name: str) -> pd.Timestamp | None:
    """The day a user means by ``value`` (a date, a datetime or a string), as a Timestamp at
    midnight; ``None`` stays ``None``. The one rule for every date a function is given: the
    time of day is dropped, and so is a time zone (the day on the clock it names: positions are
    dated by day, with no zone). Raises ValueError naming ``name`` for a value that is no date.
    """
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a date, got {value!r}") from error
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{name} must be a date, got {value!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize().as_unit("us")


def _timestamps(values: Iterable[Any], name: str) -> pd.DatetimeIndex:
    """Each of ``values`` as :func:`_timestamp` reads it (the days asked for), in the given
    order; a single date is a list of one."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        values = [values]
    return pd.DatetimeIndex([_timestamp(v, name) for v in values], dtype="datetime64[us]")


def _limit_days(carry_forward: bool, max_age: Any) -> int | None:
    """How many days a position holds after its date; ``None`` means until replaced."""
    if not carry_forward:
        return 0
    if max_age is None:
        return None
    limit = (
        pd.Timedelta(days=float(max_age))
        if isinstance(max_age, int | float | np.integer | np.floating)
        else pd.Timedelta(max_age)
    )
    if pd.isna(limit) or limit < pd.Timedelta(0):
        raise ValueError(f"max_age must be a non-negative duration, got {max_age!r}")
    return int(limit // _DAY)


def _as_list(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return list(values)


def _days(values: Any) -> np.ndarray:
    """Dates as int64 day numbers (offset to be non-negative)."""
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64) + _DAY_SHIFT


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers back to ``datetime64[us]``."""
    return (np.asarray(days) - _DAY_SHIFT).astype("datetime64[D]").astype("datetime64[us]")


# --------------------------------------------------------------------------------------------
# the kernel: what holds at these dates


class _Codes:
    """Integer codes of a positions frame's actor, issue and date columns (sorted labels)."""

    def __init__(self, positions: pd.DataFrame):
        # holding the columns makes pandas copy (copy-on-write) before any in-place edit of the
        # frame, so an edited frame gets new arrays and a new stamp: the cache never goes stale
        self.columns = [positions[c] for c in _CODED]
        actor, actors = pd.factorize(np.asarray(self.columns[0].to_numpy()), sort=True)
        issue, issues = pd.factorize(np.asarray(self.columns[1].to_numpy()), sort=True)
        self.actor, self.issue = actor.astype(np.int32), issue.astype(np.int32)
        self.actors = np.asarray(actors, dtype=object)
        self.issues = np.asarray(issues, dtype=object)
        self.actor_index, self.issue_index = pd.Index(self.actors), pd.Index(self.issues)
        self.day = _days(self.columns[2].to_numpy())


_CODED = ("actor_id", "issue_id", "date")
_CODES: dict[int, tuple[Any, tuple, _Codes]] = {}


def _stamp(positions: pd.DataFrame) -> tuple:
    """Where the coded columns' data live (and how long they are)."""
    arrays = [np.asarray(positions[c].to_numpy()) for c in _CODED]
    return (len(positions), *(a.__array_interface__["data"][0] for a in arrays))


def _frame_codes(positions: pd.DataFrame) -> _Codes:
    """:class:`_Codes` of ``positions``, computed once per frame (factorizing a million ids
    costs more than the rest of a gap computation)."""
    key, stamp = id(positions), _stamp(positions)
    hit = _CODES.get(key)
    if hit is not None and hit[0]() is positions and hit[1] == stamp:
        return hit[2]
    codes = _Codes(positions)
    ref = weakref.ref(positions, lambda _, key=key: _CODES.pop(key, None))
    _CODES[key] = (ref, stamp, codes)
    return codes


def _isin(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``codes`` in ``wanted`` (a few codes: one comparison each; -1 matches nothing)."""
    wanted = wanted[wanted >= 0]
    if len(wanted) > 8:
        return np.isin(codes, wanted)
    keep = np.zeros(len(codes), dtype=bool)
    for code in wanted:
        keep |= codes == code
    return keep


class _Held:
    """The positions of a dataset combined per (actor, issue, date), and what holds when.

    One item per combined row in each array, sorted by (actor, issue, date): ``group`` (actor
    code * ``n_issues`` + issue code; codes index ``actors`` and ``issues``, sorted labels),
    ``day`` (day number), ``value``, ``value_low``, ``value_high``, ``salience`` (combined by
    the module's rule), ``n_rows``, ``first`` (position in ``positions`` of the group's first
    row in file order); ``members[starts[k]:starts[k] + n_rows[k]]`` are all rows of row ``k``.
    :meth:`at` is the one as-of search of the library.
    """

    def __init__(
        self,
        positions: pd.DataFrame,
        *,
        actors: list[str] | None = None,
        issues: list[str] | None = None,
        limit_days: int | None = None,
    ):
        self.positions = positions
        self.limit_days = limit_days
        codes = _frame_codes(positions)
        self.actors, self.issues = codes.actors, codes.issues
        self.n_issues = max(len(self.issues), 1)
        keep = None
        if actors is not None:
            keep = _isin(codes.actor, codes.actor_index.get_indexer(actors))
        if issues is not None:
            in_issues = _isin(codes.issue, codes.issue_index.get_indexer(issues))
            keep = in_issues if keep is None else keep & in_issues
        rows = np.arange(len(positions)) if keep is None else np.flatnonzero(keep)

        def column(name: str) -> np.ndarray:
            # take rows from the column's own array (to_numpy with a dtype would copy it all)
            values = np.asarray(positions[name].to_numpy())
            return values if keep is None else values[rows]

        def taken(values: np.ndarray) -> np.ndarray:
            return values if keep is None else values[rows]

        group = taken(codes.actor).astype(np.int64) * self.n_issues + taken(codes.issue)
        key = group * _STRIDE + taken(codes.day)
        order = np.argsort(key, kind="stable")  # stable: file order inside a group
        key = key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key[:0]
        self.starts = starts
        self.n_rows = np.diff(np.r_[starts, len(key)]).astype(np.int64)
        self.members = rows[order]
        self.first = self.members[starts]
        self.key = key[starts]
        self.group = self.key // _STRIDE
        self.day = self.key % _STRIDE
        value = column("value").astype("float64", copy=False)[order]
        low = column("value_low").astype("float64", copy=False)[order]
        high = column("value_high").astype("float64", copy=False)[order]
        salience = column("salience").astype("float64", copy=False)[order]
        if not len(key):
            empty = np.array([], dtype="float64")
            self.value = self.value_low = self.value_high = self.salience = empty
            return
        low = np.where(np.isnan(low), value, low)
        high = np.where(np.isnan(high), value, high)
        has_salience = ~np.isnan(salience)
        salience_sum = np.add.reduceat(np.where(has_salience, salience, 0.0), starts)
        salience_n = np.add.reduceat(has_salience.astype(np.int64), starts)
        self.value = np.add.reduceat(value, starts) / self.n_rows
        self.value_low = np.minimum.reduceat(low, starts)
        self.value_high = np.maximum.reduceat(high, starts)
        self.salience = np.where(salience_n > 0, salience_sum / np.maximum(salience_n, 1), np.nan)

    def code(self, actor: str) -> int:
        """The actor's code, -1 when it has no position here."""
        hit = np.flatnonzero(self.actors == actor)
        return int(hit[0]) if len(hit) else -1

    def at(self, groups: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Index of the combined row in force for each (group, day), -1 where none is."""
        groups = np.asarray(groups, dtype=np.int64)
        days = np.asarray(days, dtype=np.int64)
        if not len(self.key):
            return np.full(np.broadcast(groups, days).shape, -1, dtype=np.int64)
        i = np.searchsorted(self.key, groups * _STRIDE + days, side="right") - 1
        safe = np.maximum(i, 0)
        held = (i >= 0) & (self.group[safe] == groups)
        if self.limit_days is not None:
            held &= (days - self.day[safe]) <= self.limit_days
        return np.where(held, i, -1)

    def take(self, name: str, index: np.ndarray, missing=np.nan) -> np.ndarray:
        """Combined column ``name`` at ``index`` (``missing`` where the index is -1)."""
        values = getattr(self, name)
        if not len(values):
            return np.full(len(index), missing)
        return np.where(index >= 0, values[np.maximum(index, 0)], missing)

    def position_id(self, index: np.ndarray) -> pd.arrays.StringArray:
        """The first row's ``position_id`` at ``index`` (NA where the index is -1)."""
        out = np.full(len(index), None, dtype=object)
        held = np.flatnonzero(index >= 0)
        if len(held):
            ids = self.positions["position_id"].iloc[self.first[index[held]]]
            out[held] = ids.to_numpy(dtype=object)
        return pd.array(out, dtype="str")

    def frame(self, index: np.ndarray) -> pd.DataFrame:
        """The combined rows at ``index`` (all >= 0): every positions column (first row in file
        order, combined value, range and salience), then ``n_rows`` and ``position_ids``."""
        out = self.positions.iloc[self.first[index]].reset_index(drop=True)
        for name in ("value", "value_low", "value_high", "salience"):
            out[name] = getattr(self, name)[index] if len(index) else np.array([], "float64")
        n_rows = self.n_rows[index]
        out["n_rows"] = n_rows
        ids = out["position_id"].astype("str").to_numpy(dtype=object).copy()
        multi = np.flatnonzero(n_rows > 1)
        if len(multi):
            counts = n_rows[multi]
            offsets = np.repeat(
                self.starts[index[multi]] - np.cumsum(np.r_[0, counts[:-1]]), counts
            )
            member_rows = self.members[offsets + np.arange(counts.sum())]
            member_ids = self.positions["position_id"].iloc[member_rows].astype("str")
            joined = pd.Series(member_ids.to_numpy(), index=np.repeat(multi, counts))
            joined = joined.groupby(level=0, sort=True).agg(";".join)
            ids[joined.index.to_numpy()] = joined.to_numpy()
        out["position_ids"] = pd.array(ids, dtype="str")
        return out


def _held(
    neg: Negotiation,
    *,
    actors: Iterable[str] | str | None = None,
    issues: Iterable[str] | str | None = None,
    carry_forward: bool = True,
    max_age: Any = None,
) -> _Held:
    """The kernel for ``neg`` (checked ids; ``actors``/``issues`` None = all)."""
    actor_list = None if actors is None else check_actors(neg, actors)
    issue_list = None if issues is None else check_issues(neg, issues)
    return _Held(
        neg.positions,
        actors=actor_list,
        issues=issue_list,
        limit_days=_limit_days(carry_forward, max_age),
    )


# --------------------------------------------------------------------------------------------
# positions as of a date


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
    held = _held(neg, actors=actors, issues=issues)
    return held.frame(np.argsort(held.first, kind="stable"))


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
    held = _held(neg, actors=actors, issues=issues, carry_forward=carry_forward, max_age=max_age)
    index = held.at(np.unique(held.group), _days([t])[0])
    index = index[index >= 0]
    out = held.frame(index)
    return out.assign(age_days=(_days([t])[0] - held.day[index]).astype("int64"))


# --------------------------------------------------------------------------------------------
# pairwise gaps


def _pair_held(neg, a, b, *, issues, carry_forward, max_age) -> tuple[_Held, int, int]:
    a, b = check_actors(neg, [a, b])
    if a == b:
        raise ValueError("compare two different actors (a and b are the same)")
    held = _held(neg, actors=[a, b], issues=issues, carry_forward=carry_forward, max_age=max_age)
    return held, held.code(a), held.code(b)


def _pair_states(held: _Held, ca: int, cb: int, g_issue, g_day) -> tuple[np.ndarray, ...]:
    """The combined row of each side in force at each (issue code, day), -1 where none is."""
    n = held.n_issues
    ia = held.at(ca * n + g_issue, g_day) if ca >= 0 else np.full(len(g_day), -1)
    ib = held.at(cb * n + g_issue, g_day) if cb >= 0 else np.full(len(g_day), -1)
    return ia, ib


def _repeat_str(value: str, n: int) -> pd.arrays.StringArray:
    return pd.array(np.array([value], dtype=object)[np.zeros(n, dtype=np.intp)], dtype="str")


def _pair_rows(held: _Held, a: str, b: str, g_issue, g_day, ia, ib) -> dict:
    """The pair's state at each (issue code, day) with the rows ``ia``/``ib`` in force: both
    sides' combined values, position ids and the gap."""
    both = (ia >= 0) & (ib >= 0)
    out: dict[str, Any] = {
        "date": _dates(g_day),
        "issue_id": pd.array(held.issues[g_issue] if len(held.issues) else [], dtype="str"),
        "actor_a": _repeat_str(a, len(g_day)),
        "actor_b": _repeat_str(b, len(g_day)),
    }
    for suffix, index in (("_a", ia), ("_b", ib)):
        for col in ("value", "value_low", "value_high", "salience"):
            out[col + suffix] = held.take(col, index)
        out["position_id" + suffix] = held.position_id(index)
        out["n_rows" + suffix] = held.take("n_rows", index, 0).astype(np.int64)
    la, ha, lb, hb = (out[f"value_{e}_{s}"] for s in "ab" for e in ("low", "high"))
    out["gap"] = np.abs(out["value_a"] - out["value_b"])
    out["gap_low"] = np.where(both, np.maximum(np.maximum(lb - ha, la - hb), 0.0), np.nan)
    out["gap_high"] = np.maximum(hb - la, ha - lb)
    out["both"] = both
    return out


def _present_issues(held: _Held) -> np.ndarray:
    """Codes of the issues the kernel's rows speak to."""
    return np.unique(held.group % held.n_issues)


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
    """
    held, ca, cb = _pair_held(
        neg, a, b, issues=issues, carry_forward=carry_forward, max_age=max_age
    )
    issue_day = (held.group % held.n_issues) * _STRIDE + held.day
    grid_keys = [issue_day]
    if held.limit_days is not None:
        grid_keys.append(issue_day + held.limit_days + 1)
    if start is not None:
        grid_keys.append(_present_issues(held) * _STRIDE + _days([start])[0])
    grid = np.concatenate(grid_keys)
    if len(grid_keys) > 1 or not len(grid):
        grid = np.unique(grid)
    else:  # the kernel's keys are sorted per actor: merge the two sides, drop repeats
        grid = np.sort(grid, kind="stable")
        grid = grid[np.r_[True, grid[1:] != grid[:-1]]]
    g_issue, g_day = grid // _STRIDE, grid % _STRIDE
    ia, ib = _pair_states(held, ca, cb, g_issue, g_day)
    both = (ia >= 0) & (ib >= 0)
    # the pair's state is which two (combined) rows are in force; -1 when not both hold one
    state_a, state_b = np.where(both, ia, -1), np.where(both, ib, -1)
    first_of_issue = np.r_[True, g_issue[1:] != g_issue[:-1]][: len(grid)]
    prev_a = np.where(first_of_issue, -1, np.r_[-1, state_a[:-1]][: len(grid)])
    prev_b = np.where(first_of_issue, -1, np.r_[-1, state_b[:-1]][: len(grid)])
    changed = (state_a != prev_a) | (state_b != prev_b)
    if start is not None:
        changed |= g_day == _days([start])[0]
    if both_only:  # compute_gaps: only where both hold, within [start, end]
        changed &= both
        if start is not None:
            changed &= g_day >= _days([start])[0]
        if end is not None:
            changed &= g_day <= _days([end])[0]
    keep = np.flatnonzero(changed)
    out = _pair_rows(held, str(a), str(b), g_issue[keep], g_day[keep], ia[keep], ib[keep])
    return pd.DataFrame(out)


def _gaps_at(
    neg: Negotiation,
    a: str,
    b: str,
    dates: Iterable[Any],
    *,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age: Any = None,
) -> pd.DataFrame:
    """``compute_gaps`` columns for the state in force at each of ``dates`` (one row per
    (issue, date) where both hold a position; sorted by issue then date)."""
    held, ca, cb = _pair_held(
        neg, a, b, issues=issues, carry_forward=carry_forward, max_age=max_age
    )
    days = np.unique(_days(_timestamps(dates, "dates")))
    present = _present_issues(held)
    g_issue = np.repeat(present, len(days))
    g_day = np.tile(days, len(present))
    ia, ib = _pair_states(held, ca, cb, g_issue, g_day)
    keep = np.flatnonzero((ia >= 0) & (ib >= 0))
    out = _pair_rows(held, str(a), str(b), g_issue[keep], g_day[keep], ia[keep], ib[keep])
    return pd.DataFrame(out)[_GAP_COLUMNS]


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
    options = {"issues": issues, "carry_forward": carry_forward, "max_age": max_age}
    timeline = _pair_timeline(neg, a, b, start=start_ts, end=end_ts, both_only=True, **options)
    return timeline[_GAP_COLUMNS]


def _window(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None):
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["date"] >= start
    if end is not None:
        keep &= frame["date"] <= end
    return frame[keep]


# --------------------------------------------------------------------------------------------
# the overall gap


def _issue_weights(timeline: pd.DataFrame, weights: Any) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=timeline.index)
    if isinstance(weights, str):
        if weights != "salience":
            raise ValueError(f'weights must be None, "salience" or a mapping, got {weights!r}')
        sa = timeline["salience_a"].astype("float64").fillna(SALIENCE_WHEN_MISSING)
        sb = timeline["salience_b"].astype("float64").fillna(SALIENCE_WHEN_MISSING)
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
    (sum of the weights counted). ``attrs["weights_note"]`` is :data:`NO_SALIENCE_NOTE` when
    ``weights="salience"`` finds no salience value on any position it counts (every issue then
    weighs 1, as with equal weights), else ``""``.
    """
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    options = {"issues": issues, "carry_forward": carry_forward, "max_age": max_age}
    t = _pair_timeline(neg, a, b, start=start_ts, **options)
    return _overall_gap(t, weights, start=start_ts, end=end_ts)


def _overall_gap(
    t: pd.DataFrame, weights: Any, *, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> pd.DataFrame:
    """:func:`compute_overall_gap` from the pair's :func:`_pair_timeline` ``t`` (made with the
    same ``start``; a timeline without ``start`` filtered to some issues gives the overall gap
    over those issues)."""
    w = _issue_weights(t, weights).to_numpy(dtype="float64")
    active = t["both"].to_numpy(dtype=bool) & (w > 0)
    note = ""
    if isinstance(weights, str):
        saliences = t.loc[active, ["salience_a", "salience_b"]].astype("float64")
        note = "" if saliences.notna().to_numpy().any() else NO_SALIENCE_NOTE

    def column(name: str) -> np.ndarray:
        return t[name].to_numpy(dtype="float64", na_value=np.nan)

    contrib = {
        "w": np.where(active, w, 0.0),
        "wg": np.where(active, w * column("gap"), 0.0),
        "wlo": np.where(active, w * column("gap_low"), 0.0),
        "whi": np.where(active, w * column("gap_high"), 0.0),
        "n": active.astype("float64"),
    }
    # each row replaces the previous row of the same issue: add the difference
    issue = t["issue_id"].to_numpy(dtype=object)
    first_of_issue = np.r_[True, issue[1:] != issue[:-1]][: len(t)]
    delta = {"date": t["date"]}
    for name, values in contrib.items():
        previous = np.r_[0.0, values[:-1]][: len(t)]
        delta[name] = values - np.where(first_of_issue, 0.0, previous)
    totals = pd.DataFrame(delta).groupby("date", sort=True).sum().cumsum()
    total_w = totals["w"].to_numpy()
    n = np.round(totals["n"].to_numpy()).astype("int64")
    has = (n > 0) & (total_w > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = {
            name: np.round(np.where(has, totals[part].to_numpy() / total_w, np.nan), _ROUND)
            for name, part in (("gap", "wg"), ("gap_low", "wlo"), ("gap_high", "whi"))
        }
    weight = np.where(n > 0, np.round(total_w, _ROUND), 0.0)
    out = pd.DataFrame({"date": totals.index, **means, "n_issues": n, "weight": weight})
    # drop dates where nothing counted changed (e.g. an actor alone restating a position)
    signature = np.column_stack([*means.values(), n, weight])
    signature = np.where(np.isnan(signature), -1.0, signature)
    same = np.r_[False, (signature[1:] == signature[:-1]).all(axis=1)][: len(out)]
    if len(out):
        same[0] = n[0] == 0
    keep = ~same
    if start is not None:
        keep |= (out["date"] == start).to_numpy()
    out = _window(out[keep], start, end).reset_index(drop=True)
    out.attrs["weights_note"] = note
    return out


# --------------------------------------------------------------------------------------------
# movement and conflicts


def _movement(start_value, end_value, other_value) -> np.ndarray:
    """The module docstring's movement category per row (None where a value is missing)."""
    change = end_value - start_value
    direction = np.sign(other_value - start_value)
    known = ~np.isnan(start_value) & ~np.isnan(end_value) & ~np.isnan(other_value)
    passed = np.sign(end_value - other_value) == np.sign(change)
    out = np.where(
        change == 0,
        "unmoved",
        np.where(
            (direction != 0) & (np.sign(change) == direction),
            np.where(passed, "overshoot", "toward"),
            "away",
        ),
    ).astype(object)
    out[~known] = None
    return out


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
    ``gap_after`` (|value_end - other_value|), ``movement`` (``toward``, ``overshoot``,
    ``away`` or ``unmoved``, defined in the module docstring; NA when a value is missing) and
    ``toward`` (boolean: ``movement`` is ``toward`` or ``overshoot``, a concession to that
    actor; NA when a value is missing). ``others`` defaults to every other actor with a
    position on that issue; an issue no other actor speaks to has one row with ``other_actor``
    NA.
    """
    actor = check_actors(neg, [actor])[0]
    other_list = None if others is None else check_actors(neg, others)
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    held = _held(neg, issues=issues, carry_forward=carry_forward, max_age=max_age)
    n_issues = held.n_issues

    def value_asof(groups: np.ndarray, days: np.ndarray) -> np.ndarray:
        return held.take("value", held.at(groups, days))

    own_code = held.code(actor)
    own = held.group // n_issues == own_code if own_code >= 0 else held.group < 0
    if end_ts is not None:
        own &= held.day <= _days([end_ts])[0]
    own_groups = held.group[own]
    # keys are sorted, so each group's rows are contiguous in date order
    span_groups, first = np.unique(own_groups, return_index=True)
    last = np.r_[first[1:], len(own_groups)] - 1
    own_days = held.day[own]
    start_day = own_days[first] if start_ts is None else np.full(len(first), _days([start_ts])[0])
    end_day = own_days[last] if end_ts is None else np.full(len(first), _days([end_ts])[0])
    span_issue = span_groups % n_issues
    value_start = value_asof(span_groups, start_day)
    value_end = value_asof(span_groups, end_day)

    # (issue row, other actor code) pairs
    if other_list is not None:
        other_codes = np.array([held.code(o) for o in other_list], dtype=np.int64)
        rows = np.repeat(np.arange(len(span_groups)), len(other_list))
        others_code = np.tile(other_codes, len(span_groups))
        other_names = np.tile(np.asarray(other_list, dtype=object), len(span_groups))
    else:
        spoken = np.unique(held.group)
        spoken_actor, spoken_issue = spoken // n_issues, spoken % n_issues
        keep = np.isin(spoken_issue, span_issue) & (spoken_actor != own_code)
        row_of_issue = np.full(n_issues, -1)
        row_of_issue[span_issue] = np.arange(len(span_issue))
        rows = row_of_issue[spoken_issue[keep]]
        others_code = spoken_actor[keep]
        other_names = held.actors[others_code]
        lonely = np.setdiff1d(np.arange(len(span_groups)), rows)  # nobody else spoke
        rows = np.r_[rows, lonely].astype(np.int64)
        others_code = np.r_[others_code, np.full(len(lonely), -1)]
        other_names = np.r_[other_names, np.full(len(lonely), None, dtype=object)]
    known_other = others_code >= 0
    other_value = np.full(len(rows), np.nan)
    if known_other.any():
        q_groups = others_code[known_other] * n_issues + span_issue[rows[known_other]]
        other_value[known_other] = value_asof(q_groups, start_day[rows[known_other]])

    vs, ve = value_start[rows], value_end[rows]
    movement = _movement(vs, ve, other_value)
    toward = np.where(pd.isna(movement), None, np.isin(movement, ("toward", "overshoot")))
    out = pd.DataFrame(
        {
            "issue_id": pd.array(
                held.issues[span_issue[rows]] if len(held.issues) else [], dtype="str"
            ),
            "actor_id": pd.array(np.full(len(rows), actor, dtype=object), dtype="str"),
            "start": _dates(start_day[rows]),
            "end": _dates(end_day[rows]),
            "value_start": vs,
            "value_end": ve,
            "change": ve - vs,
            "other_actor": pd.array(other_names, dtype="str"),
            "other_value": other_value,
            "gap_before": np.abs(vs - other_value),
            "gap_after": np.abs(ve - other_value),
            "movement": pd.array(movement, dtype="str"),
            "toward": pd.array(toward, dtype="boolean"),
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
    held = _Held(neg.positions)
    multi = np.flatnonzero(held.n_rows > 1)
    if not len(multi):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    counts = held.n_rows[multi]
    group = np.repeat(np.arange(len(multi)), counts)
    offsets = np.repeat(held.starts[multi] - np.cumsum(np.r_[0, counts[:-1]]), counts)
    rows = neg.positions.iloc[held.members[offsets + np.arange(counts.sum())]]
    values = rows["value"].to_numpy(dtype="float64")
    low = rows["value_low"].fillna(rows["value"]).to_numpy(dtype="float64")
    high = rows["value_high"].fillna(rows["value"]).to_numpy(dtype="float64")
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    out = held.frame(multi)[["actor_id", "issue_id", "date", "n_rows", "position_ids", "value"]]
    texts = pd.Series([f"{v:g}" for v in values]).groupby(group).agg(";".join)
    out["values"] = texts.to_numpy()
    out["value_min"] = np.minimum.reduceat(values, starts)
    out["value_max"] = np.maximum.reduceat(values, starts)
    out["spread"] = out["value_max"] - out["value_min"]
    low_spread = np.maximum.reduceat(low, starts) - np.minimum.reduceat(low, starts)
    high_spread = np.maximum.reduceat(high, starts) - np.minimum.reduceat(high, starts)
    differ = (out["spread"] > 0) | (low_spread > 0) | (high_spread > 0)
    return out.loc[differ.to_numpy(), columns].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# change-point frames (one row per date at which a value changes): what holds when


def _changes_in_window(
    frame: pd.DataFrame, *, keys: list[str], start: Any = None, end: Any = None
) -> pd.DataFrame:
    """Rows of a change-point frame in a window.

    The last row before ``start`` in each ``keys`` group is kept and moved to ``start`` (unless
    the group changes exactly at ``start``), so a step line opens with the value that held
    then. Rows after ``end`` are dropped. Returned sorted by ``keys`` then date.
    """
    if frame.empty:
        return frame
    dates = frame["date"]
    start, end = _timestamp(start, "start"), _timestamp(end, "end")
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


def _changes_at(frame: pd.DataFrame, dates: Iterable[Any], *, keys: list[str]) -> pd.DataFrame:
    """The row of a change-point frame in force at each of ``dates``, per ``keys`` group.

    One row per (group, date) with ``date`` set to the asked date; a group with no change yet at
    a date is left out. Sorted by ``keys`` (first-seen order) then date.
    """
    grid = pd.DataFrame({"date": _timestamps(dates, "dates").astype(frame["date"].dtype)})
    grid = grid.drop_duplicates().sort_values("date", kind="stable")
    if frame.empty or grid.empty:
        return frame.iloc[0:0]
    groups = frame.groupby(keys, sort=False, observed=True) if keys else [(None, frame)]
    parts = []
    for _, group in groups:
        group = group.sort_values("date", kind="stable").drop_duplicates("date", keep="last")
        merged = pd.merge_asof(
            grid,
            group.rename(columns={"date": "_changed"}),
            left_on="date",
            right_on="_changed",
            direction="backward",
        )
        parts.append(merged[merged["_changed"].notna()].drop(columns="_changed"))
    return pd.concat(parts, ignore_index=True)[list(frame.columns)]
