"""Cohort MAF -> variant table (same columns as ``frame.read_vcf``)."""

from __future__ import annotations

import gzip
import io
import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.annotate import oncokb
from her2resist.errors import Findings, InputError, Problem
from her2resist.tables import first_header

from .frame import frame_from_columns
from .rules import most_severe, shorten_hgvsp, variant_classification

_MISSING = {"", ".", "NA", "NaN", "nan", "N/A", "None", "__UNKNOWN__"}
_REQUIRED = ("Tumor_Sample_Barcode", "Chromosome", "Start_Position", "Reference_Allele")
_ALT_COLUMNS = ("Tumor_Seq_Allele2", "Tumor_Seq_Allele1")
#: Protein-change columns, most standard first.
PROTEIN_CHANGE_COLUMNS = ("HGVSp_Short", "Protein_Change", "amino_acid_change", "AAChange")
_POPULATION_AF_COLUMNS = ("gnomAD_AF", "gnomADe_AF", "gnomADg_AF", "ExAC_AF", "MAX_AF", "AF")
_PROTEIN_POSITION = re.compile(r"^p\.\D*?(\d+)")
# '#' comment lines (e.g. "#version 2.4") and blank lines before the header
_LEADING_COMMENTS = re.compile(r"(?:#[^\n]*(?:\n|$)|\n)*")


