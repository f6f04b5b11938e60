"""read_maf on the maftools cohort MAFs and on malformed MAFs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from her2resist.errors import InputError
from her2resist.variants.maf import normalise_protein_change, read_maf
from her2resist.variants.schema import VARIANT_COLUMNS


def test_tcga_laml(shared_data: Path) -> None:
    table = read_maf(shared_data / "cohorts/maftools/tcga_laml.maf.gz")
    assert len(table) == 2207 and table.sample_id.nunique() == 193
    assert list(table.columns[: len(VARIANT_COLUMNS)]) == VARIANT_COLUMNS
    assert table.attrs["protein_change_column"] == "Protein_Change"
    assert table.attrs["warnings"] == []
    first = table.iloc[0]  # ABCA10 17:67170917 T>C p.K960R i_TumorVAF_WU 45.66
    assert (first.gene, first.chrom, first.pos, first.ref, first.alt) == (
        "ABCA10", "17", 67170917, "T", "C",
    )  # fmt: skip
    assert (first.hgvsp_short, first.protein_position) == ("p.K960R", 960)
    assert first.vaf == pytest.approx(0.4566)  # percent -> fraction
    assert first.variant_class == "Splice_Site"
    assert table.vaf.dropna().between(0, 1).all()


def test_brca_minimal_without_protein_change(shared_data: Path) -> None:
    table = read_maf(shared_data / "cohorts/maftools/brca.maf.gz")
    assert len(table) > 1000 and table.hgvsp_short.isna().all()
    assert any("protein-change" in w for w in table.attrs["warnings"])
    assert table.variant_class.notna().all()


def test_apl_cr_line_ends_chr_prefix_amino_acid_change(shared_data: Path) -> None:
    path = shared_data / "cohorts/maftools/APL_primary.maf.gz"
    assert b"\r" in gzip.decompress(path.read_bytes())[:2000]
    table = read_maf(path)
    assert len(table) == 269 and table.chrom.str.startswith("chr").all()  # last line has no CR
    assert table.attrs["protein_change_column"] == "amino_acid_change"
    first = table.iloc[0]  # AARSD1 chr17 41103836 C>A V536L DS2D
    assert (first.sample_id, first.gene, first.hgvsp_short) == ("DS2D", "AARSD1", "p.V536L")
    # FLT3-ITD rows with Start_Position "NA" are kept (nothing is filtered) and flagged
    assert table.pos.isna().sum() == 4
    assert any("Start_Position" in w for w in table.attrs["warnings"])


def test_vcf2maf_output_maf(shared_data: Path) -> None:
    table = read_maf(shared_data / "variants/vcf2maf/test_b38_output.maf")
    first = table.iloc[0]  # RUNX1 21:34792292 A>C p.L429R, t_depth 54 t_alt_count 21
    assert (first.gene, first.hgvsp_short, first.depth, first.alt_reads) == (
        "RUNX1", "p.L429R", 54, 21,
    )  # fmt: skip
    assert first.vaf == pytest.approx(21 / 54) and first.canonical


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("R882H", "p.R882H"), ("p.R882H", "p.R882H"), ("p.Arg882His", "p.R882H"),
     ("p.Ter100Glnext*?", "p.*100Qext*?"), (".", None), ("V581fs", "p.V581fs")],
)  # fmt: skip
def test_normalise_protein_change(raw: str, expected: str | None) -> None:
    assert normalise_protein_change(raw) == expected


def test_missing_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.maf"
    path.write_text("#version 2.4\nHugo_Symbol\tChromosome\nTP53\t17\n")
    with pytest.raises(InputError) as error:
        read_maf(path)
    message = str(error.value)
    assert str(path) in message and "line 2" in message
    assert "Tumor_Sample_Barcode" in message and "Start_Position" in message


def test_bad_position_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad_pos.maf"
    header = "Tumor_Sample_Barcode\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2"
    path.write_text(f"#version 2.4\n{header}\nS1\t17\t7577120\tC\tT\nS1\t17\tx7577\tC\tT\n")
    with pytest.raises(InputError, match="line 4") as error:
        read_maf(path)
    assert "Start_Position" in str(error.value)


def test_ragged_row_names_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.maf"
    header = "Tumor_Sample_Barcode\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2"
    path.write_text(f"{header}\nS1\t17\t7577120\tC\tT\nS1\t17\t7577121\tC\tT\textra\n")
    with pytest.raises(InputError, match="line 3"):
        read_maf(path)
