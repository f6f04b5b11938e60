"""Reading users' tables (TSV/CSV/XLSX, any encoding they arrive in) and writing ours."""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from her2resist.errors import InputError, Problem

MISSING = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "."]


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; latin-1 as the spreadsheet-export fallback."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def text_lines(path: str | Path) -> list[str]:
    """A text file's lines whatever its line ends (LF, CRLF, or the CR only of old Mac and
    cBioPortal files), gzipped or not, decoded as :func:`_decode` does."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return _decode(raw).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_table(path: str | Path, *, required: list[str] | None = None) -> pd.DataFrame:
    """Read a user table as strings: TSV, CSV or XLSX; BOM, CRLF/CR and latin-1 tolerated.

    For XLSX, title rows above the header are skipped: the header is the first row that
    contains every ``required`` column (or the first non-empty row).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.one(str(path), "file not found", hint="check the path in the config")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            frame = _read_xlsx(path, required or [])
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            raise InputError.one(
                str(path),
                f"cannot read the spreadsheet ({error})",
                hint="save it again as .xlsx, or export the first sheet as TSV",
            ) from None
    else:
        numbered = [(n, line) for n, line in enumerate(text_lines(path), 1) if line.strip()]
        if not numbered:
            raise InputError.one(str(path), "the table is empty", hint="add a header row")
        line_numbers = [n for n, _ in numbered]
        lines = [line for _, line in numbered]
        sep = "\t" if "\t" in lines[0] or path.suffix.lower() in {".tsv", ".txt"} else ","
        try:
            frame = pd.read_csv(
                io.StringIO("\n".join(lines)),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_values=MISSING,
                quoting=csv.QUOTE_MINIMAL,
            )
        except pd.errors.ParserError as error:
            match = re.search(r"line (\d+)", str(error))
            where = line_numbers[int(match.group(1)) - 1] if match else None
            raise InputError.one(
                str(path),
                f"cannot split the table into columns ({str(error).strip()})",
                where,
                hint="every row needs as many tab-separated cells as the header",
            ) from None
        if len(frame) == len(line_numbers) - 1:  # no quoted multi-line cells
            frame.attrs["lines"] = LineNumbers(line_numbers[1:])
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in (required or []) if c not in frame.columns]
    if missing:
        raise InputError.one(
            str(path),
            f"missing column(s) {', '.join(missing)}; found {', '.join(frame.columns)}",
            where=1,
            hint="rename the columns or map them in the config",
        )
    lines = frame.attrs.get("lines")
    frame = frame.apply(lambda col: col.str.strip() if col.dtype == object else col)
    if lines is not None:
        frame.attrs["lines"] = lines
    frame.attrs["path"] = str(path)
    return frame


def _read_xlsx(path: Path, required: list[str]) -> pd.DataFrame:
    raw = pd.read_excel(path, header=None, dtype=str, engine="openpyxl")
    header_row = None
    for i, row in raw.iterrows():
        values = {str(v).strip() for v in row if pd.notna(v)}
        if values and (not required or set(required) <= values):
            header_row = i
            break
    if header_row is None:
        raise InputError.one(
            str(path),
            f"no header row with columns {', '.join(required)} in the first sheet",
            hint="put the column names in one row above the data",
        )
    frame = raw.iloc[header_row + 1 :].copy()
    frame.columns = [str(v).strip() for v in raw.iloc[header_row]]
    frame = frame.dropna(how="all")
    lines = [int(i) + 1 for i in frame.index]  # spreadsheet row numbers (1-based)
    frame = frame.reset_index(drop=True)
    frame = frame.where(frame.notna(), None).astype(object).replace({None: pd.NA})
    frame.attrs["lines"] = LineNumbers(lines)
    return frame


