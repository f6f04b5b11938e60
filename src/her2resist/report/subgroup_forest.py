"""Subgroup forest plot: ORR (exact 95 % CI) and the PFS hazard ratio of each level against
the other patients (95 % CI), one row per level of each subgroup factor, with n, ORR and
median PFS as text (the content of results/stats/subgroups.tsv)."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
    and levels named as in the tables (``labels``)."""
    labels = labels or Labels()
    rows = table.reset_index(drop=True)
    n = len(rows)
    fig = new_figure(12, 0.32 * n + 1.6)
    text_ax, orr_ax, hr_ax = fig.subplots(1, 3, gridspec_kw={"width_ratios": [3.0, 1.2, 1.2]})
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
    columns = ((0.0, "Subgroup"), (0.42, "n"), (0.5, "ORR % (95% CI)"))
    for x, title in (*columns, (0.74, "mPFS, mo (95% CI)")):
        text_ax.text(x, header, title, fontweight="bold", va="bottom", fontsize=8)
    for yi, label, row in zip(y, names, rows.itertuples(index=False), strict=True):
        orr = _ci(100 * row.orr, 100 * row.orr_lcl, 100 * row.orr_ucl, 0)
        pfs = _ci(row.pfs_median, row.pfs_median_lcl, row.pfs_median_ucl)
        for x, text in ((0.0, label), (0.42, str(row.n)), (0.5, orr), (0.74, pfs)):
            text_ax.text(x, yi, text, va="center", fontsize=8)
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
    for ax in (orr_ax, hr_ax):
        ax.set_ylim(-0.8, n - 0.2)
        ax.set_yticks([])
        ax.spines[["top", "right", "left"]].set_visible(False)
    fig.suptitle("Efficacy by subgroup", fontsize=10)
    fig.tight_layout()
    return fig
