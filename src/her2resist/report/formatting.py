"""Number formatting for manuscript tables: the one place p-values, CIs and estimates are shaped.

The rounding policy (docs/report.md), used by the table layout, the figures and the tests:

* p- and q-values: 2 significant digits (``0.080``, ``0.28``), ``<0.001`` below 0.001;
* estimates (medians, hazard and odds ratios, CI bounds): 2 decimals from 1 up (``7.59``,
  ``12.41``), 3 significant digits below 1 (``0.894``, ``0.0456``); integers as integers;
* percentages: 1 decimal (``26.7``);
* ``NR`` for a confidence bound (or median) not reached, an en dash for a missing value.

TSV files keep full precision; these helpers decide only what XLSX and DOCX show.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

EN_DASH = "–"
MISSING = "–"  # shown for NA in formatted tables (an en dash, as journals print)
NOT_REACHED = "NR"
P_DIGITS = 2
SMALL_ESTIMATE_DIGITS = 3
ESTIMATE_DECIMALS = 2


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in ("", "NA", "nan")
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_p(value: Any) -> str:
    """P- or q-value: ``<0.001`` below 0.001, else 2 significant digits (``0.080``, ``0.28``)."""
    if is_missing(value):
        return MISSING
    p = float(value)
    if p < 0.001:
        return "<0.001"
    return _significant(min(p, 1.0), P_DIGITS)


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


def format_number(value: Any) -> str:
    """Estimate: integers as is, 2 decimals from 1 up, 3 significant digits below 1."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return _decimal(x)


def _decimal(x: float) -> str:
    """A non-integer estimate: 2 decimals from 1 up, 3 significant digits below 1."""
    if abs(x) >= 1 or round(abs(x), ESTIMATE_DECIMALS) >= 1:
        return f"{x:.{ESTIMATE_DECIMALS}f}"
    return _significant(x, SMALL_ESTIMATE_DIGITS)


def format_ci(lower: Any, upper: Any, number: Callable[[Any], str] = format_number) -> str:
    """CI as ``(lo–hi)`` with an en dash; NA bounds print as ``NR`` (not reached)."""
    if is_missing(lower) and is_missing(upper):
        return MISSING
    lo = NOT_REACHED if is_missing(lower) else number(lower)
    hi = NOT_REACHED if is_missing(upper) else number(upper)
    return f"({lo}{EN_DASH}{hi})"


def format_estimate_ci(
    estimate: Any, lower: Any, upper: Any, number: Callable[[Any], str] = format_number
) -> str:
    """``2.23 (0.894–5.55)``; the estimate alone when there is no interval; ``NR`` for an
    estimate not reached whose interval exists."""
    if is_missing(estimate):
        return NOT_REACHED if not (is_missing(lower) and is_missing(upper)) else MISSING
    if number is format_number:
        number = _consistent(estimate, lower, upper)
    ci = format_ci(lower, upper, number)
    text = number(estimate)
    return text if ci == MISSING else f"{text} {ci}"


def format_percent(value: Any) -> str:
    """Percentage to one decimal (``26.7``)."""
    if is_missing(value):
        return MISSING
    return f"{float(value):.1f}"


def _text(value: Any) -> str:
    if isinstance(value, bool) or value in ("True", "False"):
        return "Yes" if value in (True, "True") else "No"
    return "" if is_missing(value) else str(value)


def _n_percent(n: Any, percent: Any) -> str:
    if is_missing(n):
        return MISSING
    if is_missing(percent):
        return format_number(n)
    return f"{format_number(n)} ({format_percent(percent)})"


def _range(centre: Any, lower: Any, upper: Any) -> str:
    """``52 (47–58)``, or with decimals on all three when one needs them
    (``51.50 (45.75–52.50)``, not ``51.50 (46–52.50)``)."""
    if is_missing(centre):
        return MISSING
    number = _consistent(centre, lower, upper)
    return f"{number(centre)} {format_ci(lower, upper, number)}"


