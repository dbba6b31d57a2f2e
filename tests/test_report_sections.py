"""negotiation_lib.report without a browser: sections, edge-case datasets, pages and the CLI.

tests/e2e/test_dataset_report.py draws the same pages in Chromium.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from fixtures.edit import copy_fixture

import negotiation_lib as nl
from negotiation_lib import report
from negotiation_lib.cli import main

MARKUP = "<script>alert(1)</script>"


def _kinds(section: report.Section) -> list[str]:
    return [block.kind for block in section.blocks]


def _all_sections(analysis):
    return [make(analysis) for make, _ in report.SECTIONS]


def test_party_roles_follow_actors_csv(bundled, tmp_path, edge_dataset):
    parties, pair = report.party_roles(bundled)
    roles = bundled.actors.set_index("actor_id")["role"]
    assert parties == [a for a in bundled.actors["actor_id"] if roles[a] == "party"]
    assert pair == tuple(parties[:2])
    one = nl.load(edge_dataset("one_actor", tmp_path / "one"))
    assert report.party_roles(one) == (["a0"], None)


def test_prepare_takes_a_pair_and_issues_and_rejects_unknown_ids(mini):
    actors = list(mini.actors["actor_id"])
    issues = list(mini.issues["issue_id"])
    analysis = report.prepare(mini, main_pair=actors[1::-1], issues=issues[:1])
    assert analysis.pair == (actors[1], actors[0])
    assert analysis.issues == issues[:1]
    with pytest.raises(KeyError, match="known"):
        report.prepare(mini, main_pair=[actors[0], "nobody"])
    with pytest.raises(KeyError, match="known"):
        report.prepare(mini, issues=["no-such-issue"])


def test_prepare_raises_the_one_unknown_id_error(mini):
    """The report checks ids as the rest of the library does (ids.check_actors/check_issues):
    an UnknownIdError naming the id, the argument and the closest known ids; a pair of one
    actor is a ValueError."""
    actor = str(mini.actors["actor_id"].iloc[0])
    with pytest.raises(nl.ids.UnknownIdError, match="unknown actor id 'nobody' in pair"):
        report.prepare(mini, main_pair=[actor, "nobody"])
    with pytest.raises(nl.ids.UnknownIdError, match="unknown issue id 'no-such-issue' in issues"):
        report.prepare(mini, issues=["no-such-issue"])
    with pytest.raises(ValueError, match="two different actor ids"):
        report.prepare(mini, main_pair=[actor, actor])


def test_page_tables_are_written_as_the_notebook_shows_them():
    """A page's table cells are those of text.show_table (3.0 reads 3, 2 decimals, ISO dates,
    blanks), escaped, with the row count as the table's caption and the block caption above."""
    frame = pd.DataFrame(
        {
            "n": [3.0, 1.23456],
            "name": [MARKUP, None],
            "on": pd.to_datetime(["2024-01-02", None]),
        }
    )
    page = report._table_html(frame, "c")
    assert page.startswith("<p><em>c</em></p>")
    assert 'class="dataframe report-table"' in page
    assert "<caption>2 rows</caption>" in page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.DOTALL)
    shown = nl.text.show_table(frame).shown
    assert cells == [nl.text.escape(v) for row in shown.itertuples(index=False) for v in row]
    assert cells[:3] == ["3", "&lt;script&gt;alert(1)&lt;/script&gt;", "2024-01-02"]
    assert MARKUP not in page
    assert re.findall(r'<td style="white-space:nowrap">(.*?)</td>', page) == ["2024-01-02", ""]
    many = report._table_html(pd.DataFrame({"n": range(report.MAX_TABLE_ROWS + 5)}), "")
    assert f"first {report.MAX_TABLE_ROWS} shown" in many
    assert many.count("<td>") == report.MAX_TABLE_ROWS


def test_movement_actors_follow_actors_csv_order(tmp_path):
    """Movement shows the parties and mediators (ids.default_actors) in actors.csv order, as
    every legend does, not parties first."""
    folder = copy_fixture(tmp_path)
    lines = (folder / "actors.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    mediator_first = [r for r in rows if r.startswith("M,")] + [
        r for r in rows if not r.startswith("M,")
    ]
    (folder / "actors.csv").write_text("\n".join([header, *mediator_first]) + "\n", "utf-8")
    analysis = report.prepare(nl.load(folder))
    section = report.movement_and_third_parties(analysis)
    listed = next(
        b.content for b in section.blocks if b.kind == "text" and b.content.startswith("From")
    )
    names = [analysis.actor(a) for a in nl.ids.default_actors(analysis.neg)]
    assert names[0] == analysis.actor("M")
    assert f": {', '.join(names)}." in listed


