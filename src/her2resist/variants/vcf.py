"""VCF -> variant table: one row per (ALT allele, chosen transcript); nothing is filtered."""

from __future__ import annotations

import bisect
import csv
import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain
from os import PathLike
from pathlib import Path
from sys import intern

import pandas as pd

from her2resist.errors import InputError

from . import rules
from .annotations import (
    SUPPORTED_ANNOTATORS,
    AnnotationFormat,
    Entry,
    MalformedAnnotation,
    choose_effect,
    clean_hgvsp,
    effect_details,
    effects_by_allele,
    first_int,
    format_from_header,
    parse_entries,
)
from .depths import (
    biallelic_ad_counts,
    called_alt,
    caller_rule,
    detect_caller,
    primary_keys,
    record_format_values,
    sample_counts,
)
from .header import ANNOTATION_KEYS, header_value, open_vcf
from .schema import EXTRA_COLUMNS, VARIANT_COLUMNS, frame_from_columns

log = logging.getLogger(__name__)

Region = tuple[str, int, int]

_ALL_COLUMNS = VARIANT_COLUMNS + EXTRA_COLUMNS
# gene .. biotype, canonical, population_af, all_consequences (see _annotation_row)
_NO_ANNOTATION = (None,) * 10 + (False, None, None)
# vcf2maf's class for a variant it has no effect for
_NO_EFFECT = (None,) * 6 + (rules.DEFAULT_CLASS,) + (None,) * 3 + (False, None, None)
_NO_COUNTS = (None, None, None)
_CHUNK_ROWS = 10_000  # rows per chunk: write_vcf_table's memory does not grow with the file


