"""views.py: escaping, evidence joins and filters, step data, clipping, HTML tables."""

from __future__ import annotations

import html
import re
import textwrap

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation_lib import evidence as ev
from negotiation_lib import figures, gaps, text

MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def test_escape_and_wrap_leave_no_markup():
    raw = "a <script>alert(1)</script> & “b” " + "word " * 30
    escaped = text.escape(raw)
    assert "<" not in escaped
    assert "&lt;script&gt;" in escaped
    assert "&amp;" in escaped
    wrapped = text.wrap(raw, 20)
    assert set(re.findall(r"<[^>]*>", wrapped)) == {"<br>"}
    assert all(len(line) <= 40 for line in wrapped.split("<br>"))  # 20 chars, entities longer
    assert text.escape(None) == text.escape(float("nan")) == text.wrap(pd.NA) == ""


def test_wrap_cuts_to_max_lines_with_an_ellipsis():
    wrapped = text.wrap("one two three four five six", 8, max_lines=2)
    assert wrapped.count("<br>") == 1
    assert wrapped.endswith("…")


@given(
    st.text(alphabet="ab-,.é< \n\u00a0", max_size=300)
    | st.lists(st.text(alphabet="ab,é<", min_size=1, max_size=8), max_size=60).map(" ".join),
    st.integers(min_value=1, max_value=12),
    st.none() | st.integers(min_value=1, max_value=4),
)
def test_wrap_gives_textwraps_lines(raw, width, max_lines):
    # wrap fills lines itself and reads only the start of a long text: textwrap's lines all the same
    lines = textwrap.wrap(raw, width=width, break_long_words=True) or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
    expected = "<br>".join(html.escape(line, quote=False) for line in lines)
    assert text.wrap(raw, width, max_lines=max_lines) == expected


def test_safe_url_only_allows_http():
    assert text.safe_url("https://example.org/a") == "https://example.org/a"
    assert text.safe_url("javascript:alert(1)") is None
    assert text.safe_url(" JAVASCRIPT:alert(1)") is None
    assert text.safe_url(None) is None


def test_format_number_rounds_and_trims():
    assert text.format_number(12.3456) == "12.35"
    assert text.format_number(40.0) == "40"
    assert text.format_number(-0.001) == "0"
    assert text.format_number(float("nan")) == ""


def test_evidence_frame_joins_every_table(hostile):
    evidence = ev.evidence_frame(hostile)
    assert list(evidence.columns) == list(ev.EVIDENCE_COLUMNS)
    assert len(evidence) == len(hostile.positions)
    p01 = evidence.set_index("position_id").loc["P01"]
    assert p01["actor_name"].startswith("Russia")
    assert p01["issue_label"].startswith("Territory")
    assert p01["event_name"].startswith("Round one")
    assert p01["source_title"].startswith("Official text")
    assert p01["source_publisher"].startswith("Kremlin")
    assert p01["source_type"] == "official"
    # P10 has no event: the joined name is missing, not an error
    assert pd.isna(evidence.set_index("position_id").loc["P10", "event_name"])
    assert evidence["date"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"actors": ["US"]}, {"P10", "P11"}),
        ({"issues": "single"}, {"P12"}),
        ({"events": ["E2"]}, {"P03", "P08"}),
        ({"source_types": ["leak"]}, {"P08", "P10"}),
        ({"confidence": ["low"], "actors": ["UA", "RU"]}, {"P05", "P08"}),
        ({"text": "SUMMARY P07"}, {"P07"}),
        ({"text": "<script>", "issues": ["single"]}, {"P12"}),
        ({"start": "2025-01-01", "actors": ["RU"]}, {"P04", "P12"}),
        ({"end": "2022-12-31", "issues": ["security"]}, {"P06", "P07"}),
        ({"actors": ["ZZ"]}, set()),
    ],
)
def test_evidence_table_filters(hostile, filters, expected):
    table = ev.evidence_table(hostile, **filters)
    assert set(table["position_id"]) == expected


def test_free_text_is_not_a_regex(hostile):
    assert ev.evidence_table(hostile, text="(1)").shape[0] == len(hostile.positions)
    assert ev.evidence_table(hostile, text="[").empty


