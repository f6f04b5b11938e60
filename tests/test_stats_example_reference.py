"""The associate stage on the bundled EXAMPLE cohort against R (tests/r/example_cohort.R).

Inputs are committed copies of the example run's results/clinical/endpoints.tsv, the baseline
rows of results/matrix/{gene,pathway}_by_patient.tsv and the covariate columns of
results/validated/clinical.tsv (tests/r/example/), so no workflow run is needed. Status and
covariates are built here as matrix.biomarker_status / clinical.covariates.covariate_frame do with
config/config.yaml (re-implemented so this test does not depend on the stage module's config
keys); every R value must agree to 1e-6 relative. With Rscript on PATH the R script is re-run
live (marker r_reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stats_reference import (
    RESPONSE_STATS,
    SURVIVAL_STATS,
    _assert_agree,
    _long,
    assert_live_r_agrees,
    compare,
    read_reference,
)

from her2resist.stats.associate import response_associations, survival_associations
from her2resist.stats.efficacy import efficacy_summary

R_DIR = Path(__file__).parent / "r"
EXAMPLE = R_DIR / "example"
REFERENCE_TSV = R_DIR / "example_reference_values.tsv"
CONFIG = {
    "biomarkers": {
        "genes": ["ERBB2", "ERBB3", "PIK3CA", "PTEN", "AKT1", "TP53", "CCNE1", "FGFR1"],
        "pathways": ["HER2", "HER3", "PI3K_AKT_MTOR", "bypass", "cell_cycle"],
        "timepoint": "baseline",
        "min_altered": 3,
    },
    "covariates": ["ecog", "visceral_disease"],
    "clinical": {"columns": {"patient_id": "patient_id"}},
    "landmarks_months": [6, 12, 24],
}


def example_inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    endpoints = pd.read_csv(EXAMPLE / "endpoints.tsv", sep="\t", dtype={"patient_id": str})
    endpoints = endpoints.set_index("patient_id")
    markers = CONFIG["biomarkers"]
    genes = pd.read_csv(EXAMPLE / "gene_by_patient.tsv", sep="\t", dtype={"patient_id": str})
    pathways = pd.read_csv(EXAMPLE / "pathway_by_patient.tsv", sep="\t", dtype={"patient_id": str})
    genes = genes[genes["timepoint"] == markers["timepoint"]].set_index("patient_id")
    pathways = pathways[pathways["timepoint"] == markers["timepoint"]].set_index("patient_id")
    status = genes[[g for g in markers["genes"] if g in genes.columns]].join(
        pathways[markers["pathways"]].rename(columns=lambda p: f"pathway:{p}"), how="outer"
    )
    count = pathways["n_altered_pathways"].reindex(status.index)
    status["pathways_altered>=2"] = np.where(
        count.isna(), "not_evaluable", np.where(count >= 2, "altered", "wild_type")
    )
    status = status.reindex(endpoints.index).fillna("not_evaluable")
    clinical = pd.read_csv(EXAMPLE / "covariates.tsv", sep="\t", dtype={"patient_id": str})
    clinical = clinical.set_index("patient_id").reindex(endpoints.index)
    covariates = pd.concat(
        [
            clinical[["ecog"]].astype(float),
            pd.get_dummies(clinical[["visceral_disease"]], drop_first=True, dtype=float),
        ],
        axis=1,
    )
    return endpoints, status, covariates


def python_values() -> pd.DataFrame:
    endpoints, markers, covariates = example_inputs()
    records: list[tuple] = []
    time_event = {}
    for endpoint in ("pfs", "os"):
        time_event[endpoint] = (endpoints[f"{endpoint}_months"], endpoints[f"{endpoint}_event"])
        table = survival_associations(
            *time_event[endpoint], markers, endpoint=endpoint, min_altered=3,
            covariates=covariates,
        )  # fmt: skip
        records += _long(table, "example", SURVIVAL_STATS)
    response = response_associations(endpoints[["orr", "cbr"]], markers, min_altered=3)
    records += _long(response, "example", RESPONSE_STATS)
    eff = efficacy_summary(time_event, endpoints[["orr", "cbr", "dcr"]], (6, 12, 24))
    for _, row in eff.iterrows():
        stat, ep = row["statistic"], row["endpoint"]
        records.append(("example", "", ep, stat, row["value"]))
        records.append(("example", "", ep, f"{stat}_lcl", row["lcl"]))
        records.append(("example", "", ep, f"{stat}_ucl", row["ucl"]))
        if stat in ("median", "rate"):
            records.append(("example", "", ep, f"{stat}_n", row["n"]))
            records.append(("example", "", ep, f"{stat}_events", row["events_or_responders"]))
    frame = pd.DataFrame(records, columns=["dataset", "biomarker", "endpoint", "statistic", "py"])
    frame["py"] = pd.to_numeric(frame["py"], errors="coerce")
    return frame


@pytest.fixture(scope="module")
def python_table() -> pd.DataFrame:
    return python_values()


def test_example_matches_committed_r_values(python_table: pd.DataFrame) -> None:
    joined = compare(read_reference(REFERENCE_TSV), python_table)
    _assert_agree(joined)
    assert len(joined) > 300
    # every family is exercised on the example, including the adjusted model and PH test
    stats = set(joined["statistic"])
    for needed in ["logrank_p", "hr", "lr_p", "ph_p", "hr_adjusted", "fisher_p", "q_value",
                   "median_lcl", "rate_12m_ucl", "rate_lcl"]:  # fmt: skip
        assert needed in stats, needed
    assert set(joined["endpoint"]) >= {"pfs", "os", "orr", "cbr", "dcr"}


def test_example_python_rows_without_r_are_firth_or_empty(python_table: pd.DataFrame) -> None:
    """Python values absent from R: only Firth rows' HR/LR (R has no method) or NaN."""
    ref = read_reference(REFERENCE_TSV)
    key = ["dataset", "biomarker", "endpoint", "statistic"]
    extra = python_table.merge(ref, on=key, how="left", indicator=True)
    extra = extra[(extra["_merge"] == "left_only") & extra["py"].notna()]
    allowed = {"hr", "hr_lcl", "hr_ucl", "lr_p", "hr_adjusted", "hr_adjusted_lcl",
               "hr_adjusted_ucl", "adjusted_p"}  # fmt: skip
    assert set(extra["statistic"]) <= allowed, extra


@pytest.mark.r_reference
def test_example_live_r_agrees(python_table: pd.DataFrame, tmp_path: Path) -> None:
    assert_live_r_agrees(
        R_DIR / "example_cohort.R", REFERENCE_TSV, python_table,
        tmp_path / "example_reference_values.tsv", str(EXAMPLE),
    )  # fmt: skip
