"""Read counts of the column-wise reader parsed in C (variants/_sample_counts.c).

The compiled parser reads the sample fields exactly as the pandas path of
ChunkConverter._counts does, and where htslib (the per-record reader) reads a value
differently from that path it falls back, so the table stays the per-record reader's.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.variants import fast
from her2resist.variants.depths import caller_rule

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_variants import SAMPLES, SHARED_VARIANTS, _vcf_files
from test_variants_fast import _HEADER, _assert_same, _both, _write

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
COMPILED = fast._sample_counts
_VARDICT_HEADER = _HEADER.replace("##source=Mutect2", "##source=VarDict").replace(
    "##FORMAT=<ID=DP,",
    '##FORMAT=<ID=VD,Number=1,Type=Integer,Description="Variant depth">\n##FORMAT=<ID=DP,',
)
_GENERIC_HEADER = _HEADER.replace("##source=Mutect2\n", "")


def test_extension_is_built() -> None:
    """CI builds it (make setup); without it every chunk silently takes the slow path."""
    from her2resist.variants import _sample_counts

    assert fast._sample_counts is _sample_counts is not None


@pytest.fixture(params=["compiled", "pandas"])
def parser(request, monkeypatch) -> str:
    """The chunk tests run with the C parser and with the pandas one."""
    if request.param == "pandas":
        monkeypatch.setattr(fast, "_sample_counts", None)
    elif COMPILED is None:
        pytest.skip("extension not built (test_extension_is_built fails)")
    return request.param


@pytest.fixture
def compiled_only() -> None:
    if COMPILED is None:
        pytest.skip("extension not built (test_extension_is_built fails)")


# --------------------------------------------------------------------------- whole files


def _three_ways(path: Path, monkeypatch, **kwargs) -> bool:
    """The column-wise table with C counts, with pandas counts and the per-record table are
    equal; the C run keeps to the column-wise reader (returned) wherever the pandas run does.
    The reverse need not hold: pandas' tokenizer gives up on a FORMAT group in which one
    sample's strings all lack the trailing fields (e.g. a normal that is "." throughout)."""
    if COMPILED is None:
        pytest.skip("extension not built (test_extension_is_built fails)")
    used = []
    for module in (COMPILED, None):
        monkeypatch.setattr(fast, "_sample_counts", module)
        slow, quick, columnwise = _both(path, monkeypatch, **kwargs)
        _assert_same(slow, quick)
        used.append(columnwise)
    assert used[0] or not used[1]
    return used[0]


def _vcf(tmp_path: Path, rows: list[tuple[str, str, str]], header: str = _HEADER) -> Path:
    """One SNV per (FORMAT, tumour, normal) row."""
    lines = [
        f"17\t{100 * (k + 1)}\t.\tA\tG\t.\tPASS\tDP=3\t{layout}\t{tumour}\t{normal}\n"
        for k, (layout, tumour, normal) in enumerate(rows)
    ]
    path = tmp_path / "counts.vcf"
    path.write_text(header + "".join(lines))
    return path


_ROWS = [
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
]


@pytest.mark.parametrize("header", [_HEADER, _VARDICT_HEADER, _GENERIC_HEADER])
def test_layouts_identical(tmp_path: Path, monkeypatch, header: str) -> None:
    rows = list(_ROWS)
    if header is _VARDICT_HEADER:  # VD overrides AD's ALT reads
        rows += [("GT:AD:VD:AF:DP", "0/1:10,5:7:.:15", "0/0:20,0:-1:0:20")]
        rows += [("GT:VD:AD", "0/1:.", ".")]
    path = _vcf(tmp_path, rows, header)
    for kwargs in ({}, {"tumor": "NORMAL"}):  # the second: one sample as tumour and normal
        assert _three_ways(path, monkeypatch, **kwargs), kwargs


def test_edge_cases_identical(tmp_path: Path, monkeypatch) -> None:
    path = _write(tmp_path)
    for kwargs in ({}, {"normal": "NORMAL"}, {"annotation": "none"}, {"tumor": "NORMAL"}):
        assert _three_ways(path, monkeypatch, **kwargs), kwargs


@pytest.mark.parametrize("name", _vcf_files())
def test_public_vcfs_identical(name: str, monkeypatch) -> None:
    path = SHARED_VARIANTS / name
    if not path.is_file():
        pytest.skip("shared data missing")
    tumor, normal = SAMPLES.get(name, (None, None))
    _three_ways(path, monkeypatch, tumor=tumor, normal=normal)


