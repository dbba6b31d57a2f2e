"""What a reader sees in a table, checked on the page's DOM (the screenshots' counterpart).

- :func:`table_problems`: in every ``<table>`` under a CSS scope, cells whose text was cut by
  the library ("…" or "..." at the end), cells whose text overflows a box that hides it, cells
  outside the visible box of the table's scroll container (a column off the right edge),
  "NaN"/"nan"/"None"/"NaT"/"<NA>" shown as text, whole numbers shown as floats ("3.0"), and
  an unnamed index column (a leading column of row numbers under an empty header).
- :func:`visible_rows`: how many body rows of a table lie wholly inside the visible box of
  every clipping container around it inside ``within`` (its scroll box and what holds it, not
  the page or panel the reader scrolls to reach the table).

Each returns plain values, so a test asserts on them and a failure names the table and cell.
tests/e2e/test_readability_checks.py shows that every check fails on a page built to fail it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

__all__ = ["MIN_EXPLORER_ROWS", "table_problems", "texts_ending_with_an_ellipsis", "visible_rows"]

#: An explorer's table shows at least this many rows without scrolling (or all, when fewer).
MIN_EXPLORER_ROWS = 8

_TABLE_PROBLEMS = r"""
([scope, verbatim]) => {
    const problems = [];
    const asWritten = new Set(verbatim);
    const MISSING = new Set(['NaN', 'nan', 'None', 'NaT', '<NA>', 'null', 'undefined']);
    const clips = el => {
        const style = getComputedStyle(el);
        return style.overflowX !== 'visible' || style.overflowY !== 'visible';
    };
    const tables = [...document.querySelectorAll(scope)].flatMap(root =>
        root.matches('table') ? [root] : [...root.querySelectorAll('table')]);
    tables.forEach((table, t) => {
        const caption = (table.querySelector('caption') || {}).textContent || '';
        const where = `table ${t + 1}` + (caption ? ` (${caption.trim().slice(0, 60)})` : '');
        // the nearest ancestor that clips: what the reader can see of the table
        let box = table.parentElement;
        while (box && box !== document.body && !clips(box)) box = box.parentElement;
        const seen = box && box !== document.body ? box.getBoundingClientRect() : null;
        for (const cell of table.querySelectorAll('td, th')) {
            const text = cell.textContent.trim();
            const at = `${where}, cell ${JSON.stringify(text.slice(0, 50))}`;
            if (/(…|\.\.\.)$/.test(text) && !asWritten.has(text)) {
                problems.push(`${at}: text cut with an ellipsis`);
            }
            if (MISSING.has(text)) problems.push(`${at}: a missing value shown as text`);
            if (/^-?\d+\.0+$/.test(text)) problems.push(`${at}: a whole number shown as a float`);
            const style = getComputedStyle(cell);
            const hides = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
            if (hides && cell.scrollWidth > cell.clientWidth + 1) {
                problems.push(`${at}: text overflows its cell and is hidden`);
            }
            const rect = cell.getBoundingClientRect();
            if (seen && rect.width > 0 && rect.right > seen.right + 1) {
                problems.push(`${at}: cell beyond the right edge of the table's box`);
            }
        }
        // an unnamed index: every header row starts with an empty cell and the body's first
        // column holds row numbers
        const headRows = [...table.querySelectorAll('thead tr')];
        const bodyRows = [...table.querySelectorAll('tbody tr')];
        const unnamed = headRows.length > 0 && headRows.every(
            row => row.cells.length > 0 && row.cells[0].textContent.trim() === '');
        const firsts = bodyRows.map(row => row.cells[0]).filter(Boolean);
        const numbers = firsts.length > 0 && firsts.every(
            cell => /^\d+$/.test(cell.textContent.trim()));
        const rowNumbers = firsts.length > 1 && firsts.every(
            (cell, i) => cell.textContent.trim() === String(i));
        if ((unnamed && numbers) || (rowNumbers && firsts.every(c => c.tagName === 'TH'))) {
            problems.push(`${where}: an unnamed index column of row numbers`);
        }
    });
    return problems;
}
"""

_VISIBLE_ROWS = r"""
([table, within]) => {
    const clips = el => {
        const style = getComputedStyle(el);
        return style.overflowX !== 'visible' || style.overflowY !== 'visible';
    };
    let top = -Infinity, bottom = Infinity, left = -Infinity, right = Infinity;
    const boxes = [];
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
        if (within && el.matches(within)) break;
        if (clips(el)) {
            const r = el.getBoundingClientRect();
            boxes.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} `
                + `${Math.round(r.height)}px high`);
            top = Math.max(top, r.top); bottom = Math.min(bottom, r.bottom);
            left = Math.max(left, r.left); right = Math.min(right, r.right);
        }
    }
    const rows = [...table.querySelectorAll('tbody tr')];
    const shown = rows.filter(row => {
        const r = row.getBoundingClientRect();
        return r.height > 0 && r.top >= top - 1 && r.bottom <= bottom + 1 && r.left < right
            && r.right > left;
    });
    return [shown.length, rows.length, boxes];
}
"""


def table_problems(page, scope: str = "table", verbatim: Iterable[str] = ()) -> list[str]:
    """Every problem a reader would see in the tables under the CSS selector ``scope`` (the
    tables themselves, or elements holding them), one line each naming table and cell. A cell
    whose whole text is in ``verbatim`` (text from the data that ends with an ellipsis as
    written, e.g. a headline) is not taken for cut text."""
    return page.evaluate(_TABLE_PROBLEMS, [scope, sorted(verbatim)])


def texts_ending_with_an_ellipsis(*folders: Path) -> set[str]:
    """Every text value of the CSV tables in ``folders`` that ends with "…" or "..." as written
    (whitespace-trimmed): what :func:`table_problems` must not take for text the library cut."""
    found = set()
    for folder in folders:
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle):
                    found.update(v.strip() for v in row if v.strip().endswith(("…", "...")))
    return found


def visible_rows(table, within: str | None = None) -> tuple[int, int, list[str]]:
    """(rows wholly visible, rows in all, the clipping boxes as "tag.classes N px high") of a
    table locator's body: visible means inside every
    clipping ancestor's box, from the table up to (not including) the first ancestor matching
    ``within``."""
    shown, total, boxes = table.evaluate(
        "(table, within) => (" + _VISIBLE_ROWS + ")([table, within])", within
    )
    return shown, total, boxes
