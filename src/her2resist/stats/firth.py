"""Firth-penalized Cox regression (Heinze & Schemper 2001) for monotone likelihoods.

When one group has no events the ordinary partial likelihood keeps increasing as the hazard
ratio goes to 0 or infinity, so the "estimate" is an artefact of the stopping rule. Firth's
penalty 0.5·log|I(beta)| makes the maximum finite; CIs come from the profile penalized
likelihood (Wald intervals are unreliable here) and the p-value from the penalized
likelihood-ratio test, as in the coxphf package. Efron ties, like the unpenalized fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq
from scipy.stats import chi2

from her2resist.stats.risksets import BinaryRiskTables, at_risk_sums, checked_entry

MAX_ITER = 100
STEP_TOLERANCE = 1e-10
# search range for profile CI limits on the log-HR scale (HR from ~1e-13 to ~1e13)
PROFILE_LIMIT = 30.0


@dataclass(frozen=True)
class FirthFit:
    coef: NDArray[np.float64]
    lcl: NDArray[np.float64]  # profile penalized-likelihood limits on the log scale
    ucl: NDArray[np.float64]
    p_value: NDArray[np.float64]  # penalized likelihood-ratio test of each coefficient = 0
    converged: bool


@dataclass(frozen=True)
class EfronTerms:
    """Efron-row sums of w, w·x, w·x·x' and w·x⊗x⊗x at a given beta."""

    s0: NDArray[np.float64]  # (R,)
    s1: NDArray[np.float64]  # (R, p)
    s2: NDArray[np.float64]  # (R, p, p)
    s3: NDArray[np.float64]  # (R, p, p, p)
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
        self.x = xm[order] - xm.mean(axis=0)
        self.p = self.x.shape[1]
        unique_time, first = np.unique(self.time, return_index=True)
        deaths = np.add.reduceat(self.event, first)
        self.has_event = deaths > 0
        self.first = first
        self.event_times = unique_time[self.has_event]
        d = deaths[self.has_event].astype(int)
        self.row_time = np.repeat(np.arange(d.size), d)
        self.row_fraction = (
            np.concatenate([np.arange(k) / k for k in d]) if d.size else np.array([])
        )
        self.entry = None if entry is None else checked_entry(entry, t)[order]

    def terms(self, beta: NDArray[np.float64]) -> EfronTerms:
        eta = self.x @ beta
        w = np.exp(eta)
        x = self.x
        outer = x[:, :, None] * x[:, None, :]
        third = outer[:, :, :, None] * x[:, None, None, :]
        cols = [w, w[:, None] * x, w[:, None, None] * outer, w[:, None, None, None] * third]
        dead = self.event > 0
        f = self.row_fraction
        rows = []
        for c in cols:
            shape = (-1,) + (1,) * (c.ndim - 1)
            risk = at_risk_sums(c, self.time, self.event_times, self.entry)
            dead_c = np.where(dead.reshape(shape), c, 0.0)
            tied = np.add.reduceat(dead_c, self.first, axis=0)[self.has_event]
            rows.append(risk[self.row_time] - f.reshape(shape) * tied[self.row_time])
        return EfronTerms(*rows, float(eta[dead].sum()), x[dead].sum(axis=0))


def is_monotone_binary(tables: BinaryRiskTables) -> NDArray[np.bool_]:
    """Per grouping: does the partial likelihood of a 0/1 covariate have no finite maximum?

    It is monotone increasing in beta when no wild-type patient dies while an altered patient is
    at risk (every death is in the highest-x subject), decreasing in the mirror case; a group
    without events is the usual cause."""
    wt_death_vs_altered = ((tables.deaths_0 > 0) & (tables.at_risk_1 > 0)).any(axis=0)
    altered_death_vs_wt = ((tables.deaths_1 > 0) & (tables.at_risk_0 > 0)).any(axis=0)
    return ~wt_death_vs_altered | ~altered_death_vs_wt


