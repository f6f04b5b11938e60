"""The column-wise reader (variants/fast.py) gives exactly the per-record reader's table."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pysam
import pytest

import her2resist.variants.vcf as vcf_module
from her2resist import tables
from her2resist.errors import InputError
from her2resist.tables import write_tsv
from her2resist.variants import fast, read_vcf, write_vcf_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_variants import SAMPLES, SHARED_VARIANTS, _vcf_files

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(autouse=True, params=["compiled", "python"])
def reader_form(request, monkeypatch) -> str:
    """Every test here runs with the C line split and entry choice, and with their
    Python/numpy forms (the counts' two forms: tests/test_sample_counts.py)."""
    if request.param == "python":
        monkeypatch.setattr(fast, "_csq_choice", None)
        monkeypatch.setattr(fast, "_vcf_lines", None)
    else:
        assert fast._csq_choice is not None, "the C extension was not built (make setup)"
        assert fast._vcf_lines is not None, "the C extension was not built (make setup)"
    return request.param


def _both(path, monkeypatch, **kwargs):
    """(per-record result, column-wise result, column-wise reader used?)"""
    results = []
    used = []
    original = vcf_module._columnwise_pieces

    def spy(*args, **kw):
        try:
            yield from original(*args, **kw)
        except fast.Fallback:
            used.append(False)
            raise
        used.append(True)

    monkeypatch.setattr(vcf_module, "_columnwise_pieces", spy)
    for force in (True, False):
        monkeypatch.setattr(vcf_module, "_FORCE_RECORD_READER", force)
        try:
            results.append(read_vcf(path, sample_id="S", **kwargs))
        except InputError as exc:
            results.append(exc)
    monkeypatch.setattr(vcf_module, "_FORCE_RECORD_READER", False)
    return results[0], results[1], bool(used and used[-1])


def _assert_same(slow, quick) -> None:
    if isinstance(slow, Exception):
        assert isinstance(quick, type(slow))
        assert str(quick) == str(slow)
        return
    pd.testing.assert_frame_equal(slow, quick, check_exact=True)
    assert slow.attrs == quick.attrs


@pytest.mark.parametrize("annotation", ["auto", "none"])
@pytest.mark.parametrize("name", _vcf_files())
def test_public_vcfs_identical(name: str, annotation: str, monkeypatch) -> None:
    path = SHARED_VARIANTS / name
    if not path.is_file():
        pytest.skip("shared data missing")
    tumor, normal = SAMPLES.get(name, (None, None))
    slow, quick, _ = _both(path, monkeypatch, annotation=annotation, tumor=tumor, normal=normal)
    _assert_same(slow, quick)


@pytest.fixture(scope="module")
def bench_vcf(tmp_path_factory) -> tuple[Path, list[tuple[str, int, int]]]:
    sys.path.insert(0, str(BENCH_DIR))
    import inputs

    folder = tmp_path_factory.mktemp("bench")
    panel = inputs.panel_genes()
    path = inputs.write_vcf(folder / "bench.vcf.gz", 3000, panel)
    regions = inputs.write_panel_bed(panel, folder / "panel.bed")
    return path, regions


def test_benchmark_style_vcf_uses_columnwise_reader(bench_vcf, monkeypatch) -> None:
    path, regions = bench_vcf
    slow, quick, used = _both(path, monkeypatch, annotation="vep")
    assert used
    _assert_same(slow, quick)
    assert len(quick) == 3000
    slow, quick, used = _both(path, monkeypatch, annotation="vep", regions=regions)
    assert used
    _assert_same(slow, quick)
    assert 0 < len(quick) < 3000


def test_streamed_regions_identical(bench_vcf, monkeypatch, tmp_path: Path) -> None:
    path, regions = bench_vcf
    plain = tmp_path / "plain.vcf.gz"  # bgzipped, no index: regions are streamed
    plain.write_bytes(path.read_bytes())
    extra = [("17", 39_700_000, 39_710_000), ("17", 39_705_000, 39_800_000), ("Z", 1, 10)]
    slow, quick, used = _both(plain, monkeypatch, annotation="vep", regions=regions + extra)
    assert used
    _assert_same(slow, quick)


@pytest.mark.parametrize("force_record_reader", [False, True])
def test_written_table_streams_in_chunks(
    bench_vcf, monkeypatch, tmp_path: Path, force_record_reader: bool
) -> None:
    """write_vcf_table writes read_vcf's table byte for byte, one chunk at a time."""
    path, _ = bench_vcf
    monkeypatch.setattr(vcf_module, "_FORCE_RECORD_READER", force_record_reader)
    whole = tmp_path / "whole.tsv"
    write_tsv(read_vcf(path, sample_id="S"), whole)
    monkeypatch.setattr(fast, "CHUNK_RECORDS", 700)
    monkeypatch.setattr(vcf_module, "_CHUNK_ROWS", 700)
    chunks: list[int] = []
    original = tables.write_tsv_chunks

    def count_chunks(frames, out):
        return original((chunks.append(len(f)) or f for f in frames), out)

    monkeypatch.setattr(vcf_module, "write_tsv_chunks", count_chunks)
    streamed = tmp_path / "streamed.tsv"
    summary = write_vcf_table(path, streamed, sample_id="S")
    assert streamed.read_bytes() == whole.read_bytes()
    assert summary["rows"] == 3000 and len(chunks) >= 4 and max(chunks) <= 700
    assert summary["caller"] == read_vcf(path, sample_id="S").attrs["caller"]


def test_regions_name_contigs_either_way(bench_vcf) -> None:
    """A gene table saying chr17 reads a VCF saying 17, and the reverse."""
    path, regions = bench_vcf
    plain = read_vcf(path, sample_id="S", regions=regions)
    prefixed = [(f"chr{c}", s, e) for c, s, e in regions]
    pd.testing.assert_frame_equal(read_vcf(path, sample_id="S", regions=prefixed), plain)


def test_custom_isoforms_identical(bench_vcf, monkeypatch) -> None:
    path, _ = bench_vcf
    full = read_vcf(path, sample_id="S")
    # prefer the second (NMD) transcript of a few genes, with and without version suffix
    isoforms = {t[:-1] + "1" for t in full["transcript"].dropna().unique()[:20]}
    isoforms |= {t[:-1] + "1.3" for t in full["transcript"].dropna().unique()[20:40]}
    slow, quick, used = _both(path, monkeypatch, annotation="vep", custom_isoforms=isoforms)
    assert used
    _assert_same(slow, quick)
    assert (quick["transcript"] != full["transcript"]).any()


_HEADER = """##fileformat=VCFv4.2
##contig=<ID=17,length=81195210>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. \
Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|HGVSc|HGVSp|\
cDNA_position|Protein_position|Amino_acids|CANONICAL|MAX_AF">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##source=Mutect2
##tumor_sample=TUMOR
##normal_sample=NORMAL
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\tNORMAL
"""


def _csq(allele, consequence, symbol, feature, biotype, hgvsp="", cdna="", canonical="",
         ppos="", aa="", max_af="", hgvsc="", exon=""):  # fmt: skip
    fields = [allele, consequence, "MODERATE", symbol, "ENSG1", "Transcript", feature, biotype,
              exon, hgvsc, hgvsp, cdna, ppos, aa, canonical, max_af]  # fmt: skip
    return "|".join(fields)


_RECORDS = [
    # two transcripts, canonical one second; splice site; population AFs
    (
        "17",
        100,
        "A",
        "G",
        "PASS",
        "DP=30;CSQ="
        + _csq(
            "G",
            "missense_variant",
            "ERBB2",
            "ENST1.1",
            "protein_coding",
            "ENSP1.1:p.Leu755Ser",
            "900/4000",
            "",
            "755/1255",
            "L/S",
            "0.01&0.2",
            "ENST1.1:c.2264T>C",
        )
        + ","
        + _csq(
            "G",
            "splice_acceptor_variant&intron_variant",
            "ERBB2",
            "ENST2.1",
            "protein_coding",
            "",
            "",
            "YES",
            "",
            "",
            "T:0.3",
            "ENST2.1:c.100-2A>G",
        ),
    ),
    # synonymous p.= with pos/length, FILTER missing, AF missing in the normal
    (
        "17",
        200,
        "C",
        "T",
        ".",
        "CSQ="
        + _csq(
            "T",
            "synonymous_variant",
            "ERBB2",
            "ENST1.1",
            "protein_coding",
            "p.=",
            "10/20",
            "YES",
            "5/1255",
            "L",
            exon="2/27",
        ),
    ),
    # deletion with VEP's trimmed allele plus an entry for another allele string
    (
        "17",
        300,
        "CAG",
        "C",
        "weak;germline",
        "CSQ="
        + _csq(
            "-",
            "frameshift_variant",
            "ERBB2",
            "ENST1.1",
            "protein_coding",
            "ENSP1.1:p.Gln10fs",
            ppos="10",
        )
        + ","
        + _csq("AG", "intron_variant", "GRB7", "ENST3.1", "lncRNA"),
    ),
    # no annotation at all; symbolic ALT; no ALT
    ("17", 400, "G", "A", "PASS", "DP=5"),
    ("17", 500, "G", "<DEL>", "PASS", "CSQ=" + _csq("deletion", "intergenic_variant", "", "", "")),
    ("17", 600, "G", ".", "PASS", "CSQ=" + _csq("G", "intergenic_variant", "", "", "")),
    # unknown term, no symbol anywhere, insertion
    (
        "17",
        700,
        "T",
        "TAAA",
        "PASS",
        "CSQ="
        + _csq("AAA", "made_up_variant", "", "", "", cdna="12")
        + ","
        + _csq("AAA", "inframe_insertion", "", "ENST9", "misc_RNA", cdna="300"),
    ),
]
_SAMPLES = [
    ("0/1:10,5:0.333:15", "0/0:20,0:0:20"),
    ("0/1:10,40:0.8:30", "0/0:.:.:."),  # counts larger than DP -> DP replaced by their sum
    ("0/1:0,7:.:7", "0/0"),  # trailing fields dropped in the normal
    ("0/1:.:.:12", "0/0:3,0:.:."),
    ("0/1:5,5:0.5:10", "0/0:5,0:0:5"),
    ("./.:.:.:.", "./.:.:.:."),
    ("0/1:8,2:0.2:10", "0/0:9,0:0:9"),
]


def _write(tmp_path: Path, records=_RECORDS, samples=_SAMPLES, header=_HEADER) -> Path:
    lines = [
        f"{c}\t{p}\t.\t{r}\t{a}\t.\t{f}\t{info}\tGT:AD:AF:DP\t{t}\t{n}\n"
        for (c, p, r, a, f, info), (t, n) in zip(records, samples, strict=True)
    ]
    path = tmp_path / "edge.vcf"
    path.write_text(header + "".join(lines))
    return path


def test_edge_cases_identical(tmp_path: Path, monkeypatch) -> None:
    path = _write(tmp_path)
    for kwargs in ({}, {"normal": "NORMAL"}, {"annotation": "none"}, {"tumor": "NORMAL"}):
        slow, quick, used = _both(path, monkeypatch, **kwargs)
        assert used, kwargs
        _assert_same(slow, quick)
    assert quick.attrs["skipped_symbolic"] == 1
    assert quick.attrs["skipped_no_alt"] == 1


def test_edge_cases_indexed_identical(tmp_path: Path, monkeypatch) -> None:
    path = _write(tmp_path)
    indexed = Path(pysam.tabix_index(str(path), preset="vcf", force=True))
    regions = [("17", 150, 350), ("17", 300, 302), ("17", 650, 700)]
    slow, quick, used = _both(indexed, monkeypatch, regions=regions)
    assert used
    _assert_same(slow, quick)
    assert list(quick["pos"]) == [200, 300, 700]


def test_info_layouts_identical(tmp_path: Path, monkeypatch) -> None:
    """Where CSQ sits in INFO, empty values, ties, UTF-8 text, gene and tier order."""
    missense = _csq("G", "missense_variant", "ERBB2", "ENST1.1", "protein_coding", cdna="9/900")
    records = [
        ("17", 100, "A", "G", "PASS", "XCSQ=junk;CSQ=" + missense + ";DP=4"),
        ("17", 200, "A", "G", "PASS", "DP=3;CSQ=.;X=1"),
        ("17", 300, "A", "G", "PASS", "CSQ=;DP=3"),
        (
            "17",
            400,
            "A",
            "G",
            "PASS",
            "CSQ="
            + ",".join(
                [
                    _csq("G", "", "", "ENST0", "protein_coding"),
                    _csq("G", "missense_variant", "GRB7", "ENST5", "protein_coding", cdna="1/50"),
                    _csq("G", "missense_variant", "ERBB2", "ENST6", "protein_coding", cdna="1/50"),
                    _csq(
                        "G",
                        "missense_variant",
                        "ERBB2",
                        "ENST7",
                        "protein_coding",
                        "p.Ålà",
                        canonical="YES",
                    ),
                ]
            ),
        ),
        (
            "17",
            500,
            "A",
            "G",
            "PASS",
            "CSQ="
            + _csq("G", "stop_gained", "", "ENST8", "nonsense_mediated_decay", canonical="YES")
            + ","
            + _csq("G", "stop_gained", "TP53", "ENST9", "nonsense_mediated_decay"),
        ),
    ]
    path = _write(tmp_path, records=records, samples=_SAMPLES[: len(records)])
    slow, quick, used = _both(path, monkeypatch)
    assert used
    _assert_same(slow, quick)
    # a canonical transcript of any gene beats a non-canonical one of the top-ranked gene;
    # without symbol or canonical tiers, rank and then entry order decide
    assert list(quick["transcript"]) == ["ENST1.1", None, None, "ENST7", "ENST8"]


@pytest.mark.parametrize(
    "change",
    [
        (
            "multi-allelic",
            0,
            (
                "17",
                100,
                "A",
                "G,T",
                "PASS",
                "CSQ=" + _csq("G", "missense_variant", "X", "E", "protein_coding"),
            ),
        ),
        ("malformed CSQ", 1, ("17", 200, "C", "T", ".", "CSQ=T|missense_variant|ERBB2")),
    ],
)
def test_fallback_cases_identical(tmp_path: Path, monkeypatch, change) -> None:
    _, index, record = change
    records = list(_RECORDS)
    records[index] = record
    path = _write(tmp_path, records=records)
    slow, quick, used = _both(path, monkeypatch)
    assert not used
    _assert_same(slow, quick)


def test_single_value_ad_falls_back(tmp_path: Path, monkeypatch) -> None:
    samples = list(_SAMPLES)
    samples[0] = ("0/1:5:0.333:15", "0/0:20,0:0:20")
    path = _write(tmp_path, samples=samples)
    slow, quick, used = _both(path, monkeypatch)
    assert not used
    _assert_same(slow, quick)


@pytest.mark.parametrize(
    ("layout", "columnwise"),
    [("crlf", True), ("blank line", False), ("short line", False), ("latin-1 byte", False)],
)
def test_line_layouts_identical(tmp_path: Path, monkeypatch, layout, columnwise) -> None:
    """Line endings, blank lines and broken lines: the same table (or error) either way."""
    path = _write(tmp_path)
    text = path.read_bytes()
    head, _, body = text.partition(b"#CHROM")
    lines = (b"#CHROM" + body).split(b"\n")
    if layout == "crlf":
        lines = [line + b"\r" if line else line for line in lines]
    elif layout == "blank line":
        lines = [*lines[:3], b"", *lines[3:]]
    elif layout == "short line":
        lines[2] = lines[2].rsplit(b"\t", 1)[0]
    else:
        lines[2] = lines[2].replace(b"ERBB2", b"ERBB\xe92")
    path.write_bytes(head + b"\n".join(lines))
    slow, quick, used = _both(path, monkeypatch)
    assert used is columnwise
    _assert_same(slow, quick)


def test_log_names_the_reader(tmp_path: Path, caplog, reader_form) -> None:
    """The job log says which reader ran, and which steps were not compiled."""
    import logging

    caplog.set_level(logging.INFO, logger="her2resist.variants.vcf")
    read_vcf(_write(tmp_path), sample_id="S")
    expected = "edge.vcf: column-wise reader"
    if reader_form == "python":
        expected += "; C extension missing or stale (make setup): VCF line split, CSQ/ANN choice"
    assert expected in caplog.messages
    samples = list(_SAMPLES)
    samples[0] = ("0/1:5:0.333:15", "0/0:20,0:0:20")
    read_vcf(_write(tmp_path, samples=samples), sample_id="S")
    assert any(m.startswith("edge.vcf: per-record reader (") for m in caplog.messages)


def test_one_letter_is_the_regex_substitution(reader_form) -> None:
    """The C amino-acid shortening equals rules.shorten_hgvsp (re.sub) on any text."""
    import random

    if reader_form == "python":
        pytest.skip("compiled function only")
    from her2resist.variants import rules

    alphabet = [*rules.AA3_TO_1, "A", "l", "a", "Te", "r", "p.", "1", "_", "=", "*", "é", "Ω"]
    rng = random.Random(7)
    values = ["", "p.=", "p.Leu755Ser", "p.AlaAlaa", "p.TerTer", "p.Aal", "TeTer", "p.Xxx1Ωé"]
    values += ["".join(rng.choices(alphabet, k=rng.randint(1, 12))) for _ in range(3000)]
    expected = [rules.shorten_hgvsp(v) for v in values]
    assert fast._csq_choice.one_letter(values, rules.AA3_TO_1) == expected
    with pytest.raises(ValueError, match="3-letter"):
        fast._csq_choice.one_letter(["p.A"], {"Al": "A"})


@pytest.mark.parametrize("name", ["_vcf_lines", "_csq_choice", "_sample_counts"])
def test_extension_is_built_from_its_source(name: str, reader_form, monkeypatch) -> None:
    """make setup builds each extension from the .c beside it; a build from another version
    of the source (a pull without make setup) is not used: the Python form runs instead."""
    if reader_form == "python":
        pytest.skip("about the compiled form")
    import importlib

    module = importlib.import_module(f"her2resist.variants.{name}")
    source = Path(fast.__file__).with_name(f"{name}.c")
    assert fast.source_digest(source) == module.SOURCE_DIGEST
    assert fast._compiled(name) is module
    monkeypatch.setattr(module, "SOURCE_DIGEST", "0" * 16)
    assert fast._compiled(name) is None
