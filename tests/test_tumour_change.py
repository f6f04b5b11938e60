"""Tumour measurements: % change from baseline of the target-lesion sum, best % change up to
progression, bad input named, and the spider and waterfall images."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from her2resist.clinical.tumour_change import (
    best_percent_change,
    percent_change,
    read_measurements,
)
from her2resist.errors import InputError
from her2resist.report.figures import RESPONSE_COLOURS
from her2resist.run.figures import run_tumour_figures

REFERENCE = pd.Series(pd.to_datetime(["2022-01-10", "2022-01-10"]), index=["A", "B"])


def measured(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["patient_id", "date", "target_lesion_sum"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_percent_change_from_the_last_baseline_and_best_up_to_progression() -> None:
    rows = [
        ("A", "2021-12-01", 90.0),  # an older scan: not the baseline
        ("A", "2022-01-05", 80.0),  # baseline: last on or before the reference date
        ("A", "2022-02-21", 60.0),
        ("A", "2022-04-04", 40.0),
        ("A", "2022-05-16", 100.0),  # progression (visit PD)
        ("A", "2022-06-27", 20.0),  # after progression: not in the best change
        ("B", "2022-02-21", 50.0),  # no baseline: left out
    ]
    changes = percent_change(measured(rows), REFERENCE)
    assert changes["patient_id"].tolist() == ["A"] * 4
    assert changes["pct_change"].tolist() == [-25.0, -50.0, 25.0, -75.0]
    assert changes["days"].tolist() == [42, 84, 126, 168]
    progression = pd.Series(pd.to_datetime(["2022-05-16"]), index=["A"])
    assert best_percent_change(changes, progression).to_dict() == {"A": -50.0}
    assert best_percent_change(changes, pd.Series(dtype="datetime64[ns]"))["A"] == -75.0


def test_bad_measurements_are_named(tmp_path: Path) -> None:
    path = tmp_path / "measurements.tsv"
    path.write_text(
        "patient_id\tdate\ttarget_lesion_sum\nA\t2022-01-05\t-3\nZ\t2022-01-05\t10\nA\tsoon\t5\n"
    )
    with pytest.raises(InputError) as caught:
        read_measurements(str(path), {"A", "B"}, None)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}, line 2, column 'target_lesion_sum': patient 'A': target-lesion sum '-3' is "
        "not a length in mm (fix: give the sum of target-lesion diameters in mm (0 for "
        "complete response))",
        f"{path}, line 3, column 'patient_id': patient 'Z' is not in the clinical table",
        f"{path}, line 4, column 'date': patient 'A': 'soon' is not a date",
    ]


def test_spider_and_waterfall_images(tmp_path: Path) -> None:
    """Each patient's line and bar in its response colour; the waterfall has one bar per
    patient with a best change."""
    changes = percent_change(
        measured(
            [
                ("A", "2022-01-05", 80.0),
                ("A", "2022-02-21", 40.0),
                ("A", "2022-04-04", 30.0),
                ("B", "2022-01-05", 50.0),
                ("B", "2022-02-21", 65.0),
            ]
        ),
        REFERENCE,
    )
    endpoints = pd.DataFrame(
        {"patient_id": ["A", "B"], "best_response": ["PR", "PD"], "best_pct_change": [-62.5, 30]}
    )
    endpoints.to_csv(tmp_path / "e.tsv", sep="\t", index=False)
    changes.to_csv(tmp_path / "c.tsv", sep="\t", index=False)
    run_tumour_figures(
        tmp_path / "e.tsv", tmp_path / "c.tsv", tmp_path / "s.png", tmp_path / "w.png"
    )
    for name in ("s.png", "w.png"):
        image = mpimg.imread(tmp_path / name)[:, :, :3]
        for response in ("PR", "PD"):
            colour = RESPONSE_COLOURS[response]
            rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
            assert ((np.abs(image - rgb) < 0.02).all(axis=2)).sum() > 200, (name, response)
    assert (tmp_path / "s.pdf").is_file() and (tmp_path / "w.pdf").is_file()