@pytest.fixture(scope="module")
def bench_path(tmp_path_factory) -> Path:
    sys.path.insert(0, str(BENCH_DIR))
    import inputs

    folder = tmp_path_factory.mktemp("bench")
    return inputs.write_vcf(folder / "bench.vcf.gz", 3000, inputs.panel_genes())


def test_benchmark_style_vcf_identical(bench_path: Path, monkeypatch) -> None:
    assert _three_ways(bench_path, monkeypatch, annotation="vep")


@pytest.mark.parametrize(
    "tumour",
    [
        "0/1:5,3:0.5:9",  # the control: read column-wise
        "0/1:5,3:0.5:9.0",  # Integer written as a decimal: an htslib error
        "0/1:5,3:0.5:1e1",
        "0/1:5,3:0.5: 9",
        "0/1:5, 3:0.5:9",
        "0/1:5,3:0.5:2147483648",  # beyond int32: htslib's missing
        "0/1:5,3::9",  # empty Float: htslib's 0
        "0/1:5,3:",
        "0/1:5,3:0.5:9:1",  # more fields than FORMAT keys: an htslib error
    ],
)
def test_compiled_falls_back_where_htslib_differs(
    tmp_path: Path, monkeypatch, compiled_only, tumour: str
) -> None:
    """The pandas path reads these (not as htslib does); the C parser hands them over."""
    path = _vcf(tmp_path, [("GT:AD:AF:DP", tumour, "0/0:20,0:0:20"), _ROWS[0]])
    slow, quick, used = _both(path, monkeypatch)
    assert used == (tumour == "0/1:5,3:0.5:9")
    _assert_same(slow, quick)


# --------------------------------------------------------------------------- chunks


def _converter(caller: str = "mutect2", tumour: int | None = 0, normal: int | None = 1):
    rule = caller_rule(caller)
    return fast.ChunkConverter(
        sample_id="S",
        caller=caller,
        fmt=None,
        rule=rule,
        tumor_idx=tumour,
        normal_idx=normal,
        custom_isoforms=frozenset(),
    )


def _chunk(formats: list[str], *samples: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"FORMAT": formats} | {f"S{i}": list(c) for i, c in enumerate(samples)})


def _assert_numbers(numbers: dict[str, np.ndarray], expected: dict[str, list]) -> None:
    assert set(numbers) == set(expected)
    for key, values in expected.items():
        np.testing.assert_array_equal(numbers[key], np.array(values, dtype=float), err_msg=key)


NAN = np.nan


def test_missing_values(parser: str) -> None:
    formats = ["GT:AD:AF:DP"] * 7
    tumour = ["0/1:5,3:0.5:9", "0/1:.:.:.", "0/1::.:", "0/1:5,3", ".", "0/1:.,3:.:9", "0/1:5,"]
    normal = ["0/0:1,0", "", "0/0", "0/0:,:.", "0/0:.,.:.:.", "0/0:2,0:0:", "0/0:2,0:0:2"]
    numbers = _converter()._sample_numbers(_chunk(formats, tumour, normal))
    _assert_numbers(
        numbers[0],
        {
            "ref": [5, NAN, NAN, 5, NAN, NAN, 5],
            "alt": [3, NAN, NAN, 3, NAN, 3, NAN],
            "AF": [0.5, NAN, NAN, NAN, NAN, NAN, NAN],
            "DP": [9, NAN, NAN, NAN, NAN, 9, NAN],
        },
    )
    _assert_numbers(
        numbers[1],
        {
            "ref": [1, NAN, NAN, NAN, NAN, 2, 2],
            "alt": [0, NAN, NAN, NAN, NAN, 0, 0],
            "AF": [NAN, NAN, NAN, NAN, NAN, 0, 0],
            "DP": [NAN, NAN, NAN, NAN, NAN, NAN, 2],
        },
    )


