"""cbioportal_study end to end: a real study (METABRIC) and the workflow's own export read back.

1. METABRIC (../shared/data/cohorts/brca_metabric) with only ``cbioportal_study``, biomarkers
   and ``population: {HER2_STATUS: ['+']}`` (the 247 HER2-positive patients): OS associations
   equal R ``survival`` (survdiff, coxph Efron) run live on the same grouping; everyone else is in
   the disposition with the reason.
2. Round trip (issue 15): the example cohort's ``results/cbioportal/`` fed back as
   ``cbioportal_study`` gives the same association tables (same n, same statistics).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workdirs import run_snakemake

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

ASSOCIATIONS = ["pfs_associations", "os_associations", "response_associations"]
TEXT_COLUMNS = {"biomarker", "endpoint", "family", "method", "note", "group", "logistic_method"}


def run(work: Path, project_root: Path, config: dict, *targets: str) -> None:
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    completed = run_snakemake(
        project_root, work, *targets, "--configfile", str(work / "config.yaml"), timeout=1800
    )
    assert completed.returncode == 0, completed.stderr[-5000:]


@pytest.fixture(scope="module")
def metabric_run(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path, shared_data: Path
) -> Path:
    work = tmp_path_factory.mktemp("metabric")
    config = {
        "cbioportal_study": str(shared_data / "cohorts" / "brca_metabric"),
        "genome_build": "GRCh37",
        "population": {"HER2_STATUS": ["+"]},
        "endpoints": ["os"],
        "biomarkers": {
            "genes": ["PIK3CA", "TP53", "MTOR"],
            "pathways": [],
            "altered_if": "nonsynonymous",
            "min_altered": 3,
        },
    }
    run(
        work,
        project_root,
        config,
        "results/stats/os_associations.tsv",
        "results/tables/disposition_by_patient_and_sample.tsv",
    )
    return work


def test_metabric_population_and_disposition(metabric_run: Path) -> None:
    samples = pd.read_csv(metabric_run / "results/validated/samples.tsv", sep="\t")
    assert len(samples) == 247  # HER2_STATUS '+' (one sample per patient)
    listing = pd.read_csv(
        metabric_run / "results/tables/disposition_by_patient_and_sample.tsv", sep="\t"
    )
    patients = listing[listing["level"] == "patient"]
    assert len(patients) == 2509 and patients["id"].is_unique  # every patient, once
    outside = patients[patients["status"] == "excluded"]
    assert len(outside) == 2509 - 247
    assert set(outside["reason"]) == {
        "not in population: HER2_STATUS = -",
        "not in population: HER2_STATUS = NA",
    }
    report = pd.read_csv(metabric_run / "results/qc/input_report.tsv", sep="\t")
    assert not report["message"].str.contains("not profiled").any()


def test_metabric_listing_is_whole_in_tsv_and_xlsx_and_named_in_the_docx(
    metabric_run: Path,
) -> None:
    """A listing longer than report.docx_max_rows (500): its DOCX keeps title and header and
    says where the rows are; the XLSX has every row of the TSV."""
    from docx import Document
    from openpyxl import load_workbook

    stem = metabric_run / "results/tables/disposition_by_patient_and_sample"
    listing = pd.read_csv(stem.with_suffix(".tsv"), sep="\t")
    assert len(listing) > 500
    data = load_workbook(stem.with_suffix(".xlsx"), read_only=True)["Data"]
    assert data.max_row == len(listing) + 1
    document = Document(stem.with_suffix(".docx"))
    (grid,) = document.tables
    assert len(grid.rows) == 1  # the header row alone
    notes = [p.text for p in document.paragraphs]
    assert any(
        f"{len(listing):,} rows" in text
        and "disposition_by_patient_and_sample.tsv and disposition_by_patient_and_sample.xlsx"
        in text
        for text in notes
    ), notes


def test_metabric_os_associations_equal_r(metabric_run: Path, tmp_path: Path) -> None:
    ours = pd.read_csv(metabric_run / "results/stats/os_associations.tsv", sep="\t")
    ours = ours.set_index("biomarker")
    endpoints = pd.read_csv(metabric_run / "results/clinical/endpoints.tsv", sep="\t")
    matrix = pd.read_csv(metabric_run / "results/matrix/gene_by_patient.tsv", sep="\t")
    matrix = matrix[matrix["timepoint"] == "baseline"]
    # a sequenced patient without a PIK3CA mutation is wild type (METABRIC_173 covers it)
    assert set(matrix["PIK3CA"]) == {"altered", "wild_type"}
    assert ours.loc["PIK3CA", "n_altered"] + ours.loc["PIK3CA", "n_wild_type"] == (
        endpoints["os_months"].notna().sum()
    )
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not on PATH")
    data = endpoints.merge(matrix, on="patient_id")
    data = data[data["os_months"].notna()]
    data["pik3ca"] = (data["PIK3CA"] == "altered").astype(int)
    data["tp53"] = (data["TP53"] == "altered").astype(int)
    data[["os_months", "os_event", "pik3ca", "tp53"]].to_csv(
        tmp_path / "data.tsv", sep="\t", index=False
    )
    script = """
