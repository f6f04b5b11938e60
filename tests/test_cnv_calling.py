"""Threshold calls, purity rescaling (checked against CNVkit's formula) and sex chromosomes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.cnv import (
    CNV_COLUMNS,
    DEFAULT_THRESHOLDS,
    call_copy_number,
    read_segments,
    segments_to_genes,
)
from her2resist.errors import InputError

GENES_GRCH37 = Path(__file__).parent / "data" / "cnv" / "genes_grch37_subset.tsv"
ERBB2 = {"gene": "ERBB2", "chrom": "17", "start": 37844167, "end": 37886679, "n_segments": 1}


def _genes(log2: list[float], chrom: str = "17", sample: str = "S1") -> pd.DataFrame:
    return pd.DataFrame(
        [{**ERBB2, "sample_id": sample, "chrom": chrom, "log2": value} for value in log2]
    )


def _calls(log2: list[float], **kwargs) -> list[str]:
    return call_copy_number(_genes(log2), **kwargs)["call"].tolist()


def test_output_columns_and_defaults() -> None:
    out = call_copy_number(_genes([0.0]))
    assert list(out.columns) == CNV_COLUMNS
    assert DEFAULT_THRESHOLDS == {
        "amplification": 1.0,
        "gain": 0.3,
        "shallow_deletion": -0.3,
        "deep_deletion": -1.1,
    }
    assert out.loc[0, "copy_number"] == 2
    assert np.isnan(out.loc[0, "purity"])


def test_threshold_boundaries_follow_cnvkit() -> None:
    """Losses include the threshold (log2 <= t), gains must exceed it (log2 > t)."""
    values = [-1.2, -1.1, -1.0, -0.3, -0.29, 0.0, 0.3, 0.31, 1.0, 1.01, 3.0]
    assert _calls(values) == [
        "deep_deletion",
        "deep_deletion",
        "shallow_deletion",
        "shallow_deletion",
        "neutral",
        "neutral",
        "neutral",
        "gain",
        "gain",
        "amplification",
        "amplification",
    ]


def test_missing_log2_gets_no_call() -> None:
    out = call_copy_number(_genes([np.nan, 0.0]))
    assert out["call"].isna().tolist() == [True, False]
    assert out["copy_number"].isna().tolist() == [True, False]


def test_purity_rescues_a_diluted_erbb2_amplification() -> None:
    """log2 0.6 at 30% purity: only a gain as observed, an amplification once corrected."""
    assert _calls([0.6]) == ["gain"]
    out = call_copy_number(_genes([0.6]), purity=0.3)
    # CNVkit _log2_ratio_to_absolute: n = (r * 2^v - x * (1 - p)) / p with r = x = 2
    tumour_copies = (2 * 2**0.6 - 2 * (1 - 0.3)) / 0.3
    assert tumour_copies == pytest.approx(5.438, abs=1e-3)
    assert out.loc[0, "log2"] == pytest.approx(np.log2(tumour_copies / 2))
    assert out.loc[0, "copy_number"] == 5
    assert out.loc[0, "call"] == "amplification"
    assert out.loc[0, "purity"] == 0.3


@pytest.mark.parametrize("purity", [0.2, 0.3, 0.55, 0.9])
@pytest.mark.parametrize("tumour_copies", [0, 1, 3, 4, 8, 20])
def test_purity_rescaling_inverts_the_mixture(purity: float, tumour_copies: int) -> None:
    """Mix n tumour copies with diploid normal cells, observe the log2, rescale: get n back.

    This is the model in CNVkit's docstring (v = log2(p*n/r + (1-p)*x/r)); the rescaled log2
    is log2(n / ploidy) as CNVkit's log2_ratios writes it (floored at log2(1e-3))."""
    observed = np.log2((purity * tumour_copies + (1 - purity) * 2) / 2)
    out = call_copy_number(_genes([observed]), purity=purity)
    assert out.loc[0, "log2"] == pytest.approx(np.log2(max(tumour_copies / 2, 1e-3)))
    assert out.loc[0, "copy_number"] == tumour_copies


