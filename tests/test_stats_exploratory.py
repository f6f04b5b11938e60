"""EXPLORATORY penalized models: encoding, table contract, determinism, signal vs noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from her2resist.stats.exploratory import EXPLORATORY_COLUMNS, encode_status, exploratory_models

FAST = {"n_splits": 3, "n_repeats": 3, "n_permutations": 9}


def _cohort(seed: int, signal: bool) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    n = 40
    ids = [f"P{i:02d}" for i in range(n)]
    x = rng.random((n, 4)) < 0.4
    status = pd.DataFrame(np.where(x, "altered", "wild_type"), index=ids, columns=list("ABCD"))
    status.iloc[0, 2] = "not_evaluable"
    y = x[:, 0] if signal else rng.random(n) < 0.4
    orr = pd.Series(y.astype(float), index=ids)
    rate = np.where(x[:, 0], 4.0, 1.0) if signal else np.ones(n)
    time = pd.Series(rng.exponential(1 / rate), index=ids)
    event = pd.Series((rng.random(n) < 0.8).astype(float), index=ids)
    return status, orr, time, event


def test_encoding_altered_one_and_not_evaluable_indicator() -> None:
    status = pd.DataFrame(
        {
            "A": ["altered", "wild_type", "not_evaluable"],
            "B": ["wild_type", "altered", "not_evaluable"],
        }
    )
    enc = encode_status(status)
    assert enc["A"].tolist() == [1.0, 0.0, 0.0]
    # identical indicator patterns are merged into the first biomarker's column
    assert list(enc.columns) == ["A", "B", "A:not_evaluable"]
    assert enc["A:not_evaluable"].tolist() == [0.0, 0.0, 1.0]


def test_table_contract_and_label() -> None:
    status, orr, time, event = _cohort(1, signal=True)
    res = exploratory_models(status, {"orr": orr}, {"pfs": (time, event)}, **FAST)
    assert list(res.columns) == EXPLORATORY_COLUMNS
    assert res["model"].tolist() == ["penalized_logistic_l2", "penalized_cox_l2"]
    assert res["note"].str.startswith("EXPLORATORY").all()
    assert (res["lcl"] <= res["estimate"]).all() and (res["estimate"] <= res["ucl"]).all()
    assert res["permutation_p"].between(0.1, 1.0).all()
    assert res["n"].tolist() == [40, 40]


def test_planted_signal_is_found() -> None:
    status, orr, time, event = _cohort(2, signal=True)
    res = exploratory_models(status, {"orr": orr}, {"pfs": (time, event)}, **FAST)
    assert res.loc[0, "estimate"] > 0.9  # ORR is A itself
    assert res.loc[1, "estimate"] > 0.6
    assert res.loc[0, "permutation_p"] == pytest.approx(0.1)  # the minimum, 1 / (1 + 9)


def test_deterministic_with_seed() -> None:
    status, orr, time, event = _cohort(3, signal=False)
    a = exploratory_models(status, {"orr": orr}, {"pfs": (time, event)}, **FAST)
    b = exploratory_models(status, {"orr": orr}, {"pfs": (time, event)}, **FAST)
    pd.testing.assert_frame_equal(a, b)


def test_not_estimable_is_flagged_not_raised() -> None:
    status, orr, time, event = _cohort(4, signal=False)
    res = exploratory_models(status, {"orr": orr * 0 + 1}, {"pfs": (time, event * 0)}, **FAST)
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("not estimable").all()
    assert res["n_events"].tolist() == [40, 0]