def read_maf(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a MAF (plain or gzip; any column order; CR, LF or CRLF line ends).

    ``pos``/``ref``/``alt`` are the MAF's Start_Position, Reference_Allele and
    Tumor_Seq_Allele2 (Allele1 when Allele2 is missing or equals the reference); they are
    not converted to VCF anchor-base form. ``df.attrs["warnings"]`` lists what could not
    be filled (e.g. no protein-change column).

    An OncoKB-annotated MAF (MafAnnotator) keeps its ``ONCOGENIC``, ``MUTATION_EFFECT`` and
    ``HIGHEST_LEVEL`` columns (names matched in any case, written in upper case) after the
    usual ones; a MAF without them gives a table without them. ``ONCOGENIC`` values are
    written in OncoKB's spelling; one that is not an OncoKB class is an InputError naming
    the file line (every such line at once).
    """
    path = Path(path)
    text, header_line = _read_text(path)
    table = _parse_table(text, path, header_line)
    columns = {name.lower(): name for name in table.columns}

    def column(*names: str) -> pd.Series | None:
        for name in names:
            if name.lower() in columns:
                return _clean(table[columns[name.lower()]])
        return None

    if missing := _missing_required(table.columns):
        raise InputError.one(
            str(path),
            f"missing required MAF column(s): {', '.join(missing)}",
            where=header_line,
            hint=f"the header has: {', '.join(table.columns[:20])}",
        )
    warnings: list[str] = []
    n = len(table)
    ref = column("Reference_Allele")
    alt = _alt_allele(column("Tumor_Seq_Allele2"), column("Tumor_Seq_Allele1"), ref)
    protein_source = next((c for c in PROTEIN_CHANGE_COLUMNS if c.lower() in columns), None)
    if protein_source is None:
        warnings.append(
            "no protein-change column (HGVSp_Short, Protein_Change or amino_acid_change): "
            "hgvsp_short and protein_position are NA"
        )
        hgvsp_short = pd.Series([None] * n, dtype=object)
    else:
        hgvsp_short = column(protein_source).map(normalise_protein_change, na_action="ignore")
    t_depth = _integers(column("t_depth"), path, "t_depth", header_line)
    t_alt = _integers(column("t_alt_count"), path, "t_alt_count", header_line)
    t_ref = _integers(column("t_ref_count"), path, "t_ref_count", header_line)
    n_depth = _integers(column("n_depth"), path, "n_depth", header_line)
    n_alt = _integers(column("n_alt_count"), path, "n_alt_count", header_line)
    pos = _integers(column("Start_Position"), path, "Start_Position", header_line)
    consequence = column("Consequence")
    caller = column("caller", "callers")
    canonical = column("CANONICAL")
    data = {
        "sample_id": column("Tumor_Sample_Barcode"),
        "chrom": column("Chromosome"),
        "pos": pos,
        "ref": ref,
        "alt": alt,
        "gene": column("Hugo_Symbol"),
        "transcript": column("Transcript_ID", "i_transcript_name", "Refseq_mRNA_Id"),
        "hgvsc": column("HGVSc"),
        "hgvsp": column("HGVSp"),
        "hgvsp_short": hgvsp_short,
        "consequence": None if consequence is None else consequence.str.split(",").str[0],
        "variant_class": column("Variant_Classification"),  # derived below when absent
        "exon": column("Exon_Number"),
        "depth": t_depth,
        "alt_reads": t_alt,
        "vaf": _tumour_vaf(
            t_alt, t_depth, t_ref, column("t_vaf", "tumor_f"), column("i_TumorVAF_WU")
        ),
        "filter": column("FILTER"),
        "caller": ["unknown"] * n if caller is None else caller.fillna("unknown"),
        "population_af": _max_numeric([column(c) for c in _POPULATION_AF_COLUMNS]),
        "protein_position": hgvsp_short.map(_protein_position, na_action="ignore"),
        "biotype": column("BIOTYPE"),
        "canonical": [False] * n if canonical is None else canonical == "YES",
        "normal_depth": n_depth,
        "normal_alt_reads": n_alt,
        "normal_vaf": _ratio(n_alt, n_depth),
        "variant_type": column("Variant_Type"),
        "maf_start": pos,
        "all_consequences": consequence,
    }
    if data["variant_class"] is None:
        data["variant_class"], source = derive_variant_class(
            consequence, hgvsp_short, ref, alt, column("Variant_Type")
        )
        if source is None:
            raise InputError.one(
                str(path),
                NO_CLASS_MESSAGE,
                where=header_line,
                column="Variant_Classification",
                hint=NO_CLASS_HINT,
            )
        warnings.append(f"no Variant_Classification column: derived from {source}")
    out = {
        name: ([None] * n if values is None else _to_list(values)) for name, values in data.items()
    }
    dtypes = {}
    if n_no_position := pos.isna().sum():
        # kept (nothing is filtered here), so pos becomes nullable for this table
        warnings.append(f"{n_no_position} row(s) have no Start_Position: pos is NA there")
        dtypes["pos"] = "Int64"
    df = frame_from_columns(out, dtypes)
    for name in oncokb.COLUMNS:
        if (values := column(name)) is not None:
            if name == oncokb.ONCOGENIC_COLUMN:
                values = _oncogenic_classes(values, path, header_line)
            df[name] = np.array(_to_list(values), dtype=object)
    df.attrs.update(warnings=warnings, coordinates="maf", protein_change_column=protein_source)
    return df


NO_CLASS_MESSAGE = (
    "no Variant_Classification column, and no Consequence or protein-change column to derive "
    "it from: no mutation could be classed (every patient would come out wild type)"
)
NO_CLASS_HINT = (
    "export the MAF with its Variant_Classification column (vcf2maf writes it), or keep "
    "VEP's Consequence or an HGVSp_Short column"
)
#: protein change (one-letter HGVS) -> MAF class, first match wins
_PROTEIN_CLASSES = (
    (re.compile(r"_splice$"), "Splice_Site"),
    (re.compile(r"fs"), "Frame_Shift"),
    (re.compile(r"^p\.\*\d+.*ext"), "Nonstop_Mutation"),
    (re.compile(r"^p\.M1(?!\d)"), "Translation_Start_Site"),
    (re.compile(r"\*$"), "Nonsense_Mutation"),
    (re.compile(r"ins|dup"), "In_Frame_Ins"),
    (re.compile(r"del"), "In_Frame_Del"),
    (re.compile(r"^p\.(\D)\d+(\1|=)$|^p\.=$"), "Silent"),
    (re.compile(r"^p\.\D\d+\D$"), "Missense_Mutation"),
)


def _indel_type(ref: str | None, alt: str | None) -> tuple[str, bool]:
    """MAF alleles ('-' for none) -> (INS/DEL/SNP..., in frame)."""
    ref_len = 0 if ref in (None, "-") else len(ref)
    alt_len = 0 if alt in (None, "-") else len(alt)
    if ref_len == alt_len:
        return "SNP", False
    return ("INS" if alt_len > ref_len else "DEL"), abs(alt_len - ref_len) % 3 == 0


def derive_variant_class(
    consequence: pd.Series | None,
    protein: pd.Series,
    ref: pd.Series,
    alt: pd.Series,
    variant_type: pd.Series | None,
) -> tuple[list[str | None] | None, str | None]:
    """Variant_Classification for a MAF without it: from VEP's Consequence (vcf2maf's
    rules: most severe term, indel type from the alleles), else from the protein change.
    Returns (classes, what they were derived from) or (None, None) if neither exists."""
    if consequence is None and protein.isna().all():
        return None, None
    types = [_indel_type(r, a) for r, a in zip(ref.tolist(), alt.tolist(), strict=True)]
    if variant_type is not None:
        types = [
            (given if given in ("INS", "DEL") else kind, inframe)
            for given, (kind, inframe) in zip(variant_type.tolist(), types, strict=True)
        ]
    if consequence is not None:
        classes = [
            None
            if not isinstance(terms, str)
            else variant_classification(most_severe(re.split(r"[,&]", terms)), kind, inframe)
            for terms, (kind, inframe) in zip(consequence.tolist(), types, strict=True)
        ]
        return classes, "the Consequence column (vcf2maf's rules)"
    classes = []
    for change, (kind, _) in zip(protein.tolist(), types, strict=True):
        found = None
        if isinstance(change, str):
            found = next((c for pattern, c in _PROTEIN_CLASSES if pattern.search(change)), None)
        if found == "Frame_Shift":
            found = "Frame_Shift_Ins" if kind == "INS" else "Frame_Shift_Del"
        classes.append(found)
    return classes, "the protein change (rows without one have no class)"


def normalise_protein_change(value: str) -> str | None:
    """``R882H``, ``p.R882H`` or ``p.Arg882His`` -> ``p.R882H``."""
    value = value.strip()
    if value in _MISSING:
        return None
    return shorten_hgvsp(value if value.startswith("p.") else "p." + value)


def _protein_position(short: str) -> int | None:
    match = _PROTEIN_POSITION.match(short)
    return int(match.group(1)) if match else None


def _read_text(path: Path) -> tuple[str, int]:
    """The MAF text from its header line on (LF line ends), and the header's line number."""
    if not path.is_file():
        raise InputError.one(str(path), "MAF file not found", hint="check the path")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError.one(
                str(path), f"gzip data is truncated or corrupt ({exc})", hint="re-create the file"
            ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # old MAFs from Excel exports
    # Old Mac exports use bare CR line ends
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    offset = _LEADING_COMMENTS.match(text).end()
    if offset >= len(text):
        raise InputError.one(str(path), "no MAF header line (only comments or empty)", where=1)
    return text[offset:], text.count("\n", 0, offset) + 1


def _parse_table(text: str, path: Path, header_line: int) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep="\t",
            dtype=str,
            keep_default_na=False,
            quoting=3,  # csv.QUOTE_NONE: MAF fields are never quoted
        )
    except pd.errors.ParserError as exc:
        # pandas reports "Expected N fields in line M" counting from the header line
        match = re.search(r"line (\d+)", str(exc))
        where = header_line + int(match.group(1)) - 1 if match else header_line
        raise InputError.one(
            str(path),
            f"wrong number of tab-separated fields ({exc})",
            where=where,
            hint="each row needs one value per header column",
        ) from None


