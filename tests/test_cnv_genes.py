"""Gene coordinates and segment -> gene mapping on real CNVkit and TCGA-LAML segments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.cnv import (
    CNV_COLUMNS,
    call_copy_number,
    read_segments,
    segments_to_genes,
)
from her2resist.config import resolve_resources, validate_config
from her2resist.errors import InputError

GENES_GRCH37 = Path(__file__).parent / "data" / "cnv" / "genes_grch37_subset.tsv"


@pytest.fixture(scope="module")
def genes() -> pd.DataFrame:
    return read_genes(GENES_GRCH37)


def read_genes(path: Path | str) -> pd.DataFrame:
    """A gene coordinate table as the cnv stage reads it (her2resist.run.cnv)."""
    return pd.read_csv(path, sep="\t", dtype={"chrom": str})


@pytest.fixture(scope="module")
def cnvkit_dir(shared_data: Path) -> Path:
    return shared_data / "variants" / "cnvkit"


@pytest.fixture(scope="module")
def laml_segments(shared_data: Path) -> pd.DataFrame:
    return read_segments(shared_data / "cohorts/maftools/LAML_CBS_segments.tsv.gz", fmt="seg")


def _gene_calls(segments: pd.DataFrame, genes: pd.DataFrame) -> pd.DataFrame:
    return call_copy_number(segments_to_genes(segments, genes)).set_index(["sample_id", "gene"])


def _hand_log2(segments: pd.DataFrame, gene: pd.Series) -> tuple[float, int]:
    """Length-weighted mean log2 of the segments overlapping a gene, computed plainly."""
    on_chrom = segments[segments["chrom"] == gene["chrom"]]
    lo = np.maximum(on_chrom["start"], gene["start"])
    hi = np.minimum(on_chrom["end"], gene["end"])
    bases = (hi - lo + 1).clip(lower=0)
    hit = bases > 0
    return float(np.average(on_chrom["log2"][hit], weights=bases[hit])), int(hit.sum())


def test_fixture_gene_table(genes: pd.DataFrame) -> None:
    assert list(genes.columns) == ["gene", "chrom", "start", "end", "strand", "ensembl_gene_id"]
    erbb2 = genes.set_index("gene").loc["ERBB2"]
    assert (erbb2["chrom"], erbb2["start"], erbb2["end"]) == ("17", 37844167, 37886679)
    assert genes["start"].dtype == np.int64


@pytest.mark.parametrize(("build", "erbb2_start_mb"), [("GRCh38", 39.69), ("GRCh37", 37.84)])
def test_default_resources_table(build: str, erbb2_start_mb: float) -> None:
    """The workflow's own gene table of each build (config genome_build)."""
    path = resolve_resources({"genome_build": build})["gene_coordinates"]
    table = read_genes(path).set_index("gene")
    assert table.loc["ERBB2", "chrom"] == "17"
    assert table.loc["ERBB2", "start"] / 1e6 == pytest.approx(erbb2_start_mb, abs=0.02)


def test_unknown_build() -> None:
    with pytest.raises(InputError, match="genome_build: 'hg18' is not one of"):
        validate_config({"clinical": {"table": "x.tsv"}, "genome_build": "hg18"})


def test_weighted_mean_and_uncovered_genes() -> None:
    segments = pd.DataFrame(
        {
            "sample_id": ["S1"] * 3,
            "chrom": ["1", "1", "2"],
            "start": [1, 150, 1],
            "end": [149, 1000, 1000],
            "log2": [1.0, -1.0, 0.5],
        }
    )
    genes = pd.DataFrame(
        {
            "gene": ["SPLIT", "INSIDE", "ELSEWHERE"],
            "chrom": ["1", "1", "3"],
            "start": [100, 400, 1],
            "end": [249, 500, 100],
        }
    )
    out = segments_to_genes(segments, genes).set_index("gene")
    # SPLIT: 50 bases at +1.0 (100-149) and 100 bases at -1.0 (150-249)
    assert out.loc["SPLIT", "log2"] == pytest.approx((50 * 1.0 + 100 * -1.0) / 150)
    assert out.loc["SPLIT", "n_segments"] == 2
    assert out.loc["INSIDE", "log2"] == -1.0
    assert "ELSEWHERE" not in out.index  # not covered: caller marks it not evaluable


