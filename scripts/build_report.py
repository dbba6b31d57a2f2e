"""Build the static HTML report: every notebook executed afresh and rendered to one page.

    python scripts/build_report.py                       # notebooks/*.ipynb -> build/report/
    python scripts/build_report.py --dataset tests/fixtures/hostile --out build/report-hostile

The committed notebooks are read, never written. Each runs in a fresh kernel (see
scripts/run_notebooks.py) and becomes `<name>.html`; `index.html` is the rendered
`index.ipynb` (or a plain page when there is none) followed by a list of every page.

The pages work offline from file://: Plotly figures are drawn by one shared `plotly.min.js`
copied from the installed plotly package; no CDN, no require.js, no MathJax. Widget views
become a short note, since a static page has no kernel behind it (the notebooks show each
widget's default view again as a plain figure or table). Every page names the dataset (id and
version, from its datapackage.json) and the UTC date of the build.

Text from the data never becomes markup here: figures are embedded as JSON in
`<script type="application/json">` with `<`, `>` and `&` escaped, HTML and Markdown outputs pass
through an allowlist sanitiser (nh3: tags, attributes and URL schemes not on the list are
removed, script and style content with them), and plain text is escaped by nbconvert.

`--dataset FOLDER` makes the notebooks load that folder in place of the dataset id they ask for
(`--dataset-id`, default ru-ua-2022-2026), through the library's NEGOTIATION_LIB_DATA search
path; the notebooks themselves are unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import nbformat
import nh3
from nbconvert import HTMLExporter
from run_notebooks import (
    DEFAULT_CELL_TIMEOUT,
    NOTEBOOKS_DIR,
    REPO_ROOT,
    NotebookFailed,
    execute_notebook,
)
from traitlets.config import Config

from negotiation_lib.report import (
    PLOTLY_JS,
    RENDER_SCRIPT,
    copy_plotly_js,
    header_html,
    script_json,
)

DEFAULT_DATASET_ID = "ru-ua-2022-2026"
DATA_SEARCH_ENV = "NEGOTIATION_LIB_DATA"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "Interactive control — run the notebook in JupyterLab to use it."

# Which representation of an output the page shows, best first. JavaScript outputs are left out
# on purpose: a report page runs no code from a notebook's outputs.
DISPLAY_PRIORITY = [
    PLOTLY_MIME,
    WIDGET_VIEW_MIME,
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
]

REPORT_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}

{#- Nothing from the network: no require.js, MathJax, Mermaid or widget manager from a CDN. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}

{%- block extra_css -%}
<style type="text/css">
.report-header { font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px;
  padding: 8px 16px; border-bottom: 1px solid #ccc; background: #f7f7f7; }
.report-header a { margin-right: 1em; }
.report-widget-note { font-style: italic; color: #555; padding: 4px 0; }
.report-plotly { min-height: 120px; }
/* nl.show_table's cell style (the sanitiser drops inline styles; beats the lab template's) */
.jp-RenderedHTMLCommon table.nl-shown-table td, .jp-RenderedHTMLCommon table.nl-shown-table th {
  overflow-wrap: break-word; max-width: 36em; text-align: left; vertical-align: top; }
.report-pages { font-family: var(--jp-ui-font-family, sans-serif); padding: 8px 16px 24px; }
</style>
{%- endblock extra_css -%}

{%- block body_header -%}
{{ super() }}
{{ resources.report.header_html }}
{%- endblock body_header -%}

{%- block data_widget_view scoped -%}
<div class="jp-OutputArea-output report-widget-note">{{ resources.report.widget_note | e }}</div>
{%- endblock data_widget_view -%}

{%- block data_other -%}
{%- if resources.report.plotly_mime in output.data -%}
<div class="jp-OutputArea-output report-plotly">
<script type="application/json" class="report-plotly-figure">
{{- output.data[resources.report.plotly_mime] | script_json -}}
</script>
</div>
{%- endif -%}
{%- endblock data_other -%}

{%- block body_footer -%}
{{ resources.report.page_list }}
<script src="{{ resources.report.plotly_js }}"></script>
{{ resources.report.render_script }}
{{ super() }}
{%- endblock body_footer -%}
"""


