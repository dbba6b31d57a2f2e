"""scripts/build_report.py without a browser: escaping, sanitising, links, and the files written.

The browser tests in tests/e2e/test_report.py check the rendered pages; these run everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "notebooks" / "fixture_basic.ipynb"
MARKUP = "<script>window.__pwned=1</script> <img src=x onerror=alert(1)> </script><!-- &amp;"


def test_script_json_cannot_close_its_script_element(script_module):
    builder = script_module("build_report")
    text = builder.script_json({"title": MARKUP, "x": [1.5, 2]})
    for character in "<>&":
        assert character not in text
    assert json.loads(text) == {"title": MARKUP, "x": [1.5, 2]}


def test_clean_html_keeps_structure_and_neutralises_markup(script_module):
    builder = script_module("build_report")
    html = (
        "<h1>Title</h1><table><thead><tr><th>a</th></tr></thead>"
        "<tbody><tr><td><script>window.__pwned=1</script><img src=x onerror=alert(1)></td></tr>"
        "</tbody></table>"
        '<a href="javascript:alert(1)">x</a><a href="https://example.org/">y</a>'
        '<p onclick="alert(1)">p</p>'
    )
    cleaned = builder.clean_html(html)
    for kept in ("<h1>", "<table>", "<thead>", "<th>", "<td>", 'href="https://example.org/"'):
        assert kept in cleaned
    for removed in ("<script", "<img", "onclick", "javascript:"):
        assert removed not in cleaned
    # Disallowed tags go, and a script's content with them; the text of other cells stays.
    assert "window.__pwned" not in cleaned
    assert "<td></td>" in cleaned
    assert cleaned.count("<a") == 2  # the javascript: link keeps its text, not its href


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(
            '<a href="03-gap-explorer.ipynb">x</a> <a href="01-tour.ipynb#top">y</a> '
            '<a href="https://example.org/a.ipynb">z</a>',
            '<a href="03-gap-explorer.html">x</a> <a href="01-tour.html#top">y</a> '
            '<a href="https://example.org/a.ipynb">z</a>',
            id="links between notebooks point at pages",
        ),
        pytest.param(
            'Worked solutions: <a href="solutions/01-tour-solutions.ipynb">solutions/01-tour'
            '-solutions.ipynb</a> (try first). <a href="02-x.ipynb">next</a>',
            "Worked solutions: solutions/01-tour-solutions.ipynb (try first). "
            '<a href="02-x.html">next</a>',
            id="links to the worked solutions keep their text only",
        ),
    ],
)
def test_links_in_a_notebook_page(script_module, page, expected):
    assert script_module("build_report")._link_pages(page) == expected


def test_report_files_and_header(script_module, tmp_path):
    builder = script_module("build_report")
    written = builder.build_report([FIXTURE], out=tmp_path, build_date="2026-01-02")
    assert [p.name for p in written] == ["index.html", "fixture_basic.html"]
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000
    meta = json.loads((REPO_ROOT / "data" / "ru-ua-2022-2026" / "datapackage.json").read_text())
    for page in written:
        html = page.read_text(encoding="utf-8")
        assert f'<span class="report-dataset-id">{meta["name"]}</span>' in html
        assert f'<span class="report-dataset-version">{meta["version"]}</span>' in html
        assert '<span class="report-build-date">2026-01-02</span>' in html
        assert html.count('<script src="plotly.min.js"></script>') == 1
        # No other script file at all: no require.js, MathJax, Mermaid or widget manager.
        assert html.count("<script src=") == 1
    page = (tmp_path / "fixture_basic.html").read_text(encoding="utf-8")
    assert page.count('class="report-plotly-figure"') == 1
    assert builder.WIDGET_NOTE in page
    assert 'href="fixture_basic.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_stored_outputs_render_without_executing(script_module, tmp_path):
    """execute=False renders what the notebook holds: an output a run would replace stays."""
    builder = script_module("build_report")
    nb = nbformat.read(FIXTURE, as_version=4)
    printed = next(c for c in nb.cells if c.cell_type == "code" and c.get("outputs"))
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="only-stored\n")]
    notebook = tmp_path / "stored.ipynb"
    nbformat.write(nb, notebook)
    builder.build_report([notebook], out=tmp_path / "out", execute=False)
    assert "only-stored" in (tmp_path / "out" / "stored.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="must execute"):
        builder.build_report([notebook], out=tmp_path / "x", dataset=tmp_path, execute=False)
