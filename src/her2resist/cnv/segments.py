"""Read copy-number segments (CNVkit .cns/.cnr, IGV/DNAcopy .seg) into one shape.

Every reader returns the columns ``sample_id, chrom, start, end, log2, [cn], n_markers``
with **1-based inclusive** coordinates (CNVkit writes BED-style 0-based half-open
starts, DNAcopy/IGV .seg files are already 1-based) and chromosome names without a
``chr`` prefix, so segments from any source overlap gene coordinates the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.cnv._tables import (
    find_column,
    header_key,
    normalise_chroms,
    numeric_column,
    read_tsv,
    require_columns,
)
from her2resist.errors import InputError, Problem
from her2resist.tables import first_header

log = logging.getLogger(__name__)

SEGMENT_FORMATS = ("cnvkit_cns", "cnvkit_cnr", "seg")

_CNVKIT_COLUMNS = {
    "chromosome": ("chromosome", "chrom"),
    "start": ("start",),
    "end": ("end",),
    "log2": ("log2",),
}

# Aliases (normalised with header_key) seen in DNAcopy, IGV, TCGA/GDC and maftools files.
_SEG_COLUMNS = {
    "sample": ("id", "sample", "sampleid", "tumorsamplebarcode", "gdcaliquot", "samplename"),
    "chromosome": ("chrom", "chromosome", "chr"),
    "start": ("locstart", "start", "startbp", "startpos", "startposition"),
    "end": ("locend", "end", "endbp", "endpos", "endposition"),
    "log2": ("segmean", "segmentmean", "segcn", "log2", "log2ratio", "mean"),
}
_SEG_MARKER_ALIASES = ("nummark", "numprobes", "nummarkers", "probes", "nummarks", "markers")

# Suffixes CNVkit adds to the sample name, stripped to recover the sample id.
_CNVKIT_SUFFIXES = (".gz", ".cns", ".cnr", ".call", ".segmetrics", ".bintest", ".cnn")

SEGMENT_COLUMNS = ["sample_id", "chrom", "start", "end", "log2", "cn", "n_markers"]


def read_segments(path: str | Path, *, fmt: str, sample_id: str | None = None) -> pd.DataFrame:
    """Read a segment (or CNVkit bin) file.

    ``fmt`` is ``"cnvkit_cns"`` (.cns, .call.cns, .segmetrics.cns), ``"cnvkit_cnr"`` (bins)
    or ``"seg"`` (IGV/DNAcopy, possibly many samples). For CNVkit files the sample id is
    ``sample_id`` or the file name without CNVkit suffixes; for a .seg file a given
    ``sample_id`` selects that sample.

    Returns columns ``sample_id, chrom, start, end, log2, [cn], n_markers``; ``cn`` only
    when the file has CNVkit's integer ``cn`` column (``call`` output). Rows whose log2 is
    missing (NA) carry no information and are dropped.
    """
    path = Path(path)
    if fmt not in SEGMENT_FORMATS:
        raise InputError.one(
            str(path),
            f"unknown segment format {fmt!r}",
            hint=f"use one of {', '.join(SEGMENT_FORMATS)}",
        )
    table = read_tsv(path)
    if fmt == "seg":
        segments = _parse_seg(path, table, sample_id)
    else:
        segments = _parse_cnvkit(path, table, sample_id or cnvkit_sample_name(path), fmt)
    segments = _drop_inverted_empty_segments(path, segments)
    _check_coordinates(path, segments)
    segments = _drop_missing_log2(path, segments)
    if fmt != "seg":
        # CNVkit coordinates are 0-based half-open (BED); +1 makes the start 1-based inclusive.
        segments["start"] += 1
    columns = [c for c in SEGMENT_COLUMNS if c in segments.columns]
    return segments[columns].reset_index(drop=True)


def cnvkit_sample_name(path: str | Path) -> str:
    """'p2-9_2.call.cns' -> 'p2-9_2' (CNVkit names outputs <sample>.<step>.<ext>)."""
    name = Path(path).name
    while suffix := next(
        (s for s in _CNVKIT_SUFFIXES if name.endswith(s) and len(name) > len(s)), None
    ):
        name = name.removesuffix(suffix)
    return name


def _parse_cnvkit(path: Path, table: pd.DataFrame, sample_id: str, fmt: str) -> pd.DataFrame:
    columns = require_columns(path, table, _CNVKIT_COLUMNS, f"CNVkit {fmt[-3:]} file")
    out = pd.DataFrame(index=table.index)
    out["sample_id"] = sample_id
    out["chrom"] = normalise_chroms(table[columns["chromosome"]].str.strip())
    out["start"] = numeric_column(path, table, columns["start"], allow_missing=False, integer=True)
    out["end"] = numeric_column(path, table, columns["end"], allow_missing=False, integer=True)
    out["log2"] = numeric_column(path, table, columns["log2"], allow_missing=True)
    if "cn" in table.columns:
        out["cn"] = numeric_column(path, table, "cn", allow_missing=True, integer=True)
        out["cn"] = out["cn"].astype("Int64")
    if fmt == "cnvkit_cnr":
        out["n_markers"] = 1  # each .cnr row is one bin
    elif "probes" in table.columns:
        out["n_markers"] = numeric_column(path, table, "probes", allow_missing=True, integer=True)
    else:
        out["n_markers"] = np.nan
    out["n_markers"] = out["n_markers"].astype("Int64")
    return out


def _parse_seg(path: Path, table: pd.DataFrame, sample_id: str | None) -> pd.DataFrame:
    if _looks_positional(table):
        # Headers of an unknown spelling: the DNAcopy column order is fixed.
        table = table.set_axis(
            ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"], axis=1
        )
    columns = require_columns(path, table, _SEG_COLUMNS, "segment (.seg) file")
    markers = find_column(table.columns, _SEG_MARKER_ALIASES)
    out = pd.DataFrame(index=table.index)
    out["sample_id"] = table[columns["sample"]].str.strip()
    out["chrom"] = normalise_chroms(table[columns["chromosome"]].str.strip())
    out["start"] = numeric_column(path, table, columns["start"], allow_missing=False, integer=True)
    out["end"] = numeric_column(path, table, columns["end"], allow_missing=False, integer=True)
    out["log2"] = numeric_column(path, table, columns["log2"], allow_missing=True)
    if markers is None:
        out["n_markers"] = np.nan
    else:
        out["n_markers"] = numeric_column(path, table, markers, allow_missing=True, integer=True)
    out["n_markers"] = out["n_markers"].astype("Int64")
    if sample_id is not None:
        out = _select_sample(path, out, sample_id)
    return out


def _looks_positional(table: pd.DataFrame) -> bool:
    """Six columns, none of which we recognise as a sample/log2 column."""
    known = (find_column(table.columns, _SEG_COLUMNS[role]) for role in ("sample", "log2"))
    return table.shape[1] == 6 and not all(known)


def _select_sample(path: Path, segments: pd.DataFrame, sample_id: str) -> pd.DataFrame:
    selected = segments[segments["sample_id"] == sample_id]
    if selected.empty:
        present = sorted(segments["sample_id"].unique())
        shown = ", ".join(present[:10]) + (" ..." if len(present) > 10 else "")
        raise InputError.one(
            str(path),
            f"sample {sample_id!r} has no segments; samples in the file: {shown}",
            hint="check the sample id in the sample sheet",
        )
    return selected


def _drop_inverted_empty_segments(path: Path, segments: pd.DataFrame) -> pd.DataFrame:
    """Drop end < start segments that hold no markers.

    Older CNVkit versions wrote such placeholder segments (probes = 0, e.g. in CNVkit's own
    test file amplicon.cns); they carry no measurement, so they are skipped, not rejected.
    """
    inverted = segments["end"] < segments["start"]
    empty = segments["n_markers"].fillna(-1).eq(0)
    drop = inverted & empty
    if drop.any():
        log.warning(
            "%s: skipped %d segment(s) with end < start and 0 markers (lines %s)",
            path,
            int(drop.sum()),
            ", ".join(str(i) for i in segments.index[drop][:5]),
        )
    return segments.loc[~drop]


def _check_coordinates(path: Path, segments: pd.DataFrame) -> None:
    negative = segments["start"] < 0
    if negative.any():
        raise InputError.one(
            str(path),
            "segment start is negative",
            where=int(segments.index[negative][0]),
            column="start",
        )
    bad = segments["end"] < segments["start"]
    if bad.any():
        line = int(segments.index[bad][0])
        row = segments.loc[line]
        raise InputError.one(
            str(path),
            f"segment end {int(row['end'])} is before its start "
            f"(chromosome {row['chrom']}, sample {row['sample_id']})",
            where=line,
            hint="swap start/end or remove the segment",
        )


def _drop_missing_log2(path: Path, segments: pd.DataFrame) -> pd.DataFrame:
    missing = segments["log2"].isna()
    if missing.any():
        log.warning("%s: skipped %d segment(s) with a missing log2 value", path, int(missing.sum()))
    out = segments.loc[~missing].copy()
    out["start"] = out["start"].astype("int64")
    out["end"] = out["end"].astype("int64")
    return out


def check_segment_header(path: str | Path, fmt: str, *, row: str = "") -> list[Problem]:
    """A segment file's header has the columns its format needs (under any alias the reader
    takes); ``row`` names the sample sheet row that points at it."""
    wanted = {"seg": _SEG_COLUMNS}.get(fmt, _CNVKIT_COLUMNS if fmt in SEGMENT_FORMATS else None)
    if wanted is None:
        return []
    columns, line = first_header(path)
    keys = {header_key(c) for c in columns}
    missing = [name for name, aliases in wanted.items() if not keys & set(aliases)]
    if not missing:
        return []
    return [
        Problem(
            str(path),
            f"{fmt} file lacks column(s) {', '.join(missing)}; found: {', '.join(columns)}" + row,
            line or 1,
            missing[0],
            "check cnv_format in the sample sheet, or rename the columns",
        )
    ]
