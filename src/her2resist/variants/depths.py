"""Caller detection and per-sample read counts (depth, ALT reads, VAF).

:func:`read_counts` takes the FORMAT values bcftools printed: the common case (one ALT,
integer AD with REF and ALT, DP, the caller's VAF) column-wise, any other record through
:func:`sample_counts`.

Read counts follow vcf2maf's ``FixAlleleDepths`` order of FORMAT conventions (AD,
VarScan RD+AD, SomaticSniper BCOUNT, Strelka AU/CU/GU/TU and TAR/TIR, AO/RO, Delly
RR/RV, DP4, cgpPindel PP/NP/PR/NR, FA*DP, DV), with caller-specific overrides from
:data:`CALLER_RULES` (e.g. VarDict's VD for ALT reads, Mutect2's AF for the VAF).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

import polars as pl

# First matching pattern names the caller; several distinct matches mean "unknown".
CALLER_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "mutect2",
        re.compile(r"^##(source=Mutect2|MutectVersion=|GATKCommandLine=<ID=Mutect2)", re.M),
    ),
    ("strelka", re.compile(r"^##source=strelka", re.M | re.I)),
    ("vardict", re.compile(r"^##source=VarDict", re.M | re.I)),
    ("varscan", re.compile(r"^##source=VarScan", re.M | re.I)),
    ("pindel", re.compile(r"^##.*pindel", re.M | re.I)),
    ("muse", re.compile(r"^##MuSE_version", re.M)),
    ("somaticsniper", re.compile(r"^##.*bam-somaticsniper", re.M | re.I)),
    ("radia", re.compile(r"^##source=\"?RADIA", re.M)),
)
_STRELKA2_VERSION = re.compile(r"^##source_version=2\.", re.M)


def detect_caller(raw_header: str) -> str:
    found = {name for name, pattern in CALLER_SIGNATURES if pattern.search(raw_header)}
    # Strelka 1 and 2 share FORMAT conventions; only 2.x headers carry source_version=2.
    if "strelka" in found and _STRELKA2_VERSION.search(raw_header):
        found = (found - {"strelka"}) | {"strelka2"}
    return found.pop() if len(found) == 1 else "unknown"


@dataclass(frozen=True)
class CallerRule:
    alt_key: str | None = None  # FORMAT key holding ALT reads, overriding the generic order
    vaf_key: str | None = None  # FORMAT key holding the VAF
    vaf_percent: bool = False  # VAF given as "48.7%"
    vaf_per_alt: bool = False  # VAF key is Number=A (one value per ALT)

    @property
    def has_fast_path(self) -> bool:
        """Whether :func:`_biallelic_ad_counts` gives this caller's numbers."""
        plain = not (self.alt_key or self.vaf_percent)
        return plain and (self.vaf_key is None or self.vaf_per_alt)


CALLER_RULES: dict[str, CallerRule] = {
    "mutect2": CallerRule(vaf_key="AF", vaf_per_alt=True),
    "vardict": CallerRule(alt_key="VD", vaf_key="AF"),
    "varscan": CallerRule(vaf_key="FREQ", vaf_percent=True),
}
_GENERIC = CallerRule()

_BASE_INDEX = {"A": 0, "C": 1, "G": 2, "T": 3}

#: Every FORMAT key any convention below reads; only these are fetched from a record.
COUNT_KEYS = frozenset(
    ["AD", "RD", "DP", "AF", "VD", "FREQ", "FA", "BCOUNT", "AU", "CU", "GU", "TU",
     "TAR", "TIR", "AO", "RO", "RR", "RV", "DP4", "PP", "NP", "PR", "NR", "DV"]
)  # fmt: skip


def _number(text: str):
    text = text.strip()
    if text in ("", "."):
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _count(value) -> int | None:
    """A read count, or None for missing (None, NaN, negative htslib sentinels, text)."""
    if type(value) is int:
        return value if value >= 0 else None
    if type(value) is float:
        return int(value) if value == value and value >= 0 else None
    return None


def _first(values: dict[str, list], key: str, sample: int):
    row = values[key][sample] if key in values else None
    return row[0] if row else None


