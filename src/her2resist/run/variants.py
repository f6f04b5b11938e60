"""Stage 2, variants: one variant table per sample, from a VCF or a (cohort) MAF."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from her2resist.run import PathLike
from her2resist.tables import write_tsv
from her2resist.variants import read_maf, write_vcf_table

log = logging.getLogger(__name__)


def run_variants(
    path: PathLike,
    out: PathLike,
    *,
    sample_id: str,
    variant_format: str = "vcf",
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    regions: list[tuple[str, int, int]] | None = None,
) -> dict[str, Any]:
    """Write one sample's variant table; returns ``rows`` and what was not tabulated."""
    if variant_format == "maf":
        table = read_maf(path)
        table = table[table["sample_id"] == sample_id]
        write_tsv(table, out)
        summary = {"rows": len(table), **table.attrs}
    else:
        summary = write_vcf_table(
            path,
            out,
            sample_id=sample_id,
            annotation=annotation or "auto",
            tumor=tumor or None,
            normal=normal or None,
            regions=regions,
        )
    log.info("%s: %d variant rows written to %s", sample_id, summary["rows"], out)
    for key in ("skipped_symbolic", "skipped_no_alt"):
        if summary.get(key):
            log.info("%s: %s = %d (not tabulated)", sample_id, key, summary[key])
    for warning in summary.get("warnings", []):
        log.warning("%s: %s", sample_id, warning)
    return summary


def run_variants_from_maf(maf: PathLike, out: PathLike, samples: Iterable[str]) -> None:
    """Read a cohort MAF once; one cohort table (``cohort.tsv``, read by
    :func:`read_stage_tables`) of the rows of ``samples``, the sheet's."""
    table = read_maf(maf)
    write_tsv(table[table["sample_id"].isin(set(samples))], out)
