"""Figures as SVG and PDF files for papers, stamped with the dataset they were drawn from.

:func:`export_figure` renders a plotly figure with kaleido, which drives the Chromium installed
on the machine (it never downloads one): ``browser_path=``, else the ``BROWSER_PATH``
environment variable, else ``chromium`` / ``google-chrome`` on ``PATH``. The file carries the
dataset's id and version twice: on the figure (the ``Data: <id> v<version>`` line every
library figure shows, added when missing) and in the file's metadata (SVG: ``<title>``,
``<desc>`` and a Dublin Core ``<metadata>`` element; PDF: the document info's Title, Subject
and Keywords).

One headless Chromium is kept open between exports (a warm export skips the browser start) and
closed after :data:`IDLE_SECONDS` without an export, at exit, or by :func:`close_browser`.
Every wait on it is bounded by ``timeout``; running out raises :class:`ExportTimeoutError`,
naming what was waited for.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import copy
import datetime as dt
import html
import io
import os
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from . import text

__all__ = [
    "BROWSER_NAMES",
    "EXPORT_FORMATS",
    "IDLE_SECONDS",
    "ChromiumNotFoundError",
    "ExportTimeoutError",
    "close_browser",
    "export_figure",
    "find_chromium",
    "free_path",
    "stamp_figure",
]

EXPORT_FORMATS = ("svg", "pdf")
#: Executables looked for on PATH when neither ``browser_path`` nor ``BROWSER_PATH`` is given.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds without an export after which the kept-open Chromium is closed.
IDLE_SECONDS = 120.0
_CLOSE_SECONDS = 15.0
_FIX = (
    "Install Chromium (Debian/Ubuntu: apt-get install chromium) or point the export at an "
    "installed Chromium or Chrome with browser_path=... or the BROWSER_PATH environment variable."
)


class ChromiumNotFoundError(RuntimeError):
    """No Chromium/Chrome executable at the given path or on PATH."""


class ExportTimeoutError(TimeoutError):
    """Chromium did not start, or did not render the figure, within the timeout."""


def find_chromium(browser_path: str | os.PathLike | None = None) -> Path:
    """The Chromium executable to render with: ``browser_path``, else ``$BROWSER_PATH``, else
    the first of :data:`BROWSER_NAMES` on PATH. Raises :class:`ChromiumNotFoundError` (saying
    where it looked and how to fix it) when there is none."""
    if browser_path is None and os.environ.get("BROWSER_PATH"):
        browser_path, origin = os.environ["BROWSER_PATH"], "BROWSER_PATH="
    else:
        origin = "browser_path="
    if browser_path is not None:
        path = Path(browser_path)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ChromiumNotFoundError(
            f"No Chromium executable at {origin}{str(path)!r} for the figure export. {_FIX}"
        )
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ChromiumNotFoundError(
        f"No Chromium found for the figure export: BROWSER_PATH is not set and none of "
        f"{', '.join(BROWSER_NAMES)} is on PATH. {_FIX}"
    )


def free_path(folder: str | os.PathLike, stem: str, suffix: str) -> Path:
    """``folder/<stem><suffix>``, or ``<stem>-2<suffix>``, ``-3``, ... : the first name that
    does not exist yet (characters other than letters, digits, ``.``, ``_``, ``-`` in ``stem``
    become ``-``)."""
    folder = Path(folder)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "figure"
    path = folder / f"{stem}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{suffix}"
        number += 1
    return path


def stamp_figure(fig, neg):
    """A copy of ``fig`` (a plotly Figure) showing ``Data: <dataset id> v<version>`` and carrying
    the id and version in ``layout.meta``; ``fig`` itself is not changed. A figure that already
    shows the line (every ``nl.figures`` figure) keeps it; a figure drawn from another dataset
    (``layout.meta`` says so) raises ValueError."""
    from . import figures

    stamped = copy.deepcopy(fig)
    meta = stamped.layout.meta if isinstance(stamped.layout.meta, dict) else {}
    drawn_from = (meta.get("dataset_id"), meta.get("dataset_version"))
    wanted = (str(neg.id), text.dataset_version(neg))
    if drawn_from != (None, None) and tuple(map(str, drawn_from)) != wanted:
        drawn = f"{drawn_from[0]}" + (f" v{drawn_from[1]}" if drawn_from[1] else "")
        raise ValueError(
            f"This figure was drawn from dataset {drawn}, not from {text.dataset_name(neg)}: "
            "export it with the dataset it shows."
        )
    stamped.update_layout(meta={**meta, "dataset_id": wanted[0], "dataset_version": wanted[1]})
    label = text.dataset_label(neg)
    shown = [a for a in stamped.layout.annotations if a.name == "provenance" and a.text == label]
    if not shown:
        stamped.add_annotation(**figures._provenance_annotation(neg))
    return stamped


def export_figure(
    fig,
    path: str | os.PathLike,
    neg,
    *,
    format: str | None = None,
    width: int | None = None,
    height: int | None = None,
    browser_path: str | os.PathLike | None = None,
    timeout: float = 60.0,
) -> Path:
    """Write ``fig`` (a plotly Figure) to ``path`` as SVG or PDF and return the path written.

    ``format`` (``"svg"`` or ``"pdf"``) defaults to the suffix of ``path``; a path without a
    suffix gets one. The figure shows ``Data: <id> v<version>`` of ``neg`` (see
    :func:`stamp_figure`; ``fig`` is not changed) and the file's metadata names the dataset
    (id, version, title). ``width``/``height`` default to the figure's own size. Chromium is
    found by :func:`find_chromium`; starting it and rendering are each bounded by ``timeout``
    seconds (:class:`ExportTimeoutError`).
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    fmt = (format or suffix).lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"Cannot export {str(path)!r} as {fmt or 'no format'!r}: give a path ending in "
            f".svg or .pdf, or format='svg' / 'pdf'."
        )
    if not suffix:
        path = path.with_suffix(f".{fmt}")
    elif suffix != fmt:
        raise ValueError(f"format={fmt!r} but the path {str(path)!r} ends in .{suffix}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Cannot export to {str(path)!r}: the folder does not exist")
    chromium = find_chromium(browser_path)
    stamped = stamp_figure(fig, neg)
    opts = {"format": fmt}
    if width:
        opts["width"] = width
    if height:
        opts["height"] = height
    data = _BROWSER.render(stamped.to_dict(), opts, chromium=chromium, timeout=timeout)
    facts = _facts(stamped, neg)
    data = _svg_with_metadata(data, facts) if fmt == "svg" else _pdf_with_metadata(data, facts)
    path.write_bytes(data)
    return path


