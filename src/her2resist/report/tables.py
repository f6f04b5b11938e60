"""Manuscript tables as data frames (unrounded; formatting belongs to the writers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.tables import read_table

PathLike = str | Path


def baseline_characteristics(clinical: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Table 1: continuous as median (min-max), categorical as n (%)."""
    n = len(clinical)
    rows = []
    for column in columns:
        if column not in clinical.columns:
            continue
        values = clinical[column]
        numeric = pd.to_numeric(values, errors="coerce")
        is_continuous = numeric.notna().sum() == values.notna().sum() and numeric.nunique() > 5
        if is_continuous:
            rows.append(
                {
                    "characteristic": column,
                    "level": "median (range)",
                    "n": int(numeric.notna().sum()),
                    "percent": float("nan"),
                    "median": numeric.median(),
                    "min": numeric.min(),
                    "max": numeric.max(),
                    "q1": numeric.quantile(0.25),
                    "q3": numeric.quantile(0.75),
                }
            )
            continue
        counts = values.fillna("missing").astype(str).value_counts()
        for level in sorted(counts.index, key=lambda v: (v == "missing", v)):
            rows.append(
                {
                    "characteristic": column,
                    "level": level,
                    "n": int(counts[level]),
                    "percent": 100 * counts[level] / n,
                }
            )
    table = pd.DataFrame(rows)
    table.insert(0, "n_patients", n)
    return table


def disposition(
    clinical: pd.DataFrame,
    samples: pd.DataFrame,
    endpoints: pd.DataFrame,
    status: pd.DataFrame,
) -> pd.DataFrame:
    """Every patient and every sample exactly once: analysed, or excluded with the reason."""
    rows = []
    sequenced = set(samples["patient_id"])
    # looked up once, not per patient with .loc (seconds for a cohort)
    by_patient = endpoints.set_index("patient_id").to_dict("index")
    unevaluable = status.eq("not_evaluable").all(axis=1).to_dict()
    for patient in sorted(clinical["patient_id"].astype(str)):
        record = by_patient[patient]
        reasons = []
        if patient not in sequenced:
            reasons.append("not sequenced")
        elif unevaluable.get(patient, False):
            reasons.append("no evaluable baseline sample")
        for endpoint in ("pfs", "os", "response"):
            reason = record[f"{endpoint}_excluded"]
            if isinstance(reason, str) and reason:
                reasons.append(f"{endpoint}: {reason}")
        rows.append(
            {
                "level": "patient",
                "id": patient,
                "patient_id": patient,
                "specimen": "",
                "timepoint": "",
                "pfs_evaluable": not record["pfs_excluded"],
                "os_evaluable": not record["os_excluded"],
                "response_evaluable": bool(record["response_evaluable"]),
                "biomarker_evaluable": patient in unevaluable and not unevaluable[patient],
                "status": "analysed",
                "reason": "; ".join(reasons),
            }
        )
    for sample in samples.sort_values("sample_id").to_dict("records"):
        failed = str(sample.get("qc_status") or "pass") != "pass"
        rows.append(
            {
                "level": "sample",
                "id": sample["sample_id"],
                "patient_id": sample["patient_id"],
                "specimen": sample["specimen"],
                "timepoint": sample["timepoint"],
                "status": "excluded" if failed else "analysed",
                "reason": f"QC status {sample['qc_status']}" if failed else "",
            }
        )
    return pd.DataFrame(rows).fillna(
        {
            "pfs_evaluable": "",
            "os_evaluable": "",
            "response_evaluable": "",
            "biomarker_evaluable": "",
        }
    )