def test_hover_html_holds_quote_and_source_escaped(hostile):
    evidence = ev.evidence_frame(hostile)
    hover = ev.hover_html(evidence).tolist()
    first = hover[0]
    for part in ("2022-03-29", "demand", "Summary P01", "Quote P01", "Kremlin", "Official text"):
        assert part in first
    assert "range 85–95" in first
    for label in hover:
        assert set(re.findall(r"<[^>]*>", label)) <= {"<br>", "<b>", "</b>"}
    # the source's URL shows as escaped text (a link in a plotly hover makes plotly.js throw)
    assert (
        'Link: https://example.org/a?q=&lt;script&gt;alert(1)&lt;/script&gt;&amp;x="y"'
        "<br>Cite: position P01"
    ) in first
    leak = hover[evidence.index[evidence["source_id"] == "S3"][0]]  # javascript: URL
    assert "Link: " not in leak
    assert "Cite: position " in leak
    unverified = hover[evidence.index[evidence["position_id"] == "P10"][0]]
    assert "Quote: (none)" in unverified
    assert "Status: unverified" in unverified


def test_clip_steps_carries_the_value_in_force_at_start(hostile):
    frame = gaps.compute_gaps(hostile, "RU", "UA")
    clipped = gaps._changes_in_window(
        frame, keys=["issue_id"], start="2024-01-01", end="2025-12-31"
    )
    territory = clipped[clipped["issue_id"] == "territory"]
    assert territory["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2025-05-16")]
    # in force on 2024-01-01: RU 90 (P01, 2022) and UA 25 (P03, 2023)
    assert territory["gap"].tolist()[0] == pytest.approx(65.0)
    assert gaps._changes_in_window(frame, keys=["issue_id"], end="2021-01-01").empty


def test_gaps_at_dates_take_the_latest_change(hostile):
    cells = gaps._gaps_at(hostile, "RU", "UA", ["2022-01-01", "2023-07-01", "2025-06-01"])
    territory = cells[cells["issue_id"] == "territory"].set_index("date")["gap"]
    assert pd.Timestamp("2022-01-01") not in territory.index  # nothing stated yet
    assert territory[pd.Timestamp("2023-07-01")] == pytest.approx(65.0)
    assert territory[pd.Timestamp("2025-06-01")] == pytest.approx(70.0)


def test_evidence_html_escapes_every_cell_and_links_only_http(hostile):
    table = ev.evidence_table(hostile)
    page = ev.evidence_html(table)
    for markup in MARKUP:
        assert markup not in page
    assert "&lt;script&gt;" in page
    assert page.count("<a href=") == len(
        table[table["source_url"].str.startswith("https", na=False)]
    )
    assert "javascript:" not in page
    # the attribute keeps its quotes escaped
    assert (
        'href="https://example.org/a?q=&lt;script&gt;alert(1)&lt;/script&gt;&amp;x=&quot;y&quot;"'
        in page
    )
    assert "12 positions" in page


def test_evidence_html_caps_rows():
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"] * 5), "summary": ["x"] * 5})
    page = ev.evidence_html(frame, columns={"summary": "Summary"}, limit=2)
    assert page.count("<tr") == 3  # header + 2
    assert "5 positions (first 2 shown)" in page


def test_actor_colors_fall_back_to_a_fixed_palette(hostile):
    colors = figures.actor_colors(hostile)
    assert colors["RU"] == "#B22222"
    assert colors["US"] == figures.FALLBACK_COLORS[0]  # the first actor without a colour


def test_anchor_table_adds_missing_scale_ends(hostile):
    table = ev.anchor_table(hostile, "territory")
    assert table["value"].tolist() == [0.0, 50.0, 100.0]
    with pytest.raises(KeyError, match="unknown issue id 'nope'"):
        ev.anchor_table(hostile, "nope")


def test_clip_steps_change_at_start_replaces_the_carried_row(hostile):
    frame = gaps.compute_gaps(hostile, "RU", "UA")
    clipped = gaps._changes_in_window(frame, keys=["issue_id"], start="2023-06-01")
    territory = clipped[clipped["issue_id"] == "territory"]
    assert territory["date"].tolist() == [pd.Timestamp("2023-06-01"), pd.Timestamp("2025-05-16")]
    assert territory["position_id_b"].tolist() == ["P03", "P05"]  # not P02 carried to the start
    overall = gaps.compute_overall_gap(hostile, "RU", "UA")
    clipped = gaps._changes_in_window(overall, keys=[], start="2024-01-01", end="2024-12-31")
    assert clipped["date"].tolist() == [pd.Timestamp("2024-01-01")]
    assert (
        clipped["gap"].tolist()
        == overall.loc[overall["date"] < "2024-01-01", "gap"].tail(1).tolist()
    )


