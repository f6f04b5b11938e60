"""Zero-event and all-responder groups produce finite, flagged results (never inf, never silent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from her2resist.stats.associate import response_associations, survival_associations
from her2resist.stats.efficacy import efficacy_summary

N = 30


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    ids = [f"P{i:02d}" for i in range(N)]
    time = np.round(rng.exponential(8.0, N), 1) + 0.1
    event = (rng.random(N) < 0.8).astype(float)
    group = np.where(np.arange(N) < 8, "altered", "wild_type")
    frame = pd.DataFrame({"time": time, "event": event, "A": group}, index=ids)
    frame.loc[frame["A"] == "altered", "event"] = 0.0  # no events among the altered
    frame["B"] = np.where(np.arange(N) >= 22, "altered", "wild_type")
    frame.loc[frame["B"] == "wild_type", "event"] = np.where(
        frame.loc[frame["B"] == "wild_type", "A"] == "altered", 0.0, 1.0
    )
    frame["ecog"] = rng.integers(0, 2, N).astype(float)
    return frame


def _no_inf(table: pd.DataFrame) -> None:
    assert not np.isinf(table.select_dtypes("number").to_numpy(float)).any()


def test_zero_event_group_is_firth_flagged_and_finite(trial: pd.DataFrame) -> None:
    res = survival_associations(
        trial["time"], trial["event"], trial[["A"]], endpoint="pfs", covariates=trial[["ecog"]]
    ).iloc[0]
    assert res["events_altered"] == 0 and res["method"] == "firth"
    assert "zero events in altered group" in res["note"]
    assert np.isfinite([res["hr"], res["hr_lcl"], res["hr_ucl"], res["lr_p"]]).all()
    assert np.isfinite([res["hr_adjusted"], res["hr_adjusted_lcl"], res["hr_adjusted_ucl"]]).all()
    assert "median not reached (altered)" in res["note"]


def test_zero_event_wild_type_group_is_firth_flagged(trial: pd.DataFrame) -> None:
    t = trial.copy()
    t["event"] = np.where(t["B"] == "altered", 1.0, 0.0)
    res = survival_associations(t["time"], t["event"], t[["B"]], endpoint="pfs").iloc[0]
    assert res["events_wild_type"] == 0 and res["method"] == "firth"
    assert "zero events in wild-type group" in res["note"]
    assert res["hr"] > 1 and np.isfinite([res["hr"], res["hr_lcl"], res["lr_p"]]).all()
    assert np.isnan(res["wald_p"]) and np.isnan(res["ph_p"])


def test_no_events_at_all_is_described_not_tested(trial: pd.DataFrame) -> None:
    res = survival_associations(trial["time"], trial["event"] * 0, trial[["A", "B"]], endpoint="os")
    _no_inf(res)
    assert (res["method"] == "descriptive").all()
    assert res["note"].str.startswith("not tested: no events").all()
    assert res[["logrank_p", "hr", "q_value"]].isna().all().all()


def test_all_responders_overall_flagged_p_one(trial: pd.DataFrame) -> None:
    response = pd.DataFrame({"orr": np.ones(N)}, index=trial.index)
    res = response_associations(response, trial[["A", "B"]]).set_index("biomarker")
    _no_inf(res)
    assert (res["fisher_p"] == 1.0).all()
    assert res["odds_ratio"].isna().all()
    assert res["note"].str.contains("odds ratio undefined").all()
    assert (res["rate_altered_ucl"] == 1.0).all() and (res["rate_altered_lcl"] < 1).all()


def test_all_responder_group_and_no_responder_group(trial: pd.DataFrame) -> None:
    y = (trial["A"] == "altered").astype(float)  # every altered responds, no wild type does
    res = response_associations(pd.DataFrame({"orr": y}), trial[["A"]]).iloc[0]
    assert res["rate_altered"] == 1.0 and res["rate_wild_type"] == 0.0
    assert np.isnan(res["odds_ratio"]) and np.isfinite(res["or_lcl"]) and np.isnan(res["or_ucl"])
    assert "separation" in res["note"] and 0 < res["fisher_p"] < 0.001
    # and the mirror: the altered never respond
    res0 = response_associations(pd.DataFrame({"orr": 1 - y}), trial[["A"]]).iloc[0]
    assert res0["or_lcl"] == 0.0 and np.isfinite(res0["or_ucl"]) and np.isnan(res0["odds_ratio"])
    assert "odds ratio is 0" in res0["note"]


def test_efficacy_with_no_events_and_all_responders(trial: pd.DataFrame) -> None:
    eff = efficacy_summary(
        {"pfs": (trial["time"], trial["event"] * 0)},
        pd.DataFrame({"orr": np.ones(N), "cbr": np.zeros(N)}, index=trial.index),
    ).set_index(["endpoint", "statistic"])
    _no_inf(eff.reset_index())
    assert np.isnan(eff.loc[("pfs", "median"), "value"])
    assert eff.loc[("pfs", "median"), "note"] == "median not reached"
    assert eff.loc[("pfs", "rate_6m"), "value"] == 1.0
    assert eff.loc[("orr", "rate"), ["value", "ucl"]].tolist() == [1.0, 1.0]
    assert eff.loc[("cbr", "rate"), ["value", "lcl"]].tolist() == [0.0, 0.0]
    # R: binom.test(30, 30)$conf.int[1] = 0.025^(1/30) = 0.8842967
    assert eff.loc[("orr", "rate"), "lcl"] == pytest.approx(0.025 ** (1 / 30), rel=1e-12)


def test_logistic_equals_closed_form_and_firth_on_separation() -> None:
    from scipy.stats import norm

    from her2resist.stats.response import logistic_2x2

    # 2x2: altered 3/10 respond, wild type 12/18 respond. One binary covariate saturates the
    # model: the ML odds ratio is ad/bc, its Wald SE sqrt(1/a + 1/b + 1/c + 1/d)
    ours = logistic_2x2(3, 7, 12, 6)
    assert ours.method == "logistic"
    log_or, se = np.log(3 * 6 / (7 * 12)), np.sqrt(1 / 3 + 1 / 7 + 1 / 12 + 1 / 6)
    assert ours.odds_ratio == pytest.approx(np.exp(log_or), rel=1e-9)
    z = norm.ppf(0.975)
    assert (ours.lcl, ours.ucl) == pytest.approx(np.exp([log_or - z * se, log_or + z * se]))
    assert ours.p_value == pytest.approx(2 * norm.sf(abs(log_or) / se), rel=1e-9)
    # separation (no responder among altered): finite Firth estimate, flagged
    firth = logistic_2x2(0, 8, 12, 6)
    assert firth.method == "logistic_firth"
    assert np.isfinite([firth.odds_ratio, firth.lcl, firth.ucl]).all()
    assert firth.odds_ratio == pytest.approx((0.5 * 6.5) / (8.5 * 12.5))


def _late_entry_result(n_altered: int, without_covariate: slice = slice(0)) -> pd.Series:
    """survival_associations of 40 patients whose first 3 (altered) enter after every
    event, adjusted for ECOG (missing for ``without_covariate``)."""
    rng = np.random.default_rng(3)
    ids = [f"P{i:02d}" for i in range(40)]
    time = pd.Series(np.round(rng.uniform(1.0, 10.0, 40), 1), index=ids)
    event = pd.Series((rng.random(40) < 0.6).astype(float), index=ids)
    status = pd.DataFrame(
        {"G": ["altered"] * n_altered + ["wild_type"] * (40 - n_altered)}, index=ids
    )
    entry = pd.Series(0.0, index=ids)
    entry.iloc[:3], time.iloc[:3], event.iloc[:3] = 11.0, 14.0, 0.0  # after every event
    covariates = pd.DataFrame({"ecog": rng.integers(0, 2, 40).astype(float)}, index=ids)
    covariates.iloc[without_covariate] = np.nan
    return survival_associations(
        time, event, status, endpoint="pfs", covariates=covariates, entry=entry
    ).iloc[0]


def test_groups_never_at_risk_together_are_not_tested() -> None:
    """Altered patients who enter the risk set only after the last event carry no
    information (R's coxph reports the coefficient NA): not tested, rather than an HR of
    220,000 from a fit that stopped anywhere."""
    res = _late_entry_result(n_altered=3)
    assert res["method"] == "descriptive" and np.isnan([res["hr"], res["hr_adjusted"]]).all()
    assert res["note"].startswith("not tested: no event time with both groups at risk")


def test_adjusted_model_without_information_is_not_estimable() -> None:
    """The same in the adjusted model's complete cases only: the unadjusted HR is tested,
    the adjusted one is not estimable (it raised LinAlgError, or gave limits 0 and inf)."""
    # the altered patients who share risk sets lack the covariate
    res = _late_entry_result(n_altered=6, without_covariate=slice(3, 6))
    assert np.isfinite(res["hr"])
    assert np.isnan([res["hr_adjusted"], res["hr_adjusted_lcl"], res["adjusted_p"]]).all()
    assert "adjusted model not estimable" in res["note"]
