"""write_tsv / write_tsv_chunks write the bytes pandas' to_csv writes with _TSV_OPTIONS."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist import tables
from her2resist.tables import _TSV_OPTIONS, write_tsv, write_tsv_chunks
from her2resist.variants import read_vcf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_variants import ANNOTATED, SAMPLES, UNREADABLE, _vcf_files

BENCH_VCF = Path(__file__).resolve().parents[1] / "benchmarks" / "work" / "bench_100000.vcf.gz"

TEXT_PIECES = ["a", "B", " ", "\t", '"', "\n", "\r", "\r\n", "é", "😀", "NA", ",", "'", "\\"]
TEXT_PIECES += ["\x0b", "\x0c", "\x1c", "\x85", "\u2028", "#", "nan", "1.5"]
MISSING = [None, np.nan, pd.NA, pd.NaT]
SPECIAL_FLOATS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-300, 5e-324, 1e300, 1.7976931348623157e308]
SPECIAL_FLOATS += [1 / 3, 0.1, 0.5, 1e16, 123456789012345.0, -2.5e-7, 1.0, 100.0, 1e-5, 99999.5]
# Column kinds the writer spells out itself, and kinds it leaves to to_csv
HANDLED = ["str", "str_missing", "string", "int64", "uint8", "int32", "bool"]
HANDLED += ["Int64", "UInt16", "boolean", "float64", "float32", "Float64", "Float32"]
FALLBACK = ["datetime", "timedelta", "category", "mixed_object", "object_bool", "object_numpy"]
FALLBACK += ["object_float", "object_list", "float16"]


def reference(frames: Sequence[pd.DataFrame], path: Path) -> bytes:
    """What the writer must reproduce: pandas' own to_csv, header on the first frame only."""
    with path.open("w", newline="") as handle:
        for i, frame in enumerate(frames):
            frame.to_csv(handle, header=i == 0, **_TSV_OPTIONS)
    return path.read_bytes()


def written(frames: Sequence[pd.DataFrame], path: Path) -> bytes:
    assert write_tsv_chunks(iter(frames), path) == sum(len(f) for f in frames)
    return path.read_bytes()


def assert_identical(frames: Sequence[pd.DataFrame], tmp_path: Path) -> None:
    expected = reference(frames, tmp_path / "reference.tsv")
    assert written(frames, tmp_path / "written.tsv") == expected


def _text(rng: np.random.Generator) -> str:
    return "".join(rng.choice(TEXT_PIECES, size=rng.integers(0, 5)).tolist())


def _floats(rng: np.random.Generator, n: int) -> np.ndarray:
    random = rng.standard_normal(n) * 10.0 ** rng.integers(-320, 300, n)
    special = rng.choice(np.array(SPECIAL_FLOATS), n)
    rounded = np.round(rng.standard_normal(n) * 1000, int(rng.integers(0, 4)))
    return np.select([rng.random(n) < 0.4, rng.random(n) < 0.5], [special, rounded], random)


def _column(
    rng: np.random.Generator, kind: str, n: int
) -> pd.Series | np.ndarray | pd.api.extensions.ExtensionArray:
    missing = rng.random(n) < rng.choice([0.0, 0.2, 1.0], p=[0.4, 0.5, 0.1])
    texts = [_text(rng) for _ in range(n)]

    def with_missing(values: list) -> pd.Series:
        out = np.array([*values, None], dtype=object)[:-1]
        for i in np.flatnonzero(missing):
            out[i] = MISSING[rng.integers(len(MISSING))]
        return pd.Series(out, dtype=object)  # else all-NaT columns turn datetime64

    ints = rng.integers(-(2**62), 2**62, n) // 10 ** rng.integers(0, 19, n)
    if kind == "str":
        return pd.Series(texts, dtype=object)
    if kind == "str_missing":
        return with_missing(texts)
    if kind == "string":
        return pd.array([None if m else t for t, m in zip(texts, missing, strict=True)], "string")
    if kind in ("int64", "uint8", "int32"):
        info = np.iinfo(kind)
        extremes = rng.choice([info.min, info.max, 0], n)
        return np.where(rng.random(n) < 0.2, extremes, ints.astype(kind)).astype(kind)
    if kind == "bool":
        return rng.random(n) < 0.5
    if kind in ("Int64", "UInt16"):
        values = np.abs(ints) % 65536 if kind == "UInt16" else ints
        return pd.array(np.where(missing, None, values).tolist(), dtype=kind)
    if kind == "boolean":
        return pd.array(np.where(missing, None, rng.random(n) < 0.5).tolist(), dtype="boolean")
    if kind == "float64":
        return np.where(missing, np.nan, _floats(rng, n))
    if kind == "float32":
        with np.errstate(over="ignore"):
            return np.where(missing, np.nan, _floats(rng, n)).astype(np.float32)
    if kind == "datetime":
        stamps = pd.to_datetime(rng.integers(0, 2**33, n), unit="s").to_numpy().copy()
        stamps[missing] = np.datetime64("NaT")
        return stamps
    if kind == "timedelta":
        return pd.to_timedelta(rng.integers(0, 10**6, n), unit="s")
    if kind == "category":
        return pd.Categorical(with_missing(texts))
    if kind == "mixed_object":
        pool = [*texts, 1, 2.5, True, np.int64(3), np.float64(0.1), b"x"]
        return with_missing([pool[i] for i in rng.integers(len(pool), size=n)])
    if kind == "object_bool":
        return with_missing((rng.random(n) < 0.5).tolist())
    if kind == "object_numpy":
        return with_missing(list(ints))
    if kind == "object_float":
        return with_missing(_floats(rng, n).tolist())
    if kind == "object_list":
        return with_missing([[t] for t in texts])
    if kind in ("Float64", "Float32"):
        # NaN left unmasked as well as masked values
        with np.errstate(over="ignore"):
            values = _floats(rng, n).astype(kind.lower())
        return pd.arrays.FloatingArray(values, missing)
    if kind == "float16":
        with np.errstate(over="ignore"):
            return _floats(rng, n).astype(np.float16)
    raise AssertionError(kind)


