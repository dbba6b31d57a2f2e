"""The whole analysis of any valid dataset, as sections and as a static, offline HTML report.

``analysis = prepare(nl.load(source))`` decides what the analysis covers (the parties, the main
pair, the issues, the other actors); each section function (:data:`SECTIONS`) returns a
:class:`Section`: a title and blocks (text, a table, a figure, or a message saying what cannot be
shown and why). Notebook 09 displays these sections with :func:`show`; :func:`build_report` writes
them as pages. Neither computes anything the other does not.

The pages work from file:// with no network: figures are JSON in
``<script type="application/json">`` (``<``, ``>`` and ``&`` escaped, see :func:`script_json`)
drawn by one shared ``plotly.min.js`` copied from the installed plotly package
(:func:`copy_plotly_js`); every text from the data is HTML-escaped. ``scripts/build_report.py``
(the notebooks as pages) uses the same header, figure embedding and renderer.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import evidence as ev
from . import ids, schema, text
from .gaps import compute_conflicts, compute_gaps, compute_overall_gap
from .load import Negotiation, load
from .summaries import (
    describe_overall_gap,
    evidence_profile,
    gap_extremes,
    movement_summary,
    summarize,
)

__all__ = [
    "PLOTLY_JS",
    "RENDER_SCRIPT",
    "SECTIONS",
    "Analysis",
    "Block",
    "Section",
    "build_report",
    "copy_plotly_js",
    "coverage_gaps",
    "data_quality",
    "evidence",
    "figure_json",
    "gaps_between_parties",
    "header_html",
    "movement_and_third_parties",
    "overview",
    "page_html",
    "party_roles",
    "positions_per_issue",
    "prepare",
    "script_json",
    "show",
]

PLOTLY_JS = "plotly.min.js"

#: At most this many issue charts and this many actors in one chart; the rest is listed.
MAX_ISSUE_CHARTS = 12
MAX_CHART_ACTORS = 12
#: At most this many actors in the snapshot and movement charts (the main pair among them).
MAX_COMPARED_ACTORS = 6
#: Rows shown in one table of a page (the caption says how many there are).
MAX_TABLE_ROWS = 300

#: Draws every figure embedded as ``<script type="application/json" class="report-plotly-figure">``.
RENDER_SCRIPT = """<script id="report-render-figures">
(function () {
  var holders = document.querySelectorAll("script.report-plotly-figure");
  holders.forEach(function (holder) {
    var figure = JSON.parse(holder.textContent);
    var target = document.createElement("div");
    holder.parentNode.insertBefore(target, holder);
    var config = Object.assign({responsive: true}, figure.config || {});
    Plotly.newPlot(target, figure.data || [], figure.layout || {}, config);
  });
})();
</script>"""


# --- shared HTML pieces (also used by scripts/build_report.py) ------------------------------


def _escape_script_text(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def script_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: no `</script>`, `<!--` or entity in it."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _escape_script_text(text)


def figure_json(fig) -> str:
    """A plotly Figure as :func:`script_json` text (plotly's own encoder, no re-validation)."""
    import plotly.io as pio

    return _escape_script_text(pio.to_json(fig, validate=False, pretty=False))


def copy_plotly_js(out: Path) -> Path:
    """Copy the installed plotly package's ``plotly.min.js`` into ``out``; return its path."""
    import plotly

    target = Path(out) / PLOTLY_JS
    shutil.copyfile(Path(plotly.__file__).parent / "package_data" / PLOTLY_JS, target)
    return target


def header_html(
    *,
    dataset_id: object,
    version: object,
    build_date: str,
    title: object = None,
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """The escaped page header: links, the dataset's title, id and version, and the build date."""
    nav = "".join(
        f'<a class="report-nav" href="{html.escape(href)}">{html.escape(text)}</a>'
        for href, text in links
    )
    heading = (
        f'<span class="report-dataset-title">{html.escape(str(title))}</span> · '
        if title not in (None, "")
        else ""
    )
    return (
        f'<header class="report-header">{nav}{heading}'
        f'Dataset <span class="report-dataset-id">{html.escape(str(dataset_id or ""))}</span>\n'
        f'version <span class="report-dataset-version">{html.escape(str(version or ""))}</span>\n'
        f'· built <span class="report-build-date">{html.escape(build_date)}</span>\n'
        "</header>"
    )


# --- what the analysis covers ---------------------------------------------------------------


def party_roles(neg: Negotiation) -> tuple[list[str], tuple[str, str] | None]:
    """The parties (:func:`negotiation_lib.ids.parties`) and the main pair
    (:func:`negotiation_lib.ids.default_pair`; ``None`` for a dataset with fewer than two
    actors)."""
    if neg.actors.empty:
        return [], None
    pair = ids.default_pair(neg)
    return ids.parties(neg), (pair if pair[0] != pair[1] else None)


@dataclass
class Analysis:
    """What the analysis covers: ``neg``, the ``parties`` (actor ids), the main ``pair``
    (``None`` without two actors), the ``others`` (every non-party actor), the ``issues``
    (issue ids, display order) and the first and last position dates (``None`` when empty)."""

    neg: Negotiation
    parties: list[str]
    pair: tuple[str, str] | None
    others: list[str]
    issues: list[str]
    first: pd.Timestamp | None
    last: pd.Timestamp | None

    def actor(self, actor_id: str) -> str:
        return self.neg.actor_name(actor_id)

    def issue(self, issue_id: str) -> str:
        return self.neg.issue_label(issue_id)

    @property
    def issue_filter(self) -> list[str] | None:
        """The issues to pass to the library, ``None`` when all issues are analysed."""
        return None if len(self.issues) == len(self.neg.issues) else self.issues


def prepare(
    source: Negotiation | str | Path,
    *,
    main_pair: Sequence[str] | None = None,
    issues: Iterable[str] | None = None,
) -> Analysis:
    """The :class:`Analysis` of a dataset (a Negotiation, a folder or a dataset id).

    ``main_pair`` (two actor ids) and ``issues`` (issue ids) default to the data
    (:func:`party_roles`, every issue in display order). An unknown id raises
    :class:`~negotiation_lib.ids.UnknownIdError` (a ``KeyError`` and a ``ValueError``) naming
    the known ones; a ``main_pair`` that is not two different actors raises ``ValueError``.
    """

    neg = source if isinstance(source, Negotiation) else load(source)
    known_actors = ids.actor_order(neg)
    parties, pair = party_roles(neg)
    if main_pair is not None:
        pair = ids.pair_or_default(neg, main_pair)
        if pair[0] == pair[1]:
            raise ValueError(f"main_pair must be two different actor ids; got {list(pair)}")
        parties = [*pair, *[p for p in parties if p not in pair]]
    ordered = ids.issue_order(neg)
    if issues is not None:
        chosen = ids.check_issues(neg, issues, given_as="issues")
        ordered = [i for i in ordered if i in chosen]
    dates = neg.positions["date"]
    return Analysis(
        neg=neg,
        parties=parties,
        pair=pair,
        others=[a for a in known_actors if a not in parties],
        issues=ordered,
        first=dates.min() if len(dates) else None,
        last=dates.max() if len(dates) else None,
    )


# --- sections -------------------------------------------------------------------------------


@dataclass
class Block:
    """One piece of a section: ``kind`` is ``"heading"``, ``"text"``, ``"message"`` (what
    cannot be shown and why), ``"table"`` (a DataFrame) or ``"figure"`` (a plotly Figure)."""

    kind: str
    content: Any
    caption: str = ""


@dataclass
class Section:
    """A titled part of the analysis (one report page): its blocks, and the figure calls that
    raised (``crashes``: ``"call: error"``), each shown as a message in place of its chart."""

    slug: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(Block("heading", text))

    def text(self, text: str) -> None:
        self.blocks.append(Block("text", text))

    def message(self, text: str) -> None:
        self.blocks.append(Block("message", text))

    def table(self, frame: pd.DataFrame, caption: str = "") -> None:
        self.blocks.append(Block("table", frame, caption))

    def figure(self, name: str, make: Callable[[], Any]) -> None:
        """Add the figure ``make()`` returns; a figure that only carries a message, or a call
        that raises, becomes a message block (the crash is recorded in ``crashes``)."""
        from .figures import figure_message

        try:
            fig = make()
        except Exception as error:  # a chart must never stop the analysis
            self.crashes.append(f"{name}: {type(error).__name__}: {error}")
            self.message(f"This chart could not be drawn ({name}: {type(error).__name__}).")
            return
        note = figure_message(fig)
        if note and not fig.data:
            self.message(note)
        else:
            self.blocks.append(Block("figure", fig, name))


def _names(analysis: Analysis, ids: Iterable[str]) -> str:
    return ", ".join(analysis.actor(a) for a in ids)


def _positions(analysis: Analysis) -> pd.DataFrame:
    p = analysis.neg.positions
    return p[p["issue_id"].isin(analysis.issues)]


def overview(analysis: Analysis) -> Section:
    """Coverage, actors, issues, events, sources and confidence of the dataset."""
    neg = analysis.neg
    section = Section("index", "Overview")
    version = text.dataset_version(neg)
    named = f"dataset {neg.id}, version {version}" if version else f"dataset {neg.id}"
    section.text(f"{neg.title or neg.id} ({named})")
    description = neg.meta.get("description")
    if description:
        section.text(str(description))
    p = _positions(analysis)
    if analysis.first is None:
        section.message("The dataset has no positions: there is nothing to analyse over time.")
    else:
        section.text(
            f"{len(p)} positions on {len(analysis.issues)} issues by "
            f"{p['actor_id'].nunique()} actors, from {text.format_date(analysis.first)} "
            f"to {text.format_date(analysis.last)}."
        )
    if analysis.pair is None:
        section.message(
            "The dataset has fewer than two actors: gaps, movement and third parties need two."
        )
    else:
        section.text(
            f"Parties: {_names(analysis, analysis.parties)}. Main pair: "
            f"{_names(analysis, analysis.pair)}."
            + (f" Other actors: {_names(analysis, analysis.others)}." if analysis.others else "")
        )
    section.heading("Coverage")
    section.table(summarize(neg), "Rows and dates per table")
    section.heading("Actors")
    per_actor = p.groupby("actor_id", observed=True).size()
    actors = neg.actors.assign(positions=neg.actors["actor_id"].map(per_actor).fillna(0))
    section.table(actors[["name", "role", "positions"]].astype({"positions": "int64"}))
    section.heading("Issues")
    per_issue = p.groupby("issue_id", observed=True).size()
    issues = neg.issues.set_index("issue_id").loc[analysis.issues].reset_index()
    issues["positions"] = issues["issue_id"].map(per_issue).fillna(0).astype("int64")
    section.table(issues[["label", "category", "low_label", "high_label", "positions"]])
    section.heading("Events")
    if neg.events.empty:
        section.message("The dataset lists no events (rounds, proposals, summits).")
    else:
        events = neg.events.sort_values("date", kind="stable")
        section.table(events[["date", "name", "kind"]].reset_index(drop=True))
    section.heading("Sources")
    if neg.sources.empty:
        section.message("The dataset lists no sources.")
    else:
        cited = p.groupby("source_id", observed=True).size()
        sources = neg.sources.assign(positions=neg.sources["source_id"].map(cited).fillna(0))
        columns = [c for c in ("title", "publisher", "source_type", "published") if c in sources]
        section.table(
            sources[[*columns, "positions"]]
            .astype({"positions": "int64"})
            .sort_values("positions", ascending=False, kind="stable")
            .reset_index(drop=True)
        )
    section.heading("Confidence and status")
    section.table(evidence_profile(neg), "Positions per source type, status and confidence")
    return section


def _issue_actors(analysis: Analysis, issue_id: str) -> tuple[list[str], int]:
    """The actors drawn in an issue chart (all who spoke, parties and mediators first, at most
    MAX_CHART_ACTORS) and how many more spoke to it."""
    p = analysis.neg.positions
    spoke = set(p.loc[p["issue_id"] == issue_id, "actor_id"].astype(str))
    order = [*analysis.parties, *analysis.others]
    speakers = [a for a in order if a in spoke]
    return speakers[:MAX_CHART_ACTORS], max(0, len(speakers) - MAX_CHART_ACTORS)


def positions_per_issue(analysis: Analysis) -> Section:
    """Each actor's position on each issue over time (the issues with most positions first
    when there are more than MAX_ISSUE_CHARTS)."""
    from .figures import plot_positions

    section = Section("positions", "Positions per issue")
    p = _positions(analysis)
    counts = p.groupby("issue_id", observed=True).size()
    spoken = [i for i in analysis.issues if counts.get(i, 0) > 0]
    silent = [i for i in analysis.issues if counts.get(i, 0) == 0]
    if not spoken:
        section.message("No issue has a coded position yet.")
    if len(spoken) > MAX_ISSUE_CHARTS:
        ranked = sorted(spoken, key=lambda i: -counts[i])
        shown = set(ranked[:MAX_ISSUE_CHARTS])
        section.text(
            f"{len(spoken)} issues have positions; charts follow for the {MAX_ISSUE_CHARTS} "
            "with the most positions. The table lists every issue."
        )
        section.table(
            pd.DataFrame(
                {
                    "issue": [analysis.issue(i) for i in ranked],
                    "positions": [int(counts[i]) for i in ranked],
                    "chart below": ["yes" if i in shown else "no" for i in ranked],
                }
            )
        )
        spoken = [i for i in spoken if i in shown]
    for issue in spoken:
        section.heading(analysis.issue(issue))
        actors, more = _issue_actors(analysis, issue)
        if more:
            section.message(
                f"{more} more actors spoke to this issue; the chart shows the first "
                f"{MAX_CHART_ACTORS} (parties first)."
            )
        section.figure(
            f"plot_positions({issue!r})",
            lambda issue=issue, actors=actors: plot_positions(
                analysis.neg, issue, actors=actors, show_anchors=True
            ),
        )
    if silent:
        section.message(
            "No position is coded on: " + "; ".join(analysis.issue(i) for i in silent) + "."
        )
    return section


def _rows_height(n_rows: int, base: int = 220, per_row: int = 28, minimum: int = 480) -> int:
    return max(minimum, base + per_row * n_rows)


def gaps_between_parties(analysis: Analysis) -> Section:
    """The overall gap for every pair of parties, then the main pair in detail: the gap over
    time, the widest and narrowest gap per issue, the heatmap and a snapshot at the last date."""
    from .figures import plot_gap_heatmap, plot_gap_over_time, plot_snapshot

    neg = analysis.neg
    section = Section("gaps", "Gaps between the parties")
    if analysis.pair is None:
        section.message("A gap needs two actors; this dataset has fewer.")
        return section
    rows = []
    for a, b in itertools.combinations(analysis.parties, 2):
        overall = compute_overall_gap(neg, a, b, issues=analysis.issue_filter)
        latest = overall.iloc[-1] if len(overall) else None
        rows.append(
            {
                "pair": f"{analysis.actor(a)} – {analysis.actor(b)}",
                "latest gap": None if latest is None else float(latest["gap"]),
                "on": "" if latest is None else text.format_date(latest["date"]),
                "issues in common": 0 if latest is None else int(latest["n_issues"]),
                "widest": None if overall.empty else float(overall["gap"].max()),
                "narrowest": None if overall.empty else float(overall["gap"].min()),
            }
        )
    section.heading("Every pair of parties")
    section.text(
        "The overall gap is the mean gap (0–100) over the issues where both hold a position."
    )
    section.table(pd.DataFrame(rows))
    a, b = analysis.pair
    name_a, name_b = analysis.actor(a), analysis.actor(b)
    section.heading(f"Main pair: {name_a} and {name_b}")
    overall = compute_overall_gap(neg, a, b, issues=analysis.issue_filter)
    if overall.empty:
        section.message(
            f"{name_a} and {name_b} never held positions on the same issue, so they have no "
            "gap to show; their positions are on the positions page."
        )
        return section
    section.text(describe_overall_gap(overall, name_a, name_b))
    n_issues = len(analysis.issues)
    section.figure(
        f"plot_gap_over_time({a!r}, {b!r})",
        lambda: plot_gap_over_time(
            neg, a, b, issues=analysis.issue_filter, height=_rows_height(n_issues, 420, 12, 640)
        ),
    )
    gaps = compute_gaps(neg, a, b, issues=analysis.issue_filter)
    extremes = gap_extremes(gaps)
    extremes.insert(0, "issue", extremes.pop("issue_id").map(analysis.issue))
    section.table(extremes, "Per issue: narrowest, widest and latest gap (widest latest first)")
    if neg.positions["date"].nunique() < 2:
        section.message("All positions share one date, so the heatmap has a single column.")
    section.figure(
        f"plot_gap_heatmap({a!r}, {b!r})",
        lambda: plot_gap_heatmap(
            neg, a, b, issues=analysis.issue_filter, height=_rows_height(n_issues, 260, 26, 420)
        ),
    )
    mediators = [m for m in ids.default_actors(neg) if m not in ids.parties(neg)]
    snapshot_actors = _chart_actors(analysis, mediators)
    section.heading(f"Where they stood on {text.format_date(analysis.last)}")
    section.figure(
        f"plot_snapshot({text.format_date(analysis.last)!r})",
        lambda: plot_snapshot(
            neg,
            analysis.last,
            actors=snapshot_actors,
            issues=analysis.issue_filter,
            height=_rows_height(n_issues, 200, 30, 420),
        ),
    )
    return section


def _chart_actors(analysis: Analysis, actors: Iterable[str]) -> list[str]:
    """The main pair and the first of ``actors``, at most MAX_COMPARED_ACTORS, in actors.csv
    order (the order of every legend)."""
    pair = list(analysis.pair or ())
    rest = [a for a in actors if a not in pair]
    chosen = set(pair) | set(rest[: MAX_COMPARED_ACTORS - len(pair)])
    return [a for a in ids.actor_order(analysis.neg) if a in chosen]


def movement_and_third_parties(analysis: Analysis) -> Section:
    """Who moved between the first and the last date (toward or away from whom), and how far
    each other actor (mediators, third parties) stood from the parties over time."""
    from .figures import plot_movement, plot_third_party_distance

    neg = analysis.neg
    section = Section("movement", "Movement and third parties")
    section.heading("Who moved")
    if analysis.first is None or analysis.first == analysis.last:
        section.message(
            "Movement needs positions at two dates; every position here has the same date."
            if analysis.first is not None
            else "Movement needs positions; the dataset has none."
        )
    elif analysis.pair is None:
        section.message("Movement is measured toward another actor; this dataset has only one.")
    else:
        movers = _chart_actors(analysis, ids.default_actors(neg))
        section.text(
            f"From {text.format_date(analysis.first)} to {text.format_date(analysis.last)}: "
            f"{_names(analysis, movers)}. Toward means toward the other's position at the start."
        )
        section.figure(
            "plot_movement()",
            lambda: plot_movement(
                neg,
                actors=movers,
                start=analysis.first,
                end=analysis.last,
                issues=analysis.issue_filter,
                height=_rows_height(len(analysis.issues) * len(movers), 200, 14, 480),
            ),
        )
        summary = movement_summary(neg, actors=movers, start=analysis.first, end=analysis.last)
        summary["actor"] = summary["actor"].map(analysis.actor)
        summary["toward"] = summary["toward"].map(analysis.actor)
        section.table(summary, "Issues on which each actor moved toward or away from another")
    section.heading("Third parties against the parties")
    if analysis.pair is None:
        section.message("Distances need at least two actors.")
    elif not analysis.others:
        section.message(
            "Every actor in this dataset is a party: there is no mediator or third party to "
            "compare with the parties."
        )
    else:
        parties = analysis.parties[:6]
        for third in analysis.others[:MAX_CHART_ACTORS]:
            section.heading(analysis.actor(third))
            section.figure(
                f"plot_third_party_distance({third!r})",
                lambda third=third: plot_third_party_distance(neg, third, parties=parties),
            )
        if len(analysis.others) > MAX_CHART_ACTORS:
            rest = analysis.others[MAX_CHART_ACTORS:]
            section.message(f"Not charted ({len(rest)} more actors): {_names(analysis, rest)}.")
    return section


def evidence(analysis: Analysis) -> Section:
    """Every position with its actor, issue, summary, quote and source (date order)."""

    section = Section("evidence", "Evidence")
    frame = ev.evidence_frame(analysis.neg)
    frame = frame[frame["issue_id"].isin(analysis.issues)]
    if frame.empty:
        section.message("No position to show.")
        return section
    columns = [
        "date",
        "actor_name",
        "issue_label",
        "stance",
        "value",
        "summary",
        "quote",
        "source_title",
        "confidence",
    ]
    shown = frame[[c for c in columns if c in frame]].rename(
        columns={"actor_name": "actor", "issue_label": "issue", "source_title": "source"}
    )
    section.table(shown.reset_index(drop=True), "One row per coded position")
    return section


def coverage_gaps(analysis: Analysis) -> pd.DataFrame:
    """One row per (party, issue) with no coded position: ``actor``, ``issue`` (names)."""
    p = _positions(analysis)
    spoke = set(zip(p["actor_id"].astype(str), p["issue_id"].astype(str), strict=True))
    rows = [
        {"actor": analysis.actor(a), "issue": analysis.issue(i)}
        for a in analysis.parties
        for i in analysis.issues
        if (a, i) not in spoke
    ]
    return pd.DataFrame(rows, columns=["actor", "issue"])


def _longest_silences(analysis: Analysis, n: int = 5) -> pd.DataFrame:
    dates = pd.Series(sorted(_positions(analysis)["date"].dropna().unique()))
    if len(dates) < 2:
        return pd.DataFrame(columns=["from", "to", "days"])
    frame = pd.DataFrame({"from": dates[:-1].to_numpy(), "to": dates[1:].to_numpy()})
    frame["days"] = (frame["to"] - frame["from"]).dt.days
    return frame.nlargest(n, "days").reset_index(drop=True)


def data_quality(analysis: Analysis) -> Section:
    """Unsourced rows, low confidence, conflicting rows and gaps in coverage."""
    neg = analysis.neg
    section = Section("quality", "Data quality")
    p = _positions(analysis)
    quote = p["quote"].astype("string").str.strip().fillna("")
    unsourced = p[p["source_id"].isna() | (quote == "")]
    section.heading("Rows without a source or a quote")
    if unsourced.empty:
        section.text("Every position names a source and quotes it.")
    else:
        section.table(
            unsourced.assign(
                actor=unsourced["actor_id"].map(analysis.actor),
                issue=unsourced["issue_id"].map(analysis.issue),
            )[["position_id", "date", "actor", "issue", "status", "summary"]].reset_index(drop=True)
        )
    section.heading("Low confidence")
    low = p[p["confidence"].astype("string").isin(schema.LOW_CONFIDENCES).fillna(False)]
    if low.empty:
        section.text("No position is coded with low confidence.")
    else:
        section.table(
            low.assign(
                actor=low["actor_id"].map(analysis.actor), issue=low["issue_id"].map(analysis.issue)
            )[["position_id", "date", "actor", "issue", "value", "summary"]].reset_index(drop=True)
        )
    section.heading("Conflicting rows (same actor, issue and date; different values)")
    conflicts = compute_conflicts(neg)
    conflicts = conflicts[conflicts["issue_id"].isin(analysis.issues)]
    if conflicts.empty:
        section.text("No conflicting rows.")
    else:
        conflicts = conflicts.assign(
            actor=conflicts["actor_id"].map(analysis.actor),
            issue=conflicts["issue_id"].map(analysis.issue),
        )
        section.table(
            conflicts[["actor", "issue", "date", "position_ids", "values", "value"]].reset_index(
                drop=True
            ),
            "The combined value (the mean) is used everywhere else",
        )
    section.heading("Gaps in coverage")
    missing = coverage_gaps(analysis)
    if missing.empty:
        section.text("Every party has at least one position on every issue.")
    else:
        section.table(missing, "Parties with no position on an issue")
    silences = _longest_silences(analysis)
    if silences.empty:
        section.message("Fewer than two position dates: no interval between them to report.")
    else:
        section.table(silences, "Longest intervals with no coded position")
    return section


#: The report's pages, in order: (section function, link text).
SECTIONS: list[tuple[Callable[[Analysis], Section], str]] = [
    (overview, "Overview"),
    (positions_per_issue, "Positions"),
    (gaps_between_parties, "Gaps"),
    (movement_and_third_parties, "Movement and third parties"),
    (evidence, "Evidence"),
    (data_quality, "Data quality"),
]


# --- display in a notebook ------------------------------------------------------------------


def show(section: Section) -> None:
    """Display a section in a notebook: headings and text as escaped HTML, tables as
    :func:`~negotiation_lib.text.show_table` shows them (escaped; as many rows as pandas would
    show, :func:`~negotiation_lib.text.displayed_rows`; the caption says how many there are),
    figures as Plotly figures, messages as notes."""
    from IPython.display import HTML, display

    display(HTML(f"<h2>{html.escape(section.title)}</h2>"))
    for block in section.blocks:
        if block.kind == "figure":
            display(block.content)
        elif block.kind == "table":
            if block.caption:
                display(HTML(_caption_html(block.caption)))
            frame = block.content
            display(text.show_table(frame, rows=text.displayed_rows(len(frame))))
        else:
            display(HTML(_block_html(block)))


# --- pages ----------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
.report-header { font-size: 13px; padding: 8px 16px; border-bottom: 1px solid #ccc;
  background: #f7f7f7; }
.report-header a { margin-right: 1em; }
main { padding: 8px 16px 32px; max-width: 1300px; }
.report-message { background: #fff6e0; border-left: 4px solid #e0a000; padding: 6px 10px;
  margin: 8px 0; }
table.report-table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.report-table th, table.report-table td { border: 1px solid #ddd; padding: 3px 6px;
  text-align: left; vertical-align: top; max-width: 40em; }
table.report-table caption { text-align: left; color: #555; font-style: italic; }
.report-plotly { min-height: 120px; margin: 8px 0; }
"""


def _caption_html(caption: str) -> str:
    """A table block's caption as the notebook view (:func:`show`) and the pages show it."""
    return f"<p><em>{html.escape(caption)}</em></p>" if caption else ""


def _table_html(frame: pd.DataFrame, caption: str) -> str:
    """A table block as a page shows it: its caption, then the table as
    :func:`~negotiation_lib.text.frame_html` writes it (cells as the notebook view shows them,
    escaped; the row count as the table's caption; at most MAX_TABLE_ROWS rows)."""
    table = text.frame_html(frame, limit=MAX_TABLE_ROWS, classes="report-table")
    return _caption_html(caption) + table


def _block_html(block: Block) -> str:
    if block.kind == "heading":
        return f"<h3>{html.escape(str(block.content))}</h3>"
    if block.kind == "text":
        return f"<p>{html.escape(str(block.content))}</p>"
    if block.kind == "message":
        return f'<p class="report-message" role="status">{html.escape(str(block.content))}</p>'
    if block.kind == "table":
        return _table_html(block.content, block.caption)
    if block.kind == "figure":
        return (
            '<div class="report-plotly"><script type="application/json" '
            f'class="report-plotly-figure">{figure_json(block.content)}</script></div>'
        )
    raise ValueError(f"unknown block kind {block.kind!r}")


def page_html(section: Section, *, header: str, title: str) -> str:
    """One self-contained page: the header, the section, plotly.min.js and the renderer."""
    body = "\n".join(_block_html(b) for b in section.blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
        f"{header}\n<main><h2>{html.escape(section.title)}</h2>\n{body}\n</main>\n"
        f'<script src="{PLOTLY_JS}"></script>\n{RENDER_SCRIPT}\n</body></html>\n'
    )


def build_report(
    source: Negotiation | str | Path,
    out_dir: str | Path,
    *,
    main_pair: Sequence[str] | None = None,
    issues: Iterable[str] | None = None,
    build_date: str | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the report of a valid dataset into ``out_dir``: one page per section
    (``index.html`` first) and ``plotly.min.js``.

    Returns the written pages and the figure calls that raised (each shown as a message in
    place of its chart). An invalid dataset raises ``nl.ValidationError`` before anything is
    written.
    """
    analysis = prepare(source, main_pair=main_pair, issues=issues)
    neg = analysis.neg
    build_date = build_date or dt.datetime.now(dt.UTC).date().isoformat()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_plotly_js(out)
    sections = [(make(analysis), text) for make, text in SECTIONS]
    links = [(f"{s.slug}.html", text) for s, text in sections]
    written, crashes = [], []
    for section, _ in sections:
        header = header_html(
            dataset_id=neg.id,
            version=text.dataset_version(neg),
            build_date=build_date,
            title=neg.title,
            links=links,
        )
        page = out / f"{section.slug}.html"
        title = f"{section.title} · {neg.title or neg.id}"
        page.write_text(page_html(section, header=header, title=title), encoding="utf-8")
        written.append(page)
        crashes += section.crashes
    return written, crashes
