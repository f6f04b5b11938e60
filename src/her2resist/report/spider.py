"""Spider plot: % change from baseline of the sum of target-lesion diameters over time, one
line per patient coloured by confirmed best overall response, with the RECIST +20 % / -30 %
lines (the content of results/clinical/tumour_change.tsv)."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from her2resist.report.figures import (
    RESPONSE_COLOURS,
    RESPONSE_ORDER,
    SINGLE_COLUMN,
    STYLE,
    new_figure,
    recist_lines,
)


def spider_figure(changes: pd.DataFrame, endpoints: pd.DataFrame) -> Figure:
    response = endpoints.set_index("patient_id")["best_response"]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(SINGLE_COLUMN, SINGLE_COLUMN * 0.8)
        ax = fig.subplots()
        seen = set()
        for patient, own in changes.groupby("patient_id"):
            best = response.get(patient, "NE")
            colour = RESPONSE_COLOURS.get(best, RESPONSE_COLOURS["NE"])
            weeks = [0.0, *(own["days"] / 7)]
            values = [0.0, *own["pct_change"]]
            ax.plot(weeks, values, color=colour, linewidth=0.8, marker="o", markersize=2)
            seen.add(best)
        recist_lines(ax)
        ax.set_xlabel("Weeks from reference date")
        ax.set_ylabel("Change in target lesions (%)")
        ax.set_title("Change from baseline in target lesions", loc="left")
        handles = [
            Line2D([], [], color=RESPONSE_COLOURS[r], label=r) for r in RESPONSE_ORDER if r in seen
        ]
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            frameon=False,
            ncol=len(handles),
        )
        fig.tight_layout()
    return fig
