"""EXPLORATORY multivariable models of outcome on the baseline alteration matrix.

These are hypothesis-generating only: with ~30 patients and ~10-20 biomarkers no multivariable
model is confirmatory, so the output reports cross-validated discrimination with a permutation
p-value (is the CV performance better than chance?) and never per-biomarker coefficients.

Models (seeded, deterministic):
- `penalized_logistic_l2` — scikit-learn L2-penalized logistic regression (C = 1,
  Newton–Cholesky solver) of a 0/1 response (e.g. ORR); metric `cv_auc`: repeated stratified
  K-fold (default 5 x 20), per repeat the AUC of the pooled out-of-fold predicted probabilities;
- `penalized_cox_l2` — lifelines CoxPHFitter with an L2 penalizer (default 0.1) of a time-to-event
  endpoint; metric `cv_c_index`: repeated K-fold stratified on the event indicator, per repeat
  Harrell's C of the pooled out-of-fold linear predictors.

`estimate` is the mean over repeats; `lcl`/`ucl` are the 2.5 / 97.5 percentiles over repeats,
i.e. the variability due to the random fold assignment, NOT a sampling confidence interval. The
permutation p-value shuffles the outcome against the matrix (`n_permutations` times, keeping the
class counts / event pattern) and recomputes the same CV statistic over the first
`permutation_repeats` repeats; p = (1 + #{permuted >= observed}) / (1 + n_permutations).

Encoding of the matrix (one choice, documented): altered = 1, wild_type = 0; not_evaluable is
imputed 0 and flagged by a missingness indicator column `<biomarker>:not_evaluable`, so a patient
with an unevaluable sample is kept (at n = 30 dropping patients costs more than it saves) and the
model can tell "not seen" from "wild type". Identical indicator columns (a sample that failed for
every gene) are merged; columns constant over the analysed patients are dropped. Patients with a
missing outcome are dropped.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

EXPLORATORY_COLUMNS = [
    "model", "endpoint", "metric", "estimate", "lcl", "ucl", "permutation_p", "n", "n_events",
    "n_features", "note",
]  # fmt: skip

LABEL = "EXPLORATORY (hypothesis-generating, not confirmatory)"
DEFAULT_SEED = 20240601


def encode_status(status: pd.DataFrame) -> pd.DataFrame:
    """0/1 feature matrix: altered = 1, else 0, plus merged not_evaluable indicator columns."""
    values = status.astype(object)
    frame = (values == "altered").astype(float)
    flags = (~values.isin(["altered", "wild_type"])).astype(float)
    flags = flags.loc[:, flags.any()].add_suffix(":not_evaluable")
    if flags.empty:
        return frame
    flags = flags.T.drop_duplicates().T  # identical patterns: keep the first biomarker's name
    return pd.concat([frame, flags], axis=1)


def _drop_constant(x: pd.DataFrame) -> pd.DataFrame:
    return x.loc[:, x.nunique() > 1]


def _splits(
    labels: NDArray, n_splits: int, n_repeats: int, seed: int
) -> list[list[tuple[NDArray, NDArray]]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_repeats):
        skf = StratifiedKFold(n_splits, shuffle=True, random_state=int(rng.integers(2**31 - 1)))
        with warnings.catch_warnings():
            # a class smaller than n_splits (e.g. few censored patients) is spread as possible
            warnings.simplefilter("ignore", UserWarning)
            out.append(list(skf.split(np.zeros(labels.size), labels)))
    return out


def _logistic_oof(x: NDArray, y: NDArray, folds: list[tuple[NDArray, NDArray]], c: float):
    pred = np.empty(y.size)
    for train, test in folds:
        model = LogisticRegression(C=c, l1_ratio=0.0, solver="newton-cholesky", max_iter=100)
        model.fit(x[train], y[train])
        pred[test] = model.predict_proba(x[test])[:, 1]
    return pred


def _cox_oof(
    x: NDArray, t: NDArray, e: NDArray, folds: list[tuple[NDArray, NDArray]], penalizer: float
) -> NDArray:
    cols = [f"x{i}" for i in range(x.shape[1])]
    pred = np.empty(t.size)
    for train, test in folds:
        train_df = pd.DataFrame(x[train], columns=cols)
        keep = [c for c in cols if train_df[c].nunique() > 1]  # constant within this fold
        if not keep:
            pred[test] = 0.0
            continue
        train_df = train_df[keep].assign(_t=t[train], _e=e[train])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = CoxPHFitter(penalizer=penalizer).fit(train_df, "_t", "_e")
        beta = fit.params_.reindex(keep).to_numpy(float)
        pred[test] = x[test][:, [cols.index(c) for c in keep]] @ beta
    return pred


def _row(model: str, endpoint: str, metric: str, **values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(EXPLORATORY_COLUMNS, np.nan)
    row.update(model=model, endpoint=endpoint, metric=metric, **values)
    return row


def exploratory_models(
    status: pd.DataFrame,
    response: dict[str, pd.Series] | None = None,
    time_event: dict[str, tuple[pd.Series, pd.Series]] | None = None,
    *,
    n_splits: int = 5,
    n_repeats: int = 20,
    n_permutations: int = 200,
    permutation_repeats: int = 1,
    logistic_c: float = 1.0,
    cox_penalizer: float = 0.1,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """One row per (model, endpoint) with EXPLORATORY_COLUMNS; see the module docstring.

    status: patients x biomarkers of altered / wild_type / not_evaluable (as the associate stage
    builds it); response: {"orr": 0/1 Series}; time_event: {"pfs": (time, event)}."""
    features = encode_status(status)
    cv = {
        "n_splits": n_splits,
        "n_repeats": n_repeats,
        "n_permutations": n_permutations,
        "permutation_repeats": permutation_repeats,
        "seed": seed,
    }
    rows = [
        _logistic_row(features, y, endpoint, logistic_c, cv)
        for endpoint, y in (response or {}).items()
    ]
    rows += [
        _cox_row(features, time, event, endpoint, cox_penalizer, cv)
        for endpoint, (time, event) in (time_event or {}).items()
    ]
    return pd.DataFrame(rows, columns=EXPLORATORY_COLUMNS)


def _cv_summary(
    x: NDArray,
    outcome: tuple[NDArray, ...],
    statistic: Callable[[NDArray, tuple[NDArray, ...], list], float],
    strata_of: Callable[[tuple[NDArray, ...]], NDArray],
    k: int,
    cv: dict,
) -> dict[str, float]:
    """Estimate and spread of ``statistic`` over the CV repeats, and its permutation p-value:
    the outcome arrays are shuffled together (one permutation of the patients) against ``x``."""
    splits = functools.partial(_splits, n_splits=k, seed=cv["seed"])
    per_repeat = np.array(
        [
            statistic(x, outcome, folds)
            for folds in splits(strata_of(outcome), n_repeats=cv["n_repeats"])
        ]
    )
    observed = per_repeat[: cv["permutation_repeats"]].mean()
    rng = np.random.default_rng(cv["seed"] + 1)
    exceed = 0
    for _ in range(cv["n_permutations"]):
        perm = rng.permutation(outcome[0].size)
        shuffled = tuple(values[perm] for values in outcome)
        repeats = splits(strata_of(shuffled), n_repeats=cv["permutation_repeats"])
        exceed += np.mean([statistic(x, shuffled, folds) for folds in repeats]) >= observed - 1e-12
    n_permutations = cv["n_permutations"]
    return {
        "estimate": float(per_repeat.mean()),
        "lcl": float(np.percentile(per_repeat, 2.5)),
        "ucl": float(np.percentile(per_repeat, 97.5)),
        "permutation_p": (1 + exceed) / (1 + n_permutations) if n_permutations else np.nan,
    }


def _note(k: int, cv: dict) -> str:
    return (
        f"{LABEL}; {k}-fold CV x {cv['n_repeats']} repeats, lcl/ucl = 2.5/97.5 percentiles "
        f"over repeats (fold-assignment spread, not a confidence interval); permutation p from "
        f"{cv['n_permutations']} outcome permutations ({cv['permutation_repeats']} CV repeat(s) "
        "each)"
    )


def _logistic_row(
    features: pd.DataFrame, y_series: pd.Series, endpoint: str, c: float, cv: dict
) -> dict[str, object]:
    model, metric = "penalized_logistic_l2", "cv_auc"
    y_all = pd.to_numeric(y_series.reindex(features.index), errors="coerce")
    keep = y_all.isin([0, 1])
    x_frame = _drop_constant(features[keep])
    y = y_all[keep].to_numpy(int)
    n, n_pos = int(y.size), int(y.sum())
    base = {"n": n, "n_events": n_pos, "n_features": x_frame.shape[1]}
    k = min(cv["n_splits"], n_pos, n - n_pos)
    if k < 2 or x_frame.shape[1] == 0:
        why = "fewer than 2 patients in a response class" if k < 2 else "no varying biomarker"
        return _row(model, endpoint, metric, **base, note=f"{LABEL}; not estimable: {why}")
    summary = _cv_summary(
        x_frame.to_numpy(float),
        (y,),
        lambda x, o, folds: roc_auc_score(o[0], _logistic_oof(x, o[0], folds, c)),
        lambda o: o[0],
        k,
        cv,
    )
    note = _note(k, cv)
    if k < cv["n_splits"]:
        note += f"; folds reduced to {k} (smallest class has {k} patients)"
    return _row(model, endpoint, metric, **summary, **base, note=note)


def _cox_row(
    features: pd.DataFrame,
    time: pd.Series,
    event: pd.Series,
    endpoint: str,
    penalizer: float,
    cv: dict,
) -> dict[str, object]:
    model, metric = "penalized_cox_l2", "cv_c_index"
    frame = pd.DataFrame({"t": time, "e": event}).reindex(features.index)
    keep = np.isfinite(frame["t"]) & (frame["t"] >= 0) & frame["e"].isin([0, 1])
    x_frame = _drop_constant(features[keep])
    t = frame.loc[keep, "t"].to_numpy(float)
    e = frame.loc[keep, "e"].to_numpy(float)
    n, n_ev = int(t.size), int(e.sum())
    base = {"n": n, "n_events": n_ev, "n_features": x_frame.shape[1]}
    k = min(cv["n_splits"], n_ev)
    if k < 2 or x_frame.shape[1] == 0:
        why = "fewer than 2 events" if k < 2 else "no varying biomarker"
        return _row(model, endpoint, metric, **base, note=f"{LABEL}; not estimable: {why}")
    summary = _cv_summary(
        x_frame.to_numpy(float),
        (t, e),
        lambda x, o, folds: concordance_index(o[0], -_cox_oof(x, *o, folds, penalizer), o[1]),
        # stratified on the event indicator unless every patient had the event
        lambda o: o[1].astype(int) if n_ev < n else np.zeros(n, int),
        k,
        cv,
    )
    note = f"{_note(k, cv)}; lifelines CoxPHFitter penalizer={penalizer:g} (L2), Efron ties"
    return _row(model, endpoint, metric, **summary, **base, note=note)
