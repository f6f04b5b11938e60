"""Stage 3, cnv: gene-level copy-number calls per sample, from segments or a gene table."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from her2resist import cnv
from her2resist.run import PathLike
from her2resist.tables import write_tsv


def run_cnv_from_gene_table(
    table: PathLike, out: PathLike, samples: Iterable[str], thresholds: dict[str, float]
) -> None:
    """Read a cohort gene-level copy-number table once; one cohort table of ``samples``."""
    calls = cnv.read_gene_table(table, thresholds=thresholds).reindex(columns=cnv.CNV_COLUMNS)
    write_tsv(calls[calls["sample_id"].isin(set(samples))], out)


def run_cnv(
    path: PathLike,
    out: PathLike,
    *,
    sample_id: str,
    fmt: str,
    thresholds: dict[str, float],
    gene_coordinates: PathLike,
    purity: float | None = None,
) -> pd.DataFrame:
    if fmt == "gene_table":
        calls = cnv.read_gene_table(path)
        calls = calls[calls["sample_id"] == sample_id]
    else:
        segments = cnv.read_segments(path, fmt=fmt, sample_id=sample_id)
        genes = pd.read_csv(gene_coordinates, sep="\t", dtype={"chrom": str})
        gene_level = cnv.segments_to_genes(segments, genes)
        calls = cnv.call_copy_number(gene_level, thresholds=thresholds, purity=purity)
    calls = calls.reindex(columns=cnv.CNV_COLUMNS)
    write_tsv(calls, out)
    return calls
