"""Find and read negotiation datasets into a :class:`Negotiation`.

``load(source)`` takes a bundled dataset id (a folder name under ``data/``), a dataset folder,
or the path of a ``datapackage.json``; it validates every file against the data contract and
either returns a fully loaded :class:`Negotiation` or raises
:class:`~negotiation_lib.validate.ValidationError` listing every problem (never a half-loaded
object).

Where bundled datasets are looked for: :mod:`negotiation_lib.locate`.

The :class:`Negotiation` frames (dtypes as produced by ``validate.py``):

- date columns ``datetime64`` (naive, day precision); number columns ``float64`` (NaN = missing);
- id and text columns pandas ``str`` (missing = NA); enum columns (``role``, ``kind``, ``stance``,
  ``status``, ``confidence``, ``source_type``, ``date_precision``) categorical with the contract's
  categories; empty ``date_precision`` becomes ``day``;
- contract columns in contract order, then any extra columns exactly as written (text);
- rows in file order (blank lines dropped).

Lookups: ``neg.actor_name(actor_id)``, ``neg.actor_color(actor_id)``, ``neg.issue_label(issue_id)``
and ``neg.tables`` (a dict of the six frames by table name).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema, text
from .locate import resolve_source
from .validate import ValidationError, check_dataset

__all__ = ["Negotiation", "load"]


@dataclass(frozen=True, eq=False, repr=False)
class Negotiation:
    """One negotiation dataset: the six contract tables and the datapackage descriptor.

    Attributes: ``actors``, ``issues``, ``scale_anchors``, ``events``, ``sources``,
    ``positions`` (DataFrames), ``meta`` (the ``datapackage.json`` descriptor as a dict),
    ``path`` (the dataset folder). ``id`` and ``version`` come from ``meta``.
    """

    actors: pd.DataFrame
    issues: pd.DataFrame
    scale_anchors: pd.DataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    positions: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def id(self) -> str | None:
        return self.meta.get("name")

    @property
    def version(self) -> str | None:
        version = self.meta.get("version")
        return None if version is None else str(version)

    @property
    def title(self) -> str | None:
        return self.meta.get("title")

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {t.name: getattr(self, t.name) for t in schema.TABLES}

    def actor_name(self, actor_id: str) -> str:
        """The actor's display name (the id itself when the actor is unknown)."""
        hit = self.actors.loc[self.actors["actor_id"] == actor_id, "name"]
        return str(hit.iloc[0]) if len(hit) else str(actor_id)

    def actor_color(self, actor_id: str) -> str | None:
        """The actor's ``#RRGGBB`` colour, or ``None`` when none is given."""
        hit = self.actors.loc[self.actors["actor_id"] == actor_id, "color"]
        return None if not len(hit) or pd.isna(hit.iloc[0]) else str(hit.iloc[0])

    def issue_label(self, issue_id: str) -> str:
        """The issue's label (the id itself when the issue is unknown)."""
        hit = self.issues.loc[self.issues["issue_id"] == issue_id, "label"]
        return str(hit.iloc[0]) if len(hit) else str(issue_id)

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{len(getattr(self, t.name))} {t.name.replace('_', ' ')}" for t in schema.TABLES
        )
        version = f" v{text.dataset_version(self)}" if text.dataset_version(self) else ""
        return f"<Negotiation {self.id!r}{version}: {counts}>"


def load(source: str | os.PathLike[str]) -> Negotiation:
    """Load a dataset (bundled id, dataset folder, or ``datapackage.json`` path).

    Returns a :class:`Negotiation`. Raises :class:`ValidationError` (``.problems`` lists every
    problem found, in one pass) when the data breaks the contract, and
    :class:`DatasetNotFoundError` when ``source`` names nothing.
    """
    if isinstance(source, Negotiation):
        raise TypeError("load() takes a dataset id or path, not a Negotiation")
    folder, descriptor = resolve_source(source)
    tables, meta, problems = check_dataset(folder, descriptor)
    if len(problems) or tables is None or meta is None:
        # the folder name, not its full path: short, and the same wherever the folder lives
        raise ValidationError(problems, dataset=folder.resolve().name)
    return Negotiation(**tables, meta=meta, path=folder)
