"""Resume and determinism on the example cohort.

To stay within a few minutes on 2 cores the runs use the first patients of the example cohort
(including P12, whose tissue sample failed QC, and P30, who was not sequenced) and stop at the
``report_tables`` rule (every TSV result; figures and exports are not needed here).

* a run killed with SIGKILL mid-way completes on re-run (``--unlock``, then the default
  profile's ``--rerun-incomplete``) with TSV outputs byte-identical to an uninterrupted run;
* two clean runs give byte-identical ``results/`` TSV tables;
* the aggregate tables (``results/tables/*.tsv``) carry no dates.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from workdirs import example_workdir

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
PATIENTS = {"P01", "P02", "P03", "P04", "P05", "P12", "P30"}
TARGET = "report_tables"


def prepare(work: Path, project_root: Path) -> Path:
    return example_workdir(work, project_root, PATIENTS)


def command(work: Path, project_root: Path, *extra: str) -> list[str]:
    return [
        str(SNAKEMAKE),
        "-s",
        str(project_root / "workflow" / "Snakefile"),
        "-d",
        str(work),
        "--profile",
        str(project_root / "profiles" / "local"),
        "--cores",
        "2",
        *extra,
    ]


def build(work: Path, project_root: Path) -> list[str]:
    return command(work, project_root, TARGET)


def run(work: Path, project_root: Path, *extra: str) -> None:
    completed = subprocess.run(
        command(work, project_root, *extra),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]


def tsv_outputs(work: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(work)): p.read_bytes() for p in sorted((work / "results").rglob("*.tsv"))
    }


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    work = prepare(tmp_path_factory.mktemp("clean run"), project_root)
    run(work, project_root, TARGET)
    return work


def test_killed_run_resumes_to_identical_outputs(
    clean_run: Path, tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> None:
    work = prepare(tmp_path_factory.mktemp("killed run"), project_root)
    process = subprocess.Popen(
        build(work, project_root),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so the kill reaches every job
    )
    deadline = time.monotonic() + 300
    variants = work / "results" / "variants"
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if variants.is_dir() and len(list(variants.glob("*.tsv"))) >= 3:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert not (work / "results" / "tables").exists(), "killed too late to test resuming"
    run(work, project_root, "--unlock")
    run(work, project_root, TARGET)  # the default profile sets rerun-incomplete
    resumed, clean = tsv_outputs(work), tsv_outputs(clean_run)
    assert sorted(resumed) == sorted(clean)
    different = [name for name in clean if resumed[name] != clean[name]]
    assert not different, different


def test_two_clean_runs_are_byte_identical(
    clean_run: Path, tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> None:
    work = prepare(tmp_path_factory.mktemp("second clean run"), project_root)
    run(work, project_root, TARGET)
    second, first = tsv_outputs(work), tsv_outputs(clean_run)
    assert sorted(second) == sorted(first)
    different = [name for name in first if second[name] != first[name]]
    assert not different, different


def test_aggregate_tables_carry_no_dates(clean_run: Path) -> None:
    clinical = pd.read_csv(clean_run / "resources/example/clinical.tsv", sep="\t", nrows=0)
    date_columns = [c for c in clinical.columns if "date" in c]
    assert date_columns, "the example has date columns to leak"
    tables = sorted((clean_run / "results" / "tables").glob("*.tsv"))
    assert tables
    for table in tables:
        text = table.read_text()
        assert not ISO_DATE.search(text), f"{table.name} contains a date"
        header = text.split("\n", 1)[0].split("\t")
        assert not set(header) & set(date_columns), f"{table.name} has a date column"
        for column in date_columns:
            assert column not in text, f"{table.name} mentions {column}"
