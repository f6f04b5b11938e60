"""The pip lock, environment.yml and every workflow/envs file pin the same versions."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml


def lock_pins(root: Path) -> dict[str, str]:
    pins = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def conda_pins(path: Path) -> dict[str, str]:
    pins = {}
    for item in yaml.safe_load(path.read_text())["dependencies"]:
        if isinstance(item, str) and "=" in item:
            name, version = re.split(r"\s*=+\s*", item, maxsplit=1)
            pins[name.strip().lower()] = version.strip()
    return pins


#: Programs the conda envs pin that pip cannot install: the venv takes them from the system
#: (``make setup`` installs bcftools from Debian), at the same version (tested below).
SYSTEM_TOOLS = {"bcftools"}


def env_files(root: Path) -> list[Path]:
    return [root / "environment.yml", *sorted((root / "workflow" / "envs").glob("*.yaml"))]


@pytest.mark.parametrize(
    "name", ["environment.yml", "core.yaml", "variants.yaml", "stats.yaml", "report.yaml"]
)
def test_env_pins_equal_the_lock(project_root: Path, name: str) -> None:
    path = next(p for p in env_files(project_root) if p.name == name)
    lock = lock_pins(project_root)
    pins = conda_pins(path)
    assert pins, f"{path} pins nothing"
    for package, version in pins.items():
        if package == "python" or package in SYSTEM_TOOLS:
            continue
        assert package in lock, f"{path.name}: {package} is not in requirements.lock"
        assert lock[package] == version, f"{path.name}: {package} {version} != lock {lock[package]}"


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_system_bcftools_is_the_pinned_one(project_root: Path) -> None:
    """The VCF reader runs bcftools: the one on the PATH is the version the conda env pins."""
    pinned = conda_pins(project_root / "workflow" / "envs" / "variants.yaml")["bcftools"]
    first = subprocess.run(["bcftools", "--version"], capture_output=True, text=True).stdout
    assert first.splitlines()[0] == f"bcftools {pinned}"


def test_every_rule_env_exists(project_root: Path) -> None:
    rules = (project_root / "workflow" / "rules").glob("*.smk")
    referenced = {m for r in rules for m in re.findall(r'"\.\./envs/([^"]+)"', r.read_text())}
    assert referenced == {p.name for p in (project_root / "workflow" / "envs").glob("*.yaml")}


def test_lock_pins_the_required_packages(project_root: Path) -> None:
    lock = lock_pins(project_root)
    for package in [
        "snakemake",
        "polars",
        "pysam",
        "pandas",
        "lifelines",
        "statsmodels",
        "scikit-learn",
        "jsonschema",
        "matplotlib",
        "openpyxl",
        "python-docx",
        "pytest",
    ]:
        assert package in lock
    assert lock["pandas"].startswith("2.")
    major, minor = (int(x) for x in lock["snakemake"].split(".")[:2])
    assert (major, minor) >= (9, 20)
