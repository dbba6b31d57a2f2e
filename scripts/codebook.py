"""Render the dataset codebook (``README.md``) from the tables and a prose template.

The prose (coding rules, caveats, citation) lives in ``codebook_template.md``; every number and
every per-issue section is generated here from the CSV files, so the codebook cannot drift from
the data. Placeholders: ``{{VERSION}}``, ``{{COUNTS}}``, ``{{ISSUES}}``, ``{{VERIFICATION}}``,
``{{BACKING}}``, ``{{METADATA}}``, ``{{AGREEMENT}}``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

STATUS_RANK = {"asserted": 0, "reported": 1, "disputed": 2, "unverified": 3}
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def _fmt(value: str) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def counts_block(tables: dict[str, pd.DataFrame]) -> str:
    pos = tables["positions"]
    lines = [
        f"- {len(pos)} positions, {len(tables['events'])} events, {len(tables['issues'])} issues, "
        f"{len(tables['actors'])} actors, {len(tables['sources'])} sources, "
        f"{len(tables['scale_anchors'])} scale anchors.",
        f"- Dates: {pos['date'].min()} to {pos['date'].max()}.",
        "- Positions by status: "
        + ", ".join(f"{k} {v}" for k, v in pos["status"].value_counts().sort_index().items())
        + ".",
        "- Positions by confidence: "
        + ", ".join(f"{k} {v}" for k, v in pos["confidence"].value_counts().sort_index().items())
        + ".",
        "- Positions by actor: "
        + ", ".join(f"{k} {v}" for k, v in pos["actor_id"].value_counts().sort_index().items())
        + ".",
        "- Sources by type: "
        + ", ".join(
            f"{k} {v}"
            for k, v in tables["sources"]["source_type"].value_counts().sort_index().items()
        )
        + f"; on mirror or proxy sites: {(tables['sources']['is_mirror'] == 'true').sum()}.",
    ]
    return "\n".join(lines)


def example_row(pos: pd.DataFrame, issue_id: str) -> pd.Series | None:
    """A well-sourced row for the issue: asserted before reported, high confidence first."""
    rows = pos[(pos["issue_id"] == issue_id) & (pos["quote"] != "")].copy()
    if rows.empty:
        return None
    rows["s"] = rows["status"].map(STATUS_RANK)
    rows["c"] = rows["confidence"].map(CONFIDENCE_RANK)
    rows = rows.sort_values(["s", "c", "date", "position_id"], ascending=[True, True, False, True])
    return rows.iloc[0]


def issues_block(tables: dict[str, pd.DataFrame]) -> str:
    issues = tables["issues"].sort_values("order", key=lambda s: s.astype(int))
    anchors = tables["scale_anchors"]
    pos = tables["positions"]
    actors = dict(zip(tables["actors"]["actor_id"], tables["actors"]["name"], strict=True))
    parts = []
    for issue in issues.itertuples():
        n = int((pos["issue_id"] == issue.issue_id).sum())
        parts.append(f"### `{issue.issue_id}` — {issue.label}\n")
        parts.append(f"Category: {issue.category}. {issue.description} Positions: {n}.\n")
        parts.append(f"- **0** = {issue.low_label}")
        parts.append(f"- **100** = {issue.high_label}\n")
        parts.append("| value | anchor |\n|---:|---|")
        for a in anchors[anchors["issue_id"] == issue.issue_id].itertuples():
            label = a.label.replace("|", "\\|")
            parts.append(f"| {_fmt(a.value)} | {label} |")
        ex = example_row(pos, issue.issue_id)
        if ex is not None:
            rng = ""
            if ex["value_low"] or ex["value_high"]:
                rng = f" (range {_fmt(ex['value_low'])}–{_fmt(ex['value_high'])})"
            parts.append(
                f"\nExample: `{ex['position_id']}` — {actors[ex['actor_id']]}, {ex['date']}, "
                f"value {_fmt(ex['value'])}{rng}, {ex['status']}, {ex['confidence']} confidence. "
                f"Coder's note: {ex['scale_note']}\n"
            )
            parts.append(f"> {ex['quote']}\n")
        parts.append("")
    return "\n".join(parts)


FOUND_RANK = {"yes": 0, "partial": 1, "no": 2, "not-run": 3}


def verification_block(tables: dict[str, pd.DataFrame], folder: Path) -> str:
    """Totals of the verification log; a position checked several times counts once, by its
    best pages-corpus result (``yes`` before ``partial`` before ``no``)."""
    log = _read(folder, "verification")
    pos = tables["positions"]
    quoted = pos[pos["quote"] != ""]
    pages = log[log["checked_against"] == "pages-corpus"]

    def count(against: str, found: str | None = None) -> int:
        rows = log[log["checked_against"] == against]
        if found:
            rows = rows[rows["found"] == found]
        return rows["position_id"].nunique()

    best = pages.groupby("position_id")["found"].agg(lambda s: min(s, key=FOUND_RANK.get))
    quoted_best = quoted["position_id"].map(best)
    seed_ids = set(log.loc[log["checked_against"] == "seed-file", "position_id"])
    added_ids = set(pages.loc[pages["note"].str.startswith("row added from a page"), "position_id"])
    n_yes = int((quoted_best == "yes").sum())
    n_yes_added = int(((quoted_best == "yes") & quoted["position_id"].isin(added_ids)).sum())
    never_searched = quoted_best.isna()
    only_seed = int((never_searched & quoted["position_id"].isin(seed_ids)).sum())
    only_excerpts = int((never_searched & ~quoted["position_id"].isin(seed_ids)).sum())
    rounds = pages["round"].value_counts().sort_index()
    lines = [
        f"- Positions with a quote: {len(quoted)}; without (status `unverified`): "
        f"{len(pos) - len(quoted)}.",
        f"- Checked against the researcher's excerpts file: {count('excerpts-file')} "
        f"(quote found verbatim: {count('excerpts-file', 'yes')}).",
        f"- Checks against stored web pages (pages corpus): {len(pages)} log rows on "
        f"{pages['position_id'].nunique()} positions ("
        + ", ".join(f"round {r}: {n}" for r, n in rounds.items())
        + ").",
        f"- Quoted positions by their best pages-corpus result: **verbatim on a stored page "
        f"{n_yes}** (of which {n_yes_added} rows were added from the page they quote); "
        f"**partial {int((quoted_best == 'partial').sum())}** (same claim seen in other words "
        f"or another translation, or only part of the quote seen); **not found "
        f"{int((quoted_best == 'no').sum())}**; checked only against the seed article "
        f"{only_seed} (found there: {count('seed-file', 'yes')}); **only in the excerpts file "
        f"(never searched in the pages corpus) {only_excerpts}**.",
    ]
    return "\n".join(lines)


PRIMARY_CLASSES = ("official", "wire", "major_outlet")


def _domain(url: str) -> str:
    return urlparse(url).netloc.removeprefix("www.")


def source_backing(
    positions: pd.DataFrame,
    sources: pd.DataFrame,
    verification: pd.DataFrame,
    publishers: pd.DataFrame,
) -> pd.DataFrame:
    """One row per position: ``cited_class`` (class of the cited source's publisher, from
    ``publishers.csv``'s ``source_class``), ``seen_class`` (best class among pages where the
    verification log found the quote), ``backed`` (either is official, wire or major outlet)
    and ``backed_or_state`` (state broadcasters counted too)."""
    class_of = dict(zip(publishers["domain"], publishers["source_class"], strict=True))
    rank = {c: i for i, c in enumerate(("official", "wire", "major_outlet", "state_media"))}
    url_of = dict(zip(sources["source_id"], sources["url"], strict=True))
    seen = verification[(verification["found"] == "yes") & (verification["matched_url"] != "")]
    seen_classes: dict[str, list[str]] = {}
    for row in seen.itertuples():
        seen_classes.setdefault(row.position_id, []).append(
            class_of.get(_domain(row.matched_url), "other")
        )

    def best(classes: list[str]) -> str:
        ranked = [c for c in classes if c in rank]
        return min(ranked, key=rank.get) if ranked else "other"

    out = positions[["position_id"]].copy()
    out["cited_class"] = [
        class_of.get(_domain(url_of[s]), "other") if url_of[s] else "other"
        for s in positions["source_id"]
    ]
    out["seen_class"] = [best(seen_classes.get(p, [])) for p in positions["position_id"]]
    out["backed"] = out["cited_class"].isin(PRIMARY_CLASSES) | out["seen_class"].isin(
        PRIMARY_CLASSES
    )
    state = (*PRIMARY_CLASSES, "state_media")
    out["backed_or_state"] = out["cited_class"].isin(state) | out["seen_class"].isin(state)
    return out


def backing_block(tables: dict[str, pd.DataFrame], folder: Path, inputs: Path) -> str:
    """The share of positions backed by an official, wire or major-outlet page."""
    backing = source_backing(
        tables["positions"],
        tables["sources"],
        _read(folder, "verification"),
        pd.read_csv(inputs / "publishers.csv", dtype=str, keep_default_na=False),
    )
    n = len(backing)
    cited = backing["cited_class"].value_counts()
    return (
        f"{int(backing['backed'].sum())} of {n} positions "
        f"({backing['backed'].mean():.0%}) are backed by an official, wire or major-outlet "
        f"page (cited, or the page where the verification log found the quote); "
        f"{int(backing['backed_or_state'].sum())} ({backing['backed_or_state'].mean():.0%}) "
        "counting state broadcasters (RT, Sputnik, CGTN, Global Times, TRT World, All India "
        "Radio). Cited sources by class: "
        + ", ".join(
            f"{k} {int(cited.get(k, 0))}" for k in (*PRIMARY_CLASSES, "state_media", "other")
        )
        + "."
    )


def metadata_block(tables: dict[str, pd.DataFrame]) -> str:
    """How many sources have a real title and a publication date, and which lack them."""
    src = tables["sources"]
    no_title = src["title"].str.startswith("n/a") | (src["title"] == "")
    no_date = src["published"] == ""
    both = ~no_title & ~no_date
    lacking = ", ".join(f"`{s}`" for s in src.loc[~both, "source_id"])
    return (
        f"{int(both.sum())} of {len(src)} sources ({both.mean():.0%}) have a real title and a "
        f"publication date; {int(no_title.sum())} lack a title (the headline was not in the "
        f"stored excerpt or page text seen) and {int(no_date.sum())} a date (no date on the "
        f"stored page, in the excerpts file or in the URL). Lacking one or both: {lacking}. "
        "Where each date comes from (`published_basis`): "
        + ", ".join(
            f"{k} {v}"
            for k, v in src.loc[~no_date, "published_basis"].value_counts().sort_index().items()
        )
        + "."
    )


def write_codebook(out: Path, inputs: Path, version: str) -> None:
    tables = {
        name: _read(out, name)
        for name in ("actors", "issues", "scale_anchors", "events", "sources", "positions")
    }
    text = (inputs / "codebook_template.md").read_text(encoding="utf-8")
    text = text.replace("{{VERSION}}", version)
    text = text.replace("{{COUNTS}}", counts_block(tables))
    text = text.replace("{{ISSUES}}", issues_block(tables))
    text = text.replace("{{VERIFICATION}}", verification_block(tables, out))
    text = text.replace("{{BACKING}}", backing_block(tables, out, inputs))
    text = text.replace("{{METADATA}}", metadata_block(tables))
    text = text.replace("{{AGREEMENT}}", agreement_block(tables, out, inputs))
    (out / "README.md").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- second coding

SECOND_CODING_LEVELS = ("interval", "ordinal")
LARGE_DISAGREEMENT = 20  # points: every larger one is listed with its resolution
NOTED_DISAGREEMENT = 10  # points: listed with a note
ANCHOR_RUN = 3  # consecutive words a quote shares with an anchor label to count as "repeating"
_STOPWORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the"}
_STOPWORDS |= {"to", "with", "its", "it", "is", "be", "no", "not", "all", "any"}


def first_codings(folder: Path, inputs: Path) -> dict[str, pd.DataFrame]:
    """The first coding of the second-coded sample, by version label: ``1.3.0`` (this build's
    positions.csv) and ``1.2.0`` (as released, kept in ``second_coding/first_coding_1.2.0.csv``).
    One row per sampled position; columns position_id, issue_id, value (float)."""
    sample = set(_read(folder, "second_coding")["position_id"])
    current = _read(folder, "positions")[["position_id", "issue_id", "value"]]
    released = _read(inputs / "second_coding", "first_coding_1.2.0")
    out = {}
    for label, frame in (("this version", current), ("1.2.0", released)):
        frame = frame[frame["position_id"].isin(sample)][["position_id", "issue_id", "value"]]
        out[label] = frame.assign(value=frame["value"].astype(float)).reset_index(drop=True)
    return out


def agreement_codings(second: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """Long codings for nl.agreement_report: one row per value, columns unit, coder, value,
    issue_id; the first coding's coder is ``dataset``."""
    issue_of = dict(zip(first["position_id"], first["issue_id"], strict=True))
    a = pd.DataFrame({"unit": first["position_id"], "coder": "dataset", "value": first["value"]})
    b = pd.DataFrame(
        {"unit": second["position_id"], "coder": second["coder"], "value": second["value"]}
    )
    long = pd.concat([a, b], ignore_index=True)
    long["value"] = long["value"].astype(float)
    long["issue_id"] = long["unit"].map(issue_of)
    return long


