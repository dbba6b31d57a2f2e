"""The bundled datasets: contract, provenance, id stability, no drift.

Checks that hold for every bundled dataset are parametrized over ``DATASETS`` (fixtures
``folder``, ``t``, ``descriptor``); dataset-specific checks use ``ru_t`` / ``iran_t``.

These tests read the committed CSV files directly (csv module, no library code) so that a
library bug cannot hide a data problem, and then check that the library loads the same data.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
DATASET_ID = "ru-ua-2022-2026"
FOLDER = DATA / DATASET_ID
TABLES = ("actors", "issues", "scale_anchors", "events", "sources", "positions")
MAX_QUOTE_WORDS = 60
SEED_EVENT = "2025-06-02-istanbul-2"
SEED_SOURCE = "src_seed_scoophub_2025_06_02"
IRAN_ID = "iran-nuclear-2013-2015"
DATASETS = (DATASET_ID, IRAN_ID)


def read(name: str, folder: Path = FOLDER) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module", params=DATASETS)
def folder(request) -> Path:
    return DATA / request.param


@pytest.fixture(scope="module")
def t(folder) -> dict[str, list[dict[str, str]]]:
    return {name: read(name, folder) for name in TABLES}


@pytest.fixture(scope="module")
def ru_t() -> dict[str, list[dict[str, str]]]:
    return {name: read(name) for name in TABLES}


@pytest.fixture(scope="module")
def iran_t() -> dict[str, list[dict[str, str]]]:
    return {name: read(name, DATA / IRAN_ID) for name in TABLES}


@pytest.fixture(scope="module")
def descriptor(folder) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def by_id(rows, key):
    return {r[key]: r for r in rows}


# --------------------------------------------------------------- package and library


def test_frictionless_validate_passes(folder):
    from frictionless import validate

    report = validate(str(folder / "datapackage.json"))
    errors = [err.message for task in report.tasks for err in task.errors] + [
        err.message for err in report.errors
    ]
    assert report.valid, errors[:10]


def test_every_table_is_a_resource_with_keys(descriptor):
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(TABLES) <= set(resources)
    assert resources["positions"]["schema"]["primaryKey"] == ["position_id"]
    assert resources["scale_anchors"]["schema"]["primaryKey"] == ["issue_id", "value"]
    fks = {
        fk["fields"][0]: fk["reference"]["resource"]
        for fk in resources["positions"]["schema"]["foreignKeys"]
    }
    assert fks == {
        "event_id": "events",
        "actor_id": "actors",
        "issue_id": "issues",
        "source_id": "sources",
    }


def test_library_loads_the_same_rows(t, descriptor):
    nl = pytest.importorskip("negotiation_lib", reason="library not importable")
    if not hasattr(nl, "load"):
        pytest.skip("negotiation_lib.load not written yet")
    neg = nl.load(descriptor["name"])
    assert neg.meta["version"] == descriptor["version"]
    for name in TABLES:
        assert len(getattr(neg, name)) == len(t[name]), name
    assert list(neg.positions["position_id"]) == [r["position_id"] for r in t["positions"]]
    problems = nl.validate(descriptor["name"])
    assert problems.empty, problems.to_string()


def test_bundled_dataset_is_listed_with_its_version(t, descriptor):
    nl = pytest.importorskip("negotiation_lib", reason="library not importable")
    listed = nl.list_datasets()
    row = listed[listed["id"] == descriptor["name"]]
    assert len(row) == 1
    assert row["version"].iloc[0] == descriptor["version"]


# --------------------------------------------------------------- scope of the dataset


def test_actors_roles_and_colours(ru_t):
    t = ru_t
    actors = by_id(t["actors"], "actor_id")
    assert {"RU", "UA", "US", "EU", "CN", "TR"} <= set(actors)
    assert actors["RU"]["role"] == "party"
    assert actors["UA"]["role"] == "party"
    joint = {a for a, r in actors.items() if r["role"] == "joint"}
    assert {"RU_UA_draft", "RU_UA_agreed", "UA_EU", "UA_SUMMIT"} <= joint
    colours = [r["color"] for r in t["actors"]]
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in colours)
    assert len(set(colours)) == len(colours), "every actor needs its own colour"


def test_minimum_sizes(ru_t):
    t = ru_t
    assert len(t["issues"]) >= 15
    assert len(t["events"]) >= 40
    assert len(t["positions"]) >= 150


def test_every_issue_has_three_anchors_including_both_ends(t):
    anchors: dict[str, set[float]] = {}
    for row in t["scale_anchors"]:
        anchors.setdefault(row["issue_id"], set()).add(float(row["value"]))
    for issue in t["issues"]:
        values = anchors.get(issue["issue_id"], set())
        assert len(values) >= 3, issue["issue_id"]
        assert 0.0 in values, issue["issue_id"]
        assert 100.0 in values, issue["issue_id"]
        assert issue["low_label"].strip()
        assert issue["high_label"].strip()


def test_every_event_has_a_position(t):
    used = {p["event_id"] for p in t["positions"]}
    orphans = [e["event_id"] for e in t["events"] if e["event_id"] not in used]
    assert not orphans


def test_values_and_ranges_are_consistent(t):
    for p in t["positions"]:
        value = float(p["value"])
        assert 0 <= value <= 100, p["position_id"]
        low = float(p["value_low"]) if p["value_low"] else value
        high = float(p["value_high"]) if p["value_high"] else value
        assert low <= value <= high, p["position_id"]
        if p["unit"]:
            assert p["amount"], p["position_id"]


# --------------------------------------------------------------- provenance


def test_every_position_has_a_known_source(t):
    sources = by_id(t["sources"], "source_id")
    assert all(p["source_id"] in sources for p in t["positions"])


def test_quotes_present_unless_unverified_and_short(t):
    for p in t["positions"]:
        if p["status"] != "unverified":
            assert p["quote"].strip(), p["position_id"]
        assert len(p["quote"].split()) <= MAX_QUOTE_WORDS, p["position_id"]


def test_sources_have_url_unless_bundled(t):
    for s in t["sources"]:
        assert s["url"] or s["bundled_document"], s["source_id"]
        if s["url"]:
            assert urlparse(s["url"]).scheme in ("http", "https"), s["source_id"]


def test_position_not_dated_after_its_source(t):
    """Catches swapped day and month: a statement cannot postdate the page reporting it."""
    sources = by_id(t["sources"], "source_id")
    late = []
    for p in t["positions"]:
        published = sources[p["source_id"]]["published"]
        if published and date.fromisoformat(p["date"]) > date.fromisoformat(published):
            late.append((p["position_id"], p["date"], published))
    assert not late


def test_drafts_are_sourced_as_leaks(t):
    """Positions coded to leaked drafts cite sources typed ``leak`` (caveat in the codebook)."""
    events = by_id(t["events"], "event_id")
    sources = by_id(t["sources"], "source_id")
    for p in t["positions"]:
        if events[p["event_id"]]["kind"] == "draft":
            assert sources[p["source_id"]]["source_type"] == "leak", p["position_id"]


def test_mirror_pages_are_flagged(t):
    for s in t["sources"]:
        if "news-pravda.com" in urlparse(s["url"]).netloc:
            assert s["is_mirror"] == "true", s["source_id"]
            assert "mirror" in s["publisher"], s["source_id"]


def test_every_quote_was_seen_somewhere(t, folder):
    """Each kept quote has at least one check that found it (excerpts, pages or seed file)."""
    log: dict[str, list[dict[str, str]]] = {}
    for row in read("verification", folder):
        log.setdefault(row["position_id"], []).append(row)
    for p in t["positions"]:
        checks = log.get(p["position_id"], [])
        assert checks, f"{p['position_id']} has no verification entry"
        if p["quote"]:
            assert any(c["found"] == "yes" for c in checks), p["position_id"]


def test_verification_log_is_well_formed(t, folder):
    ids = {p["position_id"] for p in t["positions"]}
    for row in read("verification", folder):
        assert row["position_id"] in ids
        assert row["checked_against"] in {"excerpts-file", "pages-corpus", "seed-file"}
        assert row["found"] in {"yes", "no", "partial", "not-run"}
        if row["checked_against"] == "pages-corpus" and row["found"] in {"yes", "partial"}:
            assert row["matched_url"].startswith("http"), row


def test_quotes_not_found_in_stored_pages_are_at_most_medium(t, folder):
    """A quote that every pages-corpus search missed rests on the excerpts file alone."""
    pages: dict[str, set[str]] = {}
    for row in read("verification", folder):
        if row["checked_against"] == "pages-corpus":
            pages.setdefault(row["position_id"], set()).add(row["found"])
    for p in t["positions"]:
        found = pages.get(p["position_id"])
        if p["quote"] and found and found <= {"no"}:
            assert p["confidence"] in {"medium", "low"}, p["position_id"]


def test_verification_rounds_are_recorded(folder):
    rounds = {row["round"] for row in read("verification", folder)}
    assert rounds, "verification.csv is empty"
    assert all(r.isdigit() and int(r) >= 1 for r in rounds), rounds


def test_low_confidence_for_unverified_rows(t):
    for p in t["positions"]:
        if p["status"] == "unverified" or p["lead_grade"] == "yes-lowconf":
            assert p["confidence"] == "low", p["position_id"]


def test_no_row_cites_the_seed_article_outside_the_seed_round(ru_t):
    t = ru_t
    """The seed article reports the 2 June 2025 round only; a row must cite a page holding it."""
    for p in t["positions"]:
        if p["source_id"] == SEED_SOURCE:
            assert p["event_id"] == SEED_EVENT, p["position_id"]


def test_seed_article_is_cited_as_its_stored_public_page(ru_t):
    t = ru_t
    seed = by_id(t["sources"], "source_id")[SEED_SOURCE]
    assert urlparse(seed["url"]).scheme == "https"
    assert seed["published"] == "2025-06-03"
    assert not seed["title"].startswith("n/a")


# --------------------------------------------------------------- coding consistency


def bundled_dataset_ids() -> list[str]:
    return sorted(
        pkg.parent.name for pkg in DATA.glob("*/datapackage.json") if pkg.parent.name != "templates"
    )


@pytest.mark.parametrize("dataset_id", bundled_dataset_ids())
def test_bundled_dataset_codes_the_same_content_the_same_way(dataset_id):
    """Every finding of the consistency check is explained in a row's scale_note."""
    nl = pytest.importorskip("negotiation_lib", reason="library not importable")
    findings = nl.check_coding_consistency(nl.load(dataset_id))
    unexplained = findings[~findings["explained"].astype(bool)]
    assert unexplained.empty, unexplained.to_string()