def test_absent_keys_and_layouts(parser: str) -> None:
    formats = ["GT:AD:DP", "GT:DP:VD:AD:AF", "AD", "GT:AD:AF:DP"]
    tumour = ["0/1:5,3:9", "0/1:9:4:5,3:0.25", "5,3", "0/1:5,3:0.5:9"]
    normal = ["0/0:4,0:4", "0/0:4:0:4,0:0", "4,0", "0/0:4,0:0:4"]
    numbers = _converter("vardict")._sample_numbers(_chunk(formats, tumour, normal))
    _assert_numbers(
        numbers[0],
        {
            "ref": [5, 5, 5, 5],
            "alt": [3, 3, 3, 3],
            "DP": [9, 9, NAN, 9],
            "AF": [NAN, 0.25, NAN, 0.5],
            "VD": [NAN, 4, NAN, NAN],
        },
    )
    _assert_numbers(
        numbers[1],
        {
            "ref": [4, 4, 4, 4],
            "alt": [0, 0, 0, 0],
            "DP": [4, 4, NAN, 4],
            "AF": [NAN, 0, NAN, 0],
            "VD": [NAN, 0, NAN, NAN],
        },
    )


def test_only_the_wanted_samples(parser: str) -> None:
    chunk = _chunk(["GT:AD:DP"], ["0/1:5,3:9"], ["0/0:.:x"], ["0/0:1,1:2"])
    numbers = _converter("unknown", tumour=2, normal=None)._sample_numbers(chunk)
    assert list(numbers) == [2]
    _assert_numbers(numbers[2], {"ref": [1], "alt": [1], "DP": [2]})
    assert list(_converter(tumour=0, normal=0)._sample_numbers(chunk)) == [0]


@pytest.mark.parametrize("ad", ["7", "1,2,3", "1,,", ",,"])
def test_other_ad_shapes_fall_back_in_any_sample(parser: str, ad: str) -> None:
    chunk = _chunk(
        ["GT:AD:DP"] * 2, ["0/1:5,3:9"] * 2, ["0/0:4,0:4"] * 2, ["0/0:1,1:2", f"0/0:{ad}"]
    )
    with pytest.raises(fast.Fallback, match="AD with other than REF"):
        _converter()._counts(chunk)  # S2 is neither tumour nor normal


@pytest.mark.parametrize("layout", ["GT:DP", "GT:AD:DP:AD", "."])
def test_layouts_without_one_ad_fall_back(parser: str, layout: str) -> None:
    chunk = _chunk(["GT:AD:DP", layout], ["0/1:5,3:9", "0/1:5:3:9"], ["0/0:4,0:4", "0/0"])
    with pytest.raises(fast.Fallback, match="FORMAT"):
        _converter()._counts(chunk)


@pytest.mark.parametrize(
    "tumour",
    [
        "0/1:5,3:0.5:12.5",
        "0/1:5,3:0.5:abc",
        "0/1:5,x:0.5:9",
        "0/1:5.5,3:0.5:9",
        "0/1:5,3:0.5:9,1",
        "0/1:5,3:junk:9",
        "0/1:5,3:nan:9",
        "0/1:5,3:NaN:9",
        "0/1:5,3:0x1p3:9",
        "0/1:5,3:1e:9",
        "0/1:5,3:0.5,0.2:9",
        "0/1:5,3:1_0:9",
        "0/1:5,3:--1:9",
        "0/1:5,3:١:9",
    ],
)
def test_other_tokens_fall_back(parser: str, tumour: str) -> None:
    chunk = _chunk(["GT:AD:AF:DP"] * 2, ["0/1:1,1:0.5:2", tumour], ["0/0:4,0:0:4"] * 2)
    with pytest.raises(fast.Fallback):
        _converter()._counts(chunk)


@pytest.mark.parametrize(
    "tumour",
    [
        "0/1:5,3:0.5:9.0",
        "0/1:5,3:0.5:1e1",
        "0/1:5,3:0.5: 9",
        "0/1:5,3:inf:9",
        "0/1:5,3:0.5:2147483648",
        "0/1:5,3::9",
        "0/1:5,3:",
        "0/1:5,3:0.5:9:1",
    ],
)
def test_compiled_falls_back_on_more(compiled_only, tumour: str) -> None:
    """The pandas path reads these; htslib reads them differently (see the whole-file test
    above) or, inf, they are outside the plain decimals the C parser takes."""
    chunk = _chunk(["GT:AD:AF:DP"] * 2, ["0/1:1,1:0.5:2", tumour], ["0/0:4,0:0:4"] * 2)
    with pytest.raises(fast.Fallback, match="sample fields"):
        _converter()._counts(chunk)