def _consistent(*values: Any) -> Callable[[Any], str]:
    """Integers as integers only when every number of the cell is one: ``5.52 (1.20–5.00)``,
    not ``5.52 (1.20–5)``."""
    known = [float(v) for v in values if not is_missing(v) and not isinstance(v, str)]
    return format_number if all(v.is_integer() for v in known) else _decimal_of


def _decimal_of(value: Any) -> str:
    return _decimal(float(value))


def _median_pair(a: Any, b: Any, n_a: Any, n_b: Any) -> str:
    def one(median: Any, n: Any) -> str:
        if is_missing(n) or float(n) == 0:
            return MISSING
        return NOT_REACHED if is_missing(median) else format_number(median)

    return f"{one(a, n_a)}/{one(b, n_b)}"


def _median_ci(median: Any, lower: Any, upper: Any, n: Any) -> str:
    """A Kaplan-Meier median of a group: ``–`` for an empty group, ``NR`` (with its CI) when
    the curve never falls to 0.5."""
    if is_missing(n) or float(n) == 0:
        return MISSING
    if is_missing(median):
        ci = format_ci(lower, upper)
        return NOT_REACHED if ci == MISSING else f"{NOT_REACHED} {ci}"
    return format_estimate_ci(median, lower, upper)


# kind -> (roles read from the row, formatter). A table cell is one kind applied to its roles.
CELL_KINDS: dict[str, tuple[tuple[str, ...], Callable[..., str]]] = {
    "": ((), lambda: ""),
    "none": ((), lambda: ""),  # a statistic that does not apply to this column
    "text": (("value",), _text),
    "number": (("value",), format_number),
    "n": (("n",), format_number),
    "p": (("value",), format_p),
    "percent": (("percent",), format_percent),
    "n_percent": (("n", "percent"), _n_percent),
    "n_percent_ci": (
        ("n", "percent", "lcl", "ucl"),
        lambda n, pct, lo, hi: (
            MISSING
            if is_missing(n)
            else f"{_n_percent(n, pct)} [{format_ci(lo, hi, format_percent)[1:-1]}]"
        ),
    ),
    "percent_ci": (
        ("percent", "lcl", "ucl"),
        lambda pct, lo, hi: format_estimate_ci(pct, lo, hi, format_percent),
    ),
    "estimate_ci": (("estimate", "lcl", "ucl"), format_estimate_ci),
    "median_ci": (("estimate", "lcl", "ucl", "n"), _median_ci),
    "median_iqr": (("median", "q1", "q3"), _range),
    "median_range": (("median", "min", "max"), _range),
    "pair": (
        ("a", "b"),
        lambda a, b: (
            MISSING if is_missing(a) and is_missing(b) else f"{format_number(a)}/{format_number(b)}"
        ),
    ),
    "median_pair": (("a", "b", "n_a", "n_b"), _median_pair),
}


def format_cell(kind: str, row: Mapping[str, Any], source: Callable[[str], str]) -> str:
    """The text of one table cell of ``kind``; ``source(role)`` names the ``row`` column that
    holds a role (``estimate``, ``lcl``, ...; missing columns give None). Kind ``""`` is an
    empty cell (a row heading, or a statistic that does not apply to that column)."""
    if kind not in CELL_KINDS:
        raise ValueError(f"unknown cell kind {kind!r}; known: {', '.join(CELL_KINDS)}")
    roles, formatter = CELL_KINDS[kind]
    return formatter(*(row.get(source(role)) for role in roles))


def is_p_column(column: str) -> bool:
    return column in ("q_value", "p_value", "p") or column.endswith("_p")


WATERFALL_COLUMNS = ("best_pct_change", "best_percent_change", "target_lesion_best_pct_change")


def waterfall_column(columns: Sequence[str], configured: str | None = None) -> str | None:
    """The clinical column holding best % change in target lesions, if present."""
    candidates = (configured,) if configured else WATERFALL_COLUMNS
    return next((c for c in candidates if c and c in columns), None)
