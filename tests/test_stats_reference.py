"""her2resist.stats against R (survival 3.x, fisher.test, binom.test) on real and synthetic data.

The committed tests/r/reference_values.tsv is always compared; with Rscript on PATH the R script
is also re-run live (marker r_reference). Every statistic must agree to 1e-6 relative."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.stats.associate import response_associations, survival_associations
from her2resist.stats.efficacy import efficacy_summary

R_DIR = Path(__file__).parent / "r"
REFERENCE_TSV = R_DIR / "reference_values.tsv"
SYNTHETIC_TSV = R_DIR / "synthetic_trial.tsv"
RELATIVE_TOLERANCE = 1e-6
# maftools::read.maf default vc_nonSyn: the classes mafSurvival counts as "mutated"
NON_SYNONYMOUS = {
    "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
    "Nonsense_Mutation", "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation",
}  # fmt: skip
SYNTHETIC_MARKERS = ["ERBB2_amp", "PIK3CA", "PTEN_loss", "ERBB3", "ESR1"]
DAYS_PER_MONTH = 30.4375

SURVIVAL_STATS = [
    "n_altered", "n_wild_type", "n_not_evaluable", "events_altered", "events_wild_type",
    "median_altered", "median_altered_lcl", "median_altered_ucl", "median_wild_type",
    "median_wild_type_lcl", "median_wild_type_ucl", "logrank_chi2", "logrank_p", "hr", "hr_lcl",
    "hr_ucl", "wald_p", "lr_p", "hr_adjusted", "hr_adjusted_lcl", "hr_adjusted_ucl",
    "adjusted_p", "ph_p", "q_value",
]  # fmt: skip
RESPONSE_STATS = [
    "n_altered", "n_wild_type", "responders_altered", "responders_wild_type", "rate_altered",
    "rate_altered_lcl", "rate_altered_ucl", "rate_wild_type", "rate_wild_type_lcl",
    "rate_wild_type_ucl", "fisher_p", "odds_ratio", "or_lcl", "or_ucl", "q_value",
]  # fmt: skip


def laml_cohort(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """TCGA-LAML overall survival grouped as maftools::mafSurvival(isTCGA = TRUE).

    Returns (clinical with time/event/fab_m3, status per gene mutated in >= 5 % of the cohort)."""
    folder = shared_data / "cohorts" / "maftools"
    maf = pd.read_csv(folder / "tcga_laml.maf.gz", sep="\t", dtype=str, quoting=3)
    clin = pd.read_csv(folder / "tcga_laml_annot.tsv", sep="\t", dtype=str)
    maf["barcode"] = maf["Tumor_Sample_Barcode"].str[:12]
    clin["barcode"] = clin["Tumor_Sample_Barcode"].str[:12]
    clin = clin.drop_duplicates("barcode")
    # maftools keeps the clinical rows of samples present in the MAF (summarizeMaf sample.anno)
    clin = clin[clin["barcode"].isin(maf["barcode"])]
    clin["time"] = pd.to_numeric(clin["days_to_last_followup"], errors="coerce") / DAYS_PER_MONTH
    clin["event"] = pd.to_numeric(clin["Overall_Survival_Status"], errors="coerce")
    clin = clin[np.isfinite(clin["time"]) & (clin["time"] >= 0) & clin["event"].notna()]
    clin = clin.set_index("barcode")
    # FAB "NA" is missing (as in R): that patient drops out of the adjusted model only
    fab = clin["FAB_classification"]
    clin["fab_m3"] = np.where(fab.isna(), np.nan, (fab == "M3").astype(float))
    nonsyn = maf[maf["Variant_Classification"].isin(NON_SYNONYMOUS)]
    nonsyn = nonsyn[nonsyn["barcode"].isin(clin.index)]
    mutated = nonsyn.groupby("Hugo_Symbol")["barcode"].apply(set)
    frequency = mutated.map(len) / len(clin)
    genes = sorted(frequency.index[frequency >= 0.05])
    status = pd.DataFrame(
        {g: np.where(clin.index.isin(mutated[g]), "altered", "wild_type") for g in genes},
        index=clin.index,
    )
    return clin, status


def synthetic_trial() -> pd.DataFrame:
    return pd.read_csv(SYNTHETIC_TSV, sep="\t").set_index("patient_id")


def _long(table: pd.DataFrame, dataset: str, stats: list[str]) -> list[tuple]:
    out = []
    for _, row in table.iterrows():
        for stat in stats:
            out.append((dataset, row["biomarker"], row["endpoint"], stat, row[stat]))
    return out


def python_values(shared_data: Path) -> pd.DataFrame:
    """Everything reference.R computes, from the public her2resist.stats API, in its layout."""
    records: list[tuple] = []
    clin, status = laml_cohort(shared_data)
    records.append(("laml", "", "os", "cohort_size", float(len(clin))))
    laml = survival_associations(
        clin["time"], clin["event"], status, endpoint="os", covariates=clin[["fab_m3"]]
    )
    records += _long(laml, "laml", SURVIVAL_STATS)
    trial = synthetic_trial()
    status_syn = trial[SYNTHETIC_MARKERS]
    pfs = survival_associations(
        trial["pfs_months"], trial["pfs_event"], status_syn, endpoint="pfs",
        covariates=trial[["ecog", "age"]],
    )  # fmt: skip
    records += _long(pfs, "synthetic", SURVIVAL_STATS)
    response = response_associations(trial[["orr", "cbr"]], status_syn)
    records += _long(response, "synthetic", RESPONSE_STATS)
    for dataset, te, resp in (
        ("laml", {"os": (clin["time"], clin["event"])}, pd.DataFrame(index=clin.index)),
        ("synthetic", {"pfs": (trial["pfs_months"], trial["pfs_event"])}, trial[["orr", "cbr"]]),
    ):
        eff = efficacy_summary(te, resp)
        for _, row in eff.iterrows():
            records.append((dataset, "", row["endpoint"], row["statistic"], row["value"]))
            records.append((dataset, "", row["endpoint"], f"{row['statistic']}_lcl", row["lcl"]))
            records.append((dataset, "", row["endpoint"], f"{row['statistic']}_ucl", row["ucl"]))
    frame = pd.DataFrame(records, columns=["dataset", "biomarker", "endpoint", "statistic", "py"])
    frame["py"] = pd.to_numeric(frame["py"], errors="coerce")
    return frame


def read_reference(path: Path) -> pd.DataFrame:
    ref = pd.read_csv(path, sep="\t", keep_default_na=False, dtype={"value": str})
    ref["r"] = pd.to_numeric(ref["value"].replace("NA", np.nan))
    return ref.drop(columns="value")


def compare(reference: pd.DataFrame, python: pd.DataFrame) -> pd.DataFrame:
    """Join on (dataset, biomarker, endpoint, statistic); returns the joined table with rel_diff.

    Every R value must have a Python counterpart. Python values without an R counterpart are
    allowed only where R has no method (Firth rows) or nothing to report (NaN)."""
    key = ["dataset", "biomarker", "endpoint", "statistic"]
    joined = reference.merge(python, on=key, how="left", indicator=True)
    missing = joined[joined["_merge"] == "left_only"]
    assert missing.empty, f"R values without a Python value:\n{missing}"
    both_nan = joined["r"].isna() & joined["py"].isna()
    scale = np.maximum(np.abs(joined["r"]), 1e-300)
    joined["rel_diff"] = np.where(both_nan, 0.0, np.abs(joined["py"] - joined["r"]) / scale)
    joined.loc[joined["r"].isna() != joined["py"].isna(), "rel_diff"] = np.inf
    return joined


def _assert_agree(joined: pd.DataFrame) -> None:
    bad = joined[~(joined["rel_diff"] <= RELATIVE_TOLERANCE)]
    assert bad.empty, f"{len(bad)} statistics differ from R:\n{bad.to_string()}"


@pytest.fixture(scope="module")
def python_table(shared_data: Path) -> pd.DataFrame:
    return python_values(shared_data)


def test_committed_reference_values_agree(python_table: pd.DataFrame) -> None:
    joined = compare(read_reference(REFERENCE_TSV), python_table)
    _assert_agree(joined)
    assert len(joined) > 450


def test_reference_covers_every_statistic_family() -> None:
    ref = read_reference(REFERENCE_TSV)
    stats = set(ref["statistic"])
    for needed in [
        "median_altered_lcl", "logrank_chi2", "hr_ucl", "wald_p", "lr_p", "ph_p", "hr_adjusted",
        "adjusted_p", "fisher_p", "odds_ratio", "or_ucl", "rate_altered_lcl", "rate_6m_ucl",
        "q_value",
    ]:  # fmt: skip
        assert needed in stats, needed
    dnmt3a = ref[(ref["dataset"] == "laml") & (ref["biomarker"] == "DNMT3A")]
    # the maftools vignette's 48 DNMT3A-mutated samples, less 3 without a usable follow-up time
    assert dnmt3a.set_index("statistic").loc["n_altered", "r"] == 45


def test_python_reports_firth_where_r_has_no_cox(python_table: pd.DataFrame) -> None:
    """PIK3CA has no events among the altered: R gives no finite HR, Python a Firth one."""
    ref = read_reference(REFERENCE_TSV)
    r_pik3ca = ref[(ref["biomarker"] == "PIK3CA") & (ref["endpoint"] == "pfs")]
    assert "hr" not in set(r_pik3ca["statistic"])
    py = python_table.set_index(["dataset", "biomarker", "endpoint", "statistic"])["py"]
    assert 0 < py[("synthetic", "PIK3CA", "pfs", "hr")] < 1
    assert np.isfinite(py[("synthetic", "PIK3CA", "pfs", "hr_lcl")])


def assert_live_r_agrees(script: Path, committed: Path, python_table: pd.DataFrame,
                         out: Path, *args: str) -> None:  # fmt: skip
    """Run the R script now, compare its values with Python's, and check that the committed
    reference file is what this R produces (up to R's own float printing)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not on PATH")
    subprocess.run(
        [rscript, str(script), str(out), *args],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    live = read_reference(out)
    _assert_agree(compare(live, python_table))
    reference = read_reference(committed)
    assert len(live) == len(reference)
    np.testing.assert_allclose(live["r"], reference["r"], rtol=1e-12)


@pytest.mark.r_reference
def test_live_r_agrees(python_table: pd.DataFrame, shared_data: Path, tmp_path: Path) -> None:
    assert_live_r_agrees(
        R_DIR / "reference.R", REFERENCE_TSV, python_table,
        tmp_path / "reference_values.tsv", str(shared_data),
    )  # fmt: skip
