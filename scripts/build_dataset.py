"""Build the bundled ``ru-ua-2022-2026`` dataset from its committed inputs.

Inputs (all in ``scripts/ru_ua_inputs/``):

- ``ru_ua_positions_leads.csv`` / ``.md`` / ``source_excerpts.md``: the researched leads,
  their anchors and the raw excerpts they were checked against (copied unchanged from the
  project's research folder).
- ``lead_position_ids.csv``: the position id given to each lead row (assigned once, never
  renumbered).
- ``events.csv``, ``publishers.csv``: hand-written event table and domain -> publisher map
  (with ``publisher_kind`` and ``source_class``: official / wire / major_outlet / state_media /
  other, used for the codebook's backing share).
- ``position_overrides.csv``: per-position corrections found during verification.
- ``extra_positions.csv``: positions added during verification (seed article, pages found).
- ``pages_checks.csv``: the log of checks against the stored web pages.
- ``source_overrides.csv``: publication dates / titles seen on the stored pages.
- ``codebook_template.md``: prose of the codebook; the tables are generated.
- ``second_coding/``: the blind second coding of a stratified sample (``second_coding.csv``,
  the coder's ``RULES.md`` and the ``sheet.csv`` they saw), the first coding of that sample as
  released in 1.2.0 (``first_coding_1.2.0.csv``) and ``resolutions.csv`` (how each large
  disagreement was resolved); see ``second_coding/README.md``.

Outputs: the CSV tables, ``datapackage.json``, ``verification.csv``, ``second_coding.csv``,
``README.md`` (codebook)
and ``released_ids.txt`` in ``data/ru-ua-2022-2026/``, and ``data/README.md``.

Run: ``make data`` (``.venv/bin/python scripts/build_dataset.py``). Deterministic: same inputs,
same bytes. Three steps: :func:`load_inputs` reads the inputs, :func:`process` builds every table
in memory (no file written), :func:`save` writes them with the version checksum, datapackage and
codebook.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import codebook  # scripts/codebook.py: the script's own folder is first on sys.path
import dataset_release as release
import pandas as pd

from negotiation_lib import schema

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "scripts" / "ru_ua_inputs"
DATASET_ID = "ru-ua-2022-2026"
OUT = ROOT / "data" / DATASET_ID
VERSION = "1.3.0"
TITLE = "Russia–Ukraine war-ending negotiations: positions by actor, issue and date (2022–2026)"
SEED_SOURCE_ID = "src_seed_scoophub_2025_06_02"
MAX_QUOTE_WORDS = 60
SECOND_CODING = INPUTS / "second_coding"
SECOND_CODING_COLUMNS = [
    "position_id",
    "coder",
    "value",
    "value_low",
    "value_high",
    "anchor",
    "reason",
]
END_OF_SCALE = "End of scale (definition, not an observed position): "
# The seed article: the project's research folder keeps a text copy; the stored public page is:
SEED_URL = (
    "https://scoophub.net/2025/06/03/"
    "russia-demands-major-concessions-from-ukraine-in-peace-talks-kyiv-holds-firm"
)

ACTOR_MAP = {
    "Russia": "RU",
    "Ukraine": "UA",
    "USA": "US",
    "EU/Europe": "EU",
    "China": "CN",
    "Turkey": "TR",
    "Turkey (with UN)": "TR_UN",
    "NATO allies (USA, Europe, Turkey)": "NATO",
    "Russia+Ukraine (draft)": "RU_UA_draft",
    "Russia+Ukraine (agreed)": "RU_UA_agreed",
    "Ukraine+EU/Europe (joint)": "UA_EU",
    "Ukraine+EU/Europe (UK, France, Germany, Poland)": "UA_COALITION",
    "Ukraine + summit signatories (incl. USA, EU states, Turkey)": "UA_SUMMIT",
}

# Events whose sources are leaked drafts (source_type ``leak``).
LEAK_EVENTS = {
    "2022-03-16-ft-15-point-draft",
    "2022-04-15-draft-treaty",
    "2025-04-17-us-framework",
    "2025-11-20-us-28-point-plan",
}

# Stance from the first word of the lead's paraphrase; otherwise the actor rule in main().
STANCE_BY_VERB = {
    "Rejects": "rejection",
    "Opposes": "rejection",
    "Refuses": "rejection",
    "Offers": "offer",
    "Ready": "offer",
    "Proposes": "proposal",
    "Accepts": "concession",
    "Agrees": "agreement",
}

QUOTE_CHARS = {
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "″": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "′": "'",
    "–": "-",
    "—": "-",
    "‑": "-",
    "‒": "-",
    "−": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u200b": "",
}


def normalise(text: str) -> str:
    """Text for comparisons only: typographic quote marks, dashes, ellipsis and non-breaking or
    zero-width spaces made plain, runs of whitespace collapsed (``-`` spaced or not)."""
    text = text.replace('\\"', '"')
    for fancy, plain in QUOTE_CHARS.items():
        text = text.replace(fancy, plain)
    text = re.sub(r"\s*-\s*", " - ", text)
    return re.sub(r"\s+", " ", text).strip()


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def domain_of(url: str) -> str:
    return urlparse(url).netloc.removeprefix("www.")


def source_id_for(url: str) -> str:
    return "src_" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]


URL_DATE_PATTERNS = [
    (re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/"), lambda m: f"{m[1]}-{m[2]}-{m[3]}"),
    (re.compile(r"/news/(20\d\d-\d\d-\d\d)/"), lambda m: m[1]),
    (re.compile(r"sputnikglobe\.com/(20\d\d)(\d\d)(\d\d)/"), lambda m: f"{m[1]}-{m[2]}-{m[3]}"),
]
MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def date_from_url(url: str) -> str:
    for pattern, fmt in URL_DATE_PATTERNS:
        match = pattern.search(url)
        if match:
            return fmt(match)
    match = re.search(r"/(20\d\d)/([A-Z][a-z]{2})/(\d\d)/", url)
    if match and match[2] in MONTHS:
        return f"{match[1]}-{MONTHS[match[2]]:02d}-{match[3]}"
    return ""


def date_from_excerpts(url: str, excerpts: str) -> str:
    """The ``(YYYY-MM-DD)`` written after the URL on its line in the excerpts file."""
    for line in excerpts.splitlines():
        if url in line:
            after = line.split(url, 1)[1]
            match = re.match(r'\s*(?:"[^"]*"\s*)?\((20\d\d-\d\d-\d\d)\)', after)
            if match:
                return match[1]
    return ""


def title_from_excerpts(url: str, excerpts: str) -> str:
    """The ``"headline"`` written after the URL on its line in the excerpts file."""
    for line in excerpts.splitlines():
        if url in line:
            match = re.match(r'\s*"([^"]+)"', line.split(url, 1)[1])
            if match:
                return match[1].strip()
    return ""


def quote_language(quote: str, default: str) -> str:
    if re.search(r"[А-Яа-яЁё]", quote):
        return "ru"
    if re.search(r"[ěščřůĚŠČŘŮ]", quote):
        return "cs"
    return default


def merge_overrides(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per position: later non-empty cells win; notes are joined."""
    merged = {}
    for row in frame.to_dict("records"):
        into = merged.setdefault(row["position_id"], dict.fromkeys(frame.columns, ""))
        for col, val in row.items():
            if not val:
                continue
            if col in ("note", "scale_note_add") and into[col]:
                into[col] = f"{into[col]} {val}"
            else:
                into[col] = val
    return pd.DataFrame(list(merged.values()), columns=frame.columns).set_index("position_id")


