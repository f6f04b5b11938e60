"""Kaplan–Meier estimate, median with CI and landmark rates, matching R `survfit` defaults.

R conventions reproduced (survival 3.x):
- curve at every distinct time (events and censorings), Greenwood standard error of log S;
- conf.type="log": exp(log S ± z·se), upper bound capped at 1, bounds undefined once S = 0;
- median and its CI by `quantile.survfit`: the time where 1 - curve first reaches 0.5, the
  midpoint rule when the curve is flat at exactly 0.5, and the CI from the same rule applied to
  the lower and upper confidence curves (Brookmeyer–Crowley style band crossing);
- landmark rates by `summary(fit, times=)`: step function value at the landmark, no value past
  the last observed time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

# R's quantile.survfit tolerance for "the curve is exactly at p" (sqrt(.Machine$double.eps)).
QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(float).eps))


@dataclass(frozen=True)
class KaplanMeier:
    """Product-limit curve at each distinct observed time (as R's survfit object)."""

    time: NDArray[np.float64]
    n_risk: NDArray[np.float64]
    n_event: NDArray[np.float64]
    n_censor: NDArray[np.float64]
    surv: NDArray[np.float64]
    std_err: NDArray[np.float64]  # Greenwood standard error of log S (R's `std.err`)
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]

    @property
    def n(self) -> int:
        return int(self.n_risk[0]) if self.n_risk.size else 0

    @property
    def events(self) -> int:
        return int(self.n_event.sum())


@dataclass(frozen=True)
class Median:
    estimate: float
    lcl: float
    ucl: float


@dataclass(frozen=True)
class LandmarkRate:
    time: float
    surv: float
    lcl: float
    ucl: float
    n_risk: float


def kaplan_meier(time: ArrayLike, event: ArrayLike, conf_level: float = 0.95) -> KaplanMeier:
    """Kaplan–Meier curve with log-transformed Greenwood confidence band (R survfit default)."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    if t.shape != e.shape:
        raise ValueError("time and event must have the same length")
    if np.isnan(t).any() or np.isnan(e).any():
        raise ValueError("time and event must not contain NaN; exclude non-evaluable patients")
    unique_time, inverse = np.unique(t, return_inverse=True)
    n_event = np.bincount(inverse, weights=e, minlength=unique_time.size)
    n_total = np.bincount(inverse, minlength=unique_time.size).astype(float)
    n_censor = n_total - n_event
    # number at risk = everyone whose time is >= this time (reverse cumulative count)
    n_risk = np.cumsum(n_total[::-1])[::-1]
    surv = np.cumprod(1.0 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood_terms = n_event / (n_risk * (n_risk - n_event))
    # n_risk == n_event gives d/0 = inf once S drops to 0, as in R
    greenwood_terms = np.where(n_event == 0, 0.0, greenwood_terms)
    std_err = np.sqrt(np.cumsum(greenwood_terms))
    lower, upper = log_confidence_band(surv, std_err, conf_level)
    return KaplanMeier(unique_time, n_risk, n_event, n_censor, surv, std_err, lower, upper)


def log_confidence_band(
    surv: NDArray[np.float64], std_err: NDArray[np.float64], conf_level: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """R survfit_confint(conf.type="log"): undefined where S = 0, upper capped at 1."""
    z = norm.ppf(1.0 - (1.0 - conf_level) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.where(surv > 0, np.log(np.where(surv > 0, surv, 1.0)), np.nan)
        lower = np.exp(log_s - z * std_err)
        upper = np.minimum(np.exp(log_s + z * std_err), 1.0)
    return lower, upper


def _approx_constant_right(knots: NDArray[np.float64], values: NDArray[np.int64], p: float) -> int:
    """R approx(knots, values, p, method="constant", f=1, rule=1) for increasing knots.

    Returns -1 where R gives NA (p outside the knots)."""
    if knots.size == 0 or p < knots[0] or p > knots[-1]:
        return -1
    j = int(np.searchsorted(knots, p, side="left"))
    # exact hit returns the knot's own value, otherwise the value on the right (f = 1)
    return int(values[j])


def find_quantile_time(
    time: NDArray[np.float64],
    curve: NDArray[np.float64],
    p: float,
    first_time: float = 0.0,
    tol: float = QUANTILE_TOLERANCE,
) -> float:
    """R survival:::findq applied to (c(first_time, time), c(0, 1 - curve)).

    NaN points of the curve (CI bands after S reaches 0) are dropped as R's approx does."""
    x = np.concatenate([[first_time], time])
    y = np.concatenate([[0.0], 1.0 - curve])
    finite_y = y[~np.isnan(y)]
    if finite_y.size == 0 or finite_y.max() < p:
        return float("nan")
    x_max = x[-1]
    # drop repeated y values (censoring times) keeping the first; NaNs count as equal to each other
    # (1 - curve is non-decreasing with a NaN tail, so duplicates are always adjacent)
    is_nan = np.isnan(y)
    same_as_previous = (y[1:] == y[:-1]) | (is_nan[1:] & is_nan[:-1])
    keep = np.concatenate([[True], ~same_as_previous])
    x, y = x[keep], y[keep]
    positions = np.arange(y.size)
    defined = ~np.isnan(y)
    knots, idx = y[defined], positions[defined]
    order = np.argsort(knots, kind="stable")
    knots, idx = knots[order], idx[order]
    if p == 0:
        return float(x[0])
    i1 = _approx_constant_right(knots + tol, idx, p)
    i2 = _approx_constant_right(knots - tol, idx, p)
    if not np.isnan(y[-1]) and abs(p - y[-1]) < tol:
        # curve ends flat exactly at p: midpoint between the drop and the last follow-up
        return float("nan") if i1 < 0 else float((x[i1] + x_max) / 2.0)
    if i1 < 0 or i2 < 0:
        return float("nan")
    return float((x[i1] + x[i2]) / 2.0)


def median_survival(km: KaplanMeier, p: float = 0.5) -> Median:
    """Median (or other quantile) with CI as R quantile.survfit(fit, 0.5)."""
    if km.time.size == 0:
        return Median(float("nan"), float("nan"), float("nan"))
    estimate = find_quantile_time(km.time, km.surv, p)
    # 1 - lower reaches p first, so the lower confidence curve gives the lower limit (R doquant)
    lcl = find_quantile_time(km.time, km.lower, p)
    ucl = find_quantile_time(km.time, km.upper, p)
    return Median(estimate, lcl, ucl)


def landmark_rates(km: KaplanMeier, times: ArrayLike) -> list[LandmarkRate]:
    """Survival at landmark times as R summary(fit, times=); NaN past the last observed time."""
    out = []
    last_time = km.time[-1] if km.time.size else -np.inf
    for t in np.atleast_1d(np.asarray(times, dtype=float)):
        if t > last_time:
            out.append(LandmarkRate(float(t), *(float("nan"),) * 4))
            continue
        j = int(np.searchsorted(km.time, t, side="right")) - 1  # last time <= t
        # n.risk reported at the first observed time >= t
        k = int(np.searchsorted(km.time, t, side="left"))
        n_risk = float(km.n_risk[k]) if k < km.time.size else 0.0
        if j < 0:
            out.append(LandmarkRate(float(t), 1.0, 1.0, 1.0, n_risk))
        else:
            out.append(
                LandmarkRate(
                    float(t), float(km.surv[j]), float(km.lower[j]), float(km.upper[j]), n_risk
                )
            )
    return out