def range_anchors(t) -> list[tuple[str, float, float, float]]:
    """(issue_id, low, high, anchor value) for each anchor whose label gives a range."""
    out = []
    for a in t["scale_anchors"]:
        m = re.match(r"Range (\d+)[–-](\d+):", a["label"])
        if m:
            out.append((a["issue_id"], float(m[1]), float(m[2]), float(a["value"])))
    return out


def test_values_inside_a_range_anchor_sit_at_the_anchor(t):
    """Coding rule 3: a position coded to a range anchor (its range is the anchor's) carries
    the anchor's value."""
    off = []
    for p in t["positions"]:
        if not p["value_low"]:
            continue
        for issue, low, high, value in range_anchors(t):
            same_range = (float(p["value_low"]), float(p["value_high"])) == (low, high)
            if p["issue_id"] == issue and same_range and float(p["value"]) != value:
                off.append((p["position_id"], p["value"], value))
    assert not off


def test_body_exchange_of_2_june_2025_is_disputed(ru_t):
    t = ru_t
    """'6,000 per side / 12,000 in all' is one side's account; Russia describes a one-sided
    handover of 6,000 bodies."""
    agreed = [
        p
        for p in t["positions"]
        if p["event_id"] == SEED_EVENT
        and p["actor_id"] == "RU_UA_agreed"
        and p["unit"].startswith("bodies")
    ]
    assert len(agreed) >= 3
    assert all(p["status"] == "disputed" for p in agreed)
    for p in agreed:
        if "per side" in p["unit"]:
            assert "6,000 for 6,000" in p["quote"] or "per side" in p["quote"], p["position_id"]


