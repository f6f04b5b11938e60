"""Trial-level efficacy: KM medians and landmark rates per time-to-event endpoint, response
rates with Clopper–Pearson CIs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from her2resist.stats.km import kaplan_meier, landmark_rates, median_survival
from her2resist.stats.response import clopper_pearson

EFFICACY_COLUMNS = [
    "endpoint", "statistic", "value", "lcl", "ucl", "n", "events_or_responders", "note",
    "delayed_entry",
]  # fmt: skip


def efficacy_summary(
    time_event: dict[str, tuple[pd.Series, pd.Series]],
    response: pd.DataFrame,
    landmarks_months: Iterable[float] = (6, 12, 24),
    entry: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Long table (EFFICACY_COLUMNS). NaN times/events = patient not evaluable for the endpoint.

    `entry`: per endpoint, delayed-entry times (left-truncated KM, R `Surv(entry, time, event)`);
    a patient whose entry is missing or not before the time is not evaluable."""
    landmarks = list(landmarks_months)
    entry = entry or {}
    rows: list[dict[str, object]] = []
    for endpoint, (time, event) in time_event.items():
        frame = pd.concat({"time": time, "event": event}, axis=1)
        evaluable = np.isfinite(frame["time"]) & (frame["time"] >= 0) & frame["event"].notna()
        delayed = endpoint in entry
        if delayed:
            frame["entry"] = entry[endpoint].reindex(frame.index)
            evaluable &= np.isfinite(frame["entry"]) & (frame["entry"] < frame["time"])
        frame = frame[evaluable]
        n, events = len(frame), int(frame["event"].sum())
        shared = dict(endpoint=endpoint, n=n, events_or_responders=events, delayed_entry=delayed)
        if n == 0:
            rows.append(dict(shared, statistic="median", value=np.nan, lcl=np.nan, ucl=np.nan,
                             note="no evaluable patients"))  # fmt: skip
            continue
        km = kaplan_meier(frame["time"], frame["event"], entry=frame["entry"] if delayed else None)
        med = median_survival(km)
        notes = []
        if np.isnan(med.estimate):
            notes.append("median not reached")
        elif np.isnan(med.ucl):
            notes.append("upper confidence limit not reached")
        rows.append(dict(shared, statistic="median", value=med.estimate, lcl=med.lcl,
                         ucl=med.ucl, note="; ".join(notes)))  # fmt: skip
        for rate in landmark_rates(km, landmarks):
            note = "landmark beyond last follow-up" if np.isnan(rate.surv) else ""
            rows.append(dict(shared, statistic=f"rate_{rate.time:g}m", value=rate.surv,
                             lcl=rate.lcl, ucl=rate.ucl, note=note))  # fmt: skip
    for endpoint in response.columns:
        values = response[endpoint].dropna().astype(int)
        prop = clopper_pearson(int(values.sum()), len(values))
        note = "" if len(values) else "no evaluable patients"
        rows.append(dict(endpoint=endpoint, statistic="rate", value=prop.rate, lcl=prop.lcl,
                         ucl=prop.ucl, n=len(values), events_or_responders=int(values.sum()),
                         note=note, delayed_entry=False))  # fmt: skip
    return pd.DataFrame(rows, columns=EFFICACY_COLUMNS)
