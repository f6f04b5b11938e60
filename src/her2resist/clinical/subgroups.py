"""The trial statistician's tables: subgroups, median follow-up, detectable effects.

- ``subgroup_table``: per level of each ``subgroups`` column, ORR (exact Clopper–Pearson CI,
  as R ``binom.test``), median PFS (95 % CI, R ``survfit``) and the PFS hazard ratio of the
  level against the other patients (Cox, Efron ties, Wald CI, R ``coxph``). A missing value
  is its own level ("missing"), so every patient is in every subgroup analysis.
- ``median_follow_up``: reverse Kaplan–Meier (Schemper & Smith 1996, Control Clin Trials
  17:343): censorings are the events, so deaths/progressions censor follow-up.
- ``detectable_hazard_ratio``: Schoenfeld (1983, Biometrika 70:315): with D events and a
  biomarker prevalence p, the log hazard ratio detectable with power 1 - beta at two-sided
  alpha is (z_{1-alpha/2} + z_{1-beta}) / sqrt(D p (1 - p)).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import norm

from her2resist.stats.cox import cox_fit
from her2resist.stats.km import kaplan_meier, median_survival
from her2resist.stats.response import clopper_pearson

MISSING_LEVEL = "missing"
SUBGROUP_COLUMNS = [
    "subgroup",
    "level",
    "n",
    "responders",
    "orr",
    "orr_lcl",
    "orr_ucl",
    "pfs_n",
    "pfs_events",
    "pfs_median",
    "pfs_median_lcl",
    "pfs_median_ucl",
    "hr_vs_rest",
    "hr_lcl",
    "hr_ucl",
    "hr_p",
    "note",
]
FOLLOW_UP_COLUMNS = ["endpoint", "statistic", "value", "lcl", "ucl", "n", "events_or_responders"]
FOLLOW_UP_COLUMNS += ["note"]
DETECTABLE_COLUMNS = [
    "endpoint",
    "biomarker",
    "n_altered",
    "n_wild_type",
    "prevalence",
    "events",
    "detectable_hr",
    "detectable_hr_protective",
    "power",
    "alpha",
]


def _pfs_row(
    time: pd.Series, event: pd.Series, in_level: pd.Series, min_patients: int | None
) -> dict[str, object]:
    """PFS of the level: patients, events, KM median and, unless ``min_patients`` is None, the
    hazard ratio against the other patients."""
    usable = time.notna() & event.notna()
    t, e, x = time[usable], event[usable].astype(float), in_level[usable].astype(float)
    row: dict[str, object] = {"pfs_n": int(x.sum()), "pfs_events": int(e[x == 1].sum())}
    if row["pfs_n"]:
        med = median_survival(kaplan_meier(t[x == 1], e[x == 1]))
        row.update(pfs_median=med.estimate, pfs_median_lcl=med.lcl, pfs_median_ucl=med.ucl)
    if min_patients is None:
        return row
    if row["pfs_n"] < min_patients:
        row["note"] = f"no hazard ratio: fewer than {min_patients} patients"
        return row
    if row["pfs_events"] == 0 or e[x == 0].sum() == 0:  # also when there is no rest
        row["note"] = "no hazard ratio: a group without PFS events"
        return row
    fit = cox_fit(t.to_numpy(), e.to_numpy(), x.to_numpy()[:, None])
    lcl, ucl = fit.hr_ci()
    row.update(hr_vs_rest=fit.hr[0], hr_lcl=lcl[0], hr_ucl=ucl[0], hr_p=fit.wald_p[0])
    return row


def subgroup_table(
    endpoints: pd.DataFrame,
    clinical: pd.DataFrame,
    columns: Iterable[str],
    min_patients: int = 3,
    measured: Iterable[str] = ("response", "pfs"),
) -> pd.DataFrame:
    """SUBGROUP_COLUMNS; ``endpoints`` and ``clinical`` indexed by patient. Levels with fewer
    than ``min_patients`` PFS-evaluable patients are described, without a hazard ratio. ORR
    and PFS columns only for what the study ``measured``: missing, not 0 % or "not reached",
    where it did not."""
    measured = set(measured)
    ends = endpoints.reindex(clinical.index)
    orr = ends["orr"]
    rows = []
    levels_by_column = [("All patients", pd.Series("all", index=clinical.index))]
    levels_by_column += [(c, clinical[c].astype("string").fillna(MISSING_LEVEL)) for c in columns]
    for name, levels in levels_by_column:
        for level in sorted(levels.unique(), key=lambda v: (v == MISSING_LEVEL, v)):
            in_level = levels == level
            n = int(in_level.sum())
            row = {"subgroup": name, "level": level, "n": n}
            if "response" in measured:  # ITT: a patient without a response is a non-responder
                responders = int(orr[in_level].fillna(0).sum())
                prop = clopper_pearson(responders, n)
                row.update(responders=responders, orr=prop.rate, orr_lcl=prop.lcl, orr_ucl=prop.ucl)
            if "pfs" in measured:
                # every patient: the median only (there is no rest to compare with)
                minimum = min_patients if name != "All patients" else None
                row.update(_pfs_row(ends["pfs_months"], ends["pfs_event"], in_level, minimum))
            rows.append(row)
    return pd.DataFrame(rows, columns=SUBGROUP_COLUMNS)


def median_follow_up(
    endpoints: pd.DataFrame, measured: Iterable[str] = ("os", "pfs")
) -> pd.DataFrame:
    """Median follow-up (reverse Kaplan–Meier) for OS and PFS where the study ``measured``
    them, FOLLOW_UP_COLUMNS."""
    rows = []
    for endpoint in (e for e in ("os", "pfs") if e in measured):
        time, event = endpoints[f"{endpoint}_months"], endpoints[f"{endpoint}_event"]
        usable = time.notna() & event.notna()
        censored = int((event[usable] == 0).sum())
        row = {"endpoint": f"{endpoint}_follow_up", "statistic": "median (reverse KM)"}
        row.update(n=int(usable.sum()), events_or_responders=censored)
        if censored == 0:
            rows.append({**row, "note": "no censored patient: follow-up complete"})
            continue
        med = median_survival(kaplan_meier(time[usable], 1 - event[usable].astype(float)))
        note = "median not reached" if np.isnan(med.estimate) else ""
        rows.append({**row, "value": med.estimate, "lcl": med.lcl, "ucl": med.ucl, "note": note})
    return pd.DataFrame(rows, columns=FOLLOW_UP_COLUMNS)


def detectable_hazard_ratio(
    events: int, prevalence: float, power: float = 0.8, alpha: float = 0.05
) -> float:
    """The hazard ratio (> 1) detectable with ``power`` at two-sided ``alpha`` (Schoenfeld)."""
    if events <= 0 or not 0 < prevalence < 1:
        return float("nan")
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    return float(np.exp(z / np.sqrt(events * prevalence * (1 - prevalence))))


def detectable_effects(
    associations: dict[str, pd.DataFrame], power: float = 0.8, alpha: float = 0.05
) -> pd.DataFrame:
    """Per survival association row: the HR it could detect (DETECTABLE_COLUMNS)."""
    rows = []
    for endpoint, table in associations.items():
        for row in table.itertuples(index=False):
            n = row.n_altered + row.n_wild_type
            prevalence = row.n_altered / n if n else float("nan")
            events = int(row.events_altered + row.events_wild_type)
            hr = detectable_hazard_ratio(events, prevalence, power, alpha)
            rows.append(
                {
                    "endpoint": endpoint,
                    "biomarker": row.biomarker,
                    "n_altered": row.n_altered,
                    "n_wild_type": row.n_wild_type,
                    "prevalence": prevalence,
                    "events": events,
                    "detectable_hr": hr,
                    "detectable_hr_protective": 1 / hr,
                    "power": power,
                    "alpha": alpha,
                }
            )
    return pd.DataFrame(rows, columns=DETECTABLE_COLUMNS)
