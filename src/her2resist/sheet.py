"""The sample sheet the workflow runs on: the user's sheet, or one derived from a cohort MAF.

With ``maf:`` set, every sample of the sheet takes its variants from the cohort MAF (a
sequenced sample without MAF rows is wild type for the genes its ``panel`` covers, every gene
when the cell is empty); without a sheet, the samples are the MAF's
``Tumor_Sample_Barcode`` values. ``cnv:`` (a cohort gene-level table) works the same way for
copy number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from her2resist.errors import Problem
from her2resist.validate import SAMPLE_COLUMNS, check_samples


def samples_from_maf(maf: str, patient_id_length: int | None = None) -> pd.DataFrame:
    """One baseline tissue sample per Tumor_Sample_Barcode of the MAF (sorted)."""
    from her2resist.variants import read_maf

    barcodes = sorted(read_maf(maf)["sample_id"].dropna().astype(str).unique())
    patients = [b[:patient_id_length] if patient_id_length else b for b in barcodes]
    sheet = pd.DataFrame({"patient_id": patients, "sample_id": barcodes})
    sheet["specimen"], sheet["timepoint"], sheet["qc_status"] = "tissue", "baseline", "pass"
    return sheet.reindex(columns=SAMPLE_COLUMNS)


def attach_cohort_files(samples: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """Point samples without their own files at the cohort MAF / gene-level CN table (not
    for a cBioPortal study: its sheet already says which samples each file profiled)."""
    samples = samples.copy()
    if config.get("cbioportal_study"):
        return samples
    for key, file_column, format_column, fmt in [
        ("maf", "variant_file", "variant_format", "maf"),
        ("cnv", "cnv_file", "cnv_format", "gene_table"),
    ]:
        if config.get(key):
            empty = samples[file_column].fillna("").astype(str).eq("")
            samples.loc[empty, file_column] = config[key]
            samples.loc[empty, format_column] = fmt
    empty = samples["annotation"].fillna("").astype(str).eq("")
    samples.loc[empty & samples["variant_format"].eq("maf"), "annotation"] = "maf"
    return samples


def load_sample_sheet(
    config: dict[str, Any], checked: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """The samples to analyse and the problems found in the user's sheet (``checked``: the
    sheet as ``validate_inputs`` already read and checked it)."""
    if config.get("samples") and checked is not None:
        samples, problems = checked, []
    elif config.get("samples"):
        samples, problems = check_samples(config["samples"])
    elif config.get("maf"):
        samples, problems = samples_from_maf(config["maf"], config.get("maf_patient_id_length")), []
    else:
        return pd.DataFrame(columns=SAMPLE_COLUMNS), [
            Problem(
                "config",
                "neither 'samples' nor 'maf' is set",
                "key samples",
                hint="give a sample sheet, or a cohort MAF with maf:",
            )
        ]
    return attach_cohort_files(samples, config), problems