def random_frame(rng: np.random.Generator, kinds: Sequence[str] = HANDLED) -> pd.DataFrame:
    n = int(rng.choice([0, 1, 2, 3, 7, 40, 300]))
    width = int(rng.integers(1, 7))
    chosen = rng.choice(kinds, width).tolist()
    labels: list = [_text(rng) or f"c{j}" for j in range(width)]
    if width == 1 and rng.random() < 0.3:
        labels = [""]  # the csv module quotes a lone empty field
    if rng.random() < 0.05:
        labels[0] = rng.choice(np.array([0, 1.5, None], dtype=object))
    frame = pd.DataFrame({j: _column(rng, kind, n) for j, kind in enumerate(chosen)})
    frame.columns = labels
    return frame


def random_chunks(rng: np.random.Generator, frame: pd.DataFrame) -> list[pd.DataFrame]:
    cuts = np.sort(rng.integers(0, len(frame) + 1, rng.integers(0, 4)))
    bounds = [0, *cuts.tolist(), len(frame)]
    return [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.fixture(params=[tables._BLOCK_ROWS, 3], ids=["blocks", "tiny_blocks"])
def block_rows(request, monkeypatch) -> int:
    """Also with row blocks of 3, so frames of a few rows span several blocks."""
    monkeypatch.setattr(tables, "_BLOCK_ROWS", request.param)
    return request.param


@pytest.mark.parametrize("seed", range(4))
def test_random_frames_of_handled_types(seed: int, block_rows: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(60):
        assert_identical([random_frame(rng)], tmp_path)


@pytest.mark.parametrize("seed", range(4))
def test_random_frames_with_types_left_to_to_csv(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(100 + seed)
    for _ in range(40):
        assert_identical([random_frame(rng, HANDLED + FALLBACK)], tmp_path)


@pytest.mark.parametrize("seed", range(4))
def test_random_chunked_writes(seed: int, block_rows: int, tmp_path: Path) -> None:
    """Header on the first chunk only, empty chunks anywhere, chunks taken by the writer
    and by to_csv in one file."""
    rng = np.random.default_rng(200 + seed)
    for _ in range(30):
        kinds = HANDLED + FALLBACK if rng.random() < 0.3 else HANDLED
        frame = random_frame(rng, kinds)
        assert_identical(random_chunks(rng, frame), tmp_path)
        assert_identical(random_chunks(rng, frame)[:1] * 3, tmp_path)


def _forbid_to_csv(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("to_csv called")

    monkeypatch.setattr(pd.DataFrame, "to_csv", refuse)


def test_handled_types_bypass_to_csv(monkeypatch, tmp_path: Path) -> None:
    """Every handled kind, with missing values and quoting, is written without to_csv."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({kind: _column(rng, kind, 500) for kind in HANDLED})
    frame["quoted"] = ["a\tb", 'say "x"', "two\nlines", "cr\rhere", "", " pad "] * 83 + ["x", "y"]
    frames = [frame, frame.iloc[:0], frame.iloc[:7]]
    expected = reference(frames, tmp_path / "reference.tsv")
    _forbid_to_csv(monkeypatch)
    assert written(frames, tmp_path / "written.tsv") == expected
    assert written([frame.iloc[:0]], tmp_path / "empty.tsv") == expected.split(b"\n")[0] + b"\n"


@pytest.mark.parametrize("kind", FALLBACK)
def test_types_left_to_to_csv(kind: str, monkeypatch, tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"s": _column(rng, "str_missing", 50), kind: _column(rng, kind, 50)})
    expected = reference([frame, frame], tmp_path / "reference.tsv")
    calls = []
    original = pd.DataFrame.to_csv

    def spy(self, *args, **kwargs):
        calls.append(len(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", spy)
    assert written([frame, frame], tmp_path / "written.tsv") == expected
    assert calls == [50, 50]


def test_spelling_of_fields(tmp_path: Path) -> None:
    """The rules the writer follows, spelled out (to_csv agrees: assert_identical)."""
    frame = pd.DataFrame(
        {
            "text": ["a\tb", 'say "x"', "two\nlines", "", None],
            "number": [-0.0, np.inf, 1e-300, 1 / 3, np.nan],
            "count": pd.array([1, None, -3, 0, 2**40], dtype="Int64"),
            "flag": pd.array([True, False, None, True, False], dtype="boolean"),
        }
    )
    assert_identical([frame], tmp_path)
    assert written([frame], tmp_path / "t.tsv").decode() == (
        "text\tnumber\tcount\tflag\n"
        '"a\tb"\t-0\t1\tTrue\n'
        '"say ""x"""\tinf\tNA\tFalse\n'
        '"two\nlines"\t1e-300\t-3\tNA\n'
        "\t0.3333333333\t0\tTrue\n"
        "NA\tNA\t1099511627776\tFalse\n"
    )
    lone = pd.DataFrame({"": ["", "a", None]})
    assert_identical([lone], tmp_path)
    assert written([lone], tmp_path / "lone.tsv") == b'""\n""\na\nNA\n'


@pytest.mark.parametrize(
    "frames",
    [
        [pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)})],
        [pd.DataFrame({"a": [1.5]}), pd.DataFrame({"a": pd.Series([], dtype=float)})],
        [pd.DataFrame({"a": pd.Series([], dtype=float)}), pd.DataFrame({"a": [1.5, np.nan]})],
        [pd.DataFrame()],
        [pd.DataFrame(index=range(3))],
        [pd.DataFrame({"x": [1]}), pd.DataFrame(index=range(2))],
        [pd.DataFrame({0: ["a"], 1.5: ["b"]}), pd.DataFrame({0: ["c"], 1.5: ["d"]})],
        [pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "b"), ("a", "c")]))],
        [],
    ],
    ids=[
        "no_rows",
        "empty_second_chunk",
        "empty_first_chunk",
        "nothing",
        "rows_without_columns",
        "then_no_columns",
        "number_labels",
        "multiindex_labels",
        "no_frames",
    ],
)
def test_edge_frames(frames: list[pd.DataFrame], tmp_path: Path) -> None:
    assert_identical(frames, tmp_path)