def close_browser() -> None:
    """Close the Chromium kept open between exports (the next export starts a new one)."""
    _BROWSER.close()


# --- metadata -------------------------------------------------------------------------------


def _plain(markup) -> str:
    """Plotly label text (escaped, with ``<br>`` and tags) as plain text on one line."""
    if text.is_missing(markup):
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(markup))).split())


def _facts(fig, neg) -> dict[str, str]:
    from . import __version__

    dataset, version = text.dataset_name(neg), text.dataset_version(neg)
    title = _plain(fig.layout.title.text) or "Figure"
    return {
        "id": str(neg.id),
        "version": version,
        "dataset": dataset,
        "title": f"{title} (data: {dataset})",
        "subject": (
            f"Data: dataset {neg.id}"
            + (f", version {version}" if version else "")
            + (f" ({_plain(neg.title)})" if neg.title else "")
        ),
        "keywords": f"dataset={neg.id}; version={version}",
        "creator": f"negotiation-lib {__version__} (plotly, kaleido, Chromium)",
        "date": dt.date.today().isoformat(),
    }


def _svg_with_metadata(svg: bytes, facts: dict[str, str]) -> bytes:
    """The SVG with ``<title>``, ``<desc>`` and a Dublin Core ``<metadata>`` as the root's first
    children (dcterms:source is the dataset, :func:`~negotiation_lib.text.dataset_name`)."""
    source = facts["dataset"]
    block = (
        f"<title>{xml_escape(facts['title'])}</title>"
        f"<desc>{xml_escape(facts['subject'])}. {xml_escape(facts['creator'])}.</desc>"
        "<metadata>"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dcterms="http://purl.org/dc/terms/">'
        '<rdf:Description rdf:about="">'
        f"<dcterms:title>{xml_escape(facts['title'])}</dcterms:title>"
        f"<dcterms:source>{xml_escape(source)}</dcterms:source>"
        f"<dcterms:description>{xml_escape(facts['subject'])}</dcterms:description>"
        f"<dcterms:created>{facts['date']}</dcterms:created>"
        "</rdf:Description></rdf:RDF></metadata>"
    )
    document = svg.decode("utf-8")
    root = re.search(r"<svg\b[^>]*>", document)
    if root is None:
        raise RuntimeError("Chromium returned no SVG document for the figure")
    return (document[: root.end()] + block + document[root.end() :]).encode("utf-8")