# --------------------------------------------------------------- the seed round


def test_seed_round_covers_the_memorandum_the_roadmap_and_what_was_agreed(ru_t):
    t = ru_t
    seed = [p for p in t["positions"] if p["event_id"] == SEED_EVENT]
    russia = {p["issue_id"] for p in seed if p["actor_id"] == "RU"}
    assert {
        "territory_crimea",
        "territory_donbas",
        "territory_south",
        "nato_neutrality",
        "military_limits",
        "language_culture_church",
        "denazification_claims",
        "sanctions",
        "reparations_and_frozen_assets",
        "elections_and_martial_law",
        "ceasefire_terms",
        "foreign_military_aid",
    } <= russia
    ukraine = {p["issue_id"] for p in seed if p["actor_id"] == "UA"}
    assert {
        "ceasefire_terms",
        "nato_neutrality",
        "military_limits",
        "territory_crimea",
        "sanctions",
        "reparations_and_frozen_assets",
        "children_return",
    } <= ukraine
    agreed = [p for p in seed if p["actor_id"] == "RU_UA_agreed"]
    assert any(p["issue_id"] == "prisoners_and_bodies" for p in agreed)
    assert any(p["source_id"] == SEED_SOURCE for p in seed)


def test_conflicting_children_counts_are_kept_apart(ru_t):
    t = ru_t
    seed = [
        p
        for p in t["positions"]
        if p["event_id"] == SEED_EVENT and p["issue_id"] == "children_return"
    ]
    counts = {(p["actor_id"], p["amount"]) for p in seed if p["unit"] == "names"}
    assert ("RU", "339") in counts
    assert ("UA", "400") in counts
    assert all(p["status"] == "disputed" for p in seed if p["unit"] == "names")


