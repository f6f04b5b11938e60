"""Cox proportional-hazards fits with Efron ties (as R `coxph(ties="efron")`).

Two implementations of the same likelihood:
- `cox_fit`: any number of covariates, Newton–Raphson with step halving (adjusted models);
- `cox_fit_binary_batch`: one 0/1 covariate, many groupings at once (one per biomarker), where the
  Efron risk-set sums collapse to counts, so 500 biomarkers cost a few array passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2, norm

from her2resist.stats.risksets import BinaryRiskTables, checked_entry

MAX_ITER = 50
# converged once the Newton step is negligible; R stops on a 1e-9 relative loglik change, which
# leaves its estimate within ~1e-10 of the maximum thanks to quadratic convergence
STEP_TOLERANCE = 1e-11
# |beta| beyond this on the log-HR scale means the likelihood is monotone (HR > 1e8)
DIVERGENCE_LIMIT = 18.0


@dataclass(frozen=True)
class CoxFit:
    coef: NDArray[np.float64]
    var: NDArray[np.float64]
    loglik_null: float
    loglik: float
    converged: bool
    iterations: int

    @property
    def se(self) -> NDArray[np.float64]:
        return np.sqrt(np.diag(self.var))

    @property
    def hr(self) -> NDArray[np.float64]:
        return np.exp(self.coef)

    def hr_ci(self, conf_level: float = 0.95) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        z = norm.ppf(1 - (1 - conf_level) / 2)
        return np.exp(self.coef - z * self.se), np.exp(self.coef + z * self.se)

    @property
    def wald_p(self) -> NDArray[np.float64]:
        """Per-coefficient Wald p as summary(coxph)$coefficients[, "Pr(>|z|)"]."""
        return chi2.sf((self.coef / self.se) ** 2, 1)

    @property
    def lr_p(self) -> float:
        """Likelihood-ratio test of all coefficients, summary(coxph)$logtest."""
        return float(chi2.sf(2.0 * (self.loglik - self.loglik_null), self.coef.size))


@dataclass(frozen=True)
class EfronTerms:
    """Efron-row sums of w, w·x and w·x·x' (and optionally w·x⊗x⊗x) at a given beta."""

    s0: NDArray[np.float64]  # (R,)
    s1: NDArray[np.float64]  # (R, p)
    s2: NDArray[np.float64]  # (R, p, p)
    s3: NDArray[np.float64] | None  # (R, p, p, p)
    sum_event_eta: float
    sum_event_x: NDArray[np.float64]


class EfronDesign:
    """Sorted data and Efron row layout for one dataset, reused across Newton iterations."""

    def __init__(
        self, time: ArrayLike, event: ArrayLike, x: ArrayLike, entry: ArrayLike | None = None
    ) -> None:
        t = np.asarray(time, dtype=float)
        e = np.asarray(event, dtype=float)
        xm = np.asarray(x, dtype=float)
        if xm.ndim == 1:
            xm = xm[:, None]
        order = np.argsort(t, kind="stable")
        self.time, self.event = t[order], e[order]
        # centring (as R does) keeps exp(x·beta) in range; the partial likelihood is unchanged
        self.center = xm.mean(axis=0)
        self.x = xm[order] - self.center
        self.n, self.p = self.x.shape
        unique_time, first = np.unique(self.time, return_index=True)
        deaths = np.add.reduceat(self.event, first)
        has_event = deaths > 0
        self.first = first
        self.event_time_first = first[has_event]
        self.deaths = deaths[has_event]
        self.event_times = unique_time[has_event]
        self.time_group = np.searchsorted(unique_time, self.time)  # group of each sorted row
        # map each unique time to its position among event times (or -1)
        event_pos = np.full(unique_time.size, -1)
        event_pos[has_event] = np.arange(int(has_event.sum()))
        self.event_pos_of_time = event_pos
        d = self.deaths.astype(int)
        self.row_time = np.repeat(np.arange(d.size), d)
        self.row_fraction = (
            np.concatenate([np.arange(k) / k for k in d]) if d.size else np.array([])
        )
        # delayed entry: rows (in entry order) of those not yet at risk at each event time
        self.entry_order: NDArray[np.int64] | None = None
        if entry is not None:
            start = checked_entry(entry, t)[order]
            self.entry_order = np.argsort(start, kind="stable")
            self.first_late = np.searchsorted(
                start[self.entry_order], self.event_times, side="left"
            )

    def terms(self, beta: NDArray[np.float64], third: bool = False) -> EfronTerms:
        eta = self.x @ beta
        w = np.exp(eta)
        x = self.x
        outer = x[:, :, None] * x[:, None, :]
        cols = [w, w[:, None] * x, w[:, None, None] * outer]
        if third:
            cols.append(w[:, None, None, None] * outer[:, :, :, None] * x[:, None, None, :])
        dead = self.event > 0
        risk, tied = [], []
        for c in cols:
            # risk set = rows with time >= event time: reverse cumulative sums at first index
            at_risk = np.cumsum(c[::-1], axis=0)[::-1][self.event_time_first]
            if self.entry_order is not None:
                late = np.cumsum(c[self.entry_order][::-1], axis=0)[::-1]
                late = np.concatenate([late, np.zeros((1, *c.shape[1:]))])
                at_risk = at_risk - late[self.first_late]
            risk.append(at_risk)
            dead_c = np.where(dead.reshape((-1,) + (1,) * (c.ndim - 1)), c, 0.0)
            tied.append(np.add.reduceat(dead_c, self.first, axis=0)[self.deaths_mask_full()])
        f = self.row_fraction
        rows = []
        for r, d in zip(risk, tied, strict=True):
            shape = (-1,) + (1,) * (r.ndim - 1)
            rows.append(r[self.row_time] - f.reshape(shape) * d[self.row_time])
        return EfronTerms(
            s0=rows[0],
            s1=rows[1],
            s2=rows[2],
            s3=rows[3] if third else None,
            sum_event_eta=float(eta[dead].sum()),
            sum_event_x=x[dead].sum(axis=0),
        )

    def deaths_mask_full(self) -> NDArray[np.bool_]:
        return self.event_pos_of_time >= 0

    def loglik_score_info(
        self, beta: NDArray[np.float64]
    ) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
        t = self.terms(beta)
        mean = t.s1 / t.s0[:, None]
        loglik = t.sum_event_eta - float(np.log(t.s0).sum())
        score = t.sum_event_x - mean.sum(axis=0)
        info = (t.s2 / t.s0[:, None, None] - mean[:, :, None] * mean[:, None, :]).sum(axis=0)
        return loglik, score, info