def _pdf_with_metadata(pdf: bytes, facts: dict[str, str]) -> bytes:
    """The PDF with Title, Subject, Keywords and Creator in its document info."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata(
        {
            "/Title": facts["title"],
            "/Subject": facts["subject"],
            "/Keywords": facts["keywords"],
            "/Creator": facts["creator"],
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the kept-open Chromium -----------------------------------------------------------------


class _Browser:
    """One kaleido ``Kaleido`` (a headless Chromium) on its own event-loop thread, so that an
    export works the same inside a Jupyter kernel (whose loop is already running) and outside.
    Exports take turns; every wait is bounded."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._chromium: Path | None = None
        self._idle: threading.Timer | None = None

    def render(self, figure: dict, opts: dict, *, chromium: Path, timeout: float) -> bytes:
        if not self._lock.acquire(timeout=2 * timeout + _CLOSE_SECONDS):
            raise ExportTimeoutError(
                f"Another figure export still holds Chromium ({chromium}) after "
                f"{2 * timeout + _CLOSE_SECONDS:.0f} s"
            )
        try:
            if self._idle is not None:
                self._idle.cancel()
            if self._kaleido is not None and (
                self._chromium != chromium or self._kaleido.subprocess.poll() is not None
            ):
                self._shut()
            if self._kaleido is None:
                self._open(chromium, timeout)
            try:
                data = self._wait(
                    self._kaleido.calc_fig(figure, opts=opts),
                    timeout,
                    f"Chromium ({chromium}) to render the figure",
                )
            except BaseException:
                self._shut(kill=True)
                raise
            self._idle = threading.Timer(IDLE_SECONDS, self.close)
            self._idle.daemon = True
            self._idle.start()
            return data
        finally:
            self._lock.release()

    def close(self) -> None:
        if not self._lock.acquire(timeout=_CLOSE_SECONDS):
            return  # an export is running; its own idle timer closes the browser later
        try:
            self._shut()
        finally:
            self._lock.release()

    def _open(self, chromium: Path, timeout: float) -> None:
        import kaleido

        self._loop = asyncio.new_event_loop()
        # a task abandoned after a timeout may still end with an error: the caller has heard
        # of it (the timeout), so the private loop does not print it again
        self._loop.set_exception_handler(lambda _loop, _context: None)
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="nl-export-chromium", daemon=True
        )
        self._thread.start()
        self._chromium = chromium
        # mathjax=False: no script from a CDN; plotly.js comes from the plotly package
        self._kaleido = kaleido.Kaleido(path=str(chromium), mathjax=False, timeout=timeout)
        try:
            self._wait(self._kaleido.open(), timeout, f"Chromium ({chromium}) to start")
        except ExportTimeoutError:
            self._shut(kill=True)
            raise
        except Exception as exc:
            self._shut(kill=True)
            raise RuntimeError(
                f"Chromium ({chromium}) did not start for the figure export: {exc}. {_FIX}"
            ) from exc

    def _wait(self, coroutine, timeout: float, what: str):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ExportTimeoutError(
                f"Waited {timeout:g} s for {what}, in vain. Try again with a larger timeout=, "
                f"check that this Chromium runs headless (e.g. '{self._chromium or 'chromium'} "
                f"--headless --dump-dom about:blank'), or: {_FIX}"
            ) from None

    def _shut(self, *, kill: bool = False) -> None:
        """Close the browser (``kill``: kill its process first, for a browser that does not
        answer) and stop the loop thread, each within _CLOSE_SECONDS."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        browser, self._kaleido, self._chromium = self._kaleido, None, None
        loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None:
            return
        process = getattr(browser, "subprocess", None)
        if kill:
            _kill(process)
        if browser is not None:
            future = asyncio.run_coroutine_threadsafe(browser.close(), loop)
            try:
                future.result(_CLOSE_SECONDS)
            except Exception:  # closing failed or timed out: make sure the process is gone
                future.cancel()
                _kill(process)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_CLOSE_SECONDS)
        if not thread.is_alive():
            loop.close()


def _kill(process) -> None:
    """Kill a browser process and what it started (its own process group on POSIX)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)  # choreographer starts it in a new session
    except (AttributeError, OSError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(_CLOSE_SECONDS)


_BROWSER = _Browser()
atexit.register(_BROWSER.close)