def dataset_descriptor(*, dataset: Path | None, dataset_id: str) -> dict[str, Any]:
    """The datapackage.json of the dataset the notebooks will load, as a dict."""
    if dataset is not None:
        folder = dataset if dataset.is_dir() else dataset.parent
    else:
        folder = REPO_ROOT / "data" / dataset_id
    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        raise SystemExit(f"no datapackage.json in {folder}: give --dataset FOLDER or a dataset id")
    return json.loads(descriptor.read_text(encoding="utf-8"))


# What HTML from outputs and Markdown may keep: document structure, tables, text styling and
# links. No images (figures come as outputs), no script, no event-handler attribute, no form,
# no iframe or object, no inline style attribute; links keep only these URL schemes.
ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "style",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "lang", "dir", "align"],
    "a": ["href", "name", "rel", "target"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "ol": ["start"],
    "style": ["scoped"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def clean_html(fragment: Any) -> str:
    """HTML reduced to the allowlist above (nh3): other tags and attributes are removed, the
    text inside them kept (script and style content dropped), links only with allowed schemes."""
    text = fragment.decode() if isinstance(fragment, bytes) else str(fragment)
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_PROTOCOLS),
        strip_comments=True,
        link_rel=None,  # "rel" is an allowed attribute: keep what the page says
        clean_content_tags={"script"} - ALLOWED_TAGS,  # <style> is allowed (pandas Styler)
    )


def make_exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        config=Config({"NbConvertBase": {"display_data_priority": DISPLAY_PRIORITY}}),
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"report.html.j2": REPORT_TEMPLATE})],
        template_file="report.html.j2",
        sanitize_html=True,
        exclude_anchor_links=True,
    )
    exporter.register_filter("script_json", script_json)
    # nbconvert's own sanitiser keeps too little (no headings, paragraphs or table heads).
    exporter.register_filter("clean_html", clean_html)
    return exporter


_IPYNB_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/)([^"#?]+)\.ipynb([#?][^"]*)?"')


# The worked solutions (notebooks/solutions/) are not part of the report: a teacher shares the
# report with participants. A link to them keeps its text and loses its target.
_SOLUTIONS_LINK = re.compile(r'<a href="solutions/[^"]*"[^>]*>(.*?)</a>', re.S)


def _link_pages(page: str) -> str:
    """Point relative links between notebooks (`02-x.ipynb`) at their report pages (`02-x.html`);
    links into `solutions/` become plain text."""
    page = _SOLUTIONS_LINK.sub(lambda m: m[1], page)
    return _IPYNB_LINK.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', page)


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of the notebook, as plain text."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip() or fallback
    return fallback


def page_list_html(pages: list[tuple[str, str]]) -> str:
    items = "\n".join(
        f'<li><a class="report-page-link" href="{html.escape(href)}">{html.escape(title)}</a></li>'
        for href, title in pages
    )
    return f'<nav class="report-pages"><h2>Pages in this report</h2>\n<ul>\n{items}\n</ul></nav>'


