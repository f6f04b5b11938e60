"""Per-biomarker association tables: survival (log-rank, Cox, PH test) and response (Fisher).

Design choices that guard against over-claiming at n = 30:
- a biomarker is tested only when both groups have at least `min_altered` patients; otherwise
  counts and medians are reported with a note and no p-value;
- a monotone likelihood (e.g. no events among the altered) gets a Firth-penalized hazard ratio
  with profile-likelihood CI (method "firth"), never the divergent ordinary estimate;
- degenerate conditional odds ratios (0 or infinity) are blanked, keeping the finite exact bound;
- q-values (Benjamini–Hochberg) run over tested rows of one endpoint only, on the log-rank p for
  survival and the Fisher p for response.

Delayed entry (`entry`, left truncation): every survival statistic uses risk sets of patients
with entry < t <= time, as R `Surv(entry, time, event)`; the log-rank columns then hold the Cox
score test (R's `survdiff` takes no entry times), and `delayed_entry` says so on each row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2
from statsmodels.duration.survfunc import survdiff
from statsmodels.stats.multitest import multipletests

from her2resist.stats.cox import cox_fit, cox_fit_binary_batch
from her2resist.stats.coxzph import cox_zph_binary_batch
from her2resist.stats.firth import firth_cox_fit, is_monotone_binary
from her2resist.stats.km import kaplan_meier, median_survival
from her2resist.stats.response import clopper_pearson, fisher_exact_r, logistic_2x2
from her2resist.stats.risksets import BinaryRiskTables, binary_risk_tables
from her2resist.vocabulary import ALTERED, WILD_TYPE

SURVIVAL_COLUMNS = [
    "biomarker", "endpoint", "n_altered", "n_wild_type", "n_not_evaluable", "events_altered",
    "events_wild_type", "median_altered", "median_altered_lcl", "median_altered_ucl",
    "median_wild_type", "median_wild_type_lcl", "median_wild_type_ucl", "logrank_chi2",
    "logrank_p", "hr", "hr_lcl", "hr_ucl", "wald_p", "lr_p", "hr_adjusted", "hr_adjusted_lcl",
    "hr_adjusted_ucl", "adjusted_p", "ph_p", "q_value", "method", "note", "delayed_entry",
]  # fmt: skip

RESPONSE_COLUMNS = [
    "biomarker", "endpoint", "n_altered", "n_wild_type", "responders_altered",
    "responders_wild_type", "rate_altered", "rate_altered_lcl", "rate_altered_ucl",
    "rate_wild_type", "rate_wild_type_lcl", "rate_wild_type_ucl", "fisher_p", "odds_ratio",
    "or_lcl", "or_ucl", "q_value", "method", "note", "logistic_or", "logistic_or_lcl",
    "logistic_or_ucl", "logistic_p", "logistic_method",
]  # fmt: skip

METHOD_COX = "logrank+cox_efron"
METHOD_FIRTH = "firth"
METHOD_NOT_TESTED = "descriptive"
METHOD_FISHER = "fisher_exact"
DELAYED_ENTRY_NOTE = "delayed entry: left-truncated risk sets"
NOT_AT_RISK_TOGETHER = "not tested: no event time with both groups at risk"
SCORE_TEST_NOTE = "logrank_chi2/logrank_p: Cox score test (survdiff takes no entry times)"


def _at_risk_together(tables: BinaryRiskTables) -> np.ndarray:
    """Per grouping, whether altered and wild-type patients are at risk together at some
    event time; without that (with delayed entry: altered patients entering after every
    event) the biomarker carries no information, and R's coxph reports its coefficient NA."""
    return ((tables.at_risk_1 > 0) & (tables.at_risk_0 > 0)).any(axis=0)


def _at(values: np.ndarray | None, mask: np.ndarray) -> np.ndarray | None:
    """The masked entry times, or None when there is no delayed entry."""
    return None if values is None else values[mask]


def _status_codes(status: pd.DataFrame) -> pd.DataFrame:
    """1 = altered, 0 = wild type, NaN = not evaluable (or missing / unrecognized)."""
    values = status.to_numpy(dtype=object)
    codes = np.where(values == ALTERED, 1.0, np.where(values == WILD_TYPE, 0.0, np.nan))
    return pd.DataFrame(codes, index=status.index, columns=status.columns)


