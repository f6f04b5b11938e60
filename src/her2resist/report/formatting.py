"""Number formatting for manuscript tables: the one place p-values, CIs and estimates are shaped.

The DOCX writer, the XLSX number formats and the tests all use these helpers, so the three
table formats show the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

EN_DASH = "–"
MISSING = "–"  # shown for NA in formatted tables (an en dash, as journals print)

# Excel number formats matching format_number / format_p (display only; the cell keeps the value)
XLSX_FORMAT_INTEGER = "0"
XLSX_FORMAT_DECIMAL = "0.00"
XLSX_FORMAT_P = "0.000"


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in ("", "NA", "nan")
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_float(value: Any) -> float:
    return float(value)


def format_p(value: Any) -> str:
    """P- or q-value: ``<0.001`` below 0.001, else 3 significant digits (``0.0797``, ``0.279``)."""
    if is_missing(value):
        return MISSING
    p = _as_float(value)
    if p < 0.001:
        return "<0.001"
    if p >= 1:
        return "1.00"
    return _significant(p, 3)


def _significant(x: float, digits: int) -> str:
    """``digits`` significant digits, fixed-point (no exponent), trailing zeros kept."""
    if x == 0:
        return "0" if digits <= 1 else "0." + "0" * (digits - 1)
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(x, decimals)
    # rounding may carry into the next magnitude (0.09996 -> 0.100)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > magnitude:
        decimals = max(decimals - 1, 0)
    return f"{rounded:.{decimals}f}"


def format_number(value: Any, digits: int = 3) -> str:
    """Estimate: integers as is, other numbers to ``digits`` significant digits (no exponent)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    x = _as_float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    if abs(x) >= 10 ** (digits - 1):
        return f"{x:.0f}" if abs(x) >= 10**digits else _significant(x, digits)
    return _significant(x, digits)


def format_ci(lower: Any, upper: Any, digits: int = 3) -> str:
    """CI as ``(lo–hi)`` with an en dash; NA bounds print as ``NR`` (not reached)."""
    if is_missing(lower) and is_missing(upper):
        return MISSING
    lo = "NR" if is_missing(lower) else format_number(lower, digits)
    hi = "NR" if is_missing(upper) else format_number(upper, digits)
    return f"({lo}{EN_DASH}{hi})"


def format_estimate_ci(estimate: Any, lower: Any, upper: Any, digits: int = 3) -> str:
    """``2.23 (0.894–5.55)``; the estimate alone when there is no interval."""
    if is_missing(estimate):
        return "NR" if not (is_missing(lower) and is_missing(upper)) else MISSING
    ci = format_ci(lower, upper, digits)
    text = format_number(estimate, digits)
    return text if ci == MISSING else f"{text} {ci}"


def format_percent(value: Any) -> str:
    """Percentage to one decimal (``26.7``)."""
    if is_missing(value):
        return MISSING
    return f"{_as_float(value):.1f}"


def xlsx_number_format(column: str, value: Any) -> str | None:
    """Excel display format for a numeric cell of ``column`` (None for text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if is_p_column(column):
        return XLSX_FORMAT_P
    if float(value).is_integer():
        return XLSX_FORMAT_INTEGER
    return XLSX_FORMAT_DECIMAL


def is_p_column(column: str) -> bool:
    return column in ("q_value", "p_value", "p") or column.endswith("_p")


WATERFALL_COLUMNS = ("best_pct_change", "best_percent_change", "target_lesion_best_pct_change")


def waterfall_column(columns: Sequence[str], configured: str | None = None) -> str | None:
    """The clinical column holding best % change in target lesions, if present."""
    candidates = (configured,) if configured else WATERFALL_COLUMNS
    return next((c for c in candidates if c and c in columns), None)
