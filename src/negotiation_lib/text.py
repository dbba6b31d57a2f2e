"""Text for display: missing values, HTML escaping, numbers and dates, tables as HTML or text.

Every string that comes from a dataset and is meant for display passes through :func:`escape`
(or :func:`wrap`) before plotly or a browser sees it: plotly renders hover labels, titles and
tick labels as a subset of HTML. Text tables for terminals go through :func:`text_table`.
"""

from __future__ import annotations

import html
import itertools
import re
import secrets
import sys
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "DECIMALS",
    "ShownTable",
    "dataset_label",
    "dataset_name",
    "dataset_version",
    "displayed_rows",
    "escape",
    "escape_attribute",
    "format_date",
    "format_number",
    "frame_html",
    "is_missing",
    "message_html",
    "percent_encode",
    "readable_tables",
    "safe_url",
    "show_table",
    "text_table",
    "wrap",
]

SAFE_URL_SCHEMES = ("http://", "https://")
#: Decimals of every number shown for reading (tables, sentences, figure labels).
DECIMALS = 2


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas NA (and for nothing else)."""
    if value is None:
        return True
    if type(value) is str:  # the common cases answered without pd.isna's cost
        return False
    if type(value) is float:
        return value != value
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes are not missing
        return False


def escape(value: object) -> str:
    """Return ``value`` as HTML-escaped text (``&``, ``<``, ``>``); missing values become ``""``.

    Quotes are left as they are: they are harmless in text, and plotly's label renderer does not
    decode ``&quot;`` (it would show literally). Attribute values use :func:`escape_attribute`.
    """
    if is_missing(value):
        return ""
    return html.escape(str(value), quote=False)


def escape_attribute(value: object) -> str:
    """HTML-escape ``value`` for use inside a double-quoted attribute (quotes escaped too)."""
    if is_missing(value):
        return ""
    return html.escape(str(value), quote=True)


_OTHER_WHITESPACE = re.compile(r"[\t\n\x0b\x0c\r]")


def _fill(words: list[str], width: int) -> list[str]:
    """Lines of ``words`` joined by single spaces, each as full as ``width`` allows."""
    lines, first, length = [], 0, len(words[0])
    for i in range(1, len(words)):
        size = len(words[i])
        if length + 1 + size <= width:
            length += 1 + size
        else:
            lines.append(" ".join(words[first:i]))
            first, length = i, size
    return [*lines, " ".join(words[first:])]


def wrap(value: object, width: int = 60, *, max_lines: int | None = None) -> str:
    """Escape ``value`` and break it into lines of at most ``width`` characters joined by ``<br>``.

    The text is split on the raw string and each line escaped afterwards, so a ``<br>`` never
    lands inside an escaped entity; the only markup in the result is the ``<br>`` we add.
    With ``max_lines`` the text is cut and ends with an ellipsis.
    """
    if is_missing(value):
        return ""
    raw = str(value)
    spaced = "  " not in raw and not _OTHER_WHITESPACE.search(raw)  # words and single spaces
    if max_lines is not None and spaced:
        # a line takes at most width + 1 characters (its words and one space), so the lines
        # kept, and whether more follow, come from the text up to the first space past
        # max_lines + 1 full lines: the rest need not be read
        cut = raw.find(" ", (max_lines + 1) * (width + 1))
        raw = raw if cut < 0 else raw[:cut]
    words = raw.split(" ")
    if len(raw) <= width and raw == raw.strip() and not _OTHER_WHITESPACE.search(raw):
        lines = [raw]  # what textwrap gives for one short, clean line, without its cost
    elif spaced and raw == raw.strip() and "-" not in raw and max(map(len, words)) <= width:
        lines = _fill(words, width)  # what textwrap gives when no word breaks, without its cost
    else:
        lines = textwrap.wrap(raw, width=width, break_long_words=True) or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + " …"
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def safe_url(value: object) -> str | None:
    """Return the URL if it is an http(s) address, else None (``javascript:`` and friends)."""
    if is_missing(value):
        return None
    url = str(value).strip()
    return url if url.lower().startswith(SAFE_URL_SCHEMES) else None


def format_date(value: object) -> str:
    """ISO date ``YYYY-MM-DD`` or ``""`` when missing."""
    if type(value) is pd.Timestamp and value.year >= 1000:  # strftime's answer, faster
        return f"{value.year}-{value.month:02d}-{value.day:02d}"
    if is_missing(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def format_number(value: object, digits: int = DECIMALS) -> str:
    """A number rounded to ``digits`` decimals without trailing zeros, or ``""`` when missing."""
    if is_missing(value):
        return ""
    rounded = round(float(value), digits)
    text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_URL_SAFE = np.zeros(256, dtype=bool)
_URL_SAFE[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")] = True
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def percent_encode(value: str) -> str:
    """``value`` percent-encoded as UTF-8, as ``urllib.parse.quote(value)`` returns it (letters,
    digits, ``_.-~/`` kept), in one vectorised pass (a CSV of thousands of rows in a ``data:``
    link)."""
    raw = np.frombuffer(value.encode("utf-8"), dtype=np.uint8)
    safe = _URL_SAFE[raw]
    out = np.empty((len(raw), 3), dtype=np.uint8)
    out[:, 0] = np.where(safe, raw, ord("%"))
    out[:, 1] = _HEX[raw >> 4]
    out[:, 2] = _HEX[raw & 15]
    keep = np.ones((len(raw), 3), dtype=bool)
    keep[safe, 1:] = False
    return out[keep].tobytes().decode("ascii")


def dataset_version(neg) -> str:
    """The dataset's version as text (raw, unescaped); ``""`` when datapackage.json gives none
    (``version`` is optional)."""
    version = getattr(neg, "version", None)
    return "" if is_missing(version) else str(version).strip()


def dataset_name(neg) -> str:
    """``<dataset id> v<version>``, or the id alone when there is no version (raw, unescaped):
    how every label, export and summary names the dataset."""
    version = dataset_version(neg)
    return f"{neg.id} v{version}" if version else str(neg.id)


def dataset_label(neg) -> str:
    """The escaped provenance line every figure carries: ``Data: <dataset id> v<version>``
    (``Data: <dataset id>`` when there is no version)."""
    return f"Data: {escape(dataset_name(neg))}"


def frame_html(
    frame: pd.DataFrame,
    *,
    limit: int | None = 200,
    digits: int = DECIMALS,
    links: Mapping[str, Sequence[object]] | None = None,
    noun: str = "row",
    total: int | None = None,
    classes: str = "nl-data-table",
) -> str:
    """Any DataFrame as an HTML table escaped by pandas (``to_html(escape=True)``), its cells
    as :func:`show_table` writes them (numbers rounded to ``digits``, whole numbers as
    integers, dates as ISO days, missing values blank), a caption with the row count
    (``noun``: what a row is; ``total``: the count when ``frame`` holds only the first rows of
    a larger table) and, with ``limit``, only the first rows written. ``classes``: the
    table's CSS classes (besides pandas' ``dataframe``).

    ``links`` maps a column to one URL per row of ``frame``: a cell whose URL is http(s)
    (:func:`safe_url`) becomes a link (new tab, ``noopener``) around its escaped text."""
    shown = frame.head(limit) if limit is not None else frame
    formatters = {column: _formatter(frame[column], digits) for column in frame.columns}
    hrefs: list[str] = []
    # a linked cell's text is wrapped in a random marker, escaped by pandas with the rest and
    # then put inside <a>; the marker cannot occur in data (a fresh random token each call)
    marker = f"nl{secrets.token_hex(8)}"
    if links:
        shown = shown.copy()
        for column, urls in links.items():
            cells = []
            for value, url in zip(shown[column], list(urls)[: len(shown)], strict=True):
                cell = formatters[column](value)
                if safe_url(url) and cell:
                    cell = f"{marker}{len(hrefs)}{marker}{cell}{marker}"
                    hrefs.append(escape_attribute(safe_url(url)))
                cells.append(cell)
            shown[column] = pd.Series(cells, index=shown.index, dtype="object")
            formatters[column] = str
    table = shown.to_html(
        index=False,
        escape=True,
        formatters=formatters,
        na_rep="",
        border=0,
        classes=classes,
    )
    if hrefs:
        table = re.sub(
            f"{marker}(\\d+){marker}(.*?){marker}",
            lambda m: (
                f'<a href="{hrefs[int(m[1])]}" target="_blank" rel="noopener noreferrer">{m[2]}</a>'
            ),
            table,
            flags=re.DOTALL,
        )
    dates = [i for i, column in enumerate(frame.columns) if formatters[column] is format_date]
    table = _unbroken_columns(table, dates)
    total = len(frame) if total is None else total
    caption = f"{total} {noun}{'s' if total != 1 else ''}"
    if len(shown) < total:
        caption += f" (first {len(shown)} shown)"
    opening, rest = table.split(">", 1)
    return f"{opening}><caption>{escape(caption)}</caption>{rest}"


def _unbroken_columns(table: str, positions: Sequence[int]) -> str:
    """``table`` (pandas HTML, its text escaped) with the cells of the columns at ``positions``
    kept on one line: an ISO date would otherwise break at a hyphen in a narrow column."""
    if not positions:
        return table
    wanted = set(positions)

    def one_row(row: re.Match) -> str:
        column = itertools.count()
        return re.sub(
            "<td>",
            lambda _: '<td style="white-space:nowrap">' if next(column) in wanted else "<td>",
            row[0],
        )

    head, tbody, body = table.partition("<tbody>")
    return head + tbody + re.sub("<tr>.*?</tr>", one_row, body, flags=re.DOTALL)


def message_html(message: str) -> str:
    """An escaped notice for the explorers (``""`` for no message)."""
    if not message:
        return ""
    return f'<div class="nl-message-text" role="status">{escape(message)}</div>'


def _plain(value: object, limit: int | None) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # control characters from data must not drive the terminal
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(value))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def text_table(
    frame: pd.DataFrame,
    *,
    indent: str = "",
    rule: bool = False,
    limits: Mapping[str, int] | None = None,
) -> str:
    """``frame`` as an aligned plain-text table (header, an optional dashed ``rule``, one line per
    row; columns two spaces apart, lines prefixed by ``indent``). Missing values are blank,
    control characters shown escaped, and a column named in ``limits`` is cut to that many
    characters."""
    limits = dict(limits or {})
    columns = [str(c) for c in frame.columns]
    cells = [
        [_plain(v, limits.get(c)) for c, v in zip(columns, row, strict=True)]
        for row in frame.itertuples(index=False)
    ]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values) -> str:
        return indent + "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(columns)]
    if rule:  # the last column is never padded: its rule is as long as its header
        out.append(line(["-" * w for w in widths[:-1]] + ["-" * len(columns[-1])]))
    out += [line(r) for r in cells]
    return "\n".join(out)


# cells wrap instead of being cut (JupyterLab's own style has white-space: normal), and read
# from the top-left; inline, as JupyterLab keeps no <style> in a notebook not yet trusted, and
# short, as every cell of the stored outputs carries it
_CELL_STYLE = "overflow-wrap:break-word;max-width:36em;text-align:left;vertical-align:top"


def _has_meaningful_index(frame: pd.DataFrame) -> bool:
    """An index worth showing: named, or labels that are not row numbers (an unnamed integer
    index, e.g. left by filtering, is not shown)."""
    index = frame.index
    if any(name is not None for name in index.names):
        return True
    return not pd.api.types.is_integer_dtype(index)


def _cell(value: object, digits: int) -> str:
    """One value of a mixed column (e.g. a row shown as a column) as text."""
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return format_date(value)
    if isinstance(value, float) or (hasattr(value, "dtype") and value.dtype.kind == "f"):
        return format_number(value, digits)
    return str(value)


def _formatter(values: pd.Series, digits: int):
    """How a cell of the column ``values`` is written in a table: dates as ISO days
    (:func:`format_date` itself), floats rounded to ``digits``, anything else as text; missing
    values blank."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return format_date
    if pd.api.types.is_float_dtype(values):
        return lambda v: format_number(v, digits)
    return lambda v: _cell(v, digits)


