"""Random datasets for the property tests: the mini fixture's tables with positions drawn by
hypothesis (several rows per actor, issue and day, ranges, saliences). Imported by the test
modules as ``random_datasets`` (tests/ is on sys.path under pytest)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import strategies as st

ACTORS = ["A", "B", "M"]
ISSUES = ["i1", "i2", "i3"]
DAY0 = pd.Timestamp("2022-01-01")


def with_positions(base, rows):
    """``base`` with its positions replaced by ``rows`` of (actor, issue, date, value[, lo, hi,
    salience]); every other column is filled like a valid dataset."""
    records = []
    for i, row in enumerate(rows):
        actor, issue, date, value, *rest = row
        low, high, salience = [*rest, None, None, None][:3]
        records.append(
            {
                "position_id": f"q{i}",
                "date": pd.Timestamp(date),
                "actor_id": actor,
                "issue_id": issue,
                "stance": "demand",
                "value": float(value),
                "value_low": np.nan if low is None else float(low),
                "value_high": np.nan if high is None else float(high),
                "salience": np.nan if salience is None else float(salience),
                "status": "asserted",
                "summary": "s",
                "quote": "q",
                "source_id": "s1",
            }
        )
    template = base.positions
    frame = pd.DataFrame(records, columns=template.columns)
    frame = frame.astype(template.dtypes.to_dict())
    return dataclasses.replace(base, positions=frame)


@st.composite
def position_rows(draw):
    n = draw(st.integers(min_value=0, max_value=25))
    rows = []
    for _ in range(n):
        value = draw(st.integers(0, 100))
        low = draw(st.none() | st.integers(0, value))
        high = draw(st.none() | st.integers(value, 100))
        rows.append(
            (
                draw(st.sampled_from(ACTORS)),
                draw(st.sampled_from(ISSUES)),
                DAY0 + pd.Timedelta(days=draw(st.integers(0, 40))),
                value,
                low,
                high,
                draw(st.none() | st.integers(0, 20).map(lambda k: k / 20)),
            )
        )
    return rows
