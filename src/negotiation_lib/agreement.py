"""Agreement between coders: Krippendorff's alpha and a per-issue agreement report.

Krippendorff's alpha (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011) is
``1 - D_o / D_e``: the disagreement observed between the values coders gave the same unit, over
the disagreement expected when values are paired by chance. Both are read off the coincidence
matrix: every ordered pair of values two different coders gave one unit adds ``1 / (m_u - 1)``
to cell (c, k), where ``m_u`` is the number of values the unit has. Units with fewer than two
values cannot be paired and are left out.

The coincidence matrix of all units is ``N' diag(1 / (m - 1)) N`` minus its diagonal
self-pairs, where ``N`` counts each unit's values (units x distinct values), computed as one
matrix product of unit weights with the units' outer products; the bootstrap uses the same
product with each replicate's unit weights. Written for this project,
MIT licence, numpy only.

Levels of measurement and their squared differences between values ``c`` and ``k``:

- ``nominal``: 0 when equal, else 1 (values may be numbers or labels);
- ``ordinal``: (number of values ranked from c to k, minus half of c's and k's counts) squared;
- ``interval``: ``(c - k) ** 2``;
- ``ratio``: ``((c - k) / (c + k)) ** 2`` (values must not be negative).

Alpha is not defined (NaN) when no unit has two values, or when every pairable value is the
same (no variation, so nothing to disagree about).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "LEVELS",
    "LONG_COLUMNS",
    "AgreementReport",
    "agreement_report",
    "krippendorff_alpha",
    "long_codings",
    "unit_disagreement",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
LONG_COLUMNS = ("unit", "coder", "value")
_BOOT_CHUNK = 200  # bootstrap replicates per vectorised batch (bounds memory at CHUNK x V x V)
_OUTER_BUDGET = 1 << 22  # numbers in one block of per-unit outer products (32 MB)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")


def long_codings(data: pd.DataFrame, *, level: str = "interval") -> pd.DataFrame:
    """Return the codings as a long frame: one row per value given, columns unit, coder, value.

    ``data`` is either long (columns ``unit``, ``coder``, ``value``, any others kept) or wide
    (rows = units, columns = coders, NaN = not coded). Rows without a value are dropped. Raises
    ValueError listing every problem: missing columns, missing unit or coder, one coder giving
    one unit two values, non-numeric values for ordinal/interval/ratio, negative ratio values.
    """
    _check_level(level)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"codings must be a pandas DataFrame, not {type(data).__name__}: either wide "
            "(rows = units, columns = coders) or long (columns unit, coder, value)"
        )
    named = [c for c in LONG_COLUMNS if c in data.columns]
    if named:
        missing = [c for c in LONG_COLUMNS if c not in data.columns]
        if missing:
            raise ValueError(
                f"a long codings frame needs columns {', '.join(LONG_COLUMNS)}; "
                f"missing: {', '.join(missing)} (a wide frame must not use these names as coders)"
            )
        long = data.reset_index(drop=True).copy()
        where = "row"
    else:
        if data.columns.has_duplicates:
            dupes = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
            raise ValueError(f"a wide codings frame has each coder once; repeated: {dupes}")
        if data.index.has_duplicates:
            dupes = sorted({str(u) for u in data.index[data.index.duplicated()]})
            raise ValueError(f"a wide codings frame has each unit once; repeated: {dupes[:10]}")
        wide = data.copy()
        wide.index = wide.index.rename("unit")
        wide.columns = wide.columns.rename("coder")
        long = wide.melt(ignore_index=False, var_name="coder", value_name="value").reset_index()
        where = "unit"

    problems: list[str] = []
    for column in ("unit", "coder"):
        bad = long[column].isna()
        if bad.any():
            problems.append(f"{column} is empty in row(s) {_rows(long.index[bad])}")
    present = long[long["value"].notna()].copy()
    if level != "nominal" and len(present):
        numbers = pd.to_numeric(present["value"], errors="coerce")
        bad = numbers.isna()
        if bad.any():
            examples = ", ".join(
                f"{where} {_label(long, i, where)} coder {long.at[i, 'coder']!s}: "
                f"{long.at[i, 'value']!r}"
                for i in present.index[bad][:5]
            )
            problems.append(
                f"{level} values must be numbers; {int(bad.sum())} are not ({examples})"
            )
        present["value"] = numbers.astype(float)
        if level == "ratio" and (present["value"] < 0).any():
            negative = present.index[present["value"] < 0]
            problems.append(f"ratio values must not be negative; rows {_rows(negative)}")
    if where == "row":
        dupes = present.duplicated(["unit", "coder"], keep=False)
        if dupes.any():
            pairs = sorted(
                {f"unit {u!s} coder {c!s}" for u, c in present.loc[dupes, ["unit", "coder"]].values}
            )
            problems.append(
                f"each coder gives a unit one value; {len(pairs)} give more: {'; '.join(pairs[:5])}"
            )
    if problems:
        raise ValueError("cannot compute agreement:\n- " + "\n- ".join(problems))
    return present.reset_index(drop=True)


def _rows(index: pd.Index) -> str:
    shown = ", ".join(str(i + 2) for i in index[:10])  # + header row, 1-based like a spreadsheet
    return shown + (f" and {len(index) - 10} more" if len(index) > 10 else "")


def _label(long: pd.DataFrame, i: int, where: str) -> str:
    return str(long.at[i, "unit"]) if where == "unit" else str(i + 2)


@dataclass(frozen=True)
class _Counts:
    """Pairable units' value counts: ``counts[u, v]`` = how often unit u received values[v]."""

    units: pd.Index
    values: np.ndarray
    counts: np.ndarray

    @property
    def per_unit(self) -> np.ndarray:
        return self.counts.sum(axis=1)