def test_write_tsv_creates_folders(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["x"], "b": [1]})
    write_tsv(frame, tmp_path / "new" / "t.tsv")
    assert (tmp_path / "new" / "t.tsv").read_bytes() == reference([frame], tmp_path / "r.tsv")


def _readable_vcfs() -> list[str]:
    return [name for name in _vcf_files() if name not in UNREADABLE]


@pytest.mark.parametrize("name", _readable_vcfs())
def test_public_vcf_tables(shared_data: Path, name: str, tmp_path: Path) -> None:
    path = shared_data / "variants" / name
    tumor, normal = SAMPLES.get(name, (None, None))
    annotation = "auto" if name in ANNOTATED else "none"
    table = read_vcf(path, sample_id="S", annotation=annotation, tumor=tumor, normal=normal)
    assert_identical([table], tmp_path)
    assert_identical([table.iloc[:3], table.iloc[3:]], tmp_path)


@pytest.mark.skipif(not BENCH_VCF.is_file(), reason="benchmark VCF not generated")
def test_benchmark_variant_table(tmp_path: Path, monkeypatch) -> None:
    """The 100,000-row variant table, whole and in chunks, without to_csv."""
    table = read_vcf(BENCH_VCF, sample_id="B", annotation="vep")
    chunks = [table.iloc[a : a + 30_000] for a in range(0, len(table), 30_000)]
    expected = reference([table], tmp_path / "reference.tsv")
    _forbid_to_csv(monkeypatch)
    assert written([table], tmp_path / "whole.tsv") == expected
    assert written(chunks, tmp_path / "chunks.tsv") == expected
