"""What both dataset builds write the same way (scripts/build_dataset.py and
scripts/build_iran_dataset.py): the datapackage's table resources and descriptor file, the
checksum each version stands for (versions.json) and the append-only released_ids.txt."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from negotiation_lib import schema

DATA_TABLES = tuple(table.name for table in schema.TABLES)

# What every bundled dataset's datapackage.json says of its licence, authors and sources.
LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 (the coding); quotes belong to their publishers",
    }
]
CONTRIBUTORS = [{"title": "negotiation gap explorer contributors", "role": "author"}]
STORED_PAGES_SOURCE = {
    "title": "Stored copies of public news pages and official texts; see sources.csv for each row"
}


def write_table(folder: Path, frame, name: str) -> None:
    """Write ``frame`` as ``folder/name``: UTF-8, ``\n`` line ends, no index column."""
    frame.to_csv(folder / name, index=False, lineterminator="\n", encoding="utf-8")


def field(name: str, ftype: str, description: str, **constraints) -> dict:
    """A Table Schema field of a column beyond the data contract."""
    f = {"name": name, "type": ftype, "description": description}
    if constraints:
        f["constraints"] = constraints
    return f


def table_resource(name: str, path: str, table_schema: dict, **about: str) -> dict:
    """A datapackage resource for one CSV table (blank cells are missing values); ``about``:
    e.g. its title and description."""
    table_schema["missingValues"] = [""]
    return {
        "name": name,
        "path": path,
        **about,
        "schema": table_schema,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
    }


def write_descriptor(folder: Path, descriptor: dict) -> None:
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    (folder / "datapackage.json").write_text(text, encoding="utf-8")


def tables_checksum(folder: Path) -> str:
    """sha256 over the six data tables (the values a version stands for)."""
    digest = hashlib.sha256()
    for name in DATA_TABLES:
        digest.update(name.encode())
        digest.update((folder / f"{name}.csv").read_bytes())
    return digest.hexdigest()


def record_version_checksum(
    folder: Path, version: str, *, allow_rewrite: bool, script: str
) -> None:
    """versions.json maps each version to the checksum of its tables.

    A changed value under an already recorded version stops the build: bump VERSION in
    ``script``. ``--rewrite-unreleased`` (``allow_rewrite``) overwrites the current version's
    entry (only for a version that has not been released outside the working tree).
    """
    path = folder / "versions.json"
    versions = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    checksum = tables_checksum(folder)
    known = versions.get(version)
    if known and known != checksum and not allow_rewrite:
        raise SystemExit(
            f"values changed but version {version} is already recorded in versions.json: "
            f"bump VERSION in {script} (or pass --rewrite-unreleased)"
        )
    versions[version] = checksum
    path.write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def update_released_ids(folder: Path, positions, events, sources) -> None:
    """Append new ids to released_ids.txt; never remove one (tests/test_data.py reads it)."""
    path = folder / "released_ids.txt"
    existing = []
    if path.exists():
        existing = [
            ln
            for ln in path.read_text(encoding="utf-8").splitlines()
            if ln and not ln.startswith("#")
        ]
    current = (
        [f"positions:{i}" for i in positions["position_id"]]
        + [f"events:{i}" for i in events["event_id"]]
        + [f"sources:{i}" for i in sources["source_id"]]
    )
    known = set(existing)
    merged = existing + [i for i in current if i not in known]
    header = (
        "# Ids released in a committed version of this dataset, one per line as table:id.\n"
        "# Append only: a released id must never disappear or be renumbered (tests/test_data.py).\n"
    )
    path.write_text(header + "\n".join(merged) + "\n", encoding="utf-8")