def allele_depths(values: dict[str, list], sample: int, alleles: list[str], called: int = 1):
    """Per-allele read counts (REF first) and total depth, as vcf2maf derives them.

    Counts that a convention cannot provide are None. Conventions giving only one ALT
    count (VarScan, Strelka indels, DP4, ...) assign it to ALT number ``called`` (vcf2maf
    uses the tumour genotype's ALT; 1 for biallelic records).
    """
    n = len(alleles)
    depths: list = [None] * n
    dp = _count(_first(values, "DP", sample))
    if "AD" in values:
        ad = [_count(v) for v in values["AD"][sample]]
        if len(ad) == 1:  # ALT reads only (VarScan, whose RD is the REF reads)
            depths[0] = _count(_first(values, "RD", sample))
            depths[called] = ad[0]
        elif len(ad) == n:
            depths = ad
        return depths, dp
    if "BCOUNT" in values:
        bcount = values["BCOUNT"][sample]
        if len(bcount) == 4:
            depths = [_count(bcount[_BASE_INDEX[a]]) if a in _BASE_INDEX else None for a in alleles]
    elif "AU" in values and "CU" in values and "GU" in values and "TU" in values:
        tier1 = {b: _count(_first(values, b + "U", sample)) for b in "ACGT"}
        depths = [tier1.get(a) for a in alleles]
    elif "TIR" in values and "TAR" in values:
        depths[0] = _count(_first(values, "TAR", sample))
        depths[called] = _count(_first(values, "TIR", sample))
    elif "AO" in values and "RO" in values:
        ao = [_count(v) for v in values["AO"][sample]]
        depths = ([_count(_first(values, "RO", sample)), *ao] + [None] * n)[:n]
    elif "RR" in values and "RV" in values:
        depths[0] = _count(_first(values, "RR", sample))
        depths[called] = _count(_first(values, "RV", sample))
    elif "DP4" in values and len(dp4 := [_count(v) for v in values["DP4"][sample]]) == 4:
        if None not in dp4:
            depths[0] = dp4[0] + dp4[1]
            depths[called] = dp4[2] + dp4[3]
    elif all(k in values for k in ("PP", "NP", "PR", "NR")):
        pp, np_, pr, nr = (_count(_first(values, k, sample)) for k in ("PP", "NP", "PR", "NR"))
        if pp is not None and np_ is not None:
            depths[called] = pp + np_
        if pr is not None and nr is not None:
            dp = pr + nr
    elif "FA" in values and dp is not None:
        fa = _first(values, "FA", sample)
        if type(fa) in (int, float) and fa == fa:
            depths[called] = round(fa * dp)
    elif "DV" in values and dp is not None:
        depths[called] = _count(_first(values, "DV", sample))
    return depths, dp


def sample_counts(
    values: dict[str, list], sample: int, alleles: list[str], rule: CallerRule, called: int = 1
) -> list[tuple[int | None, int | None, float | None]]:
    """(depth, alt_reads, vaf) for each ALT allele of one sample."""
    depths, dp = allele_depths(values, sample, alleles, called)
    n_alts = len(alleles) - 1
    if n_alts == 1 and rule.alt_key in values:
        override = _count(_first(values, rule.alt_key, sample))
        if override is not None:
            depths[1] = override
    vafs = _caller_vafs(values, sample, rule, n_alts) if rule.vaf_key in values else None
    known_total = sum(d for d in depths if d)
    ref_reads = depths[0]
    out = []
    for alt_index in range(1, n_alts + 1):
        alt_reads = depths[alt_index]
        # vcf2maf: counts larger than DP mean DP is unreliable; use the sum of the counts
        unreliable = dp is not None and (ref_reads or 0) + (alt_reads or 0) > dp
        no_dp = dp is None and ref_reads is not None and alt_reads is not None
        depth = known_total if unreliable or no_dp else dp
        vaf = vafs[alt_index - 1] if vafs else None
        if vaf is None and alt_reads is not None and depth:
            vaf = alt_reads / depth
        out.append((depth, alt_reads, vaf))
    return out


def caller_rule(caller: str) -> CallerRule:
    return CALLER_RULES.get(caller, _GENERIC)


