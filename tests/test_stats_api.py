"""Behaviour of the public her2resist.stats API on a 30-patient trial: columns, flags, notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.stats.associate import (
    RESPONSE_COLUMNS,
    SURVIVAL_COLUMNS,
    response_associations,
    survival_associations,
)
from her2resist.stats.efficacy import efficacy_summary

TRIAL = Path(__file__).parent / "r" / "synthetic_trial.tsv"
MARKERS = ["ERBB2_amp", "PIK3CA", "PTEN_loss", "ERBB3", "ESR1"]


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    return pd.read_csv(TRIAL, sep="\t").set_index("patient_id")


@pytest.fixture(scope="module")
def pfs(trial: pd.DataFrame) -> pd.DataFrame:
    return survival_associations(
        trial["pfs_months"], trial["pfs_event"], trial[MARKERS], endpoint="pfs",
        covariates=trial[["ecog", "age"]],
    ).set_index("biomarker", drop=False)  # fmt: skip


def test_survival_columns_in_contract_order(pfs: pd.DataFrame) -> None:
    assert list(pfs.columns) == SURVIVAL_COLUMNS
    assert (pfs["endpoint"] == "pfs").all()


def test_zero_event_group_gets_firth_not_an_absurd_hr(pfs: pd.DataFrame) -> None:
    row = pfs.loc["PIK3CA"]
    assert row["events_altered"] == 0
    assert row["method"] == "firth"
    assert row["note"].startswith("zero events in altered group; Firth-penalized estimate")
    assert 1e-3 < row["hr"] < 1 and 0 < row["hr_lcl"] < row["hr"] < row["hr_ucl"] < 10
    assert np.isnan(row["wald_p"]) and 0 < row["lr_p"] <= 1
    assert np.isfinite(row["hr_adjusted"]) and row["hr_adjusted"] < 1
    numeric = pfs.select_dtypes("number").to_numpy()
    assert not np.isinf(numeric).any()


def test_small_group_is_described_not_tested(pfs: pd.DataFrame) -> None:
    row = pfs.loc["PTEN_loss"]
    assert row["n_altered"] == 2 and row["method"] == "descriptive"
    assert "n_altered=2 < min_altered=3" in row["note"]
    assert np.isnan(row[["logrank_p", "hr", "q_value"]].astype(float)).all()
    assert np.isfinite(row["median_wild_type"])


def test_not_evaluable_status_and_missing_time_excluded(pfs: pd.DataFrame, trial) -> None:
    row = pfs.loc["ERBB3"]
    evaluable = trial["pfs_months"].notna()
    assert row["n_not_evaluable"] == int((trial.loc[evaluable, "ERBB3"] == "not_evaluable").sum())
    assert row["n_altered"] + row["n_wild_type"] + row["n_not_evaluable"] == evaluable.sum()


def test_q_values_only_for_tested_rows(pfs: pd.DataFrame) -> None:
    tested = pfs["method"] != "descriptive"
    assert pfs.loc[tested, "q_value"].notna().all()
    assert (pfs.loc[tested, "q_value"] >= pfs.loc[tested, "logrank_p"] - 1e-15).all()


def test_all_responder_group_is_flagged_with_finite_bound(trial: pd.DataFrame) -> None:
    res = response_associations(trial[["orr", "cbr"]], trial[MARKERS])
    assert list(res.columns) == RESPONSE_COLUMNS
    row = res[(res["biomarker"] == "ESR1") & (res["endpoint"] == "orr")].iloc[0]
    assert row["rate_altered"] == 1.0 and row["rate_altered_ucl"] == 1.0
    assert np.isnan(row["odds_ratio"]) and np.isnan(row["or_ucl"])
    assert np.isfinite(row["or_lcl"]) and "separation" in row["note"]
    assert 0 < row["fisher_p"] <= 1
    assert not np.isinf(res.select_dtypes("number").to_numpy()).any()


def test_efficacy_summary_long_table(trial: pd.DataFrame) -> None:
    table = efficacy_summary(
        {"pfs": (trial["pfs_months"], trial["pfs_event"])}, trial[["orr", "cbr"]]
    )
    assert list(table.columns) == [
        "endpoint", "statistic", "value", "lcl", "ucl", "n", "events_or_responders", "note",
        "delayed_entry",
    ]  # fmt: skip
    assert not table["delayed_entry"].any()  # no entry times given
    stats = set(zip(table["endpoint"], table["statistic"], strict=True))
    assert {("pfs", "median"), ("pfs", "rate_6m"), ("pfs", "rate_24m"), ("orr", "rate")} <= stats
    orr = table[table["endpoint"] == "orr"].iloc[0]
    assert orr["n"] == trial["orr"].notna().sum()
    beyond = table[(table["statistic"] == "rate_24m")].iloc[0]
    assert np.isnan(beyond["value"]) and "beyond last follow-up" in beyond["note"]


def test_logrank_type_one_error_in_null_trials() -> None:
    """200 seeded null trials of 30 patients (1:2 allocation): rejection rate near 5 %."""
    rng = np.random.default_rng(2024)
    n_trials, n = 200, 30
    time = rng.exponential(12.0, size=(n_trials, n))
    censor = rng.uniform(6.0, 36.0, size=(n_trials, n))
    event = (time <= censor).astype(float)
    time = np.minimum(time, censor)
    patients = [f"P{i}" for i in range(n)]

    def logrank_p(i: int) -> float:
        altered = rng.random(n) < 1 / 3
        status = pd.DataFrame({"m": np.where(altered, "altered", "wild_type")}, index=patients)
        time_i, event_i = pd.Series(time[i], patients), pd.Series(event[i], patients)
        row = survival_associations(time_i, event_i, status, endpoint="pfs", min_altered=1)
        return float(row["logrank_p"].iloc[0])

    p = np.array([logrank_p(i) for i in range(n_trials)])
    rejection = np.nanmean(p < 0.05)
    # binomial SD at 5 % and 200 trials is 1.5 %; the band allows small-sample conservatism
    assert 0.01 <= rejection <= 0.10
