"""Gene-level copy-number tables: cBioPortal/GISTIC discrete calls or absolute copy numbers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.cnv._tables import (
    MISSING_TOKENS,
    find_column,
    header_key,
    normalise_chroms,
    numeric_column,
    read_tsv,
    require_columns,
)
from her2resist.cnv.calling import CNV_COLUMNS, classify, resolve_thresholds
from her2resist.errors import InputError, Problem
from her2resist.tables import first_header

GENE_TABLE_KINDS = ("auto", "discrete", "absolute")

# cBioPortal discrete CNA values (GISTIC thresholded calls). The importer also accepts
# -1.5 (used by some panels for a loss between hemizygous and homozygous); it is not a
# confirmed homozygous deletion, so it is read as a shallow deletion.
DISCRETE_CALLS = {
    2.0: "amplification",
    1.0: "gain",
    0.0: "neutral",
    -1.0: "shallow_deletion",
    -1.5: "shallow_deletion",
    -2.0: "deep_deletion",
}
_CALL_OF_TEXT = {f"{value:g}": call for value, call in DISCRETE_CALLS.items()}

# Identifier columns of data_CNA.txt and GISTIC all_thresholded.by_genes.txt; every
# other column is a sample.
_GENE_SYMBOL_ALIASES = ("hugosymbol", "genesymbol", "gene")
_ID_COLUMN_KEYS = {"hugosymbol", "entrezgeneid", "genesymbol", "locusid", "cytoband", "gene"}

_ABSOLUTE_COLUMNS = {
    "sample_id": ("sampleid", "sample", "tumorsamplebarcode"),
    "gene": ("gene", "hugosymbol", "genesymbol"),
    "copy_number": ("copynumber", "cn", "totalcn", "tcn"),
}


def read_gene_table(
    path: str | Path,
    *,
    kind: str = "auto",
    thresholds: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Read a gene-level table into ``CNV_COLUMNS`` (long: one row per sample x gene).

    ``kind="discrete"``: cBioPortal ``data_CNA.txt`` style (``Hugo_Symbol``,
    [``Entrez_Gene_Id``], one column per sample, values -2..2; GISTIC ``Gene Symbol``/
    ``Locus ID``/``Cytoband`` also accepted). ``kind="absolute"``: columns ``sample_id,
    gene, copy_number`` (already purity-corrected, e.g. from ASCAT/FACETS), called with
    ``thresholds`` against a diploid normal. ``"auto"`` picks by the columns present. Empty / NA
    cells are not evaluable and left out.
    """
    path = Path(path)
    if kind not in GENE_TABLE_KINDS:
        raise InputError.one(
            str(path),
            f"unknown gene table kind {kind!r}",
            hint=f"use {', '.join(GENE_TABLE_KINDS)}",
        )
    table = read_tsv(path)
    if kind == "auto":
        kind = _detect_kind(path, table)
    if kind == "discrete":
        return _read_discrete(path, table)
    return _read_absolute(path, table, thresholds)


def _detect_kind(path: Path, table: pd.DataFrame) -> str:
    if find_column(table.columns, _ABSOLUTE_COLUMNS["copy_number"]) and find_column(
        table.columns, _ABSOLUTE_COLUMNS["sample_id"]
    ):
        return "absolute"
    if find_column(table.columns, ("hugosymbol", "genesymbol")):
        return "discrete"
    raise InputError.one(
        str(path),
        "cannot tell the gene table's layout: expected Hugo_Symbol + one column per sample "
        "(cBioPortal data_CNA) or sample_id, gene, copy_number; found columns "
        f"{', '.join(map(str, table.columns))}",
        where=1,
        hint="rename the columns or set the table kind in the config",
    )


