"""A public cohort MAF plus clinical table through the same rules: TCGA-LAML (maftools).

Overall survival only; 12 patients have impossible follow-up (-Inf days) and must be
excluded with the reason while the run goes on. The per-gene statistics must equal R's
(committed in tests/r/reference_values.tsv by tests/r/reference.R, maftools grouping).
"""

import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workdirs import run_snakemake

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

STATISTICS = [
    "n_altered",
    "n_wild_type",
    "events_altered",
    "events_wild_type",
    "median_altered",
    "median_altered_lcl",
    "median_altered_ucl",
    "median_wild_type",
    "median_wild_type_lcl",
    "median_wild_type_ucl",
    "logrank_chi2",
    "logrank_p",
    "hr",
    "hr_lcl",
    "hr_ucl",
    "wald_p",
    "lr_p",
    "ph_p",
    "q_value",
]
NONSYNONYMOUS = {
    "Frame_Shift_Del",
    "Frame_Shift_Ins",
    "Splice_Site",
    "Translation_Start_Site",
    "Nonsense_Mutation",
    "Nonstop_Mutation",
    "In_Frame_Del",
    "In_Frame_Ins",
    "Missense_Mutation",
}


def frequent_genes(maf: Path) -> list[str]:
    """Genes with a non-synonymous mutation in >= 5 % of the MAF's samples (maftools' rule)."""
    table = pd.read_csv(maf, sep="\t", comment="#", low_memory=False)
    samples = table["Tumor_Sample_Barcode"].nunique()
    nonsyn = table[table["Variant_Classification"].isin(NONSYNONYMOUS)]
    per_gene = nonsyn.groupby("Hugo_Symbol")["Tumor_Sample_Barcode"].nunique()
    return sorted(per_gene[per_gene / samples >= 0.05].index)


def run(work: Path, project_root: Path, config: dict) -> subprocess.CompletedProcess:
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return run_snakemake(project_root, work, "--configfile", str(work / "config.yaml"))


@pytest.fixture(scope="module")
def laml_config(shared_data: Path) -> dict:
    cohort = shared_data / "cohorts" / "maftools"
    maf = cohort / "tcga_laml.maf.gz"
    return {
        "maf": str(maf),
        "genome_build": "GRCh37",
        "clinical": {
            "table": str(cohort / "tcga_laml_annot.tsv"),
            "source": "times",
            "time_unit": "days",
            "columns": {
                "patient_id": "Tumor_Sample_Barcode",
                "os_time": "days_to_last_followup",
                "os_event": "Overall_Survival_Status",
            },
        },
        "endpoints": ["os"],
        "filters": {
            "require_pass": False,
            "min_depth": {"tissue": 0, "ctdna": 0},
            "min_alt_reads": {"tissue": 0, "ctdna": 0},
            "min_vaf": {"tissue": 0, "ctdna": 0},
            "max_population_af": 1.0,
        },
        "biomarkers": {
            "genes": frequent_genes(maf),
            "pathways": [],
            "altered_if": "nonsynonymous",
            "min_altered": 3,
        },
    }


@pytest.fixture(scope="module")
def laml_run(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path, laml_config: dict
) -> Path:
    work = tmp_path_factory.mktemp("laml")
    completed = run(work, project_root, laml_config)
    assert completed.returncode == 0, completed.stderr[-5000:]
    return work


def test_os_associations_equal_r(laml_run: Path, project_root: Path) -> None:
    ours = pd.read_csv(laml_run / "results/stats/os_associations.tsv", sep="\t").set_index(
        "biomarker"
    )
    reference = pd.read_csv(project_root / "tests/r/reference_values.tsv", sep="\t")
    reference = reference[(reference["dataset"] == "laml") & reference["biomarker"].notna()]
    assert "DNMT3A" in ours.index and ours.loc["DNMT3A", "n_altered"] == 45
    compared = 0
    for row in reference.itertuples():
        if row.statistic not in STATISTICS or row.biomarker not in ours.index:
            continue
        value = ours.loc[row.biomarker, row.statistic]
        if pd.isna(row.value):
            assert pd.isna(value), (row.biomarker, row.statistic)
        else:
            assert value == pytest.approx(row.value, rel=1e-6), (row.biomarker, row.statistic)
        compared += 1
    assert set(reference["biomarker"]) <= set(ours.index)
    # The baseline ctDNA features form their own family; this cohort has no plasma, so it
    # gets no plasma rows at all (issue 15: outputs follow the data); tissue TMB, from the
    # MAF, is tested.
    assert not ours.index.str.startswith(("ctdna_", "plasma_")).any()
    assert "tissue_tmb_above_median" in ours.index
    assert compared >= 11 * 15


def test_impossible_times_are_excluded_with_reason(laml_run: Path) -> None:
    endpoints = pd.read_csv(
        laml_run / "results/clinical/endpoints.tsv", sep="\t", keep_default_na=False
    )
    excluded = endpoints[endpoints["os_excluded"] != ""]
    assert len(excluded) >= 12
    assert set(excluded["os_excluded"]) <= {"time not finite", "time missing", "negative time"}
    listing = pd.read_csv(
        laml_run / "results/tables/disposition_by_patient_and_sample.tsv", sep="\t"
    )
    patients = listing[listing["level"] == "patient"]
    assert len(patients) == 200  # every clinical patient accounted for
    assert patients.set_index("id").loc[excluded["patient_id"], "reason"].str.contains("os:").all()


def test_sequenced_patient_without_maf_rows_is_wild_type(
    tmp_path: Path, project_root: Path, laml_config: dict
) -> None:
    clinical = pd.read_csv(laml_config["clinical"]["table"], sep="\t")
    sheet = pd.DataFrame(
        {
            "patient_id": clinical["Tumor_Sample_Barcode"],
            "sample_id": clinical["Tumor_Sample_Barcode"],
            "specimen": "tissue",
            "timepoint": "baseline",
        }
    )
    sheet.to_csv(tmp_path / "samples.tsv", sep="\t", index=False)
    config = laml_config | {"samples": str(tmp_path / "samples.tsv")}
    config["biomarkers"] = config["biomarkers"] | {"genes": ["DNMT3A"]}
    completed = run(tmp_path / "work", project_root, config)
    assert completed.returncode == 0, completed.stderr[-5000:]
    genes = pd.read_csv(tmp_path / "work/results/matrix/gene_by_patient.tsv", sep="\t")
    maf_samples = set(
        pd.read_csv(laml_config["maf"], sep="\t", comment="#")["Tumor_Sample_Barcode"]
    )
    without_rows = genes[~genes["patient_id"].isin(maf_samples)]
    assert len(without_rows) == 200 - len(maf_samples) > 0
    assert (without_rows["DNMT3A"] == "wild_type").all()
