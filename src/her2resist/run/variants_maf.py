"""Stage 2, variants from a MAF: a cohort MAF's table, or one sample's rows of its own MAF."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from her2resist.run import PathLike
from her2resist.run.variants import log_summary
from her2resist.tables import write_tsv
from her2resist.variants.maf import read_maf


def run_variants_from_maf(maf: PathLike, out: PathLike, samples: Iterable[str]) -> dict[str, Any]:
    """Read a MAF once; write the rows of ``samples`` (the sheet's, or one sample's) as one
    table (a cohort's ``cohort.tsv`` is read by ``tables.read_stage_tables``); returns
    ``rows`` and ``read_maf``'s ``attrs``."""
    samples = list(samples)
    table = read_maf(maf)
    table = table[table["sample_id"].isin(set(samples))]
    write_tsv(table, out)
    summary = {"rows": len(table), **table.attrs}
    log_summary(samples[0] if len(samples) == 1 else f"{len(samples)} samples", summary, out)
    return summary
