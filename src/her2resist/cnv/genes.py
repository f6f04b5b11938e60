"""The segment -> gene mapping."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

GENE_LEVEL_COLUMNS = ["sample_id", "gene", "chrom", "start", "end", "log2", "n_segments"]


def segments_to_genes(segments: pd.DataFrame, genes: pd.DataFrame) -> pd.DataFrame:
    """Per sample x gene: the log2 of the segment(s) overlapping the gene.

    When several segments (or CNVkit bins) overlap a gene the log2 is their mean weighted
    by the number of gene bases each covers, and ``n_segments`` counts them. Both tables
    use 1-based inclusive coordinates. Genes no segment touches are absent from the output
    (the caller reports them as not evaluable). If the segments carry CNVkit's integer
    ``cn``, the gene gets the ``cn`` of the segment covering most of it.
    """
    _require_frame_columns("segments", segments, ["sample_id", "chrom", "start", "end", "log2"])
    _require_frame_columns("genes", genes, ["gene", "chrom", "start", "end"])
    segments = segments[segments["log2"].notna()].reset_index(drop=True)
    genes = genes.reset_index(drop=True)
    has_cn = "cn" in segments.columns
    columns = GENE_LEVEL_COLUMNS + (["cn"] if has_cn else [])

    arrays = _Arrays.of(segments, genes)
    genes_on = {str(c): rows.to_numpy() for c, rows in genes.groupby("chrom").groups.items()}
    hits = []
    for chrom, sample_code, rows in _sample_chrom_blocks(segments):
        if chrom in genes_on:
            hit = _overlap_block(arrays, rows, genes_on[chrom])
            if hit is not None:
                hits.append((sample_code, *hit))
    if not hits:
        return pd.DataFrame(columns=columns)
    out = _assemble(hits, segments, genes, has_cn)
    return out.sort_values(["sample_id", "gene"], kind="stable")[columns].reset_index(drop=True)


@dataclass(frozen=True)
class _Arrays:
    """Plain numpy columns: the overlap loop runs per sample x chromosome block and
    pandas indexing overhead would dominate for cohorts (thousands of blocks)."""

    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_log2: np.ndarray
    gene_start: np.ndarray
    gene_end: np.ndarray

    @classmethod
    def of(cls, segments: pd.DataFrame, genes: pd.DataFrame) -> _Arrays:
        return cls(
            segments["start"].to_numpy(dtype=np.int64),
            segments["end"].to_numpy(dtype=np.int64),
            segments["log2"].to_numpy(dtype=float),
            genes["start"].to_numpy(dtype=np.int64),
            genes["end"].to_numpy(dtype=np.int64),
        )


def _sample_chrom_blocks(segments: pd.DataFrame) -> list[tuple[str, int, np.ndarray]]:
    """(chrom, sample code, segment rows sorted by start) for each sample x chromosome."""
    sample_codes, _ = pd.factorize(segments["sample_id"])
    chrom_codes, chrom_names = pd.factorize(segments["chrom"].astype(str))
    order = np.lexsort((segments["start"].to_numpy(), sample_codes, chrom_codes))
    key = chrom_codes[order].astype(np.int64) * (int(sample_codes.max()) + 1) + sample_codes[order]
    bounds = np.flatnonzero(np.r_[True, np.diff(key) != 0, True])
    return [
        (str(chrom_names[chrom_codes[order[lo]]]), int(sample_codes[order[lo]]), order[lo:hi])
        for lo, hi in pairwise(bounds)
    ]


def _overlap_block(
    arrays: _Arrays, seg_rows: np.ndarray, gene_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Genes hit by one sample's segments on one chromosome.

    Returns (gene rows, weighted log2, n_segments, row of the largest-overlap segment).
    """
    seg_start, seg_end = arrays.seg_start[seg_rows], arrays.seg_end[seg_rows]
    gene_start, gene_end = arrays.gene_start[gene_rows], arrays.gene_end[gene_rows]
    gene_idx, seg_idx = _candidate_pairs(seg_start, seg_end, gene_start, gene_end)
    overlap = (
        np.minimum(gene_end[gene_idx], seg_end[seg_idx])
        - np.maximum(gene_start[gene_idx], seg_start[seg_idx])
        + 1  # both ends inclusive
    )
    hit = overlap > 0
    gene_idx, seg_idx, overlap = gene_idx[hit], seg_idx[hit], overlap[hit].astype(float)
    if gene_idx.size == 0:
        return None
    n = gene_rows.size
    bases = np.bincount(gene_idx, weights=overlap, minlength=n)
    log2_sum = np.bincount(
        gene_idx, weights=overlap * arrays.seg_log2[seg_rows][seg_idx], minlength=n
    )
    n_segments = np.bincount(gene_idx, minlength=n)
    covered = n_segments > 0
    best = seg_rows[_largest_overlap(gene_idx, seg_idx, overlap)]
    return gene_rows[covered], log2_sum[covered] / bases[covered], n_segments[covered], best


def _candidate_pairs(
    seg_start: np.ndarray, seg_end: np.ndarray, gene_start: np.ndarray, gene_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(gene, segment) index pairs that may overlap; segments sorted by start.

    A sorted sweep keeps memory proportional to the overlaps, which matters for
    whole-genome .cnr files with 100,000s of bins. Using the running maximum of the ends
    keeps it correct if segments overlap each other; pairs that turn out not to overlap
    are filtered by the caller.
    """
    running_max_end = np.maximum.accumulate(seg_end)
    first = np.searchsorted(running_max_end, gene_start, side="left")
    last = np.searchsorted(seg_start, gene_end, side="right")
    counts = np.clip(last - first, 0, None)
    gene_idx = np.repeat(np.arange(gene_start.size), counts)
    # position of each pair within its gene's run: 0, 1, ..., counts-1
    run_starts = np.repeat(np.cumsum(counts) - counts, counts)
    seg_idx = np.repeat(first, counts) + (np.arange(gene_idx.size) - run_starts)
    return gene_idx, seg_idx


def _largest_overlap(gene_idx: np.ndarray, seg_idx: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Per gene (ascending), the segment index with the largest overlap."""
    order = np.lexsort((-overlap, gene_idx))
    first_of_gene = np.r_[True, np.diff(gene_idx[order]) != 0]
    return seg_idx[order][first_of_gene]


def _assemble(
    hits: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    segments: pd.DataFrame,
    genes: pd.DataFrame,
    has_cn: bool,
) -> pd.DataFrame:
    _, sample_names = pd.factorize(segments["sample_id"])
    codes, gene_rows, log2, n_segments, best = (list(x) for x in zip(*hits, strict=True))
    gene_rows_all = np.concatenate(gene_rows)
    out = genes.loc[gene_rows_all, ["gene", "chrom", "start", "end"]].reset_index(drop=True)
    sample_code = np.repeat(codes, [rows.size for rows in gene_rows])
    out.insert(0, "sample_id", np.asarray(sample_names)[sample_code])
    out["log2"] = np.concatenate(log2)
    out["n_segments"] = np.concatenate(n_segments)
    if has_cn:
        out["cn"] = segments["cn"].to_numpy()[np.concatenate(best)]
    return out


def _require_frame_columns(name: str, frame: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} table lacks column(s) {', '.join(missing)}; "
            f"has {', '.join(map(str, frame.columns))}"
        )
