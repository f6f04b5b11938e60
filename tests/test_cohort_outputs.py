"""Outputs follow the data (issue 15, part 7): a study with OS only, tissue only and one
timepoint gets no PFS, swimmer, longitudinal, ctDNA or AE outputs; the example gets them all."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workdirs import example_workdir, run_snakemake

from her2resist.cbioportal_study import study_config
from her2resist.config import validate_config
from her2resist.sheet import load_sample_sheet
from her2resist.study_data import study_data

ROOT = Path(__file__).resolve().parents[1]
GATED_JOBS = ("longitudinal", "exploratory_models")
# figures are one job (report_figures); the figures a study lacks data for are not its outputs
GATED_FIGURES = ("swimmer", "waterfall", "km_pfs_trial", "subgroups_forest")
# subgroups (ORR and PFS by level) need response or PFS; Table S4 is ORR by biomarker
GATED_TABLES = ("table5_adverse_events", "table3b_subgroups", "tableS4_response_associations")


def _cohort_study_module():
    spec = importlib.util.spec_from_file_location(
        "cohort_study", ROOT / "benchmarks" / "cohort_study.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_cohort(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A 300-patient study drawn like the benchmark's (OS from diagnosis, tissue, one
    timepoint, no response, no AEs), with the maf/cnv/clinical files the config names."""
    cohort_study = _cohort_study_module()
    work = tmp_path_factory.mktemp("cohort")
    cohort_study.write_study(work / "study", n_patients=300, n_samples=330, n_mutations=1500)
    cohort_study.write_workflow_inputs(work / "study", work)
    return work


def test_study_data_of_the_example_has_everything(project_root: Path) -> None:
    config = yaml.safe_load((project_root / "config" / "config.yaml").read_text())
    config = validate_config(config, "config")
    samples, problems = load_sample_sheet(config)
    assert not problems
    data = study_data(config, samples)
    assert data.pfs and data.os and data.response
    assert data.plasma and data.second_timepoint and data.adverse_events
    assert data.survival_endpoints == ("pfs", "os")
    assert data.measured == ("pfs", "os", "response")


def test_study_data_of_an_os_only_cohort(small_cohort: Path, monkeypatch) -> None:
    monkeypatch.chdir(small_cohort)
    config = validate_config(yaml.safe_load(Path("config.yaml").read_text()), "config")
    # as common.smk does: the study folder gives the sheet and maps OS_MONTHS/OS_STATUS
    config = study_config(config, small_cohort / "results" / "study")
    samples = pd.read_csv(config["samples"], sep="\t")
    data = study_data(config, samples)
    assert (data.pfs, data.os, data.response) == (False, True, False)
    assert (data.plasma, data.second_timepoint, data.adverse_events) == (False, False, False)
    assert data.survival_endpoints == ("os",)
    assert data.measured == ("os",)
    # the same study with PFS columns mapped but PFS not among the endpoints: still no PFS
    config["clinical"]["columns"] |= {"pfs_time": "OS_MONTHS", "pfs_event": "OS_STATUS"}
    assert not study_data(config, samples).pfs
    config["endpoints"] = ["pfs", "os"]
    assert study_data(config, samples).pfs


def _planned(completed) -> tuple[dict[str, int], str]:
    text = completed.stdout + completed.stderr
    stats = text[text.index("Job stats:") :]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", stats, flags=re.M))
    return {k: int(v) for k, v in jobs.items()}, text


@pytest.mark.slow
def test_os_only_cohort_plans_no_pfs_response_plasma_or_longitudinal_jobs(
    small_cohort: Path, project_root: Path
) -> None:
    completed = run_snakemake(
        project_root, small_cohort, "-n", "--configfile", str(small_cohort / "config.yaml")
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    jobs, text = _planned(completed)
    for job in GATED_JOBS:
        assert job not in jobs, job
    for figure in GATED_FIGURES:
        assert f"{figure}.png" not in text, figure
    assert jobs["report_figures"] == 1
    assert "km_os_trial.png" in text and "oncoprint.png" in text
    for table in GATED_TABLES:
        assert table not in text, table
    assert "subgroups.tsv" not in text and "follow_up.tsv" in text
    assert "acquired.tsv" not in text and "concordance.tsv" not in text
    assert jobs["ctdna_features"] == 1 and jobs["associate"] == 1


@pytest.mark.slow
def test_example_still_plans_every_output(tmp_path: Path, project_root: Path) -> None:
    work = example_workdir(tmp_path, project_root)
    completed = run_snakemake(project_root, work, "-n")
    assert completed.returncode == 0, completed.stderr[-3000:]
    jobs, text = _planned(completed)
    assert jobs["report_figures"] == 1
    for figure in ("swimmer", "km_pfs_trial", "km_os_trial", "forest", "oncoprint"):
        assert f"{figure}.png" in text, figure
    assert jobs["longitudinal"] == 1 and jobs["ctdna_features"] == 1
    assert jobs["exploratory_models"] == 1
    assert "table5_adverse_events.docx" in text and "km_pfs_trial.png" in text
    for table in GATED_TABLES:
        assert f"{table}.docx" in text, table
    assert "subgroups_forest.png" in text
