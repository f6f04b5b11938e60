"""Copy number stage: segments -> gene-level log2 -> five-level calls.

Public API::

    CNV_COLUMNS
    read_segments(path, *, fmt, sample_id=None)
    segments_to_genes(segments, genes)
    call_copy_number(gene_level, *, thresholds=None, purity=None, ploidy=2)
    read_gene_table(path, *, kind="auto")
"""

from her2resist.cnv.calling import (
    CNV_COLUMNS,
    DEFAULT_THRESHOLDS,
    absolute_copy_number,
    call_copy_number,
)
from her2resist.cnv.gene_table import read_gene_table
from her2resist.cnv.genes import segments_to_genes
from her2resist.cnv.segments import read_segments

__all__ = [
    "CNV_COLUMNS",
    "DEFAULT_THRESHOLDS",
    "absolute_copy_number",
    "call_copy_number",
    "read_gene_table",
    "read_segments",
    "segments_to_genes",
]