# --------------------------------------------------------------- stability and drift


def test_committed_tables_are_what_the_inputs_build(script_module):
    """Every value goes through scripts/ru_ua_inputs/: rebuilding in memory gives the
    committed tables (a hand edit of a CSV in data/ fails here)."""
    build = script_module("build_dataset")
    inputs = build.load_inputs()
    data = build.process(inputs)
    if not inputs.seed_text:  # the seed article lives in ../shared/ beside the checkout
        data.verification = data.verification[data.verification["checked_against"] != "seed-file"]
    for name, frame in [
        ("positions", data.positions),
        ("events", data.events),
        ("sources", data.sources),
        ("scale_anchors", data.anchors),
        ("verification", data.verification),
    ]:
        expected = (FOLDER / f"{name}.csv").read_text(encoding="utf-8")
        if name == "verification" and not inputs.seed_text:
            expected = "".join(
                line for line in expected.splitlines(keepends=True) if ",seed-file," not in line
            )
        built = frame.to_csv(index=False, lineterminator="\n")
        assert built == expected, f"{name}.csv differs from what scripts/build_dataset.py builds"


def test_released_ids_never_disappear(t, folder):
    current = {f"positions:{p['position_id']}" for p in t["positions"]}
    current |= {f"events:{e['event_id']}" for e in t["events"]}
    current |= {f"sources:{s['source_id']}" for s in t["sources"]}
    lines = (folder / "released_ids.txt").read_text(encoding="utf-8").splitlines()
    released = [ln for ln in lines if ln and not ln.startswith("#")]
    assert released, "released_ids.txt is empty"
    missing = [i for i in released if i not in current]
    assert not missing, f"released ids gone: {missing[:10]}"


