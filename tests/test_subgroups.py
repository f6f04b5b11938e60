"""Subgroup table, median follow-up (reverse Kaplan–Meier) and detectable hazard ratios
against R (survival, binom.test; tests/r/trial_tables.R) to 1e-6, on the synthetic trial of
tests/r and on real TCGA-LAML overall survival (FAB subgroups). The committed reference
values are always compared; with Rscript on PATH the R script is re-run live."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stats_reference import laml_cohort

from her2resist.clinical.subgroups import (
    detectable_effects,
    detectable_hazard_ratio,
    median_follow_up,
    subgroup_table,
)

R_DIR = Path(__file__).parent / "r"
RELATIVE_TOLERANCE = 1e-6


def synthetic() -> tuple[pd.DataFrame, list[str]]:
    trial = pd.read_csv(R_DIR / "synthetic_trial.tsv", sep="\t", dtype={"ecog": str})
    trial = trial.set_index("patient_id").rename(
        columns={"pfs_months": "time", "pfs_event": "event"}
    )
    return trial, ["ecog", "ERBB2_amp"]


def laml(shared_data: Path) -> tuple[pd.DataFrame, list[str]]:
    clinical, _ = laml_cohort(shared_data)
    frame = clinical[["time", "event", "FAB_classification"]].copy()
    frame["orr"] = np.nan  # no response data: the ORR columns are all zero responders
    return frame, ["FAB_classification"]


def python_values(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    endpoints = pd.DataFrame(
        {"pfs_months": frame["time"], "pfs_event": frame["event"], "orr": frame["orr"]},
        index=frame.index,
    )
    endpoints["os_months"], endpoints["os_event"] = endpoints["pfs_months"], endpoints["pfs_event"]
    table = subgroup_table(endpoints, frame, columns)
    rows = []
    stats = ["orr_lcl", "orr_ucl", "pfs_median", "pfs_median_lcl", "pfs_median_ucl"]
    stats += ["hr_vs_rest", "hr_lcl", "hr_ucl", "hr_p"]
    for row in table[table["subgroup"] != "All patients"].itertuples(index=False):
        for stat in stats:
            rows.append((row.subgroup, str(row.level), stat, getattr(row, stat)))
    follow = median_follow_up(endpoints).set_index("endpoint").loc["os_follow_up"]
    for stat, name in (("median", "value"), ("lcl", "lcl"), ("ucl", "ucl")):
        rows.append(("follow_up", "all", stat, follow[name]))
    events = int(frame["event"].sum())
    rows.append(("detectable", "p0.3", "detectable_hr", detectable_hazard_ratio(events, 0.3)))
    return pd.DataFrame(rows, columns=["subgroup", "level", "statistic", "value"])


def assert_agrees(python: pd.DataFrame, reference: pd.DataFrame) -> None:
    keys = ["subgroup", "level", "statistic"]
    merged = python.merge(reference, on=keys, how="outer", suffixes=("", "_r"), indicator=True)
    # Rows R leaves out (no HR when a group has no events) must be NaN on the Python side.
    only_python = merged[merged["_merge"] == "left_only"]
    assert only_python["value"].isna().all(), only_python
    assert (merged["_merge"] != "right_only").all(), merged[merged["_merge"] == "right_only"]
    both = merged[merged["_merge"] == "both"]
    assert len(both) > 20
    for row in both.itertuples(index=False):
        if pd.isna(row.value_r):
            assert pd.isna(row.value), row
        else:
            assert row.value == pytest.approx(row.value_r, rel=RELATIVE_TOLERANCE), row


def r_reference(frame: pd.DataFrame, columns: list[str], tmp_path: Path) -> pd.DataFrame:
    data = tmp_path / "input.tsv"
    out = tmp_path / "r.tsv"
    frame.to_csv(data, sep="\t", index=False, na_rep="NA")
    subprocess.run(
        ["Rscript", str(R_DIR / "trial_tables.R"), str(data), str(out), *columns], check=True
    )
    return pd.read_csv(out, sep="\t", dtype={"level": str})


def committed(name: str) -> pd.DataFrame:
    return pd.read_csv(R_DIR / f"trial_tables_{name}.tsv", sep="\t", dtype={"level": str})


def test_synthetic_trial_equals_committed_r_values() -> None:
    assert_agrees(python_values(*synthetic()), committed("synthetic"))


def test_laml_equals_committed_r_values(shared_data: Path) -> None:
    assert_agrees(python_values(*laml(shared_data)), committed("laml"))


@pytest.mark.r_reference
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not on PATH")
def test_live_r_agrees(shared_data: Path, tmp_path: Path) -> None:
    for name, (frame, columns) in (("synthetic", synthetic()), ("laml", laml(shared_data))):
        live = r_reference(frame, columns, tmp_path)
        assert_agrees(python_values(frame, columns), live)
        pd.testing.assert_frame_equal(live, committed(name), rtol=1e-12)


def test_missing_subgroup_value_is_its_own_level() -> None:
    frame, _ = synthetic()
    frame.loc[frame.index[:3], "ecog"] = None
    endpoints = frame.rename(columns={"time": "pfs_months", "event": "pfs_event"})
    table = subgroup_table(endpoints, frame, ["ecog"])
    ecog = table[table["subgroup"] == "ecog"].set_index("level")
    assert ecog.loc["missing", "n"] == 3 and ecog["n"].sum() == len(frame)
    assert table.iloc[0]["subgroup"] == "All patients" and table.iloc[0]["n"] == len(frame)


def test_detectable_hazard_ratio_is_schoenfeld() -> None:
    """Schoenfeld 1983: D = (z_a/2 + z_b)^2 / (p (1-p) log(HR)^2); with D = 4 * 7.849 / 0.25
    ... inverted: 20 events at p = 0.5 detect HR exp(2.8016 / sqrt(5)) = 3.50."""
    assert detectable_hazard_ratio(20, 0.5) == pytest.approx(np.exp(2.801585 / np.sqrt(5)), 1e-6)
    assert np.isnan(detectable_hazard_ratio(0, 0.5)) and np.isnan(detectable_hazard_ratio(9, 0))
    table = pd.DataFrame(
        {
            "biomarker": ["PIK3CA"],
            "n_altered": [10],
            "n_wild_type": [20],
            "events_altered": [8],
            "events_wild_type": [12],
        }
    )
    out = detectable_effects({"pfs": table}).iloc[0]
    assert out["events"] == 20 and out["prevalence"] == pytest.approx(1 / 3)
    assert out["detectable_hr"] == pytest.approx(np.exp(2.801585 / np.sqrt(20 * 2 / 9)), 1e-6)
    assert out["detectable_hr_protective"] == pytest.approx(1 / out["detectable_hr"])


def test_forest_figure_draws_every_level(tmp_path: Path) -> None:
    """The image: one blue ORR marker row and one vermillion HR row per tested level."""
    import matplotlib.image as mpimg

    from her2resist.report.figures import save_figure
    from her2resist.report.subgroup_forest import subgroup_forest_figure

    frame, columns = synthetic()
    endpoints = frame.rename(columns={"time": "pfs_months", "event": "pfs_event"})
    table = subgroup_table(endpoints, frame, columns)
    png = save_figure(subgroup_forest_figure(table), tmp_path / "forest")[0]
    image = mpimg.imread(png)[:, :, :3]

    def rows_with(colour: str) -> int:
        rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        hit = (np.abs(image - rgb) < 0.02).all(axis=2).any(axis=1)
        return int((np.diff(hit.astype(int)) == 1).sum())  # separate horizontal bands

    assert rows_with("#0072B2") == len(table)  # ORR for every row, All patients included
    assert rows_with("#D55E00") == table["hr_vs_rest"].notna().sum()


def test_subgroups_named_by_their_labels() -> None:
    """Issue 19: the subgroup table and its forest plot name factors and levels as the other
    tables do (config labels, else the readable default), not by column codes."""
    from her2resist.report.labels import Labels
    from her2resist.report.subgroup_forest import subgroup_forest_figure
    from her2resist.report.trial_tables import subgroup_spec

    frame, columns = synthetic()
    endpoints = frame.rename(columns={"time": "pfs_months", "event": "pfs_event"})
    table = subgroup_table(endpoints, frame, columns)
    labels = Labels({columns[0]: "First factor"})
    spec = subgroup_spec(table, labels)
    shown = set(spec.data["label"])
    assert "First factor" in shown and columns[0] not in shown
    figure = subgroup_forest_figure(table, labels)
    texts = {t.get_text() for t in figure.axes[0].texts}
    assert any(t.startswith("First factor: ") for t in texts)
    assert not any(t.startswith(f"{columns[0]}: ") for t in texts)


def test_only_what_the_study_measured(tmp_path: Path) -> None:
    """Issue 15 part 7: a study without response data gets no ORR (not 0 %), one without
    PFS no PFS columns or follow-up; the forest plot draws the measured panel alone."""
    import matplotlib.image as mpimg

    from her2resist.report.figures import save_figure
    from her2resist.report.subgroup_forest import subgroup_forest_figure
    from her2resist.report.trial_tables import subgroup_spec

    frame, columns = synthetic()
    endpoints = frame.rename(columns={"time": "pfs_months", "event": "pfs_event"})
    endpoints["os_months"], endpoints["os_event"] = endpoints["pfs_months"], endpoints["pfs_event"]
    pfs_only = subgroup_table(endpoints, frame, columns, measured=("pfs",))
    assert pfs_only[["responders", "orr", "orr_lcl", "orr_ucl"]].isna().all().all()
    assert pfs_only["pfs_median"].notna().all()
    headers = [c.header for c in subgroup_spec(pfs_only).columns]
    assert not any("ORR" in h for h in headers) and any("PFS HR" in h for h in headers)
    figure = subgroup_forest_figure(pfs_only)
    assert [ax.get_xlabel() for ax in figure.axes[1:]] == ["PFS HR vs other patients (95% CI)"]
    image = mpimg.imread(save_figure(figure, tmp_path / "forest")[0])[:, :, :3]
    blue = np.array([0x00, 0x72, 0xB2]) / 255
    assert not (np.abs(image - blue) < 0.02).all(axis=2).any()  # no ORR marker anywhere

    response_only = subgroup_table(endpoints, frame, columns, measured=("response",))
    assert response_only[["pfs_n", "pfs_median", "hr_vs_rest"]].isna().all().all()
    assert response_only["orr"].notna().all()
    figure = subgroup_forest_figure(response_only)
    assert [ax.get_xlabel() for ax in figure.axes[1:]] == ["ORR, % (exact 95% CI)"]

    follow = median_follow_up(endpoints, measured=("os",))
    assert list(follow["endpoint"]) == ["os_follow_up"]
