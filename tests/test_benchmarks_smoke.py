"""Smoke run of benchmarks/run.py: the quick version of every task, into a tmp dir.

Tiny sizes (2,000 VCF records, 200 patients x 10 biomarkers, a 50-sample `snakemake -n`,
the example's dry run only: the end-to-end example runs in test_workflow.py and friends),
so the benchmarks never rot; figures are not checked, only that every task ran, the
results.json layout and the agreement with the reference tools."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
import sys
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
HAS_BCFTOOLS = shutil.which("bcftools") is not None
HAS_R = shutil.which("Rscript") is not None
KEYS = {"task", "size", "seconds", "reference", "reference_seconds", "ratio", "peak_rss_mb"}

pytestmark = [pytest.mark.bench, pytest.mark.xdist_group("benchmarks")]


def _load_runner():
    name = "her2resist_benchmarks_run"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, RUN_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    runner = _load_runner()
    base = tmp_path_factory.mktemp("bench")
    out, work = base / "out", base / "work"
    results, checks = runner.run(quick=True, out=out, work=work)
    return runner, out, work, results, checks


def _by_task(results: list[dict], checks: list[dict]) -> dict[str, tuple[dict, dict]]:
    return {r["task"]: (r, c) for r, c in zip(results, checks, strict=True)}


def test_results_json_has_every_task(quick_run):
    runner, out, _, results, _ = quick_run
    written = json.loads((out / "results.json").read_text())
    assert written == results
    assert {r["task"] for r in written} == set(runner.TASKS)
    for row in written:
        ingest = row["task"] in runner.INGEST_TASKS
        assert set(row) == KEYS | ({"ratio_vs_split_vep"} if ingest else set())
        assert row["seconds"] > 0, row
        assert row["peak_rss_mb"] > 0, row
    text = (out / "RESULTS.md").read_text()
    for heading in ("| task | size |", "target (issue #9)", "## Method", "## Machine"):
        assert heading in text
    table = text[text.index("| task | size |") :].split("\n\n")[0].splitlines()
    assert len(table) == len(written) + 2  # header, separator, one row per result
    assert "## Where the ingestion time goes" in text


def test_reference_times_when_tools_installed(quick_run):
    runner, _, _, results, checks = quick_run
    rows = {r["task"]: r for r in results}
    expect = dict.fromkeys(runner.INGEST_TASKS, HAS_BCFTOOLS) | {"associate": HAS_R}
    for task, installed in expect.items():
        row = rows[task]
        if installed:
            assert row["reference_seconds"] > 0, row
            assert row["ratio"] == pytest.approx(row["seconds"] / row["reference_seconds"])
        else:
            assert row["reference_seconds"] is None and row["ratio"] is None
    split_vep = HAS_BCFTOOLS and runner._has_split_vep()
    for task in runner.INGEST_TASKS:
        row, check = _by_task(results, checks)[task]
        if split_vep:  # issue 17's figure: whole process against bcftools +split-vep -s worst
            expected = row["seconds"] / check["split_vep_worst_s"]
            assert row["ratio_vs_split_vep"] == pytest.approx(expected)
            assert "split-vep -s worst (issue 17): " in runner.target_text(row, check)
        else:
            assert row["ratio_vs_split_vep"] is None
    for task, target in runner.TARGET_SECONDS.items():
        row = rows[task]
        assert row["reference"] == runner.TARGET_REFERENCE
        assert row["reference_seconds"] == target
        assert row["ratio"] == pytest.approx(row["seconds"] / target)


@pytest.mark.skipif(not HAS_BCFTOOLS, reason="bcftools not installed")
def test_ingest_row_counts_match_bcftools(quick_run):
    runner, _, work, results, checks = quick_run
    for task in runner.INGEST_TASKS:
        _, check = _by_task(results, checks)[task]
        assert check["rows_ours"] == check["rows_reference"] > 0, (task, check)
    full = _by_task(results, checks)["ingest_full"][1]["rows_ours"]
    panel = _by_task(results, checks)["ingest_panel"][1]["rows_ours"]
    assert 0 < panel < full
    # the same check by hand, on the written stage output
    vcf = work / f"bench_{runner.SIZES['quick']['records'][0]}.vcf.gz"
    runner.measure_child("ingest", str(vcf), str(work / "again.tsv"))
    assert runner._tsv_rows(work / "again.tsv") == runner._count_lines(runner._query_cmd(vcf))
    assert runner._tsv_rows(work / "again.tsv") == full


@pytest.mark.skipif(not HAS_R, reason="Rscript not installed")
def test_associate_agrees_with_r(quick_run):
    runner, _, _, results, checks = quick_run
    row, check = _by_task(results, checks)["associate"]
    patients, biomarkers = runner.SIZES["quick"]["cohorts"][0]
    assert row["size"].startswith(f"{patients:,} patients x {biomarkers}")
    assert check["biomarkers"] == check["cox_rows_compared"] == biomarkers
    for column in runner.COMPARED:
        assert check[f"{column}_max_rel_diff"] < runner.HR_TOLERANCE, column
    assert "equal to 1e-06: met" in runner.target_text(row, check)


def test_dag_and_example_dry_runs_plan_every_sample(quick_run):
    runner, _, work, results, checks = quick_run
    n_samples = runner.SIZES["quick"]["dag_samples"]
    row, check = _by_task(results, checks)["dag"]
    # one variants job per sample, one cnv job per tissue sample, plus the cohort jobs
    assert check["jobs_planned"] > n_samples + n_samples // 2
    assert 0 < check["parse_and_validate_s"] <= check["dag_built_s"] <= row["seconds"]
    sheet = (work / f"dag_{n_samples}" / "inputs" / "samples.tsv").read_text().splitlines()
    assert len(sheet) == n_samples + 1
    row, check = _by_task(results, checks)["example"]
    assert check["mode"] == "dry run (-n)" and check["jobs"] > 63
    assert not math.isnan(check["parse_and_validate_s"])


def test_dag_inputs_are_deterministic(tmp_path):
    runner = _load_runner()
    a = runner.inputs.write_dag_workdir(tmp_path / "a", 5).parents[1]
    b = runner.inputs.write_dag_workdir(tmp_path / "b", 5).parents[1]
    for name in ("samples.tsv", "clinical.tsv", "adverse_events.tsv"):
        assert (a / "inputs" / name).read_bytes() == (b / "inputs" / name).read_bytes()
    assert len((a / "inputs" / "samples.tsv").read_text().splitlines()) == 6
    assert len((a / "inputs" / "clinical.tsv").read_text().splitlines()) == 4