class _PenalizedCox:
    def __init__(self, design: EfronDesign) -> None:
        self.design = design

    def value_score_info(
        self, beta: NDArray[np.float64]
    ) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
        t = self.design.terms(beta)
        s0 = t.s0
        m1 = t.s1 / s0[:, None]
        m2 = t.s2 / s0[:, None, None]
        m3 = t.s3 / s0[:, None, None, None]
        loglik = t.sum_event_eta - float(np.log(s0).sum())
        score = t.sum_event_x - m1.sum(axis=0)
        info = (m2 - m1[:, :, None] * m1[:, None, :]).sum(axis=0)
        # third cumulant of x under the risk-set weights = derivative of the information
        k3 = (
            m3
            - m2[:, :, :, None] * m1[:, None, None, :]
            - m2[:, :, None, :] * m1[:, None, :, None]
            - m2[:, None, :, :] * m1[:, :, None, None]
            + 2 * m1[:, :, None, None] * m1[:, None, :, None] * m1[:, None, None, :]
        ).sum(axis=0)
        sign, logdet = np.linalg.slogdet(info)
        if sign <= 0:
            return -np.inf, score, info
        inv = np.linalg.inv(info)
        penalty_gradient = 0.5 * np.einsum("ab,bac->c", inv, k3)
        return loglik + 0.5 * logdet, score + penalty_gradient, info

    def maximize(
        self, start: NDArray[np.float64], free: NDArray[np.bool_]
    ) -> tuple[NDArray[np.float64], float, bool]:
        """Maximize the penalized loglik over the `free` coefficients (others held fixed)."""
        beta = start.copy()
        value, score, info = self.value_score_info(beta)
        if not free.any():
            return beta, value, True
        for _ in range(MAX_ITER):
            idx = np.flatnonzero(free)
            step = np.zeros_like(beta)
            step[idx] = np.linalg.solve(info[np.ix_(idx, idx)], score[idx])
            # keep single Newton steps moderate: the penalized surface is flat far out
            largest = np.max(np.abs(step))
            if largest > 5.0:
                step *= 5.0 / largest
            new_value, new_score, new_info = self.value_score_info(beta + step)
            halvings = 0
            while (not np.isfinite(new_value) or new_value < value - 1e-12) and halvings < 40:
                step /= 2.0
                new_value, new_score, new_info = self.value_score_info(beta + step)
                halvings += 1
            beta = beta + step
            value, score, info = new_value, new_score, new_info
            if np.max(np.abs(step)) < STEP_TOLERANCE:
                return beta, value, True
        return beta, value, False


def firth_cox_fit(
    time: ArrayLike,
    event: ArrayLike,
    x: ArrayLike,
    conf_level: float = 0.95,
    entry: ArrayLike | None = None,
) -> FirthFit:
    """Firth-penalized Cox fit with profile penalized-likelihood CIs for every coefficient
    (`entry`: delayed-entry times; the penalty uses the same left-truncated risk sets)."""
    design = EfronDesign(time, event, x, entry)
    model = _PenalizedCox(design)
    p = design.p
    all_free = np.ones(p, dtype=bool)
    beta_hat, max_value, converged = model.maximize(np.zeros(p), all_free)
    drop = chi2.ppf(conf_level, 1) / 2.0
    lcl, ucl, p_values = np.full(p, np.nan), np.full(p, np.nan), np.full(p, np.nan)
    for j in range(p):
        free = all_free.copy()
        free[j] = False

        def profile(b: float, j: int = j, free: NDArray[np.bool_] = free) -> float:
            start = beta_hat.copy()
            start[j] = b
            return model.maximize(start, free)[1]

        value_at_zero = profile(0.0)
        p_values[j] = chi2.sf(max(2.0 * (max_value - value_at_zero), 0.0), 1)

        def gap(b: float, profile: Callable[[float], float] = profile) -> float:
            return profile(b) - (max_value - drop)

        lcl[j] = _find_limit(gap, beta_hat[j], -1.0)
        ucl[j] = _find_limit(gap, beta_hat[j], +1.0)
    return FirthFit(beta_hat, lcl, ucl, p_values, converged)


def _find_limit(gap: Callable[[float], float], centre: float, direction: float) -> float:
    """Where the profile drops by chi2/2, searching outward from the estimate."""
    step = 0.5
    inner = centre
    while abs(inner - centre) < PROFILE_LIMIT:
        outer = centre + direction * step
        if gap(outer) < 0:
            lo_b, hi_b = sorted((inner, outer))
            return float(brentq(gap, lo_b, hi_b, xtol=1e-10, rtol=1e-12))
        inner = outer
        step *= 2.0
    # no finite limit in range: the penalized profile stays high (report as unbounded)
    return float(direction * np.inf)
