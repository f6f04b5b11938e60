"""Adverse events (CTCAE v5.0) as trials report them: patients with any AE, by system organ
class and preferred term, by worst grade per patient (any grade, 1-2, 3, 4, 5, >= 3), for all
AEs and again for treatment-related AEs."""

from __future__ import annotations

from itertools import chain

import pandas as pd

from her2resist.errors import InputError, Problem
from her2resist.tables import data_line, rows_where

CTCAE_GRADES = {1, 2, 3, 4, 5}
NOT_CODED = "Not coded"
ANY_AE = "Any adverse event"
ALL_SOCS = "All system organ classes"
ALL_TERMS = "All terms"
# ``related`` values meaning related to study treatment (AE tables and ADAE AREL/AEREL).
RELATED = {"yes", "y", "true", "1", "related", "possible", "possibly related", "probable"}
RELATED |= {"probably related", "definite", "definitely related"}
GRADE_BANDS = {
    "any_grade": (1, 5),
    "grade1_2": (1, 2),
    "grade3": (3, 3),
    "grade4": (4, 4),
    "grade5": (5, 5),
    "grade3plus": (3, 5),
}
SUMMARY_COLUMNS = ["attribution", "level", "soc", "term", "n_treated"] + [
    f"{band}_{kind}" for band in GRADE_BANDS for kind in ("n", "pct")
]


def validate_grades(events: pd.DataFrame, source: str) -> pd.DataFrame:
    """``events`` with integer grades; an InputError naming every row without a CTCAE grade."""
    grades = pd.to_numeric(events["grade"], errors="coerce")
    problems = [
        Problem(
            source,
            f"patient '{events['patient_id'][i]}': grade '{events['grade'][i]}' is not a "
            "CTCAE v5.0 grade",
            data_line(events, i),  # the file's line, also after comment or blank lines
            "grade",
            "use an integer grade 1-5",
        )
        for i in rows_where(~grades.isin(CTCAE_GRADES))
    ]
    if problems:
        raise InputError(problems)
    return events.assign(grade=grades.astype(int))


def _counts(worst: pd.Series, n_treated: int) -> dict[str, float]:
    """Patients by worst grade band, n and % of the treated."""
    out: dict[str, float] = {}
    for band, (low, high) in GRADE_BANDS.items():
        n = int(worst.between(low, high).sum())
        out[f"{band}_n"] = n
        out[f"{band}_pct"] = 100 * n / n_treated if n_treated else float("nan")
    return out


def _section(events: pd.DataFrame, attribution: str, n_treated: int) -> list[dict]:
    def row(level: str, soc: str, term: str, own: pd.DataFrame) -> dict:
        worst = own.groupby("patient_id")["grade"].max()
        key = {"attribution": attribution, "level": level, "soc": soc, "term": term}
        return key | _counts(worst, n_treated)

    socs = []  # each: the class's row, then its terms' rows
    for soc, in_soc in events.groupby("soc"):
        terms = [row("term", soc, term, in_term) for term, in_term in in_soc.groupby("term")]
        terms.sort(key=lambda r: (-r["any_grade_n"], -r["grade3plus_n"], r["term"]))
        socs.append([row("soc", soc, ALL_TERMS, in_soc), *terms])
    socs.sort(key=lambda s: (-s[0]["any_grade_n"], s[0]["soc"]))
    return [row("any", ALL_SOCS, ANY_AE, events), *chain.from_iterable(socs)]


def summarise(events: pd.DataFrame, n_treated: int) -> pd.DataFrame:
    """SUMMARY_COLUMNS: "any AE", then each system organ class and its terms (most frequent
    first), worst grade per patient; the same for treatment-related AEs when ``related`` is
    given. Without a ``soc`` column terms sit under "Not coded"."""
    events = events.copy()
    soc = events["soc"] if "soc" in events.columns else pd.Series(None, index=events.index)
    events["soc"] = soc.fillna(NOT_CODED).astype(str)
    rows = _section(events, "all", n_treated)
    if "related" in events.columns:
        related = events["related"].astype("string").str.strip().str.lower().isin(RELATED)
        rows += _section(events[related.to_numpy()], "treatment_related", n_treated)
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary["n_treated"] = n_treated
    return summary
