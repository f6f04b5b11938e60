"""Check every input before any expensive work, and report all problems at once.

``validate_inputs`` reads the (already schema-checked) config, the sample sheet, the clinical
and adverse-event tables, and the *headers* of every variant and copy-number file named in the
sheet. It never stops at the first problem: every problem is collected, each naming the file,
the line (or record / config key), the column, what is wrong and how to fix it, and one
:class:`InputError` carries them all. Findings that do not stop the run (a patient without
samples, an SD without a duration, a time that excludes a patient from one endpoint) are
returned as warnings and written to ``results/qc/input_report.tsv``.

The rules are documented in ``docs/errors.md``.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd

from her2resist.clinical.adam import clinical_source
from her2resist.clinical.responses import derive as derive_responses
from her2resist.clinical.responses import has_visits, tumour_changes
from her2resist.config import load_schema, resolve_resources
from her2resist.errors import InputError, Problem
from her2resist.panels import GENE_PANEL_COLUMNS, read_panel
from her2resist.tables import data_line, read_table, records

SAMPLE_COLUMNS = [
    "patient_id",
    "sample_id",
    "specimen",
    "timepoint",
    "variant_file",
    "variant_format",
    "annotation",
    "tumor_sample",
    "normal_sample",
    "cnv_file",
    "cnv_format",
    "purity",
    "qc_status",
]
# Optional sheet columns (issue 15): what each assay covered and the fusion calls
# (docs/configuration.md); an older sheet without them reads as empty.
PANEL_COLUMNS = ["panel", "cnv_panel", "sv_panel", "sv_file", "sv_format"]
CLINICAL_KEYS_BY_SOURCE = {
    "dates": ["treatment_start"],
    "times": [],
}
DATE_KEYS = (
    "treatment_start",
    "progression_date",
    "death_date",
    "last_assessment_date",
    "last_contact_date",
)

# Chromosome lengths that tell the two builds apart (chr1-22, X, Y).
CONTIG_LENGTHS = {
    "GRCh37": {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
        "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
        "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
        "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
        "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
    "GRCh38": {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
        "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
        "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
        "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
        "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
}  # fmt: skip
REFERENCE_NAMES = {
    "GRCh37": re.compile(r"grch37|hg19|b37|hs37|g1k_v37|human_g1k", re.I),
    "GRCh38": re.compile(r"grch38|hg38|hs38|b38", re.I),
}
ANNOTATION_KEYS = {"vep": ("CSQ",), "snpeff": ("ANN", "EFF"), "auto": ("CSQ", "ANN", "EFF")}
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
MAF_REQUIRED = ("Tumor_Sample_Barcode", "Chromosome", "Start_Position", "Reference_Allele")
MAF_PROTEIN = ("HGVSp_Short", "Protein_Change", "amino_acid_change", "AAChange")
CNV_COLUMNS = {
    "cnvkit_cns": {
        "chromosome": ("chromosome", "chrom"),
        "start": ("start",),
        "end": ("end",),
        "log2": ("log2",),
    },
    "seg": {
        "sample": ("id", "sample", "sampleid", "tumorsamplebarcode", "gdcaliquot", "samplename"),
        "chromosome": ("chrom", "chromosome", "chr"),
        "start": ("locstart", "start", "startbp", "startpos", "startposition"),
        "end": ("locend", "end", "endbp", "endpos", "endposition"),
        "log2": ("segmean", "segmentmean", "segcn", "log2", "log2ratio", "mean"),
    },
}
CNV_COLUMNS["cnvkit_cnr"] = CNV_COLUMNS["cnvkit_cns"]


@dataclass
class Validated:
    samples: pd.DataFrame
    clinical: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Findings:
    """Problems (stop the run) and warnings (reported, run goes on) collected so far."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, *args: Any, **kwargs: Any) -> None:
        self.problems.append(Problem(*args, **kwargs))

    def warn(self, *args: Any, **kwargs: Any) -> None:
        self.warnings.append(Problem(*args, **kwargs))

    def run(self, check: Any, *args: Any) -> Any:
        """Call ``check``; an InputError it raises becomes problems here. None on error."""
        try:
            return check(*args)
        except InputError as error:
            self.problems += error.problems
            return None


def _text(value: Any) -> str:
    """A cell as text, '' for missing."""
    return value.strip() if isinstance(value, str) else ""


def _duplicates(frame: pd.DataFrame, column: str, source: str) -> list[Problem]:
    dup = frame[column].duplicated(keep="first") & frame[column].notna()
    problems = []
    for i in frame.index[dup]:
        first = frame.index[(frame[column] == frame[column][i])][0]
        problems.append(
            Problem(
                source,
                f"duplicated {column} '{frame[column][i]}' (first on line "
                f"{data_line(frame, first)})",
                data_line(frame, i),
                column,
                "each id must appear once: remove or rename the repeated row",
            )
        )
    return problems


