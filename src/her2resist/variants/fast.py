"""Column-wise VCF reading: the common case of :func:`her2resist.variants.vcf.read_vcf`.

Data lines are read in chunks of CHUNK_RECORDS (streamed from the bgzip/plain file, or
fetched per region through the tabix index) and split into the columns the table needs; the
CSQ/ANN entries of each record are ranked and one is chosen as vcf2maf does; HGVSp_Short, read
counts and the MAF class are computed on whole columns. The result is the same table, value
for value and dtype for dtype, as the per-record reader in :mod:`.vcf`, which remains the
reference implementation.

Three steps have compiled forms, built by ``setup.py`` where a C compiler is available and
used when importable: splitting the lines (``_vcf_lines.c``), choosing the CSQ/ANN entry
(``_csq_choice.c``, which also shortens HGVSp) and parsing FORMAT read counts
(``_sample_counts.c``); the job log names any that are missing. Without them the
Python/numpy/pandas code below runs (``str.split``, a ``read_csv`` over the entries with
numpy ranking, ``read_csv`` + ``to_numeric``); tests compare both forms with the per-record
reader.

Anything outside the common case raises :class:`Fallback` and the caller re-reads the file
with the per-record reader: legacy SnpEff EFF, callers whose counts are not AD/DP(/AF/VD)
(Strelka, VarScan, SomaticSniper, ...), BCF input, multi-allelic records, AD with other than
two values, malformed annotations (the per-record reader produces the exact error), and any
parse problem. Only whole files fall back, so a record never gets mixed semantics.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib
import io
import itertools
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from . import rules
from .annotations import AnnotationFormat, _max_af, minimal_allele, vep_allele_strings
from .depths import CallerRule
from .schema import EXTRA_COLUMNS, VARIANT_COLUMNS


def _compiled(name: str):
    """The C extension ``name`` (built by setup.py), or None when it is not built, or was
    built from another version of its .c file (then run ``make setup``)."""
    try:
        module = importlib.import_module(f"{__package__}.{name}")
    except ImportError:
        return None
    source = Path(__file__).with_name(f"{name}.c")
    if source.is_file() and getattr(module, "SOURCE_DIGEST", None) != source_digest(source):
        return None
    return module


def source_digest(source: Path) -> str:
    """What setup.py records in an extension: the first 16 hex digits of its source's SHA-256."""
    return hashlib.sha256(source.read_bytes()).hexdigest()[:16]


# None: the Python/numpy/pandas form below runs
_vcf_lines = _compiled("_vcf_lines")
_csq_choice = _compiled("_csq_choice")
_sample_counts = _compiled("_sample_counts")


def uncompiled_steps() -> list[str]:
    """The steps running in Python/numpy because their C extension is missing or stale."""
    compiled = {
        "VCF line split": _vcf_lines,
        "CSQ/ANN choice": _csq_choice,
        "FORMAT counts": _sample_counts,
    }
    return [step for step, module in compiled.items() if module is None]


CHUNK_RECORDS = 10_000  # records per chunk: bounds memory (~10 kB per record in flight)
_ALL_COLUMNS = VARIANT_COLUMNS + EXTRA_COLUMNS
_FIRST_INT = re.compile(r"^(\d+)")
_SPLICE_TERMS = frozenset({"splice_acceptor_variant", "splice_donor_variant"})
_HGVSC_CDS_POS = re.compile(r"^c.(\d+)")
_SILENT_PROTEIN_POS = re.compile(r"^(\d+)(-\d+)?/\d+$")
_HGVSP_IN_HGVSC = re.compile(r"^.*\((p\.\S+)\)")


class Fallback(Exception):
    """This file needs the per-record reader (reason in the message)."""


# --------------------------------------------------------------------------- eligibility


def check_eligible(vcf, path: Path, fmt: AnnotationFormat | None, rule: CallerRule, caller: str,
                   has_samples: bool, regions, has_index: bool) -> None:  # fmt: skip
    """Raise Fallback unless the column-wise reader handles this file."""
    if fmt is not None and fmt.kind not in ("vep", "snpeff"):
        raise Fallback(f"annotation {fmt.kind}")
    if rule.vaf_percent or caller in ("strelka", "strelka2", "somaticsniper"):
        raise Fallback(f"caller {caller}")
    if _is_bcf(path):
        raise Fallback("BCF")
    if has_samples:
        declared = _format_types(vcf)
        if declared.get("AD") != "Integer":
            raise Fallback("FORMAT/AD absent or not Integer")
        wanted = {"DP": "Integer", rule.vaf_key: "Float", rule.alt_key: "Integer"}
        for key, kind in wanted.items():
            if key and key in declared and declared[key] != kind:
                raise Fallback(f"FORMAT/{key} is not {kind}")
    if regions and not has_index:
        try:
            vcf.get_header_type("END")
            raise Fallback("INFO/END with streamed regions")
        except KeyError:
            pass


def _format_types(vcf) -> dict[str, str]:
    types = {}
    for h in vcf.header_iter():
        if h.type == "FORMAT":
            info = h.info()
            types[info.get("ID")] = info.get("Type")
    return types