def test_show_table_drops_the_default_index_keeps_integers_and_blanks_missing():
    frame = pd.DataFrame(
        {
            "count": [3.0, 12.0],
            "value": [12.5, float("nan")],
            "date": pd.to_datetime(["2024-03-01", None]),
            "quote": ["x" * 300 + " <b>not bold</b>", None],
        }
    )
    shown = text.show_table(frame)
    html_text = shown._repr_html_()
    assert shown.shown.to_dict("list") == {
        "count": ["3", "12"],
        "value": ["12.5", ""],
        "date": ["2024-03-01", ""],
        "quote": ["x" * 300 + " <b>not bold</b>", ""],
    }
    assert "NaN" not in html_text
    assert "NaT" not in html_text
    assert "<th></th>" not in html_text
    assert "x" * 300 in html_text
    assert "…" not in html_text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html_text
    assert "<b>" not in html_text
    assert "overflow-wrap:break-word" in html_text  # wraps a word longer than its column
    assert html_text == text.show_table(frame)._repr_html_()  # deterministic
    assert "2 rows" in repr(shown)
    assert "x" * 300 in repr(shown)


def test_show_table_picks_columns_names_the_others_and_keeps_a_meaningful_index():
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4], "c": [5, 6]}, index=pd.Index(["x", "y"]))
    shown = text.show_table(frame, columns=["a"], index=False)
    assert list(shown.shown.columns) == ["a"]
    assert shown.caption == "2 rows · 1 of 3 columns shown; not shown: b, c"
    assert shown.frame is frame  # the full frame, one attribute away
    with_index = text.show_table(frame.rename_axis("issue"))
    assert list(with_index.shown.columns) == ["issue", "a", "b", "c"]
    assert text.show_table(frame).shown["index"].tolist() == ["x", "y"]  # non-default index
    filtered = text.show_table(frame.reset_index(drop=True).iloc[[1]])
    assert list(filtered.shown.columns) == ["a", "b", "c"]  # row numbers left by filtering
    mixed = text.show_table(pd.Series({"date": pd.Timestamp("2024-03-01"), "value": 30.0}))
    assert mixed.shown["value"].tolist() == ["2024-03-01", "30"]
    row = text.show_table(frame.loc["x"])
    assert row.shown.to_dict("list") == {"field": ["a", "b", "c"], "x": ["1", "3", "5"]}
    with pytest.raises(KeyError, match="no column"):
        text.show_table(frame, columns=["nope"])


def test_show_table_rows_shows_the_first_rows_and_says_so():
    frame = pd.DataFrame({"a": range(5), "b": list("vwxyz")})
    shown = text.show_table(frame, rows=2)
    assert shown.shown.to_dict("list") == {"a": ["0", "1"], "b": ["v", "w"]}
    assert shown.caption == "5 rows (first 2 shown)"
    assert text.show_table(frame, rows=9).caption == "5 rows"


def test_readable_tables_makes_displayed_frames_read_as_show_table_and_can_be_undone():
    from IPython.core.formatters import DisplayFormatter

    class Shell:  # what readable_tables uses of an IPython shell
        display_formatter = DisplayFormatter()

    shell = Shell()
    frame = pd.DataFrame({"count": [3.0, None], "quote": ["x" * 120, "<b>b</b>"]})
    html_of = shell.display_formatter.formatters["text/html"]
    assert "NaN" in html_of(frame)  # pandas' own HTML
    assert text.readable_tables(shell=shell)
    assert html_of(frame) == text.show_table(frame)._repr_html_()
    with pd.option_context("display.max_rows", 1, "display.min_rows", 1):
        assert "2 rows (first 1 shown)" in html_of(frame)
    assert text.displayed_rows(60) is None  # pandas' defaults: up to 60 rows all,
    assert text.displayed_rows(61) == 10  # else the first 10
    text.readable_tables(False, shell=shell)
    assert "NaN" in html_of(frame)
    assert text.readable_tables() is False  # no IPython running here: nothing changed


def test_frame_html_keeps_dates_on_one_line_and_escapes_the_rest():
    frame = pd.DataFrame(
        {
            "who": ["<b>x</b>", "2022-01-01 <td>"],
            "date": pd.to_datetime(["2022-02-24", "2023-01-01"]),
            "value": [1.5, None],
        }
    )
    html = text.frame_html(frame)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    first_row = ["&lt;b&gt;x&lt;/b&gt;", "2022-02-24", "1.5"]
    assert cells == [*first_row, "2022-01-01 &lt;td&gt;", "2023-01-01", ""]
    unbroken = re.findall(r'<td style="white-space:nowrap">(.*?)</td>', html)
    assert unbroken == ["2022-02-24", "2023-01-01"]  # the date column only, every row
