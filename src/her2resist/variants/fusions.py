"""Fusion and structural-variant calls -> one row per gene involved (FUSION_COLUMNS).

Two inputs, named in the sample sheet (``sv_file``, ``sv_format``):

- ``cbioportal_sv``: cBioPortal's structural variant file (``data_sv.txt``: ``Sample_Id``,
  ``Site1_Hugo_Symbol``, ``Site2_Hugo_Symbol``, ``SV_Status``, ...) or the older fusion file
  (``data_fusions.txt``: ``Hugo_Symbol``, ``Tumor_Sample_Barcode``, ``Fusion``, ...). A cohort
  file may be shared by many samples; rows are taken by sample id.
- ``vcf``: an annotated SV VCF (Manta, DELLY, GRIDSS...; breakend ``BND`` or symbolic
  ``<DEL>``/``<DUP>``/``<INV>`` records). A record is a fusion when an annotation names one:
  SnpEff ``ANN`` (or legacy ``EFF``) ``gene_fusion`` / ``bidirectional_gene_fusion``, genes in
  ``Gene_Name`` (``FGFR3&TACC3``), or a VEP ``CSQ`` consequence containing ``fusion`` (the
  partners are the genes of the record and of its mate, ``MATEID``). Only symbolic and
  breakend records are read here; the small-variant readers count and skip them.

A fusion gives a row for each partner gene (``gene``, ``partner``, ``fusion`` named
``5'GENE::3'GENE`` as the HGNC recommends, Bruford et al. 2021, Leukemia 35:3040). A
rearrangement within one gene (cBioPortal ``GENE-intragenic``) is kept as ``rearrangement``,
not a fusion.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from her2resist.errors import InputError, Problem
from her2resist.tables import read_table
from her2resist.variants.annotations import AnnotationFormat
from her2resist.variants.bcftools import query
from her2resist.variants.header import VcfHeader, read_header
from her2resist.variants.vcf import _annotation_format, _is_symbolic

SV_FORMATS = ("vcf", "cbioportal_sv")
# kind: fusion | rearrangement
FUSION_COLUMNS = [
    "sample_id", "gene", "partner", "kind", "fusion", "chrom", "pos", "partner_chrom",
    "partner_pos", "consequence", "frame", "filter", "sv_status", "source",
]  # fmt: skip
#: What a row holds for a field its source does not give.
_EMPTY_ROW = dict.fromkeys(FUSION_COLUMNS, "") | {"pos": None, "partner_pos": None}
_SV_LAYOUT = ("Sample_Id", "Site1_Hugo_Symbol", "Site2_Hugo_Symbol")
_FUSION_LAYOUT = ("Tumor_Sample_Barcode", "Hugo_Symbol", "Fusion")
_BREAKEND = re.compile(r"[\[\]]([^\[\]:]+):(\d+)[\[\]]")
_MISSING = {"", "NA", "nan", "None", "<NA>"}


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text in _MISSING else text


def _position(value: object) -> int | None:
    text = _text(value)
    return int(text) if text.isdigit() else None


def _layout(path: str | Path, columns: list[str]) -> str:
    if "Sample_Id" in columns and any(c in columns for c in _SV_LAYOUT[1:]):
        return "sv"
    if all(c in columns for c in _FUSION_LAYOUT):
        return "fusions"
    raise InputError.one(
        str(path),
        "not a cBioPortal structural variant file: expected Sample_Id with "
        "Site1_Hugo_Symbol/Site2_Hugo_Symbol (data_sv.txt) or Tumor_Sample_Barcode, "
        f"Hugo_Symbol, Fusion (data_fusions.txt); found {', '.join(columns[:12])}",
        1,
        hint="check sv_format in the sample sheet (vcf for an SV VCF), or rename the columns",
    )


def _row(
    sample_id: str, gene: str, partner: str, fusion: str, kind: str = "", **fields: object
) -> dict:
    """One gene's row (``_EMPTY_ROW``'s values for the fields not given); ``kind`` defaults
    to fusion when there is a partner gene."""
    intragenic = partner == gene
    partner = "" if intragenic else partner
    kind = kind or ("fusion" if partner else "rearrangement")
    if kind == "rearrangement":
        fusion = f"{gene}-intragenic" if intragenic else f"{gene} rearrangement"
    row = {"sample_id": sample_id, "gene": gene, "partner": partner, "kind": kind}
    return _EMPTY_ROW | row | {"fusion": fusion or gene, **fields}


def _from_sv_table(table: pd.DataFrame) -> list[dict]:
    rows = []
    for record in table.to_dict("records"):
        site1 = _text(record.get("Site1_Hugo_Symbol"))
        site2 = _text(record.get("Site2_Hugo_Symbol"))
        genes = [g for g in (site1, site2) if g]
        common = {
            "chrom": _text(record.get("Site1_Chromosome")),
            "pos": _position(record.get("Site1_Position")),
            "partner_chrom": _text(record.get("Site2_Chromosome")),
            "partner_pos": _position(record.get("Site2_Position")),
            "consequence": _text(record.get("Event_Info")) or _text(record.get("Class")),
            "frame": _text(record.get("Site2_Effect_On_Frame")),
            "filter": "PASS",
            "sv_status": _text(record.get("SV_Status")).upper(),
            "source": "cbioportal_sv",
        }
        fusion = f"{site1}::{site2}" if len(set(genes)) == 2 else ""
        sample = _text(record.get("Sample_Id"))
        for gene in dict.fromkeys(genes):
            partner = site2 if gene == site1 else site1
            rows.append(_row(sample, gene, partner, fusion, **common))
    return rows


def _partner_in(fusion: str, gene: str) -> tuple[str, str]:
    """(partner, 5'::3' name) from a data_fusions.txt ``Fusion`` text such as
    ``EML4-ALK fusion``, ``CD74-NRG1`` or ``ERBB2-intragenic``."""
    name = re.sub(r"\s*fusion\s*$", "", fusion, flags=re.I).strip()
    if name.endswith("-intragenic") or name in ("", gene):
        return "", ""
    for separator in ("::", "-", "/"):
        left, sep, right = name.partition(f"{gene}{separator}")
        if sep and not left:
            return right, f"{gene}::{right}"
        left, sep, right = name.rpartition(f"{separator}{gene}")
        if sep and not right:
            return left, f"{left}::{gene}"
    return "", ""


def _from_fusion_table(table: pd.DataFrame) -> list[dict]:
    rows = []
    for record in table.to_dict("records"):
        gene = _text(record.get("Hugo_Symbol"))
        if not gene:
            continue
        text = _text(record.get("Fusion"))
        intragenic = "intragenic" in text.lower()
        partner, fusion = _partner_in(text, gene)
        rows.append(
            _row(
                _text(record.get("Tumor_Sample_Barcode")),
                gene,
                gene if intragenic else partner,
                fusion or text,
                "rearrangement" if intragenic else "fusion",
                consequence=text,
                frame=_text(record.get("Frame")),
                filter="PASS",
                source="cbioportal_fusions",
            )
        )
    return rows


def read_cbioportal_sv(path: str | Path) -> pd.DataFrame:
    """Every row of a cBioPortal data_sv.txt / data_fusions.txt (all samples)."""
    table = read_table(path)
    table = table[~table.iloc[:, 0].astype(str).str.startswith("#")]
    reader = _from_sv_table if _layout(path, list(table.columns)) == "sv" else _from_fusion_table
    frame = pd.DataFrame(reader(table), columns=FUSION_COLUMNS)
    return frame.drop_duplicates(["sample_id", "gene", "fusion", "chrom", "pos"], ignore_index=True)


def _annotation(header: VcfHeader, path: str | Path) -> AnnotationFormat:
    """The SV VCF's consequence annotation format (the small-variant reader's choice)."""
    try:
        return _annotation_format(header, Path(path), "auto")
    except InputError:
        raise InputError.one(
            str(path),
            "the SV VCF has no INFO/ANN (SnpEff) or INFO/CSQ (VEP) header line with a field "
            "list, so no record can name a gene fusion",
            "header",
            hint="annotate the SV VCF with SnpEff (gene_fusion effects) or VEP first",
        ) from None


def _fusion_genes(raw: str, fmt: AnnotationFormat) -> list[tuple[list[str], str]]:
    """(genes, consequence) of each annotation entry that names a fusion (legacy SnpEff EFF
    entries read ``EFFECT(impact|...|gene|...)``)."""
    symbol_at = fmt.index.get("symbol")
    consequence_at = fmt.index.get("consequence")
    if symbol_at is None or (consequence_at is None and fmt.kind != "eff"):
        return []
    hits = []
    for entry in raw.split(","):
        if fmt.kind == "eff":
            consequence, _, rest = entry.partition("(")
            fields = rest.rstrip(")").split("|")
        else:
            fields = entry.split("|")
            consequence = fields[consequence_at] if consequence_at < len(fields) else ""
        if "fusion" in consequence.lower() and symbol_at < len(fields):
            hits.append(([g for g in fields[symbol_at].split("&") if g], consequence))
    return hits


def _sv_events(path: Path, fmt: AnnotationFormat) -> dict[str, dict]:
    """Per SV record id: position, filter, the genes its fusion annotations name and its
    mate's id (``MATEID``)."""
    events: dict[str, dict] = {}
    for line in query(path, "%CHROM\t%POS\t%ID\t%FIRST_ALT\t%FILTER\t%INFO\n").splitlines():
        chrom, pos, record_id, alt, filters, info_text = line.split("\t")
        if alt in ("*", ".") or not _is_symbolic(alt):
            continue  # a small variant: the variant readers tabulate those
        mate = _BREAKEND.search(alt)
        info = dict(item.partition("=")[::2] for item in info_text.split(";"))
        genes: list[str] = []
        consequences: list[str] = []
        raw = info.get(fmt.info_key)
        for hit_genes, consequence in _fusion_genes(raw, fmt) if raw else []:
            genes += [g for g in hit_genes if g not in genes]
            consequences.append(consequence)
        record_id = record_id if record_id != "." else f"{chrom}:{pos}"
        events[record_id] = {
            "chrom": chrom.removeprefix("chr"),
            "pos": int(pos),
            "partner_chrom": (mate.group(1) if mate else chrom).removeprefix("chr"),
            "partner_pos": int(mate.group(2)) if mate else _position(info.get("END")),
            "filter": filters if filters != "." else "PASS",
            "genes": genes,
            "consequence": ";".join(consequences),
            "mate": info.get("MATEID", ""),
        }
    return events


