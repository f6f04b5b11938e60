"""Shared helpers for reading tab-separated copy-number tables with line-accurate errors."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping
from itertools import takewhile
from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.errors import InputError

# Values that mean "no value" in the tables we read (R, pandas, CNVkit, cBioPortal).
MISSING_TOKENS = frozenset({"", "NA", "NaN", "nan", "NAN", "N/A", "null", "NULL", "."})

_CHROM_ALIASES = {"23": "X", "24": "Y", "25": "MT", "M": "MT"}


def normalise_chrom(value: str) -> str:
    """Chromosome name without 'chr' prefix; 23/24 (Affymetrix/TCGA style) become X/Y."""
    name = str(value).strip()
    if name[:3].lower() == "chr":
        name = name[3:]
    if name in ("x", "y", "m", "mt"):
        name = name.upper()
    return _CHROM_ALIASES.get(name, name)


def normalise_chroms(values: pd.Series) -> pd.Series:
    # map() over the few distinct names is far cheaper than per-row string work.
    uniques = {v: normalise_chrom(v) for v in values.unique()}
    return values.map(uniques)


def header_key(name: str) -> str:
    """Lower-case a column name and drop punctuation: 'Start.bp' -> 'startbp'."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def count_leading_comments(path: Path) -> int:
    """Number of leading '#' lines (IGV '#track' lines, comments) before the header."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        return sum(1 for _ in takewhile(lambda line: line.startswith("#"), handle))


def read_tsv(path: str | Path) -> pd.DataFrame:
    """Read a tab-separated table as strings, indexed by 1-based file line number.

    The line-number index lets every later check name the offending line. Blank lines
    are dropped after numbering so they do not shift the numbers.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.one(str(path), "file not found", hint="check the path in the config")
    skipped = count_leading_comments(path)
    try:
        table = pd.read_csv(
            path,
            sep="\t",
            dtype=str,
            keep_default_na=False,
            skiprows=skipped,
            skip_blank_lines=False,
            compression="infer",
        )
    except pd.errors.EmptyDataError:
        raise InputError.one(str(path), "file is empty (no header line)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError.one(
            str(path), f"not a readable tab-separated table: {exc}", hint="save it as TSV"
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    # header is on line skipped + 1, so the first data row is on line skipped + 2
    table.index = pd.RangeIndex(skipped + 2, skipped + 2 + len(table), name="line")
    blank = (table == "").all(axis=1)
    return table.loc[~blank]


def find_column(columns: Iterable[str], aliases: Iterable[str]) -> str | None:
    """First column whose normalised name is one of ``aliases`` (already normalised)."""
    by_key = {header_key(c): c for c in reversed(list(columns))}
    return next((by_key[alias] for alias in aliases if alias in by_key), None)


def require_columns(
    path: str | Path, table: pd.DataFrame, wanted: Mapping[str, tuple[str, ...]], what: str
) -> dict[str, str]:
    """Resolve each logical column (``wanted`` key) to a real column, or raise listing all."""
    found = {role: find_column(table.columns, aliases) for role, aliases in wanted.items()}
    missing = [role for role, column in found.items() if column is None]
    if missing:
        expected = "; ".join(f"{role}: one of {', '.join(wanted[role])}" for role in missing)
        raise InputError.one(
            str(path),
            f"missing column(s) for {what}: {expected}. Found columns: "
            f"{', '.join(map(str, table.columns)) or '(none)'}",
            where=1,
            hint="rename the columns or choose the right format",
        )
    return {role: column for role, column in found.items() if column is not None}


def numeric_column(
    path: str | Path,
    table: pd.DataFrame,
    column: str,
    *,
    allow_missing: bool,
    integer: bool = False,
) -> pd.Series:
    """Parse a string column as numbers; raise naming the first bad line."""
    raw = table[column].str.strip()
    missing = raw.isin(MISSING_TOKENS)
    values = pd.to_numeric(raw.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if integer:
        bad |= values.notna() & (values != np.floor(values.fillna(0)))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        kind = "an integer" if integer else "a number"
        raise InputError.one(
            str(path),
            f"value {table[column].iloc[row]!r} is not {kind}",
            where=int(table.index[row]),
            column=column,
        )
    if missing.any() and not allow_missing:
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError.one(
            str(path), "value is missing", where=int(table.index[row]), column=column
        )
    return values.astype(float)
