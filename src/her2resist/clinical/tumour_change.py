"""Tumour measurements: per-visit % change of the sum of target-lesion diameters from
baseline (RECIST 1.1 section 4.3), the best % change (waterfall) and the trajectories
(spider plot).

Input: ``clinical.measurements`` (``patient_id, date, target_lesion_sum`` in mm) or ADaM ADTR
``PARAMCD = SDIAM`` (``ADT``, ``AVAL``). Baseline is the last measurement on or before the
reference date; later measurements give ``pct_change = 100 (sum - baseline) / baseline``. The
best % change is the smallest (most shrinkage) up to the first progression, as waterfall plots
of phase 2 trials show it.
"""

from __future__ import annotations

import pandas as pd

from her2resist.clinical import adam
from her2resist.errors import InputError, Problem
from her2resist.tables import data_line, read_table

MEASUREMENT_COLUMNS = ["patient_id", "date", "target_lesion_sum"]
CHANGE_COLUMNS = ["patient_id", "date", "days", "target_lesion_sum", "baseline", "pct_change"]


def read_measurements(
    path: str, patients: set[str], date_format: str | None, adtr: bool = False
) -> pd.DataFrame:
    """``patient_id, date, target_lesion_sum`` from a table or ADTR (SDIAM rows)."""
    if adtr:
        raw = adam.read_adam(path)
        adam.require_columns(raw, [adam.SUBJECT, "PARAMCD", "ADT", "AVAL"], path, "ADTR")
        rows = raw[raw["PARAMCD"] == "SDIAM"]
        table = rows[[adam.SUBJECT, "ADT", "AVAL"]].set_axis(MEASUREMENT_COLUMNS, axis=1)
        table.attrs["lines"] = [data_line(raw, i) for i in rows.index]
        table = table.reset_index(drop=True)
        date_format = None
    else:
        table = read_table(path, required=MEASUREMENT_COLUMNS)
    dates = pd.to_datetime(table["date"], format=date_format or "ISO8601", errors="coerce")
    sums = pd.to_numeric(table["target_lesion_sum"], errors="coerce")
    problems = []
    for i in table.index:
        who = f"patient '{table['patient_id'][i]}'"
        line = data_line(table, i)
        if table["patient_id"][i] not in patients:
            problems.append(
                Problem(path, f"{who} is not in the clinical table", line, "patient_id")
            )
        if pd.isna(dates[i]):
            problems.append(
                Problem(path, f"{who}: '{table['date'][i]}' is not a date", line, "date")
            )
        if not sums[i] >= 0:  # NaN or negative
            problems.append(
                Problem(
                    path,
                    f"{who}: target-lesion sum '{table['target_lesion_sum'][i]}' is not a "
                    "length in mm",
                    line,
                    "target_lesion_sum",
                    "give the sum of target-lesion diameters in mm (0 for complete response)",
                )
            )
    if problems:
        raise InputError(problems)
    return pd.DataFrame(
        {"patient_id": table["patient_id"], "date": dates, "target_lesion_sum": sums}
    )


def percent_change(measurements: pd.DataFrame, reference: pd.Series) -> pd.DataFrame:
    """CHANGE_COLUMNS, one row per post-baseline measurement of a patient with a baseline."""
    rows = []
    for patient, own in measurements.sort_values("date").groupby("patient_id"):
        start = reference.get(patient, pd.NaT)
        if pd.isna(start):
            continue
        before = own[own["date"] <= start]
        if before.empty or before["target_lesion_sum"].iloc[-1] <= 0:
            continue  # no measurable baseline
        baseline = float(before["target_lesion_sum"].iloc[-1])
        for row in own[own["date"] > start].itertuples(index=False):
            rows.append(
                {
                    "patient_id": patient,
                    "date": row.date,
                    "days": (row.date - start).days,
                    "target_lesion_sum": row.target_lesion_sum,
                    "baseline": baseline,
                    "pct_change": 100 * (row.target_lesion_sum - baseline) / baseline,
                }
            )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def best_percent_change(changes: pd.DataFrame, progression: pd.Series) -> pd.Series:
    """Patient -> smallest % change on or before the first progression (NaN without one)."""
    limit = changes["patient_id"].map(progression)
    kept = changes[limit.isna() | (changes["date"] <= limit)]
    best = kept.groupby("patient_id")["pct_change"].min()
    return best.astype(float).replace({-0.0: 0.0}).rename("best_pct_change")
