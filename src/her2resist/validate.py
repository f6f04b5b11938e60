"""Check every input before any expensive work, and report all problems at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd

from her2resist.config import load_schema
from her2resist.errors import InputError, Problem
from her2resist.tables import data_line, read_table

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
CLINICAL_KEYS_BY_SOURCE = {
    "dates": ["treatment_start"],
    "times": [],
}


@dataclass
class Validated:
    samples: pd.DataFrame
    clinical: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _duplicates(frame: pd.DataFrame, column: str, source: str) -> list[Problem]:
    dup = frame[column].duplicated(keep="first") & frame[column].notna()
    return [
        Problem(
            source,
            f"duplicated {column} '{frame[column][i]}'",
            data_line(frame, i),
            column,
            "each id must appear once",
        )
        for i in frame.index[dup]
    ]


def check_samples(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    samples = read_table(path, required=["patient_id", "sample_id", "specimen", "timepoint"])
    source = str(path)
    for column in SAMPLE_COLUMNS:
        if column not in samples.columns:
            samples[column] = pd.NA
    problems = _duplicates(samples, "sample_id", source)
    validator = jsonschema.Draft202012Validator(load_schema("samples.schema.yaml"))
    for i, row in samples.iterrows():
        record = {k: v for k, v in row.items() if isinstance(v, str)}
        for error in validator.iter_errors(record):
            column = error.path[0] if error.path else None
            hint = None
            if error.validator == "enum":
                hint = "use one of " + ", ".join(v for v in error.validator_value if v)
            elif error.validator == "pattern":
                hint = "use letters, digits, '.', '_' or '-' (sample ids name output files)"
            problems.append(Problem(source, error.message, data_line(samples, i), column, hint))
        for column in ("variant_file", "cnv_file"):
            value = row[column]
            if isinstance(value, str) and value and not Path(value).is_file():
                problems.append(
                    Problem(
                        source,
                        f"file not found: {value}",
                        data_line(samples, i),
                        column,
                        "paths are relative to the working directory",
                    )
                )
        if isinstance(row["purity"], str):
            try:
                purity = float(row["purity"])
                if not 0 < purity <= 1:
                    raise ValueError
            except ValueError:
                problems.append(
                    Problem(
                        source,
                        f"purity '{row['purity']}' is not a fraction in (0, 1]",
                        data_line(samples, i),
                        "purity",
                        "e.g. 0.6 for 60 %",
                    )
                )
    samples["qc_status"] = samples["qc_status"].fillna("pass").replace("", "pass")
    return samples[SAMPLE_COLUMNS], problems


def check_clinical(settings: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    columns = settings.get("columns", {})
    patient_column = columns.get("patient_id", "patient_id")
    clinical = read_table(settings["table"], required=[patient_column])
    source = str(settings["table"])
    problems = _duplicates(clinical, patient_column, source)
    for key, name in columns.items():
        if name not in clinical.columns:
            problems.append(
                Problem(
                    source,
                    f"column '{name}' (clinical.columns.{key}) is not in the table",
                    1,
                    name,
                    f"the table has: {', '.join(clinical.columns)}",
                )
            )
    for key in CLINICAL_KEYS_BY_SOURCE[settings.get("source", "times")]:
        if key not in columns:
            problems.append(
                Problem(
                    "config",
                    f"clinical.columns.{key} is required when source is '{settings.get('source')}'",
                    "key clinical.columns",
                )
            )
    missing_id = clinical[patient_column].isna()
    problems += [
        Problem(source, "patient id is empty", data_line(clinical, i), patient_column)
        for i in clinical.index[missing_id]
    ]
    return clinical, problems


def validate_inputs(config: dict[str, Any]) -> Validated:
    """Validate sheet and clinical table together; raise InputError with every problem."""
    problems: list[Problem] = []
    try:
        clinical, found = check_clinical(config["clinical"])
        problems += found
    except InputError as error:
        problems += error.problems
        clinical = pd.DataFrame()
    samples = pd.DataFrame(columns=SAMPLE_COLUMNS)
    if config.get("samples"):
        try:
            samples, found = check_samples(config["samples"])
            problems += found
        except InputError as error:
            problems += error.problems
    if len(clinical) and len(samples):
        patient_column = config["clinical"].get("columns", {}).get("patient_id", "patient_id")
        known = set(clinical[patient_column].dropna())
        unknown = ~samples["patient_id"].isin(known)
        problems += [
            Problem(
                str(config["samples"]),
                f"patient '{samples['patient_id'][i]}' is not in the clinical table",
                data_line(samples, i),
                "patient_id",
                "add the patient to the clinical table or fix the id",
            )
            for i in samples.index[unknown]
        ]
    if problems:
        raise InputError(problems)
    if len(clinical) == 0:
        raise InputError.one(str(config["clinical"]["table"]), "no patients in the clinical table")
    return Validated(samples, clinical)
