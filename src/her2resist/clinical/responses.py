"""Response endpoints derived from per-visit overall responses (RECIST 1.1).

The visits come from a per-visit table (``clinical.visits``: ``patient_id, date,
overall_response``) or ADRS OVR records (``clinical.adam.adrs``). They replace the clinical
table's best response: ``best_response`` (confirmed where ``recist.confirm_response``),
``best_response_unconfirmed``, the SD duration (reference date to the last CR/PR/SD
assessment before progression: admiralonco's clinical-benefit rule), the duration of
response, and ORR, CBR and DCR from them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from her2resist.clinical import adam, recist, tumour_change
from her2resist.clinical.checks import unknown_patients
from her2resist.clinical.endpoints import DAYS_PER_MONTH, RESPONSE_COLUMNS
from her2resist.errors import InputError, Problem
from her2resist.tables import data_line, read_table

VISIT_COLUMNS = ["patient_id", "date", "overall_response"]
# The best response of a patient with no usable assessment, and why it is NE.
NOT_ASSESSED = {recist.MISSING: "no tumour assessment", "ND": "assessments not done (ND)"}


def has_visits(config: dict[str, Any]) -> bool:
    clinical = config["clinical"]
    return bool(clinical.get("visits") or (clinical.get("adam") or {}).get("adrs"))


def read_visits(path: str, patients: set[str], date_format: str | None) -> pd.DataFrame:
    """A per-visit table: ``patient_id, date, response`` (the file's lines kept)."""
    table = read_table(path, required=VISIT_COLUMNS)
    problems = unknown_patients(table, patients, path)
    dates = pd.to_datetime(table["date"], format=date_format or "ISO8601", errors="coerce")
    problems += [
        Problem(
            path,
            f"patient '{table['patient_id'][i]}': '{table['date'][i]}' is not a date",
            data_line(table, i),
            "date",
            f"write dates as {date_format or 'YYYY-MM-DD'} (clinical.date_format)",
        )
        for i in table.index[dates.isna()]
    ]
    if problems:
        raise InputError(problems)
    visits = pd.DataFrame(
        {"patient_id": table["patient_id"], "date": dates, "response": table["overall_response"]}
    )
    visits.attrs = dict(table.attrs)
    return visits


def prepared_visits(
    table: pd.DataFrame, config: dict[str, Any]
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, str, list[Problem]]:
    """The visits of ``clinical.visits`` or ADRS ready for the derivation
    (:func:`recist.prepare_visits`), each patient's reference date, the sponsor's derived
    BOR/CBOR rows (ADRS only), the visits' source and the warnings on them."""
    clinical = config["clinical"]
    patients = set(table[_patient_column(clinical)].astype(str))
    adrs = (clinical.get("adam") or {}).get("adrs")
    if adrs:
        visits, derived = adam.visits_from_adrs(adrs, patients)
        source = str(adrs)
    else:
        source, derived = str(clinical["visits"]), pd.DataFrame()
        visits = read_visits(source, patients, clinical.get("date_format"))
    reference = reference_dates(table, config, visits, source)
    clean, warnings = recist.prepare_visits(visits, reference, source)
    return clean, reference, derived, source, warnings


def reference_dates(
    table: pd.DataFrame, config: dict[str, Any], visits: pd.DataFrame, source: str
) -> pd.Series:
    """Patient -> the reference date (``recist.reference_date``, a clinical column)."""
    settings = config["clinical"]
    column = config["recist"]["reference_date"]
    clinical_source = adam.clinical_source(settings)
    if column not in table.columns:
        raise InputError.one(
            clinical_source,
            f"recist.reference_date '{column}' is not a column of the clinical table",
            1,
            column,
            f"name the randomisation or treatment-start date column; the table has: "
            f"{', '.join(table.columns)}",
        )
    by_patient = _dates_by_patient(table, column, settings)
    assessed = set(visits["patient_id"])
    problems = [
        Problem(
            clinical_source,
            f"patient '{p}' has tumour assessments in {source} but no {column} date "
            f"('{table[column][i]}')",
            data_line(table, i),
            column,
            "fill in the reference date (YYYY-MM-DD)",
        )
        for i, p in zip(table.index, by_patient.index, strict=True)
        if p in assessed and pd.isna(by_patient[p])
    ]
    if problems:
        raise InputError(problems)
    return by_patient


def _dates_by_patient(table: pd.DataFrame, column: str, settings: dict[str, Any]) -> pd.Series:
    """Patient -> a date column of the clinical table (ADaM dates are ISO 8601)."""
    fmt = None if settings.get("adam") else settings.get("date_format")
    dates = pd.to_datetime(table[column], format=fmt or "ISO8601", errors="coerce")
    return pd.Series(dates.values, index=table[_patient_column(settings)].astype(str).values)


def _patient_column(settings: dict[str, Any]) -> str:
    return settings.get("columns", {}).get("patient_id", "patient_id")


def response_endpoints(
    visits: pd.DataFrame,
    reference: pd.Series,
    recist_config: dict[str, Any],
    cbr_min_sd_weeks: float,
    death: pd.Series | None = None,
) -> pd.DataFrame:
    """RESPONSE_COLUMNS per patient (indexed by patient) from prepared visits."""
    settings = recist.RecistSettings.from_config(recist_config)
    unconfirmed = recist.best_overall_response(visits, reference, settings.sd_min_days)
    if settings.confirm_response:
        best = recist.confirmed_best_overall_response(visits, reference, settings)
        response_date = recist.confirmed_response_date(visits, reference, settings)
    else:
        best = unconfirmed
        response_date = recist.first_response_date(visits, reference.index)
    min_days = int(np.ceil(cbr_min_sd_weeks * 7))
    benefit = recist.clinical_benefit_date(visits, reference, response_date, min_days)
    out = pd.DataFrame(index=reference.index)
    codes = best["response"]
    out["best_response"] = codes.where(~codes.isin(list(NOT_ASSESSED)), "NE")
    raw = unconfirmed["response"]
    out["best_response_unconfirmed"] = raw.where(~raw.isin(list(NOT_ASSESSED)), "NE")
    # SD duration: to the last CR/PR/SD assessment before progression (admiralonco's CBR).
    stable = visits[visits["response"].isin(["CR", "PR", "SD", "NON-CR/NON-PD"])]
    last_stable = stable.groupby("patient_id")["date"].max().reindex(reference.index)
    days = (last_stable - reference).dt.days
    out["sd_duration_weeks"] = np.where(
        out["best_response"].isin(["SD", "NON-CR/NON-PD"]), days / 7, np.nan
    )
    end = recist.first_pd_dates(visits).reindex(reference.index)
    if death is not None:
        end = pd.concat([end, death.reindex(reference.index)], axis=1).min(axis=1)
    assessed = visits[~visits["response"].isin(["NE", "ND"])]
    censor = assessed.groupby("patient_id")["date"].max().reindex(reference.index)
    responded = response_date.reindex(reference.index).notna()
    stop = end.fillna(censor)
    out["duration_of_response_months"] = np.where(
        responded, (stop - response_date.reindex(reference.index)).dt.days / DAYS_PER_MONTH, np.nan
    )
    out["dor_event"] = np.where(responded, end.notna().astype(float), np.nan)
    out["orr"] = out["best_response"].isin(["CR", "PR"]).astype(float)
    out["cbr"] = benefit.reindex(reference.index).notna().astype(float)
    out["dcr"] = out["best_response"].isin(["CR", "PR", "SD", "NON-CR/NON-PD"]).astype(float)
    out["response_evaluable"] = out["best_response"].ne("NE")
    reasons = codes.map(NOT_ASSESSED).fillna("not evaluable (NE)")
    out["response_excluded"] = np.where(out["best_response"].eq("NE"), reasons, "")
    return out[RESPONSE_COLUMNS]


def derive(table: pd.DataFrame, config: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    """Response endpoints of every clinical-table patient, and the warnings on the visits."""
    settings = config["clinical"]
    clean, reference, derived, source, warnings = prepared_visits(table, config)
    death = None
    death_column = settings.get("columns", {}).get("death_date")
    if settings.get("adam") and "DTHDT" in table.columns:
        death_column = "DTHDT"
    if death_column and death_column in table.columns:
        death = _dates_by_patient(table, death_column, settings)
    out = response_endpoints(clean, reference, config["recist"], config["cbr_min_sd_weeks"], death)
    if len(derived):
        settings_ = recist.RecistSettings.from_config(config["recist"])
        confirmed = recist.confirmed_best_overall_response(clean, reference, settings_)
        unconfirmed = recist.best_overall_response(clean, reference, settings_.sd_min_days)
        warnings += adam.compare_derived(
            derived, confirmed["response"], unconfirmed["response"], source
        )
    return out, warnings


def tumour_changes(table: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame | None:
    """Per-visit % change of the target-lesion sum, or None without measurements."""
    settings = config["clinical"]
    adtr = (settings.get("adam") or {}).get("adtr")
    path = adtr or settings.get("measurements")
    if not path:
        return None
    patients = set(table[_patient_column(settings)].astype(str))
    measured = tumour_change.read_measurements(
        str(path), patients, settings.get("date_format"), adtr=bool(adtr)
    )
    reference = reference_dates(table, config, measured, str(path))
    return tumour_change.percent_change(measured, reference)


def progression_dates(table: pd.DataFrame, config: dict[str, Any]) -> pd.Series:
    """Patient -> first PD among the prepared visits."""
    return recist.first_pd_dates(prepared_visits(table, config)[0])
