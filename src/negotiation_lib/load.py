"""Find and read negotiation datasets into a :class:`Negotiation`.

``load(source)`` takes a bundled dataset id (``"ru-ua-2022-2026"``), a dataset folder, or the path
of a ``datapackage.json``; it validates every file against the data contract and either returns a
fully loaded :class:`Negotiation` or raises :class:`~negotiation_lib.validate.ValidationError`
listing every problem (never a half-loaded object).

Where bundled datasets are looked for, in this order:

1. every folder named in the environment variable ``NEGOTIATION_LIB_DATA`` (several folders
   separated by ``os.pathsep``), each holding ``<dataset-id>/datapackage.json``;
2. the repository's ``data/`` folder (``<repo>/data/<dataset-id>/datapackage.json``), found
   relative to this package for the usual editable install from ``src/``.

``data/templates`` is the empty template, never listed as a dataset.

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

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema
from .validate import ValidationError, check_dataset

__all__ = ["DatasetNotFoundError", "Negotiation", "list_datasets", "load", "resolve_source"]

DATA_ENV_VAR = "NEGOTIATION_LIB_DATA"
TEMPLATE_DIR_NAME = "templates"


class DatasetNotFoundError(FileNotFoundError):
    """``source`` is neither an existing folder / datapackage.json nor a bundled dataset id."""


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
        version = f" v{self.version}" if self.version else ""
        return f"<Negotiation {self.id!r}{version}: {counts}>"


def data_dirs() -> list[Path]:
    """Folders searched for bundled datasets (``NEGOTIATION_LIB_DATA`` first, then repo data/)."""
    dirs: list[Path] = []
    env = os.environ.get(DATA_ENV_VAR, "")
    for part in env.split(os.pathsep):
        if part.strip():
            dirs.append(Path(part).expanduser())
    repo_data = Path(__file__).resolve().parents[2] / "data"
    if repo_data.is_dir():
        dirs.append(repo_data)
    return dirs


def _bundled() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for base in data_dirs():
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if child.name == TEMPLATE_DIR_NAME or child.name in found:
                continue
            if (child / schema.DATAPACKAGE_FILE).is_file():
                found[child.name] = child
    return found


def resolve_source(source: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Turn ``source`` into ``(dataset folder, datapackage.json path)``.

    An existing path wins over a bundled dataset id of the same name.

    The descriptor path may not exist (validation reports that). Raises
    :class:`DatasetNotFoundError` when ``source`` names nothing usable.
    """
    if isinstance(source, Negotiation):
        raise TypeError("load() takes a dataset id or path, not a Negotiation")
    path = Path(os.fspath(source)).expanduser()
    if path.is_dir():
        return path, path / schema.DATAPACKAGE_FILE
    if path.is_file():
        if path.suffix.lower() == ".json":
            return path.parent, path
        raise DatasetNotFoundError(
            f"{path} is a file but not a datapackage.json: give the dataset folder, its "
            "datapackage.json, or a bundled dataset id"
        )
    text = os.fspath(source)
    bundled = _bundled()
    if text in bundled:
        folder = bundled[text]
        return folder, folder / schema.DATAPACKAGE_FILE
    known = ", ".join(sorted(bundled)) or "none found"
    raise DatasetNotFoundError(
        f"no dataset {text!r}: not a folder, not a datapackage.json, not a bundled dataset id "
        f"(bundled: {known})"
    )


def load(source: str | os.PathLike[str]) -> Negotiation:
    """Load a dataset (bundled id, dataset folder, or ``datapackage.json`` path).

    Returns a :class:`Negotiation`. Raises :class:`ValidationError` (``.problems`` lists every
    problem found, in one pass) when the data breaks the contract, and
    :class:`DatasetNotFoundError` when ``source`` names nothing.
    """
    folder, descriptor = resolve_source(source)
    tables, meta, problems = check_dataset(folder, descriptor)
    if len(problems) or tables is None or meta is None:
        # the folder name, not its full path: short, and the same wherever the folder lives
        raise ValidationError(problems, dataset=folder.resolve().name)
    return Negotiation(**tables, meta=meta, path=folder)


def _count_records(path: Path) -> int | None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            return sum(1 for row in reader if any(cell != "" for cell in row))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def list_datasets() -> pd.DataFrame:
    """The bundled datasets: one row per dataset.

    Columns: ``id`` (folder name, what ``load`` takes), ``title``, ``version``, ``n_positions``
    (records in positions.csv, counted without validating; NA when unreadable), ``path``.
    """
    rows = []
    for dataset_id, folder in _bundled().items():
        try:
            meta = json.loads((folder / schema.DATAPACKAGE_FILE).read_text(encoding="utf-8-sig"))
            if not isinstance(meta, dict):
                meta = {}
        except (OSError, ValueError):
            meta = {}
        positions_file = folder / schema.POSITIONS.file
        for res in meta.get("resources", []) if isinstance(meta.get("resources"), list) else []:
            if (
                isinstance(res, dict)
                and res.get("name") == "positions"
                and isinstance(res.get("path"), str)
            ):
                positions_file = folder / res["path"]
        rows.append(
            {
                "id": dataset_id,
                "title": meta.get("title"),
                "version": None if meta.get("version") is None else str(meta.get("version")),
                "n_positions": _count_records(positions_file),
                "path": str(folder),
            }
        )
    out = pd.DataFrame(rows, columns=["id", "title", "version", "n_positions", "path"])
    out["n_positions"] = out["n_positions"].astype("Int64")
    for col in ("id", "title", "version", "path"):
        out[col] = out[col].astype("str")
    return out
