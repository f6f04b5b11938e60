"""The bad-input catalogue (tests/bad_inputs/<case>/case.yaml, see docs/errors.md).

Every case runs through ``her2resist validate``: valid cases must pass (and show their
expected warnings), error cases must fail with exit code 2, no traceback, and every
expected file/line/column substring in the message. Valid cases marked ``pipeline`` then run
every stage in-process, and every input patient and sample must appear exactly once in the
disposition listing. Cases marked ``snakemake`` also go through the real parse-time check
(``snakemake -n``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from her2resist import cli
from her2resist.config import load_config
from her2resist.matrix import biomarker_status
from her2resist.report.tables import disposition
from her2resist.run import validate
from her2resist.run.annotate import run_annotate
from her2resist.run.clinical import run_clinical
from her2resist.run.cnv import run_cnv
from her2resist.run.matrix import run_matrix
from her2resist.run.variants import run_variants
from her2resist.run.variants_maf import run_variants_from_maf
from her2resist.tables import read_table

CATALOGUE = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.parent.name for p in CATALOGUE.glob("*/case.yaml"))


def meta(name: str) -> dict:
    return yaml.safe_load((CATALOGUE / name / "case.yaml").read_text())


@pytest.fixture
def case_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A copy of the case in a temporary folder, which is the working directory."""
    work = tmp_path / "case"
    shutil.copytree(CATALOGUE / request.param, work)
    cwd = Path.cwd()
    os.chdir(work)
    yield work
    os.chdir(cwd)


def run_validate(capsys: pytest.CaptureFixture) -> tuple[int, str]:
    code = cli.main(["validate", "--config", "config.yaml", "--outdir", "out"])
    return code, capsys.readouterr().err


def test_catalogue_is_large_enough() -> None:
    valid = [c for c in CASES if meta(c)["valid"]]
    assert len(CASES) >= 40, CASES
    assert len(valid) >= 15 and len(CASES) - len(valid) >= 25


def test_catalogue_matches_builder(tmp_path: Path) -> None:
    """The folders are what tests/bad_inputs/build.py writes (re-run it after editing)."""
    sys.path.insert(0, str(CATALOGUE))
    try:
        import build
    finally:
        sys.path.pop(0)
    assert sorted(build.build(tmp_path)) == CASES
    for name in CASES:
        for built in (tmp_path / name).rglob("*"):
            if built.is_file() and built.suffix not in {".xlsx", ".gz"}:  # zip/gzip timestamps
                stored = CATALOGUE / name / built.relative_to(tmp_path / name)
                assert built.read_bytes() == stored.read_bytes(), stored


@pytest.mark.parametrize("case_dir", CASES, indirect=True)
def test_case(case_dir: Path, capsys: pytest.CaptureFixture) -> None:
    info = yaml.safe_load((case_dir / "case.yaml").read_text())
    code, err = run_validate(capsys)
    assert "Traceback" not in err
    if info["valid"]:
        assert code == 0, err
        report = pd.read_csv("out/qc/input_report.tsv", sep="\t", dtype=str).fillna("")
        text = "\n".join(
            f"{r.file}, line {r['where']}, column '{r.column}': {r.message}"
            if r["where"].isdigit()
            else f"{r.file}, {r['where']}, column '{r.column}': {r.message}"
            for _, r in report.iterrows()
        )
        for expected in info.get("warnings", []):
            assert expected in text, f"{expected!r} not in warnings:\n{text}"
    else:
        assert code == 2, err
        assert "input problem(s)" in err
        for expected in info["expect"]:
            assert expected in err, f"{expected!r} not in:\n{err}"


PIPELINE = [c for c in CASES if meta(c)["valid"] and meta(c).get("pipeline")]


