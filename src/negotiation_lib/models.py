"""Bargaining models: where would a deal land, given where the sides stood? And did it?

Three simple spatial-bargaining models forecast one value per issue from the positions in force
at a date (:func:`~negotiation_lib.gaps.positions_asof`, carried forward), each actor weighted
by ``s · c``: ``s`` its salience on the issue (missing counts as 1) and ``c`` its capability
(``actors.capability``, missing counts as 1, overridden by a mapping such as ``{"A": 2}``):

- ``compromise``: the weighted mean ``Σ v·s·c / Σ s·c`` (the "compromise model", the Nash
  bargaining solution of the Decide/DEU studies);
- ``weighted_median``: the lowest value at which the cumulative weight ``s·c``, in value order,
  reaches half the total (Black's median voter with weights);
- ``midpoint``: the mean of the two values of a pair of actors (by default
  :func:`~negotiation_lib.ids.default_pair`), no weights: the baseline every model must beat.

:func:`backtest` scores them against the agreed texts: a position of a ``joint`` actor with
stance ``agreement`` (:func:`agreed_outcomes`) is compared with the forecast from the positions
of the non-joint actors in force on the day before. :func:`backtest_summary` gives each model's
mean absolute error with a bootstrap interval and its record against the midpoint;
:func:`describe_backtest` says in words what that table can and cannot show.
:func:`forecast_sensitivity` varies the capability and salience assumptions.

Capability and salience are assumptions of the coder, and the 0–100 scales are ordinal codings
of text: a forecast is a summary of coded positions, not a prediction with known accuracy.
Every output names the capability values it used (column ``capability``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import ids, schema, text
from .gaps import SALIENCE_WHEN_MISSING, _timestamp, combined_positions, positions_asof
from .load import Negotiation

__all__ = [
    "BACKTEST_COLUMNS",
    "FORECAST_COLUMNS",
    "MIN_OUTCOMES_TO_COMPARE",
    "MODELS",
    "MODEL_LABELS",
    "SUMMARY_COLUMNS",
    "WHATIF_COLUMNS",
    "agreed_outcomes",
    "backtest",
    "backtest_summary",
    "capabilities",
    "describe_backtest",
    "forecast",
    "forecast_and_outcomes",
    "forecast_over_time",
    "forecast_sensitivity",
    "non_joint_actors",
]

#: The models, in the order their rows appear.
MODELS = ("compromise", "weighted_median", "midpoint")

#: Readable names of the models (for tables, figures and controls).
MODEL_LABELS = {
    "compromise": "Compromise (weighted mean)",
    "weighted_median": "Weighted median",
    "midpoint": "Midpoint of the pair",
}

#: The role of actors that stand for a text several actors agreed or drafted, not a side.
JOINT_ROLE = schema.JOINT_ROLE
#: The stance that makes a joint actor's position an agreed outcome.
AGREEMENT_STANCE = "agreement"

FORECAST_COLUMNS = (
    "issue_id",
    "model",
    "forecast",
    "n_actors",
    "weight",
    "actors",
    "capability",
)
BACKTEST_COLUMNS = (
    "position_id",
    "date",
    "issue_id",
    "actor_id",
    "outcome",
    "model",
    "forecast",
    "error",
    "abs_error",
    "n_actors",
    "actors",
    "capability",
)
SUMMARY_COLUMNS = (
    "model",
    "n",
    "mae",
    "mae_low",
    "mae_high",
    "n_paired",
    "beats_midpoint",
    "ties_midpoint",
    "diff_vs_midpoint",
    "diff_low",
    "diff_high",
)

#: Below this many scored outcomes, :func:`describe_backtest` says the data cannot tell the
#: models apart (a bootstrap interval over a handful of cases is not worth reading).
MIN_OUTCOMES_TO_COMPARE = 10

_DAY = pd.Timedelta(days=1)
_TOLERANCE = 1e-9  # relative: cumulative weights within this of half the total reach it


# --------------------------------------------------------------------------------------------
# who takes part, with what weight


def non_joint_actors(neg: Negotiation) -> list[str]:
    """Ids of the actors whose role is not ``joint`` (the sides), in actors.csv order."""
    roles = neg.actors["role"].astype("str")
    return [str(a) for a in neg.actors.loc[roles != JOINT_ROLE, "actor_id"]]


def capabilities(neg: Negotiation, capability: Mapping[str, float] | None = None) -> pd.Series:
    """Capability per actor id (every actor, actors.csv order): ``actors.capability`` where
    given, else 1, then overridden by ``capability`` (actors not named keep theirs).

    Raises :class:`~negotiation_lib.ids.UnknownIdError` for an unknown actor, ValueError for a
    value that is not a finite number >= 0.
    """
    if "capability" in neg.actors:
        coded = pd.to_numeric(neg.actors["capability"], errors="coerce").astype("float64")
    else:
        coded = pd.Series(np.nan, index=neg.actors.index)
    caps = pd.Series(
        coded.fillna(1.0).to_numpy(), index=ids.actor_order(neg), dtype="float64", name="capability"
    )
    if capability:
        ids.check_actors(neg, list(capability), given_as="capability")
        for actor, value in capability.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if not np.isfinite(number) or number < 0:
                raise ValueError(f"capability of {actor} must be a number >= 0, got {value!r}")
            caps[str(actor)] = number
    return caps


def _models(models: str | Iterable[str] | None) -> list[str]:
    if models is None:
        return list(MODELS)
    chosen = [models] if isinstance(models, str) else list(models)
    unknown = [m for m in chosen if m not in MODELS]
    if unknown or not chosen:
        raise ValueError(f"models must be among {', '.join(MODELS)}, got {chosen!r}")
    return [m for m in MODELS if m in chosen]


def _issues(neg: Negotiation, issues: Iterable[str] | None) -> list[str] | None:
    if issues is None:
        return None
    return ids.check_issues(neg, issues, given_as="issues")


def _fmt(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------------------------
# the models on one set of positions


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    numbers = {"forecast", "weight", "outcome", "error", "abs_error"}
    frame = pd.DataFrame(
        {
            c: pd.Series(
                dtype="float64"
                if c in numbers
                else "int64"
                if c == "n_actors"
                else "datetime64[us]"
                if c == "date"
                else "str"
            )
            for c in columns
        }
    )
    return frame


def _group_text(codes: np.ndarray, parts: np.ndarray, k: int, sep: str) -> np.ndarray:
    """``sep``-joined ``parts`` per group ``0..k-1`` (``codes`` sorted), ``""`` for none."""
    out = np.full(k, "", dtype=object)
    if len(codes):
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        for code, chunk in zip(codes[starts], np.split(parts, starts[1:]), strict=True):
            out[code] = sep.join(chunk)
    return out


def _forecast_from(
    p: pd.DataFrame,
    *,
    counted: list[str],
    caps: pd.Series,
    pair: tuple[str, str],
    models: list[str],
    issue_rank: Mapping[str, int],
    salience: pd.Series | None = None,
) -> pd.DataFrame:
    """The models on positions ``p`` (a positions_asof frame); see :func:`forecast`.

    Plain numpy on the few columns needed (issue, actor, value, salience), so that
    :func:`forecast_sensitivity` can run it once per draw.
    """
    if p.empty:
        return _empty(FORECAST_COLUMNS)
    issues = sorted(pd.unique(p["issue_id"]), key=issue_rank.get)
    k = len(issues)
    codes_all = pd.Categorical(p["issue_id"], categories=issues).codes.astype(np.int64)
    actors_all = p["actor_id"].to_numpy(dtype=object)
    values_all = p["value"].to_numpy(dtype="float64")
    columns: dict[str, list] = {c: [] for c in FORECAST_COLUMNS}

    def add(model, forecast, n, weight, names, capability):
        columns["model"].append(np.full(k, model, dtype=object))
        for key, values in (
            ("forecast", forecast),
            ("n_actors", n),
            ("weight", weight),
            ("actors", names),
            ("capability", capability),
        ):
            columns[key].append(values)

    weighted = [m for m in models if m != "midpoint"]
    if weighted:
        own = np.isin(actors_all, counted)
        s = p["salience"] if salience is None else salience
        s = s.to_numpy(dtype="float64")[own]
        c = pd.Series(actors_all[own]).map(caps).to_numpy(dtype="float64")
        w = np.where(np.isnan(s), SALIENCE_WHEN_MISSING, s) * c
        keep = w > 0
        codes, actors, values = codes_all[own][keep], actors_all[own][keep], values_all[own][keep]
        w, c = w[keep], c[keep]
        order = np.lexsort((actors.astype(str), values, codes))
        codes, actors, values, w, c = codes[order], actors[order], values[order], w[order], c[order]
        total = np.bincount(codes, weights=w, minlength=k)
        n = np.bincount(codes, minlength=k).astype(np.int64)
        has = total > 0
        total_or_nan = np.where(has, total, np.nan)
        names = _group_text(codes, actors.astype(str), k, ";")
        capability = _group_text(
            codes, np.array([f"{a}={_fmt(x)}" for a, x in zip(actors, c, strict=True)]), k, "; "
        )
        if "compromise" in weighted:
            sums = np.bincount(codes, weights=w * values, minlength=k)
            compromise = np.where(has, sums / np.where(has, total, 1.0), np.nan)
            add("compromise", compromise, n, total_or_nan, names, capability)
        if "weighted_median" in weighted:
            cum = np.cumsum(w)
            first = np.searchsorted(codes, np.arange(k))
            before = np.r_[0.0, cum][first]
            within = cum - before[codes]
            reached = np.flatnonzero(within >= total[codes] / 2 * (1 - _TOLERANCE))
            median = np.full(k, np.nan)
            found, at = np.unique(codes[reached], return_index=True)
            median[found] = values[reached[at]]
            add("weighted_median", median, n, total_or_nan, names, capability)
    if "midpoint" in models:
        side = []
        for actor in pair:
            v = np.full(k, np.nan)
            mine = actors_all == actor
            v[codes_all[mine]] = values_all[mine]
            side.append(v)
        va, vb = side
        present = np.array(
            [
                ";".join(x for x, ok in ((pair[0], ha), (pair[1], hb)) if ok)
                for ha, hb in zip(~np.isnan(va), ~np.isnan(vb), strict=True)
            ],
            dtype=object,
        )
        n_pair = (~np.isnan(va)).astype(np.int64) + (~np.isnan(vb)).astype(np.int64)
        add("midpoint", (va + vb) / 2, n_pair, np.full(k, np.nan), present, np.full(k, ""))
    n_models = len(columns["model"])
    # rows issue by issue, the models in MODELS order within each issue
    out = pd.DataFrame(
        {
            "issue_id": np.repeat(np.array(issues, dtype=object), n_models),
            **{
                key: np.stack(columns[key], axis=1).reshape(-1)
                for key in FORECAST_COLUMNS
                if key != "issue_id"
            },
        }
    )
    out = out.astype(
        {
            "issue_id": "str",
            "model": "str",
            "forecast": "float64",
            "n_actors": "int64",
            "weight": "float64",
            "actors": "str",
            "capability": "str",
        }
    )
    return out[list(FORECAST_COLUMNS)]


def _counted_actors(neg: Negotiation, actors: Iterable[str] | None) -> list[str]:
    """The actors a model counts: ``actors`` checked, by default every non-joint actor."""
    return (
        non_joint_actors(neg)
        if actors is None
        else ids.check_actors(neg, actors, given_as="actors")
    )


def _issue_rank(neg: Negotiation) -> dict[str, int]:
    return {issue: i for i, issue in enumerate(ids.issue_order(neg))}


# --------------------------------------------------------------------------------------------
# public: forecast, over time, sensitivity


def forecast(
    neg: Negotiation,
    date: Any,
    *,
    models: str | Iterable[str] | None = None,
    capability: Mapping[str, float] | None = None,
    actors: Iterable[str] | None = None,
    issues: Iterable[str] | None = None,
    pair: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each model's forecast per issue from the positions in force at ``date`` (carried
    forward).

    ``actors`` default: every non-joint actor holding a position. ``capability`` overrides
    ``actors.capability`` per actor; ``models`` default: all of :data:`MODELS`; ``pair`` (for
    ``midpoint``) default: :func:`~negotiation_lib.ids.default_pair`.

    Returns one row per (issue, model), for every issue on which a counted actor or the pair
    holds a position, in issue order then model order. Columns: ``issue_id``, ``model``,
    ``forecast`` (NaN when the model has nothing to go on: no actor with positive weight, or
    for ``midpoint`` a side of the pair without a position), ``n_actors`` (actors counted),
    ``weight`` (total ``s·c``; NaN for ``midpoint``, which has no weights), ``actors`` (the
    actors counted, ``;``-joined in value order), ``capability`` (the capability each counted
    actor had, e.g. ``"UA=1; RU=2"``; empty for ``midpoint``).
    """
    chosen = _models(models)
    caps = capabilities(neg, capability)
    the_pair = ids.pair_or_default(neg, pair)
    counted = _counted_actors(neg, actors)
    wanted = list(dict.fromkeys([*counted, *the_pair]))
    p = positions_asof(neg, date, actors=wanted, issues=_issues(neg, issues))
    return _forecast_from(
        p,
        counted=counted,
        caps=caps,
        pair=the_pair,
        models=chosen,
        issue_rank=_issue_rank(neg),
    )


