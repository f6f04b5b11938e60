"""Unit tests of the her2resist.stats building blocks (hand-checkable values, cross-checks)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import odds_ratio

from her2resist.stats.cox import cox_fit, cox_fit_binary_batch
from her2resist.stats.firth import EfronDesign, _PenalizedCox, firth_cox_fit, is_monotone_binary
from her2resist.stats.km import kaplan_meier, landmark_rates, median_survival
from her2resist.stats.response import clopper_pearson, fisher_exact_r
from her2resist.stats.risksets import binary_risk_tables
from her2resist.stats.rootfind import r_uniroot

# survfit(Surv(t, e) ~ 1) for these, values printed by R 4.2.2 / survival 3.5.3
T10 = np.array([1, 2, 2, 3, 4, 5, 6, 8, 9, 10], dtype=float)
E10 = np.array([1, 1, 0, 1, 0, 1, 1, 0, 1, 0], dtype=float)


def test_km_matches_hand_product_limit_and_r_band() -> None:
    km = kaplan_meier(T10, E10)
    assert km.surv[0] == pytest.approx(0.9)
    assert km.surv[1] == pytest.approx(0.8)  # time 2: one death, one censored, 9 at risk
    assert km.n_risk.tolist() == [10, 9, 7, 6, 5, 4, 3, 2, 1]
    rates = landmark_rates(km, [0, 0.5, 2, 2.5, 10, 12])
    assert [r.surv for r in rates[:5]] == pytest.approx([1, 1, 0.8, 0.8, 0.2057142857142857])
    assert rates[2].lcl == pytest.approx(0.5868177, abs=5e-8)  # R summary()$lower
    assert rates[4].lcl == pytest.approx(0.0407606, abs=5e-8)
    assert np.isnan(rates[5].surv)  # past the last follow-up: R drops the time


def test_km_band_undefined_after_curve_reaches_zero() -> None:
    e = E10.copy()
    e[-1] = 1
    km = kaplan_meier(T10, e)
    assert km.surv[-1] == 0 and np.isnan(km.lower[-1]) and np.isinf(km.std_err[-1])


def test_median_midpoint_rule_when_curve_is_flat_at_half() -> None:
    # S = 0.5 exactly from t=2 until t=4: R reports (2 + 4) / 2
    km = kaplan_meier([1, 2, 3, 4], [1, 1, 0, 1])
    # statsmodels forms the product as exp(sum log): 0.5 to the last bit or two
    assert km.surv[1] == pytest.approx(0.5, rel=1e-15)
    assert median_survival(km).estimate == 3.0
    # flat at 0.5 until the end of follow-up: print(fit) reports the time of the drop, 2, with
    # 0.95LCL 1 (quantile(fit) would say 3.5, the midpoint to the last follow-up)
    flat_to_end = median_survival(kaplan_meier([1, 2, 5, 5], [1, 1, 0, 0]))
    assert (flat_to_end.estimate, flat_to_end.lcl) == (2.0, 1.0) and np.isnan(flat_to_end.ucl)


def test_median_not_reached_is_nan() -> None:
    km = kaplan_meier([1, 2, 3, 4, 5], [1, 0, 0, 0, 0])
    med = median_survival(km)
    assert np.isnan(med.estimate) and np.isnan(med.ucl)


def test_batched_cox_equals_general_cox_and_lifelines() -> None:
    rng = np.random.default_rng(3)
    n = 60
    t = np.round(rng.exponential(10, n))  # integer months: many ties
    e = (rng.random(n) < 0.7).astype(float)
    groups = (rng.random((n, 4)) < 0.4).astype(float)
    groups[:5, 2] = np.nan  # patients excluded for one biomarker
    batch = cox_fit_binary_batch(binary_risk_tables(t, e, groups))
    for j in range(4):
        keep = ~np.isnan(groups[:, j])
        single = cox_fit(t[keep], e[keep], groups[keep, j])
        assert batch.coef[j] == pytest.approx(single.coef[0], rel=1e-9)
        assert batch.se[j] == pytest.approx(single.se[0], rel=1e-9)
    from lifelines import CoxPHFitter

    df = pd.DataFrame({"t": t, "e": e, "g": groups[:, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph = CoxPHFitter().fit(df, "t", "e")  # lifelines uses Efron ties
    assert cph.params_["g"] == pytest.approx(batch.coef[0], rel=1e-5)


def _zero_event_trial() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    n = 30
    t = np.round(rng.exponential(10, n))
    e = (rng.random(n) < 0.7).astype(float)
    g = np.zeros(n)
    g[:6] = 1
    e[:6] = 0
    return t, e, g


def test_monotone_likelihood_detected_and_firth_is_finite() -> None:
    t, e, g = _zero_event_trial()
    assert is_monotone_binary(binary_risk_tables(t, e, g))[0]
    ordinary = cox_fit(t, e, g)
    assert not ordinary.converged and abs(ordinary.coef[0]) > 10  # the divergent estimate
    firth = firth_cox_fit(t, e, g)
    assert firth.converged
    assert -5 < firth.coef[0] < 0
    assert firth.lcl[0] < firth.coef[0] < firth.ucl[0]
    assert np.isfinite(firth.lcl[0]) and np.isfinite(firth.ucl[0])


def test_firth_penalized_score_is_gradient_of_penalized_loglik() -> None:
    t, e, g = _zero_event_trial()
    x = np.column_stack([g, np.linspace(-1, 1, g.size)])
    model = _PenalizedCox(EfronDesign(t, e, x))
    beta, h = np.array([-0.7, 0.3]), 1e-6
    numeric = [
        (model.value_score_info(beta + h * u)[0] - model.value_score_info(beta - h * u)[0]) / 2 / h
        for u in np.eye(2)
    ]
    assert model.value_score_info(beta)[1] == pytest.approx(numeric, rel=1e-6)


def test_firth_close_to_cox_without_separation() -> None:
    rng = np.random.default_rng(5)
    n = 400
    g = (rng.random(n) < 0.5).astype(float)
    t = rng.exponential(1 / np.exp(0.5 * g))
    e = np.ones(n)
    # the penalty is O(1/n): with 400 events the two estimates nearly coincide
    assert firth_cox_fit(t, e, g).coef[0] == pytest.approx(cox_fit(t, e, g).coef[0], abs=0.01)


def test_clopper_pearson_edges() -> None:
    assert clopper_pearson(0, 10).lcl == 0.0
    assert clopper_pearson(10, 10).ucl == 1.0
    # R: binom.test(3, 10)$conf.int
    ci = clopper_pearson(3, 10)
    assert (ci.lcl, ci.ucl) == pytest.approx((0.06673951117773447, 0.6524528500599973), rel=1e-12)


def test_fisher_matches_r_and_scipy_only_to_uniroot_tolerance() -> None:
    # R 4.2.2: fisher.test(matrix(c(3, 4, 2, 10), 2))
    res = fisher_exact_r(3, 2, 4, 10)
    assert res.p_value == pytest.approx(0.30469556243550056, rel=1e-12)
    assert res.odds_ratio == pytest.approx(3.4704488968029814, rel=1e-9)
    # scipy's conditional odds ratio solves to full precision, R stops at uniroot's 1.2e-4
    # tolerance: they differ by more than 1e-6, which is why the R root finder is ported
    scipy_or = odds_ratio([[3, 2], [4, 10]], kind="conditional").statistic
    assert scipy_or == pytest.approx(res.odds_ratio, rel=1e-4)
    assert abs(scipy_or / res.odds_ratio - 1) > 1e-6


def test_fisher_separation_gives_infinite_mle_and_finite_lower_bound() -> None:
    res = fisher_exact_r(5, 0, 10, 14)
    assert res.odds_ratio == np.inf
    assert 0 < res.lcl < 5 and res.ucl == np.inf


def test_r_uniroot_finds_root() -> None:
    assert r_uniroot(lambda x: x * x - 2, 0, 2) == pytest.approx(np.sqrt(2), abs=1e-4)
