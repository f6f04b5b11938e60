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

from her2resist.tables import raise_for_rows

DAYS_PER_MONTH = 30.4375
UNIT_TO_MONTHS = {"days": 1 / DAYS_PER_MONTH, "weeks": 7 / DAYS_PER_MONTH, "months": 1.0}
RECIST = ("CR", "PR", "SD", "PD", "NE")
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
DEFAULT_RESPONSE_CODES = {
    "complete response": "CR",
    "partial response": "PR",
    "stable disease": "SD",
    "progressive disease": "PD",
    "not evaluable": "NE",
    "ne": "NE",
    "ue": "NE",
}

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


def parse_dates(values: pd.Series, column: str, fmt: str | None, source: str) -> pd.Series:
    """Parse one date column; every unparseable value is reported with its line."""
    parsed = pd.to_datetime(values, format=fmt or "ISO8601", errors="coerce")
    raise_for_rows(
        values.notna() & parsed.isna(),
        source,
        lambda i: f"'{values[i]}' is not a date",
        column,
        f"write dates as {fmt or 'YYYY-MM-DD'} (clinical.date_format)",
    )
    return parsed


def event_codes(mapping: dict) -> dict:
    """Lower-case event code -> 1/0: the defaults, then clinical.event_values."""
    return {str(k).strip().lower(): v for k, v in {**DEFAULT_EVENT_CODES, **mapping}.items()}


def response_codes(mapping: dict) -> dict:
    """Lower-case response -> RECIST code: defaults, clinical.response_values, the codes."""
    codes = {**DEFAULT_RESPONSE_CODES, **{k.strip().lower(): v for k, v in mapping.items()}}
    return codes | {c.lower(): c for c in RECIST}


def recode_events(values: pd.Series, column: str, mapping: dict, source: str) -> pd.Series:
    hint = f"map it to 1 (event) or 0 (censored) in clinical.event_values.{column}"
    codes = event_codes(mapping)
    return _recode(values, codes, column, source, "event code", hint).astype("Float64")


def recode_response(values: pd.Series, column: str, mapping: dict, source: str) -> pd.Series:
    hint = "use CR, PR, SD, PD or NE, or map the code in clinical.response_values"
    codes = response_codes(mapping)
    return _recode(values, codes, column, source, "response", hint).fillna("NE")


def _recode(
    values: pd.Series, codes: dict, column: str, source: str, what: str, hint: str
) -> pd.Series:
    """Values mapped case-insensitively through ``codes``; every unknown one is an error."""
    lowered = values.astype("string").str.strip().str.lower()
    result = lowered.map(codes)
    unknown = lowered.notna() & result.isna()
    raise_for_rows(unknown, source, lambda i: f"unknown {what} '{values[i]}'", column, hint)
    return result


def _column(table: pd.DataFrame, mapping: dict, key: str) -> pd.Series | None:
    name = mapping.get(key)
    return table[name] if name and name in table.columns else None


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


def endpoints_from_dates(table: pd.DataFrame, settings: dict, source: str) -> pd.DataFrame:
    cols = settings.get("columns", {})
    fmt = settings.get("date_format")

    def dates(key: str) -> pd.Series:
        column = _column(table, cols, key)
        if column is None:
            return pd.Series(pd.NaT, index=table.index)
        return parse_dates(column, cols[key], fmt, source)

    start = dates("treatment_start")
    progression, death = dates("progression_date"), dates("death_date")
    last_assessment, last_contact = dates("last_assessment_date"), dates("last_contact_date")
    pfs_end = pd.concat([progression, death], axis=1).min(axis=1)
    pfs_event = pfs_end.notna().astype("Float64")
    pfs_end = pfs_end.fillna(last_assessment).fillna(start)
    os_event = death.notna().astype("Float64")
    os_end = death.fillna(last_contact)
    to_months = 1 / DAYS_PER_MONTH
    pfs = (pfs_end - start).dt.days * to_months
    os_ = (os_end - start).dt.days * to_months
    raise_for_rows(
        progression.notna() & start.notna() & (progression < start),
        source,
        lambda i: "progression date is before treatment start",
        cols.get("progression_date"),
        "check both dates",
    )
    entry = (dates("entry_date") - start).dt.days * to_months
    return pd.DataFrame(
        {
            "pfs_months": pfs,
            "pfs_event": pfs_event,
            "os_months": os_,
            "os_event": os_event,
            "entry_months": entry,
        }
    )


def endpoints_from_times(table: pd.DataFrame, settings: dict, source: str) -> pd.DataFrame:
    cols = settings.get("columns", {})
    factor = UNIT_TO_MONTHS[settings.get("time_unit", "months")]
    events = settings.get("event_values", {})
    out = {}

    def months(key: str) -> pd.Series:
        time = table[cols[key]]
        numeric = pd.to_numeric(time.replace({"-Inf": "-inf", "Inf": "inf"}), errors="coerce")
        raise_for_rows(
            time.notna() & numeric.isna(),
            source,
            lambda i: f"'{time[i]}' is not a number",
            cols[key],
            "give times as numbers",
        )
        return numeric * factor

    for endpoint in ("pfs", "os"):
        time = _column(table, cols, f"{endpoint}_time")
        event = _column(table, cols, f"{endpoint}_event")
        if time is None or event is None:
            out[f"{endpoint}_months"] = pd.Series(np.nan, index=table.index)
            out[f"{endpoint}_event"] = pd.Series(np.nan, index=table.index, dtype="Float64")
            continue
        out[f"{endpoint}_months"] = months(f"{endpoint}_time")
        event_column = cols[f"{endpoint}_event"]
        out[f"{endpoint}_event"] = recode_events(
            event,
            event_column,
            events.get(event_column, events.get(f"{endpoint}_event", {})),
            source,
        )
    has_entry = _column(table, cols, "entry_time") is not None
    out["entry_months"] = months("entry_time") if has_entry else pd.Series(np.nan, table.index)
    return pd.DataFrame(out)


def compute_endpoints(table: pd.DataFrame, settings: dict, cbr_min_sd_weeks: float) -> pd.DataFrame:
    """One row per patient with times, events, response endpoints and exclusion reasons."""
    source = table.attrs.get("path", "clinical table")
    cols = settings.get("columns", {})
    patient = table[cols.get("patient_id", "patient_id")].astype(str)
    if settings.get("source", "times") == "dates":
        times = endpoints_from_dates(table, settings, source)
    else:
        times = endpoints_from_times(table, settings, source)
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
    response_column = _column(table, cols, "best_response")
    if response_column is None:
        out["best_response"] = pd.NA
        out["sd_duration_weeks"] = np.nan
        for name in ("orr", "cbr", "dcr"):
            out[name] = np.nan
        out["response_evaluable"] = False
        out["response_excluded"] = "best response not given"
        out["best_response_unconfirmed"] = pd.NA
        out["duration_of_response_months"] = out["dor_event"] = np.nan
        return out[ENDPOINT_COLUMNS]
    bor = recode_response(
        response_column, cols["best_response"], settings.get("response_values", {}), source
    )
    sd_column = _column(table, cols, "sd_duration_weeks")
    sd_weeks = (
        pd.to_numeric(sd_column, errors="coerce")
        if sd_column is not None
        else pd.Series(np.nan, index=table.index)
    )
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
    out["duration_of_response_months"] = out["dor_event"] = np.nan
    return out[ENDPOINT_COLUMNS]
