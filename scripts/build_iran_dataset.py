"""Build the bundled ``iran-nuclear-2013-2015`` dataset from its committed inputs.

Inputs (all in ``scripts/iran_inputs/``):

- ``iran_nuclear_leads.csv`` / ``.md`` / ``iran_nuclear_excerpts.txt``: the researched leads,
  their scales and the excerpts the quotes were copied from (copied unchanged from the research
  folder).
- ``events.csv``: hand-written event table (one row per event label used by the leads).
- ``pages_checks.csv``: the log of checks of every lead against the stored web pages (lead =
  0-based row of the leads CSV, query, result ``verbatim``/``partial``/``not found``, page).
- ``coding_review.csv``: the coding-consistency review (``nl.check_coding_consistency``): per
  position id a new ``value``/``value_low``/``value_high`` (empty: keep the lead's coding) and a
  ``note`` appended to its ``scale_note``.
- ``codebook_template.md``: prose of the codebook; counts, issues and verification are generated.

The scales (issues and anchors, with the physical amount each quantity anchor stands for) are
defined below, reviewed against the research folder's quantity-to-scale mappings (the anchor
points of ``iran_nuclear_leads.md`` section 2). Outputs: the six tables,
``datapackage.json``, ``verification.csv``, ``README.md`` (codebook), ``versions.json`` and
``released_ids.txt`` in ``data/iran-nuclear-2013-2015/``, and ``data/README.md``.

Helpers reused from the Russia–Ukraine build: ``codebook.counts_block`` / ``issues_block`` and
``build_dataset.write_data_readme`` (one writer for data/README.md). Everything else is here.

Run: ``.venv/bin/python scripts/build_iran_dataset.py``. Deterministic: same inputs, same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import dataset_release as release  # scripts/: the script's own folder is first on sys.path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "scripts" / "iran_inputs"
DATASET_ID = "iran-nuclear-2013-2015"
OUT = ROOT / "data" / DATASET_ID
VERSION = "1.0.0"
TITLE = "Iran nuclear negotiations: positions by actor, issue and date (2012–2015)"
MAX_QUOTE_WORDS = 30

# --------------------------------------------------------------------------------------------
# Actors. Lead actor code -> (actor_id, name, role, colour, description).

ACTORS = [
    (
        "IR",
        "Iran",
        "party",
        "#009E73",
        "Iran: Supreme Leader, President, Foreign Minister and negotiators, AEOI.",
    ),
    (
        "US",
        "United States",
        "party",
        "#0072B2",
        "United States: President, Secretary of State, negotiators, White House and State "
        "Department spokespeople.",
    ),
    (
        "P5_1",
        "P5+1 (E3/EU+3)",
        "party",
        "#56B4E9",
        "The six powers jointly, usually as presented by the EU High Representative or as "
        "characterised by Iranian officials.",
    ),
    (
        "WEST",
        "Western officials (unnamed)",
        "party",
        "#999999",
        "Unnamed Western officials or diplomats (the US and/or the E3); not attributable to "
        "one state.",
    ),
    ("FR", "France", "party", "#CC79A7", "France: Foreign Minister Laurent Fabius."),
    (
        "UK",
        "United Kingdom",
        "party",
        "#882255",
        "United Kingdom: Foreign Secretary and ministers.",
    ),
    ("DE", "Germany", "party", "#E69F00", "Germany: Foreign Minister Frank-Walter Steinmeier."),
    (
        "RU",
        "Russia",
        "party",
        "#D55E00",
        "Russia: Foreign Minister Lavrov, Deputy Foreign Minister Ryabkov.",
    ),
    (
        "CN",
        "China",
        "party",
        "#F0E442",
        "China: Foreign Minister Wang Yi or reported Chinese stance.",
    ),
    (
        "JPOA",
        "Joint Plan of Action (24 Nov 2013)",
        "joint",
        "#332288",
        "Interim agreed text, with its Jan 2014 implementation terms and the 2014 extensions.",
    ),
    (
        "LAUSANNE",
        "Lausanne parameters (2 Apr 2015)",
        "joint",
        "#117733",
        "The EU/Iran joint statement of 2 Apr 2015 (the agreed wording); the US and Iranian "
        "readings are coded under US and IR.",
    ),
    (
        "JCPOA",
        "Joint Comprehensive Plan of Action (14 Jul 2015)",
        "joint",
        "#44AA99",
        "The final agreed text.",
    ),
    (
        "UNSCR2231",
        "UN Security Council Resolution 2231 (20 Jul 2015)",
        "joint",
        "#88CCEE",
        "Resolution endorsing the JCPOA; holds the arms and missile restrictions (Annex B).",
    ),
    (
        "IR_MAJLIS",
        "Iranian parliament (Majlis)",
        "third_party",
        "#AA4499",
        "Majlis national-security committee: a ratifying actor, not a negotiating party.",
    ),
    (
        "ISRAEL",
        "Israel",
        "third_party",
        "#661100",
        "Israeli Prime Minister Netanyahu: outside actor.",
    ),
    (
        "US_CONGRESS",
        "US Congress",
        "third_party",
        "#6699CC",
        "Members of the US Congress: ratifying actor, not a negotiating party.",
    ),
]
ACTOR_CODE = {"P5+1": "P5_1"}  # lead actor code -> actor_id where the code is not a valid id

# --------------------------------------------------------------------------------------------
# Issues and anchors. 0 = the maximal stated Western/P5+1 aim, 100 = Iran's maximal stated aim.
# A quantity anchor is (value, label, amount); the issue's unit names what the amount counts.

ISSUES = [
    {
        "issue_id": "enrichment_level",
        "label": "Enrichment level",
        "category": "nuclear limits",
        "description": "Maximum level to which Iran may enrich uranium (% U-235).",
        "unit": "percent U-235",
        "anchors": [
            (0, "0%: no enrichment (UN Security Council suspension demand)", 0),
            (18.35, "3.67% (US reading of Lausanne; JCPOA)", 3.67),
            (25, "5% ceiling (Joint Plan of Action)", 5),
            (100, "20% (Iran's maximal stated level: Tehran Research Reactor fuel)", 20),
        ],
    },
    {
        "issue_id": "enrichment_capacity",
        "label": "Enrichment capacity",
        "category": "nuclear limits",
        "description": "Operating IR-1-equivalent centrifuges (Khamenei equated 1 SWU with one "
        "IR-1).",
        "unit": "IR-1 centrifuges (SWU)",
        "anchors": [
            (0, "No operating centrifuges", 0),
            (10, "1,500 (US ideal, 2014)", 1500),
            (25, "5,060 operating IR-1 (Lausanne US reading; JCPOA)", 5060),
            (40, "About 10,000 (operating 2013-14)", 10000),
            (55, "About 19,000 (installed 2014-15)", 19000),
            (100, "190,000 SWU (Khamenei, Jul 2014)", 190000),
        ],
    },
    {
        "issue_id": "stockpile",
        "label": "Enriched-uranium stockpile",
        "category": "nuclear limits",
        "description": "Enriched uranium (UF6 mass) retained in Iran in enrichable form.",
        "unit": "kg enriched UF6",
        "anchors": [
            (0, "None retained: all enriched uranium shipped out", 0),
            (10, "300 kg of 3.67% UF6 (Lausanne US reading; JCPOA)", 300),
            (100, "About 10,000 kg: the whole 2015 stock retained, no cap", 10000),
        ],
    },
    {
        "issue_id": "fordow",
        "label": "Fordow enrichment site",
        "category": "nuclear limits",
        "description": "Status of the underground Fordow enrichment plant.",
        "anchors": [
            (0, "Closed / dismantled"),
            (
                15,
                "Converted to a research centre: no enrichment, no fissile material, about "
                "1,000 idle or isotope centrifuges (JCPOA)",
            ),
            (30, "Enrichment suspended, readiness reduced, more monitoring (Almaty 2013 offer)"),
            (50, "Limited LEU or research enrichment"),
            (70, "LEU (up to 5%) enrichment continues, no expansion (JPOA)"),
            (100, "Full operation including 20% enrichment"),
        ],
    },
    {
        "issue_id": "arak",
        "label": "Arak heavy-water reactor",
        "category": "nuclear limits",
        "description": "Design plutonium output of the Arak reactor (Salehi: original about 8 "
        "kg/yr, redesign about 1 kg/yr).",
        "unit": "kg plutonium per year",
        "anchors": [
            (0, "No heavy-water reactor: light-water conversion or dismantling", 0),
            (12.5, "Redesigned reactor of at most 20 MWt, about 1 kg Pu/yr (JCPOA)", 1),
            (20, "One fifth of the original design output, about 1.6 kg/yr (Iran, Apr 2014)", 1.6),
            (60, "Interim freeze: original design kept, not commissioned or fuelled (JPOA)", None),
            (100, "Original 40 MWt IR-40, about 8 kg Pu/yr", 8),
        ],
    },
    {
        "issue_id": "duration",
        "label": "Duration of the core limits",
        "category": "nuclear limits",
        "description": "Years the core enrichment-capacity and level limits last.",
        "unit": "years",
        "anchors": [
            (0, "20 years or more, or permanent", 20),
            (20, "15 years", 15),
            (50, "10 years", 10),
            (70, "7 years", 7),
            (100, "5 years or less (Iran's maximal stated aim)", 5),
        ],
    },
    {
        "issue_id": "rnd_centrifuges",
        "label": "Advanced-centrifuge R&D",
        "category": "nuclear limits",
        "description": "Limits on research, development and use of advanced centrifuges (IR-2 "
        "to IR-8).",
        "anchors": [
            (0, "No advanced-centrifuge R&D with uranium for the duration"),
            (
                20,
                "Advanced models not used to enrich for at least 10 years; R&D per agreed "
                "schedule (US reading of Lausanne)",
            ),
            (
                25,
                "Uranium R&D only with IR-4/5/6/8 in small numbers for 10 years, then gradual "
                "(JCPOA)",
            ),
            (
                35,
                "R&D continues on a mutually agreed scope and schedule (Lausanne joint statement)",
            ),
            (
                50,
                "Current R&D continues, no new-generation machines installed to enrich (JPOA "
                "interim)",
            ),
            (87.5, "Range 85-90: no long (10-12 year) R&D freeze; advanced machines fed soon"),
            (100, "Unrestricted R&D with immediate industrial application"),
        ],
    },
    {
        "issue_id": "sanctions_relief",
        "label": "Timing of sanctions relief",
        "category": "sanctions",
        "description": "When and how US, EU and national nuclear-related sanctions are lifted.",
        "anchors": [
            (0, "No significant relief until long sustained compliance (24 months or more)"),
            (25, "Phased suspension after the IAEA verifies key steps (about 12 months), snapback"),
            (
                50,
                "Termination or cessation simultaneous with IAEA-verified implementation of "
                "key steps (JCPOA Implementation Day)",
            ),
            (75, "All sanctions lifted on the first day of implementation"),
            (
                100,
                "All sanctions lifted on the day of signing, not conditioned on IAEA verification",
            ),
        ],
    },
    {
        "issue_id": "un_sanctions_snapback",
        "label": "UN resolutions and snapback",
        "category": "sanctions",
        "description": "Fate of UN Security Council resolutions 1696-1929 and design of the "
        "snapback.",
        "anchors": [
            (0, "UN resolutions kept until long-term compliance; automatic reimposition"),
            (
                10,
                "Lifted only after all key steps; core provisions and arms/missile "
                "restrictions re-established in a new binding resolution; snapback",
            ),
            (
                20,
                "Terminated on IAEA-verified implementation; limited new restrictions; "
                "veto-proof 30-day snapback; 10-year termination (JCPOA / UNSCR 2231)",
            ),
            (50, "Terminated, reimposition only by a new Council decision (veto applies)"),
            (75, "All resolutions terminated on endorsement, no snapback"),
            (
                100,
                "All resolutions annulled on the day of agreement; none of their demands survive",
            ),
        ],
    },
    {
        "issue_id": "inspections_access",
        "label": "Inspections and access",
        "category": "verification",
        "description": "IAEA access, in particular to undeclared and military sites.",
        "anchors": [
            (0, "'Anywhere, anytime', including military sites and scientists"),
            (
                10,
                "Access to any suspect site including military sites, in principle "
                "non-negotiable; modalities open",
            ),
            (
                25,
                "Additional Protocol plus managed access with a fixed 24-day deadline enforced "
                "by majority vote (JCPOA)",
            ),
            (
                40,
                "Provisional Additional Protocol and modified Code 3.1, no special deadline "
                "(Lausanne joint statement)",
            ),
            (
                60,
                "Enhanced monitoring of declared sites only (daily Natanz/Fordow access), no "
                "Additional Protocol (JPOA)",
            ),
            (
                87.5,
                "Range 85-90: Additional Protocol at most; military sites and scientists "
                "off-limits",
            ),
            (100, "Existing safeguards only"),
        ],
    },
    {
        "issue_id": "pmd",
        "label": "Possible military dimensions (PMD)",
        "category": "verification",
        "description": "How the IAEA's questions on past weapons-related work are addressed.",
        "anchors": [
            (
                0,
                "Full accounting ('confession') with access to sites and scientists before any "
                "deal",
            ),
            (15, "IAEA concerns resolved before the deal or relief; no confession required"),
            (
                30,
                "IAEA-Iran roadmap incl. Parchin arrangement; final assessment before "
                "Implementation Day; no admission (JCPOA)",
            ),
            (50, "Deferred to a parallel IAEA process / final step (JPOA)"),
            (87.5, "Range 85-90: no access to military sites, no interviews of scientists"),
            (100, "Allegations forged; no engagement"),
        ],
    },
    {
        "issue_id": "arms_embargo",
        "label": "UN conventional-arms restrictions",
        "category": "military",
        "description": "Years the UN conventional-arms restrictions remain after Adoption Day.",
        "unit": "years",
        "anchors": [
            (0, "20 years or more, or indefinite", 20),
            (25, "10 years", 10),
            (50, "5 years (UNSCR 2231)", 5),
            (100, "Lifted immediately", 0),
        ],
    },
    {
        "issue_id": "ballistic_missiles",
        "label": "UN ballistic-missile restrictions",
        "category": "military",
        "description": "Years the UN ballistic-missile restrictions remain after Adoption Day "
        "(binding 'shall' vs hortatory 'called upon' is noted, not scored).",
        "unit": "years",
        "anchors": [
            (0, "20 years or more, or indefinite", 20),
            (25, "10 years", 10),
            (35, "8 years, hortatory 'called upon' (UNSCR 2231)", 8),
            (50, "5 years", 5),
            (100, "Lifted immediately / not part of the talks", 0),
        ],
    },
]
# breakout_time is not an issue: months of breakout follow from capacity, stockpile and level
# (and R&D); scoring it beside them would count the same concession twice (see the codebook).
DROPPED_ISSUES = {"breakout_time"}
# Leads dropped for a stated reason (lead index -> reason); written to the verification log.
DROPPED_LEADS = {
    159: "contradicted by stored pages: Reuters reports the Jul 2014 extension as converting a "
    "quarter (25 kg) of the 20% oxide, not all of it; the cited page was not found",
}

# Where a lead's event is a reading of the Lausanne parameters, who reads it.
LAUSANNE_READINGS = {
    "Lausanne parameters - US State Dept/White House fact sheet (2 Apr 2015)": "US",
    "Lausanne parameters - Iranian statements/fact sheet (2-10 Apr 2015)": "IR",
}
LAUSANNE_JOINT_EVENT = "Lausanne parameters - EU/Iran joint statement (2 Apr 2015)"

OFFICIAL_DOMAINS = {"www.un.org", "www.foreign.senate.gov", "www.auswaertiges-amt.de"}
ANALYST_DOMAINS = {
    "iranprimer.usip.org",
    "projectalpha.eu",
    "sipri.org",
    "www.iranwatch.org",
    "lobelog.com",
    "europeansanctions.com",
    "www.nti.org",
}
LANGUAGE_BY_DOMAIN = {
    "www.atlantico.fr": "fr",
    "seenthis.net": "fr",
    "newsburger.de": "de",
    "de.abna24.com": "de",
}
RESULT_TO_FOUND = {"verbatim": "yes", "partial": "partial", "not found": "no"}
FOUND_RANK = {"yes": 0, "partial": 1, "no": 2}


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def fmt(x: float | None) -> str:
    """A number as written in the tables: integers without '.0', others with up to 2 decimals."""
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    x = round(float(x), 2)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2014", "-").replace("\u2013", "-")
    return re.sub(r"\s+", " ", text).strip().lower()


def iso_date(text: str) -> tuple[str, str]:
    """(YYYY-MM-DD, note) for a lead date written YYYY-MM-DD, YYYY-MM or YYYY."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text, ""
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{text}-01", f"Date known to the month ({text}); coded on its first day."
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01", f"Date known to the year ({text}); coded on 1 January."
    raise ValueError(f"unreadable lead date {text!r}")


