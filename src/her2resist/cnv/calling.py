"""Gene-level copy-number calls from log2 ratios, with CNVkit-style purity rescaling.

Default thresholds (log2 ratio vs the normal copy number; boundaries as CNVkit's
``call -m threshold``: losses include the threshold, gains must exceed it):

================  ===========  ======================================================
call              rule         meaning for a pure diploid sample
================  ===========  ======================================================
deep_deletion     <= -1.1      < 0.93 copies: homozygous loss (CNVkit's DEL cut-off)
shallow_deletion  <= -0.3      < 1.62 copies: one copy lost in most cells
gain              >  0.3       > 2.46 copies: one extra copy in most cells
amplification     >  1.0       > 4 copies (CNVkit would write cn >= 5: it rounds up)
================  ===========  ======================================================

The gain/loss cut-offs sit between CNVkit's tumour defaults (-0.25/+0.2, tuned for 50%
purity) and its germline suggestion (-0.4/+0.3). The amplification cut-off (log2 > 1,
more than double the normal copies) is a common high-level cut-off for segment log2
data: an ERBB2 amplicon of 5+ copies is an amplification while a single-copy arm gain
(3 copies, log2 0.58) stays a gain. It is a fixed cut-off, not GISTIC's sample-specific
one. ``copy_number`` is rounded to the nearest integer, so 4.0-4.5 copies show as 4 with
call amplification. Configure ``amplification_cn`` (e.g. 6) to call amplification on the
absolute copy number instead, and ``deep_deletion_cn`` (e.g. 0) likewise for deep
deletions.

Purity: with tumour purity p the observed ratio mixes tumour and normal cells,
``2^v = (p*n + (1-p)*x) / r`` (n tumour copies, x normal copies, r reference copies), so
``n = (r*2^v - x*(1-p)) / p``, clamped at 0; the rescaled log2 is ``log2(n/ploidy)``.
This is CNVkit's ``call --purity`` (cnvlib/call.py ``_log2_ratio_to_absolute`` and
``log2_ratios``, etal/cnvkit @ f7b2862).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from her2resist.errors import InputError

CNV_COLUMNS = [
    "sample_id",
    "gene",
    "chrom",
    "start",
    "end",
    "log2",
    "copy_number",
    "call",
    "n_segments",
    "purity",
]

DEFAULT_THRESHOLDS: dict[str, float] = {
    "amplification": 1.0,
    "gain": 0.3,
    "shallow_deletion": -0.3,
    "deep_deletion": -1.1,
}
_CN_RULES = ("amplification_cn", "deep_deletion_cn")

# CNVkit floors copy ratios at 1e-3 before taking log2 (log2_ratios, min_abs_val).
_MIN_RATIO = 1e-3

_THRESHOLD_SOURCE = "cnv thresholds (config)"


def resolve_thresholds(thresholds: Mapping[str, float] | None) -> dict[str, float]:
    """Defaults overlaid with the configured values, checked for order and known keys."""
    merged: dict[str, float] = dict(DEFAULT_THRESHOLDS)
    unknown = sorted(set(thresholds or {}) - set(DEFAULT_THRESHOLDS) - set(_CN_RULES))
    if unknown:
        raise InputError.one(
            _THRESHOLD_SOURCE,
            f"unknown threshold(s) {', '.join(unknown)}",
            hint=f"use {', '.join([*DEFAULT_THRESHOLDS, *_CN_RULES])}",
        )
    for key, value in (thresholds or {}).items():
        if value is None:
            continue
        try:
            merged[key] = float(value)
        except (TypeError, ValueError):
            raise InputError.one(
                _THRESHOLD_SOURCE, f"{key} = {value!r} is not a number", where=key
            ) from None
    ordered = [merged[k] for k in ("deep_deletion", "shallow_deletion", "gain", "amplification")]
    if not (ordered[0] < ordered[1] <= 0 <= ordered[2] < ordered[3]):
        raise InputError.one(
            _THRESHOLD_SOURCE,
            "log2 thresholds must satisfy deep_deletion < shallow_deletion <= 0 <= gain "
            f"< amplification; got {dict(zip(DEFAULT_THRESHOLDS, ordered[::-1], strict=True))}",
        )
    return merged


def call_copy_number(
    gene_level: pd.DataFrame,
    *,
    thresholds: Mapping[str, float] | None = None,
    purity: float | Mapping[str, float] | None = None,
    ploidy: int = 2,
    haploid_x_reference: bool = False,
    sample_sex: str | None = None,
) -> pd.DataFrame:
    """Call each sample x gene row (from ``segments_to_genes``) and return ``CNV_COLUMNS``.

    ``purity`` is one value for all samples or a ``{sample_id: purity}`` mapping (samples
    missing from it are taken as pure). ``log2`` in the result is the value the call was
    made on: purity-corrected when a purity < 1 is given. ``copy_number`` is the rounded
    absolute copy number estimate.

    Sex chromosomes follow CNVkit: the reference has ``ploidy/2`` copies of Y and, with
    ``haploid_x_reference``, of X; ``sample_sex`` ("female"/"male") sets the sample's
    normal X/Y count. Without ``sample_sex`` X/Y are assumed to match the reference.
    Rows with a missing log2 get no call.
    """
    limits = resolve_thresholds(thresholds)
    _check_ploidy(ploidy)
    # positional index: callers may pass concatenated frames with repeated labels
    out = gene_level.reset_index(drop=True)
    sample_purity = _purity_per_row(out, purity)
    reference, expected = _reference_and_expected_copies(
        out["chrom"].astype(str), ploidy, haploid_x_reference, sample_sex
    )
    observed = out["log2"].to_numpy(dtype=float)
    absolute = absolute_copy_number(observed, reference, expected, sample_purity)
    out["purity"] = sample_purity
    out["copy_number"] = pd.array(np.round(absolute), dtype="Int64")
    out["log2"] = _log2_vs_expected(observed, absolute, reference, expected, sample_purity)
    out["call"] = classify(out["log2"].to_numpy(), out["copy_number"], limits).to_numpy()
    if "n_segments" not in out.columns:
        out["n_segments"] = pd.NA
    return out[CNV_COLUMNS].reset_index(drop=True)


def _log2_vs_expected(
    observed: np.ndarray,
    absolute: np.ndarray,
    reference: np.ndarray,
    expected: np.ndarray,
    purity: np.ndarray,
) -> np.ndarray:
    """log2 of tumour copies relative to the sample's normal copies: the quantity called.

    Without purity correction this is the observed log2 shifted by log2(r/x) (zero on
    autosomes), computed directly so values on a threshold stay exactly on it.
    """
    impure = np.isfinite(purity) & (purity < 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rescaled = np.log2(np.maximum(absolute / expected, _MIN_RATIO))
        shifted = observed + np.log2(reference / expected)
    result = np.where(impure, rescaled, shifted)
    # a chromosome the sample should not have (Y in a female sample) cannot be called
    return np.where(expected > 0, result, np.nan)


def classify(
    log2: np.ndarray, copy_number: pd.Series | Sequence[float], limits: Mapping[str, float]
) -> pd.Series:
    """Five-level call from log2 (and absolute CN when a ``*_cn`` rule is configured)."""
    log2 = np.asarray(log2, dtype=float)
    cn = pd.Series(copy_number, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    calls = np.full(log2.shape, "neutral", dtype=object)
    calls[log2 > limits["gain"]] = "gain"
    calls[log2 <= limits["shallow_deletion"]] = "shallow_deletion"
    if "amplification_cn" in limits:
        calls[(cn >= limits["amplification_cn"]) & (log2 > 0)] = "amplification"
    else:
        calls[log2 > limits["amplification"]] = "amplification"
    if "deep_deletion_cn" in limits:
        calls[(cn <= limits["deep_deletion_cn"]) & (log2 < 0)] = "deep_deletion"
    else:
        calls[log2 <= limits["deep_deletion"]] = "deep_deletion"
    calls[np.isnan(log2)] = None
    return pd.Series(calls, dtype="string")


def absolute_copy_number(
    log2: np.ndarray,
    reference: np.ndarray,
    expected: np.ndarray,
    purity: np.ndarray | float | None = None,
) -> np.ndarray:
    """Tumour copy number from log2 ratios (CNVkit ``_log2_ratio_to_absolute``).

    Pure sample: ``n = r * 2^v``. Purity p < 1: ``n = (r*2^v - x*(1-p)) / p``, clamped at
    0 because a deletion below the normal-contamination floor would give a negative count.
    """
    log2 = np.asarray(log2, dtype=float)
    reference = np.broadcast_to(np.asarray(reference, dtype=float), log2.shape)
    expected = np.broadcast_to(np.asarray(expected, dtype=float), log2.shape)
    p = np.broadcast_to(np.asarray(np.nan if purity is None else purity, dtype=float), log2.shape)
    impure = np.isfinite(p) & (p < 1.0)
    ratio_copies = reference * np.exp2(log2)
    safe_p = np.where(impure, p, 1.0)
    rescaled = np.maximum((ratio_copies - expected * (1.0 - safe_p)) / safe_p, 0.0)
    return np.where(impure, rescaled, ratio_copies)


def _reference_and_expected_copies(
    chrom: pd.Series, ploidy: int, haploid_x_reference: bool, sample_sex: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Copies in the reference (r) and in the sample's normal cells (x), per row.

    Mirrors CNVkit get_as_dframe_and_set_reference_and_expect_copies; with an unknown
    sample sex the sample's normal copies are taken to equal the reference's.
    """
    names = chrom.map(lambda c: str(c).upper().removeprefix("CHR")).to_numpy()
    is_x, is_y = names == "X", names == "Y"
    reference = np.full(names.shape, float(ploidy))
    reference[is_x] = ploidy // 2 if haploid_x_reference else ploidy
    reference[is_y] = ploidy // 2
    expected = reference.copy()
    if sample_sex is not None:
        female = _is_female(sample_sex)
        expected[is_x] = ploidy if female else ploidy // 2
        expected[is_y] = 0 if female else ploidy // 2
    return reference, expected


