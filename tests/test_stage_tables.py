"""Per-sample stage tables read for a whole cohort at once, and a cohort table (one file for
every sample): the same values as one read_csv per sample's file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.tables import (
    LineNumbers,
    read_stage_tables,
    read_table,
    records,
    with_file,
    write_tsv,
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


def write_per_sample(frame: pd.DataFrame, paths: dict[str, Path]) -> None:
    for sample, path in paths.items():
        write_tsv(frame[frame["sample_id"] == sample], path)


def test_cohort_table_reads_as_the_per_sample_files(tmp_path: Path) -> None:
    """``cohort.tsv`` split by sample_id gives what one file per sample gives, a sample of
    the sheet without rows included (an empty table, as its header-only file)."""
    frame = cohort()
    ids = ["S1", "S2", "S3", "S4"]  # S4 has no rows
    paths = {s: tmp_path / f"{s}.tsv" for s in ids}
    write_per_sample(frame, paths)
    write_tsv(frame, tmp_path / "cohort" / "cohort.tsv")
    per_sample = read_stage_tables(paths.values())
    whole = read_stage_tables([tmp_path / "cohort" / "cohort.tsv"], samples=ids)
    assert list(whole) == ids
    assert whole["S4"].empty and list(whole["S4"].columns) == list(frame.columns)
    for sample in ids:
        pd.testing.assert_frame_equal(
            whole[sample].astype(str), per_sample[sample].astype(str), check_dtype=False
        )


def test_with_file_lists_the_samples_with_a_file() -> None:
    sheet = pd.DataFrame({"sample_id": ["S1", "S2", "S3"], "cnv_file": ["a.cns", "", None]})
    assert with_file(sheet, "cnv_file") == ["S1"]
    assert with_file(sheet, "variant_file") == []


def test_read_stage_tables_equals_read_csv_per_file(tmp_path: Path) -> None:
    frame = cohort()
    paths = {s: tmp_path / f"{s}.tsv" for s in ("S1", "S2", "S3", "S4")}
    write_per_sample(frame, paths)
    other = tmp_path / "S5.tsv"  # another header: read on its own
    write_tsv(pd.DataFrame({"sample_id": ["S5"], "call": ["gain"]}), other)
    tables = read_stage_tables([*paths.values(), other])
    assert list(tables) == ["S1", "S2", "S3", "S4", "S5"]
    for stem, path in [*paths.items(), ("S5", other)]:
        expected = pd.read_csv(path, sep="\t", low_memory=False)
        got = tables[stem]
        # same columns, rows and values as text (a per-file dtype may be wider cohort-wide)
        pd.testing.assert_frame_equal(got.astype(str), expected.astype(str))


def test_rows_and_columns_kept_before_the_split(tmp_path: Path) -> None:
    """``rows`` and ``columns`` keep the same part of each sample's table as taking it
    afterwards, in both layouts (per-sample files sharing a header, and a cohort table)."""
    frame = cohort()
    paths = {s: tmp_path / f"{s}.tsv" for s in ("S1", "S2", "S3", "S4")}
    write_per_sample(frame, paths)
    write_tsv(frame, tmp_path / "cohort" / "cohort.tsv")
    erbb2 = lambda table: table["gene"].eq("ERBB2")  # noqa: E731
    whole = read_stage_tables([tmp_path / "cohort" / "cohort.tsv"], samples=list(paths))
    columns = ["sample_id", "gene", "vaf"]
    cohort_table = [tmp_path / "cohort" / "cohort.tsv"]
    for tables in (
        read_stage_tables(paths.values(), rows=erbb2, columns=columns),
        read_stage_tables(cohort_table, samples=list(paths), rows=erbb2, columns=columns),
    ):
        assert list(tables) == list(paths)
        assert sum(map(len, tables.values())) == erbb2(frame).sum() > 0
        for sample, table in tables.items():
            expected = whole[sample][erbb2(whole[sample])][columns].reset_index(drop=True)
            pd.testing.assert_frame_equal(
                table.reset_index(drop=True).astype(str), expected.astype(str)
            )


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