class LineNumbers(tuple):
    """File line of each data row, kept in ``DataFrame.attrs``. pandas deep-copies attrs
    into the result of every operation; as a list that copy dominated stages working on a
    cohort's sample sheet (minutes for 2,000 samples). The numbers never change: a copy is
    the same object."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict) -> LineNumbers:
        return self


def data_line(frame: pd.DataFrame | pd.Series, index: int) -> int:
    """The 1-based file line (spreadsheet row for XLSX) of a data row.

    Uses the line numbers ``read_table`` records in ``attrs["lines"]`` (blank lines and
    title rows skipped); otherwise assumes the header is line 1 and no blank lines.
    """
    lines = frame.attrs.get("lines")
    if lines is not None and 0 <= int(index) < len(lines):
        return int(lines[int(index)])
    return int(index) + 2


def raise_for_rows(
    bad: pd.Series,
    source: str,
    message: Callable[[Any], str],
    column: str | None = None,
    hint: str | None = None,
) -> None:
    """Raise one InputError naming every row where ``bad`` is true (with its file line)."""
    if bad.any():
        raise InputError(
            [Problem(source, message(i), data_line(bad, i), column, hint) for i in bad.index[bad]]
        )


_SEP = "\t"
_NA = "NA"
_FLOAT_FORMAT = "%.10g"
_TSV_OPTIONS: dict[str, Any] = {
    "sep": _SEP,
    "index": False,
    "na_rep": _NA,
    "float_format": _FLOAT_FORMAT,
    "lineterminator": "\n",
}
# Characters for which csv.QUOTE_MINIMAL may quote a field in to_csv's dialect: the
# separator, the quote character and line breaks. A lone "\r" is quoted only from CPython
# 3.11.9 / 3.12.3 on (gh-67044), so fields holding any of these go through the csv module.
_QUOTE_TRIGGERS = (_SEP, '"', "\n", "\r")
# Rows joined per write: small enough that the row strings stay in cache (measured faster
# than one join of the whole frame).
_BLOCK_ROWS = 2048
_MASKED_DTYPES = (
    pd.BooleanDtype,
    pd.Int8Dtype,
    pd.Int16Dtype,
    pd.Int32Dtype,
    pd.Int64Dtype,
    pd.UInt8Dtype,
    pd.UInt16Dtype,
    pd.UInt32Dtype,
    pd.UInt64Dtype,
)
_MASKED_FLOAT_DTYPES = (pd.Float32Dtype, pd.Float64Dtype)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` (Python scalars, NaN kept) without pandas' column-by-
    column row assembly, which costs milliseconds per small table."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in frame.to_numpy(dtype=object)]


#: file stem of a stage table holding every sample's rows (the cohort route: one
#: ``results/variants/cohort.tsv`` from a MAF, not thousands of per-sample files)
COHORT_TABLE = "cohort"


def read_stage_tables(
    paths: Iterable[str | Path],
    dtype: dict[str, Any] | None = None,
    samples: Iterable[str] = (),
) -> dict[str, pd.DataFrame]:
    """Per-sample stage tables (TSV with a header, as ``write_tsv`` writes them) by file
    stem. Files sharing a header are parsed as one text and split again: one read_csv per
    file costs more than the parsing for a cohort's thousands of small tables. A cohort
    table (stem :data:`COHORT_TABLE`) is split by its ``sample_id`` column, and each of
    ``samples`` without rows in it gets an empty table, as its own file would have been
    (a sample named ``cohort`` alone reads the same either way)."""
    paths = list(paths)
    if len(paths) == 1 and Path(paths[0]).stem == COHORT_TABLE:
        return _split_cohort_table(paths[0], dtype, samples)
    groups: dict[str, list[tuple[str, str]]] = {}
    tables: dict[str, pd.DataFrame] = {}
    for path in paths:
        text = Path(path).read_text()
        if '"' in text:  # a quoted field may hold a line break: this file on its own
            tables[Path(path).stem] = pd.read_csv(path, sep="\t", low_memory=False, dtype=dtype)
            continue
        header, _, body = text.partition("\n")
        groups.setdefault(header, []).append((Path(path).stem, body))
    for header, members in groups.items():
        lines = [[line for line in body.splitlines() if line] for _, body in members]
        text = io.StringIO("\n".join([header, *(line for part in lines for line in part)]))
        frame = pd.read_csv(text, sep="\t", low_memory=False, dtype=dtype)
        start = 0
        for (stem, _), part in zip(members, lines, strict=True):
            tables[stem] = frame.iloc[start : start + len(part)].reset_index(drop=True)
            start += len(part)
    return tables


def with_file(samples: pd.DataFrame, column: str) -> list[str]:
    """Ids of the sheet's samples with a file named in ``column`` (their stage tables)."""
    if column not in samples:
        return []
    files = samples[column].fillna("").astype(str)
    return list(samples.loc[files.str.len() > 0, "sample_id"].astype(str))