# ---------------------------------------------------------------------------- sample sheet


def check_samples(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Sheet structure and values (not file contents): the parse-time check."""
    samples = read_table(path, required=["patient_id", "sample_id", "specimen", "timepoint"])
    source = str(path)
    for column in [*SAMPLE_COLUMNS, *PANEL_COLUMNS]:
        if column not in samples.columns:
            samples[column] = pd.NA
    problems = _duplicates(samples, "sample_id", source)
    if len(samples) == 0:
        problems.append(
            Problem(
                source,
                "the sample sheet has a header but no samples (empty cohort)",
                1,
                hint="add one row per sequenced specimen",
            )
        )
    row_errors = _row_schema_errors(load_schema("samples.schema.yaml"))
    readable: set[str] = set()
    for i, row in _records(samples):
        line = data_line(samples, i)
        record = {k: v for k, v in row.items() if isinstance(v, str)}
        for error in row_errors(record):
            column = error.path[0] if error.path else None
            hint = None
            message = error.message
            if error.validator == "enum":
                hint = "use one of " + ", ".join(v for v in error.validator_value if v)
            elif error.validator == "pattern":
                hint = "use letters, digits, '.', '_' or '-' (sample ids name output files)"
            elif error.validator == "required":
                column = re.sub(r"^'([^']+)'.*", r"\1", error.message)
                message = f"{column} is empty"
                hint = "every row needs patient_id, sample_id, specimen and timepoint"
            problems.append(Problem(source, message, line, column, hint))
        for column in ("variant_file", "cnv_file", "sv_file", *GENE_PANEL_COLUMNS):
            value = _text(row[column])
            if value and value not in readable:  # a cohort file shared by every row: once
                found = _file_problems(value, source, line, column)
                readable.update([] if found else [value])
                problems += found
        if _text(row["sv_file"]) and not _text(row["sv_format"]):
            problems.append(
                Problem(
                    source,
                    "sv_file is given but sv_format is empty",
                    line,
                    "sv_format",
                    "use vcf (an annotated SV VCF) or cbioportal_sv (data_sv.txt / "
                    "data_fusions.txt)",
                )
            )
        if _text(row["cnv_file"]) and not _text(row["cnv_format"]):
            problems.append(
                Problem(
                    source,
                    "cnv_file is given but cnv_format is empty",
                    line,
                    "cnv_format",
                    "use one of cnvkit_cns, cnvkit_cnr, seg, gene_table",
                )
            )
        if isinstance(row["purity"], str):
            try:
                purity = float(row["purity"])
                if not 0 < purity <= 1:
                    raise ValueError
            except ValueError:
                problems.append(
                    Problem(
                        source,
                        f"purity '{row['purity']}' is not a fraction in (0, 1]",
                        line,
                        "purity",
                        "e.g. 0.6 for 60 %",
                    )
                )
    samples["qc_status"] = samples["qc_status"].fillna("pass").replace("", "pass")
    return samples[SAMPLE_COLUMNS + PANEL_COLUMNS], problems


def _row_schema_errors(schema: dict[str, Any]) -> Callable[[dict[str, Any]], list[Any]]:
    """``Draft202012Validator(schema).iter_errors`` of one row, in its order (properties in
    schema order, then required), each property's distinct value checked once: the sheet
    schema's properties do not depend on each other, and one full check per row took
    seconds on a cohort's sheet."""
    properties = jsonschema.Draft202012Validator({"properties": schema["properties"]})
    required = jsonschema.Draft202012Validator({"required": schema["required"]})
    seen: dict[tuple[str, Any], list[Any]] = {}

    def errors(record: dict[str, Any]) -> list[Any]:
        found = []
        for key in schema["properties"]:
            if key in record:
                if (key, record[key]) not in seen:
                    seen[key, record[key]] = list(properties.iter_errors({key: record[key]}))
                found += seen[key, record[key]]
        return found + list(required.iter_errors(record))

    return errors


def _file_problems(value: str, source: str, line: int, column: str) -> list[Problem]:
    path = Path(value)
    if not path.exists():
        near = ""
        if path.parent.is_dir():
            similar = [p.name for p in path.parent.iterdir() if p.name.lower() == path.name.lower()]
            near = f"; did you mean '{path.parent / similar[0]}'?" if similar else ""
        return [
            Problem(
                source,
                f"file not found: '{value}' (working directory {Path.cwd()}){near}",
                line,
                column,
                "paths are relative to the working directory (snakemake -d / her2resist "
                "run folder); check spelling and case",
            )
        ]
    if not path.is_file():
        return [Problem(source, f"'{value}' is a folder, not a file", line, column)]
    if not os.access(path, os.R_OK):
        return [
            Problem(source, f"file is not readable: '{value}'", line, column, "fix its permissions")
        ]
    if path.stat().st_size == 0:
        return [
            Problem(
                source,
                f"file is empty (0 bytes): '{value}'",
                line,
                column,
                "re-copy it; a VCF without calls still needs its header and #CHROM line",
            )
        ]
    return []


# ---------------------------------------------------------------------------- VCF headers


def _vcf_header(path: Path) -> tuple[list[str], bool]:
    """Header lines up to and including #CHROM (or the first record); whether records follow."""
    with path.open("rb") as handle:
        head = handle.read(18)
    compressed = head[:2] == b"\x1f\x8b"
    if compressed and len(head) >= 14 and head[12:14] == b"BC":
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - len(BGZF_EOF)))
            if handle.read() != BGZF_EOF:
                raise InputError.one(
                    str(path),
                    "bgzip file has no end-of-file block: it is truncated (cut while copying "
                    "or writing)",
                    "end of file",
                    hint="copy the file again or re-create it (bgzip -c calls.vcf > calls.vcf.gz)",
                )
    lines: list[str] = []
    has_records = False
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            for raw in handle:
                line = raw.rstrip("\r\n")
                if not line.startswith("#"):
                    has_records = bool(line.strip()) or has_records
                    if line.strip():
                        lines.append(line)
                        break
                    continue
                lines.append(line)
                if line.startswith("#CHROM"):
                    for rest in handle:
                        if rest.strip():
                            has_records = True
                            break
                    break
    except (OSError, EOFError, zlib.error) as error:
        raise InputError.one(
            str(path),
            f"compressed file is truncated or corrupt ({error})",
            "header",
            hint="copy the file again or re-create it with bgzip",
        ) from None
    return lines, has_records