def forecast_over_time(
    neg: Negotiation,
    issue_id: str,
    *,
    models: str | Iterable[str] | None = None,
    capability: Mapping[str, float] | None = None,
    actors: Iterable[str] | None = None,
    pair: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The forecasts on one issue at every date a counted actor's position on it changes.

    One row per (date, model) from the first such date on (each forecast holds until the next
    date); columns ``date`` and then those of :func:`forecast`. Options as in :func:`forecast`.
    """
    _issues(neg, [issue_id])
    counted = _counted_actors(neg, actors)
    the_pair = ids.pair_or_default(neg, pair)
    p = neg.positions
    on_issue = p[(p["issue_id"] == issue_id) & p["actor_id"].isin([*counted, *the_pair])]
    dates = sorted(pd.unique(on_issue["date"].dropna()))
    frames = []
    for date in dates:
        f = forecast(
            neg,
            date,
            models=models,
            capability=capability,
            actors=counted,
            issues=[issue_id],
            pair=the_pair,
        )
        frames.append(f.assign(date=pd.Timestamp(date)))
    if not frames:
        return _empty(("date", *FORECAST_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["date"] = out["date"].astype("datetime64[us]")
    return out[["date", *FORECAST_COLUMNS]]


def _ranges(
    given: Mapping[Any, tuple[float, float]] | None,
    *,
    kind: str,
    neg: Negotiation,
    upper: float | None,
) -> list[tuple[str, tuple, float, float]]:
    """``[(column name, key, low, high)]`` for the ranges a user gave, checked."""
    out = []
    for key, bounds in (given or {}).items():
        parts = tuple(key) if isinstance(key, tuple) else (key,)
        ids.check_actors(neg, [parts[0]], given_as=kind)
        if len(parts) == 2:
            _issues(neg, [parts[1]])
        elif len(parts) != 1:
            raise ValueError(f"{kind} key must be an actor id or (actor id, issue id): {key!r}")
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            message = f"{kind} range for {key!r} must be (low, high), got {bounds!r}"
            raise ValueError(message) from None
        top = np.inf if upper is None else upper
        if not (np.isfinite(low) and np.isfinite(high) and 0 <= low <= high <= top):
            limit = "" if upper is None else f" and <= {_fmt(upper)}"
            raise ValueError(
                f"{kind} range for {key!r} must satisfy 0 <= low <= high{limit}, got {bounds!r}"
            )
        out.append((f"{kind}[{'|'.join(map(str, parts))}]", parts, low, high))
    return out


def forecast_sensitivity(
    neg: Negotiation,
    date: Any,
    *,
    capability: Mapping[str, tuple[float, float]] | None = None,
    salience: Mapping[Any, tuple[float, float]] | None = None,
    method: str = "random",
    n_draws: int = 200,
    steps: int = 3,
    seed: int = 0,
    models: str | Iterable[str] | None = None,
    actors: Iterable[str] | None = None,
    issues: Iterable[str] | None = None,
    pair: Iterable[str] | None = None,
) -> pd.DataFrame:
    """How each issue's forecast at ``date`` moves when capability and salience vary.

    ``capability`` maps actor id -> ``(low, high)``; ``salience`` maps actor id (all its
    issues) or ``(actor id, issue id)`` -> ``(low, high)`` within 0-1 and replaces the coded
    salience. Parameters not given keep their coded values. ``method="random"``: ``n_draws``
    draws, each parameter uniform in its range (``numpy.random.default_rng(seed)``, so the
    same seed gives the same draws); ``method="grid"``: every combination of ``steps`` evenly
    spaced values per range (at most 100 000 combinations). Other options as in
    :func:`forecast`.

    Returns one row per (draw, issue, model): ``draw`` (0, 1, ...), the columns of
    :func:`forecast`, then one column per varied parameter holding its value in that draw,
    named ``capability[<actor>]``, ``salience[<actor>]`` or ``salience[<actor>|<issue>]``.
    """
    chosen = _models(models)
    caps = capabilities(neg, None)
    the_pair = ids.pair_or_default(neg, pair)
    counted = _counted_actors(neg, actors)
    ranges = _ranges(capability, kind="capability", neg=neg, upper=None) + _ranges(
        salience, kind="salience", neg=neg, upper=1.0
    )
    if not ranges:
        raise ValueError("give at least one capability or salience range to vary")
    lows = np.array([r[2] for r in ranges])
    highs = np.array([r[3] for r in ranges])
    if method == "random":
        if int(n_draws) < 1:
            raise ValueError(f"n_draws must be at least 1, got {n_draws!r}")
        rng = np.random.default_rng(seed)
        draws = lows + (highs - lows) * rng.random((int(n_draws), len(ranges)))
    elif method == "grid":
        if int(steps) < 1:
            raise ValueError(f"steps must be at least 1, got {steps!r}")
        if int(steps) ** len(ranges) > 100_000:
            raise ValueError(
                f"a grid of {steps} steps over {len(ranges)} ranges has more than 100000 "
                "combinations: use fewer steps or method='random'"
            )
        axes = [np.linspace(lo, hi, int(steps)) for lo, hi in zip(lows, highs, strict=True)]
        draws = np.array(list(itertools.product(*axes)), dtype="float64")
    else:
        raise ValueError(f'method must be "random" or "grid", got {method!r}')
    wanted = list(dict.fromkeys([*counted, *the_pair]))
    p = positions_asof(neg, date, actors=wanted, issues=_issues(neg, issues))
    p = p[["issue_id", "actor_id", "value", "salience"]]
    rank = _issue_rank(neg)
    coded_salience = p["salience"].astype("float64")
    hits = {}  # the rows each salience range replaces, found once
    for name, parts, _low, _high in ranges:
        if name.startswith("salience"):
            hit = p["actor_id"] == parts[0]
            if len(parts) == 2:
                hit &= p["issue_id"] == parts[1]
            hits[name] = hit.to_numpy()
    frames = []
    for number, row in enumerate(draws):
        c = caps.copy()
        s = coded_salience.copy()
        for (name, parts, _low, _high), value in zip(ranges, row, strict=True):
            if name in hits:
                s[hits[name]] = value
            else:
                c[parts[0]] = value
        f = _forecast_from(
            p,
            counted=counted,
            caps=c,
            pair=the_pair,
            models=chosen,
            issue_rank=rank,
            salience=s,
        )
        f.insert(0, "draw", number)
        for (name, *_), value in zip(ranges, row, strict=True):
            f[name] = float(value)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# public: agreed outcomes and the backtest


def agreed_outcomes(neg: Negotiation) -> pd.DataFrame:
    """The agreed texts: positions of ``joint`` actors with stance ``agreement``.

    One row per (actor, issue, date), several rows (sources) of the same agreed text combined
    as in :func:`~negotiation_lib.gaps.combined_positions` (mean value; ``position_id`` the
    first row's, ``position_ids`` all of them), sorted by date then issue order. Columns: those
    of ``combined_positions``.
    """
    roles = neg.actors["role"].astype("str")
    joint = [str(a) for a in neg.actors.loc[roles == JOINT_ROLE, "actor_id"]]
    combined = combined_positions(neg, actors=joint)
    out = combined[combined["stance"].astype("str") == AGREEMENT_STANCE]
    rank = _issue_rank(neg)
    out = out.assign(_i=out["issue_id"].map(rank)).sort_values(["date", "_i"], kind="stable")
    return out.drop(columns="_i").reset_index(drop=True)


def backtest(
    neg: Negotiation,
    *,
    models: str | Iterable[str] | None = None,
    capability: Mapping[str, float] | None = None,
    pair: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each model's forecast of every agreed outcome, from the day before it.

    An outcome is a row of :func:`agreed_outcomes`; its forecast is :func:`forecast` at the
    day before its date, from the positions of non-joint actors only. Options as in
    :func:`forecast`.

    Returns one row per (outcome, model), sorted by date, issue order and model: columns
    ``position_id``, ``date``, ``issue_id``, ``actor_id`` (the joint actor), ``outcome`` (its
    value), ``model``, ``forecast`` (NaN when the model had nothing to go on), ``error``
    (forecast − outcome), ``abs_error``, ``n_actors``, ``actors`` and ``capability`` (as in
    :func:`forecast`).
    """
    chosen = _models(models)
    caps = capabilities(neg, capability)
    the_pair = ids.pair_or_default(neg, pair)
    outcomes = agreed_outcomes(neg)
    if outcomes.empty:
        return _empty(BACKTEST_COLUMNS)
    counted = non_joint_actors(neg)
    wanted = list(dict.fromkeys([*counted, *the_pair]))
    rank = _issue_rank(neg)
    frames = []
    for date, group in outcomes.groupby("date", sort=True):
        issues = list(pd.unique(group["issue_id"]))
        p = positions_asof(neg, date - _DAY, actors=wanted, issues=issues)
        f = _forecast_from(
            p, counted=counted, caps=caps, pair=the_pair, models=chosen, issue_rank=rank
        )
        # every outcome gets a row per model, also when nobody held a position the day before
        grid = group[["position_id", "date", "issue_id", "actor_id", "value"]].merge(
            pd.DataFrame({"model": chosen}), how="cross"
        )
        frames.append(grid.merge(f, on=["issue_id", "model"], how="left"))
    out = pd.concat(frames, ignore_index=True).rename(columns={"value": "outcome"})
    out["error"] = out["forecast"] - out["outcome"]
    out["abs_error"] = out["error"].abs()
    out["n_actors"] = out["n_actors"].fillna(0).astype("int64")
    for column in ("actors", "capability"):
        out[column] = out[column].fillna("").astype("str")
    order = {m: i for i, m in enumerate(MODELS)}
    out = out.assign(_i=out["issue_id"].map(rank), _m=out["model"].map(order))
    out = out.sort_values(["date", "_i", "position_id", "_m"], kind="stable")
    out = out[list(BACKTEST_COLUMNS)].reset_index(drop=True)
    for column in ("position_id", "issue_id", "actor_id", "model"):
        out[column] = out[column].astype("str")
    return out


def backtest_summary(
    bt: pd.DataFrame, *, n_boot: int = 2000, level: float = 0.9, seed: int = 0
) -> pd.DataFrame:
    """Per model: how far its forecasts fell from the agreed outcomes, and against the midpoint.

    ``bt`` is a :func:`backtest` frame. The interval is a percentile bootstrap over outcomes
    (``n_boot`` resamples of the outcomes with replacement, drawn once with
    ``numpy.random.default_rng(seed)`` and shared by all models, so the same seed gives the
    same table). Outcomes from one agreed text are resampled as if independent.

    Returns one row per model in :data:`MODELS` order: ``model``, ``n`` (outcomes with a
    forecast), ``mae`` (mean absolute error), ``mae_low``/``mae_high`` (the ``level``
    interval), ``n_paired`` (outcomes where this model and ``midpoint`` both have a forecast),
    ``beats_midpoint`` / ``ties_midpoint`` (of those, how many this model was closer / equally
    close), ``diff_vs_midpoint`` (this model's MAE minus the midpoint's on the paired outcomes;
    negative = better) with its interval ``diff_low``/``diff_high``. The pairing columns are
    missing (NA) for ``midpoint`` itself and when no midpoint was computed.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot!r}")
    missing = {"position_id", "model", "abs_error"} - set(bt.columns)
    if missing:
        raise ValueError(f"not a backtest frame: no column(s) {', '.join(sorted(missing))}")
    present = [m for m in MODELS if m in set(bt["model"])]
    wide = bt.pivot_table(
        index="position_id", columns="model", values="abs_error", aggfunc="first", dropna=False
    ).reindex(columns=present)
    wide = wide.reindex(pd.unique(bt["position_id"]))
    errors = wide.to_numpy(dtype="float64")  # outcomes x models
    n_outcomes = len(wide)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, max(n_outcomes, 1), size=(int(n_boot), n_outcomes))
    tail = (1 - level) / 2
    rows = []
    mid = present.index("midpoint") if "midpoint" in present else None
    for j, model in enumerate(present):
        e = errors[:, j]
        has = ~np.isnan(e)
        row: dict[str, Any] = {"model": model, "n": int(has.sum())}
        row["mae"], row["mae_low"], row["mae_high"] = _mean_and_interval(e, idx, tail)
        if mid is None or model == "midpoint":
            row.update(dict.fromkeys(("n_paired", "beats_midpoint", "ties_midpoint"), pd.NA))
            row.update(dict.fromkeys(("diff_vs_midpoint", "diff_low", "diff_high"), np.nan))
        else:
            m = errors[:, mid]
            paired = has & ~np.isnan(m)
            closer = e[paired] < m[paired] - 1e-9
            tie = np.abs(e[paired] - m[paired]) <= 1e-9
            row["n_paired"] = int(paired.sum())
            row["beats_midpoint"] = int(closer.sum())
            row["ties_midpoint"] = int(tie.sum())
            diff = np.where(paired, e - m, np.nan)
            row["diff_vs_midpoint"], row["diff_low"], row["diff_high"] = _mean_and_interval(
                diff, idx, tail
            )
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    for column in ("n_paired", "beats_midpoint", "ties_midpoint"):
        out[column] = out[column].astype("Int64")
    out["n"] = out["n"].astype("int64")
    out["model"] = out["model"].astype("str")
    out.attrs["level"] = level
    return out


def _mean_and_interval(values: np.ndarray, idx: np.ndarray, tail: float) -> tuple[float, ...]:
    """Mean of the non-missing ``values`` and the bootstrap percentile interval of that mean
    over the resamples ``idx`` (resamples without any value are skipped)."""
    has = ~np.isnan(values)
    if not has.any():
        return np.nan, np.nan, np.nan
    filled = np.where(has, values, 0.0)
    sums = filled[idx].sum(axis=1)
    counts = has[idx].sum(axis=1)
    means = sums[counts > 0] / counts[counts > 0]
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(filled.sum() / has.sum()), float(low), float(high)


def describe_backtest(summary: pd.DataFrame, *, digits: int = 1) -> str:
    """What a :func:`backtest_summary` shows, in plain sentences (Markdown list).

    Says each model's error with n and interval; whether a model did better than the midpoint
    beyond the bootstrap interval of the paired difference, worse, or not distinguishably;
    and, below :data:`MIN_OUTCOMES_TO_COMPARE` scored outcomes, that there are too few to tell.
    """
    if summary.empty or int(summary["n"].max()) == 0:
        return "No agreed outcome could be scored: there is nothing to compare."

    def num(value: float) -> str:
        return text.format_number(value, digits)

    percent = text.format_number(100 * summary.attrs.get("level", 0.9), 1)
    lines = []
    for row in summary.itertuples(index=False):
        label = MODEL_LABELS.get(row.model, row.model)
        if row.n == 0:
            lines.append(f"- {label}: no forecast for any agreed outcome.")
            continue
        sentence = (
            f"- {label}: mean absolute error {num(row.mae)} points ({percent}% bootstrap interval "
            f"{num(row.mae_low)}–{num(row.mae_high)}) over n = {row.n} agreed outcome"
            f"{'s' if row.n != 1 else ''}"
        )
        if row.model != "midpoint" and not pd.isna(row.n_paired) and row.n_paired > 0:
            sentence += (
                f"; closer than the midpoint on {row.beats_midpoint} of {row.n_paired}, "
                f"as close on {row.ties_midpoint}"
            )
        lines.append(sentence + ".")
    n_max = int(summary["n"].max())
    paired = summary.dropna(subset=["diff_vs_midpoint"])
    if n_max < MIN_OUTCOMES_TO_COMPARE:
        lines.append(
            f"- With at most {n_max} scored outcome{'s' if n_max != 1 else ''} (fewer than "
            f"{MIN_OUTCOMES_TO_COMPARE}), these data are too few to tell the models from each "
            "other or from the midpoint: read the errors as a description of these cases, "
            "not as evidence of accuracy."
        )
    elif paired.empty:
        lines.append("- No outcome had both a model forecast and a midpoint: no comparison.")
    else:
        for row in paired.itertuples(index=False):
            label = MODEL_LABELS.get(row.model, row.model)
            if row.diff_high < 0:
                verdict = "did better than the midpoint baseline beyond the interval"
            elif row.diff_low > 0:
                verdict = "did worse than the midpoint baseline beyond the interval"
            else:
                verdict = "was not distinguishable from the midpoint baseline"
            lines.append(
                f"- {label} {verdict} (difference in mean absolute error "
                f"{num(row.diff_vs_midpoint)}, interval {num(row.diff_low)} to "
                f"{num(row.diff_high)}, n = {row.n_paired} paired outcomes)."
            )
    return "\n".join(lines)


WHATIF_COLUMNS = (
    "issue_id",
    "model",
    "forecast",
    "n_actors",
    "actors",
    "capability",
    "outcome",
    "outcome_date",
    "outcome_position_id",
    "error",
)


def forecast_and_outcomes(
    neg: Negotiation,
    date: Any,
    *,
    model: str = "compromise",
    capability: Mapping[str, float] | None = None,
    pair: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One model's forecast per issue from the day before ``date``, next to the agreed outcome.

    The forecast is :func:`forecast` at ``date`` minus one day (non-joint actors, as in
    :func:`backtest`, so at an agreed text's date this is its backtest). The outcome is the
    latest :func:`agreed_outcomes` row on the issue dated ``date`` or earlier (empty if none).

    Returns one row per issue with a forecast or an outcome, in issue order: ``issue_id``,
    ``model``, ``forecast``, ``n_actors``, ``actors``, ``capability`` (as in :func:`forecast`),
    ``outcome``, ``outcome_date``, ``outcome_position_id``, ``error`` (forecast − outcome).
    """
    if not isinstance(model, str):
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    (chosen,) = _models([model])
    day = _timestamp(date, "date")
    f = forecast(neg, day - _DAY, models=[chosen], capability=capability, pair=pair)
    outcomes = agreed_outcomes(neg)
    outcomes = outcomes[outcomes["date"] <= day].drop_duplicates("issue_id", keep="last")
    outcomes = outcomes.rename(
        columns={"value": "outcome", "date": "outcome_date", "position_id": "outcome_position_id"}
    )[["issue_id", "outcome", "outcome_date", "outcome_position_id"]]
    out = f.drop(columns="weight").merge(outcomes, on="issue_id", how="outer")
    out["model"] = chosen
    out["n_actors"] = out["n_actors"].fillna(0).astype("int64")
    for column in ("actors", "capability", "outcome_position_id"):
        out[column] = out[column].fillna("").astype("str")
    out["error"] = out["forecast"] - out["outcome"]
    rank = _issue_rank(neg)
    out = out.assign(_i=out["issue_id"].map(rank)).sort_values("_i", kind="stable")
    out = out[list(WHATIF_COLUMNS)].reset_index(drop=True)
    out["issue_id"] = out["issue_id"].astype("str")
    out["outcome_date"] = out["outcome_date"].astype("datetime64[us]")
    return out
