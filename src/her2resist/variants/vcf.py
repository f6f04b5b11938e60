"""VCF -> variant table: one row per (ALT allele, chosen transcript); nothing is filtered.

htslib reads the file: ``bcftools query`` decompresses and parses every record (and is the
judge of what a record holds) and prints the fields the table needs as text, and the rows
are converted here column-wise (polars), a block of text at a time: the annotation entries
ranked and one chosen per ALT as vcf2maf does (annotations.py), the read counts by the
caller's conventions (depths.py).
"""

from __future__ import annotations

import io
import queue
import re
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from itertools import chain
from os import PathLike
from pathlib import Path
from typing import TypeVar

import polars as pl

from her2resist.errors import InputError

from . import rules
from .annotations import (
    SUPPORTED_ANNOTATORS,
    AnnotationFormat,
    chosen_effects,
    format_from_header,
    ranked_entries,
)
from .bcftools import bcftools, check_query
from .depths import COUNT_KEYS, caller_rule, detect_caller, read_counts
from .header import ANNOTATION_KEYS, VcfHeader, header_value, read_header
from .schema import ALL_COLUMNS

Region = tuple[str, int, int]
T = TypeVar("T")

# text converted at once, so memory does not grow with the file; two blocks at once. Each
# block costs ~10 ms of fixed polars work, so blocks are as large as 300 MB peak RSS allows
# (10,000 lines of 700 bytes: 270 MB on 1M records; 12,500 lines: 305 MB)
_BLOCK_BYTES = 8 << 20
_BLOCK_LINES = 10_000
_READ_BYTES = 1 << 18  # from the pipe at a time
_WORKERS = 2
_FIXED = ["chrom", "pos", "ref", "alts", "filter"]
_FLOATS = ("vaf", "population_af", "normal_vaf")
_SYMBOLIC = r"^\*$|^<|[\[\].]"  # the same rule as a Python and a polars regex


def write_vcf_table(path: str | PathLike[str], out: str | PathLike[str], **options) -> dict:
    """Write ``frame.read_vcf``'s table (same ``options``) to a TSV chunk by chunk, so memory
    does not grow with the file; returns ``read_vcf``'s ``df.attrs`` plus ``rows``. Values
    are written as ``tables.write_tsv`` writes the frame (floats as ``%.10g``)."""
    attrs: dict = {}
    chunks = table_chunks(attrs, path, finish=_as_tsv, **options)
    first = next(chunks)  # a header problem stops here, before the output file is created
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    attrs["rows"] = 0
    with out.open("wb") as handle:
        handle.write(("\t".join(ALL_COLUMNS) + "\n").encode())
        for rows, text in chain([first], chunks):
            handle.write(text)
            attrs["rows"] += rows
    return attrs


def _as_tsv(chunk: pl.DataFrame) -> tuple[int, bytes]:
    """The chunk's row count and TSV lines as ``tables.write_tsv`` writes the frame: floats
    as ``%.10g``, booleans as ``True``/``False`` (distinct floats are few: each is formatted
    once). Done in the conversion threads, so that writing the file is all that is serial."""
    columns = {}
    for name in _FLOATS:
        values = chunk[name].drop_nulls().unique().to_list()
        text = chunk[name].replace_strict(
            {v: f"{v:.10g}" for v in values}, default=None, return_dtype=pl.String
        )
        negative_zero = (chunk[name] == 0) & ((1 / chunk[name]) < 0)  # equal to 0 as a key
        columns[name] = pl.select(
            pl.when(negative_zero).then(pl.lit("-0")).otherwise(text)
        ).to_series()
    canonical = pl.when(pl.col("canonical")).then(pl.lit("True")).otherwise(pl.lit("False"))
    text = io.BytesIO()
    chunk.with_columns(canonical=canonical, **columns).write_csv(
        text, separator="\t", include_header=False, null_value="NA", quote_style="necessary"
    )
    return chunk.height, text.getvalue()


def table_chunks(
    attrs: dict,
    path: str | PathLike[str],
    sample_id: str,
    finish: Callable[[pl.DataFrame], T],
    *,
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    regions: list[Region] | None = None,
    custom_isoforms: Iterable[str] | None = None,
) -> Iterator[T]:
    """``finish`` of the table's rows a block at a time (at least one block, possibly
    empty), in the conversion threads; fills ``attrs`` when done."""
    path = Path(path)
    if annotation not in (*ANNOTATION_KEYS, "none"):
        raise ValueError(
            f"annotation must be 'auto', 'vep', 'snpeff' or 'none', not {annotation!r}"
        )
    header = read_header(path)
    reader = _Reader(header, path, sample_id, annotation, tumor, normal, custom_isoforms)
    seqnames = list(header.declared("contig")) if regions is not None else []
    merged = _merge_regions(_match_contigs(regions, seqnames)) if regions is not None else None
    yielded = False
    for finished in reader.frames(merged, seqnames, finish):
        yielded = True
        yield finished
    if not yielded:
        yield finish(reader.convert(b""))
    attrs.update(reader.summary())


