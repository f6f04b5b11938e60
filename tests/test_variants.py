"""read_vcf on the public files in shared/data/variants (README.md there describes each)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pysam
import pytest

from her2resist.errors import InputError
from her2resist.variants.frame import read_vcf
from her2resist.variants.schema import VARIANT_COLUMNS

SHARED_VARIANTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "variants"

# Multi-sample files without ##tumor_sample: which column to read as the tumour (and normal)
SAMPLES = {
    "callers/vardict_paired.expected.vcf.gz": ("abc", "abc-match"),
    "callers/vcf2maf_test_delly.vcf": ("TUMOR", "NORMAL"),
    "callers/vcf2maf_test_merged.vcf": ("TUMOR", "NORMAL"),
    "callers/vcf2maf_test_muse.vcf": ("TUMOR", "NORMAL"),
    "callers/vcf2maf_test_mutect.vcf": ("TUMOR", "NORMAL"),
    "callers/vcf2maf_test_pindel.vcf": ("TUMOR", "NORMAL"),
    "callers/vcf2maf_test_radia.vcf": ("DNA_TUMOR", "DNA_NORMAL"),
    "callers/vcf2maf_test_sniper.vcf": ("TUMOR", "NORMAL"),
    "callers/vcf2maf_test_strelka.vcf": ("TUMOR", "NORMAL"),
    "callers/vcf2maf_test_varscan.vcf": ("TUMOR", "NORMAL"),
    "cyvcf2/cyvcf2_test-haploidX.vcf.gz": ("37150", None),
    "cyvcf2/cyvcf2_test-hemi.vcf": ("15G15594", None),
    "cyvcf2/cyvcf2_test.comp_het.3.vcf": ("child_1", None),
    "cyvcf2/cyvcf2_test.snpeff.vcf": ("1094PC0005", None),
    "cyvcf2/cyvcf2_test.vcf.gz": ("101976-101976", None),
    "cyvcf2/cyvcf2_test_gt_alt_freqs.vcf": ("c-tumor2", "c-normal"),
    "cyvcf2/cyvcf2_test_gt_bases.vcf.gz": ("c-tumor2", "c-normal"),
    "vcf2maf/hist_fa38c99_test_pindel.vcf": ("TUMOR", "NORMAL"),
    "vcf2maf/hist_fa38c99_test_pindel.vep.vcf": ("TUMOR", "NORMAL"),
    "vcf2maf/test_b38.vcf": ("TUMOR", "NORMAL"),
}
# Upstream files htslib refuses (no ##fileformat first line): they must give an InputError
UNREADABLE = {
    "snpeff/snpeff_cancer_pedigree.ann.vcf",
    "snpeff/snpeff_test.ann.vcf",
    "snpeff/snpeff_test.chr22.ann.filter_missense_any.vcf",
}
ANNOTATED = {
    "cyvcf2/cyvcf2_test-haploidX.vcf.gz",
    "cyvcf2/cyvcf2_test-hemi.vcf",
    "cyvcf2/cyvcf2_test.comp_het.3.vcf",
    "cyvcf2/cyvcf2_test.snpeff.vcf",
    "cyvcf2/cyvcf2_test.vcf.gz",
    "cyvcf2/cyvcf2_test_gt_alt_freqs.vcf",  # ANN declared, no record carries it
    "cyvcf2/cyvcf2_test_gt_bases.vcf.gz",
    "snpeff/DERIVED_snpeff_test.chr22.ann.filter_missense_any.fileformat_added.vcf",
    "vcf2maf/hist_fa38c99_test_pindel.vep.vcf",
    "vep95_grch37/pvacseq_input.vep95.grch37.vcf.gz",
}


def _vcf_files() -> list[str]:
    files = sorted(
        str(p.relative_to(SHARED_VARIANTS))
        for pattern in ("*/*.vcf", "*/*.vcf.gz")
        for p in SHARED_VARIANTS.glob(pattern)
    )
    return files or ["<shared data missing>"]


@pytest.mark.parametrize("name", _vcf_files())
def test_every_public_vcf_is_read_or_refused_clearly(shared_data: Path, name: str) -> None:
    path = shared_data / "variants" / name
    tumor, normal = SAMPLES.get(name, (None, None))
    if name in UNREADABLE:
        with pytest.raises(InputError, match="fileformat") as error:
            read_vcf(path, sample_id="S", tumor=tumor, normal=normal)
        assert str(path) in str(error.value)
        return
    annotation = "auto" if name in ANNOTATED else "none"
    table = read_vcf(path, sample_id="S", annotation=annotation, tumor=tumor, normal=normal)
    assert list(table.columns[: len(VARIANT_COLUMNS)]) == VARIANT_COLUMNS
    assert len(table) > 0
    assert (table.sample_id == "S").all()
    assert table.pos.dtype == "int64" and (table.pos > 0).all()
    assert table.vaf.dropna().between(0, 1).all()
    if name in ANNOTATED and name != "cyvcf2/cyvcf2_test_gt_alt_freqs.vcf":
        assert table.consequence.notna().any()


def test_unannotated_vcf_in_auto_mode_names_supported_annotators(shared_data: Path) -> None:
    path = shared_data / "variants" / "callers" / "gatk_mutect2_cfdna-unfiltered.vcf"
    with pytest.raises(InputError) as error:
        read_vcf(path, sample_id="S")
    message = str(error.value)
    assert str(path) in message and "VEP" in message and "SnpEff" in message


# --------------------------------------------------------------------------- annotations


def test_snpeff_ann_gene_and_effect(shared_data: Path) -> None:
    path = (
        shared_data
        / "variants/snpeff/DERIVED_snpeff_test.chr22.ann.filter_missense_any.fileformat_added.vcf"
    )
    table = read_vcf(path, sample_id="S").set_index("pos")
    assert len(table) == 20 and table.attrs["annotation"] == "snpeff"
    # 22:20100133 G>A: all TRMT2A missense; vcf2maf picks the longest cDNA (2964 bp)
    first = table.loc[20100133]
    assert (first.gene, first.transcript) == ("TRMT2A", "ENST00000252136")
    assert (first.consequence, first.variant_class) == ("missense_variant", "Missense_Mutation")
    assert (first.hgvsc, first.hgvsp, first.hgvsp_short) == ("c.1831C>T", "p.Pro611Ser", "p.P611S")
    assert first.protein_position == 611 and first.exon == "12/12"
    assert pd.isna(first.depth)  # sites-only
    assert table.gene.eq("TRMT2A").sum() >= 5


def test_legacy_snpeff_eff(shared_data: Path) -> None:
    path = shared_data / "variants/cyvcf2/cyvcf2_test.snpeff.vcf"
    table = read_vcf(path, sample_id="S", tumor="1094PC0005").set_index("pos")
    assert table.attrs["annotation"] == "eff"
    # SYNONYMOUS_CODING(LOW|SILENT|tcA/tcG|S60|305|OR4F5|protein_coding|CODING|ENST00000335137|)
    row = table.loc[69270]
    assert (row.gene, row.transcript, row.consequence) == (
        "OR4F5", "ENST00000335137", "synonymous_variant",
    )  # fmt: skip
    assert (row.variant_class, row.hgvsp_short, row.protein_position) == ("Silent", "p.S60", 60)
    assert table.loc[69428].hgvsp_short == "p.F113C"


def test_vep_choice_hgvsp_short_and_canonical(shared_data: Path) -> None:
    path = shared_data / "variants/vcf2maf/hist_fa38c99_test_pindel.vep.vcf"
    table = read_vcf(path, sample_id="S", tumor="TUMOR", normal="NORMAL").set_index("pos")
    prg4 = table.loc[186277664]
    assert (prg4.gene, prg4.transcript, prg4.variant_class) == (
        "PRG4", "ENST00000445192", "Frame_Shift_Del",
    )  # fmt: skip
    assert (prg4.hgvsp, prg4.hgvsp_short) == ("p.Lys939ArgfsTer38", "p.K939Rfs*38")
    assert prg4.canonical and prg4.protein_position == 938  # Protein_position 938-939
    # 1:16890971 ACT>A: canonical NBPF1 intron beats the longer downstream protein_coding
    nbpf1 = table.loc[16890971]
    assert (nbpf1.gene, nbpf1.transcript, nbpf1.consequence) == (
        "NBPF1", "ENST00000430580", "intron_variant",
    )  # fmt: skip
    assert (nbpf1.variant_type, nbpf1.maf_start) == ("DEL", 16890972)


# --------------------------------------------------------------------------- callers


def _row(table: pd.DataFrame, pos: int, alt: str | None = None) -> pd.Series:
    rows = table[(table.pos == pos) & ((table.alt == alt) if alt else True)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_mutect2_ad_af_dp_and_multiallelic_split(shared_data: Path) -> None:
    path = shared_data / "variants/callers/gatk_mutect2_cfdna-unfiltered.vcf"
    table = read_vcf(path, sample_id="S", annotation="none")
    assert table.attrs["caller"] == "mutect2" and (table.caller == "mutect2").all()
    assert (table.attrs["tumor"], table.attrs["normal"]) == ("TUMOR", "NORMAL")
    assert len(table) == 111 + 4 + 1  # 4 tri-allelic, 1 quad-allelic record split per ALT
    # TUMOR GT:AD:AF:DP 0/1:1566,2:0.00176:1568 ; NORMAL 0/0:1189,2:0.002309:1191
    row = _row(table, 12919576)
    assert (row.depth, row.alt_reads, row.vaf) == (1568, 2, pytest.approx(0.00176))
    assert (row.normal_depth, row.normal_alt_reads) == (1191, 2)
    assert row.normal_vaf == pytest.approx(0.002309)
    assert row["filter"] == "."  # FILTER '.' kept as '.'
    # 2:25956924 GT>G,GTT  AD 218,298,18  AF 0.537,0.044  DP 534
    first, second = _row(table, 25956924, "G"), _row(table, 25956924, "GTT")
    assert (first.alt_reads, first.vaf, first.depth) == (298, pytest.approx(0.537), 534)
    assert (second.alt_reads, second.vaf) == (18, pytest.approx(0.044))


def test_strelka_tier1_counts(shared_data: Path) -> None:
    path = shared_data / "variants/callers/vcf2maf_test_strelka.vcf"
    table = read_vcf(path, sample_id="S", annotation="none", tumor="TUMOR", normal="NORMAL")
    assert table.attrs["caller"] == "strelka"  # Strelka 1.x header (no source_version=2)
    # 1:35944648 G>A TUMOR DP 58 AU 56,57 GU 2,2 ; NORMAL DP 78 AU 0,0 GU 78,78
    row = _row(table, 35944648)
    assert (row.depth, row.alt_reads, row.vaf) == (58, 56, pytest.approx(56 / 58))
    assert (row.normal_depth, row.normal_alt_reads, row.normal_vaf) == (78, 0, 0.0)
    assert row["filter"] == "PASS"


def test_vardict_vd_af_dp(shared_data: Path) -> None:
    path = shared_data / "variants/callers/vardict_paired.expected.vcf.gz"
    table = read_vcf(path, sample_id="S", annotation="none", tumor="abc", normal="abc-match")
    assert table.attrs["caller"] == "vardict"
    assert table.attrs["skipped_symbolic"] == 3
    # 20:68384 G>A abc DP 264 VD 2 AD 262,2 AF 0.0076 ; abc-match DP 134 VD 0 AF 0
    row = _row(table, 68384)
    assert (row.depth, row.alt_reads, row.vaf) == (264, 2, pytest.approx(0.0076))
    assert (row.normal_depth, row.normal_alt_reads, row.normal_vaf) == (134, 0, 0.0)
    assert row["filter"] == "v3;f0.02"


def test_varscan_freq_percent_and_rd(shared_data: Path) -> None:
    path = shared_data / "variants/callers/vcf2maf_test_varscan.vcf"
    table = read_vcf(path, sample_id="S", annotation="none", tumor="TUMOR", normal="NORMAL")
    assert table.attrs["caller"] == "varscan"
    # 1:1991014 A>G TUMOR DP 91 RD 56 AD 35 FREQ 38.46% ; NORMAL DP 117 RD 59 AD 56 FREQ 48.7%
    row = _row(table, 1991014)
    assert (row.depth, row.alt_reads, row.vaf) == (91, 35, pytest.approx(0.3846))
    assert (row.normal_depth, row.normal_alt_reads) == (117, 56)
    assert row.normal_vaf == pytest.approx(0.487)


def test_pindel_ad(shared_data: Path) -> None:
    path = shared_data / "variants/callers/vcf2maf_test_pindel.vcf"
    table = read_vcf(path, sample_id="S", annotation="none", tumor="TUMOR", normal="NORMAL")
    assert table.attrs["caller"] == "pindel"
    # 1:16890971 ACT>A TUMOR DP 47 AD 43,4 ; NORMAL DP 46 AD 46,0
    row = _row(table, 16890971)
    assert (row.depth, row.alt_reads, row.vaf) == (47, 4, pytest.approx(4 / 47))
    assert (row.normal_depth, row.normal_alt_reads) == (46, 0)
    assert row.variant_type == "DEL"


def test_symbolic_alleles_are_counted_not_tabulated(shared_data: Path) -> None:
    path = shared_data / "variants/callers/vcf2maf_test_delly.vcf"
    table = read_vcf(path, sample_id="S", annotation="none", tumor="TUMOR", normal="NORMAL")
    assert table.attrs["skipped_symbolic"] == 12
    assert len(table) == 15 - 12
    assert not table.alt.str.contains(r"[<\[\]]").any()


def test_sample_selection(shared_data: Path) -> None:
    path = shared_data / "variants/callers/vcf2maf_test_muse.vcf"
    with pytest.raises(InputError, match="cannot tell which sample") as error:
        read_vcf(path, sample_id="S", annotation="none")
    assert "TUMOR, NORMAL" in str(error.value)
    with pytest.raises(InputError, match="samples: TUMOR, NORMAL"):
        read_vcf(path, sample_id="S", annotation="none", tumor="T1")
    single = shared_data / "variants/callers/gatk_mutect2_tumoronly_NA12878.expected.vcf"
    table = read_vcf(single, sample_id="S", annotation="none")
    assert table.attrs["tumor"] == "NA12878" and table.normal_depth.isna().all()


# --------------------------------------------------------------------------- regions


@pytest.fixture(scope="module")
def indexed_copy(tmp_path_factory, shared_data: Path) -> tuple[Path, Path]:
    """The VEP 95 VCF as plain text (no index) and as bgzip + tabix index."""
    folder = tmp_path_factory.mktemp("regions")
    plain = folder / "pvacseq.vcf"
    with gzip.open(shared_data / "variants/vep95_grch37/pvacseq_input.vep95.grch37.vcf.gz") as src:
        plain.write_bytes(src.read())
    shutil.copy(plain, folder / "indexed.vcf")
    indexed = Path(pysam.tabix_index(str(folder / "indexed.vcf"), preset="vcf", force=True))
    return plain, indexed


def test_regions_indexed_equals_streamed(indexed_copy: tuple[Path, Path]) -> None:
    plain, indexed = indexed_copy
    # Two overlapping regions (the record at 22:17039542 must come out once), one contig
    # with a single record, one absent contig; 22:40434704-style deletions span boundaries.
    regions = [("22", 17_000_000, 17_100_000), ("22", 17_039_540, 20_200_000),
               ("4", 40434710, 40434720), ("7", 1, 1000)]  # fmt: skip
    streamed = read_vcf(plain, sample_id="S", regions=regions)
    fetched = read_vcf(indexed, sample_id="S", regions=regions)
    full = read_vcf(plain, sample_id="S")
    key = ["chrom", "pos", "alt"]
    pd.testing.assert_frame_equal(
        streamed.sort_values(key).reset_index(drop=True),
        fetched.sort_values(key).reset_index(drop=True),
    )
    assert not fetched.duplicated(key).any()
    end = full.pos + full.ref.str.len() - 1
    expected = full[
        ((full.chrom == "22") & (end >= 17_000_000) & (full.pos <= 20_200_000))
        | ((full.chrom == "4") & (end >= 40434710) & (full.pos <= 40434720))
    ]
    assert len(expected) > 10
    assert sorted(map(tuple, fetched[key].values)) == sorted(map(tuple, expected[key].values))
    # the 21-bp deletion at 4:40434704 starts before the region but overlaps it
    assert (fetched.pos == 40434704).any()


# --------------------------------------------------------------------------- bad input

_HEADER = """##fileformat=VCFv4.2
##contig=<ID=17,length=81195210>
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. \
Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|HGVSp">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR
"""
_GOOD = (
    "17\t39724770\t.\tA\tG\t.\tPASS\tCSQ=G|missense_variant|MODERATE|ERBB2|ENSG00000141736|"
    "Transcript|ENST00000269571|protein_coding|ENSP00000269571.5:p.Leu755Ser\tAD:DP\t10,5:15\n"
)


def test_malformed_csq_names_file_and_record(tmp_path: Path) -> None:
    path = tmp_path / "bad_csq.vcf"
    bad = "17\t39724775\t.\tC\tT\t.\tPASS\tCSQ=T|missense_variant|ERBB2\tAD:DP\t10,5:15\n"
    path.write_text(_HEADER + _GOOD + bad)
    with pytest.raises(InputError) as error:
        read_vcf(path, sample_id="S")
    message = str(error.value)
    assert str(path) in message and "record 17:39724775" in message
    assert "3 '|'-separated fields" in message and "lists 9" in message


def test_good_minimal_vcf_and_empty_vcf(tmp_path: Path) -> None:
    path = tmp_path / "one.vcf"
    path.write_text(_HEADER + _GOOD)
    row = read_vcf(path, sample_id="S").iloc[0]
    assert (row.gene, row.hgvsp_short, row.depth, row.alt_reads) == ("ERBB2", "p.L755S", 15, 5)
    assert row.vaf == pytest.approx(1 / 3) and row["filter"] == "PASS"
    empty_path = tmp_path / "empty.vcf"
    empty_path.write_text(_HEADER)
    empty = read_vcf(empty_path, sample_id="S")
    assert empty.empty and list(empty.columns[: len(VARIANT_COLUMNS)]) == VARIANT_COLUMNS
    assert empty.pos.dtype == "int64" and empty.vaf.dtype == "float64"
    assert empty.depth.dtype == "Int64" and empty.canonical.dtype == bool


def test_missing_chrom_line(tmp_path: Path) -> None:
    path = tmp_path / "no_chrom.vcf"
    path.write_text(_HEADER.split("#CHROM")[0] + _GOOD)
    with pytest.raises(InputError, match="#CHROM") as error:
        read_vcf(path, sample_id="S")
    assert str(path) in str(error.value)


def test_truncated_bgzip(tmp_path: Path, shared_data: Path) -> None:
    plain = tmp_path / "vardict.vcf"
    with gzip.open(shared_data / "variants/callers/vardict_paired.expected.vcf.gz") as src:
        plain.write_bytes(src.read())
    compressed = tmp_path / "vardict.vcf.gz"
    pysam.tabix_compress(str(plain), str(compressed))
    data = compressed.read_bytes()
    cut_mid_block = tmp_path / "cut.vcf.gz"
    cut_mid_block.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match="truncated") as error:
        read_vcf(cut_mid_block, sample_id="S", annotation="none", tumor="abc")
    assert str(cut_mid_block) in str(error.value)
    cut_at_eof_block = tmp_path / "no_eof.vcf.gz"
    cut_at_eof_block.write_bytes(data[:-28])
    with pytest.raises(InputError, match="end-of-file"):
        read_vcf(cut_at_eof_block, sample_id="S", annotation="none", tumor="abc")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_vcf(tmp_path / "nope.vcf", sample_id="S")