def build_report(
    notebooks: list[Path],
    *,
    out: Path,
    dataset: Path | None = None,
    dataset_id: str = DEFAULT_DATASET_ID,
    timeout: int = DEFAULT_CELL_TIMEOUT,
    build_date: str | None = None,
    execute: bool = True,
) -> list[Path]:
    """Execute `notebooks` and write their pages, `index.html` and `plotly.min.js` into `out`.

    Returns the written HTML files, index first. When a notebook errors, the others are still
    executed and written, then ReportIncomplete (a NotebookFailed) names every failure.
    With `execute=False` the pages show the notebooks' stored outputs (which `make test`
    compares with a fresh run), so nothing is run.
    """
    if not execute and dataset is not None:
        raise ValueError("a report of another dataset must execute the notebooks")
    descriptor = dataset_descriptor(dataset=dataset, dataset_id=dataset_id)
    build_date = build_date or dt.datetime.now(dt.UTC).date().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    copy_plotly_js(out)

    with tempfile.TemporaryDirectory(prefix="report-data-") as data_dir:
        kernel_env = {}
        if dataset is not None:
            folder = dataset.resolve() if dataset.is_dir() else dataset.resolve().parent
            (Path(data_dir) / dataset_id).symlink_to(folder, target_is_directory=True)
            kernel_env[DATA_SEARCH_ENV] = os.pathsep.join(
                [data_dir, *filter(None, [os.environ.get(DATA_SEARCH_ENV)])]
            )
        executed, failures = [], []
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            if not execute:
                executed.append((path, nb))
                continue
            try:
                execute_notebook(
                    nb, cwd=path.parent, name=str(path), timeout=timeout, env=kernel_env
                )
            except NotebookFailed as error:
                failures.append(str(error))
                continue
            executed.append((path, nb))

    pages = [
        (f"{path.stem}.html", notebook_title(nb, path.stem))
        for path, nb in executed
        if path.stem != "index"
    ]
    exporter = make_exporter()
    header = {
        "dataset_id": descriptor.get("name", ""),
        "version": descriptor.get("version", ""),
        "build_date": build_date,
        "title": descriptor.get("title"),
    }
    base_resources = {
        "render_script": RENDER_SCRIPT,
        "widget_note": WIDGET_NOTE,
        "plotly_mime": PLOTLY_MIME,
        "plotly_js": PLOTLY_JS,
    }
    written = []
    index_nb = next((nb for path, nb in executed if path.stem == "index"), None)
    if index_nb is None:
        index_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Report")])
    index_html = _render(
        exporter,
        index_nb,
        title="Report",
        report={
            **base_resources,
            "header_html": header_html(**header),
            "page_list": page_list_html(pages),
        },
    )
    (out / "index.html").write_text(index_html, encoding="utf-8")
    written.append(out / "index.html")
    for path, nb in executed:
        if path.stem == "index":
            continue
        page = _render(
            exporter,
            nb,
            title=notebook_title(nb, path.stem),
            report={
                **base_resources,
                "header_html": header_html(**header, links=[("index.html", "Report index")]),
                "page_list": "",
            },
        )
        (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
        written.append(out / f"{path.stem}.html")
    if failures:
        raise ReportIncomplete(failures, written)
    return written


class ReportIncomplete(NotebookFailed):
    """Some notebooks failed; the pages of the others were written (`.written`)."""

    def __init__(self, failures: list[str], written: list[Path]):
        super().__init__("\n".join(failures))
        self.failures = failures
        self.written = written


def _render(exporter: HTMLExporter, nb, *, title: str, report: dict[str, Any]) -> str:
    nb = nbformat.from_dict(nb)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"report": report})
    return _link_pages(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/*)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "report")
    parser.add_argument(
        "--dataset", type=Path, help="dataset folder to load in place of --dataset-id"
    )
    parser.add_argument("--dataset-id", default=DEFAULT_DATASET_ID)
    parser.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT)
    parser.add_argument(
        "--stored",
        action="store_true",
        help="render the stored outputs without executing (quick; `make test` checks them)",
    )
    args = parser.parse_args(argv)
    notebooks = sorted(args.paths) if args.paths else sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    if not notebooks:
        print(f"no notebooks found in {NOTEBOOKS_DIR}", file=sys.stderr)
        return 1
    try:
        written = build_report(
            notebooks,
            out=args.out,
            dataset=args.dataset,
            dataset_id=args.dataset_id,
            timeout=args.timeout,
            execute=not args.stored,
        )
    except ReportIncomplete as error:
        for path in error.written:
            print(f"wrote {path}")
        for failure in error.failures:
            print(f"FAILED  {failure}", file=sys.stderr)
        print(f"report incomplete: {len(error.failures)} notebook(s) failed", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
