"""The data contract as constants: tables, columns, types, allowed values, keys.

Everything here mirrors ``DATA_CONTRACT.md``; validation (``validate.py``), the template
``data/templates/datapackage.json`` and the loaders read these constants, so a rule lives in
one place. The writers that follow from them live here too: :func:`frictionless_schema` (a
table's Table Schema) and :func:`template_files` / :func:`init_dataset` (the empty template).

A column is a :class:`Column`; a table is a :class:`Table` with its columns in contract order,
its primary key and its foreign keys (``(columns, referenced table, referenced columns)``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STRING = "string"
NUMBER = "number"
INTEGER = "integer"
DATE = "date"

ACTOR_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
LANGUAGE_PATTERN = r"^[a-z]{2}$"

#: Actor roles. The defaults follow from them (``ids``): parties are compared, mediators are
#: shown with them, and a joint actor (a text several actors drafted) is no actor of its own.
PARTY_ROLE = "party"
MEDIATOR_ROLE = "mediator"
THIRD_PARTY_ROLE = "third_party"
JOINT_ROLE = "joint"
ROLES = (PARTY_ROLE, MEDIATOR_ROLE, THIRD_PARTY_ROLE, JOINT_ROLE)
EVENT_KINDS = ("talks_round", "proposal", "statement", "summit", "agreement", "draft")
DATE_PRECISIONS = ("day", "month", "year")
SOURCE_TYPES = ("official", "leak", "media", "analyst")
STANCES = (
    "demand",
    "counter",
    "offer",
    "proposal",
    "red_line",
    "concession",
    "rejection",
    "agreement",
)
STATUSES = ("asserted", "reported", "disputed", "unverified")
#: Confidence levels, weakest first.
CONFIDENCES = ("low", "medium", "high")
#: The levels counted as low (data-quality listings, the flags of gap answers).
LOW_CONFIDENCES = ("low",)
#: What a missing confidence is called where confidence is shown, counted or filtered on.
MISSING_CONFIDENCE = "unknown"
CATEGORY_EXAMPLES = (
    "territory",
    "security",
    "political",
    "humanitarian",
    "economic",
    "legal",
    "process",
)

#: Statuses for which ``positions.quote`` may be empty.
QUOTE_OPTIONAL_STATUSES = ("unverified",)

#: The value ``date_precision`` takes when the cell is empty.
DEFAULT_DATE_PRECISION = "day"

#: Written dates must look like this (ISO 8601 calendar date, as Table Schema's default).
DATE_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class Column:
    name: str
    type: str = STRING
    required: bool = False
    description: str = ""
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


ACTORS = Table(
    name="actors",
    description="Who takes positions.",
    columns=(
        Column(
            "actor_id",
            required=True,
            pattern=ACTOR_ID_PATTERN,
            description="Short id, e.g. GOV, REB, UN.",
        ),
        Column("name", required=True, description="Display name."),
        Column(
            "role",
            required=True,
            enum=ROLES,
            description="party, mediator, third_party, or joint (a text drafted by several).",
        ),
        Column("color", pattern=COLOR_PATTERN, description="Optional #RRGGBB colour."),
        Column(
            "capability",
            type=NUMBER,
            minimum=0,
            description=(
                "Optional number >= 0: the relative bargaining power the coder assumes "
                "(empty counts as 1; state its source or reason, e.g. in an extra description "
                "column). Only the bargaining models read it."
            ),
        ),
    ),
    primary_key=("actor_id",),
)

ISSUES = Table(
    name="issues",
    description="What is negotiated; every issue has a 0-100 scale with words at both ends.",
    columns=(
        Column("issue_id", required=True, description="Short id of the issue."),
        Column("label", required=True, description="Display label."),
        Column("category", description="e.g. " + ", ".join(CATEGORY_EXAMPLES) + "."),
        Column("description", description="Optional longer description."),
        Column("low_label", required=True, description="What 0 on the scale means."),
        Column("high_label", required=True, description="What 100 on the scale means."),
        Column("order", type=INTEGER, description="Optional display order."),
    ),
    primary_key=("issue_id",),
)

SCALE_ANCHORS = Table(
    name="scale_anchors",
    description="Named points on each issue's 0-100 scale (the codebook).",
    columns=(
        Column("issue_id", required=True, description="The issue (foreign key to issues)."),
        Column(
            "value",
            type=NUMBER,
            required=True,
            minimum=0,
            maximum=100,
            description="A point on the issue's scale, 0-100.",
        ),
        Column("label", required=True, description="The situation this value stands for."),
        Column(
            "amount",
            type=NUMBER,
            description="Optional physical quantity this anchor stands for, e.g. 5060.",
        ),
        Column("unit", description="Optional unit of amount, e.g. centrifuges."),
    ),
    primary_key=("issue_id", "value"),
    foreign_keys=(ForeignKey(("issue_id",), "issues", ("issue_id",)),),
)

EVENTS = Table(
    name="events",
    description="Rounds, proposals, summits, statements, drafts.",
    columns=(
        Column("event_id", required=True, description="Short id of the event."),
        Column("date", type=DATE, required=True, description="YYYY-MM-DD."),
        Column(
            "date_precision",
            enum=DATE_PRECISIONS,
            description="day, month or year (empty means day).",
        ),
        Column("name", required=True, description="Name of the event."),
        Column("venue", description="Optional place."),
        Column("kind", required=True, enum=EVENT_KINDS, description="What kind of event."),
        Column("description", description="Optional description."),
    ),
    primary_key=("event_id",),
)

SOURCES = Table(
    name="sources",
    description="Where each coded position comes from.",
    columns=(
        Column("source_id", required=True, description="Short id of the source."),
        Column("title", required=True, description="Title of the document or article."),
        Column("publisher", description="Optional publisher."),
        Column("url", description="Where to read it (empty only for a bundled document)."),
        Column("published", type=DATE, description="Optional publication date, YYYY-MM-DD."),
        Column("source_type", required=True, enum=SOURCE_TYPES, description="Kind of source."),
        Column("language", pattern=LANGUAGE_PATTERN, description="Optional ISO 639-1 code."),
    ),
    primary_key=("source_id",),
)

POSITIONS = Table(
    name="positions",
    description="The ledger: one actor's stated position on one issue at one date.",
    columns=(
        Column("position_id", required=True, description="Short id of the row."),
        Column("date", type=DATE, required=True, description="YYYY-MM-DD."),
        Column("event_id", description="Optional event (foreign key to events)."),
        Column("actor_id", required=True, description="Who (foreign key to actors)."),
        Column("issue_id", required=True, description="On what (foreign key to issues)."),
        Column("stance", required=True, enum=STANCES, description="Kind of statement."),
        Column(
            "value",
            type=NUMBER,
            required=True,
            minimum=0,
            maximum=100,
            description="The position on the issue's 0-100 scale.",
        ),
        Column(
            "value_low",
            type=NUMBER,
            minimum=0,
            maximum=100,
            description="Optional lower end of the coded range (value_low <= value).",
        ),
        Column(
            "value_high",
            type=NUMBER,
            minimum=0,
            maximum=100,
            description="Optional upper end of the coded range (value <= value_high).",
        ),
        Column(
            "salience",
            type=NUMBER,
            minimum=0,
            maximum=1,
            description="Optional 0-1: how much the actor cares, where a source says so.",
        ),
        Column("amount", type=NUMBER, description="Optional quantity the position names."),
        Column("unit", description="Optional unit of amount, e.g. troops."),
        Column("status", required=True, enum=STATUSES, description="How well it is attested."),
        Column("summary", required=True, description="Neutral paraphrase of the position."),
        Column(
            "quote",
            description="Verbatim excerpt of the source; required unless status is unverified.",
        ),
        Column("source_id", required=True, description="Where it comes from (sources)."),
        Column("confidence", enum=CONFIDENCES, description="Optional: high, medium, low."),
    ),
    primary_key=("position_id",),
    foreign_keys=(
        ForeignKey(("event_id",), "events", ("event_id",)),
        ForeignKey(("actor_id",), "actors", ("actor_id",)),
        ForeignKey(("issue_id",), "issues", ("issue_id",)),
        ForeignKey(("source_id",), "sources", ("source_id",)),
    ),
)

#: The six tables, in the order they are read and reported.
TABLES: tuple[Table, ...] = (ACTORS, ISSUES, SCALE_ANCHORS, EVENTS, SOURCES, POSITIONS)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

#: Columns turned into pandas categoricals on load (enum columns).
CATEGORICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    f"{t.name}.{c.name}": c.enum for t in TABLES for c in t.columns if c.enum is not None
}

#: A position's value may differ this much from the value its amount interpolates to (so a
#: value rounded to one decimal passes the quantity rule).
QUANTITY_TOLERANCE = 0.05

#: Columns of the problems table returned by ``validate`` and carried by ``ValidationError``.
PROBLEM_COLUMNS = ("table", "row", "column", "rule", "value", "message")

DATAPACKAGE_FILE = "datapackage.json"


# --------------------------------------------------------------------------------------------
# writers: Table Schema and the empty template


def frictionless_schema(table: Table, columns: Iterable[str] | None = None) -> dict[str, Any]:
    """The Table Schema (Frictionless) for a contract table, as used in ``datapackage.json``.

    With ``columns`` (the header a dataset writes), optional contract columns it does not write
    are left out: frictionless wants the declared fields and the CSV header to agree."""
    written = None if columns is None else set(columns)
    fields = []
    for col in table.columns:
        if written is not None and col.name not in written and not col.required:
            continue
        field: dict[str, Any] = {"name": col.name, "type": col.type}
        if col.description:
            field["description"] = col.description
        if col.type == DATE:
            field["format"] = "default"
        constraints: dict[str, Any] = {}
        if col.required:
            constraints["required"] = True
        if col.enum is not None:
            constraints["enum"] = list(col.enum)
        if col.pattern is not None:
            constraints["pattern"] = col.pattern[1:-1]
        if col.minimum is not None:
            constraints["minimum"] = col.minimum
        if col.maximum is not None:
            constraints["maximum"] = col.maximum
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    out: dict[str, Any] = {"fields": fields, "primaryKey": list(table.primary_key)}
    if table.foreign_keys:
        out["foreignKeys"] = [
            {
                "fields": list(fk.columns),
                "reference": {"resource": fk.table, "fields": list(fk.ref_columns)},
            }
            for fk in table.foreign_keys
        ]
    return out


TEMPLATE_METADATA = {
    "profile": "tabular-data-package",
    "name": "my-negotiation",
    "title": "My negotiation (replace this title)",
    "version": "0.1.0",
    "description": (
        "Positions of the sides in one negotiation, coded on 0-100 issue scales. "
        "Describe what the dataset covers here."
    ),
    "licenses": [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ],
    "sources": [],
    "contributors": [],
}


def template_files() -> dict[str, str]:
    """Return the empty dataset as ``{file name: text}``: ``datapackage.json`` with every
    table's Table Schema, and each table's CSV holding only its header row. Derived from
    ``schema.py``; ``data/templates/`` holds the same files (a test keeps them equal)."""
    resources = [
        {
            "name": table.name,
            "path": table.file,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": table.description,
            "schema": frictionless_schema(table),
        }
        for table in TABLES
    ]
    descriptor = {**TEMPLATE_METADATA, "resources": resources}
    files = {DATAPACKAGE_FILE: json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"}
    for table in TABLES:
        files[table.file] = ",".join(table.column_names) + "\n"
    return files


def init_dataset(target: str | Path) -> Path:
    """Write the empty template (``template_files()``) to ``target`` and return its path.

    Raises ``FileExistsError`` when ``target`` exists and is not an empty folder (nothing is
    changed then).
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(
            f"{target} already exists and is not an empty folder; "
            "choose a new folder name (nothing was changed)"
        )
    target.mkdir(parents=True, exist_ok=True)
    for name, text in template_files().items():
        (target / name).write_text(text, encoding="utf-8", newline="\n")
    return target
