"""The variant table as a pandas frame: the column-wise builder both readers use, and
:func:`read_vcf`, the VCF reader's table held in memory (``vcf.write_vcf_table`` streams the
same table to a file, and imports no pandas: a variants job of the workflow does not)."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

import numpy as np
import pandas as pd
import polars as pl

from .schema import ALL_COLUMNS, DTYPES
from .vcf import Region, table_chunks


def read_vcf(
    path: str | PathLike[str],
    *,
    sample_id: str,
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    regions: list[Region] | None = None,
    custom_isoforms: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read a (optionally bgzipped/indexed) VCF into the variant table.

    Parameters
    ----------
    annotation
        ``"vep"`` (INFO/CSQ), ``"snpeff"`` (INFO/ANN, else legacy INFO/EFF), ``"auto"``
        (first of CSQ, ANN, EFF declared in the header) or ``"none"`` to read an
        unannotated VCF (annotation columns are then NA).
    tumor, normal
        Sample column names. ``tumor=None`` uses ``##tumor_sample=``, else the only sample;
        ``normal=None`` uses ``##normal_sample=`` when present.
    regions
        ``(chrom, start, end)``, 1-based inclusive; records overlapping any region are
        kept. Uses the .tbi/.csi index when there is one, otherwise streams the file.
        ``chr17`` and ``17`` name the same contig when the VCF has only one of them.
    custom_isoforms
        Transcript IDs preferred over VEP's canonical ones (vcf2maf ``--custom-enst``).

    ``df.attrs`` holds ``skipped_symbolic`` (symbolic, breakend and ``*`` ALTs not
    tabulated), ``skipped_no_alt``, ``caller``, ``annotation``, ``tumor``, ``normal``
    and ``warnings``. ``vcf.write_vcf_table`` writes the same table without holding it.
    """
    attrs: dict = {}
    options = dict(annotation=annotation, tumor=tumor, normal=normal, regions=regions)
    frames = table_chunks(
        attrs, path, sample_id, lambda rows: rows, custom_isoforms=custom_isoforms, **options
    )
    table = pl.concat(list(frames))
    df = frame_from_columns({name: table[name].to_list() for name in ALL_COLUMNS})
    df.attrs.update(attrs)
    return df


def frame_from_columns(
    columns: dict[str, list], dtypes: dict[str, str] | None = None
) -> pd.DataFrame:
    """Build the table from column lists (strings stay object dtype with None for missing)."""
    dtypes = DTYPES | (dtypes or {})
    names = [c for c in ALL_COLUMNS if c in columns]
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