def source_id_for(url: str) -> str:
    return "src_" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]


def interpolate(issue: dict, amount: float) -> float | None:
    """The value a quantity interpolates to on the issue's anchors (None without amounts)."""
    points = sorted((a[2], a[0]) for a in issue["anchors"] if len(a) > 2 and a[2] is not None)
    if not points:
        return None
    xs = [p[0] for p in points]
    vs = [p[1] for p in points]
    return float(np.interp(amount, xs, vs))  # flat beyond the end anchors


def issue_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    issues, anchors = [], []
    for order, issue in enumerate(ISSUES, start=1):
        values = [a[0] for a in issue["anchors"]]
        labels = {a[0]: a[1] for a in issue["anchors"]}
        issues.append(
            {
                "issue_id": issue["issue_id"],
                "label": issue["label"],
                "category": issue["category"],
                "description": issue["description"],
                "low_label": labels[min(values)],
                "high_label": labels[max(values)],
                "order": str(order),
            }
        )
        for a in issue["anchors"]:
            has_amount = len(a) > 2 and a[2] is not None
            anchors.append(
                {
                    "issue_id": issue["issue_id"],
                    "value": fmt(a[0]),
                    "label": a[1],
                    "amount": fmt(a[2]) if has_amount else "",
                    "unit": issue["unit"] if has_amount else "",
                }
            )
    return pd.DataFrame(issues), pd.DataFrame(anchors)