def _caller_vafs(values: dict[str, list], sample: int, rule: CallerRule, n_alts: int):
    row = values[rule.vaf_key][sample]
    if rule.vaf_percent:
        row = [_percent(v) for v in row]
    row = [float(v) if type(v) in (int, float) and v == v and v >= 0 else None for v in row]
    if (rule.vaf_per_alt and len(row) == n_alts) or (len(row) == 1 and n_alts == 1):
        return row
    return None


def _percent(value) -> float | None:
    """VarScan's FREQ ("48.7%", read as text) as a fraction."""
    if isinstance(value, str) and value.endswith("%"):
        value = _number(value[:-1])
    return float(value) / 100 if type(value) in (int, float) else None


def read_counts(
    lines: pl.DataFrame,
    rule: CallerRule,
    types: dict[str, str],
    keys: list[str],
    tumor_normal: tuple[int | None, int | None],
    n_samples: int,
) -> pl.DataFrame:
    """(depth, alt_reads, vaf) of the tumour and ``normal_*`` of the normal (``tumor_normal``:
    their sample numbers) per (``line``, ``ai``) read; no rows without samples. ``lines``
    holds per record ``ref``, ``alts``, ``n_alts`` and either each sample's text of each
    FORMAT key in ``keys`` (``s{j}_{key}``) or the whole record's FORMAT (``format``) and
    sample columns (``t{j}``); ``types`` is the header's Type of each FORMAT key."""
    names = {"depth": pl.Int64, "alt_reads": pl.Int64, "vaf": pl.Float64}
    schema = {"line": pl.UInt32, "ai": pl.Int64} | names
    schema |= {f"normal_{n}": t for n, t in names.items()}
    prefixes = dict(zip(("", "normal_"), tumor_normal, strict=True))
    if n_samples == 0:
        return pl.DataFrame(schema=schema)  # the table's left join leaves them null
    col = pl.col
    fast = pl.lit(False)
    quick = pl.DataFrame()
    if "format" not in lines.columns:  # keys printed one by one: the common case applies
        widest = pl.max_horizontal(
            col(f"s{j}_AD").str.count_matches(",", literal=True) for j in range(n_samples)
        )
        fast = (col("n_alts") == 1) & (widest == 1)
        quick = _biallelic_ad_counts(lines.filter(fast), prefixes, rule, types)
    general = _general_counts(lines.filter(~fast), rule, types, keys, prefixes, n_samples)
    # diagonal: the columns of a sample the fast path does not read are null
    frames = [pl.DataFrame(general, schema=schema, orient="row"), quick]
    return pl.concat(frames, how="diagonal_relaxed").select(list(schema))


def _biallelic_ad_counts(
    lines: pl.DataFrame, prefixes: dict[str, int | None], rule: CallerRule, types: dict[str, str]
) -> pl.DataFrame:
    """The common case column-wise (one ALT, integer AD with REF and ALT, DP, optional
    per-ALT VAF): the numbers :func:`sample_counts` gives, without its general machinery."""
    col = pl.col

    def integer(text: pl.Expr) -> pl.Expr:
        value = text.cast(pl.Int64, strict=False)
        return pl.when(value >= 0).then(value)  # negative = missing, as htslib's sentinels

    parsed, derived = [], []
    for prefix, j in prefixes.items():
        if j is None:
            continue  # read_counts leaves that sample's columns null
        ad = col(f"s{j}_AD").str.split_exact(",", 1)
        ref, alt, dp, af = (f"{prefix}{n}" for n in ("ref", "alt", "dp", "af"))
        parsed += [integer(ad.struct[0]).alias(ref), integer(ad.struct[1]).alias(alt)]
        if types.get("DP") == "Integer":
            parsed.append(integer(col(f"s{j}_DP").str.extract(r"^([^,]*)")).alias(dp))
        else:
            parsed.append(pl.lit(None, pl.Int64).alias(dp))
        if rule.vaf_key and types.get(rule.vaf_key) == "Float":
            text = col(f"s{j}_{rule.vaf_key}").str.extract(r"^([^,]*)")
            value = text.cast(pl.Float32, strict=False).cast(pl.Float64)  # htslib's float
            parsed.append(pl.when(value.is_not_nan() & (value >= 0)).then(value).alias(af))
        else:
            parsed.append(pl.lit(None, pl.Float64).alias(af))
        total = col(ref).fill_null(0) + col(alt).fill_null(0)
        # as sample_counts: no DP, or counts above it (DP unreliable) -> the counts' sum
        unreliable = col(dp).is_null() & col(ref).is_not_null() & col(alt).is_not_null()
        depth = pl.when(unreliable | (total > col(dp))).then(total).otherwise(col(dp))
        computed = pl.when(col(alt).is_not_null() & (depth != 0)).then(col(alt) / depth)
        derived += [
            depth.alias(f"{prefix}depth"),
            col(alt).alias(f"{prefix}alt_reads"),
            pl.coalesce(col(af), computed).alias(f"{prefix}vaf"),
        ]
    return lines.select("line", *parsed).with_columns(derived, ai=pl.lit(1, pl.Int64))


