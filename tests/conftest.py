"""Shared test fixtures: project paths and the public data in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(
    os.environ.get("HER2RESIST_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")
)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(
            f"public test data not found at {SHARED_DATA}; "
            "set HER2RESIST_SHARED_DATA to the shared/data folder"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full workflow run on the example cohort (in a folder whose path has a space),
    shared by the end-to-end test modules (they run on one xdist worker: group "workflow")."""
    from workdirs import example_workdir, run_snakemake

    work = example_workdir(tmp_path_factory.mktemp("run with space"), PROJECT_ROOT)
    completed = run_snakemake(PROJECT_ROOT, work)
    assert completed.returncode == 0, completed.stderr[-5000:]
    return work
