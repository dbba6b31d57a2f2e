"""The table checks of tests/e2e/readability.py can fail: each runs on a page built with the
problem it looks for (and on its fixed twin, where it must find nothing)."""

from __future__ import annotations

import pytest
from readability import table_problems, texts_ending_with_an_ellipsis, visible_rows

pytestmark = pytest.mark.browser

GOOD = """
<table><caption>3 rows</caption>
<thead><tr><th>actor</th><th>value</th><th>quote</th></tr></thead>
<tbody>
<tr><td>A</td><td>3</td><td>We will not give up an inch of our land, whatever it costs.</td></tr>
<tr><td>B</td><td>4.5</td><td></td></tr>
<tr><td>C</td><td>0</td><td>Talks resume.</td></tr>
</tbody></table>
"""

BAD_PAGES = {
    "cut with …": ("<table><tr><td>We will not give up …</td></tr></table>", "ellipsis"),
    "cut with ...": ("<table><tr><td>We will not give up...</td></tr></table>", "ellipsis"),
    "NaN": ("<table><tr><td>A</td><td>NaN</td></tr></table>", "missing value"),
    "nan": ("<table><tr><td>A</td><td>nan</td></tr></table>", "missing value"),
    "None": ("<table><tr><td>None</td><td>3</td></tr></table>", "missing value"),
    "float count": ("<table><tr><td>A</td><td>12.0</td></tr></table>", "whole number"),
    "hidden overflow": (
        '<table style="table-layout: fixed; width: 200px"><tr><td style="overflow: hidden; '
        'white-space: nowrap; width: 100px">A quote far too long for its narrow cell</td>'
        "<td>1</td></tr></table>",
        "overflows its cell",
    ),
    "css ellipsis": (
        '<table style="table-layout: fixed; width: 200px"><tr><td style="overflow: hidden; '
        'text-overflow: ellipsis; white-space: nowrap; width: 100px">A quote far too long for '
        "its narrow cell</td><td>1</td></tr></table>",
        "overflows its cell",
    ),
    "column off the right edge": (
        '<div style="width: 300px; overflow-x: auto"><table><tr>'
        + "".join(f'<td style="white-space: nowrap">column number {i}</td>' for i in range(12))
        + "</tr></table></div>",
        "right edge",
    ),
    "pandas index": (
        '<table class="dataframe"><thead><tr style="text-align: right;"><th></th>'
        "<th>actor</th><th>value</th></tr></thead><tbody>"
        "<tr><th>0</th><td>A</td><td>3</td></tr><tr><th>1</th><td>B</td><td>4</td></tr>"
        "</tbody></table>",
        "unnamed index",
    ),
    "filtered pandas index": (
        '<table class="dataframe"><thead><tr><th></th><th>actor</th></tr></thead><tbody>'
        "<tr><th>4</th><td>A</td></tr><tr><th>17</th><td>B</td></tr></tbody></table>",
        "unnamed index",
    ),
}


def test_a_readable_table_has_no_problems(page_and_problems):
    page, _ = page_and_problems
    page.set_content(f'<div style="width: 900px">{GOOD}</div>')
    assert table_problems(page) == []


@pytest.mark.parametrize("name", list(BAD_PAGES))
def test_each_table_check_fails_on_its_bad_page(name, page_and_problems):
    page, _ = page_and_problems
    markup, expected = BAD_PAGES[name]
    page.set_content(f"<main>{GOOD}<section>{markup}</section></main>")
    problems = table_problems(page, "main")
    assert problems, f"{name}: no problem found"
    assert all(expected in p for p in problems), problems
    assert all(p.startswith("table 2") for p in problems), "the good table was blamed"
    assert table_problems(page, "section") != []


def test_text_that_ends_with_an_ellipsis_as_written_is_not_cut(page_and_problems, tmp_path):
    headline = "Journalists got acquainted with the draft agreement..."
    (tmp_path / "sources.csv").write_text(
        f'source_id,title\ns1,"{headline}"\ns2,A whole title\n', encoding="utf-8"
    )
    as_written = texts_ending_with_an_ellipsis(tmp_path)
    assert as_written == {headline}
    page, _ = page_and_problems
    page.set_content(f"<table><tr><td>{headline}</td><td>Cut here …</td></tr></table>")
    problems = table_problems(page, "table", as_written)
    assert len(problems) == 1, problems
    assert "Cut here" in problems[0]


def _explorer_table(rows: int, row_height: int, box_height: str) -> str:
    body = "".join(f'<tr style="height: {row_height}px"><td>row {i}</td></tr>' for i in range(rows))
    return (
        f'<div class="nl-explorer"><div class="nl-table" style="{box_height}">'
        f'<div class="scroll" style="max-height: 60em; overflow: auto">'
        f"<table><thead><tr><th>row</th></tr></thead><tbody>{body}</tbody></table>"
        "</div></div></div>"
    )


def test_visible_rows_counts_what_a_scroll_box_shows(page_and_problems):
    page, _ = page_and_problems
    page.set_content(_explorer_table(80, 20, ""))  # 60em of 80 rows of 20px: some hidden
    shown, total, _ = visible_rows(page.locator("table"), ".nl-explorer")
    assert total == 80
    assert 80 > shown >= 8

    # the complaint of issue 14: a fixed-height box that shows two rows
    page.set_content(_explorer_table(30, 20, "height: 70px; overflow: hidden"))
    shown, total, boxes = visible_rows(page.locator("table"), ".nl-explorer")
    assert (shown, total) == (2, 30)
    assert boxes[-1] == "div.nl-table 70px high"
