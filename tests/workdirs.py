"""Working directories holding the example cohort, for tests that run the whole workflow."""

from __future__ import annotations

import shutil
from pathlib import Path

from example_cohort import generate


def example_workdir(work: Path, project_root: Path, patients: set[str] | None = None) -> Path:
    """Write the example cohort and the default config into ``work``.

    The sheet's paths are relative to ``work`` (outputs then do not depend on the folder).
    With ``patients``, the sheet, clinical and adverse-event tables keep only those patients,
    for runs that must fit a few minutes on 2 cores.
    """
    example = work / "resources" / "example"
    generate(example, workdir=work)
    if patients is not None:
        for name in (
            "samples.tsv",
            "clinical.tsv",
            "adverse_events.tsv",
            "visits.tsv",
            "measurements.tsv",
        ):
            lines = (example / name).read_text().splitlines(keepends=True)
            kept = [lines[0]] + [line for line in lines[1:] if line.split("\t", 1)[0] in patients]
            (example / name).write_text("".join(kept))
    (work / "config").mkdir(exist_ok=True)
    shutil.copy(project_root / "config" / "config.yaml", work / "config" / "config.yaml")
    return work


def run_snakemake(project_root: Path, work: Path, *extra: str, timeout: int = 900):
    """``snakemake`` on ``work`` with the default profile, 2 cores, no stdin."""
    import subprocess
    import sys

    return subprocess.run(
        [
            str(Path(sys.executable).with_name("snakemake")),
            "-s",
            str(project_root / "workflow" / "Snakefile"),
            "-d",
            str(work),
            "--cores",
            "2",
            "--profile",
            str(project_root / "profiles" / "local"),
            *extra,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
