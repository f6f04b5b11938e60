"""The denominator of tumour mutational burden: the coding megabases a sample's assay profiles.

TMB = somatic non-synonymous coding mutations / coding Mb. The numerator counts the
Variant_Classification values of maftools' ``tmb()`` (its ``vc_nonSyn`` default:
Frame_Shift_Del/Ins, In_Frame_Del/Ins, Missense, Nonsense, Nonstop, Splice_Site,
Translation_Start_Site; ``her2resist.annotate.alterations.NONSYNONYMOUS``). cBioPortal's
``calc_nonsyn_tmb.py`` (datahub-study-curation-tools) also counts Splice_Region; this workflow
does not, as maftools. The denominator must be the coding size of what was sequenced: the
panel's ``number_of_profiled_coding_base_pairs`` (cBioPortal gene panel files), or the coding
bases of its BED, per panel, and tissue and plasma panels separately.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from her2resist.errors import InputError

PANEL_SIZE_KEY = "number_of_profiled_coding_base_pairs:"


@lru_cache(maxsize=32)
def panel_megabases(path: str) -> float:
    """Coding Mb of a panel file: a cBioPortal gene panel file's
    ``number_of_profiled_coding_base_pairs``, else a BED of the panel's coding targets
    (overlapping intervals merged, 0-based half-open as BED is)."""
    file = Path(path)
    if not file.is_file():
        raise InputError.one(path, "panel file for TMB not found", hint="fix panel_size_mb")
    intervals: dict[str, list[tuple[int, int]]] = {}
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(PANEL_SIZE_KEY):
            return int(line.removeprefix(PANEL_SIZE_KEY).strip()) / 1e6
        if not line.strip() or line.startswith(("#", "track", "browser")) or ":" in line:
            continue  # other gene-panel keys (stable_id:, gene_list:) and BED headers
        fields = line.split("\t")
        try:
            start, end = int(fields[1]), int(fields[2])
        except (IndexError, ValueError):
            raise InputError.one(
                path,
                "not a BED line (chrom, start, end) nor a cBioPortal gene panel key",
                where=number,
                hint=f"a BED of coding targets, or a gene panel file with {PANEL_SIZE_KEY}",
            ) from None
        intervals.setdefault(fields[0], []).append((start, end))
    total = 0
    for spans in intervals.values():
        reach = -1
        for start, end in sorted(spans):
            total += max(0, end - max(start, reach))
            reach = max(reach, end)
    return total / 1e6


def coding_megabases(
    panel_size_mb: float | str | dict[str, float | str] | None,
    sample: dict[str, Any],
    read_regions: str | None = "all",
) -> float | None:
    """Coding Mb profiled for one sample, or None where TMB cannot be reported.

    ``panel_size_mb`` (config): one value for every sample, or a mapping looked up by the
    sample's ``panel`` (a sample-sheet column, e.g. a cBioPortal panel id), then its
    ``specimen`` (``tissue``, ``ctdna``). A value is Mb, or the path of a panel file
    (:func:`panel_megabases`). None when neither key is in the mapping, and with
    ``read_regions: pathway_genes``: then only pathway genes were read, so the count is not
    that of the panel, and the workflow has no coding size of those genes alone."""
    if read_regions == "pathway_genes":
        return None
    value = panel_size_mb
    if isinstance(panel_size_mb, dict):
        keys = [str(k) for k in (sample.get("panel"), sample.get("specimen")) if k is not None]
        value = next((panel_size_mb[k] for k in keys if k in panel_size_mb), None)
    if isinstance(value, str):
        return panel_megabases(value)
    return float(value) if value else None