def cox_fit(
    time: ArrayLike, event: ArrayLike, x: ArrayLike, entry: ArrayLike | None = None
) -> CoxFit:
    """Newton–Raphson from beta = 0 with step halving, as R coxph's default fitter.

    `entry`: delayed-entry times, as R `coxph(Surv(entry, time, event) ~ x)`."""
    design = EfronDesign(time, event, x, entry)
    beta = np.zeros(design.p)
    loglik_null, score, info = design.loglik_score_info(beta)
    loglik = loglik_null
    converged = False
    iteration = 0
    for iteration in range(1, MAX_ITER + 1):  # noqa: B007 - reported after the loop
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            break
        new_beta = beta + step
        new_loglik, new_score, new_info = design.loglik_score_info(new_beta)
        halvings = 0
        while _worse(np.array(new_loglik), np.array(loglik)) and halvings < 30:
            step = step / 2.0
            new_beta = beta + step
            new_loglik, new_score, new_info = design.loglik_score_info(new_beta)
            halvings += 1
        beta, loglik, score, info = new_beta, new_loglik, new_score, new_info
        if np.max(np.abs(step)) < STEP_TOLERANCE * max(1.0, np.max(np.abs(beta))):
            converged = True
            break
        if np.max(np.abs(beta)) > DIVERGENCE_LIMIT:
            break
    try:
        var = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        var = np.full((design.p, design.p), np.nan)
    return CoxFit(beta, var, loglik_null, loglik, converged, iteration)


@dataclass(frozen=True)
class BinaryCoxBatch:
    """Single 0/1 covariate Cox fits, one per grouping column."""

    coef: NDArray[np.float64]
    se: NDArray[np.float64]
    loglik_null: NDArray[np.float64]
    loglik: NDArray[np.float64]
    converged: NDArray[np.bool_]

    def hr_ci(self, conf_level: float = 0.95) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        z = norm.ppf(1 - (1 - conf_level) / 2)
        # diverged (monotone) columns overflow here; callers replace them with Firth fits
        with np.errstate(over="ignore", invalid="ignore"):
            return np.exp(self.coef - z * self.se), np.exp(self.coef + z * self.se)

    @property
    def wald_p(self) -> NDArray[np.float64]:
        return chi2.sf((self.coef / self.se) ** 2, 1)

    @property
    def lr_p(self) -> NDArray[np.float64]:
        return chi2.sf(np.maximum(2.0 * (self.loglik - self.loglik_null), 0.0), 1)


def binary_loglik_score_info(
    beta: NDArray[np.float64],
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    events_1: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Efron loglik, score and information; absent rows carry a = 1, b = 0 (contribute 0)."""
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
    a, b, valid = tables.efron_rows()
    a = np.where(valid, a, 1.0)
    b = np.where(valid, b, 0.0)
    events_1 = tables.deaths_1.sum(axis=0)
    n_groupings = a.shape[1]
    beta = np.zeros(n_groupings)
    loglik_null, score, info = binary_loglik_score_info(beta, a, b, events_1)
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
    return BinaryCoxBatch(beta, se, loglik_null, loglik, converged)
