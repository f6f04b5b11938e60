"""The example trial's per-visit RECIST responses and its CDISC ADaM rendering.

Deterministic functions of the clinical table (no random draws, so the rest of the cohort is
unchanged). Tumour assessments every 6 weeks from treatment start until the last assessment;
the progression visit is PD. Responders show PR from the first assessment (CR from the second
for CR patients). Planted: the first two responders without a PI3K/AKT/mTOR alteration have a
response that is not maintained (PR once, then SD), so their confirmed best response is SD
while the unconfirmed one is PR: the confirmed ORR is lower than the unconfirmed.

The ADaM rendering (ADSL, ADTTE, ADRS, ADAE, ADTR as CSV) carries the same data: ADTTE AVAL in days
from the dates (PFS to progression or death, else censored at the last assessment; OS to death,
else censored at last contact), so ``clinical.adam`` gives the same endpoints as the table.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

ASSESSMENT_INTERVAL_DAYS = 42
UNCONFIRMED_RESPONDERS = 2
# CTCAE v5.0 places each term in one MedDRA system organ class.
CTCAE_SOC = {
    "Anemia": "Blood and lymphatic system disorders",
    "Aspartate aminotransferase increased": "Investigations",
    "Diarrhea": "Gastrointestinal disorders",
    "Fatigue": "General disorders and administration site conditions",
    "Infusion related reaction": "Injury, poisoning and procedural complications",
    "Nausea": "Gastrointestinal disorders",
    "Neutrophil count decreased": "Investigations",
    "Palmar-plantar erythrodysesthesia syndrome": "Skin and subcutaneous tissue disorders",
    "Vomiting": "Gastrointestinal disorders",
    "White blood cell decreased": "Investigations",
}


def code_adverse_events(events: pd.DataFrame) -> pd.DataFrame:
    """The AE table with its CTCAE system organ class; grade-1 fatigue is recorded as not
    related to treatment (a deterministic plant, so the treatment-related table differs)."""
    unrelated = (events["term"] == "Fatigue") & (events["grade"] == 1)
    return events.assign(
        related=events["related"].where(~unrelated, "no"), soc=events["term"].map(CTCAE_SOC)
    )


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def visits(clinical: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """``patient_id, date, overall_response``, one row per tumour assessment."""
    pi3k = set(truth.loc[truth["pi3k_alteration"].fillna("") != "", "patient_id"])
    responders = clinical[clinical["best_response"].isin(["CR", "PR"])]["patient_id"]
    unconfirmed = [p for p in responders if p not in pi3k][:UNCONFIRMED_RESPONDERS]
    rows = []
    for patient in clinical.itertuples(index=False):
        start = _date(patient.treatment_start_date)
        last = _date(patient.last_assessment_date)
        if last is None:
            continue  # withdrew before the first assessment
        progression = _date(patient.progression_date)
        n_visits = (last - start).days // ASSESSMENT_INTERVAL_DAYS
        for k in range(1, n_visits + 1):
            date = start + dt.timedelta(days=k * ASSESSMENT_INTERVAL_DAYS)
            if date == progression:
                response = "PD"
            elif patient.best_response in ("PR", "CR"):
                response = "PR" if k == 1 or patient.best_response == "PR" else "CR"
                if patient.patient_id in unconfirmed and k > 1:
                    response = "SD"
            else:
                response = "SD"
            rows.append((patient.patient_id, date.isoformat(), response))
    return pd.DataFrame(rows, columns=["patient_id", "date", "overall_response"])


def measurements(clinical: pd.DataFrame, per_visit: pd.DataFrame) -> pd.DataFrame:
    """``patient_id, date, target_lesion_sum`` (mm): a baseline scan 7 days before treatment
    start, then one per visit, sized to match the visit's response (PR 35-59 % smaller, CR 0,
    SD -20 to +3 %, PD 22-34 % larger than baseline)."""
    rows = []
    for number, patient in enumerate(clinical.itertuples(index=False), start=1):
        start = _date(patient.treatment_start_date)
        baseline = 30 + (number * 7) % 50
        baseline_date = start - dt.timedelta(days=7)
        rows.append((patient.patient_id, baseline_date.isoformat(), float(baseline)))
        own = per_visit[per_visit["patient_id"] == patient.patient_id]
        for k, visit in enumerate(own.itertuples(index=False), start=1):
            change = {
                "PR": -(35 + (number % 4) * 8),
                "CR": -100,
                "SD": -(number % 5) * 5 + (k % 2) * 3,
                "PD": 22 + (number % 5) * 3,
            }[visit.overall_response]
            rows.append((patient.patient_id, visit.date, round(baseline * (1 + change / 100), 1)))
    return pd.DataFrame(rows, columns=["patient_id", "date", "target_lesion_sum"])


def adam_datasets(
    clinical: pd.DataFrame,
    per_visit: pd.DataFrame,
    adverse_events: pd.DataFrame,
    sums: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """ADSL, ADTTE, ADRS, ADAE and ADTR (SDIAM) of the example trial."""
    study = "HER2RESIST-EX"
    adsl = pd.DataFrame(
        {
            "STUDYID": study,
            "USUBJID": clinical["patient_id"],
            "AGE": clinical["age"],
            "ECOG": clinical["ecog"],
            "HRSTAT": clinical["hr_status"],
            "VISCFL": clinical["visceral_disease"].map({"yes": "Y", "no": "N"}),
            "PRIORLN": clinical["prior_lines"],
            "RANDDT": clinical["treatment_start_date"],
            "TRTSDT": clinical["treatment_start_date"],
            "SAFFL": "Y",
            "DTHDT": clinical["death_date"].fillna("NA").replace("", "NA"),
            "LSTALVDT": clinical["last_contact_date"],
        }
    )
    tte = []
    for patient in clinical.itertuples(index=False):
        start = _date(patient.treatment_start_date)
        progression, death = _date(patient.progression_date), _date(patient.death_date)
        events = [d for d in (progression, death) if d is not None]
        pfs_end = min(events) if events else (_date(patient.last_assessment_date) or start)
        os_end = death or _date(patient.last_contact_date)
        for param, end, censored in (
            ("PFS", pfs_end, not events),
            ("OS", os_end, death is None),
        ):
            tte.append(
                {
                    "STUDYID": study,
                    "USUBJID": patient.patient_id,
                    "PARAMCD": param,
                    "AVAL": (end - start).days,
                    "AVALU": "DAYS",
                    "CNSR": int(censored),
                    "STARTDT": start.isoformat(),
                    "ADT": end.isoformat(),
                }
            )
    adrs = pd.DataFrame(
        {
            "STUDYID": study,
            "USUBJID": per_visit["patient_id"],
            "PARAMCD": "OVR",
            "AVALC": per_visit["overall_response"],
            "ADT": per_visit["date"],
        }
    )
    adae = pd.DataFrame(
        {
            "STUDYID": study,
            "USUBJID": adverse_events["patient_id"],
            "AEDECOD": adverse_events["term"],
            "AEBODSYS": adverse_events["term"].map(CTCAE_SOC),
            "ATOXGR": adverse_events["grade"],
            "AREL": adverse_events["related"].map({"yes": "Y", "no": "N"}),
        }
    )
    adtr = pd.DataFrame(
        {
            "STUDYID": study,
            "USUBJID": sums["patient_id"],
            "PARAMCD": "SDIAM",
            "AVAL": sums["target_lesion_sum"],
            "ADT": sums["date"],
        }
    )
    return {"adsl": adsl, "adtte": pd.DataFrame(tte), "adrs": adrs, "adae": adae, "adtr": adtr}