def _logrank_chi2(time: np.ndarray, event: np.ndarray, group: np.ndarray) -> float:
    """R survdiff's chi-square (statsmodels survdiff); NaN without variance (R's 0/0)."""
    try:
        return float(survdiff(time, event, group)[0])
    except np.linalg.LinAlgError:
        return float("nan")


def benjamini_hochberg(p_values: pd.Series) -> pd.Series:
    """R p.adjust(p, "BH") (statsmodels fdr_bh) over the tested rows; untested stay NaN."""
    tested = p_values.notna()
    q_values = pd.Series(np.nan, index=p_values.index)
    if tested.any():
        q_values[tested] = multipletests(p_values[tested].astype(float), method="fdr_bh")[1]
    return q_values


def _too_small_note(n_altered: int, n_wild_type: int, min_altered: int) -> str | None:
    counts = {"n_altered": n_altered, "n_wild_type": n_wild_type}
    small = [f"{name}={n}" for name, n in counts.items() if n < min_altered]
    return f"not tested: {' and '.join(small)} < min_altered={min_altered}" if small else None


def _separation_note(events_altered: int, events_wild_type: int) -> str:
    if events_altered == 0:
        return "zero events in altered group; Firth-penalized estimate"
    if events_wild_type == 0:
        return "zero events in wild-type group; Firth-penalized estimate"
    return "monotone likelihood (event times separate the groups); Firth-penalized estimate"