def word_count(text: str) -> int:
    return len(text.split())


# ---------------------------------------------------------------- anchors


def parse_anchors(md_text: str) -> pd.DataFrame:
    """Anchor tables of the leads' .md -> (issue_id, value, label, code_range)."""
    rows = []
    issue = None
    for line in md_text.splitlines():
        head = re.match(r"^### (\w+)\s*$", line)
        if head:
            issue = head[1]
            continue
        if line.startswith("## "):
            issue = None
        cell = re.match(r"^\|\s*(\d+)(?:\s*[–-]\s*(\d+))?\s*\|\s*(.+?)\s*\|\s*$", line)
        if issue and cell:
            low = int(cell[1])
            high = int(cell[2]) if cell[2] else low
            rows.append({"issue_id": issue, "low": low, "high": high, "text": cell[3]})
    frame = pd.DataFrame(rows)

    def placed(row):
        if row.low == row.high:
            return float(row.low)
        if row.low == 0:
            return 0.0
        if row.high == 100:
            return 100.0
        return (row.low + row.high) / 2

    frame["value"] = frame.apply(placed, axis=1)
    frame["label"] = [
        (f"Range {r.low}–{r.high}: {r.text}" if r.low != r.high else r.text)
        for r in frame.itertuples()
    ]
    return frame