def best_checks(checks: pd.DataFrame) -> dict[int, str]:
    """Lead index -> best pages-corpus result as ``found`` code (yes before partial before no)."""
    best: dict[int, str] = {}
    for row in checks.itertuples():
        found = RESULT_TO_FOUND[row.result]
        lead = int(row.lead)
        if lead not in best or FOUND_RANK[found] < FOUND_RANK[best[lead]]:
            best[lead] = found
    return best


def read_review() -> dict[str, dict[str, str]]:
    """Position id -> its row of ``coding_review.csv`` (value, value_low, value_high, note)."""
    review = read_csv(INPUTS / "coding_review.csv")
    problems = []
    for n, row in enumerate(review.itertuples(index=False), start=2):
        given = [row.value, row.value_low, row.value_high]
        if any(given) and not all(given):
            problems.append(
                f"coding_review.csv row {n} ({row.position_id}): give value, "
                "value_low and value_high together or none"
            )
        elif all(given) and not float(row.value_low) <= float(row.value) <= float(row.value_high):
            problems.append(
                f"coding_review.csv row {n} ({row.position_id}): value "
                f"{row.value} outside {row.value_low}-{row.value_high}"
            )
        if not row.note:
            problems.append(f"coding_review.csv row {n} ({row.position_id}): note is empty")
    if review["position_id"].duplicated().any():
        problems.append(
            "coding_review.csv: duplicate position_id "
            + ", ".join(review.loc[review["position_id"].duplicated(), "position_id"])
        )
    if problems:
        raise SystemExit("\n".join(problems))
    return {r["position_id"]: r for r in review.to_dict("records")}


