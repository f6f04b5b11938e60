"""Stage 1, validate: the analysis population's sheet and clinical table, the input report."""

from __future__ import annotations

from typing import Any

import pandas as pd

from her2resist.cbioportal_study import warning_table
from her2resist.errors import InputError
from her2resist.population import select_population
from her2resist.report.labels import data_labels
from her2resist.run import PathLike
from her2resist.sheet import load_sample_sheet
from her2resist.tables import read_table, write_tsv
from her2resist.validate import validate_inputs


def run_validate(
    config: dict[str, Any],
    samples_out: PathLike,
    clinical_out: PathLike,
    report_out: PathLike,
    excluded_out: PathLike | None = None,
    study_warnings: PathLike | None = None,
    labels_out: PathLike | None = None,
) -> None:
    """Validated sheet and clinical table of the analysis population; every warning (the
    study reader's too) in the input report; everyone outside the population in
    ``excluded_out`` with the reason; ``labels_out``: the variable labels the clinical data
    carry (``column<TAB>label``; the report's tables and figures use them)."""
    validated = validate_inputs(config)
    if not config.get("samples") or config.get("maf") or config.get("cnv"):
        validated.samples, problems = load_sample_sheet(config)
        if problems:
            raise InputError(problems)
    clinical, samples, excluded = select_population(config, validated.clinical, validated.samples)
    write_tsv(samples, samples_out)
    write_tsv(clinical, clinical_out)
    if excluded_out:
        write_tsv(excluded, excluded_out)
    if labels_out:
        labels = pd.Series(data_labels(config), dtype=object)
        write_tsv(pd.DataFrame({"column": labels.index, "label": labels.to_numpy()}), labels_out)
    report = warning_table(validated.warnings)
    if study_warnings:
        report = pd.concat([read_table(study_warnings), report], ignore_index=True)
    write_tsv(report, report_out)