def _split_cohort_table(
    path: str | Path, dtype: dict[str, Any] | None, samples: Iterable[str]
) -> dict[str, pd.DataFrame]:
    frame = pd.read_csv(path, sep="\t", low_memory=False, dtype={**(dtype or {}), "sample_id": str})
    # one reordering and a slice per sample: a groupby's take per sample cost seconds
    codes, ids = pd.factorize(frame["sample_id"])
    order = np.argsort(codes, kind="stable")
    ordered = frame.iloc[order].reset_index(drop=True)
    bounds = np.searchsorted(codes[order], np.arange(len(ids) + 1))
    by_sample = {}
    for k, sid in enumerate(ids):
        part = ordered.iloc[bounds[k] : bounds[k + 1]]
        part.index = pd.RangeIndex(len(part))
        by_sample[str(sid)] = part
    empty = frame.iloc[0:0]
    return {sid: by_sample.get(sid, empty) for sid in sorted(set(by_sample) | set(samples))}


def write_tsv(frame: pd.DataFrame, path: str | Path) -> None:
    """Deterministic TSV: fixed float format, NA written as ``NA``, LF line endings."""
    write_tsv_chunks([frame], path)


def write_tsv_if_changed(frame: pd.DataFrame, path: str | Path) -> None:
    """:func:`write_tsv`, rewriting only on a change: Snakemake reruns what depends on a
    newer file, and these are written when the workflow is parsed. (Cluster jobs parse the
    workflow too, at the same time: each writes its own temporary file.)"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_tsv(frame, buffer)
    if path.is_file() and path.read_bytes() == buffer.read_bytes():
        buffer.unlink()
    else:
        buffer.replace(path)


def write_tsv_chunks(frames: Iterable[pd.DataFrame], path: str | Path) -> int:
    """:func:`write_tsv` of the concatenated frames, one frame in memory at a time;
    returns the number of rows.

    The bytes are those of ``frame.to_csv(handle, header=..., **_TSV_OPTIONS)``; frames
    with a column type :func:`_column_text` does not spell out are written by ``to_csv``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", newline="") as handle:
        for i, frame in enumerate(frames):
            _write_frame(frame, handle, header=i == 0)
            rows += len(frame)
    return rows


def _write_frame(frame: pd.DataFrame, handle: TextIO, *, header: bool) -> None:
    labels = list(frame.columns)
    alone = len(labels) == 1
    # No columns: to_csv writes a blank line per row. Labels other than strings: to_csv
    # formats them (float_format, na_rep) and writes MultiIndex levels as several rows.
    if not labels or (header and not all(isinstance(label, str) for label in labels)):
        frame.to_csv(handle, header=header, **_TSV_OPTIONS)
        return
    columns: list[list[str]] = []
    if len(frame):
        # a view without attrs: pandas deep-copies them into every column taken out
        bare = pd.DataFrame(frame)
        for j in range(len(labels)):
            text = _column_text(bare.iloc[:, j], alone)
            if text is None:
                frame.to_csv(handle, header=header, **_TSV_OPTIONS)
                return
            columns.append(text)
    if header:
        handle.write(_SEP.join(_csv_quoted(labels, alone)) + "\n")
    for start in range(0, len(frame), _BLOCK_ROWS):
        block = [text[start : start + _BLOCK_ROWS] for text in columns]
        handle.write("\n".join(map(_SEP.join, zip(*block, strict=True))))
        handle.write("\n")


