"""Smoke run of benchmarks/run.py: the quick version of every task, into a tmp dir."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
HAS_BCFTOOLS = shutil.which("bcftools") is not None
HAS_R = shutil.which("Rscript") is not None

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
    runner.run(quick=True, out=out, work=work)
    return runner, out, work


@pytest.mark.bench
def test_results_json_has_every_task(quick_run):
    runner, out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    keys = {"task", "size", "seconds", "reference", "reference_seconds", "ratio", "peak_rss_mb"}
    assert [r["task"] for r in results] == list(runner.TASKS)
    for row in results:
        assert set(row) == keys
        assert row["seconds"] > 0, row
        assert row["peak_rss_mb"] > 0, row
    assert (out / "RESULTS.md").is_file()


@pytest.mark.bench
def test_reference_times_when_tools_installed(quick_run):
    _, out, _ = quick_run
    results = {r["task"]: r for r in json.loads((out / "results.json").read_text())}
    expect = {"ingest_full": HAS_BCFTOOLS, "ingest_panel": HAS_BCFTOOLS, "associate": HAS_R}
    for task, installed in expect.items():
        row = results[task]
        if installed:
            assert row["reference_seconds"] > 0, row
            assert row["ratio"] == pytest.approx(row["seconds"] / row["reference_seconds"])
        else:
            assert row["reference_seconds"] is None and row["ratio"] is None


@pytest.mark.bench
@pytest.mark.skipif(not HAS_BCFTOOLS, reason="bcftools not installed")
def test_ingest_row_counts_match_bcftools(quick_run):
    runner, _, work = quick_run
    vcf = work / f"bench_{runner.SIZES['quick']['records']}.vcf.gz"
    full = runner.measure_child("ingest", str(vcf))
    assert full["rows"] == runner._count_lines(runner._query_cmd(vcf))
    panel = runner.measure_child("ingest", str(vcf), str(work / "panel_regions.tsv"))
    assert 0 < panel["rows"] < full["rows"]
    assert panel["rows"] == runner._count_lines(runner._panel_pipeline(vcf, work / "panel.bed"))


@pytest.mark.bench
@pytest.mark.skipif(not HAS_R, reason="Rscript not installed")
def test_associate_hazard_ratios_agree_with_r(quick_run):
    runner, _, work = quick_run
    size = runner.SIZES["quick"]
    stem = f"{size['patients']}x{size['biomarkers']}"
    check = runner.compare_with_r(
        work / f"associate_ours_{stem}.tsv", work / f"associate_r_{stem}.tsv"
    )
    assert check["cox_rows_compared"] == size["biomarkers"]
    assert check["hr_max_rel_diff"] < runner.HR_TOLERANCE
    assert check["logrank_chi2_max_rel_diff"] < runner.HR_TOLERANCE
    assert check["fisher_p_max_rel_diff"] < runner.HR_TOLERANCE
