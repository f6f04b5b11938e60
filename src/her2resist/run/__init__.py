"""One module per workflow stage: read the stage's files, call the domain packages, write files.

The rule scripts in ``workflow/scripts/`` and the ``her2resist`` command call these runners,
so a stage behaves the same inside and outside the workflow. Domain packages never import
from here. The readers below are of stage files that several runners read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.tables import read_table

PathLike = str | Path


def read_endpoints(path: PathLike) -> pd.DataFrame:
    return pd.read_csv(
        path, sep="\t", dtype={"patient_id": str}, keep_default_na=False, na_values=["NA", ""]
    )


def read_clinical(config: dict[str, Any], path: PathLike) -> pd.DataFrame:
    """The validated clinical table with its patient column named ``patient_id``."""
    column = config["clinical"]["columns"].get("patient_id", "patient_id")
    clinical = read_table(path).rename(columns={column: "patient_id"})
    return clinical.assign(patient_id=clinical["patient_id"].astype(str))
