"""Reading users' tables (TSV/CSV/XLSX, any encoding they arrive in) and writing ours."""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from her2resist.errors import Findings, InputError, Problem

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


def first_header(path: str | Path) -> tuple[list[str], int]:
    """The first line that is neither blank nor a ``#`` comment, split at tabs, and its line
    number (``[], 0`` for a file without one): a table's header, read without the table."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as handle:
        for n, raw in enumerate(handle, 1):
            line = raw.rstrip("\r\n")
            if line.strip() and not line.startswith("#"):
                return [c.strip() for c in line.split("\t")], n
    return [], 0


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
        line_numbers, lines = zip(*numbered, strict=True)
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


def cell_text(value: Any) -> str:
    """A table cell as stripped text; '' for a missing cell (None, NaN, pd.NA, or one of
    the :data:`MISSING` spellings)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value).strip()
    return "" if text in MISSING or text in ("None", "<NA>") else text


def duplicate_problems(frame: pd.DataFrame, column: str, source: str) -> list[Problem]:
    """One problem per repeated id in ``column`` (missing ids are not repeats)."""
    dup = frame[column].duplicated(keep="first") & frame[column].notna()
    found = Findings()
    for i in frame.index[dup]:
        first = frame.index[(frame[column] == frame[column][i])][0]
        found.error(
            source,
            f"duplicated {column} '{frame[column][i]}' (first on line {data_line(frame, first)})",
            data_line(frame, i),
            column,
            "each id must appear once: remove or rename the repeated row",
        )
    return found.problems


def rows_where(mask: pd.Series) -> list:
    """Index labels of the rows where ``mask`` is true (a missing value is not true)."""
    return list(mask.index[mask.fillna(False).astype(bool)])


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


# The one TSV format of every stage table: fixed float format, NA for missing, LF line ends.
_TSV_OPTIONS: dict[str, Any] = {
    "sep": "\t",
    "index": False,
    "na_rep": "NA",
    "float_format": "%.10g",
    "lineterminator": "\n",
}


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
    rows: Callable[[pd.DataFrame], pd.Series] | None = None,
    columns: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Per-sample stage tables (TSV with a header, as ``write_tsv`` writes them) by file
    stem. Files sharing a header are parsed as one text and split again: one read_csv per
    file costs more than the parsing for a cohort's thousands of small tables. A cohort
    table (stem :data:`COHORT_TABLE`) is split by its ``sample_id`` column, and each of
    ``samples`` without rows in it gets an empty table, as its own file would have been
    (a sample named ``cohort`` alone reads the same either way). ``rows``: the rows to keep
    (a mask of the frame), chosen once before the split rather than in every sample's table;
    ``columns``: the columns to read (``sample_id`` among them), for a frame's other columns
    cost as much to parse."""
    paths = list(paths)
    options = {"sep": "\t", "low_memory": False, "dtype": dtype, "usecols": columns}
    if len(paths) == 1 and Path(paths[0]).stem == COHORT_TABLE:
        return _split_cohort_table(paths[0], options, samples, rows)
    groups: dict[str, list[tuple[str, str]]] = {}
    tables: dict[str, pd.DataFrame] = {}
    for path in paths:
        text = Path(path).read_text()
        if '"' in text:  # a quoted field may hold a line break: this file on its own
            frame = pd.read_csv(path, **options)
            tables[Path(path).stem] = frame[rows(frame)] if rows else frame
            continue
        header, _, body = text.partition("\n")
        groups.setdefault(header, []).append((Path(path).stem, body))
    for header, members in groups.items():
        lines = [[line for line in body.splitlines() if line] for _, body in members]
        text = io.StringIO("\n".join([header, *(line for part in lines for line in part)]))
        frame = pd.read_csv(text, **options)
        bounds = np.cumsum([0, *map(len, lines)])
        if rows:  # each file's bounds among the rows kept
            keep = rows(frame).to_numpy()
            bounds = np.concatenate([[0], np.cumsum(keep)])[bounds]
            frame = frame[keep]
        for k, (stem, _) in enumerate(members):
            tables[stem] = frame.iloc[bounds[k] : bounds[k + 1]].reset_index(drop=True)
    return tables


def read_endpoints(path: str | Path) -> pd.DataFrame:
    """The clinical stage's endpoints table (one row per patient)."""
    return pd.read_csv(
        path, sep="\t", dtype={"patient_id": str}, keep_default_na=False, na_values=["NA", ""]
    )


def read_clinical(config: dict[str, Any], path: str | Path) -> pd.DataFrame:
    """The validated clinical table with its patient column named ``patient_id``."""
    column = config["clinical"]["columns"].get("patient_id", "patient_id")
    clinical = read_table(path).rename(columns={column: "patient_id"})
    return clinical.assign(patient_id=clinical["patient_id"].astype(str))


def with_file(samples: pd.DataFrame, column: str) -> list[str]:
    """Ids of the sheet's samples with a file named in ``column`` (their stage tables)."""
    if column not in samples:
        return []
    files = samples[column].fillna("").astype(str)
    return list(samples.loc[files.str.len() > 0, "sample_id"].astype(str))


def _split_cohort_table(
    path: str | Path,
    options: dict[str, Any],
    samples: Iterable[str],
    rows: Callable[[pd.DataFrame], pd.Series] | None,
) -> dict[str, pd.DataFrame]:
    frame = pd.read_csv(
        path, **(options | {"dtype": {**(options["dtype"] or {}), "sample_id": str}})
    )
    frame = frame[rows(frame)] if rows else frame
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
    """:func:`write_tsv` of the concatenated frames (header from the first), one frame in
    memory at a time; returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", newline="") as handle:
        for i, frame in enumerate(frames):
            text = _plain_text(frame, header=i == 0)
            if text is None:
                frame.to_csv(handle, header=i == 0, **_TSV_OPTIONS)
            else:
                handle.write(text)
            rows += len(frame)
    return rows


def _plain_text(frame: pd.DataFrame, header: bool) -> str | None:
    """The bytes ``to_csv`` writes for a frame of at least two columns each of which is text
    needing no quotes or missing throughout (a cohort's copy-number calls from a gene table:
    900,000 rows joined in 0.2 s, where pandas formats them in 2 s); None for any other."""
    if frame.shape[1] < 2:
        return None  # a lone empty field is quoted
    # each text column as its values; adjacent all-missing columns as one "NA\tNA..." text,
    # the same in every row (fewer fields to join per row)
    pieces: list[list[str] | str] = []
    for name, column in frame.items():
        if not isinstance(name, str) or _NEEDS_QUOTES.search(name):
            return None
        values = column.to_numpy(dtype=object)  # (a string dtype's infer_dtype is its dtype)
        if pd.api.types.infer_dtype(values, skipna=False) == "string":
            pieces.append(values.tolist())
            if _NEEDS_QUOTES.search("".join(pieces[-1])):
                return None
        elif column.isna().all():
            if pieces and isinstance(pieces[-1], str):
                pieces[-1] += "\tNA"
            else:
                pieces.append("NA")
        else:
            return None
    columns = [repeat(p, len(frame)) if isinstance(p, str) else p for p in pieces]
    rows = map("\t".join, zip(*columns, strict=True))
    lines = ["\t".join(map(str, frame.columns))] if header else []
    return "\n".join([*lines, *rows, ""]) if lines or len(frame) else ""


_NEEDS_QUOTES = re.compile('[\t\n\r"]')
