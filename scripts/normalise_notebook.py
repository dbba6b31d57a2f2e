"""Normalise stored notebooks so that re-running them only changes what really changed.

A notebook's stored outputs are the regression baseline that `pytest --nbval` compares against,
so they are committed. What JupyterLab and nbclient add on top of the outputs is noise in diffs
and, in part, megabytes: widget state, timing metadata, PNG snapshots of Plotly figures, the
Python patch version. This module removes exactly that and keeps outputs and execution counts
(nbval treats a cell with a null count as never run and silently skips it).

    python scripts/normalise_notebook.py notebooks/*.ipynb          # rewrite in place
    python scripts/normalise_notebook.py --check notebooks/*.ipynb  # exit 1 if any would change
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# What ipykernel reports, less `version` (the Python patch release differs between machines).
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
# Per-cell metadata written by front ends or by nbclient's timing; none of it is content.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return `nb` normalised in place (and also returned, for chaining).

    Removes: notebook `metadata.widgets` (widget state saved by JupyterLab or nbclient), cell
    timing and view metadata (`execution`, `ExecuteTime`, `collapsed`, `scrolled`), the
    `image/png` snapshot JupyterLab stores next to a Plotly figure, the widget-view bundle
    of widget outputs (it only names a random model id whose state is not stored, so it would
    render as "model not found"; the `text/plain` repr stays), and the split of one stream's text
    over several outputs (joined). Sets `kernelspec` to `python3`
    and `language_info` to a fixed value without the Python version.

    Keeps: every cell source, every other output (text, HTML, Plotly JSON, errors), execution
    counts and cell ids.
    """
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = nbformat.from_dict(dict(KERNELSPEC))
    nb.metadata["language_info"] = nbformat.from_dict(dict(LANGUAGE_INFO))
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        cell.outputs = _joined_streams(cell.outputs)
        for output in cell.outputs:
            data = output.get("data")
            if not data:
                continue
            if PLOTLY_MIME in data:
                data.pop("image/png", None)
            if WIDGET_VIEW_MIME in data:
                data.pop(WIDGET_VIEW_MIME)
                # A widget output with nothing left to show would be an empty bundle.
                data.setdefault("text/plain", "<widget>")
            # ipykernel keys output metadata by mime type; drop entries whose mime type is gone.
            metadata = output.get("metadata")
            if metadata:
                for mime in [mime for mime in metadata if "/" in mime and mime not in data]:
                    metadata.pop(mime)
    return nb


def _joined_streams(outputs: list) -> list:
    """`outputs` with consecutive stream outputs of the same name (stdout, stderr) joined into
    one: the kernel sends one print's text in one or several messages depending on timing (e.g.
    the text, then its newline), so the stored split would change from run to run. nbval joins
    them the same way before comparing."""
    joined: list = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] = previous["text"] + output["text"]
        else:
            joined.append(output)
    return joined


def normalised_text(text: str) -> str:
    """The file content `text` (a notebook as JSON) becomes after normalisation."""
    new_text = nbformat.writes(normalise(nbformat.reads(text, as_version=4)))
    return new_text if new_text.endswith("\n") else new_text + "\n"


def is_normalised(path: Path) -> bool:
    """True when normalising the notebook at `path` would not change a byte of it."""
    text = path.read_text(encoding="utf-8")
    return normalised_text(text) == text


def normalise_file(path: Path) -> bool:
    """Normalise the notebook at `path` in place; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    new_text = normalised_text(text)
    if new_text == text:
        return False
    path.write_text(new_text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="notebooks to normalise")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook would change"
    )
    args = parser.parse_args(argv)
    dirty = []
    for path in args.paths:
        if args.check:
            if not is_normalised(path):
                dirty.append(path)
        elif normalise_file(path):
            print(f"normalised {path}")
    if dirty:
        for path in dirty:
            print(f"not normalised: {path} (run: python scripts/normalise_notebook.py {path})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