def run_stages(config: dict, out: Path) -> dict[str, pd.DataFrame]:
    """validate -> variants -> cnv -> annotate -> matrix -> clinical, in-process."""
    validate.run_validate(
        config, out / "samples.tsv", out / "clinical.tsv", out / "qc" / "input_report.tsv"
    )
    samples = read_table(out / "samples.tsv")
    variant_tables, cnv_tables = [], []
    for sample in samples.to_dict("records"):
        sid = sample["sample_id"]
        if isinstance(sample["variant_file"], str):
            path = out / "variants" / f"{sid}.tsv"
            if sample["variant_format"] == "maf":
                run_variants_from_maf(sample["variant_file"], path, [sid])
            else:
                run_variants(
                    sample["variant_file"],
                    path,
                    sample_id=sid,
                    annotation=sample["annotation"] or "auto",
                    tumor=sample["tumor_sample"]
                    if isinstance(sample["tumor_sample"], str)
                    else None,
                    normal=sample["normal_sample"]
                    if isinstance(sample["normal_sample"], str)
                    else None,
                )
            variant_tables.append(path)
        if isinstance(sample["cnv_file"], str):
            path = out / "cnv" / f"{sid}.tsv"
            purity = sample["purity"]
            run_cnv(
                sample["cnv_file"],
                path,
                sample_id=sid,
                fmt=sample["cnv_format"],
                thresholds=config["cnv_thresholds"],
                gene_coordinates=config["gene_coordinates"],
                purity=float(purity) if isinstance(purity, str) else None,
            )
            cnv_tables.append(path)
    run_annotate(config, out / "samples.tsv", variant_tables, cnv_tables, out / "alterations.tsv")
    run_matrix(
        config,
        out / "samples.tsv",
        out / "clinical.tsv",
        out / "alterations.tsv",
        out / "gene_by_patient.tsv",
        out / "pathway_by_patient.tsv",
    )
    run_clinical(config, out / "clinical.tsv", out / "endpoints.tsv", out / "ae.tsv")
    clinical = read_table(out / "clinical.tsv")
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    clinical = clinical.rename(columns={patient_column: "patient_id"})
    endpoints = pd.read_csv(
        out / "endpoints.tsv",
        sep="\t",
        dtype={"patient_id": str},
        keep_default_na=False,
        na_values=["NA"],
    )
    status = biomarker_status(config, out / "gene_by_patient.tsv", out / "pathway_by_patient.tsv")
    return {
        "listing": disposition(clinical, samples, endpoints, status),
        "genes": pd.read_csv(out / "gene_by_patient.tsv", sep="\t", dtype={"patient_id": str}),
    }


@pytest.mark.parametrize("case_dir", PIPELINE, indirect=True)
def test_no_patient_or_sample_lost(case_dir: Path) -> None:
    info = yaml.safe_load((case_dir / "case.yaml").read_text())
    config = load_config("config.yaml")
    result = run_stages(config, case_dir / "out")
    listing = result["listing"]
    clinical = read_table(config["clinical"]["table"], required=["patient_id"])
    sheet = read_table(config["samples"])
    patients = listing[listing["level"] == "patient"]["id"]
    samples = listing[listing["level"] == "sample"]["id"]
    assert sorted(patients) == sorted(clinical["patient_id"].astype(str))
    assert sorted(samples) == sorted(sheet["sample_id"].astype(str))
    assert not patients.duplicated().any() and not samples.duplicated().any()
    by_id = listing.set_index("id")
    for patient in set(clinical["patient_id"]) - set(sheet["patient_id"]):
        assert "not sequenced" in by_id.loc[patient, "reason"]
    for sample in sheet.loc[sheet["qc_status"].eq("fail"), "sample_id"]:
        assert by_id.loc[sample, "status"] == "excluded"
    for status in ("wild_type", "not_evaluable"):
        if status in info:
            genes = result["genes"].set_index("patient_id")
            spec = info[status]
            assert genes.loc[spec["patient"], spec["gene"]] == status


SNAKEMAKE = [c for c in CASES if meta(c).get("snakemake")]


@pytest.mark.slow
@pytest.mark.parametrize("case_dir", SNAKEMAKE, indirect=True)
def test_snakemake_parse_check(case_dir: Path, project_root: Path) -> None:
    """The same verdict at workflow parse time (snakemake -n), before any job."""
    info = yaml.safe_load((case_dir / "case.yaml").read_text())
    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("snakemake")),
            "-s",
            str(project_root / "workflow" / "Snakefile"),
            "-d",
            str(case_dir),
            "--configfile",
            str(case_dir / "config.yaml"),
            "-n",
            "--cores",
            "1",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = completed.stdout + completed.stderr
    if info["valid"]:
        assert completed.returncode == 0, output[-3000:]
    else:
        assert completed.returncode != 0
        assert "input problem(s)" in output
        assert "Traceback" not in output
        for expected in info["expect"]:
            assert expected in output, f"{expected!r} not in:\n{output[-3000:]}"
