"""Cox proportional-hazards fits with Efron ties (as R `coxph(ties="efron")`).

- `cox_fit`: any number of covariates, statsmodels `PHReg` (adjusted models, subgroups);
- `cox_fit_binary_batch`: one 0/1 covariate, many groupings at once (one per biomarker). Own code,
  kept for speed: the Efron risk-set sums of a 0/1 covariate collapse to counts, so 500
  biomarkers cost a few array passes, where one library fit per biomarker costs 0.1-0.3 s on
  10,000 patients (docs/design.md). Its score at beta = 0 is also the delayed-entry log-rank.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2, norm
from statsmodels.duration.hazard_regression import PHReg

from her2resist.stats.risksets import BinaryRiskTables, checked_entry

MAX_ITER = 50
# converged once the Newton step is negligible; R stops on a 1e-9 relative loglik change, which
# leaves its estimate within ~1e-10 of the maximum thanks to quadratic convergence
STEP_TOLERANCE = 1e-11
# |beta| beyond this on the log-HR scale means the likelihood is monotone (HR > 1e8)
DIVERGENCE_LIMIT = 18.0


@dataclass(frozen=True)
class CoxFit:
    """Coefficients of one model (`cox_fit`), or of one model per grouping (the batch)."""

    coef: NDArray[np.float64]
    se: NDArray[np.float64]
    converged: bool  # the batch flags monotone groupings itself (`firth.is_monotone_binary`)

    @property
    def hr(self) -> NDArray[np.float64]:
        return np.exp(self.coef)

    def hr_ci(self, conf_level: float = 0.95) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        z = norm.ppf(1 - (1 - conf_level) / 2)
        # diverged (monotone) fits overflow here; callers replace them with Firth fits
        with np.errstate(over="ignore", invalid="ignore"):
            return np.exp(self.coef - z * self.se), np.exp(self.coef + z * self.se)

    @property
    def wald_p(self) -> NDArray[np.float64]:
        """Per-coefficient Wald p as summary(coxph)$coefficients[, "Pr(>|z|)"]."""
        return chi2.sf((self.coef / self.se) ** 2, 1)


def cox_fit(
    time: ArrayLike, event: ArrayLike, x: ArrayLike, entry: ArrayLike | None = None
) -> CoxFit:
    """statsmodels `PHReg(ties="efron")`, Newton from beta = 0 as R coxph's default fitter.

    `entry`: delayed-entry times, as R `coxph(Surv(entry, time, event) ~ x)`. A monotone
    likelihood (no finite maximum) is returned with `converged` False."""
    t = np.asarray(time, dtype=float)
    xm = np.asarray(x, dtype=float).reshape(t.size, -1)
    if entry is not None:
        # statsmodels counts a subject at risk at its entry time (Stata's convention), R only
        # after it: entering at the next representable time gives R's risk sets
        entry = np.nextafter(checked_entry(entry, t), np.inf)
    model = PHReg(t, xm, status=np.asarray(event, dtype=float), entry=entry, ties="efron")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a diverging (monotone) fit warns; reported below
        try:
            result = model.fit(method="newton", tol=STEP_TOLERANCE, maxiter=MAX_ITER)
        except np.linalg.LinAlgError:
            return CoxFit(np.full(xm.shape[1], np.nan), np.full(xm.shape[1], np.nan), False)
    coef = np.asarray(result.params)
    converged = bool(np.all(np.abs(coef) < DIVERGENCE_LIMIT))  # NaN fails too
    return CoxFit(coef, np.asarray(result.bse), converged)


@dataclass(frozen=True)
class BinaryCoxBatch(CoxFit):
    """Single 0/1 covariate Cox fits, one per grouping column."""

    loglik_null: NDArray[np.float64]
    loglik: NDArray[np.float64]
    # score test at beta = 0, R `summary(coxph)$sctest`: the log-rank test with Efron's tie
    # handling, reported as the log-rank with delayed entry (R's survdiff takes no entry times)
    score_chi2: NDArray[np.float64]

    @property
    def lr_p(self) -> NDArray[np.float64]:
        """Likelihood-ratio p per grouping, summary(coxph)$logtest."""
        return chi2.sf(np.maximum(2.0 * (self.loglik - self.loglik_null), 0.0), 1)


def binary_loglik_score_info(
    beta: NDArray[np.float64],
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    events_1: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Efron loglik, score and information (rows absent for a grouping contribute 0)."""
    b_eb = b * np.exp(beta)
    denom = a + b_eb
    mean = b_eb / denom
    loglik = beta * events_1 - np.log(denom).sum(axis=0)
    score = events_1 - mean.sum(axis=0)
    info = (mean * (a / denom)).sum(axis=0)
    return loglik, score, info


def _worse(new: NDArray[np.float64], old: NDArray[np.float64]) -> NDArray[np.bool_]:
    # a decrease beyond rounding noise of a sum over thousands of risk sets
    return ~np.isfinite(new) | (new < old - 1e-10 * np.maximum(1.0, np.abs(old)))


def cox_fit_binary_batch(tables: BinaryRiskTables) -> BinaryCoxBatch:
    """Efron Cox fit of every grouping column at once (Newton with per-column step halving).

    Columns with a monotone likelihood (separation) do not converge; callers detect those first
    (see `firth.is_monotone_binary`) and replace them with a penalized fit."""
    a, b = tables.efron_rows()
    events_1 = tables.deaths_1.sum(axis=0)
    n_groupings = a.shape[1]
    beta = np.zeros(n_groupings)
    loglik_null, score, info = binary_loglik_score_info(beta, a, b, events_1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score_chi2 = np.where(info > 0, score**2 / info, np.nan)
    loglik = loglik_null.copy()
    converged = np.zeros(n_groupings, dtype=bool)
    active = info > 0
    for _ in range(MAX_ITER):
        cols = np.flatnonzero(active)
        if cols.size == 0:
            break
        # only still-iterating columns are recomputed
        a_c, b_c, ev_c = a[:, cols], b[:, cols], events_1[cols]
        step = score[cols] / info[cols]
        new = binary_loglik_score_info(beta[cols] + step, a_c, b_c, ev_c)
        for _ in range(30):
            worse = _worse(new[0], loglik[cols])
            if not worse.any():
                break
            step = np.where(worse, step / 2.0, step)
            new = binary_loglik_score_info(beta[cols] + step, a_c, b_c, ev_c)
        beta[cols] += step
        loglik[cols], score[cols], info[cols] = new
        done = np.abs(step) < STEP_TOLERANCE * np.maximum(1.0, np.abs(beta[cols]))
        converged[cols[done]] = True
        keep = ~done & (np.abs(beta[cols]) < DIVERGENCE_LIMIT) & (info[cols] > 0)
        active[cols[~keep]] = False
    with np.errstate(divide="ignore"):
        se = np.where(info > 0, 1.0 / np.sqrt(np.where(info > 0, info, 1.0)), np.nan)
    return BinaryCoxBatch(beta, se, bool(converged.all()), loglik_null, loglik, score_chi2)