def build_positions(leads: pd.DataFrame, checks: pd.DataFrame, events: pd.DataFrame):
    """Positions, sources and verification rows from the leads and the checks."""
    by_issue = {i["issue_id"]: i for i in ISSUES}
    review = read_review()
    event_id = dict(zip(events["lead_event"], events["event_id"], strict=True))
    excerpts = normalise((INPUTS / "iran_nuclear_excerpts.txt").read_text(encoding="utf-8"))
    best = best_checks(checks)
    positions, sources, log = [], {}, []
    for lead, row in leads.iterrows():
        pid = f"p{lead + 1:04d}"
        if row["issue"] in DROPPED_ISSUES or lead in DROPPED_LEADS:
            continue
        issue = by_issue[row["issue"]]
        date, date_note = iso_date(row["date"])
        actor = ACTOR_CODE.get(row["actor"], row["actor"])
        reading = LAUSANNE_READINGS.get(row["event"])
        if actor == "LAUSANNE" and reading:
            actor = reading  # a party's reading of the parameters, not the agreed text
        joint = actor in {"JPOA", "LAUSANNE", "JCPOA", "UNSCR2231"}
        low = float(row["value_low"]) if row["value_low"] else None
        high = float(row["value_high"]) if row["value_high"] else None
        has_range = low is not None and high is not None and low != high
        notes = [row["scale_note"]] if row["scale_note"] else []
        if row["position_value"]:
            value = float(row["position_value"])
        else:
            value = (low + high) / 2
            notes.append("Source supports only a range; value is its midpoint.")
        recoded = review.get(pid, {})
        if recoded.get("value"):
            if row["physical_value"]:
                raise SystemExit(
                    f"coding_review.csv: {pid} has an amount; its value follows "
                    "from the amount and is not recoded by hand"
                )
            value = float(recoded["value"])
            low, high = float(recoded["value_low"]), float(recoded["value_high"])
            has_range = low != high
        amount = unit = ""
        if row["physical_value"]:
            amount = fmt(float(row["physical_value"]))
            quantity_issue = "unit" in issue and row["physical_unit"] in (
                "% U-235 (maximum enrichment level)",
                "operating IR-1-equivalent centrifuges (~SWU/yr; Khamenei equated 1 SWU = 1 IR-1)",
                "kg enriched uranium (UF6 mass) retained in Iran in enrichable form",
                "kg plutonium per year (design output; Salehi: original ~8 kg, redesign ~1 kg)",
                "years of core restrictions (enrichment capacity/level limits)",
                "years UN conventional-arms restrictions remain after Adoption Day",
                "years UN ballistic-missile restrictions remain after Adoption Day",
            )
            unit = issue["unit"] if quantity_issue else row["physical_unit"]
            if quantity_issue:
                expected = interpolate(issue, float(row["physical_value"]))
                if expected is not None and abs(expected - value) > 0.05:
                    raise SystemExit(f"lead {lead}: value {value} but amount gives {expected}")
        if date_note:
            notes.append(date_note)
        if recoded:
            notes.append(recoded["note"])
        if reading:
            notes.insert(
                0, f"{'US' if reading == 'US' else 'Iranian'} reading of the Lausanne parameters."
            )
        found = best.get(lead, "no")
        quote = row["quote"]
        url = row["source_url"]
        domain = urlparse(url).netloc
        sid = source_id_for(url)
        source_type = (
            "official"
            if domain in OFFICIAL_DOMAINS
            else "analyst"
            if domain in ANALYST_DOMAINS
            else "media"
        )
        sources.setdefault(
            sid,
            {
                "source_id": sid,
                "title": row["source_title"],
                "publisher": domain.removeprefix("www."),
                "url": url,
                "published": row["source_published"]
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["source_published"])
                else "",
                "source_type": source_type,
                "language": LANGUAGE_BY_DOMAIN.get(domain, "en"),
                "is_mirror": "true" if "[mirror]" in row["source_title"] else "false",
                "bundled_document": "",
            },
        )
        if found == "no":
            status, confidence = "unverified", "low"
        else:
            status = "asserted" if joint or source_type == "official" else "reported"
            confidence = (
                "low"
                if row["verified"] == "yes-lowconf"
                else "high"
                if found == "yes"
                else "medium"
            )
        positions.append(
            {
                "position_id": pid,
                "date": date,
                "event_id": event_id[row["event"]],
                "actor_id": actor,
                "issue_id": row["issue"],
                "stance": "agreement" if joint or reading else stance_for(value, actor, issue),
                "value": fmt(value),
                "value_low": fmt(low) if has_range else "",
                "value_high": fmt(high) if has_range else "",
                "salience": "",
                "amount": amount,
                "unit": unit,
                "status": status,
                "summary": row["position_text"],
                "quote": quote,
                "source_id": sid,
                "confidence": confidence,
                "scale_note": " ".join(notes),
                "lead_grade": row["verified"],
                "_reading": reading or "",
            }
        )
        in_excerpts = normalise(quote) in excerpts
        log.append(
            {
                "position_id": pid,
                "lead": str(lead),
                "checked_against": "excerpts-file",
                "query": "",
                "result": "verbatim" if in_excerpts else "not found",
                "found": "yes" if in_excerpts else "no",
                "matched_url": "",
                "note": "quote searched in iran_nuclear_excerpts.txt (whitespace and quote "
                "marks normalised)",
                "round": "1",
            }
        )
        for check in checks[checks["lead"] == str(lead)].itertuples():
            log.append(
                {
                    "position_id": pid,
                    "lead": str(lead),
                    "checked_against": "pages-corpus",
                    "query": check.query,
                    "result": check.result,
                    "found": RESULT_TO_FOUND[check.result],
                    "matched_url": check.matched_url,
                    "note": check.note.removesuffix(" (round 3)"),
                    "round": "3" if check.note.endswith("(round 3)") else "2",
                }
            )
    unknown = sorted(set(review) - {p["position_id"] for p in positions})
    if unknown:
        raise SystemExit(f"coding_review.csv names positions not built: {', '.join(unknown)}")
    mark_disputed_readings(positions)
    for p in positions:
        del p["_reading"]
    return positions, list(sources.values()), log


