"""Figures at cohort scale (issue 15, part 8), checked as images: the oncoprint of 2,000
patients has no overprinted label band, only the tracks the study has data for, and draws
fast; KM censor marks stay distinct; the time axis names the configured origin."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from her2resist.report import figures

GENES = ["PIK3CA", "TP53", "ERBB2", "PTEN", "AKT1"]
FREQUENCY = {"PIK3CA": 0.3, "TP53": 0.25, "ERBB2": 0.15, "PTEN": 0.06, "AKT1": 0.03}
KIND = {
    "PIK3CA": ("mutation", "Missense_Mutation"),
    "TP53": ("mutation", "Nonsense_Mutation"),
    "ERBB2": ("amplification", ""),
    "PTEN": ("deep_deletion", ""),
    "AKT1": ("mutation", "Missense_Mutation"),
}


def study(n: int, seed: int = 1, response: bool = False) -> dict[str, pd.DataFrame]:
    """Gene matrix, alterations, endpoints and samples of ``n`` patients: OS only, tissue
    only (``response``: also PFS, best response and plasma, as the trial has)."""
    rng = np.random.default_rng(seed)
    patients = [f"P{i:04d}" for i in range(n)]
    status = {g: np.where(rng.random(n) < FREQUENCY[g], "altered", "wild_type") for g in GENES}
    status["AKT1"][rng.random(n) < 0.05] = "not_evaluable"
    matrix = pd.DataFrame({"patient_id": patients, "timepoint": "baseline", **status})
    rows = [
        {
            "patient_id": p,
            "sample_id": f"{p}_T",
            "timepoint": "baseline",
            "gene": g,
            "alteration_type": KIND[g][0],
            "variant_class": KIND[g][1],
            "counts_as_altered": True,
        }
        for g in GENES
        for p, s in zip(patients, status[g], strict=True)
        if s == "altered"
    ]
    os_months = np.round(rng.exponential(40, n), 1)
    endpoints = pd.DataFrame(
        {
            "patient_id": patients,
            "os_months": os_months,
            "os_event": (rng.random(n) < 0.5).astype(int),
            "pfs_months": np.round(os_months * 0.5, 1) if response else np.nan,
            "pfs_event": 1 if response else np.nan,
            "best_response": rng.choice(["CR", "PR", "SD", "PD"], n) if response else "",
        }
    )
    specimens = ["tissue", "ctdna"] if response else ["tissue"]
    samples = pd.DataFrame(
        [
            {"patient_id": p, "sample_id": f"{p}_{s}", "specimen": s, "timepoint": "baseline"}
            for p in patients
            for s in specimens
        ]
    )
    return {
        "alterations": pd.DataFrame(rows),
        "gene_matrix": matrix,
        "endpoints": endpoints,
        "samples": samples,
    }


def render(fig, path: Path) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """The PNG as an (rows, columns, channels) array and each axes' box in pixels
    (left, bottom-row, right, top-row; rows counted from the top)."""
    fig.canvas.draw()
    height = fig.get_figheight() * figures.DPI
    boxes = []
    for ax in fig.axes:
        x0, y0, x1, y1 = ax.get_position().extents
        boxes.append((x0, height * (1 - y0), x1, height * (1 - y1)))
    figures.save_figure(fig, path)
    image = matplotlib.image.imread(path.with_suffix(".png"))
    widths = image.shape[1]
    return image, [(b[0] * widths, b[1], b[2] * widths, b[3]) for b in boxes]


def has_colour(image: np.ndarray, colour: str, tolerance: float = 0.02) -> int:
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    return int((np.abs(image[..., :3] - rgb).max(axis=2) < tolerance).sum())


def dark_share(region: np.ndarray) -> float:
    return float((region[..., :3].mean(axis=2) < 0.5).mean())


def test_memo_sort_orders_patients_as_maftools() -> None:
    altered = pd.DataFrame(
        [[0, 1, 1, 0, 1], [1, 1, 0, 0, 0], [0, 0, 1, 1, 1]],
        index=["A", "B", "C"],
        columns=["p1", "p2", "p3", "p4", "p5"],
    ).astype(bool)
    # binary patterns, top gene most significant: p1 010, p2 110, p3 101, p4 001, p5 101
    assert figures.memo_sort(altered) == ["p2", "p3", "p5", "p1", "p4"]
    # within groups (e.g. best response), each group in memo order
    assert figures.memo_sort(altered, [1, 1, 0, 0, 0]) == ["p3", "p5", "p4", "p2", "p1"]


def test_oncoprint_of_2000_patients(tmp_path: Path) -> None:
    data = study(2000)
    started = time.perf_counter()
    fig = figures.oncoprint_figure(**data)
    image, boxes = render(fig, tmp_path / "oncoprint")
    assert time.perf_counter() - started < 20
    grid, time_track = boxes
    assert len(boxes) == 2  # grid + OS bars: no response, specimen or PFS track
    assert fig.axes[1].get_ylabel() == "OS (mo)"
    # no per-patient labels: the band below the grid is (nearly) empty, not a black smear
    below = image[int(grid[1]) + 5 : int(grid[1]) + 60, int(grid[0]) : int(grid[2])]
    assert dark_share(below) < 0.03
    # the OS bars are drawn above the grid
    bars = image[int(time_track[3]) : int(time_track[1]), int(time_track[0]) : int(time_track[2])]
    assert dark_share(bars) > 0.05
    # the alteration colours are in the grid, and no response colour anywhere
    cells = image[int(grid[3]) : int(grid[1]), int(grid[0]) : int(grid[2])]
    assert has_colour(cells, figures.ALTERATION_COLOURS["missense"]) > 1000
    assert has_colour(cells, figures.ALTERATION_COLOURS["amplification"]) > 1000
    assert has_colour(image, figures.RESPONSE_COLOURS["SD"]) == 0
    # genes by frequency, most altered on top
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == GENES


def test_oncoprint_of_a_trial_keeps_labels_and_tracks(tmp_path: Path) -> None:
    fig = figures.oncoprint_figure(**study(30, response=True))
    image, boxes = render(fig, tmp_path / "oncoprint")
    assert len(boxes) == 4  # grid, specimen, response, PFS bars
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][:1] != [""]
    assert len(fig.axes[0].get_xticklabels()) == 30
    assert fig.axes[3].get_ylabel() == "PFS (mo)"
    assert has_colour(image, figures.RESPONSE_COLOURS["SD"]) > 100
    grid = boxes[0]
    below = image[int(grid[1]) + 5 : int(grid[1]) + 60, int(grid[0]) : int(grid[2])]
    assert dark_share(below) > 0.01  # the patient labels are there


def test_km_censor_marks_stay_distinct_at_cohort_scale(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 2000
    time_ = np.round(rng.exponential(50, n), 2)
    event = (rng.random(n) < 0.3).astype(int)  # mostly censored: thousands of marks
    group = rng.random(n) < 0.3
    fig = figures.km_figure(
        {"Wild type": (time_[~group], event[~group]), "Altered": (time_[group], event[group])},
        endpoint="os",
        title="OS by X",
        time_origin="diagnosis",
    )
    assert fig.axes[0].get_xlabel() == "Months since diagnosis"
    marks = [line for line in fig.axes[0].lines if line.get_marker() == "|"]
    max_time = time_.max()
    for line in marks:
        x = np.asarray(line.get_xdata())
        assert 10 < len(x) <= 1 / figures.CENSOR_MARK_SPACING + 1
        assert np.diff(x).min() >= figures.CENSOR_MARK_SPACING * max_time - 1e-9
    image, boxes = render(fig, tmp_path / "km")
    for colour in figures.GROUP_COLOURS[:2]:
        assert has_colour(image, colour, tolerance=0.05) > 200
    # the marks do not fuse into a bar: most of the plot area stays white
    plot = boxes[0]
    area = image[int(plot[3]) : int(plot[1]), int(plot[0]) : int(plot[2])]
    assert float((area[..., :3].min(axis=2) > 0.9).mean()) > 0.85


def test_censor_marks_keep_one_per_spacing() -> None:
    time_ = np.array([1.0, 1.1, 1.2, 5.0, 5.05, 9.0])
    surv = np.linspace(1, 0.5, 6)
    censor = np.array([1, 1, 0, 1, 1, 1])
    x, y = figures.censor_marks(time_, surv, censor, max_time=15.0)  # spacing 0.1
    assert list(x) == [1.0, 1.1, 5.0, 9.0]
    assert list(y) == [surv[0], surv[1], surv[3], surv[5]]


@pytest.mark.parametrize("origin", ["diagnosis", "randomisation"])
def test_trial_km_names_the_time_origin(origin: str) -> None:
    data = study(50)
    fig = figures.trial_km(data["endpoints"].assign(os_excluded=""), "os", origin)
    assert fig.axes[0].get_xlabel() == f"Months since {origin}"


def test_oncoprint_draws_fusions_as_fusions(tmp_path: Path) -> None:
    """A counted fusion is drawn in the fusion colour (it was 'other mutation' before)."""
    data = study(30, response=True)
    fused = data["alterations"]["gene"].eq(GENES[0])
    data["alterations"].loc[fused, ["alteration_type", "variant_class"]] = ["fusion", ""]
    image, boxes = render(figures.oncoprint_figure(**data), tmp_path / "oncoprint")
    grid = boxes[0]
    cells = image[int(grid[3]) : int(grid[1]), int(grid[0]) : int(grid[2])]
    assert has_colour(cells, figures.ALTERATION_COLOURS["fusion"]) > 100
    assert figures.alteration_kind("fusion", "") == "fusion"


def test_oncoprint_legends_do_not_overlap() -> None:
    """Legends side by side, none running into the next (NON-CR/NON-PD made the response
    legend wider than its fixed slot, and PD/NE were drawn over the specimen legend)."""
    fig = figures.oncoprint_figure(**study(30, response=True))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = sorted(
        (legend.get_window_extent(renderer) for legend in fig.legends), key=lambda b: b.x0
    )
    assert len(boxes) == 4  # alteration, response, specimen, PFS
    for left, right in itertools.pairwise(boxes):
        assert left.x1 <= right.x0, (left, right)
    assert boxes[-1].x1 <= fig.bbox.width


def test_oncoprint_domain_rows_and_long_labels() -> None:
    """A domain row (ERBB2:extracellular) shows its mutations' kind, not 'other', and its
    label fits inside the figure (it was clipped at the left edge)."""
    data = study(30, response=True)
    erbb2 = data["alterations"]["gene"].eq("ERBB2")
    data["alterations"]["domain"] = ""
    extra = data["alterations"][erbb2].assign(
        alteration_type="mutation", variant_class="Missense_Mutation", domain="extracellular_I"
    )
    data["alterations"] = pd.concat([data["alterations"], extra], ignore_index=True)
    altered = set(extra["patient_id"])
    data["gene_matrix"]["ERBB2:extracellular"] = [
        "altered" if p in altered else "wild_type" for p in data["gene_matrix"]["patient_id"]
    ]
    _, kinds = figures.oncoprint_data(data["alterations"], data["gene_matrix"])
    patient = sorted(altered)[0]
    assert kinds[("ERBB2:extracellular", patient)] == ["missense"]
    fig = figures.oncoprint_figure(**data)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for label in fig.axes[0].get_yticklabels():
        assert label.get_window_extent(renderer).x0 >= 0, label.get_text()
