"""Stage 2, variants: one sample's variant table from its VCF (MAFs: ``variants_maf``).

A cohort runs this job once per sample, so it imports no pandas (a fifth of a second and
50 MB a job): the table streams from the VCF reader to the file.
"""

from __future__ import annotations

import logging
from typing import Any

from her2resist.run import PathLike
from her2resist.variants.vcf import write_vcf_table

log = logging.getLogger(__name__)


def run_variants(
    path: PathLike,
    out: PathLike,
    *,
    sample_id: str,
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    regions: list[tuple[str, int, int]] | None = None,
) -> dict[str, Any]:
    """Write one sample's variant table; returns ``rows`` and what was not tabulated."""
    summary = write_vcf_table(
        path,
        out,
        sample_id=sample_id,
        annotation=annotation or "auto",
        tumor=tumor or None,
        normal=normal or None,
        regions=regions,
    )
    log_summary(sample_id, summary, out)
    return summary


def log_summary(label: str, summary: dict[str, Any], out: PathLike) -> None:
    """Rows written, records not tabulated and the reader's warnings, to the job's log."""
    log.info("%s: %d variant rows written to %s", label, summary["rows"], out)
    for key in ("skipped_symbolic", "skipped_no_alt"):
        if summary.get(key):
            log.info("%s: %s = %d (not tabulated)", label, key, summary[key])
    for warning in summary.get("warnings", []):
        log.warning("%s: %s", label, warning)
