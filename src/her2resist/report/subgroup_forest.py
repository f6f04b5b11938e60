"""Subgroup forest plot: ORR (exact 95 % CI) and the PFS hazard ratio of each level against
the other patients (95 % CI), one row per level of each subgroup factor, with n, ORR and
median PFS as text (the content of results/stats/subgroups.tsv)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

from her2resist.report.figures import OKABE_ITO, new_figure
from her2resist.report.labels import Labels

HR_TICKS = (0.06, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32)


def _ci(value: float, lcl: float, ucl: float, digits: int = 1) -> str:
    if pd.isna(value):
        return "NR" if digits == 1 else "–"
    low = "NR" if pd.isna(lcl) else f"{lcl:.{digits}f}"
    high = "NR" if pd.isna(ucl) else f"{ucl:.{digits}f}"
    return f"{value:.{digits}f} ({low}–{high})"


def subgroup_forest_figure(table: pd.DataFrame, labels: Labels | None = None) -> Figure:
    """Two panels (ORR %, PFS HR on a log axis) and a text column per subgroup level; factors
    and levels named as in the tables (``labels``). A panel and its text column only for an
    endpoint the study measured (``subgroup_table`` leaves the other missing)."""
    labels = labels or Labels()
    rows = table.reset_index(drop=True)
    n = len(rows)
    has_orr, has_pfs = rows["orr"].notna().any(), rows["pfs_n"].notna().any()
    ratios = [3.0, *([1.2] if has_orr else []), *([1.2] if has_pfs else [])]
    fig = new_figure(6 + 3 * (len(ratios) - 1), 0.32 * n + 1.6)  # 12 in with both panels
    axes = list(np.atleast_1d(fig.subplots(1, len(ratios), gridspec_kw={"width_ratios": ratios})))
    text_ax = axes.pop(0)
    orr_ax = axes.pop(0) if has_orr else None
    hr_ax = axes.pop(0) if has_pfs else None
    y = np.arange(n)[::-1]
    names = []
    previous = None
    for row in rows.itertuples(index=False):
        if row.subgroup == "All patients":
            names.append("All patients")
        else:
            head = f"{labels(row.subgroup)}: " if row.subgroup != previous else "    "
            names.append(f"{head}{Labels.level(row.level)}")
        previous = row.subgroup
    text_ax.set_ylim(-0.8, n - 0.2)
    text_ax.axis("off")
    header = n - 0.2
    columns = [(0.0, "Subgroup"), (0.42, "n")]
    columns += [(0.5, "ORR % (95% CI)")] if has_orr else []
    columns += [(0.74 if has_orr else 0.5, "mPFS, mo (95% CI)")] if has_pfs else []
    for x, title in columns:
        text_ax.text(x, header, title, fontweight="bold", va="bottom", fontsize=8)
    for yi, label, row in zip(y, names, rows.itertuples(index=False), strict=True):
        texts = [label, str(row.n)]
        texts += [_ci(100 * row.orr, 100 * row.orr_lcl, 100 * row.orr_ucl, 0)] if has_orr else []
        texts += [_ci(row.pfs_median, row.pfs_median_lcl, row.pfs_median_ucl)] if has_pfs else []
        for (x, _), text in zip(columns, texts, strict=True):
            text_ax.text(x, yi, text, va="center", fontsize=8)
    if orr_ax is not None:
        _orr_panel(orr_ax, rows, y)
    if hr_ax is not None:
        _hr_panel(hr_ax, rows, y)
    for ax in (a for a in (orr_ax, hr_ax) if a is not None):
        ax.set_ylim(-0.8, n - 0.2)
        ax.set_yticks([])
        ax.spines[["top", "right", "left"]].set_visible(False)
    fig.suptitle("Efficacy by subgroup", fontsize=10)
    fig.tight_layout()
    return fig


def _orr_panel(orr_ax: Axes, rows: pd.DataFrame, y: np.ndarray) -> None:
    colour = OKABE_ITO["blue"]
    orr_ax.errorbar(
        100 * rows["orr"],
        y,
        xerr=[100 * (rows["orr"] - rows["orr_lcl"]), 100 * (rows["orr_ucl"] - rows["orr"])],
        fmt="s",
        color=colour,
        ecolor=colour,
        markersize=4,
        capsize=2,
    )
    overall = rows.loc[rows["subgroup"] == "All patients", "orr"]
    if len(overall):
        orr_ax.axvline(100 * overall.iloc[0], color="grey", linestyle="--", linewidth=0.8)
    orr_ax.set_xlim(0, 100)
    orr_ax.set_xlabel("ORR, % (exact 95% CI)")


def _hr_panel(hr_ax: Axes, rows: pd.DataFrame, y: np.ndarray) -> None:
    hr = pd.to_numeric(rows["hr_vs_rest"], errors="coerce")
    shown = hr.notna()
    hr_ax.errorbar(
        hr[shown],
        y[shown.to_numpy()],
        xerr=[hr[shown] - rows["hr_lcl"][shown], rows["hr_ucl"][shown] - hr[shown]],
        fmt="D",
        color=OKABE_ITO["vermillion"],
        markersize=4,
        capsize=2,
    )
    hr_ax.axvline(1, color="grey", linestyle="--", linewidth=0.8)
    hr_ax.set_xscale("log")
    ticks = [t for t in HR_TICKS if t >= np.nanmin(rows["hr_lcl"].fillna(1)) / 1.5]
    ticks = [t for t in ticks if t <= np.nanmax(rows["hr_ucl"].fillna(1)) * 1.5]
    hr_ax.xaxis.set_major_locator(FixedLocator(ticks))
    hr_ax.xaxis.set_major_formatter(FixedFormatter([f"{t:g}" for t in ticks]))
    hr_ax.xaxis.set_minor_locator(NullLocator())
    hr_ax.set_xlabel("PFS HR vs other patients (95% CI)")
