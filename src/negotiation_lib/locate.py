"""Where datasets are found: bundled dataset ids, ``NEGOTIATION_LIB_DATA`` folders, paths.

Where bundled datasets are looked for, in this order:

1. every folder named in the environment variable ``NEGOTIATION_LIB_DATA`` (several folders
   separated by ``os.pathsep``), each holding ``<dataset-id>/datapackage.json``;
2. the repository's ``data/`` folder (``<repo>/data/<dataset-id>/datapackage.json``), found
   relative to this package for the usual editable install from ``src/``;
3. the datasets shipped inside the installed package (``negotiation_lib/data``, read with
   ``importlib.resources``; a wheel carries the repository's ``data/`` there).

``templates`` is the empty template, never listed as a dataset.
"""

from __future__ import annotations

import csv
import json
import os
from importlib import resources
from pathlib import Path

import pandas as pd

from . import schema
from .ids import UnknownIdError

__all__ = [
    "DATA_ENV_VAR",
    "DatasetNotFoundError",
    "data_dirs",
    "list_datasets",
    "resolve_source",
]

DATA_ENV_VAR = "NEGOTIATION_LIB_DATA"
TEMPLATE_DIR_NAME = "templates"
_DATA_PLACES = f"the bundled datasets and {DATA_ENV_VAR}"


class DatasetNotFoundError(UnknownIdError, FileNotFoundError):
    """``source`` is neither an existing folder / datapackage.json nor a bundled dataset id
    (an :class:`~negotiation_lib.ids.UnknownIdError` for the dataset id)."""

    def __init__(self, source: object, known, *, lead: str):
        super().__init__("dataset", source, known, table=_DATA_PLACES, lead=lead)


def data_dirs() -> list[Path]:
    """Folders searched for bundled datasets, in the order of the module docstring."""
    dirs: list[Path] = []
    env = os.environ.get(DATA_ENV_VAR, "")
    for part in env.split(os.pathsep):
        if part.strip():
            dirs.append(Path(part).expanduser())
    repo_data = Path(__file__).resolve().parents[2] / "data"
    if repo_data.is_dir():
        dirs.append(repo_data)
    packaged = resources.files(__package__) / "data"
    if packaged.is_dir():
        dirs.append(Path(str(packaged)))
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
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"give a dataset id or path, not a {type(source).__name__}")
    path = Path(os.fspath(source)).expanduser()
    if path.is_dir():
        return path, path / schema.DATAPACKAGE_FILE
    if path.is_file():
        if path.suffix.lower() == ".json":
            return path.parent, path
        raise DatasetNotFoundError(
            path,
            _bundled(),
            lead=f"{path} is a file but not a datapackage.json: give the dataset folder, its "
            "datapackage.json, or a bundled dataset id",
        )
    text = os.fspath(source)
    bundled = _bundled()
    if text in bundled:
        folder = bundled[text]
        return folder, folder / schema.DATAPACKAGE_FILE
    raise DatasetNotFoundError(
        text,
        sorted(bundled),
        lead=f"no dataset {text!r}: not a folder, not a datapackage.json, not a bundled dataset id",
    )


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
