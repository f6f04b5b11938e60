"""RECIST 1.1 best overall response from per-visit overall responses.

The rules are admiralonco's (pharmaverse) templates, which encode RECIST 1.1 section 4.4:
- ``best_overall_response`` is ``derive_param_bor``: the best of CR, PR (any date), SD and
  NON-CR/NON-PD (only at least ``sd_min_days`` after the reference date, otherwise NE), PD, NE.
- ``confirmed_best_overall_response`` is ``derive_param_confirmed_bor``: a CR needs a later CR
  at least ``confirmation_min_days`` later with only CR or NE (at most ``max_ne``) between; a
  PR needs a later CR or PR that far away with only CR, PR, NE (and, with ``accept_sd``, one
  SD) between and no PR after a CR. A failed confirmation falls back to SD (if the assessment
  is late enough), then NON-CR/NON-PD, PD, NE.
- ``confirmed_response_date`` is ``derive_param_confirmed_resp`` (the first confirmed CR/PR),
  ``clinical_benefit_date`` is ``derive_param_clinbenefit``.
Subjects without a record are ``MISSING`` (``ND``: only "not done" records); the endpoints
report both as NE with the reason.

``prepare_visits`` does what happens before: records before the reference date and records
without a valid response are left out (with a warning), the worst response of a date is kept
(with a warning when a date has two), and nothing after the first PD is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from her2resist.errors import Problem
from her2resist.tables import data_line

RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
VISIT_CODES = (*RESPONSES, "ND")
# Worst first, to keep one response per date: PD, then not evaluable or not done.
WORST_FIRST = ("PD", "NE", "ND", "NON-CR/NON-PD", "SD", "PR", "CR")
# The order in which admiralonco picks the best response (lower is better).
CONFIRMED_ORDER = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "ND": 7}
MISSING = "MISSING"
# How a response is often written, mapped to the RECIST 1.1 code (the clinical table's best
# response and a visit's response).
SPELLED_OUT = {
    "complete response": "CR",
    "partial response": "PR",
    "stable disease": "SD",
    "progressive disease": "PD",
    "not evaluable": "NE",
}
RESPONSE_SPELLINGS = SPELLED_OUT | {
    "non-cr/non-pd": "NON-CR/NON-PD",
    "non-cr non-pd": "NON-CR/NON-PD",
    "not done": "ND",
}


@dataclass(frozen=True)
class RecistSettings:
    confirm_response: bool = True
    confirmation_min_days: int = 28
    sd_min_days: int = 42
    max_ne: int = 1
    accept_sd: bool = False

    @classmethod
    def from_config(cls, recist: dict) -> RecistSettings:
        return cls(
            confirm_response=recist.get("confirm_response", True),
            confirmation_min_days=int(recist.get("confirmation_min_days", 28)),
            sd_min_days=int(recist.get("sd_min_days", 42)),
        )


def normalise_response(value: object) -> str | None:
    """The RECIST code of one visit's response, or None when it is not one."""
    if value is None or pd.isna(value):
        return None
    text = str(value).strip()
    if text.upper() in VISIT_CODES:
        return text.upper()
    return RESPONSE_SPELLINGS.get(text.lower())