def test_purity_clamps_impossible_losses_to_zero_copies() -> None:
    # log2 -3 at 50% purity is below the normal-cell floor: n would be negative
    out = call_copy_number(_genes([-3.0]), purity=0.5)
    assert out.loc[0, "copy_number"] == 0
    assert out.loc[0, "log2"] == pytest.approx(np.log2(1e-3))
    assert out.loc[0, "call"] == "deep_deletion"


def test_purity_per_sample_and_full_purity() -> None:
    frame = pd.concat([_genes([0.6], sample="A"), _genes([0.6], sample="B")])
    out = call_copy_number(frame, purity={"A": 0.3}).set_index("sample_id")
    assert out.loc["A", "call"] == "amplification"
    assert out.loc["B", "call"] == "gain"  # no purity known: taken as observed
    assert _calls([0.6], purity=1.0) == ["gain"]


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.2])
def test_invalid_purity(bad: float) -> None:
    with pytest.raises(InputError, match="outside"):
        call_copy_number(_genes([0.1]), purity=bad)


def test_absolute_copy_number_rule() -> None:
    """amplification_cn replaces the log2 amplification cut-off: CN >= 6 in a diploid genome."""
    log2 = [np.log2(c / 2) for c in (3, 5, 6, 9)]
    assert _calls(log2) == ["gain", "amplification", "amplification", "amplification"]
    assert _calls(log2, thresholds={"amplification_cn": 6}) == [
        "gain",
        "gain",
        "amplification",
        "amplification",
    ]
    # with purity the rule applies to the corrected copy number
    out = call_copy_number(_genes([0.6]), purity=0.3, thresholds={"amplification_cn": 6})
    assert (out.loc[0, "copy_number"], out.loc[0, "call"]) == (5, "gain")


def test_custom_thresholds_and_deep_deletion_cn() -> None:
    assert _calls([0.25], thresholds={"gain": 0.2}) == ["gain"]
    assert _calls([-1.5], thresholds={"deep_deletion_cn": 0}) == ["shallow_deletion"]  # 0.7 cn
    assert _calls([-4.0], thresholds={"deep_deletion_cn": 0}) == ["deep_deletion"]


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ({"gain": 1.5}, "must satisfy"),
        ({"deep_deletion": -0.1}, "must satisfy"),
        ({"amp": 1.0}, "unknown threshold"),
        ({"gain": "high"}, "not a number"),
    ],
)
def test_invalid_thresholds(thresholds: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call_copy_number(_genes([0.0]), thresholds=thresholds)


def test_ploidy_scales_copy_number() -> None:
    out = call_copy_number(_genes([0.0, 1.0]), ploidy=4)
    assert out["copy_number"].tolist() == [4, 8]


def test_sex_chromosomes_against_a_male_reference(shared_data: Path) -> None:
    """p2-9_2 was called against a haploid-X (male) reference: its whole X sits at log2 ~1.17.

    Taken at face value AR looks amplified; for a female sample (2 X copies expected, 1 in the
    reference) it is copy-neutral, which is what CNVkit's reference/expect copies give."""
    genes = pd.read_csv(GENES_GRCH37, sep="\t", dtype={"chrom": str})
    path = shared_data / "variants" / "cnvkit" / "cnvkit_p2-9_2.call.cns"
    gene_level = segments_to_genes(read_segments(path, fmt="cnvkit_cns"), genes)
    naive = call_copy_number(gene_level).set_index("gene")
    assert naive.loc["AR", "call"] == "amplification"
    female = call_copy_number(gene_level, haploid_x_reference=True, sample_sex="female")
    ar = female.set_index("gene").loc["AR"]
    # reference 1 copy: n = 1 * 2^1.16924 = 2.25 copies vs 2 expected
    assert ar["copy_number"] == 2
    assert ar["log2"] == pytest.approx(np.log2(2**1.16924 / 2))
    assert ar["call"] == "neutral"
    # autosomes are unaffected by the sex options
    pd.testing.assert_series_equal(
        naive.drop(index="AR")["call"], female.set_index("gene").drop(index="AR")["call"]
    )


def test_unknown_sample_sex() -> None:
    with pytest.raises(InputError, match="unknown sample sex"):
        call_copy_number(_genes([0.0], chrom="X"), sample_sex="unknown")
