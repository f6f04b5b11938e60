"""Brent's root finder with R `uniroot` semantics.

R's fisher.test finds the conditional MLE odds ratio and its exact CI with `uniroot` at R's default
tolerance (.Machine$double.eps^0.25 ≈ 1.2e-4). Its answers therefore depend on Brent's iterates,
not only on the exact root, and agreement with R to 1e-6 needs the same iterates. This follows the
Forsythe–Malcolm–Moler `zeroin` algorithm that R's uniroot calls (R_zeroin2: f(lower) and f(upper)
given up front, at most maxiter evaluations).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

R_UNIROOT_TOLERANCE = float(np.finfo(float).eps ** 0.25)
_EPSILON = float(np.finfo(float).eps)


def r_uniroot(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    tol: float = R_UNIROOT_TOLERANCE,
    maxiter: int = 1000,
) -> float:
    """Root of f in [lower, upper] exactly as R's uniroot(f, c(lower, upper))$root."""
    a, b = lower, upper
    fa, fb = f(a), f(b)
    if fa * fb > 0:
        raise ValueError("f() values at end points not of opposite sign")
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:  # two distinct points: secant step
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:  # inverse quadratic interpolation
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b