def _is_female(sample_sex: str) -> bool:
    key = str(sample_sex).strip().lower()
    if key in ("female", "f", "xx"):
        return True
    if key in ("male", "m", "xy"):
        return False
    raise InputError.one(
        "sample sheet", f"unknown sample sex {sample_sex!r}", hint="use female or male"
    )


def _purity_per_row(frame: pd.DataFrame, purity: float | Mapping[str, float] | None) -> np.ndarray:
    if purity is None:
        return np.full(len(frame), np.nan)
    if isinstance(purity, Mapping):
        for sample, value in purity.items():
            _check_purity(value, sample)
        values = frame["sample_id"].map(lambda s: purity.get(s, np.nan))
        return values.to_numpy(dtype=float)
    _check_purity(purity, None)
    return np.full(len(frame), float(purity))


def _check_purity(value: float | None, sample: str | None) -> None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return
    if not 0.0 < float(value) <= 1.0:
        raise InputError.one(
            "sample sheet",
            f"purity {value!r} is outside (0, 1]",
            where=f"sample {sample}" if sample else None,
            column="purity",
            hint="give purity as a fraction, e.g. 0.6 for 60%",
        )


def _check_ploidy(ploidy: int) -> None:
    if not (isinstance(ploidy, int | np.integer) and ploidy > 0):
        raise InputError.one(
            "config", f"ploidy {ploidy!r} must be a positive integer", column="ploidy"
        )