def _is_bcf(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(2)
    if head == b"\x1f\x8b":
        with gzip.open(path, "rb") as handle:
            return handle.read(3) == b"BCF"
    with path.open("rb") as handle:
        return handle.read(3) == b"BCF"


# --------------------------------------------------------------------------- text input


def _open_text(path: Path):
    with path.open("rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if compressed else path.open("rb")


_FIXED = {0: "CHROM", 1: "POS", 3: "REF", 4: "ALT", 6: "FILTER", 7: "INFO", 8: "FORMAT"}


def column_names(n_samples: int) -> dict[int, str]:
    """Column position -> name of the columns read (samples are S0, S1, ...)."""
    names = {i: n for i, n in _FIXED.items() if i < 8 or n_samples}
    names.update({9 + i: f"S{i}" for i in range(n_samples)})
    return names


def frame_from_lines(lines: list[str], n_samples: int) -> pd.DataFrame:
    """VCF data lines -> the columns of :func:`column_names` (POS as int64). Lines end at
    '\\n' only, as htslib reads them; a line with another number of columns (a blank one
    too) or a POS that is not ASCII digits raises Fallback: the per-record reader names it."""
    if _vcf_lines is not None:
        return _split_block(lines, n_samples, max_lines=-1)[0]
    rows = [line.rstrip("\r\n").split("\t") for line in lines]
    width = 9 + n_samples if n_samples else 8
    if any(len(row) < width or (n_samples and len(row) > width) for row in rows):
        raise Fallback("a data line with another number of columns than the header")
    columns = list(zip(*rows, strict=False)) if rows else [()] * width
    if not ("".join(columns[1]).isascii() and all(map(str.isdigit, columns[1]))):
        raise Fallback("POS is not a number")
    data = {name: np.array(columns[i], dtype=object) for i, name in column_names(n_samples).items()}
    try:
        data["POS"] = np.fromiter(map(int, columns[1]), np.int64, len(rows))
    except OverflowError:
        raise Fallback("POS is not a number") from None
    return pd.DataFrame(data)


def _split_block(
    block: bytes | bytearray | list[str],
    n_samples: int,
    start: int = 0,
    max_lines: int = -1,
    final: bool = True,
) -> tuple[pd.DataFrame, int]:
    """frame_from_lines in C (``_vcf_lines.split``), on lines (str) or on UTF-8 text from byte
    offset start (max_lines: -1 for all); returns where the next block starts too."""
    names = column_names(n_samples)
    wanted = [i for i in names if i != 1]
    try:
        columns, positions, end = _vcf_lines.split(
            block,
            9 + n_samples if n_samples else 8,
            wanted,
            exact=n_samples > 0,
            start=start,
            max_lines=max_lines,
            final=final,
        )
    except _vcf_lines.ParseError as exc:
        raise Fallback(str(exc)) from None
    text = dict(zip(wanted, columns, strict=True))
    data = {
        name: np.frombuffer(positions, np.int64)
        if i == 1
        else np.fromiter(text[i], object, len(text[i]))  # np.array(..., object) takes longer
        for i, name in names.items()
    }
    return pd.DataFrame(data), end


READ_BYTES = 1 << 18  # decompressed bytes per read (256k-1M: fastest; 4M: slower, more memory)


def _text_blocks(handle, n_samples: int) -> Iterator[pd.DataFrame]:
    """Chunks of CHUNK_RECORDS lines from reads of READ_BYTES, the incomplete last line of a
    block carried into the next one."""
    block, eof = bytearray(), False
    while True:
        count = block.count(b"\n")
        while count < CHUNK_RECORDS and not eof:
            piece = handle.read(READ_BYTES)
            eof = not piece
            block += piece
            count += piece.count(b"\n")
        if not block:
            return
        frame, end = _split_block(block, n_samples, 0, CHUNK_RECORDS, final=eof)
        del block[:end]
        yield frame


def streamed_chunks(path: Path, n_samples: int) -> Iterator[pd.DataFrame]:
    handle = _open_text(path)
    try:
        while True:  # position the handle after the #CHROM line
            line = handle.readline()
            if not line:
                return
            if line.startswith(b"#CHROM"):
                break
        if _vcf_lines is not None:
            yield from _text_blocks(handle, n_samples)
            return
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
        while lines := list(itertools.islice(text, CHUNK_RECORDS)):
            yield frame_from_lines(lines, n_samples)
    except (UnicodeDecodeError, EOFError, OSError, zlib.error) as exc:
        raise Fallback(f"read error: {exc}") from exc
    finally:
        handle.close()


def indexed_chunks(
    path: Path, n_samples: int, merged: dict[str, list[tuple[int, int]]], seqnames: list[str]
) -> Iterator[pd.DataFrame]:
    """Records overlapping the merged regions, through the index, each record once."""
    import pysam

    order = {name: i for i, name in enumerate(seqnames)}
    lines: list[str] = []
    floors: list[int] = []  # per line: POS must exceed this (previous region's end)

    def flush() -> pd.DataFrame:
        frame = frame_from_lines(lines, n_samples)
        keep = frame["POS"].to_numpy() > np.asarray(floors, dtype=np.int64)
        lines.clear()
        floors.clear()
        return frame[keep].reset_index(drop=True) if not keep.all() else frame

    try:
        with pysam.TabixFile(str(path)) as tabix:
            contigs = set(tabix.contigs)
            for chrom in sorted(merged, key=lambda c: order.get(c, len(order))):
                if chrom not in order:
                    continue
                if chrom not in contigs:
                    continue
                previous_end = 0
                for start, end in merged[chrom]:
                    records = tabix.fetch(chrom, start - 1, end)
                    while batch := list(itertools.islice(records, CHUNK_RECORDS - len(lines))):
                        lines.extend(batch)
                        floors.extend([previous_end] * len(batch))
                        if len(lines) >= CHUNK_RECORDS:  # within a region too: flat memory
                            yield flush()
                    previous_end = end
            if lines:
                yield flush()
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        raise Fallback(f"indexed read error: {exc}") from exc


def filter_streamed(frame: pd.DataFrame, merged: dict[str, list[tuple[int, int]]]) -> pd.DataFrame:
    """Records overlapping a region (record end from the REF length), without an index."""
    keep = np.zeros(len(frame), dtype=bool)
    chrom = frame["CHROM"].to_numpy()
    start0 = frame["POS"].to_numpy() - 1
    end = start0 + frame["REF"].str.len().to_numpy()
    for name, intervals in merged.items():
        on = chrom == name
        if not on.any():
            continue
        starts = np.array([s for s, _ in intervals], dtype=np.int64)
        ends = np.array([e for _, e in intervals], dtype=np.int64)
        i = np.searchsorted(ends, start0[on] + 1, side="left")
        ok = i < len(intervals)
        hit = np.zeros(on.sum(), dtype=bool)
        hit[ok] = starts[i[ok]] <= end[on][ok]
        keep[np.flatnonzero(on)[hit]] = True
    return frame[keep].reset_index(drop=True)


# --------------------------------------------------------------------------- conversion


class ChunkConverter:
    """Turns chunks of VCF text columns into the variant table's columns."""

    def __init__(self, *, sample_id, caller, fmt, rule, tumor_idx, normal_idx, custom_isoforms):
        self.sample_id = sample_id
        self.caller = caller
        self.fmt = fmt
        self.rule = rule
        self.tumor_idx = tumor_idx
        self.normal_idx = normal_idx
        self.custom_isoforms = custom_isoforms
        self.skipped_symbolic = 0
        self.skipped_no_alt = 0
        self._summary: dict[str, tuple[str, int, str]] = {}
        self._biotype_priority: dict[str, int] = {}
        if fmt is not None:
            self._entry_columns = self._plan_entry_columns(fmt)

    # ----------------------------------------------------------------- helpers

    def warnings(self) -> list[str]:
        unknown = set()
        for consequence in self._summary:  # every consequence string seen
            unknown.update(
                t for t in consequence.split("&") if t and t not in rules.EFFECT_PRIORITY
            )
        if not unknown:
            return []
        terms = ", ".join(sorted(unknown))
        return [f"consequence terms not in vcf2maf's priority table (ranked last): {terms}"]

    @staticmethod
    def _plan_entry_columns(fmt: AnnotationFormat) -> dict[str, int]:
        slots = ("allele", "allele_num", "consequence", "symbol", "feature", "biotype")
        slots += ("canonical", "cdna_position", "hgvsc", "hgvsp", "protein_position")
        slots += ("amino_acids", "exon")
        plan = {slot: fmt.index[slot] for slot in slots if slot in fmt.index}
        for k, i in enumerate(fmt.af_indices):
            plan[f"af{k}"] = i
        return plan

    def _consequence_summary(self, consequence: str) -> tuple[str, int, str]:
        summary = self._summary.get(consequence)
        if summary is None:
            terms = tuple(t for t in consequence.split("&") if t)
            worst = rules.most_severe(list(terms))
            ordered = ",".join(sorted(terms, key=rules.effect_priority)) or worst
            summary = (worst, rules.effect_priority(worst), ordered)
            self._summary[consequence] = summary
        return summary

    # ----------------------------------------------------------------- main

    def convert(self, frame: pd.DataFrame) -> dict[str, object]:
        """One chunk of records -> the table's columns (arrays), symbolic ALTs removed."""
        alt = frame["ALT"]
        has_alt = (alt != ".").to_numpy() & (alt != "").to_numpy()
        n_no_alt = int((~has_alt).sum())
        if n_no_alt:
            self.skipped_no_alt += n_no_alt
            frame = frame[has_alt].reset_index(drop=True)
            alt = frame["ALT"]
        if any("," in a for a in alt.to_numpy(dtype=object)):
            raise Fallback("multi-allelic record")
        n = len(frame)
        chrom = frame["CHROM"].to_numpy(dtype=object, copy=True)  # no view into the chunk
        pos = frame["POS"].to_numpy(dtype=np.int64)
        ref = frame["REF"].to_numpy(dtype=object, copy=True)
        alts = alt.to_numpy(dtype=object, copy=True)
        filters = frame["FILTER"].to_numpy(dtype=object, copy=True)
        if (filters == "").any():
            raise Fallback("empty FILTER")

        counts = self._counts(frame) if self._has_samples else None
        annotation = self._annotation(frame) if self.fmt is not None else None

        symbolic = np.fromiter(map(_is_symbolic, alts), dtype=bool, count=n)
        n_symbolic = int(symbolic.sum())
        self.skipped_symbolic += n_symbolic
        keep = ~symbolic

        var_type, inframe, maf_start = _variant_types(ref, alts, pos)
        out: dict[str, object] = {
            "sample_id": np.full(n, self.sample_id, dtype=object),
            "chrom": chrom,
            "pos": pos,
            "ref": ref,
            "alt": alts,
            "filter": filters,
            "caller": np.full(n, self.caller, dtype=object),
            "variant_type": var_type,
            "maf_start": pd.arrays.IntegerArray(maf_start, np.zeros(n, dtype=bool)),
        }
        if annotation is None:
            for name in ("gene", "transcript", "hgvsc", "hgvsp", "hgvsp_short", "consequence",
                         "variant_class", "exon", "biotype", "all_consequences"):  # fmt: skip
                out[name] = np.full(n, None, dtype=object)
            out["protein_position"] = _int_array(np.zeros(n), np.ones(n, dtype=bool))
            out["canonical"] = np.zeros(n, dtype=bool)
            out["population_af"] = np.full(n, np.nan)
        else:
            out.update(annotation)
            out["variant_class"] = _classes(out["consequence"], var_type, inframe)
        for prefix, idx in (("", self.tumor_idx), ("normal_", self.normal_idx)):
            if counts is not None and idx is not None:
                depth, alt_reads, vaf = counts[idx]
            else:
                depth = alt_reads = _int_array(np.zeros(n), np.ones(n, dtype=bool))
                vaf = np.full(n, np.nan)
            out[f"{prefix}depth"] = depth
            out[f"{prefix}alt_reads"] = alt_reads
            out[f"{prefix}vaf"] = vaf
        if n_symbolic:
            return {c: out[c][keep] for c in _ALL_COLUMNS}
        return {c: out[c] for c in _ALL_COLUMNS}

    @property
    def _has_samples(self) -> bool:
        return self.tumor_idx is not None or self.normal_idx is not None

    # ----------------------------------------------------------------- read counts

    def _counts(self, frame: pd.DataFrame) -> dict[int, tuple]:
        n = len(frame)
        out = {}
        for i, numbers in self._sample_numbers(frame).items():
            ref_reads, alt_reads, depth = numbers["ref"], numbers["alt"], numbers["DP"]
            if self.rule.alt_key:
                override = numbers[self.rule.alt_key]
                override[override < 0] = np.nan
                alt_reads = np.where(np.isnan(override), alt_reads, override)
            ref_reads[ref_reads < 0] = np.nan
            alt_reads[alt_reads < 0] = np.nan
            depth[depth < 0] = np.nan
            total = np.nan_to_num(ref_reads) + np.nan_to_num(alt_reads)
            with np.errstate(invalid="ignore"):
                over = ~np.isnan(depth) & (
                    (ref_reads > depth) | (alt_reads > depth) | (ref_reads + alt_reads > depth)
                )
            depth = np.where(over, total, depth)
            fill = np.isnan(depth) & ~np.isnan(ref_reads) & ~np.isnan(alt_reads)
            depth = np.where(fill, total, depth)
            if self.rule.vaf_key:
                # htslib stores VCF floats as float32
                vaf = numbers[self.rule.vaf_key].astype(np.float32).astype(np.float64)
                with np.errstate(invalid="ignore"):
                    vaf[~(vaf >= 0)] = np.nan
            else:
                vaf = np.full(n, np.nan)
            compute = np.isnan(vaf) & ~np.isnan(alt_reads) & ~np.isnan(depth) & (depth != 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                vaf = np.where(compute, alt_reads / depth, vaf)
            out[i] = (_nan_int(depth), _nan_int(alt_reads), vaf)
        return out

    def _sample_numbers(self, frame: pd.DataFrame) -> dict[int, dict[str, np.ndarray]]:
        """Wanted sample -> its AD's "ref" and "alt" reads and each count key's value as floats
        (NaN: missing). Fallback unless every FORMAT has AD and every sample's AD is REF,ALT."""
        samples = [c for c in frame.columns if c.startswith("S") and c[1:].isdigit()]
        wanted = list(dict.fromkeys(i for i in (self.tumor_idx, self.normal_idx) if i is not None))
        pairs = (("DP", True), (self.rule.vaf_key, False), (self.rule.alt_key, True))
        keys = {k: integer for k, integer in pairs if k}  # FORMAT key -> Integer (else Float)
        if _sample_counts is None:
            return self._sample_numbers_pandas(frame, samples, wanted, keys)
        out = np.empty((len(wanted), 2 + len(keys), len(frame)))
        try:
            _sample_counts.parse(
                frame["FORMAT"].to_numpy(dtype=object).tolist(),
                [frame[s].to_numpy(dtype=object).tolist() for s in samples],
                [samples.index(f"S{i}") for i in wanted],
                list(keys),
                list(keys.values()),
                out,
            )
        except _sample_counts.ParseError as exc:
            raise Fallback(f"sample fields: {exc}") from exc
        names = ["ref", "alt", *keys]
        return {i: dict(zip(names, out[j], strict=True)) for j, i in enumerate(wanted)}

    @staticmethod
    def _sample_numbers_pandas(
        frame: pd.DataFrame, samples: list[str], wanted: list[int], keys: dict[str, bool]
    ) -> dict[int, dict[str, np.ndarray]]:
        n = len(frame)
        fields: dict[int, dict[str, np.ndarray]] = {
            i: {k: np.full(n, ".", dtype=object) for k in ["AD", *keys]} for i in wanted
        }
        codes, uniques = pd.factorize(frame["FORMAT"])
        for code, layout in enumerate(uniques):
            rows = np.flatnonzero(codes == code) if len(uniques) > 1 else slice(None)
            names = layout.split(":")
            if "AD" not in names or len(set(names)) != len(names):
                raise Fallback("record without FORMAT/AD")
            for s_name in samples:
                s_index = int(s_name[1:])
                needed = ["AD"] + ([k for k in keys if k in names] if s_index in fields else [])
                values = frame[s_name].to_numpy(dtype=object)[rows]
                parts = _parse_text(values, ":", names, needed)
                # every sample's AD decides the record's AD shape (htslib pads to the longest)
                ad = parts["AD"]
                if not all(v == "." or v.count(",") == 1 for v in ad):
                    raise Fallback("AD with other than REF+ALT values")
                if s_index in fields:
                    for key in needed:
                        fields[s_index][key][rows] = parts[key]
        out = {}
        for i in wanted:
            f = fields[i]
            pair = _parse_text(f["AD"], ",", ["r", "a"], ["r", "a"])
            numbers = {"ref": _numbers(pair["r"]), "alt": _numbers(pair["a"])}
            out[i] = numbers | {k: _numbers(f[k], integer) for k, integer in keys.items()}
        return out

    # ----------------------------------------------------------------- annotation

    def _annotation(self, frame: pd.DataFrame) -> dict[str, object]:
        if _csq_choice is not None:
            return self._compiled_annotation(frame)
        fmt = self.fmt
        n = len(frame)
        raw = _info_value(frame["INFO"], fmt.info_key)
        has = np.fromiter((isinstance(t, str) and t != "" and t != "." for t in raw), bool, n)
        records = np.flatnonzero(has)
        chosen_idx = np.full(n, -1, dtype=np.int64)
        if len(records) == 0:
            return self._annotation_columns(None, chosen_idx, n)
        texts = raw[records]
        joined = "\n".join(texts)
        n_entries = _entry_counts(joined, len(texts), fmt.n_fields)
        joined = joined.replace(",", "\n")
        plan = self._entry_columns
        usecols = sorted(set(plan.values()))
        try:
            entries = pd.read_csv(
                io.BytesIO(joined.encode()),
                sep="|",
                header=None,
                names=list(range(fmt.n_fields)),
                usecols=usecols,
                dtype=object,
                na_filter=False,
                quoting=csv.QUOTE_NONE,
                engine="c",
                skip_blank_lines=False,
            )
        except (pd.errors.ParserError, ValueError) as exc:
            raise Fallback(f"annotation parse error: {exc}") from exc
        if len(entries) != int(n_entries.sum()):
            raise Fallback("annotation entry count mismatch")
        rec = np.repeat(records, n_entries)

        def col(slot: str) -> np.ndarray:
            if slot in plan:
                return entries[plan[slot]].to_numpy(dtype=object)
            return np.full(len(entries), "", dtype=object)

        consequence = col("consequence")
        codes, uniques = pd.factorize(consequence)
        summaries = [self._consequence_summary(c) for c in uniques]
        worst_u = np.array([s[0] for s in summaries], dtype=object)
        prio_u = np.array([s[1] for s in summaries], dtype=np.int64)
        ordered_u = np.array([s[2] for s in summaries], dtype=object)
        eff_pri = prio_u[codes]
        biotype = col("biotype")
        b_codes, b_uniques = pd.factorize(biotype)
        bio_pri = (
            np.array([rules.biotype_priority(b) for b in b_uniques], dtype=np.int64)[b_codes]
            if len(b_uniques)
            else np.zeros(0, dtype=np.int64)
        )
        neg_len = np.fromiter(
            (-int(t) if t.isdigit() else 0 for t in
             (c.rpartition("/")[2] for c in col("cdna_position"))),
            np.int64,
            len(entries),
        )  # fmt: skip

        # ---- which entries belong to the (single) ALT: effects_by_allele
        allele_num = np.full(len(entries), -1, dtype=np.int64)
        if "allele_num" in plan:
            allele_num = np.fromiter(
                (int(t) if t.isdigit() else -1 for t in col("allele_num")), np.int64, len(entries)
            )
        is_num = allele_num >= 0
        kept = ~is_num | (allele_num == 1)
        if fmt.has_allele:
            allele = col("allele")
            kept = self._match_alleles(frame, rec, allele, kept, allele_num, fmt)
        sel = np.flatnonzero(kept)

        # ---- choose_effect: rank, then the gene / custom / canonical tiers
        r_rec = rec[sel]
        order = np.lexsort((sel, neg_len[sel], eff_pri[sel], bio_pri[sel], r_rec))
        ranked = sel[order]
        rank_pos = np.empty(len(ranked), dtype=np.int64)
        rank_pos[:] = np.arange(len(ranked))
        ranked_rec = rec[ranked]
        symbol = col("symbol")
        feature = col("feature")
        canonical = col("canonical") == "YES"
        ranked_symbol = symbol[ranked]
        has_symbol = ranked_symbol != ""
        gene_of = pd.Series(ranked_symbol[has_symbol], index=ranked_rec[has_symbol])
        gene_of = gene_of[~gene_of.index.duplicated(keep="first")]
        gene = pd.Series(ranked_rec).map(gene_of).to_numpy(dtype=object)
        same_gene = has_symbol & (ranked_symbol == gene)
        if self.custom_isoforms:
            feats = pd.Series(feature[ranked], dtype=object)
            custom = (feats != "") & (
                feats.isin(self.custom_isoforms)
                | feats.str.split(".", n=1).str[0].isin(self.custom_isoforms)
            )
            custom = custom.to_numpy(dtype=bool)
        else:
            custom = np.zeros(len(ranked), dtype=bool)
        canon = canonical[ranked]
        tier = np.full(len(ranked), 5, dtype=np.int64)
        tier[has_symbol & canon] = 4
        tier[has_symbol & custom] = 3
        tier[same_gene & canon] = 2
        tier[same_gene & custom] = 1
        best = np.lexsort((rank_pos, tier, ranked_rec))
        best_rec = ranked_rec[best]
        first = np.ones(len(best), dtype=bool)
        first[1:] = best_rec[1:] != best_rec[:-1]
        chosen_idx[best_rec[first]] = ranked[best][first]

        detail = {
            "symbol": symbol,
            "feature": feature,
            "biotype": biotype,
            "canonical": canonical,
            "worst": worst_u[codes],
            "consequence": consequence,
            "ordered": ordered_u[codes],
            "hgvsc": col("hgvsc"),
            "hgvsp": col("hgvsp"),
            "protein_position": col("protein_position"),
            "amino_acids": col("amino_acids"),
            "exon": col("exon"),
            "af": [col(f"af{k}") for k in range(len(fmt.af_indices))],
        }
        return self._annotation_columns(detail, chosen_idx, n)

    def _compiled_annotation(self, frame: pd.DataFrame) -> dict[str, object]:
        """The choice above, per record in C: only the chosen entry becomes Python strings."""
        fmt = self.fmt
        refs = frame["REF"].to_numpy(dtype=object)
        alts = frame["ALT"].to_numpy(dtype=object)

        def allele_keys(r: int) -> set[str]:  # effects_by_allele's names for this ALT
            keys = {minimal_allele(refs[r], alts[r]), alts[r]}
            if fmt.kind == "vep":
                keys.update(vep_allele_strings(refs[r], [alts[r]]))
            return keys

        slots = tuple(fmt.index.get(s, -1) for s in _DETAIL_SLOTS) + tuple(fmt.af_indices)
        try:
            rows, columns, worst, ordered = _csq_choice.choose(
                frame["INFO"].tolist(),
                fmt.info_key,
                fmt.n_fields,
                slots,
                tuple(fmt.index.get(role, -1) for role in _CHOICE_ROLES),
                self._summary,
                self._consequence_summary,
                self._biotype_priority,
                rules.biotype_priority,
                self.custom_isoforms or None,
                allele_keys,
            )
        except ValueError as exc:
            raise Fallback(f"annotation: {exc}") from exc
        chosen_idx = np.full(len(frame), -1, dtype=np.int64)
        chosen_idx[rows] = np.arange(len(rows))
        detail = {
            s: np.array(c, dtype=object) for s, c in zip(_DETAIL_SLOTS, columns, strict=False)
        }
        detail["worst"] = np.array(worst, dtype=object)
        detail["ordered"] = np.array(ordered, dtype=object)
        detail["canonical"] = detail["canonical"] == "YES"
        detail["af"] = [np.array(c, dtype=object) for c in columns[len(_DETAIL_SLOTS) :]]
        return self._annotation_columns(detail, chosen_idx, len(frame))

    def _match_alleles(self, frame, rec, allele, kept, allele_num, fmt) -> np.ndarray:
        """effects_by_allele for biallelic records, on whole columns."""
        kept_idx = np.flatnonzero(kept)
        if len(kept_idx) == 0:
            return kept
        k_rec = rec[kept_idx]
        k_allele = allele[kept_idx]
        starts = np.ones(len(kept_idx), dtype=bool)
        starts[1:] = k_rec[1:] != k_rec[:-1]
        group = np.cumsum(starts) - 1
        first_allele = k_allele[starts][group]
        differs = k_allele != first_allele
        if not differs.any():
            return kept
        mixed_recs = np.unique(k_rec[differs])
        refs = frame["REF"].to_numpy(dtype=object)
        alts = frame["ALT"].to_numpy(dtype=object)
        result = kept.copy()
        lo = np.searchsorted(rec, mixed_recs, side="left")
        hi = np.searchsorted(rec, mixed_recs, side="right")
        for r, a, b in zip(mixed_recs.tolist(), lo.tolist(), hi.tolist(), strict=True):
            idx = a + np.flatnonzero(kept[a:b])
            ref_, alt_ = refs[r], alts[r]
            keys = {minimal_allele(ref_, alt_), alt_}
            if fmt.kind == "vep":
                keys.update(vep_allele_strings(ref_, [alt_]))
            match = (allele_num[idx] == 1) | np.array([a in keys for a in allele[idx]])
            if match.any():
                result[idx] = match
        return result

    def _annotation_columns(self, d, chosen_idx: np.ndarray, n: int) -> dict[str, object]:
        none = np.full(n, None, dtype=object)
        has = chosen_idx >= 0
        out: dict[str, object] = {}
        if d is None or not has.any():
            for name in ("gene", "transcript", "hgvsc", "hgvsp", "hgvsp_short", "consequence",
                         "exon", "biotype", "all_consequences"):  # fmt: skip
                out[name] = none.copy()
            out["protein_position"] = _int_array(np.zeros(n), np.ones(n, dtype=bool))
            out["canonical"] = np.zeros(n, dtype=bool)
            out["population_af"] = np.full(n, np.nan)
            return out
        rows = np.flatnonzero(has)
        idx = chosen_idx[rows]

        def put(values: np.ndarray, empty_is_none: bool = True) -> np.ndarray:
            column = none.copy()
            if empty_is_none:
                values = values.copy()
                values[values == ""] = None
            column[rows] = values
            return column

        worst = d["worst"][idx]
        hgvsc = _strip_prefix(d["hgvsc"][idx])
        hgvsp = _strip_prefix(d["hgvsp"][idx])
        c_form = np.array([h.startswith("c.") for h in hgvsp], dtype=bool)
        if c_form.any():
            hgvsp[c_form] = [_HGVSP_IN_HGVSC.sub(r"\1", h) for h in hgvsp[c_form]]
        protein_position = d["protein_position"][idx]
        amino_acids = d["amino_acids"][idx]
        short, splice_pos = _hgvsp_short(hgvsp, hgvsc, worst, protein_position, amino_acids)
        exon = d["exon"][idx]
        if self.fmt.kind == "snpeff":
            intronic = np.array(
                ["intron_variant" in c.split("&") for c in d["consequence"][idx]], dtype=bool
            )
            exon = exon.copy()
            exon[intronic] = ""
        ppos = _first_ints(protein_position)
        ppos = np.where(np.isnan(ppos) | (ppos == 0), splice_pos, ppos)  # `first_int(...) or`
        out["gene"] = put(d["symbol"][idx])
        out["transcript"] = put(d["feature"][idx])
        out["hgvsc"] = put(hgvsc)
        out["hgvsp"] = put(hgvsp)
        out["hgvsp_short"] = put(short)
        out["consequence"] = put(worst, empty_is_none=False)
        out["exon"] = put(exon)
        full_ppos = np.full(n, np.nan)
        full_ppos[rows] = ppos
        out["protein_position"] = _nan_int(full_ppos)
        out["biotype"] = put(d["biotype"][idx])
        canonical = np.zeros(n, dtype=bool)
        canonical[rows] = d["canonical"][idx]
        out["canonical"] = canonical
        population_af = np.full(n, np.nan)
        if d["af"]:
            af_fields = [a[idx] for a in d["af"]]
            nonempty = np.zeros(len(idx), dtype=bool)
            for a in af_fields:
                nonempty |= a != ""
            indices = tuple(range(len(af_fields)))
            for j in np.flatnonzero(nonempty):
                value = _max_af([a[j] for a in af_fields], indices)
                if value is not None:
                    population_af[rows[j]] = value
        out["population_af"] = population_af
        out["all_consequences"] = put(d["ordered"][idx], empty_is_none=False)
        return out


def assemble(pieces: list[dict[str, object]]) -> pd.DataFrame:
    """Chunk columns -> one DataFrame, one column at a time (no whole-table copy)."""
    data = {}
    for name in _ALL_COLUMNS:
        parts = [piece.pop(name) for piece in pieces]
        if isinstance(parts[0], pd.arrays.IntegerArray):
            data[name] = pd.arrays.IntegerArray._concat_same_type(parts)
        else:
            data[name] = np.concatenate(parts)
        del parts
    return pd.DataFrame(data, columns=_ALL_COLUMNS)


# CSQ/ANN fields of the chosen entry that _annotation_columns reads, and the fields the
# compiled choice ranks by (its argument order)
_DETAIL_SLOTS = ("symbol", "feature", "biotype", "canonical", "consequence", "hgvsc", "hgvsp")
_DETAIL_SLOTS += ("protein_position", "amino_acids", "exon")
_CHOICE_ROLES = ("consequence", "biotype", "cdna_position", "allele_num", "allele", "symbol")
_CHOICE_ROLES += ("feature", "canonical")


# --------------------------------------------------------------------------- column helpers


def _info_value(info: pd.Series, key: str) -> np.ndarray:
    """The value of INFO/key per record (None when absent)."""
    prefix = key + "="
    width = len(prefix)
    pattern = re.compile(rf"(?:^|;){re.escape(key)}=([^;]*)")

    def value(text: str) -> str | None:
        if text.startswith(prefix) and ";" not in text:
            return text[width:]
        match = pattern.search(text)
        return match.group(1) if match else None

    return np.array([value(t) for t in info.to_numpy(dtype=object)], dtype=object)


def _entry_counts(joined: str, n_records: int, n_fields: int) -> np.ndarray:
    """Entries per record of '\n'-joined CSQ/ANN values; Fallback unless every entry has
    exactly ``n_fields`` '|'-separated fields (the per-record reader then names the record)."""
    buf = np.frombuffer(joined.encode(), dtype=np.uint8)
    is_newline = buf == 10
    is_comma = buf == 44
    commas = np.flatnonzero(is_comma)
    ends = np.append(np.flatnonzero(is_newline), len(buf))
    n_entries = np.diff(np.searchsorted(commas, ends), prepend=0) + 1
    boundaries = np.append(np.flatnonzero(is_newline | is_comma), len(buf))
    del is_newline, is_comma
    pipes = np.flatnonzero(buf == 124)
    per_entry = np.diff(np.searchsorted(pipes, boundaries), prepend=0)
    if len(n_entries) != n_records or (per_entry != n_fields - 1).any():
        raise Fallback("annotation field count differs from the header")
    return n_entries


def _is_symbolic(alt: str) -> bool:  # same rule as vcf._is_symbolic
    return alt == "*" or alt.startswith("<") or "[" in alt or "]" in alt or "." in alt


def _strip_prefix(values: np.ndarray) -> np.ndarray:
    return np.array([v.rpartition(":")[2] for v in values], dtype=object)


def _hgvsp_short(hgvsp, hgvsc, worst, protein_position, amino_acids):
    if _csq_choice is not None:
        short = np.array(_csq_choice.one_letter(hgvsp.tolist(), rules.AA3_TO_1), dtype=object)
    else:
        short = np.array([rules.shorten_hgvsp(h) for h in hgvsp], dtype=object)
    splice_pos = np.full(len(hgvsp), np.nan)
    for j in np.flatnonzero(np.isin(worst, list(_SPLICE_TERMS))):
        match = _HGVSC_CDS_POS.match(hgvsc[j])
        if match:
            c_pos = max(int(match.group(1)), 1)
            splice_pos[j] = round((c_pos + c_pos % 3) / 3)
            short[j] = f"p.X{int(splice_pos[j])}_splice"
    for j in np.flatnonzero(short == "p.="):
        match = _SILENT_PROTEIN_POS.match(protein_position[j])
        short[j] = f"p.{amino_acids[j]}{match.group(1) if match else ''}="
    return short, splice_pos


def _first_ints(values: np.ndarray) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for j, v in enumerate(values):
        if v:
            if v.isdigit():
                out[j] = int(v)
            else:
                match = _FIRST_INT.match(v)
                if match:
                    out[j] = int(match.group(1))
    return out


def _classes(consequence: np.ndarray, var_type: np.ndarray, inframe: np.ndarray) -> np.ndarray:
    c_codes, c_uniques = pd.factorize(consequence, use_na_sentinel=True)
    t_codes, t_uniques = pd.factorize(var_type)
    key = (c_codes + 1) * (2 * len(t_uniques)) + t_codes * 2 + inframe.astype(np.int64)
    keys, inverse = np.unique(key, return_inverse=True)
    table = []
    for k in keys.tolist():
        c, rest = divmod(k, 2 * len(t_uniques))
        t, f = divmod(rest, 2)
        term = None if c == 0 else c_uniques[c - 1]
        table.append(rules.variant_classification(term, t_uniques[t], bool(f)))
    return np.array(table, dtype=object)[inverse.reshape(-1)]


def _variant_types(ref: np.ndarray, alt: np.ndarray, pos: np.ndarray):
    n = len(ref)
    var_type = np.full(n, "SNP", dtype=object)
    inframe = np.zeros(n, dtype=bool)
    maf_start = pos.copy()
    ref_len = np.fromiter(map(len, ref), np.int64, n)
    alt_len = np.fromiter(map(len, alt), np.int64, n)
    for j in np.flatnonzero((ref_len != 1) | (alt_len != 1)):
        r, a = ref[j], alt[j]
        vt, fr, trimmed = rules.variant_type(r, a)
        var_type[j] = vt
        inframe[j] = fr
        maf_start[j] = pos[j] + trimmed - (1 if vt == "INS" and trimmed == len(r) else 0)
    return var_type, inframe, maf_start


def _parse_text(values: np.ndarray, sep: str, names: list[str], needed: list[str]) -> dict:
    """Split each string on ``sep`` with pandas' C parser; missing trailing fields -> '.'."""
    if len(values) == 0:
        return {name: np.empty(0, dtype=object) for name in needed}
    positions = sorted({names.index(k) for k in needed})
    try:
        table = pd.read_csv(
            io.BytesIO("\n".join(values).encode()),
            sep=sep,
            header=None,
            names=list(range(len(names))),
            usecols=positions,
            index_col=False,
            dtype=object,
            na_filter=True,
            na_values=[],
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise Fallback(f"sample field parse error: {exc}") from exc
    if len(table) != len(values):
        raise Fallback("sample field line count")
    out = {}
    for key in needed:
        values = table[names.index(key)].fillna(".").to_numpy(dtype=object)
        values[values == ""] = "."  # a field missing at the end of the sample column
        out[key] = values
    return out


def _numbers(values: np.ndarray, integer: bool = True) -> np.ndarray:
    """VCF numbers -> float array; '.' and '' are NaN, anything else falls back."""
    values = np.asarray(values, dtype=object)
    missing = (values == ".") | (values == "")
    if missing.all():
        return np.full(len(values), np.nan)
    text = values.copy()
    text[missing] = np.nan
    try:
        numbers = pd.to_numeric(text, errors="raise")
    except (ValueError, TypeError) as exc:
        raise Fallback(f"not a number: {exc}") from exc
    numbers = np.asarray(numbers, dtype=np.float64)
    if integer and not np.array_equal(numbers[~missing], np.floor(numbers[~missing])):
        raise Fallback("non-integer count")
    return numbers


def _nan_int(values: np.ndarray) -> pd.arrays.IntegerArray:
    mask = np.isnan(values)
    return _int_array(np.where(mask, 0, values), mask)


def _int_array(values: np.ndarray, mask: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), mask)
