"""The one lock file, pyproject.toml and environment.yml must describe the same environment."""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def read_lock() -> dict[str, str]:
    """Return {canonical package name: exact version} from requirements.lock."""
    pins = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert match, f"requirements.lock line {number} is not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    return [Requirement(spec) for spec in specs]


def environment_pip_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    pins = {}
    for entry in pip_section:
        if entry.startswith("-e"):
            continue
        name, _, version = entry.partition("==")
        assert version, f"environment.yml pip entry is not an exact pin: {entry!r}"
        pins[canonicalize_name(name)] = version
    return pins


LOCK = read_lock()


def test_lock_is_not_empty_and_has_the_core_packages():
    for name in ["pandas", "plotly", "ipywidgets", "jupyterlab", "nbval", "pytest", "playwright"]:
        assert name in LOCK, f"{name} missing from requirements.lock"


@pytest.mark.parametrize("requirement", pyproject_requirements(), ids=str)
def test_pyproject_range_admits_locked_version(requirement):
    name = canonicalize_name(requirement.name)
    assert name in LOCK, f"{requirement.name} is in pyproject.toml but not in requirements.lock"
    assert requirement.specifier.contains(LOCK[name], prereleases=True), (
        f"pyproject.toml asks for {requirement}, the lock pins {name}=={LOCK[name]}"
    )


def test_environment_yml_pins_equal_the_lock():
    pins = environment_pip_pins()
    drift = {n: (v, LOCK.get(n)) for n, v in pins.items() if LOCK.get(n) != v}
    assert not drift, f"environment.yml vs requirements.lock (yml, lock): {drift}"


def test_environment_yml_lists_every_direct_dependency():
    listed = set(environment_pip_pins())
    direct = {canonicalize_name(r.name) for r in pyproject_requirements()}
    assert direct - listed == set(), f"missing from environment.yml: {sorted(direct - listed)}"


def test_environment_yml_python_matches_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert Requirement(f"python{requires}").specifier.contains(python.split("=", 1)[1])


def test_running_environment_matches_the_lock():
    """Catches a stale .venv: what runs the tests is what the lock says."""
    stale = {}
    for name, version in LOCK.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            stale[name] = (version, None)
            continue
        if Version(installed) != Version(version):
            stale[name] = (version, installed)
    assert not stale, f"(locked, installed) differ: {stale}; run 'make env'"


def test_python_is_supported():
    assert sys.version_info >= (3, 11)