def complete_anchors(anchors: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Add end-of-scale anchors (definitions, not observations) where 0 or 100 is missing."""
    extra = []
    for issue in issues.itertuples():
        values = set(anchors.loc[anchors.issue_id == issue.issue_id, "value"])
        if 0.0 not in values:
            extra.append(
                {
                    "issue_id": issue.issue_id,
                    "low": 0,
                    "high": 0,
                    "value": 0.0,
                    "label": f"{END_OF_SCALE}{issue.low_label}",
                }
            )
        if 100.0 not in values:
            extra.append(
                {
                    "issue_id": issue.issue_id,
                    "low": 100,
                    "high": 100,
                    "value": 100.0,
                    "label": f"{END_OF_SCALE}{issue.high_label}",
                }
            )
    out = pd.concat([anchors, pd.DataFrame(extra)], ignore_index=True)
    # "(not observed)" 100-anchors in the leads are end-of-scale definitions too
    not_observed = out.label.str.contains("(not observed)", regex=False)
    out.loc[not_observed, "label"] = END_OF_SCALE + out.loc[not_observed, "label"].str.replace(
        " (not observed)", "", regex=False
    )
    order = {iid: i for i, iid in enumerate(issues.issue_id)}
    out["issue_order"] = out.issue_id.map(order)
    out = out.sort_values(["issue_order", "value"]).reset_index(drop=True)
    dupes = out.duplicated(["issue_id", "value"])
    if dupes.any():
        raise SystemExit(f"duplicate anchors: {out[dupes]}")
    return out


def range_for(value: float, issue_id: str, anchors: pd.DataFrame) -> tuple[str, str]:
    """value_low/value_high: the range anchor a code falls in, if any."""
    ranges = anchors[(anchors.issue_id == issue_id) & (anchors.low != anchors.high)]
    for r in ranges.itertuples():
        if r.low <= value <= r.high:
            return fmt_num(r.low), fmt_num(r.high)
    return "", ""


def fmt_num(x) -> str:
    if x == "" or x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else str(x)


# ---------------------------------------------------------------- ids


def lead_position_ids(leads: pd.DataFrame) -> pd.DataFrame:
    """Stable id per lead row; assigned once (by date, then row) and then only read."""
    path = INPUTS / "lead_position_ids.csv"
    if path.exists():
        ids = read_csv(path)
        if len(ids) != len(leads):
            raise SystemExit("lead_position_ids.csv does not cover every lead row")
        return ids
    order = leads.assign(row=range(len(leads))).sort_values(["date", "row"], kind="stable")
    ids = pd.DataFrame(
        {
            "lead_row": order.row.astype(str).values,
            "position_id": [f"p{i:04d}" for i in range(1, len(order) + 1)],
        }
    ).sort_values("lead_row", key=lambda s: s.astype(int))
    ids.to_csv(path, index=False, lineterminator="\n")
    return ids


# ---------------------------------------------------------------- load


@dataclass
class Inputs:
    """Everything the build reads: the committed inputs and the two hand-kept tables."""

    leads: pd.DataFrame
    md_text: str
    excerpts: str
    events: pd.DataFrame
    publishers: pd.DataFrame
    overrides: pd.DataFrame
    extra: pd.DataFrame
    pages: pd.DataFrame
    source_over: pd.DataFrame
    actors: pd.DataFrame
    issues: pd.DataFrame
    seed_text: str
    second_coding: pd.DataFrame


@dataclass
class Dataset:
    """The built tables, ready to save."""

    positions: pd.DataFrame
    anchors: pd.DataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    verification: pd.DataFrame
    actors: pd.DataFrame
    issues: pd.DataFrame
    second_coding: pd.DataFrame


def load_inputs() -> Inputs:
    """Read every input file (see the module docstring)."""
    seed_path = ROOT.parent / "shared" / "sources" / "seed-istanbul-2025-06-02.txt"
    return Inputs(
        leads=read_csv(INPUTS / "ru_ua_positions_leads.csv"),
        md_text=(INPUTS / "ru_ua_positions_leads.md").read_text(encoding="utf-8"),
        excerpts=(INPUTS / "source_excerpts.md").read_text(encoding="utf-8"),
        events=read_csv(INPUTS / "events.csv"),
        publishers=read_csv(INPUTS / "publishers.csv").set_index("domain"),
        overrides=merge_overrides(read_csv(INPUTS / "position_overrides.csv")),
        extra=read_csv(INPUTS / "extra_positions.csv"),
        pages=read_csv(INPUTS / "pages_checks.csv"),
        source_over=read_csv(INPUTS / "source_overrides.csv").set_index("url"),
        actors=read_csv(OUT / "actors.csv"),
        issues=read_csv(OUT / "issues.csv"),
        seed_text=seed_path.read_text(encoding="utf-8") if seed_path.exists() else "",
        second_coding=read_csv(SECOND_CODING / "second_coding.csv"),
    )


# ---------------------------------------------------------------- process


def lead_records(inputs: Inputs, anchors: pd.DataFrame) -> list[dict]:
    """One position record per lead row not dropped, with its overrides applied."""
    overrides = inputs.overrides
    event_of = dict(zip(inputs.events.lead_event, inputs.events.event_id, strict=True))
    ids = lead_position_ids(inputs.leads)
    leads = inputs.leads.assign(lead_row=[str(i) for i in range(len(inputs.leads))]).merge(
        ids, on="lead_row"
    )
    records = []
    for lead in leads.itertuples():
        pid = lead.position_id
        ov = overrides.loc[pid] if pid in overrides.index else None

        def o(col, default="", ov=ov):
            if ov is not None and ov.get(col, ""):
                return ov[col]
            return default

        if o("drop"):
            continue
        issue_id = o("issue_id", lead.issue)
        value = float(o("value", lead.position_0_100))
        low, high = range_for(value, issue_id, anchors)
        records.append(
            {
                "position_id": pid,
                "date": o("date", lead.date),
                "event_id": o("event_id", event_of[lead.event]),
                "actor_id": ACTOR_MAP[lead.actor],
                "issue_id": issue_id,
                "stance": o("stance", ""),
                "value": fmt_num(value),
                "value_low": o("value_low", low),
                "value_high": o("value_high", high),
                "salience": "",
                "amount": o("amount"),
                "unit": o("unit"),
                "status": o("status", "unverified" if lead.verified == "UNVERIFIED" else ""),
                "summary": o("summary", lead.position_text),
                "quote": o("quote", lead.quote),
                "source_url": o("source_url", lead.source_url),
                "source_title": o("source_title", lead.source_title),
                "confidence": o("confidence", ""),
                "lead_grade": lead.verified,
                "scale_note": " ".join(filter(None, [lead.scale_note, o("scale_note_add")])),
                "origin": "lead",
                "added_round": 1,
            }
        )
    return records


def extra_records(inputs: Inputs) -> list[dict]:
    """One position record per row of ``extra_positions.csv`` (seed and pages rows)."""
    cols = [
        "position_id",
        "date",
        "event_id",
        "actor_id",
        "issue_id",
        "stance",
        "value",
        "value_low",
        "value_high",
        "amount",
        "unit",
        "status",
        "summary",
        "quote",
        "source_url",
        "source_title",
        "confidence",
        "scale_note",
        "origin",
    ]
    records = []
    for row in inputs.extra.to_dict("records"):
        rec = {c: row[c] for c in cols}
        rec["salience"] = ""
        rec["lead_grade"] = ""
        rec["added_round"] = int(row["added_round"]) if row["added_round"] else 1
        records.append(rec)
    return records


def place_in_range_anchor(pos: pd.DataFrame, anchors: pd.DataFrame) -> pd.DataFrame:
    """Coding rule 3: a value inside a range anchor, carrying that anchor's range, sits at the
    anchor's value (the midpoint, or the scale end when the range touches 0 or 100). Each moved
    row gets a "1.3.0:" note in ``scale_note`` saying from where."""
    ranges = anchors[anchors.low != anchors.high]
    pos = pos.copy()
    for i, r in pos.iterrows():
        value = float(r.value)
        for a in ranges[ranges.issue_id == r.issue_id].itertuples():
            if not (a.low <= value <= a.high) or value == a.value:
                continue
            if (r.value_low, r.value_high) != (fmt_num(a.low), fmt_num(a.high)):
                continue
            pos.at[i, "value"] = fmt_num(a.value)
            note = (
                f"1.3.0: placed at the anchor value {fmt_num(a.value)} of the range "
                f"{a.low}–{a.high} (coding rule 3), was {fmt_num(value)}."
            )
            pos.at[i, "scale_note"] = f"{r.scale_note} {note}".strip()
    return pos


def source_metadata(url: str, inputs: Inputs) -> tuple[str, str, str]:
    """(published, title, published_basis) for a source URL: the overrides table first, then
    the line of the excerpts file that lists the URL (``URL "headline" (date)``), then (date
    only) the URL itself; empty where none holds it (the lead's title is used then).
    ``published_basis`` says where the date comes from: ``stored page``, ``excerpts file``,
    ``URL path`` or ``URL timestamp (inferred)`` (the override's note names a timestamp)."""
    so = inputs.source_over.loc[url] if url in inputs.source_over.index else None
    published, basis = "", ""
    if so is not None and so["published"]:
        published = so["published"]
        note = so["note"].lower()
        basis = (
            "URL timestamp (inferred)"
            if "timestamp" in note
            else "URL path"
            if "from url" in note
            else "stored page"
        )
    elif date_from_excerpts(url, inputs.excerpts):
        published, basis = date_from_excerpts(url, inputs.excerpts), "excerpts file"
    elif date_from_url(url):
        published, basis = date_from_url(url), "URL path"
    title = (so["title"] if so is not None and so["title"] else "") or title_from_excerpts(
        url, inputs.excerpts
    )
    return published, title, basis


def build_sources(pos: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """One row per cited page (the seed article included), sorted by ``source_id``."""
    src_rows: dict[str, dict] = {}
    for row in pos.itertuples():
        url = row.source_url
        if row.origin == "seed":
            continue
        if not url:
            raise SystemExit(f"{row.position_id}: no source URL (a row must cite its source)")
        if url in src_rows:
            src_rows[url]["events"].add(row.event_id)
            src_rows[url]["quotes"].append(row.quote)
            continue
        dom = domain_of(url)
        if dom not in inputs.publishers.index:
            raise SystemExit(f"publisher missing for {dom}")
        src_rows[url] = {
            "title": row.source_title,
            "events": {row.event_id},
            "quotes": [row.quote],
            "dom": dom,
        }
    sources = []
    for url, info in src_rows.items():
        pub = inputs.publishers.loc[info["dom"]]
        published, title, basis = source_metadata(url, inputs)
        if pub.publisher_kind == "official":
            stype = "official"
        elif info["events"] & LEAK_EVENTS:
            stype = "leak"
        elif pub.publisher_kind == "analyst":
            stype = "analyst"
        else:
            stype = "media"
        lang = pub.language
        for q in info["quotes"]:
            lang = quote_language(q, lang)
        sources.append(
            {
                "source_id": source_id_for(url),
                "title": title or info["title"],
                "publisher": pub.publisher,
                "url": url,
                "published": published,
                "source_type": stype,
                "language": lang,
                "publisher_kind": pub.publisher_kind,
                "is_mirror": "true" if pub.publisher_kind in ("mirror", "proxy_copy") else "false",
                "bundled_document": "",
                "published_basis": basis,
            }
        )
    seed_published, seed_title, seed_basis = source_metadata(SEED_URL, inputs)
    sources.append(
        {
            "source_id": SEED_SOURCE_ID,
            "title": seed_title,
            "publisher": inputs.publishers.loc[domain_of(SEED_URL)].publisher,
            "url": SEED_URL,
            "published": seed_published,
            "source_type": "media",
            "language": "en",
            "publisher_kind": inputs.publishers.loc[domain_of(SEED_URL)].publisher_kind,
            "is_mirror": "false",
            "bundled_document": "",
            "published_basis": seed_basis,
        }
    )
    return pd.DataFrame(sources).sort_values("source_id").reset_index(drop=True)


def build_verification(pos: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """The verification log: one row per check (excerpts file, pages corpus, seed article).

    Columns: ``position_id``, ``checked_against``, ``found``, ``matched_url``, ``note``,
    ``round``. Quotes are compared after :func:`normalise` (quote marks, dashes, spaces).
    """
    norm_excerpts = normalise(inputs.excerpts)
    seed_text = normalise(inputs.seed_text)
    log = []
    for r in pos.itertuples():
        if r.origin == "seed":
            found = ("yes" if normalise(r.quote) in seed_text else "no") if seed_text else "not-run"
            note = "quote compared with the seed article text"
            log.append((r.position_id, "seed-file", found, "", note, 1))
            continue
        if r.origin == "pages":
            note = "row added from a page returned by the pages corpus; quote copied from it"
            log.append((r.position_id, "pages-corpus", "yes", r.source_url, note, r.added_round))
            continue
        if r.origin == "lead" and r.quote:
            found = "yes" if normalise(r.quote) in norm_excerpts else "no"
            where = (
                "URL listed in excerpts file"
                if r.source_url in inputs.excerpts
                else "URL not listed in excerpts file"
            )
            log.append((r.position_id, "excerpts-file", found, r.source_url, where, 1))
        elif r.origin == "lead":
            note = "UNVERIFIED lead: no quote and no URL"
            log.append((r.position_id, "excerpts-file", "no", "", note, 1))
    for p in inputs.pages.itertuples():
        log.append((p.position_id, "pages-corpus", p.found, p.matched_url, p.note, int(p.round)))
    verification = pd.DataFrame(
        log, columns=["position_id", "checked_against", "found", "matched_url", "note", "round"]
    )
    verification = verification[verification.position_id.isin(set(pos.position_id))]
    return verification.sort_values(["position_id", "checked_against", "round"], kind="stable")


def best_pages_result(verification: pd.DataFrame) -> dict[str, str]:
    """Position id -> its best pages-corpus result (``yes`` before ``partial`` before ``no``)."""
    rank = {"yes": 0, "partial": 1, "no": 2}
    pages = verification[verification.checked_against == "pages-corpus"]
    return pages.groupby("position_id")["found"].agg(lambda s: min(s, key=rank.get)).to_dict()


def assign_status_and_confidence(
    pos: pd.DataFrame, sources: pd.DataFrame, verification: pd.DataFrame
) -> pd.DataFrame:
    """Status and confidence by the codebook's rules where no override set them."""
    src_kind = dict(zip(sources.source_id, sources.publisher_kind, strict=True))
    src_type = dict(zip(sources.source_id, sources.source_type, strict=True))
    best = best_pages_result(verification)
    pages = verification[verification.checked_against == "pages-corpus"]
    checked = pages.groupby("position_id")["found"].agg(set).to_dict()
    statuses, confidences = [], []
    for r in pos.itertuples():
        status = r.status or ("asserted" if src_type[r.source_id] == "official" else "reported")
        conf = r.confidence
        if not conf:
            kind = src_kind[r.source_id]
            if status == "unverified" or r.lead_grade == "yes-lowconf":
                conf = "low"
            elif (
                kind in ("mirror", "proxy_copy", "aggregator", "opinion")
                or src_type[r.source_id] == "leak"
                or (best.get(r.position_id) in ("no", "partial") and "no" in checked[r.position_id])
            ):
                conf = "medium"
            else:
                conf = "high"
        statuses.append(status)
        confidences.append(conf)
    return pos.assign(status=statuses, confidence=confidences)


def stance_for(r) -> str:
    """Explicit stance where given, else from the summary's first verb, else by actor role."""
    if r.stance:
        return r.stance
    first = r.summary.split()[0].rstrip(",:") if r.summary else ""
    if first in STANCE_BY_VERB:
        return STANCE_BY_VERB[first]
    if r.actor_id in ("RU_UA_agreed",):
        return "agreement"
    if r.actor_id in ("RU_UA_draft", "TR_UN"):
        return "proposal"
    if r.actor_id in ("US", "CN", "TR", "EU", "NATO"):
        return "proposal"
    return "demand"


def check_positions(pos: pd.DataFrame) -> None:
    """Rules that must hold before anything is written (stops the build otherwise)."""
    problems = []
    for r in pos.itertuples():
        if r.status != "unverified" and not r.quote:
            problems.append(f"{r.position_id}: quote required")
        if r.quote and word_count(r.quote) > MAX_QUOTE_WORDS:
            problems.append(f"{r.position_id}: quote over {MAX_QUOTE_WORDS} words")
    dupes = sorted(set(pos.position_id[pos.position_id.duplicated()]))
    if dupes:
        problems.append(f"duplicate position ids: {dupes}")
    if problems:
        raise SystemExit("\n".join(problems))


# the contract's columns, then this dataset's two extra ones
POSITION_COLUMNS = [*schema.POSITIONS.column_names, "scale_note", "lead_grade"]


def build_second_coding(raw: pd.DataFrame, pos: pd.DataFrame) -> pd.DataFrame:
    """The second coding as published: one row per position and coder, sorted by position id
    and coder; columns ``SECOND_CODING_COLUMNS``, numbers written as in ``positions.csv``.

    Stops the build listing every problem: unknown position id, a coder coding one position
    twice, a value that is not a number in 0-100, a range that does not hold its value, an
    empty coder or reason."""
    problems = []
    missing = [c for c in SECOND_CODING_COLUMNS if c not in raw.columns]
    if missing:
        raise SystemExit(f"second_coding/second_coding.csv: missing columns {missing}")
    known = set(pos.position_id)
    for i, r in enumerate(raw.itertuples(), start=2):
        where = f"second_coding/second_coding.csv row {i} ({r.position_id})"
        if r.position_id not in known:
            problems.append(f"{where}: position_id not in positions")
        if not r.coder.strip() or not r.reason.strip():
            problems.append(f"{where}: coder and reason are required")
        try:
            value = float(r.value)
            low = float(r.value_low) if r.value_low else value
            high = float(r.value_high) if r.value_high else value
        except ValueError:
            problems.append(f"{where}: value/value_low/value_high must be numbers")
            continue
        if not 0 <= low <= value <= high <= 100:
            problems.append(f"{where}: needs 0 <= value_low <= value <= value_high <= 100")
        if bool(r.value_low) != bool(r.value_high):
            problems.append(f"{where}: give both value_low and value_high, or neither")
    dupes = raw[raw.duplicated(["position_id", "coder"])]
    problems += [f"{r.position_id}: coded twice by {r.coder}" for r in dupes.itertuples()]
    if problems:
        raise SystemExit("\n".join(problems))
    out = raw[SECOND_CODING_COLUMNS].copy()
    for col in ("value", "value_low", "value_high"):
        out[col] = out[col].map(fmt_num)
    return out.sort_values(["position_id", "coder"]).reset_index(drop=True)


def process(inputs: Inputs) -> Dataset:
    """Build every table from the inputs (no file is written)."""
    anchors = complete_anchors(parse_anchors(inputs.md_text), inputs.issues)
    pos = pd.DataFrame(lead_records(inputs, anchors) + extra_records(inputs))
    pos = place_in_range_anchor(pos, anchors)
    sources = build_sources(pos, inputs)
    sid_of_url = dict(zip(sources.url, sources.source_id, strict=True))
    pos["source_id"] = [
        SEED_SOURCE_ID if r.origin == "seed" else sid_of_url[r.source_url] for r in pos.itertuples()
    ]
    verification = build_verification(pos, inputs)
    pos = assign_status_and_confidence(pos, sources, verification)
    pos["stance"] = [stance_for(r) for r in pos.itertuples()]
    check_positions(pos)
    events = inputs.events[inputs.events.event_id.isin(set(pos.event_id))]
    events = events.drop(columns=["lead_event"]).sort_values(["date", "event_id"])
    anchors_out = anchors[["issue_id", "value", "label"]].copy()
    anchors_out["value"] = anchors_out.value.map(fmt_num)
    return Dataset(
        positions=pos.sort_values("position_id").reset_index(drop=True)[POSITION_COLUMNS],
        anchors=anchors_out,
        events=events.reset_index(drop=True),
        sources=sources,
        verification=verification,
        actors=inputs.actors,
        issues=inputs.issues,
        second_coding=build_second_coding(inputs.second_coding, pos),
    )


# ---------------------------------------------------------------- save


def save(data: Dataset, *, allow_rewrite: bool) -> None:
    """Write the tables, ids, version checksum, datapackage, codebook and data/README.md."""
    release.write_table(OUT, data.positions, "positions.csv")
    release.write_table(OUT, data.anchors, "scale_anchors.csv")
    release.write_table(OUT, data.events, "events.csv")
    release.write_table(OUT, data.sources, "sources.csv")
    release.write_table(OUT, data.verification, "verification.csv")
    release.write_table(OUT, data.second_coding, "second_coding.csv")
    release.update_released_ids(OUT, data.positions, data.events, data.sources)
    release.record_version_checksum(
        OUT, VERSION, allow_rewrite=allow_rewrite, script="scripts/build_dataset.py"
    )
    write_datapackage(
        data.positions, data.events, data.sources, data.anchors, data.actors, data.issues
    )
    codebook.write_codebook(OUT, INPUTS, VERSION)
    write_data_readme()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    data = process(load_inputs())
    save(data, allow_rewrite="--rewrite-unreleased" in argv)
    print(
        f"positions={len(data.positions)} events={len(data.events)} "
        f"sources={len(data.sources)} anchors={len(data.anchors)} version={VERSION}"
    )


# Columns beyond the data contract, in the order they follow the contract's columns in the CSVs.
EXTRA_FIELDS = {
    "actors": [release.field("description", "string", "Extra: who the actor stands for.")],
    "sources": [
        release.field(
            "publisher_kind",
            "string",
            "Extra: kind of publisher hosting the page.",
            enum=[
                "official",
                "state_media",
                "news_outlet",
                "aggregator",
                "mirror",
                "proxy_copy",
                "opinion",
                "analyst",
            ],
        ),
        release.field(
            "is_mirror",
            "boolean",
            "Extra: page is a mirror or proxy copy, not the original outlet.",
        ),
        release.field(
            "bundled_document", "string", "Extra: path of a bundled document where url is empty."
        ),
        release.field(
            "published_basis",
            "string",
            "Extra: where the published date comes from (empty when there is no date).",
            enum=["stored page", "excerpts file", "URL path", "URL timestamp (inferred)"],
        ),
    ],
    "positions": [
        release.field("scale_note", "string", "Extra: the coder's one-line reason for the value."),
        release.field(
            "lead_grade",
            "string",
            "Extra: grade of the research lead the row came from (empty for added rows).",
            enum=["yes", "yes-lowconf", "UNVERIFIED"],
        ),
    ],
}

# Rules this dataset keeps beyond the contract (the contract's own rules come from schema.py).
TIGHTER_CONSTRAINTS = {
    ("issues", "issue_id"): {"pattern": "^[A-Za-z][A-Za-z0-9_-]*$"},
    ("issues", "order"): {"minimum": 1},
    ("positions", "amount"): {"minimum": 0},
}


def _score(name: str, description: str, *, required: bool) -> dict:
    constraints = {"minimum": 0, "maximum": 100}
    if required:
        constraints["required"] = True
    return release.field(name, "number", description, **constraints)


# The blind second coding (not a contract table): documented here so frictionless checks it.
SECOND_CODING_RESOURCE = {
    "name": "second_coding",
    "path": "second_coding.csv",
    "title": "Blind second coding of a stratified sample of positions",
    "description": (
        "A second coder's values for 72 positions (4 per issue, drawn by "
        "scripts/second_coding_sample.py from version 1.2.0 with --per-issue 4 --seed 2026), "
        "coded from the quote, the summary and the issue's anchors only, without the first "
        "values. Agreement (Krippendorff's alpha) with positions.csv is in README.md."
    ),
    "schema": {
        "fields": [
            release.field(
                "position_id",
                "string",
                "The position coded again (positions.position_id).",
                required=True,
            ),
            release.field("coder", "string", "Who coded it (pseudonym).", required=True),
            _score("value", "The second coder's value on the issue's 0-100 scale.", required=True),
            _score("value_low", "Low end of the second coder's range, if any.", required=False),
            _score("value_high", "High end of the second coder's range, if any.", required=False),
            release.field(
                "anchor", "string", "The anchor value(s) the coder matched, as they wrote it."
            ),
            release.field(
                "reason", "string", "The coder's reason, quoting the words used.", required=True
            ),
        ],
        "primaryKey": ["position_id", "coder"],
        "foreignKeys": [
            {
                "fields": ["position_id"],
                "reference": {"resource": "positions", "fields": ["position_id"]},
            }
        ],
    },
}


def write_datapackage(pos, events, sources, anchors, actors, issues) -> None:
    """datapackage.json: the contract's Table Schemas (from negotiation_lib.schema, so the two
    cannot drift), this dataset's extra columns and tighter rules, and its metadata."""
    from negotiation_lib import schema
    from negotiation_lib.schema import frictionless_schema

    frames = {
        "actors": actors,
        "issues": issues,
        "scale_anchors": anchors,
        "events": events,
        "sources": sources,
        "positions": pos,
    }
    resources = []
    for table in schema.TABLES:
        table_schema = frictionless_schema(table, frames[table.name].columns)
        for f in table_schema["fields"]:
            extra = TIGHTER_CONSTRAINTS.get((table.name, f["name"]))
            if extra:
                f.setdefault("constraints", {}).update(extra)
        table_schema["fields"] += EXTRA_FIELDS.get(table.name, [])
        resources.append(release.table_resource(table.name, table.file, table_schema))
    second = copy.deepcopy(SECOND_CODING_RESOURCE)
    second_schema = second.pop("schema")
    resources.append(release.table_resource(**second, table_schema=second_schema))
    descriptor = {
        "profile": "tabular-data-package",
        "name": DATASET_ID,
        "title": TITLE,
        "description": (
            "Coded positions of Russia, Ukraine, the United States, European states, China, "
            "Turkey and joint texts on 18 issues of the Russia–Ukraine war-ending negotiations, "
            "February 2022 – February 2026. Every position cites a source and (unless "
            "unverified) a short verbatim quote. 0 = Ukraine's maximal stated aim, 100 = "
            "Russia's maximal stated aim. See README.md (codebook)."
        ),
        "version": VERSION,
        "created": "2026-11-25T00:00:00Z",
        "homepage": "",
        "keywords": ["Russia", "Ukraine", "negotiations", "peace talks", "positions", "codebook"],
        "licenses": release.LICENSES,
        "contributors": release.CONTRIBUTORS,
        "sources": [
            release.STORED_PAGES_SOURCE,
            {"title": "Scoop Hub report on the 2 June 2025 Istanbul round (seed article)"},
        ],
        "resources": resources,
    }
    descriptor.pop("homepage")
    release.write_descriptor(OUT, descriptor)


def write_data_readme() -> None:
    """data/README.md: one line per bundled dataset (tests/test_data.py checks it)."""
    lines = [
        "# Bundled datasets",
        "",
        "One line per dataset: id, what it covers, rows, version. Generated by "
        "`scripts/build_dataset.py`; `tests/test_data.py` fails if it drifts from the datapackage.",
        "",
    ]
    for pkg in sorted((ROOT / "data").glob("*/datapackage.json")):
        if pkg.parent.name == "templates":
            continue
        lines.append(dataset_line(pkg))
    lines += [
        "",
        "`templates/` holds empty tables with headers for bringing your own negotiation.",
        "",
    ]
    (ROOT / "data" / "README.md").write_text("\n".join(lines), encoding="utf-8")


def dataset_line(pkg: Path) -> str:
    descriptor = json.loads(pkg.read_text(encoding="utf-8"))
    counts = {}
    for res in descriptor["resources"]:
        with open(pkg.parent / res["path"], encoding="utf-8", newline="") as fh:
            counts[res["name"]] = sum(1 for _ in csv.reader(fh)) - 1
    return (
        f"- `{descriptor['name']}` — {descriptor['title']} — "
        f"{counts.get('positions', 0)} positions, {counts.get('events', 0)} events, "
        f"{counts.get('issues', 0)} issues, {counts.get('actors', 0)} actors, "
        f"{counts.get('sources', 0)} sources — version {descriptor['version']}"
    )


if __name__ == "__main__":
    main()
