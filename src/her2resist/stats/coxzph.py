"""Proportional-hazards score test as R `cox.zph` (survival >= 3.0, transform="km").

For a Cox fit with covariate x and coefficient beta, cox.zph adds x·g(t) and computes the score
test for its coefficient at (beta_hat, 0), with g(t) = 1 - KM(t-) centred over the deaths. This
module does this for a single 0/1 covariate, vectorized over groupings (as in survival's zph1.c,
Efron ties)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

from her2resist.stats.risksets import BinaryRiskTables


def km_time_transform(tables: BinaryRiskTables) -> NDArray[np.float64]:
    """g(t) before centring: 1 - left-continuous KM of the analysed patients, per event time."""
    n, d = tables.at_risk, tables.deaths
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1.0 - d / np.where(n > 0, n, 1.0), 1.0)
    surv_after = np.cumprod(factor, axis=0)
    surv_before = np.vstack([np.ones((1, n.shape[1])), surv_after[:-1]])
    return 1.0 - surv_before


def cox_zph_binary_batch(
    tables: BinaryRiskTables, coef: NDArray[np.float64]
) -> NDArray[np.float64]:
    """p-values of the cox.zph test (the covariate row, equal to GLOBAL with one covariate)."""
    d = tables.deaths
    transform = km_time_transform(tables)
    total_deaths = d.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (transform * d).sum(axis=0) / total_deaths
    g = transform - centre  # (U, B)
    a, b = tables.efron_rows()
    b_eb = b * np.exp(coef)
    mean = b_eb / (a + b_eb)  # 0 on rows absent for a grouping
    variance = mean * (1.0 - mean)  # a 0/1 covariate: E[x^2] = E[x]
    g_rows = g[tables.row_time_index]
    score_time = (g * tables.deaths_1).sum(axis=0) - (g_rows * mean).sum(axis=0)
    i_bb = variance.sum(axis=0)
    i_bg = (g_rows * variance).sum(axis=0)
    i_gg = (g_rows * g_rows * variance).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = score_time**2 / (i_gg - i_bg**2 / i_bb)
    return chi2.sf(statistic, 1)