def _general_counts(
    lines: pl.DataFrame,
    rule: CallerRule,
    types: dict[str, str],
    keys: list[str],
    prefixes: dict[str, int | None],
    n_samples: int,
) -> list[tuple]:
    """:func:`sample_counts` per record, on the values as htslib holds them: the keys the
    record has (the first ones when it has AD), integers and floats padded to the widest
    sample's count, floats at single precision, undeclared keys as text."""
    out = []
    # with AD, the caller's own keys (and VarScan's RD) are the only others read
    first = {"AD", "DP", rule.alt_key, rule.vaf_key} | ({"RD"} if rule.vaf_percent else set())
    whole = "format" in lines.columns
    for record in lines.iter_rows(named=True):
        n_alts = record["n_alts"]
        alleles = [record["ref"], *record["alts"].split(",")]
        if whole:
            format_keys = record["format"].split(":")
            samples = [(record[f"t{j}"] or ".").split(":") for j in range(n_samples)]
        else:
            format_keys = keys
            samples = [[record[f"s{j}_{k}"] for k in keys] for j in range(n_samples)]
        # a sample's trailing fields may be dropped: those are missing
        texts = {
            key: [fields[i] if i < len(fields) else "." for fields in samples]
            for i, key in enumerate(format_keys)
        }
        present = [k for k in format_keys if k in COUNT_KEYS]
        wanted = [k for k in present if k in first] if "AD" in present else present
        values = {k: _sample_values(texts[k], types.get(k, "String")) for k in wanted}
        called = 1
        if n_alts > 1 and "GT" in texts:
            called = _called_alt(texts["GT"], prefixes[""], prefixes["normal_"], n_alts)
        counts = [
            sample_counts(values, j, alleles, rule, called)
            if j is not None and values
            else [(None, None, None)] * n_alts
            for j in prefixes.values()
        ]
        for ai in range(1, n_alts + 1):
            out.append((record["line"], ai, *counts[0][ai - 1], *counts[1][ai - 1]))
    return out


def _sample_values(texts: list[str], kind: str) -> list[list]:
    """One key's values per sample as htslib's typed arrays hold them."""
    if kind == "Integer":
        rows = [[None if v in (".", "") else int(v) for v in text.split(",")] for text in texts]
        pad = None
    elif kind == "Float":
        rows = [[_single(v) for v in text.split(",")] for text in texts]
        pad = float("nan")
    else:
        return [[_number(v) for v in text.split(",")] for text in texts]  # as text
    width = max(len(row) for row in rows)
    return [row + [pad] * (width - len(row)) for row in rows]


def _single(text: str) -> float:
    """A FORMAT Float as htslib holds it (single precision; missing is NaN)."""
    if text in (".", ""):
        return float("nan")
    return struct.unpack("f", struct.pack("f", float(text)))[0]


def _called_alt(genotypes: list[str], tumor: int | None, normal: int | None, n_alts: int) -> int:
    """vcf2maf's variant allele of a multi-allelic record: the first ALT in the tumour
    genotype that is not in the normal genotype, else the first ALT in the tumour's."""
    if tumor is None:
        return 1

    def alleles(text: str | None) -> list[int]:
        return [int(a) if a.isdigit() else -1 for a in re.split(r"[/|]", text or ".")]

    tumour_alts = [a for a in alleles(genotypes[tumor]) if 0 < a <= n_alts]
    normal_alleles = set(alleles(genotypes[normal])) if normal is not None else set()
    somatic = [a for a in tumour_alts if a not in normal_alleles]
    return (somatic or tumour_alts or [1])[0]