def stance_for(value: float, actor: str, issue: dict) -> str:
    """Iran's side sits high on every scale, the P5+1 side low: a party's statement is a
    demand at its own end of the scale, otherwise a proposal (third parties: demand)."""
    if actor == "IR" or actor == "IR_MAJLIS":
        return "demand" if value >= 50 else "proposal"
    return "demand" if value <= 50 else "proposal"


def mark_disputed_readings(positions: list[dict]) -> None:
    """Where the US and Iranian readings of Lausanne give different values or ranges on an
    issue, both readings get status ``disputed`` (unverified rows stay unverified)."""
    for issue in {p["issue_id"] for p in positions if p["_reading"]}:
        rows = [p for p in positions if p["_reading"] and p["issue_id"] == issue]
        spans = {(p["value"], p["value_low"], p["value_high"]) for p in rows}
        readers = {p["_reading"] for p in rows}
        if readers == {"US", "IR"} and len(spans) > 1:
            for p in rows:
                if p["status"] != "unverified":
                    p["status"] = "disputed"
                p["scale_note"] += " DISPUTED: the US and Iranian readings differ on this issue."


EXTRA_FIELDS = {
    "actors": [release.field("description", "string", "Extra: who the actor stands for.")],
    "sources": [
        release.field(
            "is_mirror", "boolean", "Extra: page is a mirror or reprint, not the original outlet."
        ),
        release.field(
            "bundled_document", "string", "Extra: path of a bundled document where url is empty."
        ),
    ],
    "positions": [
        release.field(
            "scale_note", "string", "Extra: the coder's note on the value (reading, range, date)."
        ),
        release.field(
            "lead_grade",
            "string",
            "Extra: grade of the research lead the row came from.",
            enum=["yes", "yes-lowconf"],
        ),
    ],
}


