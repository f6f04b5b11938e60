"""Per-patient endpoints: PFS, OS (months), best overall response, ORR, CBR, DCR.

Times are in months of 30.4375 days. From dates: PFS runs from treatment start to the
first of progression or death, otherwise is censored at the last adequate tumour
assessment (at treatment start when there was none); OS runs to death, otherwise is
censored at last contact. A patient whose time cannot be computed, or is impossible
(negative, infinite), is excluded from that endpoint with the reason, and the run goes on.

Delayed entry (optional `clinical.columns.entry_time`, in `time_unit`, or `entry_date` with
dates): when a patient came under observation, on the clock of PFS and OS (e.g. sequencing
after diagnosis when OS counts from diagnosis). `entry_months` carries it to the statistics,
which then use left-truncated risk sets. A patient whose entry is missing, or not before the
end of an endpoint's follow-up, is excluded from that endpoint with the reason; an entry before
the origin (negative) means observed from the origin on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from her2resist.clinical.recist import SPELLED_OUT
from her2resist.errors import Findings, InputError
from her2resist.tables import data_line, rows_where

DAYS_PER_MONTH = 30.4375
UNIT_TO_MONTHS = {"days": 1 / DAYS_PER_MONTH, "weeks": 7 / DAYS_PER_MONTH, "months": 1.0}
RECIST = ("CR", "PR", "SD", "PD", "NE")
DATE_KEYS = (
    "treatment_start",
    "progression_date",
    "death_date",
    "last_assessment_date",
    "last_contact_date",
)
DEFAULT_EVENT_CODES = {
    "1": 1,
    "0": 0,
    "1.0": 1,
    "0.0": 0,
    "yes": 1,
    "no": 0,
    "true": 1,
    "false": 0,
    "event": 1,
    "censored": 0,
    "dead": 1,
    "deceased": 1,
    "alive": 0,
    "died": 1,
    "progressed": 1,
    "progression": 1,
    "not progressed": 0,
    # cBioPortal OS_STATUS / PFS_STATUS / DFS_STATUS (with and without the 1:/0: prefix)
    "1:deceased": 1,
    "0:living": 0,
    "living": 0,
    "1:progression": 1,
    "1:progressed": 1,
    "0:censored": 0,
    "0:progressionfree": 0,
    "0:not progressed": 0,
    "1:recurred/progressed": 1,
    "recurred/progressed": 1,
    "1:recurred": 1,
    "0:diseasefree": 0,
    "diseasefree": 0,
}
DEFAULT_RESPONSE_CODES = SPELLED_OUT | {"ne": "NE", "ue": "NE"}

ENDPOINT_COLUMNS = [
    "patient_id",
    "entry_months",
    "pfs_months",
    "pfs_event",
    "pfs_excluded",
    "os_months",
    "os_event",
    "os_excluded",
    "best_response",
    "sd_duration_weeks",
    "orr",
    "cbr",
    "dcr",
    "response_evaluable",
    "response_excluded",
    # from per-visit responses (clinical/responses.py); NA when the table gives the BOR
    "best_response_unconfirmed",
    "duration_of_response_months",
    "dor_event",
]
# what per-visit responses (clinical/responses.py) replace
RESPONSE_COLUMNS = ENDPOINT_COLUMNS[ENDPOINT_COLUMNS.index("best_response") :]


def event_codes(mapping: dict) -> dict:
    """Lower-case event code -> 1/0: the defaults, then clinical.event_values."""
    return {str(k).strip().lower(): v for k, v in {**DEFAULT_EVENT_CODES, **mapping}.items()}


def response_codes(mapping: dict) -> dict:
    """Lower-case response -> RECIST code: defaults, clinical.response_values, the codes."""
    codes = {**DEFAULT_RESPONSE_CODES, **{k.strip().lower(): v for k, v in mapping.items()}}
    return codes | {c.lower(): c for c in RECIST}


def _exclusion(months: pd.Series, event: pd.Series) -> pd.Series:
    reason = pd.Series("", index=months.index, dtype=object)
    reason[months.isna()] = "time missing"
    values = months.astype(float).fillna(0)
    reason[np.isfinite(values) & (values < 0)] = "negative time"
    reason[np.isinf(values)] = "time not finite"
    reason[(reason == "") & event.isna()] = "event status missing"
    return reason


def has_delayed_entry(settings: dict) -> bool:
    """Is an entry time configured (clinical.columns.entry_time or entry_date)?"""
    columns = settings.get("columns", {})
    key = "entry_date" if settings.get("source", "times") == "dates" else "entry_time"
    return bool(columns.get(key))


def delayed_entry_statement(settings: dict) -> str:
    """One sentence for the provenance and report: was delayed entry applied, from what."""
    if not has_delayed_entry(settings):
        return "not applied: every patient at risk from the time origin"
    key = "entry_date" if settings.get("source", "times") == "dates" else "entry_time"
    return (
        f"applied: left-truncated risk sets (at risk while entry < t <= time), entry from "
        f"clinical column '{settings['columns'][key]}' (endpoints.tsv entry_months); the "
        "log-rank columns hold the Cox score test"
    )


def _entry_exclusion(reason: pd.Series, entry: pd.Series, months: pd.Series) -> pd.Series:
    """Add the delayed-entry reasons to patients not already excluded."""
    reason = reason.copy()
    free = reason == ""
    reason[free & entry.isna()] = "entry time missing"
    # an entry before the origin (negative) is kept: at risk from the origin, as R treats it
    reason[free & (entry >= months)] = "entry not before the end of follow-up (no time at risk)"
    return reason


def parse_clinical(
    table: pd.DataFrame, settings: dict, source: str
) -> tuple[dict[str, pd.Series], Findings]:
    """The clinical cells the endpoints use, parsed once for the validator (which reports the
    findings) and for :func:`compute_endpoints` (which computes from the values).

    Values, keyed by ``clinical.columns`` key, for the configured columns the table has: dates
    (``source: dates``), or times in months and 0/1 events; the entry; the RECIST best response
    (NaN where unknown) and the SD weeks. Findings: every bad cell is an error, every value that
    excludes a patient from an endpoint a warning, each with its patient, line, column and fix.
    """
    cols = settings.get("columns", {})
    present = {key: table[name] for key, name in cols.items() if name and name in table.columns}
    patient = table[cols.get("patient_id", "patient_id")]
    unit = settings.get("time_unit", "months")
    from_dates = settings.get("source", "times") == "dates"
    found = Findings()
    values: dict[str, pd.Series] = {}

    def flag(
        rows: pd.Series, key: str, message: str, hint: str | None = None, warn: bool = False
    ) -> None:
        """An error (or warning) for every row where ``rows`` holds; in the texts ``{value}`` is
        the row's cell of ``key``, ``{column}`` its name, ``{<key>}`` the cell of another key."""
        for i in rows_where(rows):
            cells = {name: column[i] for name, column in present.items()}
            cells |= {"value": present[key][i], "column": cols[key]}
            report = found.warn if warn else found.error
            text = f"patient '{patient[i]}': {message.format_map(cells)}"
            report(source, text, data_line(table, i), cols[key], hint and hint.format_map(cells))

    if from_dates:
        fmt = settings.get("date_format")
        for key in (*DATE_KEYS, "entry_date"):
            if key not in present:
                continue
            values[key] = pd.to_datetime(present[key], format=fmt or "ISO8601", errors="coerce")
            mixed = " (the column mixes date formats)" if values[key].notna().any() else ""
            flag(
                present[key].notna() & values[key].isna(),
                key,
                f"'{{value}}' is not a date in the format {fmt or 'YYYY-MM-DD (ISO 8601)'}{mixed}",
                "write every date in one format and set clinical.date_format to it",
            )
        if "treatment_start" in values:
            start = values["treatment_start"]
            missing = "treatment start is missing; excluded from PFS and OS"
            raw = present["treatment_start"]  # missing, not unparseable (an error above)
            flag(raw.isna(), "treatment_start", missing, "fill in the date", warn=True)
            for key in [k for k in DATE_KEYS[1:] if k in values]:
                before = values[key] < start  # false where either date is missing
                text = f"{key.replace('_', ' ')} {{value}} is before treatment start "
                text += "{treatment_start}"
                if key == "progression_date":
                    flag(before, key, text, "check both dates (day/month swapped?)")
                else:
                    text += "; the patient is excluded from the endpoint (negative time)"
                    flag(before, key, text, "check both dates", warn=True)
    else:
        event_values = settings.get("event_values", {})
        for endpoint, name in (("pfs", "PFS"), ("os", "OS")):
            time, event = f"{endpoint}_time", f"{endpoint}_event"
            if time in present:
                raw = present[time].replace({"-Inf": "-inf", "Inf": "inf"})
                numbers = pd.to_numeric(raw, errors="coerce").astype(float)
                flag(
                    present[time].notna() & numbers.isna(),
                    time,
                    "'{value}' is not a number",
                    f"give times as numbers in {unit} (clinical.time_unit)",
                )
                flag(
                    present[time].isna(),
                    time,
                    f"{name} time is missing; excluded from {name}",
                    warn=True,
                )
                flag(
                    (numbers < 0) | np.isinf(numbers),
                    time,
                    f"{name} time {{value}} is negative or infinite; excluded from {name}",
                    "check the value",
                    warn=True,
                )
                values[time] = numbers * UNIT_TO_MONTHS[unit]
            if event in present:
                codes = event_codes(event_values.get(cols[event], event_values.get(event, {})))
                lowered = present[event].astype("string").str.strip().str.lower()
                values[event] = lowered.map(codes).astype("Float64")
                flag(
                    lowered.notna() & values[event].isna(),
                    event,
                    "unknown event code '{value}'",
                    "map it to 1 (event) or 0 (censored) under clinical.event_values.{column}, "
                    "e.g. {{'{value}': 1}}",
                )
    wrong, right = ("entry_time", "entry_date") if from_dates else ("entry_date", "entry_time")
    if cols.get(wrong):
        found.error(
            "config",
            f"clinical.columns.{wrong} does not apply when clinical.source is "
            f"'{settings.get('source', 'times')}'",
            "key clinical.columns",
            hint=f"use clinical.columns.{right}",
        )
    if right in present:
        if not from_dates:
            numbers = pd.to_numeric(present[right], errors="coerce")
            flag(
                present[right].notna() & numbers.isna(),
                right,
                "entry time '{value}' is not a number",
                f"give it in {unit} (clinical.time_unit)",
            )
            values[right] = numbers * UNIT_TO_MONTHS[unit]
        flag(
            present[right].isna(),
            right,
            "entry time is missing; excluded from PFS and OS",
            "fill in when the patient came under observation",
            warn=True,
        )
    if "best_response" in present:
        lowered = present["best_response"].astype("string").str.strip().str.lower()
        values["best_response"] = lowered.map(response_codes(settings.get("response_values", {})))
        flag(
            lowered.notna() & values["best_response"].isna(),
            "best_response",
            "unknown response '{value}'",
            "use CR, PR, SD, PD or NE (RECIST 1.1), or map the code under clinical.response_values",
        )
        if "sd_duration_weeks" in present:
            weeks = present["sd_duration_weeks"]
            values["sd_duration_weeks"] = pd.to_numeric(weeks, errors="coerce")
            flag(
                weeks.notna() & values["sd_duration_weeks"].isna(),
                "sd_duration_weeks",
                "SD duration '{value}' is not a number of weeks",
                "give the duration of stable disease in weeks",
            )
    return values, found