def prepare_visits(
    visits: pd.DataFrame, reference: pd.Series, source: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Visits ready for the derivation, and a warning for each record changed or left out.

    ``visits`` has ``patient_id, date`` (datetime) and ``response`` (as written) and keeps
    the index of the file's rows (for line numbers); ``reference`` maps patient to reference
    date. Returns ``patient_id, date, response`` sorted by patient and date.
    """
    warnings: list[Problem] = []

    def warn(i: object, message: str, hint: str | None = None) -> None:
        who = f"patient '{visits['patient_id'][i]}', visit {visits['date'][i]:%Y-%m-%d}"
        warnings.append(Problem(source, f"{who}: {message}", data_line(visits, i), None, hint))

    codes = visits["response"].map(normalise_response)
    for i in visits.index[codes.isna()]:
        raw = visits["response"][i]
        what = "no response" if pd.isna(raw) or not str(raw).strip() else f"'{raw}'"
        warn(
            i,
            f"{what} is not a RECIST 1.1 overall response; record left out of the derivation",
            f"use one of {', '.join(VISIT_CODES)}",
        )
    kept = visits.assign(response=codes)[codes.notna()]
    start = kept["patient_id"].map(reference)
    early = start.notna() & (kept["date"] < start)
    for i in kept.index[early]:
        warn(i, f"before the reference date {start[i]:%Y-%m-%d}; not used")
    kept = kept[~early]
    rank = kept["response"].map({code: n for n, code in enumerate(WORST_FIRST)})
    kept = kept.assign(_rank=rank).sort_values(["patient_id", "date", "_rank"], kind="stable")
    repeated = kept.duplicated(["patient_id", "date"], keep="first")
    worst_of_date = kept.groupby(["patient_id", "date"])["response"].transform("first")
    for i in kept.index[repeated]:
        worst = worst_of_date[i]
        warn(i, f"two responses on one date ({kept['response'][i]}, {worst}); {worst} is used")
    kept = kept[~repeated].drop(columns="_rank")
    clean = filter_pd(kept, first_pd_dates(kept))
    # RECIST: a PR cannot follow a CR (admiralonco's signal_crpr); used as recorded
    for _, own in clean.groupby("patient_id", sort=False):
        first_cr = own.loc[own["response"] == "CR", "date"].min()
        for i in own.index[(own["response"] == "PR") & (own["date"] > first_cr)]:
            warn(i, f"PR after the CR of {first_cr:%Y-%m-%d}; check the record (used as PR)")
    return clean[["patient_id", "date", "response"]].reset_index(drop=True), warnings


def first_pd_dates(visits: pd.DataFrame) -> pd.Series:
    """Patient -> date of the first PD."""
    pd_rows = visits[visits["response"] == "PD"]
    return pd_rows.groupby("patient_id")["date"].min()


def filter_pd(visits: pd.DataFrame, pd_dates: pd.Series) -> pd.DataFrame:
    """Records up to and including each patient's first PD (admiralonco ``filter_pd``)."""
    limit = visits["patient_id"].map(pd_dates)
    return visits[limit.isna() | (visits["date"] <= limit)]


def _by_patient(visits: pd.DataFrame, patients: Iterable[str]) -> dict[str, list[tuple]]:
    ordered = visits.sort_values(["patient_id", "date"], kind="stable")
    grouped = {p: [] for p in patients}
    rows = ordered[["patient_id", "date", "response"]].itertuples(index=False)
    for patient, date, response in rows:
        grouped.setdefault(patient, []).append((date, response))
    return grouped


def _result(rows: dict[str, tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["response", "date"])
    frame.index.name = "patient_id"
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _best(candidates: list[tuple[int, pd.Timestamp, str]]) -> tuple[str, pd.Timestamp | None]:
    if not candidates:
        return MISSING, None
    _order, date, response = min(candidates, key=lambda c: (c[0], c[1]))
    return response, date


def best_overall_response(
    visits: pd.DataFrame, reference: pd.Series, sd_min_days: int
) -> pd.DataFrame:
    """Unconfirmed best overall response per patient (admiralonco ``derive_param_bor``).

    Returns ``response`` and ``date`` indexed by patient, for every patient of ``reference``.
    """
    rows = {}
    for patient, records in _by_patient(visits, reference.index).items():
        window = reference.get(patient) + pd.Timedelta(days=sd_min_days)
        candidates = []
        for date, response in records:
            # not late enough, or no reference date (NaT compares False): NE, as confirmed
            if response in ("SD", "NON-CR/NON-PD") and not date >= window:
                response = "NE"
            candidates.append((CONFIRMED_ORDER[response], date, response))
        rows[patient] = _best(candidates)
    return _result(rows)


def _confirmed(records: list[tuple], i: int, settings: RecistSettings) -> bool:
    """Is record i a CR or PR confirmed by a later one (admiralonco's filter_joined)?"""
    date, response = records[i]
    needed = date + pd.Timedelta(days=settings.confirmation_min_days)
    confirming = ("CR",) if response == "CR" else ("CR", "PR")
    upper = next(
        (
            j
            for j in range(i + 1, len(records))
            if records[j][1] in confirming and records[j][0] >= needed
        ),
        None,
    )
    if upper is None:
        return False
    between = [r for _, r in records[i + 1 : upper + 1]]
    if between.count("NE") > settings.max_ne:
        return False
    if response == "CR":
        return all(r in ("CR", "NE") for r in between)
    if not all(r in ("CR", "PR", "SD", "NE") for r in between):
        return False
    if between.count("SD") > (1 if settings.accept_sd else 0):
        return False
    dates = records[i + 1 : upper + 1]
    cr_dates = [d for d, r in dates if r == "CR"]
    pr_dates = [d for d, r in dates if r == "PR"]
    # No PR after a CR: every CR comes after the last PR.
    return not cr_dates or not pr_dates or min(cr_dates) > max(pr_dates)


def confirmed_best_overall_response(
    visits: pd.DataFrame, reference: pd.Series, settings: RecistSettings
) -> pd.DataFrame:
    """Confirmed best overall response (admiralonco ``derive_param_confirmed_bor``)."""
    rows = {}
    for patient, records in _by_patient(visits, reference.index).items():
        window = reference.get(patient) + pd.Timedelta(days=settings.sd_min_days)
        candidates = []
        for i, (date, response) in enumerate(records):
            if response in ("CR", "PR") and _confirmed(records, i, settings):
                candidates.append((CONFIRMED_ORDER[response], date, response))
            late = date >= window
            if response in ("CR", "PR", "SD"):
                candidates.append((3, date, "SD") if late else (6, date, "NE"))
            elif response == "NON-CR/NON-PD":
                candidates.append((4, date, response) if late else (6, date, "NE"))
            else:
                candidates.append((CONFIRMED_ORDER[response], date, response))
        rows[patient] = _best(candidates)
    return _result(rows)


def first_response_date(visits: pd.DataFrame, patients: Iterable[str]) -> pd.Series:
    """Date of the first CR or PR (unconfirmed response, ``derive_param_response``)."""
    responses = visits[visits["response"].isin(["CR", "PR"])]
    first = responses.groupby("patient_id")["date"].min()
    return first.reindex(list(patients)).astype("datetime64[ns]").rename("response_date")


def confirmed_response_date(
    visits: pd.DataFrame, reference: pd.Series, settings: RecistSettings
) -> pd.Series:
    """Date of the first confirmed CR or PR, NaT if none (``derive_param_confirmed_resp``)."""
    dates = {}
    for patient, records in _by_patient(visits, reference.index).items():
        confirmed = [
            date
            for i, (date, response) in enumerate(records)
            if response in ("CR", "PR") and _confirmed(records, i, settings)
        ]
        dates[patient] = min(confirmed) if confirmed else pd.NaT
    return pd.Series(dates, dtype="datetime64[ns]", name="response_date")


def clinical_benefit_date(
    visits: pd.DataFrame,
    reference: pd.Series,
    response_date: pd.Series,
    min_days: int,
    values: tuple[str, ...] = ("CR", "PR", "SD"),
) -> pd.Series:
    """First date showing clinical benefit, NaT if none (``derive_param_clinbenefit``).

    A response (``response_date``) or an assessment in ``values`` at least ``min_days``
    after the reference date.
    """
    dates = {}
    for patient, records in _by_patient(visits, reference.index).items():
        window = reference.get(patient) + pd.Timedelta(days=min_days)
        found = [d for d, r in records if r in values and d >= window]
        if pd.notna(response_date.get(patient, pd.NaT)):
            found.append(response_date[patient])
        dates[patient] = min(found) if found else pd.NaT
    return pd.Series(dates, dtype="datetime64[ns]", name="benefit_date")