def _read_discrete(path: Path, table: pd.DataFrame) -> pd.DataFrame:
    symbol = find_column(table.columns, _GENE_SYMBOL_ALIASES)
    if symbol is None:
        raise InputError.one(
            str(path),
            "missing gene symbol column (Hugo_Symbol or Gene Symbol); found "
            f"{', '.join(map(str, table.columns))}",
            where=1,
        )
    samples = [c for c in table.columns if header_key(c) not in _ID_COLUMN_KEYS]
    if not samples:
        raise InputError.one(str(path), "no sample columns after the gene columns", where=1)
    # long, sample by sample (column-major): the cells as written, mapped as text where
    # they are written as calls are ("-1"), parsed as numbers otherwise (" 2.0")
    values = pd.Series(table[samples].to_numpy().ravel(order="F"))
    calls = values.map(_CALL_OF_TEXT)
    other = calls.isna().to_numpy()
    text = values[other].str.strip()
    measured = ~other
    measured[other] = ~text.isin(MISSING_TOKENS).to_numpy()
    calls[other] = pd.to_numeric(text, errors="coerce").map(DISCRETE_CALLS)
    bad = np.flatnonzero(measured & calls.isna().to_numpy())
    if len(bad):
        gene_row, sample = bad[0] % len(table), samples[bad[0] // len(table)]
        raise InputError.one(
            str(path),
            f"value {values[bad[0]].strip()!r} is not a discrete copy-number call",
            where=int(table.index[gene_row]),
            column=str(sample),
            hint="use -2 (deep deletion), -1 (shallow deletion), 0, 1 (gain), 2 "
            "(amplification); for log2 or absolute values use segments or kind=absolute",
        )
    genes = table[symbol].str.strip().to_numpy()
    out = pd.DataFrame(
        {
            "sample_id": np.repeat(np.array(samples, dtype=object), len(table)),
            "gene": np.tile(genes, len(samples)),
            "call": calls,
        }
    )
    return _as_cnv_frame(out[measured])


def _read_absolute(
    path: Path, table: pd.DataFrame, thresholds: Mapping[str, float] | None
) -> pd.DataFrame:
    columns = require_columns(path, table, _ABSOLUTE_COLUMNS, "absolute copy-number table")
    copies = numeric_column(path, table, columns["copy_number"], allow_missing=True)
    negative = copies < 0
    if negative.any():
        raise InputError.one(
            str(path),
            f"copy number {copies[negative].iloc[0]:g} is negative",
            where=int(copies.index[negative][0]),
            column=columns["copy_number"],
        )
    present = copies.notna()
    copies = copies[present]
    out = pd.DataFrame(
        {
            "sample_id": table.loc[present, columns["sample_id"]].str.strip(),
            "gene": table.loc[present, columns["gene"]].str.strip(),
            # log2 ratio vs the diploid normal; CNVkit floors the ratio at 1e-3
            "log2": np.log2(np.maximum(copies / 2, 1e-3)),
            "copy_number": pd.array(np.round(copies.to_numpy()), dtype="Int64"),
        }
    )
    if "chrom" in table.columns:
        out["chrom"] = normalise_chroms(table.loc[present, "chrom"].str.strip())
    limits = resolve_thresholds(thresholds)
    out["call"] = classify(out["log2"].to_numpy(), out["copy_number"], limits).to_numpy()
    return _as_cnv_frame(out)


def _as_cnv_frame(calls: pd.DataFrame) -> pd.DataFrame:
    """Fill the CNV_COLUMNS a gene table does not provide with missing values."""
    out = pd.DataFrame(index=calls.index)
    for column in ("sample_id", "gene", "chrom", "call"):
        values = calls[column] if column in calls.columns else pd.NA
        out[column] = pd.Series(values, index=calls.index, dtype="string")
    for column in ("start", "end", "n_segments", "copy_number"):
        values = calls[column] if column in calls.columns else pd.NA
        out[column] = pd.Series(values, index=calls.index, dtype="Int64")
    for column in ("log2", "purity"):
        out[column] = calls[column] if column in calls.columns else np.nan
    return out[CNV_COLUMNS].reset_index(drop=True)


def check_gene_table_header(path: str | Path, *, row: str = "") -> list[Problem]:
    """A gene-level table's header: Hugo_Symbol (or Gene_Symbol) and one column per sample,
    or the long layout sample_id, gene, copy_number."""
    columns, line = first_header(path)
    keys = {header_key(c) for c in columns}
    layouts = [("hugosymbol",), ("genesymbol",), ("sampleid", "gene", "copynumber")]
    if any(all(k in keys for k in layout) for layout in layouts):
        return []
    return [
        Problem(
            str(path),
            "gene table needs Hugo_Symbol + one column per sample, or sample_id, gene, "
            f"copy_number; found: {', '.join(columns)}" + row,
            line or 1,
            "Hugo_Symbol",
            "rename the columns",
        )
    ]