def write_datapackage() -> None:
    from negotiation_lib import schema
    from negotiation_lib.schema import frictionless_schema

    resources = []
    for table in schema.TABLES:
        with (OUT / table.file).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        table_schema = frictionless_schema(table, header)
        table_schema["fields"] += EXTRA_FIELDS.get(table.name, [])
        resources.append(release.table_resource(table.name, table.file, table_schema))
    descriptor = {
        "profile": "tabular-data-package",
        "name": DATASET_ID,
        "title": TITLE,
        "description": (
            "Coded positions of Iran, the United States, the other P5+1 members and the agreed "
            "texts (JPOA, Lausanne parameters, JCPOA, UNSCR 2231) on 13 issues of the Iran "
            "nuclear negotiations, May 2012 - August 2015. Every position cites a source and a "
            "verbatim quote of at most 30 words. 0 = the maximal stated P5+1/Western aim, 100 = "
            "Iran's maximal stated aim; quantity issues carry the amount each anchor stands for. "
            "See README.md (codebook)."
        ),
        "version": VERSION,
        "created": "2026-11-30T00:00:00Z",
        "keywords": ["Iran", "JCPOA", "P5+1", "nuclear negotiations", "positions", "codebook"],
        "licenses": release.LICENSES,
        "contributors": release.CONTRIBUTORS,
        "sources": [release.STORED_PAGES_SOURCE],
        "resources": resources,
    }
    release.write_descriptor(OUT, descriptor)