def test_bundled_sections_have_figures_and_no_crash(bundled):
    analysis = report.prepare(bundled)
    sections = _all_sections(analysis)
    assert [s.crashes for s in sections] == [[]] * len(sections)
    figures = {s.slug: _kinds(s).count("figure") for s in sections}
    assert figures["positions"] == min(report.MAX_ISSUE_CHARTS, len(bundled.issues))
    # gap over time, heatmap, snapshot
    assert figures["gaps"] == 3
    assert figures["movement"] == 1 + len(analysis.others[: report.MAX_CHART_ACTORS])
    gaps = sections[2]
    pair_table = next(b.content for b in gaps.blocks if b.kind == "table")
    n = len(analysis.parties)
    assert len(pair_table) == n * (n - 1) // 2


EXPECTED_MESSAGES = {
    "one_actor": ["fewer than two actors", "A gap needs two actors"],
    "one_issue": [],
    "no_events": ["lists no events"],
    "no_salience_no_ranges": [],
    "parties_only": ["no mediator or third party"],
    "single_date": ["same date", "one date"],
    "parties_never_meet": ["never held positions on the same issue"],
    "large": ["3 more actors spoke to this issue", "Not charted (1 more actors)"],
}


@pytest.mark.parametrize("case", list(EXPECTED_MESSAGES))
def test_edge_case_gets_messages_not_tracebacks(case, tmp_path, edge_dataset):
    folder = edge_dataset(case, tmp_path / case)
    assert nl.validate(folder).empty, nl.format_problems(nl.validate(folder))
    analysis = report.prepare(nl.load(folder))
    sections = _all_sections(analysis)
    crashes = [c for s in sections for c in s.crashes]
    messages = " | ".join(b.content for s in sections for b in s.blocks if b.kind == "message")
    for expected in EXPECTED_MESSAGES[case]:
        assert expected in messages, messages
    # the rest still runs: every section has content, and the overview lists every actor
    assert all(s.blocks for s in sections)
    actors_table = [b.content for b in sections[0].blocks if b.kind == "table"][1]
    assert len(actors_table) == len(analysis.neg.actors)
    # known crashes of the figure layer are reported, never raised (see the report's notes)
    assert all(isinstance(c, str) and ": " in c for c in crashes)


def test_large_dataset_stays_readable(tmp_path, edge_dataset):
    analysis = report.prepare(nl.load(edge_dataset("large", tmp_path / "large")))
    positions = report.positions_per_issue(analysis)
    assert _kinds(positions).count("figure") == report.MAX_ISSUE_CHARTS
    for block in positions.blocks:
        if block.kind == "figure":
            legend_names = {t.name for t in block.content.data if t.showlegend is not False}
            assert len(legend_names) <= report.MAX_CHART_ACTORS + 2
    gaps = report.gaps_between_parties(analysis)
    heatmap = next(b.content for b in gaps.blocks if b.kind == "figure" and "heatmap" in b.caption)
    # one row label per issue and room for each of them
    assert len(heatmap.data[0].y) == len(analysis.issues)
    assert heatmap.layout.height >= 26 * len(analysis.issues)


def test_pages_escape_data_and_embed_figures(tmp_path, hostile):
    written, crashes = report.build_report(hostile, tmp_path, build_date="2026-01-02")
    assert [p.name for p in written] == [
        f"{s}.html" for s in ("index", "positions", "gaps", "movement", "evidence", "quality")
    ]
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000
    for page in written:
        text = page.read_text(encoding="utf-8")
        assert f'<span class="report-dataset-id">{hostile.id}</span>' in text
        assert f'<span class="report-dataset-version">{hostile.version}</span>' in text
        assert '<span class="report-build-date">2026-01-02</span>' in text
        assert "report-dataset-title" in text
        assert MARKUP not in text
        assert re.findall(r"<script[^>]*\ssrc=", text) == ["<script src="]
        for holder in re.findall(r'class="report-plotly-figure">(.*?)</script>', text, re.S):
            json.loads(holder)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (tmp_path / "evidence.html").read_text()
    assert crashes == []


def test_cli_report_writes_pages(tmp_path, capsys):
    folder = nl.write_example_dataset(tmp_path / "example")
    assert main(["report", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert "wrote 6 pages" in capsys.readouterr().out
    assert (tmp_path / "out" / "index.html").is_file()


def test_cli_report_of_an_invalid_dataset_prints_problems_and_writes_nothing(tmp_path, capsys):
    folder = nl.write_example_dataset(tmp_path / "broken", broken=True)
    assert main(["report", str(folder), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr()
    assert "unoin" in out.out
    assert "no report written" in out.err
    assert not (tmp_path / "out").exists()


def test_cli_report_with_an_unknown_pair_is_a_usage_error(tmp_path, capsys):
    folder = nl.write_example_dataset(tmp_path / "example")
    code = main(["report", str(folder), "--out", str(tmp_path / "o"), "--pair", "union", "x"])
    assert code == 2
    assert "known" in capsys.readouterr().err


def test_coverage_gaps_names_party_and_issue(tmp_path, edge_dataset):
    analysis = report.prepare(nl.load(edge_dataset("parties_never_meet", tmp_path / "d")))
    missing = report.coverage_gaps(analysis)
    assert isinstance(missing, pd.DataFrame)
    assert set(missing["actor"]) == {analysis.actor("a0"), analysis.actor("a1")}
    assert len(missing) == len(analysis.issues)
