"""Render the dataset codebook (``README.md``) from the tables and a prose template.

The prose (coding rules, caveats, citation) lives in ``codebook_template.md``; every number and
every per-issue section is generated here from the CSV files, so the codebook cannot drift from
the data. Placeholders: ``{{VERSION}}``, ``{{COUNTS}}``, ``{{ISSUES}}``, ``{{VERIFICATION}}``.
"""

from __future__ import annotations

from pathlib import Path

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
    (out / "README.md").write_text(text, encoding="utf-8")
