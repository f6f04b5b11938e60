"""The one TSV format of every stage table (write_tsv, write_tsv_chunks), spelled out byte for
byte: floats to 10 significant digits, NA for missing values, csv quoting, LF line ends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.tables import write_tsv, write_tsv_chunks


def test_spelling_of_fields(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "text": ["a\tb", 'say "x"', "two\nlines", "", None],
            "number": [-0.0, np.inf, 1e-300, 1 / 3, np.nan],
            "count": pd.array([1, None, -3, 0, 2**40], dtype="Int64"),
            "flag": pd.array([True, False, None, True, False], dtype="boolean"),
        }
    )
    write_tsv(frame, tmp_path / "t.tsv")
    assert (tmp_path / "t.tsv").read_bytes().decode() == (
        "text\tnumber\tcount\tflag\n"
        '"a\tb"\t-0\t1\tTrue\n'
        '"say ""x"""\tinf\tNA\tFalse\n'
        '"two\nlines"\t1e-300\t-3\tNA\n'
        "\t0.3333333333\t0\tTrue\n"
        "NA\tNA\t1099511627776\tFalse\n"
    )
    lone = pd.DataFrame({"": ["", "a", None]})
    write_tsv(lone, tmp_path / "lone.tsv")
    assert (tmp_path / "lone.tsv").read_bytes() == b'""\n""\na\nNA\n'


def test_numbers_round_trip_to_ten_digits(tmp_path: Path) -> None:
    values = [123456789012345.0, 0.1, 1e16, -2.5e-7, 99999.5, 1.7976931348623157e308]
    write_tsv(pd.DataFrame({"x": values, "n": np.arange(6, dtype="int64")}), tmp_path / "n.tsv")
    lines = (tmp_path / "n.tsv").read_text().splitlines()
    assert [line.split("\t")[0] for line in lines[1:]] == [
        "1.23456789e+14",
        "0.1",
        "1e+16",
        "-2.5e-07",
        "99999.5",
        "1.797693135e+308",
    ]
    assert [line.split("\t")[1] for line in lines[1:]] == list("012345")


def test_chunks_write_one_header_and_count_rows(tmp_path: Path) -> None:
    frame = pd.DataFrame({"gene": ["ERBB2", "TP53", "PIK3CA"], "vaf": [0.25, np.nan, 0.5]})
    chunks = [frame.iloc[:0], frame.iloc[:2], frame.iloc[2:], frame.iloc[:0]]
    assert write_tsv_chunks(iter(chunks), tmp_path / "c.tsv") == 3
    assert (tmp_path / "c.tsv").read_text() == "gene\tvaf\nERBB2\t0.25\nTP53\tNA\nPIK3CA\t0.5\n"
    write_tsv(frame, tmp_path / "whole.tsv")
    assert (tmp_path / "whole.tsv").read_bytes() == (tmp_path / "c.tsv").read_bytes()


def test_a_table_without_rows_is_its_header(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)})
    write_tsv(frame, tmp_path / "e.tsv")
    assert (tmp_path / "e.tsv").read_bytes() == b"a\tb\n"
    assert write_tsv_chunks([], tmp_path / "none.tsv") == 0
    assert (tmp_path / "none.tsv").read_bytes() == b""


def test_write_tsv_creates_folders(tmp_path: Path) -> None:
    write_tsv(pd.DataFrame({"a": ["x"], "b": [1]}), tmp_path / "new" / "t.tsv")
    assert (tmp_path / "new" / "t.tsv").read_bytes() == b"a\tb\nx\t1\n"


def test_text_and_empty_columns_as_pandas_writes_them(tmp_path: Path) -> None:
    """Frames of plain text and all-missing columns (a cohort's copy-number calls from a
    gene table) are joined without pandas' formatting: the bytes must stay pandas'."""
    n = 4
    frame = pd.DataFrame(
        {
            "sample_id": ["S1", "S1", "S2", ""],
            "gene": pd.array(["ERBB2", "TP53", " PTEN ", "NA"], dtype="string"),
            "start": pd.array([None] * n, dtype="Int64"),
            "log2": [np.nan] * n,
            "chrom": pd.array([None] * n, dtype="string"),
            "note": [None, np.nan, pd.NA, None],
            "call": ["amplification", "neutral", "deep_deletion", "gain"],
        }
    )
    write_tsv_chunks([frame.iloc[:2], frame.iloc[2:]], tmp_path / "fast.tsv")
    expected = frame.to_csv(sep="\t", index=False, na_rep="NA", lineterminator="\n")
    assert (tmp_path / "fast.tsv").read_text() == expected
    assert expected.splitlines()[3] == "S2\t PTEN \tNA\tNA\tNA\tNA\tdeep_deletion"
    # text with some cells missing, of either text dtype: pandas writes it
    for dtype in ("string", object):
        frame["gene"] = pd.array(["ERBB2", None, "PTEN", "TP53"], dtype=dtype)
        write_tsv(frame, tmp_path / "some_missing.tsv")
        assert (tmp_path / "some_missing.tsv").read_text() == frame.to_csv(
            sep="\t", index=False, na_rep="NA", lineterminator="\n"
        )
    write_tsv(frame.iloc[:0], tmp_path / "empty.tsv")
    assert (tmp_path / "empty.tsv").read_text() == "\t".join(frame.columns) + "\n"


def test_missing_columns_first_and_last_as_pandas_writes_them(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "purity": [np.nan] * 3,
            "gene": ["ERBB2", "TP53", "PTEN"],
            "chrom": [None] * 3,
            "call": ["gain", "neutral", "loss"],
            "n_segments": pd.array([None] * 3, dtype="Int64"),
            "log2": [np.nan] * 3,
        }
    )
    write_tsv(frame, tmp_path / "t.tsv")
    expected = frame.to_csv(sep="\t", index=False, na_rep="NA", lineterminator="\n")
    assert (tmp_path / "t.tsv").read_text() == expected
    assert expected.splitlines()[1] == "NA\tERBB2\tNA\tgain\tNA\tNA"