def _build_from_header(lines: list[str]) -> tuple[str | None, str]:
    """Genome build named or implied by the header, and the evidence (with its line)."""
    for n, line in enumerate(lines, 1):
        if line.startswith("##reference=") or line.startswith("##assembly="):
            value = line.split("=", 1)[1]
            for build, pattern in REFERENCE_NAMES.items():
                if pattern.search(value):
                    return build, f"line {n}: {line[:80]}"
    for n, line in enumerate(lines, 1):
        match = re.match(r"##contig=<ID=([^,>]+).*length=(\d+)", line)
        if not match:
            continue
        name = re.sub(r"^chr", "", match.group(1), flags=re.I)
        length = int(match.group(2))
        for build, lengths in CONTIG_LENGTHS.items():
            if lengths.get(name) == length and CONTIG_LENGTHS[_other(build)].get(name) != length:
                return build, f"line {n}: contig {match.group(1)} has length {length}"
    return None, ""


def _other(build: str) -> str:
    return "GRCh37" if build == "GRCh38" else "GRCh38"


def check_vcf(
    path: str | Path,
    *,
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    genome_build: str | None = None,
    sheet: str = "sample sheet",
    sheet_line: int | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """Cheap checks of one VCF's header: (problems, warnings)."""
    from her2resist.variants.annotations import format_from_header

    path = Path(path)
    found = _Findings()
    row = f" (sample sheet {sheet} line {sheet_line})" if sheet_line else ""
    header = found.run(_vcf_header, path)
    if header is None:
        found.problems = [
            Problem(p.file, p.message + row, p.where, p.column, p.hint) for p in found.problems
        ]
        return found.problems, found.warnings
    lines, has_records = header
    if not lines:
        found.error(str(path), "file has no VCF header" + row, 1, hint="supply a VCF with a header")
        return found.problems, found.warnings
    if not lines[0].startswith("##fileformat=VCF"):
        found.error(
            str(path),
            f"first line is {lines[0][:60]!r}, not '##fileformat=VCFv4.x'" + row,
            1,
            hint="add '##fileformat=VCFv4.2' as the first line (htslib requires it)",
        )
    chrom_line = next((n for n, line in enumerate(lines, 1) if line.startswith("#CHROM")), None)
    if chrom_line is None:
        found.error(
            str(path),
            "no '#CHROM' column header line before the first record" + row,
            len(lines),
            "#CHROM",
            "add the tab-separated '#CHROM POS ID REF ALT QUAL FILTER INFO FORMAT <samples>' line",
        )
    # Annotation: which of CSQ / ANN / EFF the header declares, with a field list.
    declared: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        match = re.match(r"##INFO=<ID=(CSQ|ANN|EFF),", line)
        if not match:
            continue
        key = match.group(1)
        description = re.search(r'Description="(.*)"', line)
        fmt = format_from_header(key, description.group(1) if description else "")
        if fmt is None:
            found.error(
                str(path),
                f"INFO/{key} is declared but its Description has no field list" + row,
                n,
                f"INFO/{key}",
                "keep the annotator's header line (VEP: 'Format: Allele|Consequence|...')",
            )
        declared[key] = n
    wanted = annotation if annotation in ANNOTATION_KEYS else "auto"
    if not any(key in declared for key in ANNOTATION_KEYS[wanted]):
        names = {"vep": "VEP INFO/CSQ", "snpeff": "SnpEff INFO/ANN or INFO/EFF"}
        expect = names.get(wanted, "an INFO/CSQ (VEP) or INFO/ANN/EFF (SnpEff)")
        have = ", ".join(f"INFO/{k} (line {n})" for k, n in declared.items()) or "none"
        hint = "annotate the VCF with VEP (--vcf) or SnpEff first"
        if declared and wanted != "auto":
            other = "vep" if "CSQ" in declared else "snpeff"
            hint = f"set annotation to '{other}' (or 'auto') in the sample sheet"
        found.error(
            str(path),
            f"annotation is '{annotation}' but the header has no {expect} line; "
            f"annotation headers found: {have}" + row,
            "header",
            f"INFO/{ANNOTATION_KEYS[wanted][0]}",
            hint,
        )
    if chrom_line is not None:
        names = lines[chrom_line - 1].split("\t")[9:]
        available = ", ".join(repr(s) for s in names) if names else "(none: sites-only VCF)"
        header_tumor = _header_value(lines, "tumor_sample")
        for role, given in (("tumor_sample", tumor), ("normal_sample", normal)):
            if given and given not in names:
                found.error(
                    sheet,
                    f"{role} {given!r} is not a sample of {path} (its #CHROM line "
                    f"{chrom_line} has: {available})",
                    sheet_line,
                    role,
                    "write the VCF's sample column name exactly (case, spaces and quotes count)",
                )
        if not tumor and not header_tumor and len(names) > 1:
            found.error(
                sheet,
                f"cannot tell which sample of {path} is the tumour (no ##tumor_sample header); "
                f"samples: {available}",
                sheet_line,
                "tumor_sample",
                "fill tumor_sample (and normal_sample) with VCF sample names",
            )
        if not has_records:
            found.warn(
                str(path),
                "the VCF has no records: no variants called, the sample is wild type for every "
                "gene (if it passed QC)" + row,
                "after #CHROM",
            )
    build, evidence = _build_from_header(lines)
    if genome_build and build and build != genome_build:
        found.error(
            str(path),
            f"the VCF is {build} ({evidence}) but genome_build is {genome_build}" + row,
            "header",
            "##reference",
            f"set genome_build: {build} in the config, or lift the calls over to {genome_build}",
        )
    if not found.problems:
        found.run(_htslib_open, path)
    return found.problems, found.warnings


def _header_value(lines: list[str], key: str) -> str | None:
    for line in lines:
        if line.startswith(f"##{key}="):
            return line.split("=", 1)[1].strip().strip('"')
    return None


def _htslib_open(path: Path) -> None:
    """Let htslib parse the header too (it is stricter about some header lines)."""
    from her2resist.variants.vcf import _open_vcf

    _open_vcf(path).close()


# ---------------------------------------------------------------------------- MAF and CNV


def _first_header(path: Path) -> tuple[list[str], int]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as handle:
        for n, raw in enumerate(handle, 1):
            line = raw.rstrip("\r\n")
            if line.strip() and not line.startswith("#"):
                return [c.strip() for c in line.split("\t")], n
    return [], 0


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def check_maf(path: str | Path, *, row: str = "") -> tuple[list[Problem], list[Problem]]:
    path = Path(path)
    found = _Findings()
    columns, line = _first_header(path)
    lower = {c.lower() for c in columns}
    missing = [c for c in MAF_REQUIRED if c.lower() not in lower]
    if not {"tumor_seq_allele2", "tumor_seq_allele1"} & lower:
        missing.append("Tumor_Seq_Allele2")
    if missing:
        found.error(
            str(path),
            f"missing required MAF column(s): {', '.join(missing)}" + row,
            line or 1,
            missing[0],
            f"the header has: {', '.join(columns[:20])}",
        )
    elif "variant_classification" not in lower:
        source = next((c for c in ("Consequence", *MAF_PROTEIN) if c.lower() in lower), None)
        if source is None:
            from her2resist.variants.maf import NO_CLASS_HINT, NO_CLASS_MESSAGE

            found.error(
                str(path), NO_CLASS_MESSAGE + row, line, "Variant_Classification", NO_CLASS_HINT
            )
        else:
            found.warn(
                str(path),
                f"no Variant_Classification column: each mutation's class is derived from "
                f"its {source} column"
                + (
                    " (vcf2maf's rules)"
                    if source == "Consequence"
                    else "; a row without a "
                    "protein change gets no class and does not count as altered"
                )
                + row,
                line,
                "Variant_Classification",
                "keep the MAF's Variant_Classification column to use the caller's own classes",
            )
    if not missing and not any(c.lower() in lower for c in MAF_PROTEIN):
        found.warn(
            str(path),
            "no HGVSp_Short (or Protein_Change) column: protein changes are empty, so hotspot "
            "matching falls back to gene-level rules" + row,
            line,
            "HGVSp_Short",
            "export the MAF with vcf2maf, which writes HGVSp_Short",
        )
    return found.problems, found.warnings


def check_cnv(path: str | Path, fmt: str, *, row: str = "") -> list[Problem]:
    path = Path(path)
    columns, line = _first_header(path)
    keys = {_key(c) for c in columns}
    if fmt == "gene_table":
        layouts = [("hugosymbol",), ("genesymbol",), ("sampleid", "gene", "copynumber")]
        if any(all(k in keys for k in layout) for layout in layouts):
            return []
        return [
            Problem(
                str(path),
                "gene table needs Hugo_Symbol + one column per sample, or sample_id, gene, "
                f"copy_number; found: {', '.join(columns)}" + row,
                line or 1,
                "Hugo_Symbol",
                "rename the columns",
            )
        ]
    wanted = CNV_COLUMNS.get(fmt)
    if wanted is None:
        return []
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


def _records(frame: pd.DataFrame) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(index, row as dict): ``iterrows`` deep-copies ``attrs`` (the line numbers) into
    every row, which makes a loop over a large sheet quadratic."""
    return zip(frame.index, records(frame), strict=True)


def check_sample_files(
    samples: pd.DataFrame, source: str, genome_build: str | None
) -> tuple[list[Problem], list[Problem]]:
    """Headers of every variant and CNV file in the sheet (files that exist). A cohort MAF or
    CNA matrix that every sample of a study shares is checked once, at its first row (per
    sample, its header was parsed once per sample: quadratic for a 2,000-sample study)."""
    found = _Findings()
    shared: set[tuple[str, str]] = set()  # (file, format) of MAF and CNV headers checked
    for i, sample in _records(samples):
        line = data_line(samples, i)
        row = f" (sample sheet {source} line {line})"
        variant_file = _text(sample["variant_file"])
        fmt = _text(sample["variant_format"]) or "vcf"
        if (
            variant_file
            and (variant_file, fmt) not in shared
            and Path(variant_file).is_file()
            and Path(variant_file).stat().st_size
        ):
            if fmt == "maf":
                shared.add((variant_file, fmt))
                problems, warnings = check_maf(variant_file, row=row)
            else:
                problems, warnings = check_vcf(
                    variant_file,
                    annotation=_text(sample["annotation"]) or "auto",
                    tumor=_text(sample["tumor_sample"]) or None,
                    normal=_text(sample["normal_sample"]) or None,
                    genome_build=genome_build,
                    sheet=source,
                    sheet_line=line,
                )
            found.problems += problems
            found.warnings += warnings
        cnv_file = _text(sample["cnv_file"])
        cnv_format = _text(sample["cnv_format"])
        if (
            cnv_file
            and cnv_format
            and (cnv_file, cnv_format) not in shared
            and Path(cnv_file).is_file()
            and Path(cnv_file).stat().st_size
        ):
            shared.add((cnv_file, cnv_format))
            found.problems += check_cnv(cnv_file, cnv_format, row=row)
        if _text(sample["qc_status"]) == "fail":
            found.warn(
                source,
                f"sample '{sample['sample_id']}' failed QC: not evaluable (never wild type)",
                line,
                "qc_status",
            )
    return found.problems, found.warnings


def check_panels_and_fusions(
    samples: pd.DataFrame, source: str, gene_coordinates: str | Path
) -> list[Problem]:
    """Every panel file the sheet names must cover a gene; every SV file must be readable as
    its sv_format says (each distinct file is checked once, with the first line naming it)."""
    from her2resist.variants.fusions import check_sv_file

    found = _Findings()
    seen: set[tuple[str, str]] = set()
    for i, sample in _records(samples):
        line = data_line(samples, i)
        row = f" (sample sheet {source} line {line})"
        for column in GENE_PANEL_COLUMNS:
            value = _text(sample[column])
            if value and (value, column) not in seen and Path(value).is_file():
                seen.add((value, column))
                problems = found.run(read_panel, value, gene_coordinates) is None
                if problems:
                    last = found.problems.pop()
                    found.error(last.file, last.message + row, last.where, column, last.hint)
        sv_file, sv_format = _text(sample["sv_file"]), _text(sample["sv_format"])
        if sv_file and sv_format and (sv_file, sv_format) not in seen and Path(sv_file).is_file():
            seen.add((sv_file, sv_format))
            found.problems += check_sv_file(sv_file, sv_format, row=row)
    return found.problems


# ---------------------------------------------------------------------------- clinical


def check_clinical(settings: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    columns = settings.get("columns", {})
    patient_column = columns.get("patient_id", "patient_id")
    if settings.get("adam"):
        from her2resist.clinical.adam import clinical_from_adam

        clinical = clinical_from_adam(settings["adam"])
        source = str(settings["adam"]["adsl"])
    else:
        clinical = read_table(settings["table"], required=[patient_column])
        source = str(settings["table"])
    problems = _duplicates(clinical, patient_column, source)
    for key, name in columns.items():
        if name not in clinical.columns:
            problems.append(
                Problem(
                    source,
                    f"column '{name}' (clinical.columns.{key}) is not in the table",
                    1,
                    name,
                    f"the table has: {', '.join(clinical.columns)}",
                )
            )
    for key in CLINICAL_KEYS_BY_SOURCE[settings.get("source", "times")]:
        if key not in columns:
            problems.append(
                Problem(
                    "config",
                    f"clinical.columns.{key} is required when source is '{settings.get('source')}'",
                    "key clinical.columns",
                )
            )
    missing_id = clinical[patient_column].isna()
    problems += [
        Problem(
            source,
            "patient id is empty",
            data_line(clinical, i),
            patient_column,
            "fill in the id or delete the row",
        )
        for i in clinical.index[missing_id]
    ]
    if len(clinical) == 0:
        problems.append(
            Problem(
                source,
                "the clinical table has a header but no patients (empty cohort)",
                1,
                hint="add one row per treated patient",
            )
        )
    return clinical, problems


def _check_entry(
    clinical: pd.DataFrame, settings: dict[str, Any], found: _Findings, who: Any
) -> None:
    """Delayed entry: the key that fits the source, numbers, and who will be excluded."""
    cols = settings.get("columns", {})
    dates = settings.get("source", "times") == "dates"
    wrong, right = ("entry_time", "entry_date") if dates else ("entry_date", "entry_time")
    if cols.get(wrong):
        found.error(
            "config",
            f"clinical.columns.{wrong} does not apply when clinical.source is "
            f"'{settings.get('source', 'times')}'",
            "key clinical.columns",
            hint=f"use clinical.columns.{right}",
        )
    name = cols.get(right)
    if not name or name not in clinical.columns:
        return
    source, values = str(settings["table"]), clinical[name]
    if not dates:
        numbers = pd.to_numeric(values, errors="coerce")
        unit = settings.get("time_unit", "months")
        for i in _rows(values.notna() & numbers.isna()):
            found.error(
                source,
                f"{who(i)}: entry time '{values[i]}' is not a number",
                data_line(clinical, i),
                name,
                f"give it in {unit} (clinical.time_unit)",
            )
    for i in _rows(values.isna()):
        found.warn(
            source,
            f"{who(i)}: entry time is missing; excluded from PFS and OS",
            data_line(clinical, i),
            name,
            "fill in when the patient came under observation",
        )


def _rows(mask: pd.Series) -> list:
    return list(mask.index[mask.fillna(False).astype(bool)])


def check_clinical_values(
    clinical: pd.DataFrame, config: dict[str, Any]
) -> tuple[list[Problem], list[Problem]]:
    """Dates, times, event and response codes: every bad cell, with its line and column."""
    from her2resist.clinical.endpoints import (
        DEFAULT_EVENT_CODES,
        DEFAULT_RESPONSE_CODES,
        RECIST,
    )

    settings = config["clinical"]
    cols = settings.get("columns", {})
    source = clinical_source(settings)
    patient = clinical[cols.get("patient_id", "patient_id")]
    found = _Findings()

    def col(key: str) -> str | None:
        name = cols.get(key)
        return name if name and name in clinical.columns else None

    def who(i: Any) -> str:
        return f"patient '{patient[i]}'"

    if settings.get("source", "times") == "dates":
        fmt = settings.get("date_format")
        shown = fmt or "YYYY-MM-DD (ISO 8601)"
        parsed = {}
        for key in (*DATE_KEYS, "entry_date"):
            name = col(key)
            if name is None:
                continue
            values = clinical[name]
            dates = pd.to_datetime(values, format=fmt or "ISO8601", errors="coerce")
            mixed = " (the column mixes date formats)" if dates.notna().any() else ""
            for i in _rows(values.notna() & dates.isna()):
                found.error(
                    source,
                    f"{who(i)}: '{values[i]}' is not a date in the format {shown}{mixed}",
                    data_line(clinical, i),
                    name,
                    "write every date in one format and set clinical.date_format to it",
                )
            parsed[key] = dates
        start = parsed.get("treatment_start")
        if start is not None:
            for i in _rows(start.isna() & clinical[cols["treatment_start"]].isna()):
                found.warn(
                    source,
                    f"{who(i)}: treatment start is missing; excluded from PFS and OS",
                    data_line(clinical, i),
                    cols["treatment_start"],
                    "fill in the date",
                )
            for key in DATE_KEYS[1:]:
                if key not in parsed:
                    continue
                before = parsed[key].notna() & start.notna() & (parsed[key] < start)
                for i in _rows(before):
                    text = (
                        f"{who(i)}: {key.replace('_', ' ')} {clinical[cols[key]][i]} is before "
                        f"treatment start {clinical[cols['treatment_start']][i]}"
                    )
                    if key == "progression_date":
                        found.error(
                            source,
                            text,
                            data_line(clinical, i),
                            cols[key],
                            "check both dates (day/month swapped?)",
                        )
                    else:
                        found.warn(
                            source,
                            text + "; the patient is excluded from the endpoint (negative time)",
                            data_line(clinical, i),
                            cols[key],
                            "check both dates",
                        )
    else:
        events = settings.get("event_values", {})
        for endpoint in ("pfs", "os"):
            time_name, event_name = col(f"{endpoint}_time"), col(f"{endpoint}_event")
            if time_name is not None:
                values = clinical[time_name]
                numbers = pd.to_numeric(
                    values.replace({"-Inf": "-inf", "Inf": "inf"}), errors="coerce"
                )
                for i in _rows(values.notna() & numbers.isna()):
                    found.error(
                        source,
                        f"{who(i)}: '{values[i]}' is not a number",
                        data_line(clinical, i),
                        time_name,
                        f"give times as numbers in {settings.get('time_unit', 'months')} "
                        "(clinical.time_unit)",
                    )
                for i in _rows(values.isna()):
                    found.warn(
                        source,
                        f"{who(i)}: {endpoint.upper()} time is missing; excluded from "
                        f"{endpoint.upper()}",
                        data_line(clinical, i),
                        time_name,
                    )
                finite = numbers.astype(float)
                bad = (finite < 0) | np.isinf(finite)
                for i in _rows(bad):
                    found.warn(
                        source,
                        f"{who(i)}: {endpoint.upper()} time {values[i]} is negative or infinite; "
                        f"excluded from {endpoint.upper()}",
                        data_line(clinical, i),
                        time_name,
                        "check the value",
                    )
            if event_name is not None:
                mapping = events.get(event_name, events.get(f"{endpoint}_event", {}))
                codes = {
                    str(k).strip().lower(): v for k, v in {**DEFAULT_EVENT_CODES, **mapping}.items()
                }
                values = clinical[event_name]
                lowered = values.astype("string").str.strip().str.lower()
                for i in _rows(lowered.notna() & ~lowered.isin(list(codes))):
                    found.error(
                        source,
                        f"{who(i)}: unknown event code '{values[i]}'",
                        data_line(clinical, i),
                        event_name,
                        f"map it to 1 (event) or 0 (censored) under clinical.event_values."
                        f"{event_name}, e.g. {{'{values[i]}': 1}}",
                    )
    _check_entry(clinical, settings, found, who)
    response_name = col("best_response")
    if response_name is not None:
        mapping = {k.strip().lower(): v for k, v in settings.get("response_values", {}).items()}
        codes = {**DEFAULT_RESPONSE_CODES, **mapping, **{c.lower(): c for c in RECIST}}
        values = clinical[response_name]
        lowered = values.astype("string").str.strip().str.lower()
        for i in _rows(lowered.notna() & ~lowered.isin(list(codes))):
            found.error(
                source,
                f"{who(i)}: unknown response '{values[i]}'",
                data_line(clinical, i),
                response_name,
                "use CR, PR, SD, PD or NE (RECIST 1.1), or map the code under "
                "clinical.response_values",
            )
        bor = lowered.map(codes)
        sd_name = col("sd_duration_weeks")
        weeks = (
            pd.to_numeric(clinical[sd_name], errors="coerce")
            if sd_name
            else pd.Series(np.nan, index=clinical.index)
        )
        if sd_name:
            raw = clinical[sd_name]
            for i in _rows(raw.notna() & weeks.isna()):
                found.error(
                    source,
                    f"{who(i)}: SD duration '{raw[i]}' is not a number of weeks",
                    data_line(clinical, i),
                    sd_name,
                    "give the duration of stable disease in weeks",
                )
        if "cbr" in config.get("endpoints", ["cbr"]):
            no_duration = clinical[sd_name].isna() if sd_name else weeks.isna()
            for i in _rows(bor.eq("SD") & no_duration):
                found.warn(
                    source,
                    f"{who(i)}: best response SD without a duration; counted as no clinical "
                    f"benefit (CBR needs SD >= {config.get('cbr_min_sd_weeks', 24)} weeks)",
                    data_line(clinical, i),
                    sd_name or "sd_duration_weeks",
                    "add the SD duration in weeks (clinical.columns.sd_duration_weeks)",
                )
    return found.problems, found.warnings


def check_adverse_events(
    path: str | Path, patients: set[str]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    events = read_table(path, required=["patient_id", "term", "grade"])
    source = str(path)
    problems = []
    grades = pd.to_numeric(events["grade"], errors="coerce")
    for i in _rows(~grades.isin([1, 2, 3, 4, 5])):
        problems.append(
            Problem(
                source,
                f"grade '{events['grade'][i]}' is not a CTCAE v5.0 grade",
                data_line(events, i),
                "grade",
                "use an integer grade 1-5",
            )
        )
    for i in _rows(events["patient_id"].notna() & ~events["patient_id"].isin(patients)):
        problems.append(
            Problem(
                source,
                f"patient '{events['patient_id'][i]}' is not in the clinical table",
                data_line(events, i),
                "patient_id",
                "fix the id or add the patient to the clinical table",
            )
        )
    return events, problems


def check_adae(config: dict[str, Any], subjects: set[str]) -> list[Problem]:
    """ADAE (clinical.adam.adae): subjects in ADSL, CTCAE grades 1-5."""
    path = (config["clinical"].get("adam") or {}).get("adae")
    if not path:
        return []
    from her2resist.clinical.adam import adverse_events_from_adae
    from her2resist.clinical.adverse_events import validate_grades

    validate_grades(adverse_events_from_adae(path, subjects), str(path))
    return []


# ---------------------------------------------------------------------------- everything


def validate_inputs(config: dict[str, Any]) -> Validated:
    """Validate every input together; raise InputError with every problem found.

    ``config`` is a validated, defaulted config (``load_config``). Warnings are returned on
    the result (they do not stop the run).
    """
    found = _Findings()
    clinical = pd.DataFrame()
    checked = found.run(check_clinical, config["clinical"])
    if checked is not None:
        clinical, problems = checked
        found.problems += problems
        if not problems:
            found.problems += (values := check_clinical_values(clinical, config))[0]
            found.warnings += values[1]
        if config.get("labels"):
            from her2resist.report.labels import check_labels

            markers = config.get("biomarkers", {})
            names = [*clinical.columns, *markers.get("genes", []), *markers.get("domains", [])]
            names += [f"pathway:{p}" for p in markers.get("pathways", [])]
            found.problems += check_labels(
                config["labels"], names, clinical_source(config["clinical"])
            )
    samples = pd.DataFrame(columns=SAMPLE_COLUMNS)
    sheet = str(config.get("samples") or "")
    if sheet:
        checked = found.run(check_samples, sheet)
        if checked is not None:
            samples, problems = checked
            found.problems += problems
            files = check_sample_files(samples, sheet, config.get("genome_build"))
            found.problems += files[0]
            found.warnings += files[1]
            coordinates = resolve_resources(config)["gene_coordinates"]
            found.problems += check_panels_and_fusions(samples, sheet, coordinates)
    for key in ("maf", "cnv"):
        if config.get(key) and not Path(config[key]).is_file():
            found.error(
                "config",
                f"{key} file not found: '{config[key]}' (working directory {Path.cwd()})",
                f"key {key}",
                hint="paths are relative to the working directory",
            )
        elif config.get(key) and key == "maf":
            maf_problems, maf_warnings = check_maf(config["maf"], row=" (config key maf)")
            found.problems += maf_problems
            found.warnings += maf_warnings
        elif config.get(key):
            found.problems += check_cnv(config["cnv"], "gene_table", row=" (config key cnv)")
    patient_column = config["clinical"].get("columns", {}).get("patient_id", "patient_id")
    if len(clinical) and patient_column in clinical.columns:
        known = set(clinical[patient_column].dropna())
        if len(samples):
            for i in _rows(samples["patient_id"].notna() & ~samples["patient_id"].isin(known)):
                found.error(
                    sheet,
                    f"sample '{samples['sample_id'][i]}': patient '{samples['patient_id'][i]}' "
                    "is not in the clinical table",
                    data_line(samples, i),
                    "patient_id",
                    "add the patient to the clinical table or fix the id",
                )
        sequenced = set(samples["patient_id"].dropna())
        for i in _rows(
            clinical[patient_column].notna() & ~clinical[patient_column].isin(sequenced)
        ):
            if sheet:
                found.warn(
                    clinical_source(config["clinical"]),
                    f"patient '{clinical[patient_column][i]}' has no sample in the sheet: "
                    "listed as not sequenced (not evaluable for biomarkers)",
                    data_line(clinical, i),
                    patient_column,
                )
        if config.get("adverse_events"):
            checked = found.run(check_adverse_events, config["adverse_events"], known)
            if checked is not None:
                found.problems += checked[1]
        found.problems += found.run(check_adae, config, known) or []
        if not found.problems and has_visits(config):
            derived = found.run(derive_responses, clinical, config)
            if derived is not None:
                found.warnings += derived[1]
        if not found.problems:
            found.run(tumour_changes, clinical, config)
    if found.problems:
        raise InputError(found.problems)
    return Validated(samples, clinical, warnings=found.warnings)
