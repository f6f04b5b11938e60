"""Two-group log-rank test as R `survdiff` (rho = 0), vectorized over many groupings.

With delayed entry R's `survdiff` refuses counting-process data; the test reported then is the
score test of `coxph(Surv(entry, time, event) ~ group)` (Efron ties, information at beta = 0),
which is the log-rank test with Efron's tie handling in place of the hypergeometric variance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2

from her2resist.stats.cox import binary_loglik_score_info
from her2resist.stats.risksets import BinaryRiskTables, binary_risk_tables


@dataclass(frozen=True)
class LogRank:
    observed_1: NDArray[np.float64]
    expected_1: NDArray[np.float64]
    variance: NDArray[np.float64]
    chi2: NDArray[np.float64]
    p: NDArray[np.float64]


def logrank_from_tables(tables: BinaryRiskTables) -> LogRank:
    n, d = tables.at_risk, tables.deaths
    n1, n0 = tables.at_risk_1, tables.at_risk_0
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(n > 0, d * n1 / n, 0.0)
        # hypergeometric variance; a single subject at risk contributes nothing
        var = np.where(n > 1, n1 * n0 * d * (n - d) / (n * n * (n - 1.0)), 0.0)
    observed_1 = tables.deaths_1.sum(axis=0)
    expected_1 = expected.sum(axis=0)
    variance = var.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(variance > 0, (observed_1 - expected_1) ** 2 / variance, np.nan)
    return LogRank(observed_1, expected_1, variance, stat, chi2.sf(stat, 1))


def logrank_test(time: ArrayLike, event: ArrayLike, groups: ArrayLike) -> LogRank:
    """groups: (n,) or (n, B) of 1/0 (NaN = excluded); returns arrays of length B."""
    return logrank_from_tables(binary_risk_tables(time, event, groups))


def cox_score_test_from_tables(tables: BinaryRiskTables) -> LogRank:
    """R `summary(coxph(...))$sctest` for a 0/1 group, per grouping column."""
    a, b, valid = tables.efron_rows()
    a, b = np.where(valid, a, 1.0), np.where(valid, b, 0.0)
    observed_1 = tables.deaths_1.sum(axis=0)
    _, score, info = binary_loglik_score_info(np.zeros(a.shape[1]), a, b, observed_1)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(info > 0, score**2 / info, np.nan)
    return LogRank(observed_1, observed_1 - score, info, stat, chi2.sf(stat, 1))