def read_sv_vcf(path: str | Path, sample_id: str) -> pd.DataFrame:
    """Fusions of an annotated SV VCF; every record belongs to ``sample_id``."""
    path = Path(path)
    events = _sv_events(path, _annotation(read_header(path), path))
    rows = []
    done: set[str] = set()
    for record_id, event in events.items():
        if record_id in done:
            continue
        genes = list(event["genes"])
        mate = events.get(event["mate"])
        if mate is not None:  # VEP annotates each breakend with its own gene
            done.add(event["mate"])
            genes += [g for g in mate["genes"] if g not in genes]
        if not genes:
            continue
        fusion = "::".join(genes[:2]) if len(genes) >= 2 else ""
        fields = {k: v for k, v in event.items() if k not in ("genes", "mate")}
        for gene in genes:
            partner = next((g for g in genes if g != gene), "")
            rows.append(_row(sample_id, gene, partner, fusion, source="sv_vcf", **fields))
    frame = pd.DataFrame(rows, columns=FUSION_COLUMNS)
    return frame.drop_duplicates(["sample_id", "gene", "fusion"], ignore_index=True)


def read_fusions(
    path: str | Path, sv_format: str, sample_id: str, cohort: dict | None = None
) -> pd.DataFrame:
    """The fusion rows of one sample (FUSION_COLUMNS), from either form; a cBioPortal file is
    read once per ``cohort`` dict (path -> every sample's rows) the caller keeps."""
    if sv_format == "vcf":
        return read_sv_vcf(path, sample_id)
    if sv_format == "cbioportal_sv":
        cohort = {} if cohort is None else cohort
        if path not in cohort:
            cohort[path] = read_cbioportal_sv(path)
        table = cohort[path]
        return table[table["sample_id"] == sample_id].reset_index(drop=True)
    raise InputError.one(
        str(path), f"unknown sv_format {sv_format!r}", hint=f"use one of {', '.join(SV_FORMATS)}"
    )


def check_sv_file(path: str | Path, sv_format: str, *, row: str = "") -> list[Problem]:
    """Parse-time check of one SV file's header: problems (empty list when readable)."""
    try:
        if sv_format == "cbioportal_sv":
            _layout(path, list(read_table(path).columns))
        elif sv_format == "vcf":
            _annotation(read_header(Path(path)), path)
    except InputError as error:
        return [Problem(p.file, p.message + row, p.where, p.column, p.hint) for p in error.problems]
    return []


def fusions_by_sample(samples: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Fusion rows of every sample with an ``sv_file`` (a cohort file is read once)."""
    cohort: dict[str, pd.DataFrame] = {}
    return {
        str(sample["sample_id"]): read_fusions(
            path, _text(sample.get("sv_format")), str(sample["sample_id"]), cohort
        )
        for sample in samples.to_dict("records")
        if (path := _text(sample.get("sv_file")))
    }
