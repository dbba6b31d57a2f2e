"""Bargaining views: where the stated positions on each issue are centred at a date.

``compute_forecast`` gives, per issue, the weighted median and weighted mean of the positions in
force at a date. The weighted median is the reference point of spatial bargaining models (the
position no coalition holding more than half the weight would move away from); it is a
descriptive summary of the coded positions, not a prediction of an outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .gaps import positions_asof
from .load import Negotiation

__all__ = ["compute_forecast"]

#: Roles left out by default: a "joint" actor is a text several actors drafted, not a side.
DEFAULT_EXCLUDED_ROLES = ("joint",)


def compute_forecast(
    neg: Negotiation,
    date: Any,
    *,
    weights: str | Mapping[str, float] | None = "salience",
    actors: Iterable[str] | None = None,
    issues: Iterable[str] | None = None,
    carry_forward: bool = True,
    max_age: Any = None,
) -> pd.DataFrame:
    """Weighted median and mean of the positions in force at ``date``, per issue.

    ``actors`` defaults to every actor whose role is not ``joint``. ``weights``: ``"salience"``
    (each actor weighs its salience on the issue, a missing salience counts as 1), ``None``
    (every actor counts 1), or a mapping ``actor_id -> weight`` (e.g. capabilities; actors not
    in it weigh 0). Positions follow :func:`~negotiation_lib.gaps.positions_asof`.

    Returns one row per issue where at least one weighted actor holds a position, sorted by
    issue. Columns: ``issue_id``, ``n_actors``, ``weighted_median`` (the lowest value at which
    the actors at or below it hold at least half the total weight), ``weighted_mean``, ``low``
    and ``high`` (the smallest and largest value in force), ``weight`` (total weight),
    ``actors`` (the actors counted, ``;``-joined in value order).
    """
    if actors is None:
        roles = neg.actors["role"].astype("str")
        actors = neg.actors.loc[~roles.isin(DEFAULT_EXCLUDED_ROLES), "actor_id"].tolist()
    p = positions_asof(
        neg,
        date,
        carry_forward=carry_forward,
        max_age=max_age,
        actors=list(actors),
        issues=None if issues is None else list(issues),
    )
    if weights is None:
        w = pd.Series(1.0, index=p.index)
    elif isinstance(weights, str):
        if weights != "salience":
            raise ValueError(f'weights must be None, "salience" or a mapping, got {weights!r}')
        w = p["salience"].astype("float64").fillna(1.0)
    else:
        mapping = {str(k): float(v) for k, v in dict(weights).items()}
        if any(not np.isfinite(v) or v < 0 for v in mapping.values()):
            raise ValueError("weights must be finite and non-negative")
        w = p["actor_id"].map(mapping).astype("float64").fillna(0.0)
    p = p.assign(_w=w)[w > 0].sort_values(["issue_id", "value", "actor_id"], kind="stable")
    columns = [
        "issue_id",
        "n_actors",
        "weighted_median",
        "weighted_mean",
        "low",
        "high",
        "weight",
        "actors",
    ]
    if p.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {"issue_id": "str", "actors": "str", "n_actors": "int64"}
        )
    g = p.groupby("issue_id", sort=True)
    total = g["_w"].transform("sum")
    reached = g["_w"].cumsum() >= total / 2 - 1e-12
    median = p[reached].drop_duplicates("issue_id").set_index("issue_id")["value"]
    summary = g.agg(
        n_actors=("actor_id", "size"),
        low=("value", "min"),
        high=("value", "max"),
        weight=("_w", "sum"),
        actors=("actor_id", ";".join),
    )
    summary["weighted_mean"] = (p["value"] * p["_w"]).groupby(p["issue_id"]).sum() / summary[
        "weight"
    ]
    summary["weighted_median"] = median
    out = summary.reset_index()[columns]
    out["issue_id"] = out["issue_id"].astype("str")
    out["actors"] = out["actors"].astype("str")
    return out
