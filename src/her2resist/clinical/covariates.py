"""Covariates of the adjusted Cox models: the configured clinical columns, numbers as they are,
categories as 0/1 indicators (first level dropped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.tables import read_table


def covariate_frame(config: dict[str, Any], clinical_path: str | Path) -> pd.DataFrame | None:
    names = config.get("covariates") or []
    if not names:
        return None
    clinical = read_table(clinical_path)
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    frame = clinical.set_index(patient_column)[names]
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    categorical = [c for c in names if numeric[c].isna().sum() > frame[c].isna().sum()]
    encoded = pd.get_dummies(frame[categorical], drop_first=True, dtype=float)
    return pd.concat([numeric.drop(columns=categorical), encoded], axis=1)