class ShownTable:
    """A frame as :func:`show_table` shows it: ``frame`` is the full frame, ``shown`` the
    columns displayed (as text, missing values blank); displays as an escaped HTML table
    (``_repr_html_``) and as an aligned text table (``repr``), both deterministic."""

    def __init__(self, frame: pd.DataFrame, shown: pd.DataFrame, caption: str):
        self.frame, self.shown, self.caption = frame, shown, caption

    def _repr_html_(self) -> str:
        table = self.shown.to_html(index=False, escape=True, na_rep="", border=0)
        table = table.replace("<td>", f'<td style="{_CELL_STYLE}">')
        table = table.replace("<th>", f'<th style="{_CELL_STYLE}">')
        table = table.replace('class="dataframe"', 'class="dataframe nl-shown-table"', 1)
        opening, rest = table.split(">", 1)
        return f"{opening}><caption>{escape(self.caption)}</caption>{rest}"

    def __repr__(self) -> str:
        return text_table(self.shown) + "\n" + self.caption


def show_table(
    data: pd.DataFrame | pd.Series,
    columns: list[str] | None = None,
    *,
    index: bool | None = None,
    digits: int = DECIMALS,
    rows: int | None = None,
) -> ShownTable:
    """Return ``data`` ready to display the way the notebooks show tables: no index column
    unless it carries meaning (``index=None``: a named or non-default index is shown as
    columns; ``True``/``False`` force it), whole numbers as integers, other numbers rounded to
    ``digits``, dates as ISO days, missing values blank, text whole and wrapped (never cut).

    ``columns`` picks the columns to show (the caption names the others); the returned
    :class:`ShownTable`'s ``frame`` is the full frame. ``rows`` shows only the first that many
    rows (the caption says so). A Series (e.g. one row) is shown as two columns: its index
    (``field`` when unnamed) and its values (``value`` when unnamed)."""
    if isinstance(data, pd.Series):
        data = data.rename(data.name if isinstance(data.name, str) else "value").to_frame()
        if data.index.name is None:
            data.index.name = "field"
        index = True if index is None else index
    frame = data
    if index is None:
        index = _has_meaningful_index(frame)
    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.copy()
        frame.columns = [" · ".join(str(part) for part in col) for col in frame.columns]
    frame = frame.reset_index() if index else frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    chosen = list(frame.columns) if columns is None else [str(c) for c in columns]
    unknown = [c for c in chosen if c not in frame.columns]
    if unknown:
        raise KeyError(f"show_table: no column {unknown}; the columns are {list(frame.columns)}")
    shown = pd.DataFrame(index=frame.index if rows is None else frame.index[:rows])
    for column in chosen:
        values = frame[column] if rows is None else frame[column].iloc[:rows]
        shown[column] = values.map(_formatter(values, digits))
    total = len(frame)
    caption = f"{total} row{'s' if total != 1 else ''}"
    if len(shown) < total:
        caption += f" (first {len(shown)} shown)"
    hidden = [c for c in frame.columns if c not in chosen]
    if hidden:
        caption += f" · {len(chosen)} of {len(frame.columns)} columns shown; not shown: "
        caption += ", ".join(hidden)
    return ShownTable(data, shown.reset_index(drop=True), caption)


def displayed_rows(total: int) -> int | None:
    """How many rows of a ``total``-row frame a notebook shows, as pandas does: all (None) up
    to ``pd.options.display.max_rows``, else the first ``display.min_rows``."""
    most, fewest = pd.get_option("display.max_rows"), pd.get_option("display.min_rows")
    if not most or total <= most:
        return None
    return fewest or most


def _displayed_frame_html(frame: pd.DataFrame) -> str:
    return show_table(frame, rows=displayed_rows(len(frame)))._repr_html_()


def readable_tables(on: bool = True, *, shell=None) -> bool:
    """Make every DataFrame a notebook displays look as :func:`show_table` shows it (its HTML:
    no default index, whole numbers as integers, blanks for missing, text whole and wrapped;
    as many rows as pandas shows: :func:`displayed_rows`), or with ``on=False`` as pandas
    shows it.

    Only the HTML changes (the plain-text repr stays pandas'). ``import negotiation_lib`` turns
    it on in a running IPython kernel. Returns True when a shell (``shell``, default the running
    IPython) was changed, False when there is none."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    if on:
        formatter.for_type(pd.DataFrame, _displayed_frame_html)
    else:
        formatter.type_printers.pop(pd.DataFrame, None)
    return True
