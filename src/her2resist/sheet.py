"""The sample sheet the workflow runs on: the user's sheet, or one derived from a cohort MAF.

With ``maf:`` set, every sample of the sheet takes its variants from the cohort MAF (a
sequenced sample without MAF rows is wild type for the genes its ``panel`` covers, every gene
when the cell is empty); without a sheet, the samples are the MAF's
``Tumor_Sample_Barcode`` values. ``cnv:`` (a cohort gene-level table) works the same way for
copy number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd

from her2resist.config import load_schema
from her2resist.errors import Findings, Problem
from her2resist.panels import GENE_PANEL_COLUMNS
from her2resist.tables import cell_text, data_line, duplicate_problems, read_table, records
from her2resist.variants.maf import read_maf
from her2resist.vocabulary import BASELINE, TISSUE

SAMPLE_COLUMNS = [
    "patient_id",
    "sample_id",
    "specimen",
    "timepoint",
    "variant_file",
    "variant_format",
    "annotation",
    "tumor_sample",
    "normal_sample",
    "cnv_file",
    "cnv_format",
    "purity",
    "qc_status",
]
# Optional sheet columns (issue 15): what each assay covered and the fusion calls
# (docs/configuration.md); an older sheet without them reads as empty.
PANEL_COLUMNS = ["panel", "cnv_panel", "sv_panel", "sv_file", "sv_format"]
# The formats a given sv_file / cnv_file may be in: the hint when its format is left empty.
FORMAT_HINTS = {
    "sv": "use vcf (an annotated SV VCF) or cbioportal_sv (data_sv.txt / data_fusions.txt)",
    "cnv": "use one of cnvkit_cns, cnvkit_cnr, seg, gene_table",
}


def samples_from_maf(maf: str, patient_id_length: int | None = None) -> pd.DataFrame:
    """One baseline tissue sample per Tumor_Sample_Barcode of the MAF (sorted)."""
    barcodes = sorted(read_maf(maf)["sample_id"].dropna().astype(str).unique())
    patients = [b[:patient_id_length] if patient_id_length else b for b in barcodes]
    sheet = pd.DataFrame({"patient_id": patients, "sample_id": barcodes})
    sheet["specimen"], sheet["timepoint"], sheet["qc_status"] = TISSUE, BASELINE, "pass"
    return sheet.reindex(columns=SAMPLE_COLUMNS)


def check_samples(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Sheet structure and values (not file contents): the parse-time check."""
    samples = read_table(path, required=["patient_id", "sample_id", "specimen", "timepoint"])
    source = str(path)
    for column in [*SAMPLE_COLUMNS, *PANEL_COLUMNS]:
        if column not in samples.columns:
            samples[column] = pd.NA
    found = Findings(duplicate_problems(samples, "sample_id", source))
    if len(samples) == 0:
        found.error(
            source,
            "the sample sheet has a header but no samples (empty cohort)",
            1,
            hint="add one row per sequenced specimen",
        )
    row_errors = _row_schema_errors(load_schema("samples.schema.yaml"))
    readable: set[str] = set()
    for i, row in zip(samples.index, records(samples), strict=True):
        line = data_line(samples, i)
        record = {k: v for k, v in row.items() if isinstance(v, str)}
        for error in row_errors(record):
            column = error.path[0] if error.path else None
            hint = None
            message = error.message
            if error.validator == "enum":
                hint = "use one of " + ", ".join(v for v in error.validator_value if v)
            elif error.validator == "pattern":
                hint = "use letters, digits, '.', '_' or '-' (sample ids name output files)"
            elif error.validator == "required":
                column = re.sub(r"^'([^']+)'.*", r"\1", error.message)
                message = f"{column} is empty"
                hint = "every row needs patient_id, sample_id, specimen and timepoint"
            found.error(source, message, line, column, hint)
        for column in ("variant_file", "cnv_file", "sv_file", *GENE_PANEL_COLUMNS):
            value = cell_text(row[column])
            if value and value not in readable:  # a cohort file shared by every row: once
                file_problems = _file_problems(value, source, line, column)
                readable.update([] if file_problems else [value])
                found.problems += file_problems
        for kind, hint in FORMAT_HINTS.items():
            if cell_text(row[f"{kind}_file"]) and not cell_text(row[f"{kind}_format"]):
                message = f"{kind}_file is given but {kind}_format is empty"
                found.error(source, message, line, f"{kind}_format", hint)
        if isinstance(row["purity"], str):
            try:
                purity = float(row["purity"])
                if not 0 < purity <= 1:
                    raise ValueError
            except ValueError:
                found.error(
                    source,
                    f"purity '{row['purity']}' is not a fraction in (0, 1]",
                    line,
                    "purity",
                    "e.g. 0.6 for 60 %",
                )
    samples["qc_status"] = samples["qc_status"].fillna("pass").replace("", "pass")
    return samples[SAMPLE_COLUMNS + PANEL_COLUMNS], found.problems


def _row_schema_errors(schema: dict[str, Any]) -> Callable[[dict[str, Any]], list[Any]]:
    """``Draft202012Validator(schema).iter_errors`` of one row, in its order (properties in
    schema order, then required), each property's distinct value checked once: the sheet
    schema's properties do not depend on each other, and one full check per row took
    seconds on a cohort's sheet."""
    properties = jsonschema.Draft202012Validator({"properties": schema["properties"]})
    required = jsonschema.Draft202012Validator({"required": schema["required"]})
    seen: dict[tuple[str, Any], list[Any]] = {}

    def errors(record: dict[str, Any]) -> list[Any]:
        found = []
        for key in schema["properties"]:
            if key in record:
                if (key, record[key]) not in seen:
                    seen[key, record[key]] = list(properties.iter_errors({key: record[key]}))
                found += seen[key, record[key]]
        return found + list(required.iter_errors(record))

    return errors


def _file_problems(value: str, source: str, line: int, column: str) -> list[Problem]:
    path = Path(value)
    if not path.exists():
        near = ""
        if path.parent.is_dir():
            similar = [p.name for p in path.parent.iterdir() if p.name.lower() == path.name.lower()]
            near = f"; did you mean '{path.parent / similar[0]}'?" if similar else ""
        return [
            Problem(
                source,
                f"file not found: '{value}' (working directory {Path.cwd()}){near}",
                line,
                column,
                "paths are relative to the working directory (snakemake -d / her2resist "
                "run folder); check spelling and case",
            )
        ]
    if not path.is_file():
        return [Problem(source, f"'{value}' is a folder, not a file", line, column)]
    if not os.access(path, os.R_OK):
        return [
            Problem(source, f"file is not readable: '{value}'", line, column, "fix its permissions")
        ]
    if path.stat().st_size == 0:
        return [
            Problem(
                source,
                f"file is empty (0 bytes): '{value}'",
                line,
                column,
                "re-copy it; a VCF without calls still needs its header and #CHROM line",
            )
        ]
    return []


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
