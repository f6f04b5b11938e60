"""Stage 1, validate: the analysis population's sheet and clinical table, the input report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from her2resist.cbioportal_study import warning_table
from her2resist.errors import InputError
from her2resist.population import select_population
from her2resist.report.labels import data_labels
from her2resist.run import PathLike
from her2resist.sheet import load_sample_sheet
from her2resist.tables import read_table, write_tsv
from her2resist.validate import Validated, validate_inputs


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
    outputs = {"samples": samples_out, "clinical": clinical_out, "report": report_out}
    outputs |= {"excluded": excluded_out, "labels": labels_out}
    write_validated(config, validate_inputs(config), outputs, study_warnings)


def write_validated(
    config: dict[str, Any],
    validated: Validated,
    outputs: dict[str, PathLike | None],
    study_warnings: PathLike | None = None,
    write: Callable[[pd.DataFrame, PathLike], None] = write_tsv,
) -> pd.DataFrame:
    """The validate stage's tables (``outputs``: samples, clinical, report, and excluded and
    labels where given; see :func:`run_validate`) from ``validate_inputs``' result, which
    the workflow has when it is parsed: inputs are validated once. ``write``: how a table is
    written (the workflow: only on a change). Returns the population's samples."""
    sheet = validated.samples.copy()
    if not config.get("samples") or config.get("maf") or config.get("cnv"):
        # the sheet validate_inputs checked is not checked again
        sheet, problems = load_sample_sheet(config, checked=sheet)
        if problems:
            raise InputError(problems)
    clinical, samples, excluded = select_population(config, validated.clinical, sheet)
    write(samples, outputs["samples"])
    write(clinical, outputs["clinical"])
    if outputs.get("excluded"):
        write(excluded, outputs["excluded"])
    if outputs.get("labels"):
        labels = pd.Series(data_labels(config), dtype=object)
        frame = pd.DataFrame({"column": labels.index, "label": labels.to_numpy()})
        write(frame, outputs["labels"])
    report = warning_table(validated.warnings)
    if study_warnings:
        report = pd.concat([read_table(study_warnings), report], ignore_index=True)
    write(report, outputs["report"])
    return samples