def verification_block(log: pd.DataFrame, positions: pd.DataFrame, leads: pd.DataFrame) -> str:
    pages = log[log["checked_against"] == "pages-corpus"]
    best = pages.groupby("position_id")["found"].agg(lambda s: min(s, key=FOUND_RANK.get))
    counts = best.value_counts()
    excerpts = log[log["checked_against"] == "excerpts-file"]
    dropped = len(leads) - len(positions)
    return "\n".join(
        [
            f"- Leads: {len(leads)}; positions kept: {len(positions)}; dropped: {dropped} "
            f"(breakout_time leads, issue removed: "
            f"{int((leads['issue'].isin(DROPPED_ISSUES)).sum())}; other: "
            + "; ".join(f"lead {k}: {v}" for k, v in DROPPED_LEADS.items())
            + ").",
            f"- Every kept quote was searched in the research excerpts file: found "
            f"{int((excerpts['found'] == 'yes').sum())} of {len(excerpts)}.",
            f"- Checks against stored web pages (pages corpus; round 2 = one search per lead, "
            f"round 3 = "
            "second searches for rows round 2 left unconfirmed): "
            f"{len(pages)} log rows on "
            f"{pages['position_id'].nunique()} positions, {pages['query'].nunique()} distinct "
            "searches (a search whose excerpt showed several leads' quotes is logged for each).",
            "- Kept positions by their best pages result: "
            f"**verbatim {int(counts.get('yes', 0))}**,"
            f" **partial {int(counts.get('partial', 0))}** (same claim in other words, another "
            "translation, or the quote on a different page than cited), **not found "
            f"{int(counts.get('no', 0))}** (status `unverified`, confidence `low`).",
            "- Status: "
            + ", ".join(
                f"{k} {v}" for k, v in positions["status"].value_counts().sort_index().items()
            )
            + ".",
        ]
    )


