"""The built wheel, installed into a fresh venv outside the repository, writes the report of a
dataset folder outside the repository (no checkout, no repository path).

The wheel is built by pip (isolated build: setuptools and wheel come from pip's cache or the
package index). The venv gets the wheel with `--no-deps`; its dependencies are the locked ones
already installed in this venv, reached through a `.pth` line (the editable install's own .pth
in that folder is not processed there, so `negotiation_lib` can only come from the wheel).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED = REPO_ROOT / "data" / "ru-ua-2022-2026"


def _run(*args, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_wheel_installs_and_reports_a_folder_outside_the_repository(tmp_path):
    wheels = tmp_path / "wheels"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        wheels,
        REPO_ROOT,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("negotiation_lib-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _run(python, "-m", "pip", "install", "--no-deps", "-q", wheel, cwd=tmp_path)
    target_site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).stdout.strip()
    )
    (target_site / "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    data = tmp_path / "my data" / "negotiation"
    shutil.copytree(BUNDLED, data)
    out = tmp_path / "report out"
    where = _run(
        python, "-c", "import negotiation_lib; print(negotiation_lib.__file__)", cwd=tmp_path
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where
    result = _run(python, "-m", "negotiation_lib", "report", data, "--out", out, cwd=tmp_path)
    assert "wrote 6 pages" in result.stdout
    assert (out / "plotly.min.js").stat().st_size > 1_000_000
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<span class="report-dataset-id">ru-ua-2022-2026</span>' in index
    assert str(REPO_ROOT) not in "".join(p.read_text(encoding="utf-8") for p in out.glob("*.html"))
