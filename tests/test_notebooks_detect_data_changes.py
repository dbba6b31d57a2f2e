"""Stored notebook outputs are a regression baseline for the data too: change one coded value of
the bundled dataset and the notebooks that show it must fail under nbval."""

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

ROOT = Path(__file__).resolve().parents[1]
DATASET = "ru-ua-2022-2026"


def run_nbval(runner, notebook: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = runner.kernel_environment({"NEGOTIATION_LIB_DATA": str(data_dir)})
    return subprocess.run(
        runner.nbval_command(f"notebooks/{notebook}"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_changing_one_coded_value_fails_the_gap_notebook(tmp_path, script_module):
    runner = script_module("run_notebooks")
    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data" / DATASET, data_dir / DATASET)
    positions = data_dir / DATASET / "positions.csv"
    with positions.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    # The first Russian position on Crimea: it enters the RU–UA gaps notebook 03 computes.
    target = next(r for r in rows if r["actor_id"] == "RU" and r["issue_id"] == "territory_crimea")
    target["value"] = str(float(target["value"]) - 10)
    target["value_low"] = target["value_high"] = ""
    with positions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    unchanged = run_nbval(runner, "03-gap-explorer.ipynb", ROOT / "data")
    assert unchanged.returncode == 0, unchanged.stdout[-2000:]
    changed = run_nbval(runner, "03-gap-explorer.ipynb", data_dir)
    assert changed.returncode != 0, "nbval passed although a coded value changed"
    assert "Cell outputs differ" in changed.stdout
