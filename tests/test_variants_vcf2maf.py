"""Consequence choice vs mskcc/vcf2maf's published outputs (see consequence_disagreements.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from her2resist.variants.frame import read_vcf
from her2resist.variants.rules import variant_type

COMPARED = ("Hugo_Symbol", "Transcript_ID", "Variant_Classification", "HGVSp_Short")


def _maf_allele(ref: str, alt: str) -> str:
    """Tumor_Seq_Allele2 as vcf2maf writes it (shared leading bases removed, '-' if empty)."""
    return alt[variant_type(ref, alt)[2] :] or "-"


def _as_maf_fields(row) -> dict[str, str]:
    return {
        "Hugo_Symbol": row.gene or row.transcript or "Unknown",
        "Transcript_ID": row.transcript or "",
        "Variant_Classification": row.variant_class or "",
        "HGVSp_Short": row.hgvsp_short or "",
    }


def compare_with_maf(table: pd.DataFrame, maf_path: Path, key: str) -> tuple[int, list[str]]:
    """Match each MAF row to our row for the same locus and allele; list field mismatches.

    ``key`` is ``vcf_pos`` (newer vcf2maf writes the VCF POS) or ``Start_Position``.
    """
    maf = pd.read_csv(maf_path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    positions = table.pos if key == "vcf_pos" else table.maf_start
    ours = {
        (chrom, str(position), _maf_allele(ref, alt)): row
        for chrom, position, ref, alt, row in zip(
            table.chrom, positions, table.ref, table.alt, table.itertuples(), strict=True
        )
    }
    disagreements = []
    for maf_row in maf.itertuples():
        locus = (maf_row.Chromosome, getattr(maf_row, key), maf_row.Tumor_Seq_Allele2)
        row = ours.get(locus)
        if row is None:
            disagreements.append(
                f"{maf_row.Chromosome}:{getattr(maf_row, key)} MAF allele "
                f"{maf_row.Tumor_Seq_Allele2!r} ({maf_row.Variant_Classification}, "
                f"{maf_row.Hugo_Symbol}) matches no ALT we read"
            )
            continue
        mine = _as_maf_fields(row)
        for field in COMPARED:
            if mine[field] != getattr(maf_row, field):
                disagreements.append(
                    f"{maf_row.Chromosome}:{getattr(maf_row, key)} {row.ref}>{row.alt} {field}: "
                    f"vcf2maf {getattr(maf_row, field)!r}, ours {mine[field]!r}"
                )
    return len(maf), disagreements


def _summary(label: str, n_rows: int, disagreements: list[str]) -> float:
    loci = {d.split(" ", 1)[0] for d in disagreements}
    agreement = 100 * (n_rows - len(loci)) / n_rows
    print(
        f"\n{label}: {n_rows} MAF rows, {len(loci)} with any disagreement "
        f"({len(disagreements)} field mismatches); agreement {agreement:.2f}%"
    )
    for line in disagreements:
        print("  ", line)
    return agreement


def test_vep95_consequence_choice_matches_vcf2maf(shared_data: Path) -> None:
    folder = shared_data / "variants" / "vep95_grch37"
    table = read_vcf(folder / "pvacseq_input.vep95.grch37.vcf.gz", sample_id="HCC1395")
    n_rows, disagreements = compare_with_maf(
        table, folder / "pvacseq_input.vep95.grch37.expected.maf.gz", key="vcf_pos"
    )
    agreement = _summary("VEP 95 / vcf2maf bf53e52", n_rows, disagreements)
    assert n_rows == 477
    assert agreement >= 99.0, "\n".join(disagreements)
    # Every known disagreement is a multi-allelic record whose CSQ annotates only the other
    # ALT (see tests/data/variants/consequence_disagreements.md); anything new must be looked at.
    explained = {"22:17039542", "22:38239858", "22:46882933"}
    assert {d.split(" ", 1)[0] for d in disagreements} <= explained, "\n".join(disagreements)


def test_vep84_consequence_choice_matches_old_vcf2maf(shared_data: Path) -> None:
    folder = shared_data / "variants" / "vcf2maf"
    table = read_vcf(
        folder / "hist_fa38c99_test_pindel.vep.vcf", sample_id="T", tumor="TUMOR", normal="NORMAL"
    )
    n_rows, disagreements = compare_with_maf(
        table, folder / "hist_fa38c99_test.vep.maf", key="Start_Position"
    )
    _summary("VEP 84 / vcf2maf fa38c99 (older tables)", n_rows, disagreements)
    assert n_rows == 31
    # The one known difference: TUMOR GT 0/4 names a non-existent allele and that vcf2maf
    # wrote an empty allele with Targeted_Region; we report GA with its VEP effect.
    assert len(disagreements) == 1 and disagreements[0].startswith("7:91726612"), disagreements


def test_read_counts_match_vcf2maf(shared_data: Path) -> None:
    """t_depth / t_alt_count agree with vcf2maf on the merged multi-caller pVACseq input."""
    folder = shared_data / "variants" / "vep95_grch37"
    table = read_vcf(folder / "pvacseq_input.vep95.grch37.vcf.gz", sample_id="HCC1395")
    maf = pd.read_csv(
        folder / "pvacseq_input.vep95.grch37.expected.maf.gz", sep="\t", comment="#", dtype=str
    )
    ours = {
        (c, str(p), _maf_allele(r, a)): (d, n)
        for c, p, r, a, d, n in zip(
            table.chrom, table.pos, table.ref, table.alt, table.depth, table.alt_reads, strict=True
        )
    }
    mismatches = []
    for row in maf.itertuples():
        depth, alt_reads = ours[(row.Chromosome, row.vcf_pos, row.Tumor_Seq_Allele2)]
        expected = (row.t_depth, row.t_alt_count)
        if _count_text(depth, alt_reads) != tuple(v.replace(".", "<NA>") for v in expected):
            mismatches.append(
                f"{row.Chromosome}:{row.vcf_pos} vcf2maf {expected} ours {(depth, alt_reads)}"
            )
    assert not mismatches, "\n".join(mismatches)


def _count_text(depth, alt_reads) -> tuple[str, str]:
    return str(depth), str(alt_reads)  # pd.NA prints as <NA>, vcf2maf writes "."
