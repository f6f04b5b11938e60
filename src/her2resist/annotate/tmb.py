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

from typing import Any


def coding_megabases(
    panel_size_mb: float | dict[str, float] | None,
    sample: dict[str, Any],
    read_regions: str | None = "all",
) -> float | None:
    """Coding Mb profiled for one sample, or None where TMB cannot be reported.

    ``panel_size_mb`` (config): one number for every sample, or a mapping looked up by the
    sample's ``panel`` (a sample-sheet column, e.g. a cBioPortal panel id), then its
    ``specimen`` (``tissue``, ``ctdna``). None when neither key is in the mapping, and with
    ``read_regions: pathway_genes``: then only pathway genes were read, so the count is not
    that of the panel, and the workflow has no coding size of those genes alone."""
    if read_regions == "pathway_genes":
        return None
    if isinstance(panel_size_mb, dict):
        for key in (sample.get("panel"), sample.get("specimen")):
            if key is not None and str(key) in panel_size_mb:
                return float(panel_size_mb[str(key)])
        return None
    return float(panel_size_mb) if panel_size_mb else None
