"""read_vcf's table, byte for byte, against the tables stored in tests/data/variants.

``expected_tables.json`` holds, per case, the SHA-256 of ``write_tsv(read_vcf(...))`` plus
its dtypes and ``attrs`` (or the error message). It was written by the readers this one
replaced (the per-record reader, its column-wise twin and their C extensions, which tests
kept equal on every case below): every shared VCF with each ``annotation=``, the
benchmark-style VCF with regions and custom isoforms, and the layouts of FORMAT counts,
INFO, annotation entries and data lines that told the readers apart. Regenerate only on a
deliberate change of the table: ``python tests/test_variants_tables.py --write``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pysam
import pytest

import her2resist.variants.vcf as vcf_module
from her2resist.errors import InputError
from her2resist.tables import write_tsv
from her2resist.variants.frame import read_vcf
from her2resist.variants.vcf import write_vcf_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_variants import SAMPLES, SHARED_VARIANTS, _vcf_files

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
EXPECTED = Path(__file__).resolve().parent / "data" / "variants" / "expected_tables.json"

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
_VARDICT_HEADER = _HEADER.replace("##source=Mutect2", "##source=VarDict").replace(
    "##FORMAT=<ID=DP,",
    '##FORMAT=<ID=VD,Number=1,Type=Integer,Description="Variant depth">\n##FORMAT=<ID=DP,',
)
_GENERIC_HEADER = _HEADER.replace("##source=Mutect2\n", "")


def _csq(allele, consequence, symbol, feature, biotype, hgvsp="", cdna="", canonical="",
         ppos="", aa="", max_af="", hgvsc="", exon=""):  # fmt: skip
    fields = [allele, consequence, "MODERATE", symbol, "ENSG1", "Transcript", feature, biotype,
              exon, hgvsc, hgvsp, cdna, ppos, aa, canonical, max_af]  # fmt: skip
    return "|".join(fields)


_RECORDS = [
    # two transcripts, canonical one second; splice site; population AFs
    ("17", 100, "A", "G", "PASS", "DP=30;CSQ="
     + _csq("G", "missense_variant", "ERBB2", "ENST1.1", "protein_coding", "ENSP1.1:p.Leu755Ser",
            "900/4000", "", "755/1255", "L/S", "0.01&0.2", "ENST1.1:c.2264T>C")
     + "," + _csq("G", "splice_acceptor_variant&intron_variant", "ERBB2", "ENST2.1",
                  "protein_coding", "", "", "YES", "", "", "T:0.3", "ENST2.1:c.100-2A>G")),
    # synonymous p.= with pos/length, FILTER missing, AF missing in the normal
    ("17", 200, "C", "T", ".", "CSQ=" + _csq("T", "synonymous_variant", "ERBB2", "ENST1.1",
     "protein_coding", "p.=", "10/20", "YES", "5/1255", "L", exon="2/27")),
    # deletion with VEP's trimmed allele plus an entry for another allele string
    ("17", 300, "CAG", "C", "weak;germline", "CSQ="
     + _csq("-", "frameshift_variant", "ERBB2", "ENST1.1", "protein_coding", "ENSP1.1:p.Gln10fs",
            ppos="10")
     + "," + _csq("AG", "intron_variant", "GRB7", "ENST3.1", "lncRNA")),
    # no annotation at all; symbolic ALT; no ALT
    ("17", 400, "G", "A", "PASS", "DP=5"),
    ("17", 500, "G", "<DEL>", "PASS", "CSQ=" + _csq("deletion", "intergenic_variant", "", "", "")),
    ("17", 600, "G", ".", "PASS", "CSQ=" + _csq("G", "intergenic_variant", "", "", "")),
    # unknown term, no symbol anywhere, insertion
    ("17", 700, "T", "TAAA", "PASS", "CSQ="
     + _csq("AAA", "made_up_variant", "", "", "", cdna="12")
     + "," + _csq("AAA", "inframe_insertion", "", "ENST9", "misc_RNA", cdna="300")),
]  # fmt: skip
_SAMPLES = [
    ("0/1:10,5:0.333:15", "0/0:20,0:0:20"),
    ("0/1:10,40:0.8:30", "0/0:.:.:."),  # counts larger than DP -> DP replaced by their sum
    ("0/1:0,7:.:7", "0/0"),  # trailing fields dropped in the normal
    ("0/1:.:.:12", "0/0:3,0:.:."),
    ("0/1:5,5:0.5:10", "0/0:5,0:0:5"),
    ("./.:.:.:.", "./.:.:.:."),
    ("0/1:8,2:0.2:10", "0/0:9,0:0:9"),
]
_MISSENSE = _csq("G", "missense_variant", "ERBB2", "ENST1.1", "protein_coding", cdna="9/900")
#: Where CSQ sits in INFO, empty values, ties, UTF-8 text, gene and tier order.
_INFO_LAYOUTS = [
    ("17", 100, "A", "G", "PASS", "XCSQ=junk;CSQ=" + _MISSENSE + ";DP=4"),
    ("17", 200, "A", "G", "PASS", "DP=3;CSQ=.;X=1"),
    ("17", 300, "A", "G", "PASS", "CSQ=;DP=3"),
    ("17", 400, "A", "G", "PASS", "CSQ=" + ",".join([
        _csq("G", "", "", "ENST0", "protein_coding"),
        _csq("G", "missense_variant", "GRB7", "ENST5", "protein_coding", cdna="1/50"),
        _csq("G", "missense_variant", "ERBB2", "ENST6", "protein_coding", cdna="1/50"),
        _csq("G", "missense_variant", "ERBB2", "ENST7", "protein_coding", "p.Ålà", canonical="YES"),
    ])),
    ("17", 500, "A", "G", "PASS", "CSQ="
     + _csq("G", "stop_gained", "", "ENST8", "nonsense_mediated_decay", canonical="YES")
     + "," + _csq("G", "stop_gained", "TP53", "ENST9", "nonsense_mediated_decay")),
]  # fmt: skip
#: FORMAT layouts of read counts (one SNV per row: FORMAT, tumour, normal).
_COUNT_ROWS = [
    ("GT:AD:AF:DP", "0/1:10,5:0.333:15", "0/0:20,0:0:20"),
    ("GT:AD:DP", "0/1:10,5:15", "0/0:20,0:20"),  # no AF
    ("GT:DP:AD:AF", "0/1:15:10,5:0.25", "0/0:.:.:."),  # another order
    ("GT:AD", "0/1:3,4", "."),  # no DP: depth from AD
    ("AD:DP", "3,4:7", "1,0:1"),  # no GT
    ("GT:AD:AF:DP", "0/1:7,3", "0/0"),  # trailing fields dropped
    ("GT:AD:AF:DP", "0/1:.,3:.:9", "0/0:5,.:.:5"),
    ("GT:AD:AF:DP", "0/1::0.5:", "0/0::.:"),  # empty Integer fields are missing
    ("GT:AD:AF:DP", "0/1:-3,5:-0.5:-1", "0/0:-0,4:-0:0"),  # negative: missing
    ("GT:AD:AF:DP", "0/1:10,40:0.1234567890123456789:30", "0/0:+5,0:.5:007"),
    ("GT:AD:AF:DP", "0/1:2147483647,0:1E-2:2147483647", "0/0:1,1:5.:2"),  # int32's largest
    ("GT:AD:AF:DP", "0/1:5,3", "0/0:,:."),  # missing values
    ("GT:AD:AF:DP", ".", "0/0:.,.:.:."),
    ("GT:AD:AF:DP", "0/1:5,", "0/0:2,0:0:2"),
    ("GT:AD:DP", "0/1:5,3:9", "0/0:4,0:4"),  # absent keys
    ("GT:DP:VD:AD:AF", "0/1:9:4:5,3:0.25", "0/0:4:0:4,0:0"),
    ("AD", "5,3", "4,0"),
    ("GT:DP", "0/1:9", "0/0:4"),  # no AD at all
    ("GT:AD:DP", "0/1:7:9", "0/0:4:4"),  # AD with one value
    ("GT:AD:DP", "0/1:1,2,3:9", "0/0:1,,:4"),  # AD with another number of values
]
_VARDICT_ROWS = [
    ("GT:AD:VD:AF:DP", "0/1:10,5:7:.:15", "0/0:20,0:-1:0:20"),
    ("GT:VD:AD", "0/1:.", "."),
]
#: Sample fields htslib reads in its own way (errors, its missing value, its 0).
_HTSLIB_TUMOURS = [
    "0/1:5,3:0.5:9.0", "0/1:5,3:0.5:1e1", "0/1:5,3:0.5: 9", "0/1:5, 3:0.5:9",
    "0/1:5,3:0.5:2147483648", "0/1:5,3::9", "0/1:5,3:", "0/1:5,3:0.5:9:1",
    "0/1:5,3:0.5:12.5", "0/1:5,3:0.5:abc", "0/1:5,x:0.5:9", "0/1:5.5,3:0.5:9",
    "0/1:5,3:0.5:9,1", "0/1:5,3:junk:9", "0/1:5,3:nan:9",
]  # fmt: skip


def _write(folder: Path, records=_RECORDS, samples=_SAMPLES, header=_HEADER) -> Path:
    lines = [
        f"{c}\t{p}\t.\t{r}\t{a}\t.\t{f}\t{info}\tGT:AD:AF:DP\t{t}\t{n}\n"
        for (c, p, r, a, f, info), (t, n) in zip(records, samples, strict=True)
    ]
    path = folder / "edge.vcf"
    path.write_text(header + "".join(lines))
    return path


def _counts_vcf(folder: Path, rows, header: str = _HEADER) -> Path:
    lines = [
        f"17\t{100 * (k + 1)}\t.\tA\tG\t.\tPASS\tDP=3\t{layout}\t{tumour}\t{normal}\n"
        for k, (layout, tumour, normal) in enumerate(rows)
    ]
    path = folder / "counts.vcf"
    path.write_text(header + "".join(lines))
    return path


def _line_layout(folder: Path, layout: str) -> Path:
    """The edge file with CRLF ends, a blank line, a short line or a latin-1 byte."""
    path = _write(folder)
    head, _, body = path.read_bytes().partition(b"#CHROM")
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
    return path


def _bench_regions() -> list[tuple[str, int, int]]:
    sys.path.insert(0, str(BENCH_DIR))
    import inputs

    panel = inputs.panel_genes()
    return [(str(r.chrom), int(r.start), int(r.end)) for r in panel.itertuples(index=False)]


def _bench_vcf(folder: Path) -> Path:
    sys.path.insert(0, str(BENCH_DIR))
    import inputs

    return inputs.write_vcf(folder / "bench.vcf.gz", 3000, inputs.panel_genes())


def _synthetic_cases() -> Iterator[tuple[str, object, dict]]:
    """(name, writer of the file into a folder, read_vcf options) per synthetic case."""
    for i, kw in enumerate(({}, {"normal": "NORMAL"}, {"annotation": "none"}, {"tumor": "NORMAL"})):
        yield f"edge.{i}", _write, kw
    yield "info_layouts", lambda d: _write(d, _INFO_LAYOUTS, _SAMPLES[:5]), {}
    multi = list(_RECORDS)
    multi[0] = ("17", 100, "A", "G,T", "PASS", "CSQ=" + _csq("G", "missense_variant", "X", "E",
                                                             "protein_coding"))  # fmt: skip
    yield "multi_allelic", lambda d: _write(d, multi), {}
    malformed = list(_RECORDS)
    malformed[1] = ("17", 200, "C", "T", ".", "CSQ=T|missense_variant|ERBB2")
    yield "malformed_csq", lambda d: _write(d, malformed), {}
    single_ad = list(_SAMPLES)
    single_ad[0] = ("0/1:5:0.333:15", "0/0:20,0:0:20")
    yield "single_value_ad", lambda d: _write(d, samples=single_ad), {}
    for layout in ("crlf", "blank line", "short line", "latin-1 byte"):
        yield f"line_layout.{layout}", lambda d, layout=layout: _line_layout(d, layout), {}
    headers = {"mutect2": _HEADER, "vardict": _VARDICT_HEADER, "generic": _GENERIC_HEADER}
    for name, header in headers.items():
        rows = _COUNT_ROWS + (_VARDICT_ROWS if header is _VARDICT_HEADER else [])
        for who, kw in (("paired", {}), ("one_sample", {"tumor": "NORMAL"})):
            yield f"counts.{name}.{who}", lambda d, r=rows, h=header: _counts_vcf(d, r, h), kw
    for k, tumour in enumerate(_HTSLIB_TUMOURS):
        rows = [("GT:AD:AF:DP", tumour, "0/0:20,0:0:20"), _COUNT_ROWS[0]]
        yield f"htslib_fields.{k}", lambda d, r=rows: _counts_vcf(d, r), {}


def _outcome(path: Path, out: Path, **kwargs) -> dict:
    """What the expected file stores for one read."""
    try:
        table = read_vcf(path, sample_id="S", **kwargs)
    except (InputError, ValueError) as exc:
        with pytest.raises(type(exc)) as written:  # write_vcf_table stops the same way
            write_vcf_table(path, out, sample_id="S", **kwargs)
        assert str(written.value) == str(exc)
        return {"error": f"{type(exc).__name__}: {exc}".replace(str(path.parent), "<dir>")}
    # write_vcf_table formats its rows itself: the same bytes as write_tsv of read_vcf's frame
    streamed = out.with_suffix(".streamed.tsv")
    assert write_vcf_table(path, streamed, sample_id="S", **kwargs) == {
        **table.attrs,
        "rows": len(table),
    }
    write_tsv(table, out)
    assert streamed.read_bytes() == out.read_bytes()
    return {
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "rows": len(table),
        "dtypes": [str(t) for t in table.dtypes],
        "attrs": json.loads(json.dumps(table.attrs, default=str)),
    }


def _expected() -> dict:
    return json.loads(EXPECTED.read_text())


@pytest.mark.parametrize("annotation", ["auto", "none", "vep", "snpeff"])
@pytest.mark.parametrize("name", _vcf_files())
def test_public_vcfs_give_the_stored_table(name: str, annotation: str, tmp_path: Path) -> None:
    path = SHARED_VARIANTS / name
    if not path.is_file():
        pytest.skip("shared data missing")
    tumor, normal = SAMPLES.get(name, (None, None))
    got = _outcome(path, tmp_path / "t.tsv", annotation=annotation, tumor=tumor, normal=normal)
    assert got == _expected()[f"shared/{name}/{annotation}"]


@pytest.mark.parametrize(("case", "writer", "kwargs"), list(_synthetic_cases()))
def test_synthetic_layouts_give_the_stored_table(case, writer, kwargs, tmp_path: Path) -> None:
    path = writer(tmp_path)
    assert _outcome(path, tmp_path / "t.tsv", **kwargs) == _expected()[case]


@pytest.fixture(scope="module")
def bench_vcf(tmp_path_factory) -> Path:
    return _bench_vcf(tmp_path_factory.mktemp("bench"))


def _isoforms(full: pd.DataFrame) -> set[str]:
    """The second (NMD) transcript of a few genes, with and without a version suffix."""
    transcripts = full["transcript"].dropna().unique()
    return {t[:-1] + "1" for t in transcripts[:20]} | {t[:-1] + "1.3" for t in transcripts[20:40]}


def test_benchmark_style_vcf(bench_vcf: Path, tmp_path: Path) -> None:
    """Whole file, panel regions through the index, the same streamed without an index (plus
    overlapping and unknown regions), and custom isoforms."""
    expected = _expected()
    regions = _bench_regions()
    got = _outcome(bench_vcf, tmp_path / "t.tsv", annotation="vep")
    assert got == expected["bench"] and got["rows"] == 3000
    got = _outcome(bench_vcf, tmp_path / "t.tsv", regions=regions)
    assert got == expected["bench.regions"] and 0 < got["rows"] < 3000
    plain = tmp_path / "plain.vcf.gz"  # bgzipped, no index: regions are streamed
    shutil.copy(bench_vcf, plain)
    extra = [("17", 39_700_000, 39_710_000), ("17", 39_705_000, 39_800_000), ("Z", 1, 10)]
    assert _outcome(plain, tmp_path / "t.tsv", regions=regions + extra) == expected["plain.regions"]
    full = read_vcf(bench_vcf, sample_id="S")
    isoforms = _isoforms(full)
    assert (
        _outcome(bench_vcf, tmp_path / "t.tsv", custom_isoforms=isoforms) == expected["bench.iso"]
    )
    chosen = read_vcf(bench_vcf, sample_id="S", custom_isoforms=isoforms)
    assert (chosen["transcript"] != full["transcript"]).any()


def test_edge_cases_counted_and_chosen(tmp_path: Path) -> None:
    table = read_vcf(_write(tmp_path), sample_id="S")
    assert table.attrs["skipped_symbolic"] == 1 and table.attrs["skipped_no_alt"] == 1
    # a canonical transcript of any gene beats a non-canonical one of the top-ranked gene;
    # without symbol or canonical tiers, rank and then entry order decide
    layouts = read_vcf(_write(tmp_path, _INFO_LAYOUTS, _SAMPLES[:5]), sample_id="S")
    assert list(layouts["transcript"]) == ["ENST1.1", None, None, "ENST7", "ENST8"]


def test_edge_cases_indexed_equal_streamed(tmp_path: Path) -> None:
    path = _write(tmp_path)
    indexed = Path(pysam.tabix_index(str(path), preset="vcf", force=True))
    regions = [("17", 150, 350), ("17", 300, 302), ("17", 650, 700)]
    through_index = read_vcf(indexed, sample_id="S", regions=regions)
    assert list(through_index["pos"]) == [200, 300, 700]
    plain = tmp_path / "plain.vcf"
    with gzip.open(indexed) as src:
        plain.write_bytes(src.read())
    streamed = read_vcf(plain, sample_id="S", regions=regions)
    pd.testing.assert_frame_equal(through_index, streamed, check_exact=True)


def test_written_table_streams_in_chunks(bench_vcf: Path, monkeypatch, tmp_path: Path) -> None:
    """write_vcf_table writes read_vcf's table byte for byte, one block of records at a time."""
    whole = tmp_path / "whole.tsv"
    write_tsv(read_vcf(bench_vcf, sample_id="S"), whole)
    monkeypatch.setattr(vcf_module, "_BLOCK_LINES", 700)
    monkeypatch.setattr(vcf_module, "_READ_BYTES", 512)  # under a record: blocks of 700 lines
    chunks: list[int] = []
    original = vcf_module.table_chunks

    def count_chunks(*args, **kwargs):
        for rows, text in original(*args, **kwargs):
            chunks.append(rows)
            yield rows, text

    monkeypatch.setattr(vcf_module, "table_chunks", count_chunks)
    streamed = tmp_path / "streamed.tsv"
    summary = write_vcf_table(bench_vcf, streamed, sample_id="S")
    assert streamed.read_bytes() == whole.read_bytes()
    assert summary["rows"] == 3000 and len(chunks) >= 4 and max(chunks) <= 700
    monkeypatch.undo()
    assert summary["caller"] == read_vcf(bench_vcf, sample_id="S").attrs["caller"]