library(survival)
d <- read.delim(commandArgs(TRUE)[1])
for (g in c("pik3ca", "tp53")) {
  f <- as.formula(paste("Surv(os_months, os_event) ~", g))
  s <- survdiff(f, data = d); fit <- coxph(f, data = d, ties = "efron")
  cat(g, sum(d[[g]]), s$chisq, exp(coef(fit)), summary(fit)$coefficients[, 5], "\\n")
}
"""
    (tmp_path / "ref.R").write_text(script)
    out = subprocess.run(
        [rscript, str(tmp_path / "ref.R"), str(tmp_path / "data.tsv")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.strip().splitlines():
        gene, n_altered, chisq, hr, wald_p = line.split()
        row = ours.loc[gene.upper()]
        assert row["n_altered"] == int(n_altered)
        assert row["logrank_chi2"] == pytest.approx(float(chisq), rel=1e-6)
        assert row["hr"] == pytest.approx(float(hr), rel=1e-6)
        assert row["wald_p"] == pytest.approx(float(wald_p), rel=1e-6)


def test_metabric_gene_off_the_panel_is_not_evaluable(metabric_run: Path) -> None:
    """METABRIC_173 has PIK3CA, not MTOR: profiled samples without a mutation are wild type
    for PIK3CA and not evaluable for MTOR (no sample of the study covers it)."""
    matrix = pd.read_csv(metabric_run / "results/matrix/gene_by_patient.tsv", sep="\t")
    assert set(matrix["MTOR"]) == {"not_evaluable"}
    assert "wild_type" in set(matrix["PIK3CA"])
    coverage = pd.read_csv(metabric_run / "results/matrix/sample_evaluability.tsv", sep="\t")
    assert set(coverage["mutation"]) == {"173 genes"}
    assert set(coverage["fusion"]) == {"not measured"}


def round_trip_config(project_root: Path, example: Path) -> dict:
    """The example's config with its inputs replaced by the exported study."""
    config = yaml.safe_load((project_root / "config" / "config.yaml").read_text())
    for key in ("samples", "maf", "cnv"):
        config.pop(key, None)
    config["cbioportal_study"] = str(example / "results" / "cbioportal")
    covariates = config["clinical"]["covariate_columns"]
    config["clinical"] = {"covariate_columns": [c.upper() for c in covariates]}
    config["covariates"] = [c.upper() for c in config["covariates"]]
    config["adverse_events"] = str(example / "resources" / "example" / "adverse_events.tsv")
    return config


def test_round_trip_same_associations(
    example_run: Path, project_root: Path, tmp_path: Path
) -> None:
    work = tmp_path / "round trip"
    run(
        work,
        project_root,
        round_trip_config(project_root, example_run),
        *(f"results/stats/{name}.tsv" for name in ASSOCIATIONS),
    )
    for name in ASSOCIATIONS:
        before = pd.read_csv(example_run / f"results/stats/{name}.tsv", sep="\t")
        after = pd.read_csv(work / f"results/stats/{name}.tsv", sep="\t")
        assert list(after.columns) == list(before.columns), name
        assert len(after) == len(before) and len(before) > 10, name
        for column in before.columns:
            if column in TEXT_COLUMNS or before[column].dtype == object:
                left = before[column].fillna("").astype(str).str.lower()
                right = after[column].fillna("").astype(str).str.lower()
                assert left.tolist() == right.tolist(), (name, column)
            else:
                assert after[column].to_numpy() == pytest.approx(
                    before[column].to_numpy(), rel=1e-9, nan_ok=True
                ), (name, column)