def _counts_both_ways(monkeypatch, converter, chunk) -> dict[int, tuple]:
    """_counts with the C parser, checked equal (exactly) to _counts with the pandas one."""
    monkeypatch.setattr(fast, "_sample_counts", COMPILED)
    compiled = converter._counts(chunk)
    monkeypatch.setattr(fast, "_sample_counts", None)
    plain = converter._counts(chunk)
    assert compiled.keys() == plain.keys()
    for i, (depth, alt_reads, vaf) in compiled.items():
        pd.testing.assert_extension_array_equal(depth, plain[i][0])
        pd.testing.assert_extension_array_equal(alt_reads, plain[i][1])
        np.testing.assert_array_equal(vaf, plain[i][2])
        known = ~np.isnan(vaf)
        assert np.array_equal(np.signbit(vaf[known]), np.signbit(plain[i][2][known]))
    return compiled


def test_decimals_rounded_correctly(monkeypatch, compiled_only) -> None:
    """The C parser's floats are Python's float() (correctly rounded); after htslib's float32
    rounding, the VAFs equal the pandas path's (whose parse is not always correctly rounded)."""
    rng = random.Random(7)
    tokens = [
        "0.1234567890123456789012",
        "980635.1396937164870596402",
        ".5",
        "5.",
        "-.5e1",
        "+0.25",
        "1E+2",
        "1e-400",
        "0.000001",
        "123456789012345.6",
        "9007199254740993",
        "0.30000000000000004",
        "4.9406564584124654e-324",
        "1.7976931348623157e308",
    ]
    for _ in range(20_000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 24)))
        point = rng.randint(0, len(digits))
        token = f"{digits[:point]}.{digits[point:]}"
        tokens.append(token + (f"e{rng.randint(-30, 30)}" if rng.random() < 0.2 else ""))
    formats = ["GT:AD:AF:DP"] * len(tokens)
    chunk = _chunk(formats, [f"0/1:5,3:{t}:9" for t in tokens], ["0/0:4,0:.:4"] * len(tokens))
    converter = _converter()
    af = converter._sample_numbers(chunk)[0]["AF"]
    assert np.array_equal(af, [float(t) for t in tokens])
    with np.errstate(over="ignore"):
        _counts_both_ways(monkeypatch, converter, chunk)


def test_negative_zero_and_large_counts(monkeypatch, compiled_only) -> None:
    formats = ["GT:AD:AF:DP"] * 6
    tumour = [
        "0/1:-3,5:-0.5:-1",
        "0/1:-0,-0:-0.0:0",
        "0/1:2147483647,0:.:2147483647",
        "0/1:0000000000000000000009,1:.:00010",
        "0/1:+5,+3:+.5:+9",
        "0/1:5,-3:.:-0",
    ]
    normal = ["0/0:4,0:0:4", "0/0:4,0:0:-4", "0/0:4,0:1:4", "0/0:4,0:0:4", "0/0", "0/0:4,0:0:4"]
    counts = _counts_both_ways(monkeypatch, _converter(), _chunk(formats, tumour, normal))
    depth, alt_reads, vaf = counts[0]
    assert list(depth.fillna(-1)) == [-1, 0, 2147483647, 10, 9, 5]  # -1: missing
    assert list(alt_reads.fillna(-1)) == [5, 0, 0, 1, 3, -1]
    assert np.array_equal(vaf, [np.nan, -0.0, 0.0, 0.1, 0.5, np.nan], equal_nan=True)
    assert np.signbit(vaf[1]) and not np.signbit(vaf[2])  # htslib's -0.0 AF, an AD of 0


def test_parse_api(compiled_only) -> None:
    """The C function itself: out[j, 0 | 1 | 2 + k, r]; its argument checks."""
    out = np.full((1, 3, 2), -1.0)
    formats, samples = ["GT:AD:DP", "AD"], [["0/1:5,3:9", "7,1"], ["0/0:1,1", "1,,1"]]
    with pytest.raises(COMPILED.ParseError, match="AD with other than REF"):
        COMPILED.parse(formats, samples, [0], ["DP"], [True], out)
    samples[1][1] = "1,0"
    COMPILED.parse(formats, samples, [0], ["DP"], [True], out)
    np.testing.assert_array_equal(out, [[[5, 7], [3, 1], [9, np.nan]]])
    assert issubclass(COMPILED.ParseError, ValueError)
    for wanted, shape in (([0], (1, 3, 3)), ([0, 0], (2, 3, 2)), ([2], (1, 3, 2))):
        with pytest.raises(ValueError):
            COMPILED.parse(formats, samples, wanted, ["DP"], [True], np.empty(shape))
    with pytest.raises(ValueError):
        COMPILED.parse(formats, samples, [0], ["DP"], [True], np.empty((1, 3, 2), np.float32))
