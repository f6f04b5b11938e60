"""Kaplan–Meier estimate (statsmodels), median with CI and landmark rates as R `survfit`.

The product-limit curve and Greenwood SE come from statsmodels `SurvfuncRight`; R conventions
added here (survival 3.x), because statsmodels has none of them (its `quantile_ci(method="log")`
takes the last time inside the band, `quantile(fit)`'s later crossing):
- curve at every distinct exit time (events and censorings), Greenwood standard error of log S;
- delayed entry (left truncation, R `Surv(entry, time, event)`): a subject is at risk at t only
  if entry < t <= time, so the risk set may shrink to nothing and fill again;
- conf.type="log": exp(log S ± z·se), upper bound capped at 1, bounds undefined once S = 0;
- median and its CI as `print(fit)` / `summary(fit)$table` report them (survival's `survmean`,
  also survminer's `surv_median`): the first time the curve, the lower or the upper confidence
  curve is at or below 0.5, the midpoint rule when it sits exactly at 0.5 and drops later.
  The upper band is not monotone (S falls little while the standard error grows), so "first"
  matters: `quantile(fit)` searches the band differently and can report a later crossing;
- landmark rates by `summary(fit, times=)`: step function value at the landmark, no value past
  the last observed time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight

from her2resist.stats.risksets import checked_entry

# R's tolerance for "the curve is exactly at 0.5" (sqrt(.Machine$double.eps)).
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
        # every subject leaves once (event or censoring); with delayed entry n_risk[0] is not n
        return int(self.n_event.sum() + self.n_censor.sum())


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


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike,
    conf_level: float = 0.95,
    entry: ArrayLike | None = None,
) -> KaplanMeier:
    """Kaplan–Meier curve (statsmodels `SurvfuncRight`) at every distinct exit time, with R's
    log-transformed Greenwood band.

    `entry`: delayed-entry times (R `Surv(entry, time, event)`); each must be below its time."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    if t.shape != e.shape:
        raise ValueError("time and event must have the same length")
    if np.isnan(t).any() or np.isnan(e).any():
        raise ValueError("time and event must not contain NaN; exclude non-evaluable patients")
    start = None if entry is None else checked_entry(entry, t)
    # statsmodels, like R, counts a subject at risk at t when entry < t <= time
    fit = SurvfuncRight(t, e, entry=start)
    unique_time, inverse = np.unique(t, return_inverse=True)
    n_event = np.bincount(inverse, weights=e, minlength=unique_time.size)
    n_censor = np.bincount(inverse, minlength=unique_time.size) - n_event
    n_risk = np.cumsum((n_event + n_censor)[::-1])[::-1]
    if start is not None:
        n_risk = n_risk - (start.size - np.searchsorted(np.sort(start), unique_time, "left"))
    # the library reports the event times only; between them the curve is flat (R reports
    # every exit time, censorings included)
    last_event = np.searchsorted(fit.surv_times, unique_time, side="right")
    surv = np.r_[1.0, fit.surv_prob][last_event]
    with np.errstate(divide="ignore", invalid="ignore"):
        # R's std.err is the SE of log S (statsmodels gives that of S); infinite once S = 0
        std_err = np.where(surv > 0, np.r_[0.0, fit.surv_prob_se][last_event] / surv, np.inf)
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


def first_time_at_or_below(
    time: NDArray[np.float64], curve: NDArray[np.float64], p: float = 0.5
) -> float:
    """R survival:::survmean's `minmin`: the first time the curve is at or below p.

    When it sits exactly at p (within R's tolerance) and falls below later, the midpoint of that
    time and the first time below it. NaN points (the bands once S = 0) are skipped."""
    keep = ~np.isnan(curve) & (curve < p + QUANTILE_TOLERANCE)
    if not keep.any():
        return float("nan")
    x, y = time[keep], curve[keep]
    if abs(y[0] - p) < QUANTILE_TOLERANCE:
        below = np.flatnonzero(y < y[0])
        if below.size:
            return float((x[0] + x[below[0]]) / 2.0)
    return float(x[0])


def median_survival(km: KaplanMeier, p: float = 0.5) -> Median:
    """Median (or other quantile) with CI as R print(survfit) reports them."""
    return Median(
        first_time_at_or_below(km.time, km.surv, p),
        first_time_at_or_below(km.time, km.lower, p),
        first_time_at_or_below(km.time, km.upper, p),
    )


def landmark_rates(km: KaplanMeier, times: ArrayLike) -> list[LandmarkRate]:
    """Survival at landmark times as R summary(fit, times=); NaN past the last observed time."""
    # before the first observed time the curve and its band are 1
    surv, lower, upper = (np.r_[1.0, values] for values in (km.surv, km.lower, km.upper))
    out = []
    last_time = km.time[-1] if km.time.size else -np.inf
    for t in np.atleast_1d(np.asarray(times, dtype=float)):
        if t > last_time:
            out.append(LandmarkRate(float(t), *(float("nan"),) * 4))
            continue
        j = int(np.searchsorted(km.time, t, side="right"))  # last time <= t, in surv
        # n.risk reported at the first observed time >= t
        k = int(np.searchsorted(km.time, t, side="left"))
        n_risk = float(km.n_risk[k]) if k < km.time.size else 0.0
        out.append(LandmarkRate(float(t), float(surv[j]), float(lower[j]), float(upper[j]), n_risk))
    return out