def _column_text(column: pd.Series, alone: bool) -> list[str] | None:
    """The column's fields as to_csv writes them, or None for a type left to to_csv.

    ``alone``: the frame's only column (the csv module quotes an empty field there).
    """
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return _string_text(column.to_numpy(dtype=object), alone)
    if isinstance(dtype, _MASKED_DTYPES):
        values = column.to_numpy(dtype=dtype.numpy_dtype, na_value=0)
        return _formatted(values, str, column.isna().to_numpy())
    if isinstance(dtype, _MASKED_FLOAT_DTYPES):
        # to_csv writes NA for a NaN left unmasked as for a masked value
        values = column.to_numpy(dtype=dtype.numpy_dtype, na_value=np.nan)
        return _formatted(values, _FLOAT_FORMAT.__mod__)
    if not isinstance(dtype, np.dtype):
        return None
    if dtype.kind == "O":
        return _string_text(column.to_numpy(), alone)
    if dtype.kind in "biu":
        return _formatted(column.to_numpy(), str)
    if dtype.kind == "f" and dtype.itemsize in (4, 8):
        return _formatted(column.to_numpy(), _FLOAT_FORMAT.__mod__)
    return None


def _string_text(values: np.ndarray, alone: bool) -> list[str] | None:
    """Strings and missing values (``None``, NaN, ``pd.NA``...: whatever ``pd.isna`` says,
    as to_csv does); None for any other value, whose ``str`` to_csv would write."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        missing = pd.isna(values)
        if not missing.any():
            return None
        values = values.copy()
        values[missing] = _NA
        if pd.api.types.infer_dtype(values, skipna=False) != "string":
            return None
    return _csv_quoted(values.tolist(), alone)


def _csv_quoted(fields: list[str], alone: bool) -> list[str]:
    """Fields quoted as to_csv's csv writer (QUOTE_MINIMAL) quotes them; the few that may
    need it go through the csv module, so its rules apply whatever the Python version."""
    joined = "".join(fields)
    if not any(c in joined for c in _QUOTE_TRIGGERS) and not (alone and "" in fields):
        return fields
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=_SEP,
        quotechar='"',
        doublequote=True,
        escapechar=None,
        lineterminator="\n",
        quoting=csv.QUOTE_MINIMAL,
    )

    def quoted(field: str) -> str:
        if not (field == "" and alone) and not any(c in field for c in _QUOTE_TRIGGERS):
            return field
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([field])
        return buffer.getvalue()[:-1]

    return list(map(quoted, fields))


def _formatted(
    values: np.ndarray, spell: Callable[[Any], str], missing: np.ndarray | None = None
) -> list[str]:
    """Numbers (bool, int, float) spelled once per distinct value: far fewer calls than
    values in typical tables (depths, allele fractions), and a small cost otherwise."""
    keys = values
    if values.dtype.kind == "f":
        # bit patterns as keys: -0.0 (written "-0") stays apart from 0.0
        keys = values.view(f"i{values.dtype.itemsize}")
    codes, uniques = pd.factorize(keys)
    if values.dtype.kind == "f":
        uniques = uniques.view(values.dtype)
    texts = np.array(list(map(spell, uniques.tolist())), dtype=object)
    if values.dtype.kind == "f":
        texts[np.isnan(uniques)] = _NA
    text = texts[codes]
    if missing is not None and missing.any():
        text[missing] = _NA
    return text.tolist()
