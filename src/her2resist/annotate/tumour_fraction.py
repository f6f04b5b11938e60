"""Per-sample tumour fraction, plasma copy-number correction and deletion evaluability.

Estimate (method ``somatic_vaf``): twice the median VAF of the sample's clonal-looking
somatic SNVs, capped at 1. Somatic SNVs are single-base mutation calls that pass every
filter, are not CHIP or germline and, in a sample without a matched normal, do not sit at a
heterozygous/homozygous germline-like VAF (0.4-0.6 or >= 0.9). "Clonal-looking" keeps those
at or above half of the highest such VAF, so subclones do not drag the estimate down. A
heterozygous clonal SNV in a diploid region has VAF = TF / 2, hence the factor 2.

Without such SNVs the sheet's ``purity`` is used (method ``sheet_purity``); tissue prefers the
sheet's purity (pathology or copy-number based) when given, plasma prefers the VAF estimate
(``tumour_fraction.prefer``). A sample whose estimate is below ``tumour_fraction.min_for_deletions``
(default 0.05), or plasma without any estimate, is not evaluable for deletions: a homozygous
deletion in 2 % tumour DNA moves the log2 ratio by log2(0.98) = -0.03, invisible to a caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from her2resist.tables import records
from her2resist.vocabulary import CTDNA, TISSUE

DEFAULTS = {
    "min_for_deletions": 0.05,
    "prefer": {TISSUE: "purity", CTDNA: "vaf"},
    "correct_plasma_genes": ["ERBB2"],
    "amplification_log2": 1.0,
}
TUMOUR_FRACTION_COLUMNS = [
    "sample_id",
    "estimate",
    "method",
    "n_variants",
    "patient_id",
    "specimen",
    "timepoint",
    "vaf_estimate",
    "sheet_purity",
    "deletion_evaluable",
]


@dataclass(frozen=True)
class Estimate:
    estimate: float
    method: str
    n_variants: int


def settings_of(config_section: dict | None) -> dict:
    return DEFAULTS | (config_section or {})


def estimate_from_vafs(vafs: Any) -> Estimate:
    """2 x median of the clonal-looking VAFs (>= half the maximum), capped at 1."""
    try:  # numbers (a stage's float column) need no parsing
        values = np.asarray(vafs, dtype=float)
    except (TypeError, ValueError):
        values = np.asarray(pd.to_numeric(pd.Series(vafs, dtype=object), errors="coerce"), float)
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return Estimate(float("nan"), "none", 0)
    clonal = values[values >= 0.5 * values.max()]
    return Estimate(float(min(1.0, 2 * np.median(clonal))), "somatic_vaf", int(len(clonal)))


def somatic_snv_vafs(calls: pd.DataFrame) -> pd.Series:
    """VAFs of the somatic SNVs the estimate uses (see the module docstring)."""
    if calls is None or not len(calls):
        return pd.Series([], dtype=float)
    frame = pd.DataFrame(calls)
    for column in ("ref", "alt", "normal_vaf", "chip_flag", "germline_flag"):
        if column not in frame:
            frame[column] = None
    vaf = pd.to_numeric(frame["vaf"], errors="coerce")
    ref, alt = (frame[column].astype(str) for column in ("ref", "alt"))
    snv = ref.str.fullmatch("[ACGT]") & alt.str.fullmatch("[ACGT]")
    no_normal = pd.to_numeric(frame["normal_vaf"], errors="coerce").isna()
    germline_like = no_normal & (vaf.between(0.4, 0.6) | vaf.ge(0.9))
    keep = (
        frame["alteration_type"].eq("mutation")
        & frame["filter_status"].eq("PASS")
        & ~frame["chip_flag"].map(_truthy)
        & ~frame["germline_flag"].map(_truthy)
        & snv
        & vaf.notna()
        & ~germline_like
    )
    return vaf[keep]


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes"}


def _purity(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number if 0 < number <= 1 else float("nan")


def sample_tumour_fraction(
    alterations: pd.DataFrame, samples: pd.DataFrame, config_section: dict | None = None
) -> pd.DataFrame:
    """One row per sample of the sheet (TUMOUR_FRACTION_COLUMNS)."""
    settings = settings_of(config_section)
    prefer = DEFAULTS["prefer"] | (settings.get("prefer") or {})
    floor = float(settings["min_for_deletions"])
    # the SNV filter is row-wise: applied once to the cohort, then split by sample (one
    # DataFrame per sample made this stage minutes long at cohort size)
    vafs = somatic_snv_vafs(alterations)
    if len(vafs):
        by_sample = dict(tuple(vafs.groupby(alterations.loc[vafs.index, "sample_id"])))
    else:
        by_sample = {}
    no_vafs = estimate_from_vafs([])
    rows = []
    for sample in records(samples):
        sid = sample["sample_id"]
        specimen = str(sample.get("specimen"))
        vaf = estimate_from_vafs(by_sample[sid]) if sid in by_sample else no_vafs
        purity = _purity(sample.get("purity"))
        use_purity = np.isfinite(purity) and (
            prefer.get(specimen, "vaf") == "purity" or not np.isfinite(vaf.estimate)
        )
        # without an estimate from VAFs, vaf is (nan, "none")
        estimate, method = (purity, "sheet_purity") if use_purity else (vaf.estimate, vaf.method)
        # Unknown fraction: tissue is assumed adequate (it passed pathology), plasma is not.
        evaluable = estimate >= floor if np.isfinite(estimate) else specimen != CTDNA
        rows.append(
            {
                "sample_id": sid,
                "estimate": estimate,
                "method": method,
                "n_variants": vaf.n_variants,
                "patient_id": sample.get("patient_id"),
                "specimen": specimen,
                "timepoint": sample.get("timepoint"),
                "vaf_estimate": vaf.estimate,
                "sheet_purity": purity,
                "deletion_evaluable": bool(evaluable),
            }
        )
    return pd.DataFrame(rows, columns=TUMOUR_FRACTION_COLUMNS)


def corrected_copy_number(log2: Any, tumour_fraction: float, ploidy: int = 2) -> np.ndarray:
    """Tumour copy number from an observed ratio diluted by normal DNA:
    2^log2 = TF * CN / ploidy + (1 - TF)  =>  CN = ploidy * (2^log2 - (1 - TF)) / TF."""
    ratio = np.power(2.0, np.asarray(log2, dtype=float))
    return np.maximum(ploidy * (ratio - (1 - tumour_fraction)) / tumour_fraction, 0.0)


def adjust_plasma_copy_number(
    cnv: pd.DataFrame, tumour_fraction: float, config_section: dict | None = None
) -> pd.DataFrame:
    """Plasma ERBB2 (``correct_plasma_genes``) copy number corrected by the tumour fraction.

    Only rows not already purity-corrected by the cnv stage (``purity`` empty) change: their
    ``copy_number`` becomes the corrected value and ``call`` becomes amplification when the
    corrected log2 (log2(CN / 2)) reaches ``amplification_log2``. Unknown or zero tumour
    fraction leaves the table as it is."""
    settings = settings_of(config_section)
    if cnv is None or not len(cnv) or not np.isfinite(tumour_fraction) or tumour_fraction <= 0:
        return cnv
    out = cnv.copy()
    purity = pd.to_numeric(out.get("purity", pd.Series(np.nan, index=out.index)), errors="coerce")
    rows = out["gene"].isin(settings["correct_plasma_genes"]) & purity.isna()
    if "log2" not in out or not rows.any():
        return out
    copies = corrected_copy_number(out.loc[rows, "log2"], tumour_fraction)
    out["copy_number"] = out.get("copy_number", pd.Series(np.nan, index=out.index)).astype(object)
    out.loc[rows, "copy_number"] = np.round(copies, 2)
    with np.errstate(divide="ignore"):
        amplified = np.log2(np.maximum(copies, 1e-9) / 2) >= float(settings["amplification_log2"])
    out["call"] = out["call"].astype(object)
    out.loc[rows[rows].index[amplified], "call"] = "amplification"
    return out