def test_regions_name_contigs_either_way(bench_vcf: Path) -> None:
    """A gene table saying chr17 reads a VCF saying 17, and the reverse."""
    regions = _bench_regions()
    plain = read_vcf(bench_vcf, sample_id="S", regions=regions)
    prefixed = [(f"chr{c}", s, e) for c, s, e in regions]
    pd.testing.assert_frame_equal(read_vcf(bench_vcf, sample_id="S", regions=prefixed), plain)


def _write_expected() -> None:
    """Store the current reader's outcomes (a deliberate change of the table only)."""
    import tempfile

    stored: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in _vcf_files():
            tumor, normal = SAMPLES.get(name, (None, None))
            for annotation in ("auto", "none", "vep", "snpeff"):
                stored[f"shared/{name}/{annotation}"] = _outcome(
                    SHARED_VARIANTS / name, folder / "t.tsv", annotation=annotation,
                    tumor=tumor, normal=normal,
                )  # fmt: skip
        for case, writer, kwargs in _synthetic_cases():
            stored[case] = _outcome(writer(folder), folder / "t.tsv", **kwargs)
        bench = _bench_vcf(folder)
        regions = _bench_regions()
        stored["bench"] = _outcome(bench, folder / "t.tsv", annotation="vep")
        stored["bench.regions"] = _outcome(bench, folder / "t.tsv", regions=regions)
        plain = folder / "plain.vcf.gz"
        shutil.copy(bench, plain)
        extra = [("17", 39_700_000, 39_710_000), ("17", 39_705_000, 39_800_000), ("Z", 1, 10)]
        stored["plain.regions"] = _outcome(plain, folder / "t.tsv", regions=regions + extra)
        isoforms = _isoforms(read_vcf(bench, sample_id="S"))
        stored["bench.iso"] = _outcome(bench, folder / "t.tsv", custom_isoforms=isoforms)
    EXPECTED.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write_expected()


