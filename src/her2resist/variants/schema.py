"""The variant table's columns, dtypes and a column-wise builder."""

from __future__ import annotations

import numpy as np
import pandas as pd

VARIANT_COLUMNS: list[str] = [
    "sample_id", "chrom", "pos", "ref", "alt", "gene", "transcript", "hgvsc", "hgvsp",
    "hgvsp_short", "consequence", "variant_class", "exon", "depth", "alt_reads", "vaf",
    "filter", "caller", "population_af", "protein_position", "biotype", "canonical",
    "normal_depth", "normal_alt_reads", "normal_vaf",
]  # fmt: skip

#: Appended after VARIANT_COLUMNS: MAF-style coordinates and the full consequence list.
EXTRA_COLUMNS: list[str] = ["variant_type", "maf_start", "all_consequences"]

DTYPES: dict[str, str] = {
    **dict.fromkeys(VARIANT_COLUMNS + EXTRA_COLUMNS, "object"),
    "pos": "int64",
    **dict.fromkeys(
        ("depth", "alt_reads", "protein_position", "normal_depth", "normal_alt_reads", "maf_start"),
        "Int64",
    ),
    **dict.fromkeys(("vaf", "population_af", "normal_vaf"), "float64"),
    "canonical": "bool",
}


def frame_from_columns(
    columns: dict[str, list], dtypes: dict[str, str] | None = None
) -> pd.DataFrame:
    """Build the table from column lists (strings stay object dtype with None for missing)."""
    dtypes = DTYPES | (dtypes or {})
    names = [c for c in VARIANT_COLUMNS + EXTRA_COLUMNS if c in columns]
    data = {name: _column_array(columns[name], dtypes[name]) for name in names}
    return pd.DataFrame(data, columns=names)


def _column_array(values: list, dtype: str):
    """Column lists -> arrays, avoiding pandas' per-element type inference (it is slow)."""
    if dtype == "object":
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array
    if dtype == "Int64":
        mask = np.fromiter((v is None or v is pd.NA for v in values), dtype=bool, count=len(values))
        filled = [0 if m else v for v, m in zip(values, mask.tolist(), strict=True)]
        return pd.arrays.IntegerArray(np.array(filled, dtype="int64"), mask)
    return np.array(values, dtype=dtype)  # float64: None is NaN
