"""Reading users' tables (TSV/CSV/XLSX, any encoding they arrive in) and writing ours."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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
        text = _decode(path.read_bytes())
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        numbered = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
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
            frame.attrs["lines"] = line_numbers[1:]
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
    frame.attrs["lines"] = lines
    return frame


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


_TSV_OPTIONS = {
    "sep": "\t",
    "index": False,
    "na_rep": "NA",
    "float_format": "%.10g",
    "lineterminator": "\n",
}


def write_tsv(frame: pd.DataFrame, path: str | Path) -> None:
    """Deterministic TSV: fixed float format, NA written as ``NA``, LF line endings."""
    write_tsv_chunks([frame], path)


def _with_formatted_floats(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns as the strings ``float_format`` gives: pandas formats them one Python
    call per value, several times slower than this for large tables."""
    floats = [c for c, dtype in frame.dtypes.items() if dtype == np.float64]
    if not floats or len(frame) < 1000:
        return frame
    fmt = _TSV_OPTIONS["float_format"]
    formatted = {}
    for column in floats:
        values = frame[column].to_numpy()
        text = np.array([fmt % v for v in values.tolist()], dtype=object)
        text[np.isnan(values)] = None
        formatted[column] = text
    return frame.assign(**formatted)


def write_tsv_chunks(frames: Iterable[pd.DataFrame], path: str | Path) -> int:
    """:func:`write_tsv` of the concatenated frames, one frame in memory at a time;
    returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", newline="") as handle:
        for i, frame in enumerate(frames):
            _with_formatted_floats(frame).to_csv(handle, header=i == 0, **_TSV_OPTIONS)
            rows += len(frame)
    return rows