def read_vcf(
    path: str | PathLike[str],
    *,
    sample_id: str,
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    regions: list[Region] | None = None,
    custom_isoforms: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read a (optionally bgzipped/indexed) VCF into the variant table.

    Parameters
    ----------
    annotation
        ``"vep"`` (INFO/CSQ), ``"snpeff"`` (INFO/ANN, else legacy INFO/EFF), ``"auto"``
        (first of CSQ, ANN, EFF declared in the header) or ``"none"`` to read an
        unannotated VCF (annotation columns are then NA).
    tumor, normal
        Sample column names. ``tumor=None`` uses ``##tumor_sample=``, else the only sample;
        ``normal=None`` uses ``##normal_sample=`` when present.
    regions
        ``(chrom, start, end)``, 1-based inclusive; records overlapping any region are
        kept. Uses the .tbi/.csi index when there is one, otherwise streams the file.
        ``chr17`` and ``17`` name the same contig when the VCF has only one of them.
    custom_isoforms
        Transcript IDs preferred over VEP's canonical ones (vcf2maf ``--custom-enst``).

    ``df.attrs`` holds ``skipped_symbolic`` (symbolic, breakend and ``*`` ALTs not
    tabulated), ``skipped_no_alt``, ``caller``, ``annotation``, ``tumor``, ``normal``
    and ``warnings``. :func:`write_vcf_table` writes the same table without holding it.
    """
    attrs: dict = {}
    options = dict(annotation=annotation, tumor=tumor, normal=normal, regions=regions)
    chunks = _chunks(attrs, path, sample_id, custom_isoforms=custom_isoforms, **options)
    rows = [row for chunk in chunks for row in chunk]
    columns = list(zip(*rows, strict=True)) or [()] * len(_ALL_COLUMNS)
    df = frame_from_columns(dict(zip(_ALL_COLUMNS, map(list, columns), strict=True)))
    df.attrs.update(attrs)
    return df


def write_vcf_table(path: str | PathLike[str], out: str | PathLike[str], **options) -> dict:
    """Write :func:`read_vcf`'s table (same ``options``) to a TSV chunk by chunk, so memory
    does not grow with the file; returns ``read_vcf``'s ``df.attrs`` plus ``rows``. The rows
    are formatted here, as ``tables.write_tsv`` formats the frame (a frame per chunk cost a
    fifth of the job)."""
    attrs: dict = {}
    chunks = _chunks(attrs, path, **options)
    first = next(chunks)  # a header problem stops here, before the output file is created
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(_ALL_COLUMNS)
        attrs["rows"] = 0
        for chunk in chain([first], chunks):
            writer.writerows(map(_as_text, chunk))
            attrs["rows"] += len(chunk)
    return attrs


_FLOAT_INDICES = [_ALL_COLUMNS.index(c) for c in ("vaf", "population_af", "normal_vaf")]


def _as_text(row: tuple) -> list:
    """One row as ``tables.write_tsv`` writes it (other values are written by ``str``)."""
    fields = ["NA" if value is None else value for value in row]
    for i in _FLOAT_INDICES:
        value = fields[i]
        if value != "NA":
            fields[i] = f"{value:.10g}" if value == value else "NA"
    return fields


def _chunks(
    attrs: dict,
    path: str | PathLike[str],
    sample_id: str,
    *,
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    regions: list[Region] | None = None,
    custom_isoforms: Iterable[str] | None = None,
) -> Iterator[list[tuple]]:
    """The table's rows in chunks of _CHUNK_ROWS (the last possibly empty); fills ``attrs``
    when done."""
    path = Path(path)
    if annotation not in (*ANNOTATION_KEYS, "none"):
        raise ValueError(
            f"annotation must be 'auto', 'vep', 'snpeff' or 'none', not {annotation!r}"
        )
    vcf = open_vcf(path)
    try:
        converter = _RecordConverter(
            vcf, path, sample_id, annotation, tumor, normal, custom_isoforms
        )
        merged = _merge_regions(_match_contigs(regions, vcf.seqnames)) if regions else None
        yield from converter.pieces(_records(vcf, path, merged))
        attrs.update(converter.summary())
    finally:
        vcf.close()


def _match_contigs(regions: list[Region], seqnames: list[str]) -> list[Region]:
    """Regions named as the VCF names its contigs (``chr17`` vs ``17``)."""
    known = set(seqnames)

    def name(chrom: str) -> str:
        if chrom in known:
            return chrom
        other = chrom[3:] if chrom.startswith("chr") else f"chr{chrom}"
        return other if other in known else chrom

    return [(name(chrom), start, end) for chrom, start, end in regions]


# --------------------------------------------------------------------------- opening


def _annotation_format(vcf, path: Path, annotation: str) -> AnnotationFormat | None:
    if annotation == "none":
        return None
    declared: dict[str, AnnotationFormat] = {}
    for key in ("CSQ", "ANN", "EFF"):
        try:
            description = vcf.get_header_type(key).get("Description", "")
        except KeyError:
            continue
        fmt = format_from_header(key, description)
        if fmt is None:
            raise InputError.one(
                str(path),
                f"INFO/{key} is declared but its Description has no field list",
                where="header",
                column=f"INFO/{key}",
                hint="keep the annotator's original header line (e.g. VEP's 'Format: Allele|...')",
            )
        declared[key] = fmt
    for key in ANNOTATION_KEYS[annotation]:
        if key in declared:
            return declared[key]
    found = ", ".join(f"INFO/{k}" for k in declared) or "none"
    raise InputError.one(
        str(path),
        f"no {annotation if annotation != 'auto' else 'supported'} consequence annotation in "
        f"the header (found: {found}); supported annotators: {SUPPORTED_ANNOTATORS}",
        where="header",
        hint="annotate with VEP (--vcf) or SnpEff first, or read it with annotation='none'",
    )


def _sample_indices(samples, raw_header, tumor, normal, path):
    samples, header = list(samples), raw_header.splitlines()
    available = ", ".join(samples) if samples else "(none: sites-only VCF)"

    def index_of(name: str, role: str) -> int:
        if name not in samples:
            raise InputError.one(
                str(path),
                f"{role} sample {name!r} is not a column of this VCF; samples: {available}",
                where="#CHROM line",
                hint=f"pass {role}= one of the sample names above",
            )
        return samples.index(name)

    if tumor is None:
        only = samples[0] if len(samples) == 1 else None
        tumor = header_value(header, "tumor_sample") or only
        if tumor is None and samples:
            raise InputError.one(
                str(path),
                f"cannot tell which sample is the tumour (no ##tumor_sample header); "
                f"samples: {available}",
                where="#CHROM line",
                hint="pass tumor= (and normal=) with sample names",
            )
    if normal is None:
        header_normal = header_value(header, "normal_sample")
        normal = header_normal if header_normal in samples else None
    tumor_idx = index_of(tumor, "tumor") if tumor is not None else None
    normal_idx = index_of(normal, "normal") if normal is not None else None
    return tumor_idx, normal_idx, tumor, normal


# --------------------------------------------------------------------------- regions


def _merge_regions(regions: list[Region]) -> dict[str, list[tuple[int, int]]]:
    """Per contig, the regions sorted and merged where they overlap or touch."""
    merged: dict[str, list[tuple[int, int]]] = {}
    for chrom, start, end in sorted((str(c), int(s), int(e)) for c, s, e in regions):
        intervals = merged.setdefault(chrom, [])
        if intervals and start <= intervals[-1][1] + 1:
            intervals[-1] = (intervals[-1][0], max(intervals[-1][1], end))
        else:
            intervals.append((start, end))
    return merged


def _records(vcf, path: Path, merged: dict[str, list[tuple[int, int]]] | None) -> Iterator:
    if merged is None:
        return iter(vcf)
    if any(Path(f"{path}{suffix}").is_file() for suffix in (".tbi", ".csi")):
        return _indexed_records(vcf, merged)
    return _streamed_records(vcf, merged)


def _indexed_records(vcf, merged: dict[str, list[tuple[int, int]]]) -> Iterator:
    order = {name: i for i, name in enumerate(vcf.seqnames)}
    for chrom in sorted(merged, key=lambda c: order.get(c, len(order))):
        if chrom not in order:
            continue  # no record on this contig in the index
        previous_end = None
        for start, end in merged[chrom]:
            for record in vcf(f"{chrom}:{start}-{end}"):
                # a record spanning two merged regions was already yielded by the previous one
                if previous_end is not None and record.start < previous_end:
                    continue
                yield record
            previous_end = end


def _streamed_records(vcf, merged: dict[str, list[tuple[int, int]]]) -> Iterator:
    ends = {chrom: [end for _, end in intervals] for chrom, intervals in merged.items()}
    for record in vcf:
        intervals = merged.get(record.CHROM)
        if intervals is None:
            continue
        # first region ending at or after the record's first base, if it starts before its end
        i = bisect.bisect_left(ends[record.CHROM], record.start + 1)
        if i < len(intervals) and intervals[i][0] <= record.end:
            yield record


# --------------------------------------------------------------------------- records


def _is_symbolic(alt: str) -> bool:
    return alt == "*" or alt.startswith("<") or "[" in alt or "]" in alt or "." in alt


class _RecordConverter:
    """Turns cyvcf2 records into column lists, one row per tabulated ALT allele."""

    def __init__(
        self, vcf, path: Path, sample_id: str, annotation: str, tumor, normal, custom_isoforms
    ) -> None:
        """What the header decides: annotation format, caller, tumour and normal columns."""
        self.path = path
        self.sample_id = sample_id
        self.fmt = _annotation_format(vcf, path, annotation)
        self.caller = detect_caller(vcf.raw_header)
        self.tumor_idx, self.normal_idx, self.tumor, self.normal = _sample_indices(
            vcf.samples, vcf.raw_header, tumor, normal, path
        )
        self.custom_isoforms = frozenset(custom_isoforms or ())
        self.rule = caller_rule(self.caller)
        self.first_keys = primary_keys(self.rule)
        # biallelic AD/DP(/AF) records skip the general conventions (see depths)
        format_keys = {h.info().get("ID") for h in vcf.header_iter() if h.type == "FORMAT"}
        self.fast_path = self.rule.has_fast_path and "AD" in format_keys
        self.has_samples = self.tumor_idx is not None or self.normal_idx is not None
        self.rows: list[tuple] = []  # one tuple per row; a chunk every _CHUNK_ROWS rows
        self.skipped_symbolic = 0
        self.skipped_no_alt = 0
        self.unknown_terms: set[str] = set()
        self._seen_terms: set[tuple[str, ...]] = set()

    def summary(self) -> dict:
        """``read_vcf``'s ``df.attrs``, once every record is read."""
        unknown = ", ".join(sorted(self.unknown_terms))
        warning = f"consequence terms not in vcf2maf's priority table (ranked last): {unknown}"
        return {
            "skipped_symbolic": self.skipped_symbolic,
            "skipped_no_alt": self.skipped_no_alt,
            "caller": self.caller,
            "annotation": self.fmt.kind if self.fmt else "none",
            "tumor": self.tumor,
            "normal": self.normal,
            "warnings": [warning] if unknown else [],
        }

    def pieces(self, records: Iterator) -> Iterator[list[tuple]]:
        """Chunks of _CHUNK_ROWS rows, then the rest (possibly empty)."""
        n_read, record = 0, None
        while True:
            try:
                record = next(records)  # on an error, record is still the last one read
            except StopIteration:
                yield self.rows
                return
            except Exception as exc:  # htslib read errors surface as bare Exception
                # named only here: a per-record "chrom:pos" string cost 3 % of the job
                last = f"{record.CHROM}:{record.POS}" if record else "the header"
                raise InputError.one(
                    str(self.path),
                    f"cannot read record #{n_read + 1} (after {last}): {exc}",
                    where=f"record #{n_read + 1}",
                    hint="the file is truncated or a data line is malformed; re-create it",
                ) from exc
            n_read += 1
            self.add(record)
            if len(self.rows) >= _CHUNK_ROWS:
                yield self.rows
                self.rows = []

    def add(self, record) -> None:
        alts = record.ALT
        if not alts:
            self.skipped_no_alt += 1
            return
        chrom, pos, ref = intern(record.CHROM), record.POS, record.REF
        filters = record.FILTERS
        filter_text = intern(";".join(filters)) if filters else "."
        tumor_counts, normal_counts = self._read_counts(record, [ref, *alts])
        per_alt = self._effects_per_alt(record, ref, alts) if self.fmt else None
        append_row = self.rows.append
        for i, alt in enumerate(alts):
            if _is_symbolic(alt):
                self.skipped_symbolic += 1
                continue
            if len(ref) == 1 and len(alt) == 1:
                var_type, inframe, trimmed = "SNP", False, 0
            else:
                var_type, inframe, trimmed = rules.variant_type(ref, alt)
            maf_start = pos + trimmed - (1 if var_type == "INS" and trimmed == len(ref) else 0)
            if per_alt is None:
                annotation = _NO_ANNOTATION
            else:
                effect = choose_effect(per_alt[i], self.custom_isoforms)
                annotation = self._annotation_row(effect, var_type, inframe)
            t_depth, t_alt, t_vaf = tumor_counts[i] if tumor_counts else _NO_COUNTS
            n_depth, n_alt, n_vaf = normal_counts[i] if normal_counts else _NO_COUNTS
            (
                gene, transcript, hgvsc, hgvsp, short, consequence, vclass, exon,
                ppos, biotype, canonical, population_af, consequences,
            ) = annotation  # fmt: skip
            row = (
                self.sample_id, chrom, pos, ref, alt, gene, transcript, hgvsc, hgvsp, short,
                consequence, vclass, exon, t_depth, t_alt, t_vaf, filter_text, self.caller,
                population_af, ppos, biotype, canonical, n_depth, n_alt, n_vaf,
                var_type, maf_start, consequences,
            )  # fmt: skip
            append_row(row)

    def _read_counts(self, record, alleles: list[str]) -> tuple[list | None, list | None]:
        """(depth, alt_reads, vaf) per ALT for the tumour and the normal (None if absent)."""
        if not self.has_samples:
            return None, None
        if self.fast_path and len(alleles) == 2:
            counts = biallelic_ad_counts(
                record, (self.tumor_idx, self.normal_idx), self.rule.vaf_key
            )
            if counts is not None:
                return counts[0], counts[1]
        values = record_format_values(record, self.first_keys)
        if not values:
            return None, None
        called = called_alt(record, self.tumor_idx, self.normal_idx) if len(alleles) > 2 else 1
        counts = [
            None if sample is None else sample_counts(values, sample, alleles, self.rule, called)
            for sample in (self.tumor_idx, self.normal_idx)
        ]
        return counts[0], counts[1]

    def _effects_per_alt(self, record, ref: str, alts: list[str]) -> list[list[Entry]]:
        raw = record.INFO.get(self.fmt.info_key)
        if not raw or raw == ".":  # CSQ=. is VCF's missing value, as no CSQ at all
            return [[] for _ in alts]
        try:
            effects = parse_entries(str(raw), self.fmt)
        except MalformedAnnotation as exc:
            raise InputError.one(
                str(self.path),
                str(exc),
                where=f"record {record.CHROM}:{record.POS}",
                column=f"INFO/{self.fmt.info_key}",
                hint="re-run the annotator, or fix the header Format to match the records",
            ) from None
        seen = self._seen_terms
        for effect in effects:
            if effect.terms not in seen:  # each distinct consequence list is checked once
                seen.add(effect.terms)
                self.unknown_terms.update(t for t in effect.terms if t not in rules.EFFECT_PRIORITY)
        return effects_by_allele(effects, ref, alts, self.fmt)

    def _annotation_row(self, entry: Entry | None, var_type: str, inframe: bool) -> tuple:
        if entry is None:
            return _NO_EFFECT
        biotype, hgvsc, hgvsp, position, amino_acids, exon, population_af = effect_details(
            entry, self.fmt
        )
        hgvsc = hgvsc.rpartition(":")[2]  # without its ENST...: prefix
        hgvsp = clean_hgvsp(hgvsp)
        consequence = entry.one_consequence
        short, splice_position = rules.hgvsp_short(hgvsp, hgvsc, consequence, position, amino_acids)
        if not short and self.fmt.kind == "eff" and amino_acids:
            short = f"p.{amino_acids}"  # legacy one-letter change such as "R136C"
        return (
            intern(entry.symbol) if entry.symbol else None,  # repeated strings stored once
            intern(entry.feature) if entry.feature else None,
            hgvsc or None,
            hgvsp or None,
            short or None,
            consequence,
            rules.variant_classification(consequence, var_type, inframe),
            exon or None,
            first_int(position) or splice_position,
            intern(biotype) if biotype else None,
            entry.canonical,
            population_af,
            _sorted_terms(entry.terms) or consequence,
        )


@lru_cache(maxsize=100_000)  # consequence lists repeat endlessly
def _sorted_terms(terms: tuple[str, ...]) -> str:
    return ",".join(sorted(terms, key=rules.effect_priority))
