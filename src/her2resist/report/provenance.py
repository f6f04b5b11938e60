"""Provenance of a run: versions, config and the checksum of every input file."""

from __future__ import annotations

import hashlib
import subprocess
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
    "xlsxwriter",
    "pyyaml",
    "jsonschema",
    "polars",
    "lifelines",
    "statsmodels",
]


def sha256(path: PathLike) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(directory: PathLike) -> str | None:
    """HEAD of the repository holding ``directory``, '+dirty' when it has local changes."""

    def git(*args: str) -> str:
        command = ["git", "-C", str(directory), *args]
        run = subprocess.run(command, capture_output=True, text=True, timeout=20, check=True)
        return run.stdout.strip()

    try:
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
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
