"""Layouts of the trial statistician's tables (content from ``clinical/``): subgroups
(Table 3b), detectable effects (Table 4b), adverse events by system organ class and grade
(Table 5), and the median follow-up rows of Table 3."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from her2resist.report.labels import Labels
from her2resist.report.layout import HEADING, Column, TableSpec

GRADE_BANDS = {
    "any_grade": "Any grade",
    "grade1_2": "Grade 1–2",
    "grade3": "Grade 3",
    "grade4": "Grade 4",
    "grade5": "Grade 5",
    "grade3plus": "Grade ≥3",
}
ATTRIBUTIONS = {"all": "All adverse events", "treatment_related": "Treatment-related"}


def follow_up_rows(follow_up: pd.DataFrame) -> list[dict[str, Any]]:
    """Table 3 rows: median follow-up (reverse Kaplan–Meier) per endpoint, ITT column."""
    rows = []
    for row in follow_up.to_dict("records"):
        endpoint = str(row["endpoint"]).removesuffix("_follow_up").upper()
        rows.append(
            {
                "row": row["endpoint"],
                "label": f"Median follow-up for {endpoint} (reverse KM), months (95% CI)",
                "indent": 0,
                "format": "median_ci",
                "evaluable_format": "none",
                "itt_n": row["n"],
                "itt_estimate": row["value"],
                "itt_lcl": row["lcl"],
                "itt_ucl": row["ucl"],
                "note": row["note"] if isinstance(row["note"], str) else "",
            }
        )
    return rows


def subgroup_spec(subgroups: pd.DataFrame, labels: Labels | None = None) -> TableSpec:
    """Table 3b: per level of each subgroup factor, n, ORR, median PFS and PFS HR vs rest;
    factors and levels named as everywhere else (``labels``)."""
    labels = labels or Labels()
    rows = []
    previous = None
    for row in subgroups.to_dict("records"):
        overall = row["subgroup"] == "All patients"
        if not overall and row["subgroup"] != previous:
            rows.append({"label": labels(row["subgroup"]), "indent": 0, "format": HEADING})
        previous = row["subgroup"]
        rows.append(
            {
                "label": "All patients" if overall else Labels.level(row["level"]),
                "indent": 0 if overall else 1,
                "format": "",
                "n": row["n"],
                "orr_n": row["responders"],
                "orr_percent": 100 * row["orr"],
                "orr_lcl": 100 * row["orr_lcl"],
                "orr_ucl": 100 * row["orr_ucl"],
                "pfs_n": row["pfs_n"],
                "pfs_estimate": row["pfs_median"],
                "pfs_lcl": row["pfs_median_lcl"],
                "pfs_ucl": row["pfs_median_ucl"],
                "hr_estimate": row["hr_vs_rest"],
                "hr_lcl": row["hr_lcl"],
                "hr_ucl": row["hr_ucl"],
                "hr_p": row["hr_p"],
                "note": row["note"] if isinstance(row["note"], str) else "",
            }
        )
    columns = [Column("n", "n", fields={"n": "n"})]
    # the endpoints the study measured (subgroup_table leaves the others missing)
    if subgroups["orr"].notna().any():
        columns.append(Column("ORR, n (%) [95% CI]", "n_percent_ci", prefix="orr_"))
    if subgroups["pfs_n"].notna().any():
        columns += [
            Column("Median PFS (95% CI), months", "median_ci", prefix="pfs_"),
            Column("PFS HR vs other patients (95% CI)", "estimate_ci", prefix="hr_"),
            Column("p", "p", fields={"value": "hr_p"}),
        ]
    return TableSpec(
        "table3b_subgroups",
        "Table 3b. Efficacy by subgroup",
        pd.DataFrame(rows),
        columns,
        stub_header="Subgroup",
        row_notes=["note"],
        footnotes=[
            "ORR with Clopper-Pearson exact 95% CI; median PFS by Kaplan-Meier (95% CI); hazard "
            "ratio of the level against all other patients from a Cox model (Efron ties, Wald "
            "95% CI and p). A missing value is its own level.",
        ],
    )


def detectable_spec(detectable: pd.DataFrame) -> TableSpec:
    """Table 4b: the hazard ratio each survival test could detect (Schoenfeld)."""
    rows = []
    for endpoint, own in detectable.groupby("endpoint", sort=False):
        rows.append({"label": str(endpoint).upper(), "indent": 0, "format": HEADING})
        for row in own.to_dict("records"):
            rows.append(
                {
                    "label": row["biomarker"],
                    "indent": 1,
                    "format": "",
                    "a": row["n_altered"],
                    "b": row["n_wild_type"],
                    "percent": 100 * row["prevalence"],
                    "events": row["events"],
                    "hr": row["detectable_hr"],
                    "protective": row["detectable_hr_protective"],
                }
            )
    power = detectable["power"].iloc[0] if len(detectable) else 0.8
    alpha = detectable["alpha"].iloc[0] if len(detectable) else 0.05
    return TableSpec(
        "table4b_detectable_effects",
        "Table 4b. Hazard ratios each biomarker test could detect",
        pd.DataFrame(rows),
        [
            Column("n altered/WT", "pair"),
            Column("Prevalence, %", "percent"),
            Column("Events", "number", fields={"value": "events"}),
            Column("Detectable HR (harm)", "number", fields={"value": "hr"}),
            Column("Detectable HR (benefit)", "number", fields={"value": "protective"}),
        ],
        stub_header="Biomarker",
        footnotes=[
            f"Hazard ratio (altered vs wild type) detectable with {100 * power:g}% power at "
            f"two-sided alpha {alpha:g} given the prevalence and the observed events "
            "(Schoenfeld 1983); a null result rules out only larger effects.",
        ],
    )


def adverse_event_spec(summary: pd.DataFrame) -> TableSpec:
    """Table 5: any AE, then system organ class and term (indented), patients n (%) by worst
    grade, all AEs and treatment-related AEs as column groups."""
    n_treated = int(summary["n_treated"].iloc[0]) if len(summary) else 0
    keys = ["level", "soc", "term"]
    wide = summary[summary["attribution"] == "all"][keys].drop_duplicates()
    for attribution in ATTRIBUTIONS:
        own = summary[summary["attribution"] == attribution]
        values = own.set_index(keys)[[c for c in own.columns if c.endswith(("_n", "_pct"))]]
        values.columns = [f"{attribution}_{c}" for c in values.columns]
        wide = wide.join(values, on=keys)
        if len(own):  # a term without events of this attribution: 0 patients
            wide[values.columns] = wide[values.columns].fillna(0)
    label = np.where(wide["level"] == "soc", wide["soc"], wide["term"])
    data = wide.assign(label=label, indent=np.where(wide["level"] == "term", 1, 0), format="")
    present = [a for a in ATTRIBUTIONS if (summary["attribution"] == a).any()]
    columns = [
        Column(
            title,
            "n_percent",
            fields={"n": f"{attribution}_{band}_n", "percent": f"{attribution}_{band}_pct"},
            group=f"{ATTRIBUTIONS[attribution]}, n (%)",
        )
        for attribution in present
        for band, title in GRADE_BANDS.items()
    ]
    return TableSpec(
        "table5_adverse_events",
        "Table 5. Adverse events",
        data.reset_index(drop=True),
        columns,
        stub_header="System organ class / adverse event (CTCAE v5.0)",
        footnotes=[
            f"Safety population (all treated patients, N = {n_treated}); worst grade per patient "
            "for each term, system organ class and over all events; a patient with no event of "
            "a kind counts as 0.",
        ],
    )