def _oncogenic_classes(series: pd.Series, path: Path, header_line: int) -> list[str | None]:
    """ONCOGENIC values in OncoKB's spelling; every value that is not a class is reported."""
    problems = []
    classes = []
    for row, value in enumerate(series.tolist()):
        try:
            classes.append(oncokb.canonical(value))
        except ValueError:
            classes.append(None)
            problems.append(
                Problem(
                    str(path),
                    f"ONCOGENIC is {value!r}, not an OncoKB oncogenicity class",
                    header_line + 1 + row,
                    "ONCOGENIC",
                    f"use one of {oncokb.allowed_values()} (as OncoKB's MafAnnotator writes them)",
                )
            )
    if problems:
        raise InputError(problems)
    return classes


def _clean(series: pd.Series) -> pd.Series:
    series = series.str.strip()
    return series.where(~series.isin(_MISSING), None)


def _to_list(values) -> list:
    """A column as a list, None where it is missing (None, NaN or pd.NA)."""
    if isinstance(values, pd.Series):
        missing = values.isna().tolist()
        return [None if gone else v for v, gone in zip(values.tolist(), missing, strict=True)]
    return list(values)


def _missing_required(columns) -> list[str]:
    """The required MAF columns (names matched in any case) that ``columns`` lacks."""
    lower = {c.lower() for c in columns}
    missing = [n for n in _REQUIRED if n.lower() not in lower]
    if not any(n.lower() in lower for n in _ALT_COLUMNS):
        missing.append("Tumor_Seq_Allele2")
    return missing