def _repeats_anchor_words(quote: str, labels: list[str]) -> bool:
    words = re.findall(r"[a-z0-9]+", quote.lower())
    runs = {
        tuple(words[i : i + ANCHOR_RUN])
        for i in range(len(words) - ANCHOR_RUN + 1)
        if not set(words[i : i + ANCHOR_RUN]) <= _STOPWORDS
    }
    for label in labels:
        lw = re.findall(r"[a-z0-9]+", label.lower())
        if any(tuple(lw[i : i + ANCHOR_RUN]) in runs for i in range(len(lw) - ANCHOR_RUN + 1)):
            return True
    return False


def _a(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x:.3f}"


def _coded(value, low, high) -> str:
    text = _fmt(str(value))
    if low not in ("", None) and not pd.isna(low) and str(low) != "":
        text += f" [{_fmt(str(low))}–{_fmt(str(high))}]"
    return text


def agreement_block(tables: dict[str, pd.DataFrame], folder: Path, inputs: Path) -> str:
    """The second coding's agreement with the dataset: alpha per issue, their mean and pooled,
    at both levels, against this version and 1.2.0; then every disagreement over
    ``NOTED_DISAGREEMENT`` points with its resolution (``second_coding/resolutions.csv``)."""
    import negotiation_lib as nl

    second = _read(folder, "second_coding")
    firsts = first_codings(folder, inputs)
    reports = {
        (label, level): nl.agreement_report(
            agreement_codings(second, first), level=level, by="issue_id", n_boot=1000, seed=0
        )
        for label, first in firsts.items()
        for level in SECOND_CODING_LEVELS
    }
    issue_label = dict(zip(tables["issues"]["issue_id"], tables["issues"]["label"], strict=True))
    head = "| issue | units |" + "".join(
        f" {level} ({label}) |" for label in firsts for level in SECOND_CODING_LEVELS
    )
    lines = [head, "|---|---:|" + "---:|" * (len(firsts) * len(SECOND_CODING_LEVELS))]
    keys = list(reports)
    base = reports[keys[0]].alphas
    for i, row in base.iterrows():
        issue = row["issue_id"]
        if row["kind"] == "group":
            name = f"`{issue}` ({issue_label.get(issue, issue)})"
        elif row["kind"] == "mean":
            name = "**average of the per-issue alphas**"
        else:
            name = "pooled over all issues (inflated, see below)"
        cells = [_a(reports[k].alphas.loc[i, "alpha"]) for k in keys]
        if row["kind"] == "mean":
            cells = [f"**{c}**" for c in cells]
        lines.append(f"| {name} | {int(row['units'])} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    def ci(label: str, kind: str) -> str:
        a = reports[(label, "interval")].alphas
        r = a[a["kind"] == kind].iloc[0]
        return f"{r['alpha']:.3f} (95% bootstrap interval {r['ci_low']:.3f}–{r['ci_high']:.3f})"

    cur = firsts["this version"].set_index("position_id")["value"]
    old = firsts["1.2.0"].set_index("position_id")["value"]
    sec = second.set_index("position_id")
    sec_value = sec["value"].astype(float)
    pos = tables["positions"].set_index("position_id")
    anchors = tables["scale_anchors"].groupby("issue_id")["label"].apply(list)
    repeating = sum(
        _repeats_anchor_words(pos.loc[p, "quote"], anchors.get(pos.loc[p, "issue_id"], []))
        for p in sec.index
    )
    codings = agreement_codings(second, firsts["this version"])
    pooled_sd = codings["value"].std(ddof=0)
    within_sd = codings.groupby("issue_id")["value"].std(ddof=0).mean()
    n = len(sec)
    summary = (
        f"Against this version: average of the per-issue interval alphas "
        f"{ci('this version', 'mean')}, pooled {ci('this version', 'all')}; the two codings give "
        f"the same value for {int((sec_value == cur.reindex(sec.index)).sum())} of {n} "
        f"positions. Against 1.2.0 (the values the sample was drawn from): average "
        f"{ci('1.2.0', 'mean')}, pooled {ci('1.2.0', 'all')}; the same value for "
        f"{int((sec_value == old.reindex(sec.index)).sum())} of {n}. **The pooled alpha is "
        f"inflated**: the issues' scales differ, so the spread between issues counts as "
        f"variation the coders 'agree' on (standard deviation of all {2 * n} values "
        f"{pooled_sd:.1f} points, mean standard deviation within an issue {within_sd:.1f}), and "
        f"many quotes repeat an anchor's own words ({repeating} of {n} quotes share a run of "
        f"{ANCHOR_RUN} or more words, not all of them function words, with an anchor of their "
        f"issue), which makes matching them easy. With 4 positions per issue, one disagreement "
        f"moves an issue's alpha a long way (e.g. an issue whose four values are close together "
        f"gets a low alpha from a 10-point difference), so read the per-issue values as rough "
        f"and lead with their average."
    )
    resolutions = _read(inputs / "second_coding", "resolutions").set_index("position_id")
    diff = pd.DataFrame(
        {
            "now": (sec_value - cur.reindex(sec.index)).abs(),
            "old": (sec_value - old.reindex(sec.index)).abs(),
        }
    )
    diff["max"] = diff.max(axis=1)
    old_rows = _read(inputs / "second_coding", "first_coding_1.2.0").set_index("position_id")
    blocks = []
    for low, high, title in (
        (LARGE_DISAGREEMENT, 101, f"Disagreements over {LARGE_DISAGREEMENT} points"),
        (
            NOTED_DISAGREEMENT,
            LARGE_DISAGREEMENT,
            f"Disagreements of {NOTED_DISAGREEMENT}–{LARGE_DISAGREEMENT} points",
        ),
    ):
        chosen = diff[
            (diff["max"] > low)
            if low == LARGE_DISAGREEMENT
            else (diff["max"] >= low) & (diff["max"] <= high)
        ]
        rows = [
            "| position | issue, actor, date | 1.2.0 | this version | second coding | resolution |",
            "|---|---|---:|---:|---:|---|",
        ]
        missing = [p for p in chosen.index if p not in resolutions.index]
        if missing:
            raise SystemExit(
                f"second_coding/resolutions.csv: no resolution for {missing} (every "
                f"disagreement of {NOTED_DISAGREEMENT} points or more needs one)"
            )
        for p in sorted(chosen.index):
            r, o, s = pos.loc[p], old_rows.loc[p], sec.loc[p]
            res = resolutions.loc[p]
            rows.append(
                f"| `{p}` | `{r['issue_id']}`, {r['actor_id']}, {r['date']} | "
                f"{_coded(o['value'], o['value_low'], o['value_high'])} | "
                f"{_coded(r['value'], r['value_low'], r['value_high'])} | "
                f"{_coded(s['value'], s['value_low'], s['value_high'])} | "
                f"**{res['resolution']}**: {res['note']} |"
            )
        body = "\n".join(rows) if len(chosen) else "None."
        blocks.append(f"**{title}** (against this version or 1.2.0): {len(chosen)}.\n\n{body}")
    return "\n\n".join([table, summary, *blocks])
