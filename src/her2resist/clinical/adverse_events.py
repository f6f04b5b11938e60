"""Adverse events (CTCAE v5.0): worst grade per patient and term, counts and percentages."""

from __future__ import annotations

import pandas as pd

from her2resist.tables import raise_for_rows

CTCAE_GRADES = {1, 2, 3, 4, 5}


def validate_grades(events: pd.DataFrame, source: str) -> pd.DataFrame:
    grades = pd.to_numeric(events["grade"], errors="coerce")
    raise_for_rows(
        ~grades.isin(CTCAE_GRADES),
        source,
        lambda i: (
            f"patient '{events['patient_id'][i]}': grade '{events['grade'][i]}' is not a "
            "CTCAE v5.0 grade"
        ),
        "grade",
        "use an integer grade 1-5",
    )
    return events.assign(grade=grades.astype(int))


def summarise(events: pd.DataFrame, n_treated: int) -> pd.DataFrame:
    """Per term: patients with any grade and with grade >= 3, n and %, most frequent first."""
    worst = events.groupby(["term", "patient_id"], as_index=False)["grade"].max()
    summary = worst.groupby("term").agg(
        any_grade_n=("patient_id", "nunique"),
        grade3plus_n=("grade", lambda g: int((g >= 3).sum())),
        grade5_n=("grade", lambda g: int((g == 5).sum())),
    )
    summary["any_grade_pct"] = 100 * summary["any_grade_n"] / n_treated
    summary["grade3plus_pct"] = 100 * summary["grade3plus_n"] / n_treated
    summary = summary.reset_index().sort_values(
        ["any_grade_n", "grade3plus_n", "term"], ascending=[False, False, True]
    )
    summary.insert(1, "n_treated", n_treated)
    return summary.reset_index(drop=True)
