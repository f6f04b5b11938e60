"""Delayed entry (left truncation) and the KM median band rule against R (tests/r/truncation.R).

Every statistic of her2resist.stats with `entry` must equal R's survival with
`Surv(entry, time, event)` to 1e-6 relative: KM medians with their log 95 % CI and landmark
rates (survfit / print / summary), the score test, HR, CI, Wald and LR p of coxph (Efron),
cox.zph, and the adjusted HR. Datasets (described in the R script): Channing House (real,
age-at-entry truncation), the synthetic trial with ties in entry and exit times, a risk set that
empties and fills again, every entry 0, and the non-monotone upper band of issue 17. With Rscript
on PATH the R script is re-run live (marker r_reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stats_reference import (
    SURVIVAL_STATS,
    _assert_agree,
    assert_live_r_agrees,
    compare,
    read_reference,
)

from her2resist.stats.associate import survival_associations
from her2resist.stats.efficacy import efficacy_summary
from her2resist.stats.km import kaplan_meier, median_survival

R_DIR = Path(__file__).parent / "r"
REFERENCE_TSV = R_DIR / "truncation_values.tsv"
CHANNING_TSV = R_DIR / "channing_house.tsv"
SYNTHETIC_TSV = R_DIR / "synthetic_trial.tsv"
# the band data set: its upper 95 % band is <= 0.5 at 34 months, then 0.494 at 37
BAND_TIME = [39, 29, 31, 5, 37, 35, 22, 23, 7, 12, 15, 18, 31, 34, 6, 23, 26, 3, 13]
BAND_EVENT = [0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]


def channing() -> pd.DataFrame:
    raw = pd.read_csv(CHANNING_TSV, sep="\t").set_index("resident")
    return pd.DataFrame(
        {
            "entry": raw["entry"].astype(float),
            "time": raw["exit"].astype(float),
            "event": raw["cens"].astype(float),
            "status": np.where(raw["sex"] == "Male", "altered", "wild_type"),
        }
    )


def trial(entry_zero: bool = False) -> pd.DataFrame:
    syn = pd.read_csv(SYNTHETIC_TSV, sep="\t").set_index("patient_id")
    syn = syn.dropna(subset=["pfs_months", "pfs_event"])
    return pd.DataFrame(
        {
            "entry": 0.0 if entry_zero else (syn["age"] % 7) / 2.0,
            "time": syn["pfs_months"],
            "event": syn["pfs_event"],
            "status": syn["ERBB2_amp"],
            "ecog": syn["ecog"],
            "age": syn["age"],
        }
    )


def refill() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entry": [0.0, 0, 0, 5, 5, 5, 6, 6],
            "time": [1.0, 2, 3, 7, 8, 9, 10, 12],
            "event": [1.0, 0, 0, 1, 1, 0, 1, 0],
            "status": ["altered", "wild_type"] * 4,
        },
        index=[f"R{i}" for i in range(8)],
    )


def _records(dataset: str, data: pd.DataFrame, landmarks: tuple[float, ...],
             covariates: list[str] | None = None) -> list[tuple]:  # fmt: skip
    """The statistics truncation.R emits for one data set, from the public API."""
    status = data[["status"]].rename(columns={"status": "g"})
    table = survival_associations(
        data["time"], data["event"], status, endpoint="os", min_altered=1,
        covariates=data[covariates] if covariates else None, entry=data["entry"],
    )  # fmt: skip
    row = table.iloc[0]
    assert row["delayed_entry"] and row["method"] == "logrank+cox_efron"
    assert "left-truncated" in row["note"] and "score test" in row["note"]
    records = [(dataset, "g", "os", stat, row[stat]) for stat in SURVIVAL_STATS]
    efficacy = efficacy_summary(
        {"os": (data["time"], data["event"])}, pd.DataFrame(index=data.index),
        landmarks_months=landmarks, entry={"os": data["entry"]},
    )  # fmt: skip
    assert efficacy["delayed_entry"].all()
    analysed = int(efficacy["n"].iloc[0])
    records.append((dataset, "", "os", "analysed", analysed))
    for _, eff in efficacy.iterrows():
        for suffix, column in (("", "value"), ("_lcl", "lcl"), ("_ucl", "ucl")):
            records.append((dataset, "", "os", f"{eff['statistic']}{suffix}", eff[column]))
    kept = data[data["entry"] < data["time"]]
    assert len(kept) == analysed
    km = kaplan_meier(kept["time"], kept["event"], entry=kept["entry"])
    for t in landmarks:  # n.risk of summary(fit, times=): at the first observed time >= t
        k = int(np.searchsorted(km.time, t, side="left"))
        n_risk = km.n_risk[k] if k < km.time.size else np.nan
        records.append((dataset, "", "os", f"rate_{t:g}m_n_risk", n_risk))
    return records


def python_values() -> pd.DataFrame:
    records = _records("channing", channing(), (900, 1000, 1100))
    records += _records("trial", trial(), (3, 6, 12), ["ecog", "age"])
    records += _records("refill", refill(), (4, 8))
    zero = trial(entry_zero=True)
    records += _records("zero", zero, (3, 6, 12), ["ecog", "age"])
    band = median_survival(kaplan_meier(BAND_TIME, BAND_EVENT))
    for stat, value in (("median", band.estimate), ("median_lcl", band.lcl),
                        ("median_ucl", band.ucl)):  # fmt: skip
        records.append(("band", "", "os", stat, value))
    frame = pd.DataFrame(records, columns=["dataset", "biomarker", "endpoint", "statistic", "py"])
    frame["py"] = pd.to_numeric(frame["py"], errors="coerce")
    return frame


@pytest.fixture(scope="module")
def python_table() -> pd.DataFrame:
    return python_values()


def test_truncated_statistics_match_committed_r_values(python_table: pd.DataFrame) -> None:
    reference = read_reference(REFERENCE_TSV)
    # R-only rows: checks of R itself, compared below
    joined = compare(reference[~reference["statistic"].isin(R_ONLY)], python_table)
    _assert_agree(joined)
    assert len(joined) > 100


R_ONLY = {"untruncated_score_chi2", "quantile_upper"}


def test_channing_excludes_the_five_records_r_refuses() -> None:
    """4 residents left on the day they came and 1 leaves before entering (a data error)."""
    data = channing()
    table = survival_associations(
        data["time"], data["event"], data[["status"]], endpoint="os", entry=data["entry"]
    )
    assert table.loc[0, "n_altered"] + table.loc[0, "n_wild_type"] == len(data) - 5 == 457


def test_entry_zero_equals_the_untruncated_analysis() -> None:
    data = trial(entry_zero=True)
    status = data[["status"]]
    with_entry = survival_associations(
        data["time"], data["event"], status, endpoint="os", entry=data["entry"]
    )
    without = survival_associations(data["time"], data["event"], status, endpoint="os")
    same = ["median_altered", "median_altered_ucl", "median_wild_type_lcl", "hr", "hr_ucl",
            "wald_p", "lr_p", "ph_p"]  # fmt: skip
    np.testing.assert_allclose(
        with_entry[same].to_numpy(float), without[same].to_numpy(float), rtol=1e-12
    )
    # the log-rank columns hold the score test; R: the same statistic without entry times
    reference = read_reference(REFERENCE_TSV).set_index(["dataset", "statistic"])["r"]
    assert with_entry.loc[0, "logrank_chi2"] == pytest.approx(
        reference[("zero", "untruncated_score_chi2")], rel=1e-9
    )
    assert not without.loc[0, "delayed_entry"] and with_entry.loc[0, "delayed_entry"]


def test_risk_set_empties_and_refills() -> None:
    data = refill()
    km = kaplan_meier(data["time"], data["event"], entry=data["entry"])
    # nobody at risk between 3 and 5; at 7 the three who entered at 5 and two at 6
    assert km.n_risk.tolist() == [3, 2, 1, 5, 4, 3, 2, 1]
    assert km.surv[km.time == 7][0] == pytest.approx(2 / 3 * 4 / 5)


def test_issue_17_upper_limit_is_the_first_time_the_band_reaches_half() -> None:
    km = kaplan_meier(BAND_TIME, BAND_EVENT)
    at = dict(zip(km.time, km.upper, strict=True))
    assert at[34] < at[37] < 0.5  # below 0.5 at 34, and rises again by 37
    median = median_survival(km)
    assert median.ucl == 34  # print(fit); quantile(fit) says 37
    reference = read_reference(REFERENCE_TSV).set_index(["dataset", "statistic"])["r"]
    assert reference[("band", "quantile_upper")] == 37


@pytest.mark.r_reference
def test_truncation_live_r_agrees(python_table: pd.DataFrame, tmp_path: Path) -> None:
    assert_live_r_agrees(
        R_DIR / "truncation.R", REFERENCE_TSV,
        pd.concat([python_table, _r_only_rows()], ignore_index=True),
        tmp_path / "truncation_values.tsv",
    )  # fmt: skip


def _r_only_rows() -> pd.DataFrame:
    """R-only rows compared with the committed file: the live run must reproduce them."""
    reference = read_reference(REFERENCE_TSV)
    rows = reference[reference["statistic"].isin(R_ONLY)]
    return rows.rename(columns={"r": "py"})


def test_associate_stage_applies_the_configured_entry(project_root: Path, tmp_path: Path) -> None:
    """run_associate on the committed example inputs with clinical.columns.entry_date set: every
    survival row and the time-to-event efficacy rows are left-truncated, as the API computes."""
    from her2resist.config import load_config
    from her2resist.run.associate import run_associate

    example = R_DIR / "example"
    config = load_config(project_root / "config" / "config.yaml")
    config["clinical"]["columns"]["entry_date"] = "sequencing_date"  # the example has dates
    config["covariates"] = []
    config["biomarkers"]["domains"] = []  # the committed matrices predate the domain columns
    endpoints = pd.read_csv(example / "endpoints.tsv", sep="\t", dtype={"patient_id": str})
    endpoints["entry_months"] = 7.0  # e.g. sequenced seven months after the origin
    endpoints.to_csv(tmp_path / "endpoints.tsv", sep="\t", index=False)
    outputs = {name: tmp_path / f"{name}.tsv" for name in ("pfs", "os", "response", "efficacy")}
    run_associate(
        config, tmp_path / "endpoints.tsv", example / "gene_by_patient.tsv",
        example / "pathway_by_patient.tsv", example / "covariates.tsv", outputs,
    )  # fmt: skip
    os_table = pd.read_csv(outputs["os"], sep="\t")
    assert os_table["delayed_entry"].all() and len(os_table) > 5
    efficacy = pd.read_csv(outputs["efficacy"], sep="\t")
    time_to_event = efficacy["endpoint"].isin(["pfs", "os"])
    assert efficacy.loc[time_to_event, "delayed_entry"].all()
    assert not efficacy.loc[~time_to_event, "delayed_entry"].any()
    at_risk = endpoints[endpoints["os_months"] > 7.0]  # the others end before they enter
    km = kaplan_meier(at_risk["os_months"], at_risk["os_event"], entry=at_risk["entry_months"])
    median = efficacy[(efficacy["endpoint"] == "os") & (efficacy["statistic"] == "median")]
    assert median["value"].iloc[0] == median_survival(km).estimate
    assert median["n"].iloc[0] == km.n == len(at_risk) < len(endpoints)


def test_lifelines_agrees_on_the_left_truncated_curve_and_hazard_ratio() -> None:
    """lifelines (KaplanMeierFitter entry=, CoxPHFitter entry_col=, Efron ties) computes the
    same left-truncated KM and HR on Channing House; we keep the batched code for speed and R's
    band and median rule (docs/design.md)."""
    import warnings

    from lifelines import CoxPHFitter, KaplanMeierFitter

    data = channing()
    data = data[data["entry"] < data["time"]].assign(g=lambda d: (d["status"] == "altered") * 1.0)
    ours = survival_associations(
        data["time"], data["event"], data[["status"]], endpoint="os", entry=data["entry"]
    ).iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cox = CoxPHFitter().fit(
            data[["entry", "time", "event", "g"]], "time", "event", entry_col="entry"
        )
    assert np.exp(cox.params_["g"]) == pytest.approx(ours["hr"], rel=1e-6)
    km = kaplan_meier(data["time"], data["event"], entry=data["entry"])
    fitted = KaplanMeierFitter().fit(data["time"], data["event"], entry=data["entry"])
    np.testing.assert_allclose(fitted.survival_function_at_times(km.time), km.surv, atol=1e-12)


def test_firth_fallback_uses_the_truncated_risk_sets() -> None:
    """No events among the altered: Firth. Entry 0 changes nothing; a later entry changes the
    risk sets and so the estimate (R's survival has no Firth fit to compare with)."""
    from her2resist.stats.firth import firth_cox_fit

    time = np.array([2.0, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    event = np.array([1.0, 1, 0, 1, 1, 0, 0, 1, 0, 0])
    altered = np.array([0.0, 0, 1, 0, 0, 1, 1, 0, 1, 1])
    plain = firth_cox_fit(time, event, altered)
    zero = firth_cox_fit(time, event, altered, entry=np.zeros(10))
    assert zero.coef[0] == pytest.approx(plain.coef[0], rel=1e-12)
    late = firth_cox_fit(time, event, altered, entry=np.where(altered == 1, 3.5, 0.0))
    assert np.isfinite(late.coef[0]) and np.isfinite(late.ucl[0])
    assert late.coef[0] < 0 and abs(late.coef[0] - plain.coef[0]) > 1e-3


def test_provenance_states_whether_delayed_entry_was_applied(tmp_path: Path) -> None:
    from her2resist.report.provenance import provenance

    config = {"clinical": {"source": "times", "columns": {"entry_time": "DAYS_TO_SEQUENCING"}}}
    stated = provenance(config, {}, tmp_path)["analysis"]["delayed_entry"]
    assert stated.startswith("applied: left-truncated") and "'DAYS_TO_SEQUENCING'" in stated
    config["clinical"]["columns"] = {}
    assert provenance(config, {}, tmp_path)["analysis"]["delayed_entry"].startswith("not applied")
