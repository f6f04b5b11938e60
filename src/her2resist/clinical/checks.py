"""The clinical data's checks, collected by ``validate_inputs``: the clinical table (or
ADSL) and its configured columns, dates, times, event and response codes, delayed entry, and
the adverse-event table or ADAE. Rules in ``docs/errors.md``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from her2resist.clinical.adam import adverse_events_from_adae, clinical_from_adam, clinical_source
from her2resist.clinical.adverse_events import validate_grades
from her2resist.clinical.endpoints import event_codes, response_codes
from her2resist.errors import Findings, Problem
from her2resist.tables import data_line, duplicate_problems, read_table, rows_where

DATE_KEYS = (
    "treatment_start",
    "progression_date",
    "death_date",
    "last_assessment_date",
    "last_contact_date",
)


def check_clinical(settings: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    columns = settings.get("columns", {})
    patient_column = columns.get("patient_id", "patient_id")
    if settings.get("adam"):
        clinical = clinical_from_adam(settings["adam"])
        source = str(settings["adam"]["adsl"])
    else:
        clinical = read_table(settings["table"], required=[patient_column])
        source = str(settings["table"])
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


def _check_entry(
    clinical: pd.DataFrame, settings: dict[str, Any], found: Findings, who: Any
) -> None:
    """Delayed entry: the key that fits the source, numbers, and who will be excluded."""
    cols = settings.get("columns", {})
    dates = settings.get("source", "times") == "dates"
    wrong, right = ("entry_time", "entry_date") if dates else ("entry_date", "entry_time")
    if cols.get(wrong):
        found.error(
            "config",
            f"clinical.columns.{wrong} does not apply when clinical.source is "
            f"'{settings.get('source', 'times')}'",
            "key clinical.columns",
            hint=f"use clinical.columns.{right}",
        )
    name = cols.get(right)
    if not name or name not in clinical.columns:
        return
    source, values = str(settings["table"]), clinical[name]
    if not dates:
        numbers = pd.to_numeric(values, errors="coerce")
        unit = settings.get("time_unit", "months")
        for i in rows_where(values.notna() & numbers.isna()):
            found.error(
                source,
                f"{who(i)}: entry time '{values[i]}' is not a number",
                data_line(clinical, i),
                name,
                f"give it in {unit} (clinical.time_unit)",
            )
    for i in rows_where(values.isna()):
        found.warn(
            source,
            f"{who(i)}: entry time is missing; excluded from PFS and OS",
            data_line(clinical, i),
            name,
            "fill in when the patient came under observation",
        )


def check_clinical_values(
    clinical: pd.DataFrame, config: dict[str, Any]
) -> tuple[list[Problem], list[Problem]]:
    """Dates, times, event and response codes: every bad cell, with its line and column."""
    settings = config["clinical"]
    cols = settings.get("columns", {})
    source = clinical_source(settings)
    patient = clinical[cols.get("patient_id", "patient_id")]
    found = Findings()

    def col(key: str) -> str | None:
        name = cols.get(key)
        return name if name and name in clinical.columns else None

    def who(i: Any) -> str:
        return f"patient '{patient[i]}'"

    if settings.get("source", "times") == "dates":
        fmt = settings.get("date_format")
        shown = fmt or "YYYY-MM-DD (ISO 8601)"
        parsed = {}
        for key in (*DATE_KEYS, "entry_date"):
            name = col(key)
            if name is None:
                continue
            values = clinical[name]
            dates = pd.to_datetime(values, format=fmt or "ISO8601", errors="coerce")
            mixed = " (the column mixes date formats)" if dates.notna().any() else ""
            for i in rows_where(values.notna() & dates.isna()):
                found.error(
                    source,
                    f"{who(i)}: '{values[i]}' is not a date in the format {shown}{mixed}",
                    data_line(clinical, i),
                    name,
                    "write every date in one format and set clinical.date_format to it",
                )
            parsed[key] = dates
        start = parsed.get("treatment_start")
        if start is not None:
            for i in rows_where(start.isna() & clinical[cols["treatment_start"]].isna()):
                found.warn(
                    source,
                    f"{who(i)}: treatment start is missing; excluded from PFS and OS",
                    data_line(clinical, i),
                    cols["treatment_start"],
                    "fill in the date",
                )
            for key in DATE_KEYS[1:]:
                if key not in parsed:
                    continue
                before = parsed[key].notna() & start.notna() & (parsed[key] < start)
                for i in rows_where(before):
                    text = (
                        f"{who(i)}: {key.replace('_', ' ')} {clinical[cols[key]][i]} is before "
                        f"treatment start {clinical[cols['treatment_start']][i]}"
                    )
                    if key == "progression_date":
                        found.error(
                            source,
                            text,
                            data_line(clinical, i),
                            cols[key],
                            "check both dates (day/month swapped?)",
                        )
                    else:
                        found.warn(
                            source,
                            text + "; the patient is excluded from the endpoint (negative time)",
                            data_line(clinical, i),
                            cols[key],
                            "check both dates",
                        )
    else:
        events = settings.get("event_values", {})
        for endpoint in ("pfs", "os"):
            time_name, event_name = col(f"{endpoint}_time"), col(f"{endpoint}_event")
            if time_name is not None:
                values = clinical[time_name]
                numbers = pd.to_numeric(
                    values.replace({"-Inf": "-inf", "Inf": "inf"}), errors="coerce"
                )
                for i in rows_where(values.notna() & numbers.isna()):
                    found.error(
                        source,
                        f"{who(i)}: '{values[i]}' is not a number",
                        data_line(clinical, i),
                        time_name,
                        f"give times as numbers in {settings.get('time_unit', 'months')} "
                        "(clinical.time_unit)",
                    )
                for i in rows_where(values.isna()):
                    found.warn(
                        source,
                        f"{who(i)}: {endpoint.upper()} time is missing; excluded from "
                        f"{endpoint.upper()}",
                        data_line(clinical, i),
                        time_name,
                    )
                finite = numbers.astype(float)
                bad = (finite < 0) | np.isinf(finite)
                for i in rows_where(bad):
                    found.warn(
                        source,
                        f"{who(i)}: {endpoint.upper()} time {values[i]} is negative or infinite; "
                        f"excluded from {endpoint.upper()}",
                        data_line(clinical, i),
                        time_name,
                        "check the value",
                    )
            if event_name is not None:
                codes = event_codes(events.get(event_name, events.get(f"{endpoint}_event", {})))
                values = clinical[event_name]
                lowered = values.astype("string").str.strip().str.lower()
                for i in rows_where(lowered.notna() & ~lowered.isin(list(codes))):
                    found.error(
                        source,
                        f"{who(i)}: unknown event code '{values[i]}'",
                        data_line(clinical, i),
                        event_name,
                        f"map it to 1 (event) or 0 (censored) under clinical.event_values."
                        f"{event_name}, e.g. {{'{values[i]}': 1}}",
                    )
    _check_entry(clinical, settings, found, who)
    response_name = col("best_response")
    if response_name is not None:
        codes = response_codes(settings.get("response_values", {}))
        values = clinical[response_name]
        lowered = values.astype("string").str.strip().str.lower()
        for i in rows_where(lowered.notna() & ~lowered.isin(list(codes))):
            found.error(
                source,
                f"{who(i)}: unknown response '{values[i]}'",
                data_line(clinical, i),
                response_name,
                "use CR, PR, SD, PD or NE (RECIST 1.1), or map the code under "
                "clinical.response_values",
            )
        bor = lowered.map(codes)
        sd_name = col("sd_duration_weeks")
        raw = clinical[sd_name] if sd_name else pd.Series(pd.NA, index=clinical.index)
        for i in rows_where(raw.notna() & pd.to_numeric(raw, errors="coerce").isna()):
            found.error(
                source,
                f"{who(i)}: SD duration '{raw[i]}' is not a number of weeks",
                data_line(clinical, i),
                sd_name,
                "give the duration of stable disease in weeks",
            )
        if "cbr" in config.get("endpoints", ["cbr"]):
            for i in rows_where(bor.eq("SD") & raw.isna()):
                found.warn(
                    source,
                    f"{who(i)}: best response SD without a duration; counted as no clinical "
                    f"benefit (CBR needs SD >= {config.get('cbr_min_sd_weeks', 24)} weeks)",
                    data_line(clinical, i),
                    sd_name or "sd_duration_weeks",
                    "add the SD duration in weeks (clinical.columns.sd_duration_weeks)",
                )
    return found.problems, found.warnings


def check_adverse_events(path: str | Path, patients: set[str]) -> list[Problem]:
    events = read_table(path, required=["patient_id", "term", "grade"])
    source = str(path)
    problems = []
    grades = pd.to_numeric(events["grade"], errors="coerce")
    for i in rows_where(~grades.isin([1, 2, 3, 4, 5])):
        problems.append(
            Problem(
                source,
                f"grade '{events['grade'][i]}' is not a CTCAE v5.0 grade",
                data_line(events, i),
                "grade",
                "use an integer grade 1-5",
            )
        )
    for i in rows_where(events["patient_id"].notna() & ~events["patient_id"].isin(patients)):
        problems.append(
            Problem(
                source,
                f"patient '{events['patient_id'][i]}' is not in the clinical table",
                data_line(events, i),
                "patient_id",
                "fix the id or add the patient to the clinical table",
            )
        )
    return problems


def check_adae(config: dict[str, Any], subjects: set[str]) -> None:
    """ADAE (clinical.adam.adae): subjects in ADSL, CTCAE grades 1-5 (an InputError if not)."""
    path = (config["clinical"].get("adam") or {}).get("adae")
    if path:
        validate_grades(adverse_events_from_adae(path, subjects), str(path))