def write_codebook(tables: dict[str, pd.DataFrame], log: pd.DataFrame, leads: pd.DataFrame) -> None:
    from codebook import counts_block, issues_block

    text = (INPUTS / "codebook_template.md").read_text(encoding="utf-8")
    text = text.replace("{{VERSION}}", VERSION)
    text = text.replace("{{COUNTS}}", counts_block(tables))
    text = text.replace("{{ISSUES}}", issues_block(tables))
    text = text.replace("{{VERIFICATION}}", verification_block(log, tables["positions"], leads))
    quantity = tables["scale_anchors"][tables["scale_anchors"]["amount"] != ""]
    rows = ["| issue | value | amount | unit |", "|---|---:|---:|---|"]
    rows += [
        f"| `{a.issue_id}` | {a.value} | {a.amount} | {a.unit} |" for a in quantity.itertuples()
    ]
    text = text.replace("{{QUANTITIES}}", "\n".join(rows))
    (OUT / "README.md").write_text(text, encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    leads = read_csv(INPUTS / "iran_nuclear_leads.csv")
    checks = read_csv(INPUTS / "pages_checks.csv")
    events_in = read_csv(INPUTS / "events.csv")
    positions, sources, log = build_positions(leads, checks, events_in)
    pos = pd.DataFrame(positions)
    src = pd.DataFrame(sources).sort_values("source_id").reset_index(drop=True)
    used_events = set(pos["event_id"])
    events = events_in[events_in["event_id"].isin(used_events)].drop(columns=["lead_event"])
    events = events.sort_values(["date", "event_id"]).reset_index(drop=True)
    used_actors = set(pos["actor_id"])
    actors = pd.DataFrame(
        [a for a in ACTORS if a[0] in used_actors],
        columns=["actor_id", "name", "role", "color", "description"],
    )
    issues, anchors = issue_tables()
    tables = {
        "actors": actors,
        "issues": issues,
        "scale_anchors": anchors,
        "events": events,
        "sources": src,
        "positions": pos,
    }
    for name, frame in tables.items():
        release.write_table(OUT, frame, f"{name}.csv")
    release.write_table(OUT, pd.DataFrame(log), "verification.csv")
    write_datapackage()
    write_codebook(tables, pd.DataFrame(log), leads)
    release.update_released_ids(OUT, pos, events, src)
    release.record_version_checksum(
        OUT,
        VERSION,
        allow_rewrite="--rewrite-unreleased" in sys.argv,
        script="scripts/build_iran_dataset.py",
    )
    from build_dataset import write_data_readme

    write_data_readme()
    print(
        f"positions={len(pos)} events={len(events)} sources={len(src)} "
        f"anchors={len(anchors)} issues={len(issues)} version={VERSION}"
    )


if __name__ == "__main__":
    main()