def test_version_matches_recorded_checksum(descriptor, folder):
    """A value changed without a version bump fails here (see versions.json)."""
    versions = json.loads((folder / "versions.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for name in TABLES:
        digest.update(name.encode())
        digest.update((folder / f"{name}.csv").read_bytes())
    assert re.fullmatch(r"\d+\.\d+\.\d+", descriptor["version"])
    assert versions.get(descriptor["version"]) == digest.hexdigest(), (
        "tables differ from the checksum recorded for this version: bump the version"
    )


def test_data_readme_line_matches_the_package(t, descriptor):
    text = (DATA / "README.md").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.startswith(f"- `{descriptor['name']}`")]
    assert len(lines) == 1
    line = lines[0]
    assert f"version {descriptor['version']}" in line
    assert f"{len(t['positions'])} positions" in line
    assert f"{len(t['events'])} events" in line
    assert f"{len(t['sources'])} sources" in line
    assert descriptor["title"] in line


def test_every_bundled_dataset_has_a_readme_line():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for pkg in DATA.glob("*/datapackage.json"):
        if pkg.parent.name == "templates":
            continue
        assert f"- `{pkg.parent.name}`" in text


def test_codebook_documents_every_issue_and_the_version(t, descriptor, folder):
    codebook = (folder / "README.md").read_text(encoding="utf-8")
    assert descriptor["version"] in codebook
    positions = {p["position_id"] for p in t["positions"]}
    for issue in t["issues"]:
        section = codebook.split(f"`{issue['issue_id']}`", 1)
        assert len(section) == 2, issue["issue_id"]
    examples = set(re.findall(r"\bp\d{4}\b", codebook))
    assert examples
    assert examples <= positions
    assert "CC-BY-4.0" in codebook


# --------------------------------------------------------------- blind second coding

SECOND_INPUTS = REPO / "scripts" / "ru_ua_inputs" / "second_coding"


def test_second_coding_is_a_documented_table_of_known_positions(ru_t):
    t = ru_t
    descriptor = json.loads((FOLDER / "datapackage.json").read_text(encoding="utf-8"))
    rows = read("second_coding")
    assert len(rows) >= 60
    positions = by_id(t["positions"], "position_id")
    unknown = [r["position_id"] for r in rows if r["position_id"] not in positions]
    assert not unknown, f"second_coding.csv names positions that do not exist: {unknown}"
    assert len({(r["position_id"], r["coder"]) for r in rows}) == len(rows)
    issues = {positions[r["position_id"]]["issue_id"] for r in rows}
    assert issues == {i["issue_id"] for i in t["issues"]}, "stratified: every issue is sampled"
    for r in rows:
        low = float(r["value_low"] or r["value"])
        high = float(r["value_high"] or r["value"])
        assert 0 <= low <= float(r["value"]) <= high <= 100, r["position_id"]
    resource = {res["name"]: res for res in descriptor["resources"]}["second_coding"]
    assert resource["path"] == "second_coding.csv"
    assert resource["schema"]["foreignKeys"][0]["reference"] == {
        "resource": "positions",
        "fields": ["position_id"],
    }
    assert [f["name"] for f in resource["schema"]["fields"]] == list(rows[0])


def _published_alphas() -> tuple[list[str], dict[str, list[float]]]:
    """The codebook's alpha table: its column headers and, per row label, the four alphas."""
    codebook = (FOLDER / "README.md").read_text(encoding="utf-8")
    section = codebook.split("## Reliability", 1)[1]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")][2:]
    rows = {}
    for ln in lines[1:]:
        cells = [c.strip().strip("*") for c in ln.strip("|").split("|")]
        if cells[0] == "position":  # the disagreement tables follow
            break
        key = cells[0].split("`")[1] if cells[0].startswith("`") else cells[0]
        rows[key] = [float(c) for c in cells[2:]]
    return header, rows


def test_published_alphas_equal_a_recomputation(ru_t):
    t = ru_t
    nl = pytest.importorskip("negotiation_lib")
    pd = pytest.importorskip("pandas")
    second = pd.DataFrame(read("second_coding"))
    issue_of = {p["position_id"]: p["issue_id"] for p in t["positions"]}
    with open(SECOND_INPUTS / "first_coding_1.2.0.csv", encoding="utf-8", newline="") as fh:
        released = {r["position_id"]: r["value"] for r in csv.DictReader(fh)}
    firsts = {
        "this version": {p["position_id"]: p["value"] for p in t["positions"]},
        "1.2.0": released,
    }
    header, published = _published_alphas()
    assert len(published) == len(t["issues"]) + 2
    for column, heading in enumerate(header):
        level, label = re.fullmatch(r"(\w+) \((.+)\)", heading).groups()
        first = firsts[label]
        long = pd.DataFrame(
            [(u, "dataset", float(first[u])) for u in second["position_id"]]
            + [(r.position_id, r.coder, float(r.value)) for r in second.itertuples()],
            columns=["unit", "coder", "value"],
        )
        long["issue_id"] = long["unit"].map(issue_of)
        per_issue = {
            issue: nl.krippendorff_alpha(part[["unit", "coder", "value"]], level=level)
            for issue, part in long.groupby("issue_id")
        }
        for issue, alpha in per_issue.items():
            assert published[issue][column] == round(alpha, 3), (issue, heading)
        average = sum(per_issue.values()) / len(per_issue)
        pooled = nl.krippendorff_alpha(long[["unit", "coder", "value"]], level=level)
        averages = [v for k, v in published.items() if k.startswith("average")]
        pooled_rows = [v for k, v in published.items() if k.startswith("pooled")]
        assert averages[0][column] == round(average, 3), heading
        assert pooled_rows[0][column] == round(pooled, 3), heading


def test_second_coding_input_is_what_the_build_publishes(script_module):
    build = script_module("build_dataset")
    data = build.process(build.load_inputs())
    expected = (FOLDER / "second_coding.csv").read_text(encoding="utf-8")
    assert data.second_coding.to_csv(index=False, lineterminator="\n") == expected


# --------------------------------------------------------------- the Iran nuclear dataset


def test_iran_sizes_and_anchored_issues(iran_t):
    assert len(iran_t["positions"]) >= 120
    anchors: dict[str, set[float]] = {}
    for row in iran_t["scale_anchors"]:
        anchors.setdefault(row["issue_id"], set()).add(float(row["value"]))
    anchored = [i for i, v in anchors.items() if {0.0, 100.0} <= v and len(v) >= 3]
    assert len(anchored) >= 10
    assert "breakout_time" not in anchors, "breakout time is derived, not an issue (codebook)"


def test_iran_agreed_texts_are_joint_agreements_covering_what_they_settle(iran_t):
    actors = by_id(iran_t["actors"], "actor_id")
    texts = {"JPOA", "LAUSANNE", "JCPOA", "UNSCR2231"}
    assert {a for a, r in actors.items() if r["role"] == "joint"} == texts
    for p in iran_t["positions"]:
        if p["actor_id"] in texts:
            assert p["stance"] == "agreement", p["position_id"]
    settled = {
        p["issue_id"] for p in iran_t["positions"] if p["actor_id"] in {"JCPOA", "UNSCR2231"}
    }
    assert settled == {i["issue_id"] for i in iran_t["issues"]}
    jcpoa = {p["issue_id"] for p in iran_t["positions"] if p["actor_id"] == "JCPOA"}
    assert len(jcpoa) >= 10
    assert {"arms_embargo", "ballistic_missiles"} <= settled - jcpoa  # settled in UNSCR 2231


def test_iran_and_us_are_coded_on_every_issue_at_several_moments(iran_t):
    for issue in iran_t["issues"]:
        for actor in ("IR", "US"):
            dates = {
                p["date"]
                for p in iran_t["positions"]
                if p["issue_id"] == issue["issue_id"] and p["actor_id"] == actor
            }
            assert len(dates) >= 2, (issue["issue_id"], actor)


def test_iran_differing_lausanne_readings_are_disputed(iran_t):
    readings = [p for p in iran_t["positions"] if "reading of the Lausanne" in p["scale_note"]]
    disputed = [p for p in readings if p["status"] == "disputed"]
    assert {p["actor_id"] for p in disputed} == {"IR", "US"}
    for p in disputed:
        assert "DISPUTED" in p["scale_note"], p["position_id"]


def test_iran_quantities_follow_the_anchors(iran_t):
    """The contract's rule for quantities, recomputed from the CSV files."""
    curves: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for a in iran_t["scale_anchors"]:
        if a["amount"]:
            curves.setdefault((a["issue_id"], a["unit"]), []).append(
                (float(a["amount"]), float(a["value"]))
            )
    checked = 0
    for p in iran_t["positions"]:
        curve = sorted(curves.get((p["issue_id"], p["unit"]), []))
        if not p["amount"] or not curve:
            continue
        x = float(p["amount"])
        xs, vs = [c[0] for c in curve], [c[1] for c in curve]
        if x <= xs[0]:
            expected = vs[0]
        elif x >= xs[-1]:
            expected = vs[-1]
        else:
            k = next(i for i in range(1, len(xs)) if x <= xs[i])
            expected = vs[k - 1] + (vs[k] - vs[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1])
        value = float(p["value"])
        low = float(p["value_low"] or value)
        high = float(p["value_high"] or value)
        assert abs(value - expected) <= 0.05 or low <= expected <= high, p["position_id"]
        checked += 1
    assert checked >= 30


def test_iran_coding_review_is_applied(iran_t):
    """Each row of the committed coding review reaches positions.csv: its value and range
    where it gives them, and its note in the row's scale_note."""
    review_path = DATA.parent / "scripts" / "iran_inputs" / "coding_review.csv"
    with review_path.open(encoding="utf-8", newline="") as handle:
        review = list(csv.DictReader(handle))
    assert review
    positions = by_id(iran_t["positions"], "position_id")
    for r in review:
        p = positions[r["position_id"]]
        assert r["note"] in p["scale_note"], r["position_id"]
        if r["value"]:
            got = (float(p["value"]), float(p["value_low"]), float(p["value_high"]))
            want = (float(r["value"]), float(r["value_low"]), float(r["value_high"]))
            assert got == want, r["position_id"]