def _times(values: dict[str, pd.Series], from_dates: bool, index: pd.Index) -> pd.DataFrame:
    """PFS and OS months and events, and the entry in months, from the parsed values."""
    missing = pd.Series(pd.NaT if from_dates else np.nan, index=index)
    if not from_dates:
        out = {"entry_months": values.get("entry_time", missing)}
        for endpoint in ("pfs", "os"):
            both = f"{endpoint}_time" in values and f"{endpoint}_event" in values
            out[f"{endpoint}_months"] = values[f"{endpoint}_time"] if both else missing
            out[f"{endpoint}_event"] = (
                values[f"{endpoint}_event"] if both else missing.astype("Float64")
            )
        return pd.DataFrame(out)
    start, progression, death, last_assessment, last_contact, entry = (
        values.get(key, missing) for key in (*DATE_KEYS, "entry_date")
    )
    pfs_end = pd.concat([progression, death], axis=1).min(axis=1)
    months = 1 / DAYS_PER_MONTH
    return pd.DataFrame(
        {
            "pfs_months": (pfs_end.fillna(last_assessment).fillna(start) - start).dt.days * months,
            "pfs_event": pfs_end.notna().astype("Float64"),
            "os_months": (death.fillna(last_contact) - start).dt.days * months,
            "os_event": death.notna().astype("Float64"),
            "entry_months": (entry - start).dt.days * months,
        }
    )