def test_written_table_quotes_as_pandas(tmp_path: Path) -> None:
    """write_vcf_table formats rows itself: a field with a double quote (here a gene symbol)
    is quoted and its quote doubled, as pandas' to_csv does in write_tsv."""
    quoted = list(_RECORDS)
    quoted[0] = ("17", 100, "A", "G", "PASS", "CSQ=" + _csq(
        "G", "missense_variant", 'ER"BB2', "ENST1.1", "protein_coding", max_af="0.000123456789012"
    ))  # fmt: skip
    path = _write(tmp_path, quoted)
    write_tsv(read_vcf(path, sample_id="S"), tmp_path / "frame.tsv")
    write_vcf_table(path, tmp_path / "rows.tsv", sample_id="S")
    text = (tmp_path / "rows.tsv").read_text()
    assert '\t"ER""BB2"\t' in text and "\t0.000123456789\t" in text  # %.10g
    assert text == (tmp_path / "frame.tsv").read_text()


def test_bcf_gives_the_vcf_table(bench_vcf: Path, tmp_path: Path) -> None:
    """BCF is read as its VCF is (htslib reads both), whole and through its index."""
    bcf = tmp_path / "bench.bcf"
    subprocess.run(["bcftools", "view", "-Ob", "-o", str(bcf), str(bench_vcf)], check=True)
    subprocess.run(["bcftools", "index", str(bcf)], check=True)
    regions = _bench_regions()
    for kwargs in ({}, {"regions": regions}):
        expected = read_vcf(bench_vcf, sample_id="S", **kwargs)
        pd.testing.assert_frame_equal(read_vcf(bcf, sample_id="S", **kwargs), expected)


def test_without_bcftools_the_error_says_how_to_get_it(
    bench_vcf: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH on which there is no bcftools
    with pytest.raises(InputError, match=r"bcftools is not on the PATH.*apt-get install bcftools"):
        read_vcf(bench_vcf, sample_id="S")