def _match_contigs(regions: list[Region], seqnames: list[str]) -> list[Region]:
    """Regions named as the VCF names its contigs (``chr17`` vs ``17``)."""
    known = set(seqnames)

    def name(chrom: str) -> str:
        if chrom in known:
            return chrom
        other = chrom[3:] if chrom.startswith("chr") else f"chr{chrom}"
        return other if other in known else chrom

    return [(name(chrom), start, end) for chrom, start, end in regions]


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


# --------------------------------------------------------------------------- header


def _annotation_format(header: VcfHeader, path: Path, annotation: str) -> AnnotationFormat | None:
    if annotation == "none":
        return None
    declared: dict[str, AnnotationFormat] = {}
    info = header.declared("INFO")
    for key in ("CSQ", "ANN", "EFF"):
        if key not in info:
            continue
        fmt = format_from_header(key, info[key].get("Description", ""))
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


def _sample_indices(header: VcfHeader, tumor, normal, path):
    samples, lines = header.samples, header.text.splitlines()
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
        tumor = header_value(lines, "tumor_sample") or only
        if tumor is None and samples:
            raise InputError.one(
                str(path),
                f"cannot tell which sample is the tumour (no ##tumor_sample header); "
                f"samples: {available}",
                where="#CHROM line",
                hint="pass tumor= (and normal=) with sample names",
            )
    if normal is None:
        header_normal = header_value(lines, "normal_sample")
        normal = header_normal if header_normal in samples else None
    tumor_idx = index_of(tumor, "tumor") if tumor is not None else None
    normal_idx = index_of(normal, "normal") if normal is not None else None
    return tumor_idx, normal_idx, tumor, normal


def _is_symbolic(alt: str) -> bool:
    """A symbolic (``<DEL>``), breakend or ``*`` ALT: not a sequence to tabulate."""
    return re.search(_SYMBOLIC, alt) is not None


# --------------------------------------------------------------------------- reading


