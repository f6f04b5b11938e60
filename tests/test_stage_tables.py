"""Per-sample stage tables written and read for a whole cohort at once: the same bytes and
the same values as one write_tsv / read_csv per sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.tables import (
    LineNumbers,
    read_stage_tables,
    read_table,
    records,
    write_tsv,
    write_tsv_split,
)


def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 60
    return pd.DataFrame(
        {
            "sample_id": rng.choice(["S1", "S2", "S3"], n),
            "gene": rng.choice(["ERBB2", "TP53", ""], n),
            "pos": rng.integers(1, 10**8, n),
            "vaf": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
            "note": rng.choice(["a b", None, "x;y"], n),
        }
    )


def test_write_tsv_split_equals_write_tsv_per_sample(tmp_path: Path) -> None:
    frame = cohort()
    ids = ["S1", "S2", "S3", "S4"]  # S4 has no rows: a header-only table
    write_tsv_split(frame, "sample_id", {s: tmp_path / "split" / f"{s}.tsv" for s in ids})
    for sample in ids:
        write_tsv(frame[frame["sample_id"] == sample], tmp_path / f"{sample}.tsv")
        expected = (tmp_path / f"{sample}.tsv").read_bytes()
        assert (tmp_path / "split" / f"{sample}.tsv").read_bytes() == expected, sample
    assert (tmp_path / "split" / "S4.tsv").read_text().count("\n") == 1


def test_write_tsv_split_with_a_line_break_in_a_field(tmp_path: Path) -> None:
    frame = cohort()
    frame.loc[0, "note"] = "two\nlines"
    write_tsv_split(frame, "sample_id", {"S1": tmp_path / "a.tsv", "S2": tmp_path / "b.tsv"})
    write_tsv(frame[frame["sample_id"] == "S1"], tmp_path / "a_expected.tsv")
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "a_expected.tsv").read_bytes()


def test_read_stage_tables_equals_read_csv_per_file(tmp_path: Path) -> None:
    frame = cohort()
    paths = {s: tmp_path / f"{s}.tsv" for s in ("S1", "S2", "S3", "S4")}
    write_tsv_split(frame, "sample_id", paths)
    other = tmp_path / "S5.tsv"  # another header: read on its own
    write_tsv(pd.DataFrame({"sample_id": ["S5"], "call": ["gain"]}), other)
    tables = read_stage_tables([*paths.values(), other])
    assert list(tables) == ["S1", "S2", "S3", "S4", "S5"]
    for stem, path in [*paths.items(), ("S5", other)]:
        expected = pd.read_csv(path, sep="\t", low_memory=False)
        got = tables[stem]
        # same columns, rows and values as text (a per-file dtype may be wider cohort-wide)
        pd.testing.assert_frame_equal(got.astype(str), expected.astype(str))


def test_records_equals_to_dict() -> None:
    frame = cohort()
    ours, pandas = records(frame), frame.to_dict("records")
    assert len(ours) == len(pandas)
    for a, b in zip(ours, pandas, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            assert (pd.isna(a[key]) and pd.isna(b[key])) or a[key] == b[key]
            assert type(a[key]) is type(b[key]) or pd.isna(a[key])


def test_line_numbers_survive_pandas_operations_without_copies(tmp_path: Path) -> None:
    path = tmp_path / "sheet.tsv"
    path.write_text("patient_id\tsample_id\n\nP1\tS1\nP2\tS2\n")
    table = read_table(path)
    assert isinstance(table.attrs["lines"], LineNumbers)
    subset = table[table["patient_id"] == "P2"]
    assert subset.attrs["lines"] is table.attrs["lines"]  # shared, not deep-copied
    assert list(table.attrs["lines"]) == [3, 4]
