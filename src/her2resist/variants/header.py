"""The VCF header checks: truncated bgzip, ##fileformat and #CHROM lines, the annotation
header (CSQ/ANN/EFF with a field list), sample names and the genome build its ##reference
or contig lengths imply. ``check_vcf`` reports them all (validate.py runs it on every VCF of
the sheet); the reader raises the first (:func:`read_header`)."""

from __future__ import annotations

import gzip
import re
import subprocess
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

from her2resist.errors import Findings, InputError, Problem

from .annotations import format_from_header
from .bcftools import bcftools

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
_ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,>]*)')  # key=value, key="text, quoted"
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def check_bgzf_end(path: Path) -> None:
    """An InputError for a bgzip file without its end-of-file block (cut while copying or
    writing)."""
    with path.open("rb") as handle:
        head = handle.read(18)
        if not (head[:2] == b"\x1f\x8b" and len(head) >= 14 and head[12:14] == b"BC"):
            return
        handle.seek(max(0, path.stat().st_size - len(BGZF_EOF)))
        if handle.read() == BGZF_EOF:
            return
    raise InputError.one(
        str(path),
        "bgzip file has no end-of-file block: it is truncated (cut while copying or writing)",
        "end of file",
        hint="copy the file again or re-create it (bgzip -c calls.vcf > calls.vcf.gz)",
    )


def _vcf_header(path: Path) -> tuple[list[str], bool]:
    """Header lines up to and including #CHROM (or the first record); whether records follow."""
    check_bgzf_end(path)
    with path.open("rb") as handle:
        opener = gzip.open if handle.read(2) == b"\x1f\x8b" else open
    lines: list[str] = []
    has_records = False
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            for raw in handle:
                line = raw.rstrip("\r\n")
                if line.startswith("#"):
                    lines.append(line)
                    if line.startswith("#CHROM"):
                        has_records = any(rest.strip() for rest in handle)
                        break
                elif line.strip():  # a record before any #CHROM line
                    lines.append(line)
                    has_records = True
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
        if line.startswith(("##reference=", "##assembly=")):
            value = line.split("=", 1)[1]
            for build, pattern in REFERENCE_NAMES.items():
                if pattern.search(value):
                    return build, f"line {n}: {line[:80]}"
    for n, line in enumerate(lines, 1):
        if not (match := re.match(r"##contig=<ID=([^,>]+).*length=(\d+)", line)):
            continue
        name = re.sub(r"^chr", "", match.group(1), flags=re.I)
        length = int(match.group(2))
        builds = [build for build, lengths in CONTIG_LENGTHS.items() if lengths.get(name) == length]
        if len(builds) == 1:  # a length both builds share tells nothing
            return builds[0], f"line {n}: contig {match.group(1)} has length {length}"
    return None, ""


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
    """Cheap checks of one VCF's header: (problems, warnings); what validate.py runs on every
    VCF of the sheet before any job starts."""
    path = Path(path)
    found = Findings()
    row = f" (sample sheet {sheet} line {sheet_line})" if sheet_line else ""
    try:
        lines, has_records = _vcf_header(path)
    except InputError as exc:
        return [replace(p, message=p.message + row) for p in exc.problems], []
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
        if not (match := re.match(r"##INFO=<ID=(CSQ|ANN|EFF),", line)):
            continue
        key = match.group(1)
        description = re.search(r'Description="(.*)"', line)
        if format_from_header(key, description.group(1) if description else "") is None:
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
        if not tumor and not header_value(lines, "tumor_sample") and len(names) > 1:
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
    if not found.problems:  # htslib parses the header too (stricter about some header lines)
        found.run(lambda: read_header(path))
    return found.problems, found.warnings


def header_value(lines: list[str], key: str) -> str | None:
    """The value of the first ``##key=value`` line, without quotes (None without one)."""
    for line in lines:
        if line.startswith(f"##{key}="):
            return line.split("=", 1)[1].strip().strip('"')
    return None


@dataclass(frozen=True)
class VcfHeader:
    """A header as htslib holds it: the meta-information lines and the #CHROM line (with
    ``##contig`` lines for the contigs an index names when the file declares none)."""

    text: str
    samples: list[str]

    def declared(self, kind: str) -> dict[str, dict[str, str]]:
        """The ``##INFO``, ``##FORMAT`` or ``##contig`` lines by ID: their attributes."""
        found: dict[str, dict[str, str]] = {}
        for line in self.text.splitlines():
            if line.startswith(f"##{kind}=<"):
                attributes = {
                    key: value[1:-1] if value.startswith('"') else value
                    for key, value in _ATTRIBUTE.findall(line[len(kind) + 4 :])
                }
                found.setdefault(attributes.get("ID", ""), attributes)
        return found


def read_header(path: Path) -> VcfHeader:
    """The header as htslib reads it (``bcftools view -h``), or an InputError saying why it
    cannot be read (the first problem :func:`check_vcf` would report)."""
    if not path.is_file():
        raise InputError.one(str(path), "VCF file not found", hint="check the path")
    check_bgzf_end(path)
    command = [bcftools(), "view", "-h", "--no-version", str(path)]
    done = subprocess.run(command, capture_output=True, check=False)
    text = done.stdout.decode("utf-8", errors="replace")
    chrom_line = text.rstrip("\n").rpartition("\n")[2]
    if done.returncode != 0 or not chrom_line.startswith("#CHROM"):
        message, where, hint = _diagnose_header(path, done.stderr.decode(errors="replace"))
        raise InputError.one(str(path), message, where=where, hint=hint)
    return VcfHeader(text, chrom_line.split("\t")[9:])


def _diagnose_header(path: Path, errors: str) -> tuple[str, int | None, str]:
    lines, _ = _vcf_header(path)  # a corrupt compressed file raises its own InputError here
    if not lines:
        return "file is empty", None, "supply a VCF with a header and a #CHROM line"
    if not lines[0].startswith("##fileformat=VCF"):
        return (
            f"first line is {lines[0][:60]!r}, not '##fileformat=VCFv4.x' (htslib requires it)",
            1,
            "add '##fileformat=VCFv4.2' as the first line",
        )
    if not lines[-1].startswith("#CHROM"):
        return (
            "no '#CHROM' column header line before the first record",
            len(lines),
            "add the tab-separated '#CHROM POS ID REF ALT QUAL FILTER INFO ...' line",
        )
    error = next((line for line in errors.splitlines() if line.strip()), "no header read")
    return f"htslib could not parse the VCF header ({error})", None, "check the header lines"