class _Reader:
    """What the header decides (annotation format, caller, samples, FORMAT keys), then the
    records through ``bcftools query``, converted a block of text at a time."""

    def __init__(
        self,
        header: VcfHeader,
        path: Path,
        sample_id: str,
        annotation: str,
        tumor,
        normal,
        custom_isoforms,
    ) -> None:
        self.path = path
        self.sample_id = sample_id
        self.fmt = _annotation_format(header, path, annotation)
        self.caller = detect_caller(header.text)
        self.rule = caller_rule(self.caller)
        self.tumor_index, self.normal_index, self.tumor, self.normal = _sample_indices(
            header, tumor, normal, path
        )
        self.custom_isoforms = frozenset(custom_isoforms or ())
        # every sample is printed when one is read: htslib's value arrays are as wide as
        # the widest sample's, and the conventions read that width
        reading = (self.tumor_index, self.normal_index) != (None, None)
        self.n_samples = len(header.samples) if reading else 0
        self.format_types = {
            key: attributes.get("Type", "") for key, attributes in header.declared("FORMAT").items()
        }
        count_keys = sorted(COUNT_KEYS.intersection(self.format_types))
        self.sample_keys = (["GT"] if "GT" in self.format_types else []) + count_keys
        # Records read by a caller's own conventions are read from their FORMAT text (which
        # keys a record has decides the convention; htslib reads keys the header does not
        # declare as text); AD/DP/AF alone are printed by key.
        self.whole_records = self.n_samples > 0 and (
            not self.rule.has_fast_path
            or "AD" not in self.format_types
            or bool(set(count_keys) - {"AD", "DP", "AF"})
        )
        self._lock = threading.Lock()  # blocks are converted in two threads
        self.skipped_symbolic = 0
        self.skipped_no_alt = 0
        self.unknown_terms: set[str] = set()

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

    @property
    def columns(self) -> list[str]:
        names = list(_FIXED) + (["ann"] if self.fmt else [])
        if self.whole_records:  # %LINE: the record's 8 columns, FORMAT and the samples
            return (
                names
                + [f"v{i}" for i in range(8)]
                + ["format"]
                + [f"t{j}" for j in range(self.n_samples)]
            )
        return names + [f"s{j}_{key}" for j in range(self.n_samples) for key in self.sample_keys]

    def _command(self, workdir: Path, merged, seqnames: list[str]) -> list[str]:
        text = "%CHROM\t%POS\t%REF\t%ALT\t%FILTER"
        if self.fmt:
            text += f"\t%INFO/{self.fmt.info_key}"
        if self.whole_records:
            text += "\t%LINE"  # ends with its newline
        elif self.n_samples and self.sample_keys:
            text += "[" + "".join(f"\t%{key}" for key in self.sample_keys) + "]\n"
        else:
            text += "\n"
        command = [bcftools(), "query", "-f", text]
        if merged is not None:
            # in the file's contig order (bcftools keeps the order of the regions)
            order = seqnames + sorted(set(merged) - set(seqnames))
            lines = [
                f"{chrom}\t{start}\t{end}\n"
                for chrom in order
                for start, end in merged.get(chrom, [])
            ]
            regions = workdir / "regions.tsv"
            regions.write_text("".join(lines) or f"{seqnames[0] if seqnames else '1'}\t0\t0\n")
            if any(Path(f"{self.path}{s}").is_file() for s in (".tbi", ".csi")):  # indexed
                command += ["-R", str(regions), "--regions-overlap", "1"]
            else:
                command += ["-T", str(regions), "--targets-overlap", "1"]
        return [*command, str(self.path)]

    def frames(
        self, merged, seqnames: list[str], finish: Callable[[pl.DataFrame], T]
    ) -> Iterator[T]:
        with ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            errors = stack.enter_context((workdir / "stderr.txt").open("w+"))
            process = subprocess.Popen(
                self._command(workdir, merged, seqnames),
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            # the pipe is read a block ahead in its own thread, so that bcftools goes on
            # parsing while two blocks are converted (polars works outside the GIL), in order
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=_WORKERS + 1))
            done = threading.Event()
            stack.callback(done.set)  # then a reader waiting for room gives up
            stack.callback(_stop, process)
            ahead: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
            room = threading.Semaphore(1)  # one block read ahead at most
            reading = pool.submit(_read_ahead, process.stdout, ahead, room, done)
            pending: deque[Future] = deque()
            while (block := ahead.get()) is not None:
                room.release()
                pending.append(pool.submit(lambda b: finish(self.convert(b)), block))
                if len(pending) == _WORKERS:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
            reading.result()
            process.wait()
            errors.seek(0)
            check_query(self.path, errors.read(), process.returncode)

    def convert(self, block: bytes) -> pl.DataFrame:
        """The table's rows for a block of query lines."""
        col = pl.col
        names = self.columns
        if block:
            lines = pl.read_csv(
                block,
                separator="\t",
                has_header=False,
                new_columns=names,
                schema_overrides=dict.fromkeys(names, pl.String),
                infer_schema=False,
                quote_char=None,
                empty_string_is_null=False,
                encoding="utf8-lossy",
            )
        else:
            lines = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
        lines = lines.with_row_index("line")
        no_alt = lines["alts"] == "."
        with self._lock:
            self.skipped_no_alt += int(no_alt.sum())
        lines = lines.filter(~no_alt).with_columns(
            n_alts=col("alts").str.count_matches(",", literal=True).cast(pl.Int64) + 1
        )
        if self.fmt:  # the entries first: the raw annotation, the largest column, then goes
            entries, unknown = ranked_entries(lines, self.fmt, self.path)
            lines = lines.drop("ann")
            with self._lock:
                self.unknown_terms |= unknown
        fixed = ["line", "chrom", "pos", "ref", "alts", "n_alts", "filter"]
        single = lines.filter(col("n_alts") == 1).select(*fixed, alt="alts", ai=pl.lit(1, pl.Int64))
        several = (
            lines.filter(col("n_alts") > 1)
            .select(*fixed, alt=col("alts").str.split(","), ai=pl.int_ranges(1, col("n_alts") + 1))
            .explode("alt", "ai")
        )
        rows = pl.concat([single, several])  # in record order again below
        symbolic = rows.select(col("alt").str.contains(_SYMBOLIC)).to_series()
        with self._lock:
            self.skipped_symbolic += int(symbolic.sum())
        rows = _with_variant_types(rows.filter(~symbolic))
        if self.fmt:
            effects = chosen_effects(entries, lines, rows, self.fmt, self.custom_isoforms)
            rows = rows.join(
                effects, on=["line", "ai"], how="left", maintain_order="left"
            ).with_columns(
                # vcf2maf's class for a variant it has no effect for
                variant_class=col("variant_class").fill_null(rules.DEFAULT_CLASS),
                canonical=col("canonical").fill_null(False),
            )
        else:
            rows = rows.with_columns(
                **{name: pl.lit(None, pl.String) for name in _ANNOTATION_TEXT},
                protein_position=pl.lit(None, pl.Int64),
                population_af=pl.lit(None, pl.Float64),
                canonical=pl.lit(False),
            )
        counts = read_counts(
            lines,
            self.rule,
            self.format_types,
            self.sample_keys,
            (self.tumor_index, self.normal_index),
            self.n_samples,
        )
        rows = rows.join(counts, on=["line", "ai"], how="left", maintain_order="left")
        return _select(rows, self.sample_id, self.caller)