@pytest.mark.parametrize(
    ("name", "fmt", "amplified"),
    [
        ("cnvkit_amplicon.cns", "cnvkit_cns", {"MET", "AKT1", "PTEN"}),
        ("cnvkit_amplicon.cnr", "cnvkit_cnr", {"MET", "AKT1", "PTEN", "KRAS", "PIK3CA"}),
        ("cnvkit_nv3.cns", "cnvkit_cns", {"EGFR"}),
        ("cnvkit_tr95t.segmetrics.cns", "cnvkit_cns", {"CDK4", "MDM2"}),
    ],
)
def test_amplified_genes_in_cnvkit_samples(
    cnvkit_dir: Path, genes: pd.DataFrame, name: str, fmt: str, amplified: set[str]
) -> None:
    """Focal amplicons in CNVkit's test samples (segments labelled MET, EGFR, CDK4, MDM2 with
    log2 1.8-3.8) must come out as gene-level amplifications, ERBB2-style."""
    calls = call_copy_number(
        segments_to_genes(read_segments(cnvkit_dir / name, fmt=fmt), genes)
    ).set_index("gene")
    assert set(calls.index[calls["call"] == "amplification"]) == amplified
    # log2 > 1 means more than 4 copies; copy_number is rounded, so 4.3 copies shows as 4
    assert (calls.loc[sorted(amplified), "copy_number"] >= 4).all()


def test_hand_checked_amplicon_gene(cnvkit_dir: Path, genes: pd.DataFrame) -> None:
    segments = read_segments(cnvkit_dir / "cnvkit_amplicon.cns", fmt="cnvkit_cns")
    calls = _gene_calls(segments, genes)
    # AKT1 14:105235686-105262088 overlaps two segments (1-based):
    # 105236635-105243254 log2 0.907791 (6,620 bp) and 105246292-105259095 log2 2.28231 (12,804 bp)
    expected = (0.907791 * 6620 + 2.28231 * 12804) / (6620 + 12804)
    akt1 = calls.loc[("cnvkit_amplicon", "AKT1")]
    assert akt1["log2"] == pytest.approx(expected)
    assert akt1["n_segments"] == 2
    # MET: 116335752-116371963 (2.96307) and 116379961-116436223 (3.81256); 2 * 2^3.48 = 22 copies
    assert calls.loc[("cnvkit_amplicon", "MET"), "copy_number"] == 22


def test_call_cns_gene_cn_matches_segment(cnvkit_dir: Path, genes: pd.DataFrame) -> None:
    segments = read_segments(cnvkit_dir / "cnvkit_p2-9_2.call.cns", fmt="cnvkit_cns")
    gene_level = segments_to_genes(segments, genes).set_index("gene")
    # ERBB2 lies in chr17 segment log2 -0.303637, CNVkit cn 1 -> our shallow deletion
    assert gene_level.loc["ERBB2", "cn"] == 1
    calls = call_copy_number(gene_level.reset_index()).set_index("gene")
    assert calls.loc["ERBB2", "call"] == "shallow_deletion"


def test_laml_gene_level_spot_checks(laml_segments: pd.DataFrame, genes: pd.DataFrame) -> None:
    calls = _gene_calls(laml_segments, genes)
    assert len(calls) == 191 * len(genes)  # whole-genome CBS covers every gene in every sample
    by_gene = genes.set_index("gene")
    for sample, gene, call in [
        ("TCGA-AB-2823", "MYC", "amplification"),
        ("TCGA-AB-2920", "ERBB2", "shallow_deletion"),
        ("TCGA-AB-2887", "RUNX1", "gain"),  # RUNX1 spans two segments here
        ("TCGA-AB-2803", "ERBB2", "neutral"),
    ]:
        one = laml_segments[laml_segments["sample_id"] == sample]
        log2, n_segments = _hand_log2(one, by_gene.loc[gene].rename({"index": "gene"}))
        row = calls.loc[(sample, gene)]
        assert row["log2"] == pytest.approx(log2), (sample, gene)
        assert row["n_segments"] == n_segments
        assert row["call"] == call, (sample, gene)
    assert calls.loc[("TCGA-AB-2887", "RUNX1"), "n_segments"] == 2


def test_single_sample_seg_gene_calls(shared_data: Path, genes: pd.DataFrame) -> None:
    segments = read_segments(shared_data / "cohorts/maftools/TCGA.AB.3009.hg19.seg.txt", fmt="seg")
    calls = call_copy_number(segments_to_genes(segments, genes))
    assert list(calls.columns) == CNV_COLUMNS
    assert set(calls["call"]) == {"neutral"}  # a near-diploid AML genome at these genes
    erbb2 = calls.set_index("gene").loc["ERBB2"]
    log2, _ = _hand_log2(segments, genes.set_index("gene").loc["ERBB2"])
    assert erbb2["log2"] == pytest.approx(log2) == pytest.approx(0.0317)
    pik3ca = calls.set_index("gene").loc["PIK3CA"]
    assert pik3ca["n_segments"] == 3


def test_cohort_mapping_is_fast(laml_segments: pd.DataFrame, genes: pd.DataFrame) -> None:
    """191 samples x 23 chromosomes of blocks: guard against per-group pandas overhead."""
    import time

    began = time.perf_counter()
    segments_to_genes(laml_segments, genes)
    assert time.perf_counter() - began < 2.0