def _alt_allele(allele2, allele1, ref):
    if allele2 is None:
        return allele1
    if allele1 is None:
        return allele2
    return allele2.mask(allele2.isna() | (allele2 == ref), allele1)


def _integers(series, path: Path, name: str, header_line: int):
    if series is None:
        return None
    numbers = pd.to_numeric(series, errors="coerce")
    bad = numbers.isna() & series.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError.one(
            str(path),
            f"{name} is {series.iloc[row]!r}, not a whole number",
            where=header_line + 1 + row,
            column=name,
            hint="fix or remove that row",
        )
    return numbers.astype("Int64")


def _ratio(numerator, denominator) -> pd.Series | None:
    if numerator is None or denominator is None:
        return None
    den = denominator.astype("Float64").where(denominator != 0)
    return (numerator.astype("Float64") / den).astype("float64")


def _tumour_vaf(t_alt, t_depth, t_ref, fraction, percent) -> pd.Series | None:
    vaf = _ratio(t_alt, t_depth)
    if t_alt is not None and t_ref is not None:
        from_counts = _ratio(t_alt, t_alt + t_ref)
        vaf = from_counts if vaf is None else vaf.fillna(from_counts)
    for series, scale in ((fraction, 1.0), (percent, 100.0)):
        if series is not None:
            values = pd.to_numeric(series, errors="coerce") / scale
            vaf = values if vaf is None else vaf.fillna(values)
    return vaf


def _max_numeric(series_list) -> pd.Series | None:
    present = [pd.to_numeric(s, errors="coerce") for s in series_list if s is not None]
    return pd.concat(present, axis=1).max(axis=1) if present else None


def check_maf(path: str | Path, *, row: str = "") -> tuple[list[Problem], list[Problem]]:
    """Problems and warnings of a MAF's header (``row`` names the sample sheet row that
    points at it): required columns, and where a mutation's class and protein change
    come from."""
    path = Path(path)
    columns, line = first_header(path)
    found = Findings()
    if missing := _missing_required(columns):
        found.error(
            str(path),
            f"missing required MAF column(s): {', '.join(missing)}" + row,
            line or 1,
            missing[0],
            f"the header has: {', '.join(columns[:20])}",
        )
        return found.problems, found.warnings
    lower = {c.lower() for c in columns}
    if "variant_classification" not in lower:
        source = next(
            (c for c in ("Consequence", *PROTEIN_CHANGE_COLUMNS) if c.lower() in lower), None
        )
        if source is None:
            found.error(
                str(path), NO_CLASS_MESSAGE + row, line, "Variant_Classification", NO_CLASS_HINT
            )
        else:
            how = (
                " (vcf2maf's rules)"
                if source == "Consequence"
                else "; a row without a protein change gets no class and does not count as altered"
            )
            found.warn(
                str(path),
                "no Variant_Classification column: each mutation's class is derived from "
                f"its {source} column{how}{row}",
                line,
                "Variant_Classification",
                "keep the MAF's Variant_Classification column to use the caller's own classes",
            )
    if not any(c.lower() in lower for c in PROTEIN_CHANGE_COLUMNS):
        found.warn(
            str(path),
            "no HGVSp_Short (or Protein_Change) column: protein changes are empty, so hotspot "
            "matching falls back to gene-level rules" + row,
            line,
            "HGVSp_Short",
            "export the MAF with vcf2maf, which writes HGVSp_Short",
        )
    return found.problems, found.warnings
