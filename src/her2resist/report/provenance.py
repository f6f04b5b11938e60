"""Provenance of a run: versions, config and the checksum of every input file."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import her2resist
from her2resist.clinical.endpoints import delayed_entry_statement

PathLike = str | Path

PACKAGES = [
    "snakemake",
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "openpyxl",
    "python-docx",
    "pyyaml",
    "jsonschema",
    "cyvcf2",
    "pysam",
    "lifelines",
    "statsmodels",
]


def sha256(path: PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(directory: PathLike) -> str | None:
    """HEAD of the repository holding ``directory``, '+dirty' when it has local changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(directory), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None


def provenance(
    config: dict[str, Any], inputs: dict[str, list[PathLike]], workflow_dir: PathLike
) -> dict[str, Any]:
    """``inputs`` maps a role (samples, clinical, variants...) to files; each gets a sha256."""
    files = {
        role: {str(path): sha256(path) for path in sorted(map(str, paths))}
        for role, paths in sorted(inputs.items())
    }
    return {
        "workflow": {
            "name": "her2resist",
            "version": her2resist.__version__,
            "git_commit": git_commit(workflow_dir),
        },
        "packages": package_versions(),
        "config": config,
        "analysis": {"delayed_entry": delayed_entry_statement(config["clinical"])},
        "inputs": files,
    }