def disposition_summary(listing: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    patients = listing[listing["level"] == "patient"]
    rows = [
        ("Enrolled and treated", len(patients)),
        ("Sequenced (any sample)", int(patients["id"].isin(set(samples["patient_id"])).sum())),
        (
            "Evaluable for biomarkers at baseline",
            int(patients["biomarker_evaluable"].astype(bool).sum()),
        ),
        ("Evaluable for PFS", int(patients["pfs_evaluable"].astype(bool).sum())),
        ("Evaluable for OS", int(patients["os_evaluable"].astype(bool).sum())),
        (
            "Evaluable for response (RECIST 1.1)",
            int(patients["response_evaluable"].astype(bool).sum()),
        ),
    ]
    sample_rows = listing[listing["level"] == "sample"]
    for (specimen, timepoint), group in sample_rows.groupby(["specimen", "timepoint"]):
        rows.append((f"Samples: {specimen}, {timepoint}", len(group)))
        excluded = group[group["status"] == "excluded"]
        for reason, count in excluded["reason"].value_counts().sort_index().items():
            rows.append((f"  excluded ({specimen}, {timepoint}): {reason}", int(count)))
    return pd.DataFrame(rows, columns=["category", "n"])


def biomarker_associations(
    pfs: pd.DataFrame, os_: pd.DataFrame, response: pd.DataFrame
) -> pd.DataFrame:
    survival = pd.concat([pfs, os_], ignore_index=True)
    keep = [
        "biomarker",
        "endpoint",
        "n_altered",
        "n_wild_type",
        "events_altered",
        "events_wild_type",
        "median_altered",
        "median_wild_type",
        "hr",
        "hr_lcl",
        "hr_ucl",
        "logrank_p",
        "q_value",
        "method",
        "note",
    ]
    survival = survival[[c for c in keep if c in survival.columns]]
    response_keep = [
        "biomarker",
        "endpoint",
        "n_altered",
        "n_wild_type",
        "rate_altered",
        "rate_wild_type",
        "odds_ratio",
        "or_lcl",
        "or_ucl",
        "fisher_p",
        "q_value",
        "method",
        "note",
    ]
    response = response[[c for c in response_keep if c in response.columns]]
    return pd.concat([survival, response], ignore_index=True)


def alteration_listing(alterations: pd.DataFrame) -> pd.DataFrame:
    """Supplementary per-patient listing of alterations that passed every filter."""
    kept = alterations[alterations["filter_status"] == "PASS"]
    columns = [
        "patient_id",
        "sample_id",
        "specimen",
        "timepoint",
        "gene",
        "alteration_type",
        "alteration",
        "vaf",
        "log2",
        "oncogenicity",
        "oncogenicity_rule",
        "pathway",
        "domain",
        "resistance_evidence",
        "counts_as_altered",
    ]
    return (
        kept[columns]
        .sort_values(["patient_id", "sample_id", "gene", "alteration"])
        .reset_index(drop=True)
    )


def build_tables(config: dict[str, Any], inputs: dict[str, PathLike]) -> dict[str, pd.DataFrame]:
    from her2resist.stages import biomarker_status

    clinical = read_table(inputs["clinical"])
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    clinical = clinical.rename(columns={patient_column: "patient_id"})
    samples = read_table(inputs["samples"])
    endpoints = pd.read_csv(
        inputs["endpoints"],
        sep="\t",
        dtype={"patient_id": str},
        keep_default_na=False,
        na_values=["NA"],
    )
    status = biomarker_status(config, inputs["gene_matrix"], inputs["pathway_matrix"])
    listing = disposition(clinical, samples, endpoints, status)

    def tsv(key: str) -> pd.DataFrame:
        return pd.read_csv(inputs[key], sep="\t", dtype={"patient_id": str})

    return {
        "table1_baseline_characteristics": baseline_characteristics(
            clinical, config["clinical"].get("covariate_columns", [])
        ),
        "table2_disposition": disposition_summary(listing, samples),
        "table3_efficacy": tsv("efficacy"),
        "table4_biomarker_associations": biomarker_associations(
            tsv("pfs_associations"), tsv("os_associations"), tsv("response_associations")
        ),
        "table5_adverse_events": tsv("adverse_events"),
        "tableS1_alterations_by_patient": alteration_listing(tsv("alterations")),
        "disposition_by_patient_and_sample": listing,
    }