def survival_associations(
    time: pd.Series,
    event: pd.Series,
    status: pd.DataFrame,
    *,
    endpoint: str,
    min_altered: int = 3,
    covariates: pd.DataFrame | None = None,
    entry: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per biomarker (columns SURVIVAL_COLUMNS); see the module docstring.

    Patients analysed for the endpoint: in `status`, with finite non-negative time and a 0/1
    event (and, with `entry`, a finite entry before that time). n_not_evaluable counts
    those of them whose biomarker status is not evaluable."""
    frame = pd.DataFrame({"time": time, "event": event}).reindex(status.index)
    evaluable = np.isfinite(frame["time"]) & (frame["time"] >= 0) & frame["event"].isin([0, 1])
    if entry is not None:
        frame["entry"] = entry.reindex(status.index)
        evaluable &= np.isfinite(frame["entry"]) & (frame["entry"] < frame["time"])
    frame = frame[evaluable]
    codes = _status_codes(status.loc[frame.index])
    t = frame["time"].to_numpy(float)
    e = frame["event"].to_numpy(float)
    start = frame["entry"].to_numpy(float) if entry is not None else None
    g = codes.to_numpy(float)
    biomarkers = list(status.columns)
    if not biomarkers:
        return pd.DataFrame(columns=SURVIVAL_COLUMNS)

    tables = binary_risk_tables(t, e, g, start)
    batch = cox_fit_binary_batch(tables)
    monotone = is_monotone_binary(tables)
    zph_p = cox_zph_binary_batch(tables, np.where(monotone, 0.0, batch.coef))
    hr_lcl, hr_ucl = batch.hr_ci()
    wald_p, lr_p = batch.wald_p, batch.lr_p  # computed once for all biomarkers
    informative = _at_risk_together(tables)

    rows = []
    for j, name in enumerate(biomarkers):
        col = g[:, j]
        in_alt, in_wt = col == 1, col == 0
        n_alt, n_wt = int(in_alt.sum()), int(in_wt.sum())
        ev_alt, ev_wt = int(e[in_alt].sum()), int(e[in_wt].sum())
        row: dict[str, object] = dict.fromkeys(SURVIVAL_COLUMNS, np.nan)
        row.update(
            biomarker=name,
            endpoint=endpoint,
            n_altered=n_alt,
            n_wild_type=n_wt,
            n_not_evaluable=int(np.isnan(col).sum()),
            events_altered=ev_alt,
            events_wild_type=ev_wt,
            delayed_entry=start is not None,
        )
        notes: list[str] = [DELAYED_ENTRY_NOTE] if start is not None else []
        for label, mask in (("altered", in_alt), ("wild_type", in_wt)):
            if mask.any():
                med = median_survival(kaplan_meier(t[mask], e[mask], entry=_at(start, mask)))
                row[f"median_{label}"] = med.estimate
                row[f"median_{label}_lcl"] = med.lcl
                row[f"median_{label}_ucl"] = med.ucl
                if np.isnan(med.estimate):
                    notes.append(f"median not reached ({label})")
        too_small = _too_small_note(n_alt, n_wt, min_altered)
        if too_small or ev_alt + ev_wt == 0 or not informative[j]:
            row["method"] = METHOD_NOT_TESTED
            no_events = "not tested: no events" if ev_alt + ev_wt == 0 else None
            notes.insert(0, too_small or no_events or NOT_AT_RISK_TOGETHER)
            row["note"] = "; ".join(notes)
            rows.append(row)
            continue
        mask = in_alt | in_wt
        if start is None:
            row["logrank_chi2"] = _logrank_chi2(t[mask], e[mask], col[mask])
        else:
            row["logrank_chi2"] = batch.score_chi2[j]
            notes.append(SCORE_TEST_NOTE)
        row["logrank_p"] = float(chi2.sf(row["logrank_chi2"], 1))
        if monotone[j]:
            firth = firth_cox_fit(t[mask], e[mask], col[mask], entry=_at(start, mask))
            row.update(
                hr=float(np.exp(firth.coef[0])),
                hr_lcl=float(np.exp(firth.lcl[0])),
                hr_ucl=float(np.exp(firth.ucl[0])),
                lr_p=float(firth.p_value[0]),
                method=METHOD_FIRTH,
            )
            notes.insert(0, _separation_note(ev_alt, ev_wt))
            notes.append("lr_p is the penalized likelihood-ratio p; no Wald or PH test")
        else:
            row.update(
                hr=float(np.exp(batch.coef[j])),
                hr_lcl=float(hr_lcl[j]),
                hr_ucl=float(hr_ucl[j]),
                wald_p=float(wald_p[j]),
                lr_p=float(lr_p[j]),
                ph_p=float(zph_p[j]),
                method=METHOD_COX,
            )
        if covariates is not None and covariates.shape[1] > 0:
            adjusted = _adjusted_hazard_ratio(
                frame.index[mask],
                t[mask],
                e[mask],
                col[mask],
                covariates,
                force_firth=monotone[j],
                entry=_at(start, mask),
            )
            row.update(adjusted[0])
            notes.extend(adjusted[1])
        row["note"] = "; ".join(notes) if notes else ""
        rows.append(row)

    result = pd.DataFrame(rows, columns=SURVIVAL_COLUMNS)
    result["q_value"] = benjamini_hochberg(result["logrank_p"])
    return result


def _adjusted_hazard_ratio(
    patients: pd.Index,
    t: np.ndarray,
    e: np.ndarray,
    biomarker: np.ndarray,
    covariates: pd.DataFrame,
    *,
    force_firth: bool,
    entry: np.ndarray | None = None,
) -> tuple[dict[str, float], list[str]]:
    """Biomarker HR from a Cox model with covariates (complete cases), Firth if separated."""
    cov = covariates.reindex(patients).astype(float)
    complete = cov.notna().all(axis=1).to_numpy()
    notes = []
    if not complete.all():
        notes.append(f"adjusted model: {int((~complete).sum())} patients without covariates")
    cov = cov[complete]
    constant = [c for c in cov.columns if cov[c].nunique() <= 1]
    if constant:
        # a covariate constant in this subset has no estimable effect (R would return NA)
        notes.append(f"adjusted model: dropped constant covariate(s) {', '.join(constant)}")
        cov = cov.drop(columns=constant)
    x = np.column_stack([biomarker[complete], cov.to_numpy(float)])
    tc, ec, entry_c = t[complete], e[complete], _at(entry, complete)
    keys = ("hr_adjusted", "hr_adjusted_lcl", "hr_adjusted_ucl", "adjusted_p")
    # both groups at risk at an event time (so: both present, and events)
    if not _at_risk_together(binary_risk_tables(tc, ec, x[:, 0], entry_c))[0]:
        notes.append("adjusted model not estimable")
        return dict.fromkeys(keys, np.nan), notes
    fit = None if force_firth else cox_fit(tc, ec, x, entry_c)
    if fit is not None and fit.converged:
        lcl, ucl = fit.hr_ci()
        values = (fit.hr[0], lcl[0], ucl[0], fit.wald_p[0])
    else:
        try:
            firth = firth_cox_fit(tc, ec, x, entry=entry_c)
        except np.linalg.LinAlgError:
            firth = None
        if firth is None or not np.isfinite(firth.p_value[0]):
            # a singular information matrix: a covariate carries no information in these
            # complete cases' risk sets (R's coxph would report it NA)
            notes.append("adjusted model not estimable (singular information matrix)")
            return dict.fromkeys(keys, np.nan), notes
        notes.append(
            "adjusted model Firth-penalized (monotone likelihood); adjusted_p is penalized LR"
        )
        hr, lcl, ucl = (np.exp(v[0]) for v in (firth.coef, firth.lcl, firth.ucl))
        values = (hr, lcl, ucl, firth.p_value[0])
    return {key: float(value) for key, value in zip(keys, values, strict=True)}, notes


def response_associations(
    response: pd.DataFrame, status: pd.DataFrame, *, min_altered: int = 3
) -> pd.DataFrame:
    """One row per (response endpoint, biomarker) with columns RESPONSE_COLUMNS."""
    codes = _status_codes(status)
    rows = []
    for endpoint in response.columns:
        values = response[endpoint].reindex(codes.index)
        endpoint_rows = []
        for name in codes.columns:
            group = codes[name]
            analysed = values.notna() & group.notna()
            r, gr = values[analysed].astype(int), group[analysed]
            n_alt, n_wt = int((gr == 1).sum()), int((gr == 0).sum())
            x_alt, x_wt = int(r[gr == 1].sum()), int(r[gr == 0].sum())
            row: dict[str, object] = dict.fromkeys(RESPONSE_COLUMNS, np.nan)
            row.update(
                biomarker=name,
                endpoint=endpoint,
                n_altered=n_alt,
                n_wild_type=n_wt,
                responders_altered=x_alt,
                responders_wild_type=x_wt,
            )
            for label, x, n in (("altered", x_alt, n_alt), ("wild_type", x_wt, n_wt)):
                rate = clopper_pearson(x, n)
                row[f"rate_{label}"] = rate.rate
                row[f"rate_{label}_lcl"] = rate.lcl
                row[f"rate_{label}_ucl"] = rate.ucl
            too_small = _too_small_note(n_alt, n_wt, min_altered)
            if too_small:
                row.update(method=METHOD_NOT_TESTED, note=too_small)
                endpoint_rows.append(row)
                continue
            fisher = fisher_exact_r(x_alt, n_alt - x_alt, x_wt, n_wt - x_wt)
            row.update(fisher_p=fisher.p_value, method=METHOD_FISHER, note="")
            if 0 < x_alt + x_wt < n_alt + n_wt:
                logistic = logistic_2x2(x_alt, n_alt - x_alt, x_wt, n_wt - x_wt)
                row.update(
                    logistic_or=logistic.odds_ratio,
                    logistic_or_lcl=logistic.lcl,
                    logistic_or_ucl=logistic.ucl,
                    logistic_p=logistic.p_value,
                    logistic_method=logistic.method,
                )
            if np.isnan(fisher.odds_ratio):
                row["note"] = "all analysed patients responded or none did; odds ratio undefined"
            elif fisher.odds_ratio == np.inf:
                row.update(or_lcl=fisher.lcl)
                row["note"] = (
                    "separation: conditional MLE odds ratio is infinite; "
                    "only the exact lower 95% bound is reported"
                )
            elif fisher.odds_ratio == 0.0:
                row.update(or_lcl=0.0, or_ucl=fisher.ucl)
                row["note"] = (
                    "separation: conditional MLE odds ratio is 0; "
                    "only the exact upper 95% bound is reported"
                )
            else:
                row.update(odds_ratio=fisher.odds_ratio, or_lcl=fisher.lcl, or_ucl=fisher.ucl)
            endpoint_rows.append(row)
        table = pd.DataFrame(endpoint_rows, columns=RESPONSE_COLUMNS)
        table["q_value"] = benjamini_hochberg(table["fisher_p"])
        rows.append(table)
    if not rows:
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    return pd.concat(rows, ignore_index=True)
