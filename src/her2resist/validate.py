"""Check every input before any expensive work, and report all problems at once.

``validate_inputs`` reads the (already schema-checked) config, the sample sheet, the clinical
and adverse-event tables, and the *headers* of every variant and copy-number file named in the
sheet. It never stops at the first problem: every problem is collected, each naming the file,
the line (or record / config key), the column, what is wrong and how to fix it, and one
:class:`InputError` carries them all. Findings that do not stop the run (a patient without
samples, an SD without a duration, a time that excludes a patient from one endpoint) are
returned as warnings and written to ``results/qc/input_report.tsv``.

The rules are documented in ``docs/errors.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.clinical.adam import clinical_source
from her2resist.clinical.checks import (
    check_adae,
    check_adverse_events,
    check_clinical,
    check_clinical_values,
)
from her2resist.clinical.responses import derive as derive_responses
from her2resist.clinical.responses import has_visits, tumour_changes
from her2resist.cnv.gene_table import check_gene_table_header
from her2resist.cnv.segments import check_segment_header
from her2resist.config import resolve_resources
from her2resist.errors import Findings, InputError, Problem
from her2resist.panels import GENE_PANEL_COLUMNS, read_panel
from her2resist.report.labels import check_labels
from her2resist.sheet import SAMPLE_COLUMNS, check_samples
from her2resist.tables import cell_text, data_line, records, rows_where
from her2resist.variants.fusions import check_sv_file
from her2resist.variants.header import check_vcf
from her2resist.variants.maf import check_maf


@dataclass
class Validated:
    samples: pd.DataFrame
    clinical: pd.DataFrame
    warnings: list[Problem]


def _has_data(path: str) -> bool:
    """A file named, present and not empty (an empty or missing one is check_samples' problem)."""
    return bool(path) and Path(path).is_file() and Path(path).stat().st_size > 0


def check_sample_files(
    samples: pd.DataFrame, source: str, genome_build: str | None
) -> tuple[list[Problem], list[Problem]]:
    """Headers of every variant and CNV file in the sheet (files that exist). A cohort MAF or
    CNA matrix that every sample of a study shares is checked once, at its first row (per
    sample, its header was parsed once per sample: quadratic for a 2,000-sample study)."""
    found = Findings()
    shared: set[tuple[str, str]] = set()  # (file, format) of MAF and CNV headers checked
    for i, sample in zip(samples.index, records(samples), strict=True):
        line = data_line(samples, i)
        row = f" (sample sheet {source} line {line})"
        variant_file = cell_text(sample["variant_file"])
        fmt = cell_text(sample["variant_format"]) or "vcf"
        if (variant_file, fmt) not in shared and _has_data(variant_file):
            if fmt == "maf":
                shared.add((variant_file, fmt))
                header_findings = check_maf(variant_file, row=row)
            else:
                header_findings = check_vcf(
                    variant_file,
                    annotation=cell_text(sample["annotation"]) or "auto",
                    tumor=cell_text(sample["tumor_sample"]) or None,
                    normal=cell_text(sample["normal_sample"]) or None,
                    genome_build=genome_build,
                    sheet=source,
                    sheet_line=line,
                )
            found.add(*header_findings)
        cnv_file = cell_text(sample["cnv_file"])
        cnv_format = cell_text(sample["cnv_format"])
        if cnv_format and (cnv_file, cnv_format) not in shared and _has_data(cnv_file):
            shared.add((cnv_file, cnv_format))
            if cnv_format == "gene_table":
                found.problems += check_gene_table_header(cnv_file, row=row)
            else:
                found.problems += check_segment_header(cnv_file, cnv_format, row=row)
        if cell_text(sample["qc_status"]) == "fail":
            found.warn(
                source,
                f"sample '{sample['sample_id']}' failed QC: not evaluable (never wild type)",
                line,
                "qc_status",
            )
    return found.problems, found.warnings


def check_panels_and_fusions(
    samples: pd.DataFrame, source: str, gene_coordinates: str | Path
) -> list[Problem]:
    """Every panel file the sheet names must cover a gene; every SV file must be readable as
    its sv_format says (each distinct file is checked once, with the first line naming it)."""
    found = Findings()
    seen: set[tuple[str, str]] = set()
    for i, sample in zip(samples.index, records(samples), strict=True):
        line = data_line(samples, i)
        row = f" (sample sheet {source} line {line})"
        for column in GENE_PANEL_COLUMNS:
            value = cell_text(sample[column])
            if value and (value, column) not in seen and Path(value).is_file():
                seen.add((value, column))
                if found.run(read_panel, value, gene_coordinates) is None:
                    last = found.problems.pop()
                    found.error(last.file, last.message + row, last.where, column, last.hint)
        sv_file, sv_format = cell_text(sample["sv_file"]), cell_text(sample["sv_format"])
        if sv_file and sv_format and (sv_file, sv_format) not in seen and Path(sv_file).is_file():
            seen.add((sv_file, sv_format))
            found.problems += check_sv_file(sv_file, sv_format, row=row)
    return found.problems


# ---------------------------------------------------------------------------- everything


def validate_inputs(config: dict[str, Any]) -> Validated:
    """Validate every input together; raise InputError with every problem found.

    ``config`` is a validated, defaulted config (``load_config``). Warnings are returned on
    the result (they do not stop the run).
    """
    found = Findings()
    clinical = pd.DataFrame()
    checked = found.run(check_clinical, config["clinical"])
    if checked is not None:
        clinical, problems = checked
        found.problems += problems
        if not problems:
            found.add(*check_clinical_values(clinical, config))
        if config.get("labels"):
            markers = config.get("biomarkers", {})
            names = [*clinical.columns, *markers.get("genes", []), *markers.get("domains", [])]
            names += [f"pathway:{p}" for p in markers.get("pathways", [])]
            found.problems += check_labels(
                config["labels"], names, clinical_source(config["clinical"])
            )
    samples = pd.DataFrame(columns=SAMPLE_COLUMNS)
    sheet = str(config.get("samples") or "")
    if sheet:
        checked = found.run(check_samples, sheet)
        if checked is not None:
            samples, problems = checked
            found.problems += problems
            found.add(*check_sample_files(samples, sheet, config.get("genome_build")))
            coordinates = resolve_resources(config)["gene_coordinates"]
            found.problems += check_panels_and_fusions(samples, sheet, coordinates)
    for key in ("maf", "cnv"):
        if not config.get(key):
            continue
        if not Path(config[key]).is_file():
            found.error(
                "config",
                f"{key} file not found: '{config[key]}' (working directory {Path.cwd()})",
                f"key {key}",
                hint="paths are relative to the working directory",
            )
        elif key == "maf":
            found.add(*check_maf(config["maf"], row=" (config key maf)"))
        else:
            found.problems += check_gene_table_header(config["cnv"], row=" (config key cnv)")
    patient_column = config["clinical"].get("columns", {}).get("patient_id", "patient_id")
    if len(clinical) and patient_column in clinical.columns:
        known = set(clinical[patient_column].dropna())
        for i in rows_where(samples["patient_id"].notna() & ~samples["patient_id"].isin(known)):
            found.error(
                sheet,
                f"sample '{samples['sample_id'][i]}': patient '{samples['patient_id'][i]}' "
                "is not in the clinical table",
                data_line(samples, i),
                "patient_id",
                "add the patient to the clinical table or fix the id",
            )
        sequenced = set(samples["patient_id"].dropna())
        unsequenced = clinical[patient_column].notna() & ~clinical[patient_column].isin(sequenced)
        for i in rows_where(unsequenced) if sheet else []:
            found.warn(
                clinical_source(config["clinical"]),
                f"patient '{clinical[patient_column][i]}' has no sample in the sheet: "
                "listed as not sequenced (not evaluable for biomarkers)",
                data_line(clinical, i),
                patient_column,
            )
        if config.get("adverse_events"):
            found.problems += found.run(check_adverse_events, config["adverse_events"], known) or []
        found.run(check_adae, config, known)
        if not found.problems and has_visits(config):
            derived = found.run(derive_responses, clinical, config)
            if derived is not None:
                found.warnings += derived[1]
        if not found.problems:
            found.run(tumour_changes, clinical, config)
    if found.problems:
        raise InputError(found.problems)
    return Validated(samples, clinical, found.warnings)
