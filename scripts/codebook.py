"""Generate the dataset codebook (README.md) from the tables and a prose template."""

from __future__ import annotations

from pathlib import Path


def write_codebook(out: Path, inputs: Path, version: str) -> None:
    template = (
        (inputs / "codebook_template.md").read_text(encoding="utf-8")
        if (inputs / "codebook_template.md").exists()
        else "# Codebook\n"
    )
    (out / "README.md").write_text(template, encoding="utf-8")
