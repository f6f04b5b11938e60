"""Binary-response statistics matching R: Clopper–Pearson CI (`binom.test`), Fisher's exact
test (scipy's p) with R's conditional maximum-likelihood odds ratio and exact CI (`fisher.test`),
and logistic regression (statsmodels)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta, fisher_exact, hypergeom
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

from her2resist.stats.rootfind import r_uniroot

_DOUBLE_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Proportion:
    successes: int
    n: int
    rate: float
    lcl: float
    ucl: float


def clopper_pearson(successes: int, n: int, conf_level: float = 0.95) -> Proportion:
    """Exact binomial CI as R binom.test(x, n)$conf.int."""
    if n <= 0:
        return Proportion(successes, n, float("nan"), float("nan"), float("nan"))
    # the beta quantiles binom.test takes (scipy's binomtest(...).proportion_ci gives the same
    # by root finding, 25x slower)
    alpha = (1.0 - conf_level) / 2.0
    lcl = 0.0 if successes == 0 else float(beta.ppf(alpha, successes, n - successes + 1))
    ucl = 1.0 if successes == n else float(beta.ppf(1.0 - alpha, successes + 1, n - successes))
    return Proportion(successes, n, successes / n, lcl, ucl)


@dataclass(frozen=True)
class FisherResult:
    """Two-sided Fisher test of the 2x2 table [[a, b], [c, d]] (rows: groups, cols: yes/no).

    odds_ratio is R's conditional MLE: 0 or inf when the observed cell is at the edge of its
    support (a zero cell, "separation"); the CI then has an exact 0 / inf side."""

    p_value: float
    odds_ratio: float
    lcl: float
    ucl: float


class _NoncentralHypergeometric:
    """R fisher.test's dnhyper/mnhyper/pnhyper for the first cell of a 2x2 table."""

    def __init__(self, a: int, b: int, c: int, d: int) -> None:
        self.m = a + c  # first column total ("white balls")
        self.n = b + d
        self.k = a + b  # first row total (draws)
        self.x = a
        self.lo = max(0, self.k - self.n)
        self.hi = min(self.k, self.m)
        self.support = np.arange(self.lo, self.hi + 1)
        self.log_dc = hypergeom.logpmf(self.support, self.m + self.n, self.m, self.k)

    def density(self, ncp: float) -> np.ndarray:
        d = self.log_dc + np.log(ncp) * self.support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(self, ncp: float) -> float:
        if ncp == 0:
            return float(self.lo)
        if ncp == np.inf:
            return float(self.hi)
        return float((self.support * self.density(ncp)).sum())

    def cdf(self, q: int, ncp: float, upper_tail: bool = False) -> float:
        if ncp == 1:
            if upper_tail:
                return float(hypergeom.sf(self.x - 1, self.m + self.n, self.m, self.k))
            return float(hypergeom.cdf(self.x, self.m + self.n, self.m, self.k))
        if ncp == 0:
            return float(q <= self.lo if upper_tail else q >= self.lo)
        if ncp == np.inf:
            return float(q <= self.hi if upper_tail else q >= self.hi)
        mask = self.support >= q if upper_tail else self.support <= q
        return float(self.density(ncp)[mask].sum())


def fisher_exact_r(a: int, b: int, c: int, d: int, conf_level: float = 0.95) -> FisherResult:
    """R fisher.test(matrix(c(a, c, b, d), 2)) for a 2x2 table, two-sided.

    Uses R's root finder and tolerances so estimate and CI agree with R to ~1e-10 rather than
    to uniroot's 1e-4 tolerance (scipy's conditional odds ratio solves to full precision)."""
    h = _NoncentralHypergeometric(a, b, c, d)
    x, lo, hi = h.x, h.lo, h.hi
    if lo == hi:  # a zero margin: only one table is possible
        return FisherResult(1.0, float("nan"), float("nan"), float("nan"))
    p_value = float(fisher_exact([[a, b], [c, d]]).pvalue)  # R's relative tolerance, 1e-7

    alpha = (1.0 - conf_level) / 2.0
    inf = float("inf")
    mle = 0.0 if x == lo else inf if x == hi else _odds_ratio_root(lambda t: h.mean(t) - x, True)
    lcl = 0.0 if x == lo else _odds_ratio_root(lambda t: h.cdf(x, t, True) - alpha, True)
    ucl = inf if x == hi else _odds_ratio_root(lambda t: h.cdf(x, t) - alpha, False)
    return FisherResult(p_value, mle, lcl, ucl)


def _odds_ratio_root(f: Callable[[float], float], increasing: bool) -> float:
    """R fisher.test's search for f(t) = 0: uniroot over (0, 1) when the root is below 1, else
    over 1/t in (eps, 1), so its iterates (and answers, to uniroot's tolerance) are R's."""
    at_one = f(1.0)
    if at_one == 0.0:
        return 1.0
    if (at_one > 0.0) == increasing:
        return r_uniroot(f, 0.0, 1.0)
    return 1.0 / r_uniroot(lambda t: f(1.0 / t), _DOUBLE_EPS, 1.0)


@dataclass(frozen=True)
class LogisticResult:
    odds_ratio: float
    lcl: float
    ucl: float
    p_value: float
    method: str


def logistic_2x2(a: int, b: int, c: int, d: int, conf_level: float = 0.95) -> LogisticResult:
    """Logistic regression of response on one binary biomarker (statsmodels GLM, binomial),
    fitted on its 2x2 table as four frequency-weighted rows.

    ``a``/``b``: responders / non-responders among altered; ``c``/``d`` among wild type.
    When a cell is empty (separation) the ML estimate is infinite or zero; the Firth-penalized
    estimate is then used, which for this saturated model is exactly the fit with 0.5 added to
    every cell (Jeffreys prior on each group's logit), with its Wald interval.
    """
    cells = np.array([a, b, c, d], dtype=float)
    method = "logistic"
    if (cells == 0).any():
        cells = cells + 0.5
        method = "logistic_firth"
    responded = [1.0, 0.0, 1.0, 0.0]
    intercept_altered = [[1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [1.0, 0.0]]
    fit = GLM(responded, intercept_altered, family=Binomial(), freq_weights=cells).fit(tol=1e-12)
    lcl, ucl = np.exp(fit.conf_int(alpha=1.0 - conf_level)[1])
    return LogisticResult(
        float(np.exp(fit.params[1])), float(lcl), float(ucl), float(fit.pvalues[1]), method
    )
