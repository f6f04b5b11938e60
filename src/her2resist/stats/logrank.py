"""Two-group log-rank test as R `survdiff` (rho = 0), vectorized over many groupings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2

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
