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
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.clinical.adam import clinical_source
from her2resist.clinical.checks import (
    check_adae,
    check_adverse_events,
    check_clinical,
    check_clinical_values,
)
from her2resist.clinical.responses import derive as derive_responses
from her2resist.clinical.responses import has_visits, tumour_changes
from her2resist.cnv.gene_table import check_gene_table_header
from her2resist.cnv.segments import check_segment_header
from her2resist.config import resolve_resources
from her2resist.errors import Findings, InputError, Problem
from her2resist.panels import GENE_PANEL_COLUMNS, read_panel
from her2resist.report.labels import check_labels
from her2resist.sheet import SAMPLE_COLUMNS, check_samples
from her2resist.tables import cell_text, data_line, records, rows_where
from her2resist.variants.fusions import check_sv_file
from her2resist.variants.maf import check_maf

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


@dataclass
class Validated:
    samples: pd.DataFrame
    clinical: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


_Findings = Findings  # the name the VCF checks below use


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


# ---------------------------------------------------------------------------- variant and CNV files


def check_sample_files(
    samples: pd.DataFrame, source: str, genome_build: str | None
) -> tuple[list[Problem], list[Problem]]:
    """Headers of every variant and CNV file in the sheet (files that exist). A cohort MAF or
    CNA matrix that every sample of a study shares is checked once, at its first row (per
    sample, its header was parsed once per sample: quadratic for a 2,000-sample study)."""
    found = Findings()
    shared: set[tuple[str, str]] = set()  # (file, format) of MAF and CNV headers checked
    for i, sample in zip(samples.index, records(samples), strict=True):
        line = data_line(samples, i)
        row = f" (sample sheet {source} line {line})"
        variant_file = cell_text(sample["variant_file"])
        fmt = cell_text(sample["variant_format"]) or "vcf"
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
                    annotation=cell_text(sample["annotation"]) or "auto",
                    tumor=cell_text(sample["tumor_sample"]) or None,
                    normal=cell_text(sample["normal_sample"]) or None,
                    genome_build=genome_build,
                    sheet=source,
                    sheet_line=line,
                )
            found.problems += problems
            found.warnings += warnings
        cnv_file = cell_text(sample["cnv_file"])
        cnv_format = cell_text(sample["cnv_format"])
        if (
            cnv_file
            and cnv_format
            and (cnv_file, cnv_format) not in shared
            and Path(cnv_file).is_file()
            and Path(cnv_file).stat().st_size
        ):
            shared.add((cnv_file, cnv_format))
            if cnv_format == "gene_table":
                found.problems += check_gene_table_header(cnv_file, row=row)
            else:
                found.problems += check_segment_header(cnv_file, cnv_format, row=row)
        if cell_text(sample["qc_status"]) == "fail":
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
    found = Findings()
    seen: set[tuple[str, str]] = set()
    for i, sample in zip(samples.index, records(samples), strict=True):
        line = data_line(samples, i)
        row = f" (sample sheet {source} line {line})"
        for column in GENE_PANEL_COLUMNS:
            value = cell_text(sample[column])
            if value and (value, column) not in seen and Path(value).is_file():
                seen.add((value, column))
                problems = found.run(read_panel, value, gene_coordinates) is None
                if problems:
                    last = found.problems.pop()
                    found.error(last.file, last.message + row, last.where, column, last.hint)
        sv_file, sv_format = cell_text(sample["sv_file"]), cell_text(sample["sv_format"])
        if sv_file and sv_format and (sv_file, sv_format) not in seen and Path(sv_file).is_file():
            seen.add((sv_file, sv_format))
            found.problems += check_sv_file(sv_file, sv_format, row=row)
    return found.problems


# ---------------------------------------------------------------------------- everything


def validate_inputs(config: dict[str, Any]) -> Validated:
    """Validate every input together; raise InputError with every problem found.

    ``config`` is a validated, defaulted config (``load_config``). Warnings are returned on
    the result (they do not stop the run).
    """
    found = Findings()
    clinical = pd.DataFrame()
    checked = found.run(check_clinical, config["clinical"])
    if checked is not None:
        clinical, problems = checked
        found.problems += problems
        if not problems:
            found.problems += (values := check_clinical_values(clinical, config))[0]
            found.warnings += values[1]
        if config.get("labels"):
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
            found.problems += check_gene_table_header(config["cnv"], row=" (config key cnv)")
    patient_column = config["clinical"].get("columns", {}).get("patient_id", "patient_id")
    if len(clinical) and patient_column in clinical.columns:
        known = set(clinical[patient_column].dropna())
        if len(samples):
            for i in rows_where(samples["patient_id"].notna() & ~samples["patient_id"].isin(known)):
                found.error(
                    sheet,
                    f"sample '{samples['sample_id'][i]}': patient '{samples['patient_id'][i]}' "
                    "is not in the clinical table",
                    data_line(samples, i),
                    "patient_id",
                    "add the patient to the clinical table or fix the id",
                )
        sequenced = set(samples["patient_id"].dropna())
        for i in rows_where(
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
