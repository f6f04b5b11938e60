"""Multiple-testing adjustment."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def benjamini_hochberg(p_values: ArrayLike) -> NDArray[np.float64]:
    """R p.adjust(p, "BH") over the non-missing p-values; NaN stays NaN (untested rows)."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    if m == 0:
        return q
    pt = p[tested]
    order = np.argsort(pt)[::-1]  # largest first
    ranks = np.arange(m, 0, -1)
    adjusted = np.minimum.accumulate(pt[order] * m / ranks)
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    q[tested] = out
    return q