def compute_endpoints(table: pd.DataFrame, settings: dict, cbr_min_sd_weeks: float) -> pd.DataFrame:
    """One row per patient with times, events, response endpoints and exclusion reasons."""
    values, found = parse_clinical(table, settings, table.attrs.get("path", "clinical table"))
    if found.problems:
        raise InputError(found.problems)
    patient = table[settings.get("columns", {}).get("patient_id", "patient_id")].astype(str)
    times = _times(values, settings.get("source", "times") == "dates", table.index)
    out = pd.DataFrame({"patient_id": patient, "entry_months": times["entry_months"]})
    for endpoint in ("pfs", "os"):
        months, event = times[f"{endpoint}_months"], times[f"{endpoint}_event"]
        reason = _exclusion(months, event)
        if has_delayed_entry(settings):
            reason = _entry_exclusion(reason, times["entry_months"], months)
        excluded = reason != ""
        out[f"{endpoint}_months"] = months.astype(float).where(~excluded)
        out[f"{endpoint}_event"] = event.where(~excluded)
        out[f"{endpoint}_excluded"] = reason
    if "best_response" not in values:  # the other response columns stay empty (NaN)
        out = out.assign(best_response=pd.NA, best_response_unconfirmed=pd.NA)
        out = out.assign(response_evaluable=False, response_excluded="best response not given")
        return out.reindex(columns=ENDPOINT_COLUMNS)
    bor = values["best_response"].fillna("NE")
    sd_weeks = values.get("sd_duration_weeks", pd.Series(np.nan, index=table.index))
    out["best_response"] = bor
    out["sd_duration_weeks"] = sd_weeks
    responder = bor.isin(["CR", "PR"])
    out["orr"] = responder.astype(float)
    # Intention-to-treat: NE counts as non-responder; the evaluable population drops NE.
    out["cbr"] = (responder | (bor.eq("SD") & sd_weeks.ge(cbr_min_sd_weeks))).astype(float)
    out["dcr"] = bor.isin(["CR", "PR", "SD"]).astype(float)
    out["response_evaluable"] = bor.ne("NE")
    out["response_excluded"] = np.where(bor.eq("NE"), "not evaluable (NE)", "")
    out["best_response_unconfirmed"] = bor
    return out.reindex(columns=ENDPOINT_COLUMNS)  # no duration of response without visits