_ANNOTATION_TEXT = (
    "gene", "transcript", "hgvsc", "hgvsp", "hgvsp_short", "consequence", "variant_class",
    "exon", "biotype", "all_consequences",
)  # fmt: skip


def _select(rows: pl.DataFrame, sample_id: str, caller: str) -> pl.DataFrame:
    col = pl.col
    pos = col("pos").cast(pl.Int64)
    trimmed_all = (col("variant_type") == "INS") & (col("trimmed") == col("ref").str.len_chars())
    maf_start = pos + col("trimmed") - trimmed_all.cast(pl.Int64)
    return rows.with_columns(
        pos=pos,
        sample_id=pl.lit(sample_id, pl.String),
        caller=pl.lit(caller, pl.String),
        maf_start=maf_start,
    ).select(ALL_COLUMNS)


def _with_variant_types(rows: pl.DataFrame) -> pl.DataFrame:
    """Variant type, in-frame flag and trimmed bases (rules.variant_type): an SNV's
    column-wise, each other distinct (REF, ALT) once; the rows in record and ALT order."""
    col = pl.col
    snv = (col("ref").str.len_bytes() == 1) & (col("alt").str.len_bytes() == 1)
    snvs = rows.filter(snv).with_columns(
        variant_type=pl.lit("SNP"), inframe=pl.lit(False), trimmed=pl.lit(0, pl.Int64)
    )
    others = rows.filter(~snv)
    if others.is_empty():
        return snvs.sort("line", "ai")
    pairs = others.select("ref", "alt").unique()
    types = [rules.variant_type(ref, alt) for ref, alt in pairs.iter_rows()]
    pairs = pairs.with_columns(
        pl.DataFrame(
            types,
            schema={"variant_type": pl.String, "inframe": pl.Boolean, "trimmed": pl.Int64},
            orient="row",
        )
    )
    others = others.join(pairs, on=["ref", "alt"], how="left")
    return pl.concat([snvs, others]).sort("line", "ai")


def _blocks(stream) -> Iterator[bytes]:
    """Whole lines, a block at a time: about _BLOCK_LINES lines, at most about _BLOCK_BYTES
    (the memory a block takes grows with both)."""
    pieces: list[bytes] = []
    size = lines = 0
    while data := stream.read(_READ_BYTES):
        pieces.append(data)
        size += len(data)
        lines += data.count(b"\n")
        # cut after this read's last line (one copy of the block); a read without a line
        # end only under the byte limit, and then the block ends at the next one
        if (lines >= _BLOCK_LINES or size >= _BLOCK_BYTES) and (cut := data.rfind(b"\n") + 1):
            yield b"".join([*pieces[:-1], data[:cut]])
            pieces, size, lines = [data[cut:]], len(data) - cut, 0
    if size:
        yield b"".join(pieces)


def _read_ahead(
    stream, ahead: queue.SimpleQueue, room: threading.Semaphore, done: threading.Event
) -> None:
    """:func:`_blocks` of ``stream`` into ``ahead``, each once the one before was taken
    (``room``), then None (also after an error, which the future keeps); gives up once
    ``done`` is set."""
    try:
        blocks = _blocks(stream)
        while _wait(room, done) and (block := next(blocks, None)) is not None:
            ahead.put(block)
    finally:
        ahead.put(None)


def _wait(room: threading.Semaphore, done: threading.Event) -> bool:
    while not done.is_set():
        if room.acquire(timeout=0.05):
            return True
    return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    if process.stdout:
        process.stdout.close()