def _pairable_counts(long: pd.DataFrame, level: str) -> _Counts:
    per_unit = long.groupby("unit", sort=True)["value"].transform("size")
    pairable = long[per_unit >= 2]
    if level == "nominal":
        codes, values = pd.factorize(pairable["value"], sort=False)
        values = np.asarray(values, dtype=object)
    else:
        values, codes = np.unique(pairable["value"].to_numpy(float), return_inverse=True)
    try:
        unit_codes, units = pd.factorize(pairable["unit"], sort=True)
    except TypeError:  # units of mixed types keep their order of appearance
        unit_codes, units = pd.factorize(pairable["unit"], sort=False)
    counts = np.zeros((len(units), len(values)))
    np.add.at(counts, (unit_codes, codes), 1)
    return _Counts(units=pd.Index(units, name="unit"), values=values, counts=counts)


def _coincidences(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Coincidence matrices, one per row of ``weights`` (replicates x units): R x V x V.

    ``sum_u w_u n_uc n_uk / (m_u - 1)`` minus the self-pairs on the diagonal, as matrix products
    of the weights with each unit's outer product ``n_u n_u'`` (built for a block of units at a
    time, so memory stays within :data:`_OUTER_BUDGET` numbers).
    """
    scale = weights / (counts.sum(axis=1) - 1.0)  # R x U
    n_units, n_values = counts.shape
    step = max(1, _OUTER_BUDGET // (n_values * n_values))
    pairs = np.zeros((len(weights), n_values * n_values))
    for start in range(0, n_units, step):
        block = counts[start : start + step]
        outer = (block[:, :, None] * block[:, None, :]).reshape(len(block), -1)
        pairs += scale[:, start : start + step] @ outer
    pairs = pairs.reshape(len(weights), n_values, n_values)
    idx = np.arange(n_values)
    pairs[:, idx, idx] -= scale @ counts  # a value is never paired with itself
    return pairs


def _squared_differences(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    """The level's squared difference between every two values: R x V x V (V x V broadcasts)."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "ordinal":
        cum = np.cumsum(marginals, axis=-1)
        half = marginals / 2.0
        between = cum[..., None, :] - cum[..., :, None] + half[..., :, None] - half[..., None, :]
        return between**2
    v = values.astype(float)
    diff = v[None, :] - v[:, None]
    if level == "interval":
        return diff**2
    total = v[None, :] + v[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total == 0, 0.0, diff / np.where(total == 0, 1.0, total))
    return ratio**2


def _alpha_from(coincidences: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """Alpha of each coincidence matrix (R x V x V) -> R; NaN where it is not defined."""
    marginals = coincidences.sum(axis=2)  # R x V
    n = marginals.sum(axis=1)
    delta = np.broadcast_to(_squared_differences(values, marginals, level), coincidences.shape)
    observed = (coincidences * delta).sum(axis=(1, 2))
    expected = np.einsum("rc,rk,rck->r", marginals, marginals, delta)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where((n >= 2) & (expected > 0), alpha, np.nan)


def krippendorff_alpha(data: pd.DataFrame, *, level: str = "interval") -> float:
    """Return Krippendorff's alpha of ``data`` at ``level`` (nominal, ordinal, interval, ratio).

    ``data``: wide (rows = units, columns = coders, NaN = not coded) or long (columns ``unit``,
    ``coder``, ``value``). Units with fewer than two values are left out. NaN when alpha is not
    defined: no unit has two values, or all pairable values are equal. Raises ValueError for an
    unknown level or malformed codings (see :func:`long_codings`).
    """
    counts = _pairable_counts(long_codings(data, level=level), level)
    if not len(counts.units):
        return float("nan")
    o = _coincidences(counts.counts, np.ones((1, len(counts.units))))
    return float(_alpha_from(o, counts.values, level)[0])


def unit_disagreement(data: pd.DataFrame, *, level: str = "interval") -> pd.DataFrame:
    """Return how much the coders of each pairable unit disagree, most disagreement first.

    One row per unit with at least two values. Columns: ``unit``, ``coders`` (values given),
    ``values`` (sorted, as text), ``low``, ``high``, ``spread`` (high - low; NaN for nominal
    labels), ``disagreement`` (the mean squared difference, at ``level``, between two values
    given to this unit: 0 = all agree) and ``share`` (the unit's part of the observed
    disagreement behind alpha, summing to 1 over units when there is any).
    """
    long = long_codings(data, level=level)
    counts = _pairable_counts(long, level)
    columns = ["unit", "coders", "values", "low", "high", "spread", "disagreement", "share"]
    if not len(counts.units):
        return pd.DataFrame(columns=columns)
    # The coincidence matrix's marginals are the value counts of the pairable units.
    delta = _squared_differences(counts.values, counts.counts.sum(axis=0), level)
    # Sum over a unit's ordered pairs of different coders: n_c n_k delta_ck minus self-pairs (0).
    pair_sums = np.einsum("uc,ck,uk->u", counts.counts, delta, counts.counts)
    m = counts.per_unit
    per_pair = pair_sums / (m * (m - 1.0))
    contribution = pair_sums / (m - 1.0)
    total = contribution.sum()
    pairable = long[long["unit"].isin(counts.units)]
    numeric = level != "nominal" or pd.api.types.is_numeric_dtype(pairable["value"])
    grouped = pairable.groupby("unit", sort=True)["value"]
    listed = grouped.agg(lambda v: ", ".join(_fmt(x) for x in sorted(v, key=_sort_key)))
    frame = pd.DataFrame(
        {
            "unit": counts.units,
            "coders": m.astype(int),
            "values": listed.reindex(counts.units).to_numpy(),
            "low": grouped.min().reindex(counts.units).to_numpy() if numeric else np.nan,
            "high": grouped.max().reindex(counts.units).to_numpy() if numeric else np.nan,
            "disagreement": per_pair,
            "share": contribution / total if total > 0 else np.zeros_like(per_pair),
        }
    )
    frame["spread"] = frame["high"] - frame["low"] if numeric else np.nan
    frame = frame[columns].sort_values("disagreement", ascending=False, kind="stable")
    return frame.reset_index(drop=True)


def _sort_key(value) -> tuple:
    return (
        (0, float(value), "")
        if isinstance(value, int | float | np.number)
        else (1, 0.0, str(value))
    )


def _fmt(value) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class AgreementReport:
    """Alpha per group and overall, with bootstrap intervals, and the most disputed units.

    ``alphas``: one row per group (sorted), then ``(mean of groups)`` and ``(all units)``.
    Columns: the group column, ``alpha``, ``ci_low``, ``ci_high`` (bootstrap 95% interval),
    ``units`` (pairable units), ``pairable_values`` (values in those units), ``coders``.
    ``disagreements``: :func:`unit_disagreement` of all units with the group column added,
    the ``top`` units with the largest disagreement.
    """

    alphas: pd.DataFrame
    disagreements: pd.DataFrame
    level: str
    by: str | None
    n_boot: int
    seed: int
    notes: list[str] = field(default_factory=list)

    @property
    def mean_alpha(self) -> float:
        """The unweighted mean of the per-group alphas (NaN groups left out)."""
        return float(self.alphas.loc[self.alphas["kind"] == "mean", "alpha"].iloc[0])

    @property
    def pooled_alpha(self) -> float:
        """Alpha of all units pooled together."""
        return float(self.alphas.loc[self.alphas["kind"] == "all", "alpha"].iloc[0])


DEFAULT_BY = "issue_id"
#: A report leaves alpha undefined below this many pairable units: with one unit, alpha is 0
#: whatever the values (its observed and expected disagreement are the same pairs).
MIN_UNITS = 2
MEAN_LABEL = "(mean of groups)"
ALL_LABEL = "(all units)"


def _bootstrap(counts: _Counts, level: str, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Alphas of ``n_boot`` replicates that resample units with replacement."""
    n_units = len(counts.units)
    if n_units < MIN_UNITS or n_boot == 0:
        return np.full(n_boot, np.nan)
    weights = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_boot).astype(float)
    out = np.empty(n_boot)
    for start in range(0, n_boot, _BOOT_CHUNK):
        chunk = weights[start : start + _BOOT_CHUNK]
        out[start : start + len(chunk)] = _alpha_from(
            _coincidences(counts.counts, chunk), counts.values, level
        )
    return out


def _interval(replicates: np.ndarray) -> tuple[float, float]:
    finite = replicates[np.isfinite(replicates)]
    if not len(finite):
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def agreement_report(
    codings: pd.DataFrame,
    *,
    level: str = "interval",
    by: str | None = DEFAULT_BY,
    n_boot: int = 1000,
    seed: int = 0,
    top: int = 10,
) -> AgreementReport:
    """Return alpha per ``by`` group and overall with bootstrap 95% intervals (AgreementReport).

    ``codings``: long frame with ``unit``, ``coder``, ``value`` and the ``by`` column (each
    unit in one group), or a wide frame. ``by=None``, or the default ``by`` on a frame without
    that column, gives the overall row only; another missing ``by`` column is an error.
    The interval is the 2.5th-97.5th percentile of ``n_boot`` replicates that resample units
    with replacement (within each group; for the mean of groups, the groups' replicates are
    averaged), drawn from ``numpy.random.default_rng(seed)``: the same input and seed give the
    same report. A replicate whose alpha is undefined is left out of the percentiles. A group
    with fewer than :data:`MIN_UNITS` pairable units gets NaN (one unit's alpha is always 0)
    and a note.
    """
    _check_level(level)
    if n_boot < 0 or top < 0:
        raise ValueError(f"n_boot and top must not be negative (got {n_boot}, {top})")
    if isinstance(codings, pd.DataFrame) and by is not None and by not in codings.columns:
        if by != DEFAULT_BY:
            raise ValueError(
                f"codings have no column {by!r} to group by; columns: {list(codings.columns)}"
            )
        by = None  # no issue column (e.g. a wide frame): the overall row only
    long = long_codings(codings, level=level)
    if by is not None:
        groups_per_unit = long.groupby("unit")[by].nunique(dropna=False)
        mixed = groups_per_unit[groups_per_unit > 1]
        if len(mixed):
            raise ValueError(
                f"each unit belongs to one {by}; these have several: {list(mixed.index[:5])}"
            )
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    label = by or "group"
    group_reps: list[np.ndarray] = []
    if by is not None:
        for group, part in long.groupby(by, sort=True):
            counts = _pairable_counts(part, level)
            rows.append(_row(label, group, "group", part, counts, level))
            reps = _bootstrap(counts, level, n_boot, rng)
            group_reps.append(reps)
            rows[-1]["ci_low"], rows[-1]["ci_high"] = _interval(reps)
        stacked = np.vstack(group_reps) if group_reps else np.empty((0, n_boot))
        # the mean over the groups whose replicate is defined; NaN where none is (np.nanmean
        # would warn "Mean of empty slice" for such a replicate, e.g. with few units per group)
        defined = np.isfinite(stacked)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_reps = np.where(defined, stacked, 0.0).sum(axis=0) / defined.sum(axis=0)
        group_alphas = [r["alpha"] for r in rows if np.isfinite(r["alpha"])]
        low, high = _interval(mean_reps)
        rows.append(
            {
                label: MEAN_LABEL,
                "kind": "mean",
                "alpha": float(np.mean(group_alphas)) if group_alphas else float("nan"),
                "ci_low": low,
                "ci_high": high,
                "units": sum(r["units"] for r in rows),
                "pairable_values": sum(r["pairable_values"] for r in rows),
                "coders": long["coder"].nunique(),
            }
        )
    counts = _pairable_counts(long, level)
    rows.append(_row(label, ALL_LABEL, "all", long, counts, level))
    rows[-1]["ci_low"], rows[-1]["ci_high"] = _interval(_bootstrap(counts, level, n_boot, rng))
    alphas = pd.DataFrame(rows)[
        [label, "kind", "alpha", "ci_low", "ci_high", "units", "pairable_values", "coders"]
    ]
    disputed = unit_disagreement(long, level=level)
    if by is not None:
        group_of = long.drop_duplicates("unit").set_index("unit")[by]
        disputed.insert(1, by, disputed["unit"].map(group_of))
    notes = []
    few = alphas["units"] < MIN_UNITS
    if few.any():
        notes.append(
            f"fewer than {MIN_UNITS} pairable units, so no alpha, for: "
            + ", ".join(str(u) for u in alphas.loc[few, label])
        )
    undefined = alphas["alpha"].isna() & ~few
    if undefined.any():
        notes.append(
            "no variation among the values, so no alpha, for: "
            + ", ".join(str(u) for u in alphas.loc[undefined, label])
        )
    return AgreementReport(
        alphas=alphas,
        disagreements=disputed.head(top).reset_index(drop=True),
        level=level,
        by=by,
        n_boot=n_boot,
        seed=seed,
        notes=notes,
    )


def _row(label: str, group, kind: str, part: pd.DataFrame, counts: _Counts, level: str) -> dict:
    if len(counts.units) >= MIN_UNITS:
        o = _coincidences(counts.counts, np.ones((1, len(counts.units))))
        alpha = float(_alpha_from(o, counts.values, level)[0])
    else:
        alpha = float("nan")
    return {
        label: group,
        "kind": kind,
        "alpha": alpha,
        "units": len(counts.units),
        "pairable_values": int(counts.counts.sum()),
        "coders": int(part["coder"].nunique()),
    }
