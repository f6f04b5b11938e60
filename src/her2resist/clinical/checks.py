"""The clinical data's checks, collected by ``validate_inputs``: the clinical table (or
ADSL) and its configured columns, dates, times, event and response codes, delayed entry, and
the adverse-event table or ADAE. Rules in ``docs/errors.md``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.clinical.adam import adverse_events_from_adae, clinical_from_adam, clinical_source
from her2resist.clinical.adverse_events import validate_grades
from her2resist.clinical.endpoints import parse_clinical
from her2resist.errors import Findings, Problem
from her2resist.tables import data_line, duplicate_problems, read_table, rows_where


def check_clinical(settings: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    columns = settings.get("columns", {})
    patient_column = columns.get("patient_id", "patient_id")
    source = clinical_source(settings)
    if settings.get("adam"):
        clinical = clinical_from_adam(settings["adam"])
    else:
        clinical = read_table(settings["table"], required=[patient_column])
    problems = duplicate_problems(clinical, patient_column, source)
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
    if settings.get("source", "times") == "dates" and "treatment_start" not in columns:
        problems.append(
            Problem(
                "config",
                "clinical.columns.treatment_start is required when source is 'dates'",
                "key clinical.columns",
            )
        )
    missing_id = clinical[patient_column].isna()
    problems += [
        Problem(
            source,
            "patient id is empty",
            data_line(clinical, i),
            patient_column,
            "fill in the id or delete the row",
        )
        for i in clinical.index[missing_id]
    ]
    if len(clinical) == 0:
        problems.append(
            Problem(
                source,
                "the clinical table has a header but no patients (empty cohort)",
                1,
                hint="add one row per treated patient",
            )
        )
    return clinical, problems


def check_clinical_values(
    clinical: pd.DataFrame, config: dict[str, Any]
) -> tuple[list[Problem], list[Problem]]:
    """Dates, times, event and response codes (the endpoints' own parse): every bad cell, with
    its line and column; and the patients whose SD without a duration gets no clinical benefit."""
    settings = config["clinical"]
    values, found = parse_clinical(clinical, settings, clinical_source(settings))
    if "best_response" in values and "cbr" in config.get("endpoints", ["cbr"]):
        cols = settings.get("columns", {})
        sd_name = cols.get("sd_duration_weeks")
        weeks = clinical[sd_name] if sd_name in clinical else pd.Series(pd.NA, clinical.index)
        patient = clinical[cols.get("patient_id", "patient_id")]
        for i in rows_where(values["best_response"].eq("SD") & weeks.isna()):
            found.warn(
                clinical_source(settings),
                f"patient '{patient[i]}': best response SD without a duration; counted as no "
                f"clinical benefit (CBR needs SD >= {config.get('cbr_min_sd_weeks', 24)} weeks)",
                data_line(clinical, i),
                sd_name or "sd_duration_weeks",
                "add the SD duration in weeks (clinical.columns.sd_duration_weeks)",
            )
    return found.problems, found.warnings


def unknown_patients(table: pd.DataFrame, patients: set[str], source: str) -> list[Problem]:
    """A problem for every row of a per-patient table whose ``patient_id`` the clinical table
    does not have."""
    ids = table["patient_id"]
    return [
        Problem(
            source,
            f"patient '{ids[i]}' is not in the clinical table",
            data_line(table, i),
            "patient_id",
            "fix the id or add the patient to the clinical table",
        )
        for i in rows_where(ids.notna() & ~ids.isin(patients))
    ]


def check_adverse_events(path: str | Path, patients: set[str]) -> list[Problem]:
    """CTCAE grades 1-5 and patients of the clinical table."""
    events = read_table(path, required=["patient_id", "term", "grade"])
    found = Findings()
    found.run(validate_grades, events, str(path))
    return found.problems + unknown_patients(events, patients, str(path))


def check_adae(config: dict[str, Any], subjects: set[str]) -> None:
    """ADAE (clinical.adam.adae): subjects in ADSL, CTCAE grades 1-5 (an InputError if not)."""
    path = (config["clinical"].get("adam") or {}).get("adae")
    if path:
        validate_grades(adverse_events_from_adae(path, subjects), str(path))
