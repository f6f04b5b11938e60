"""Caller detection and per-sample read counts (depth, ALT reads, VAF).

Read counts follow vcf2maf's ``FixAlleleDepths`` order of FORMAT conventions (AD,
VarScan RD+AD, SomaticSniper BCOUNT, Strelka AU/CU/GU/TU and TAR/TIR, AO/RO, Delly
RR/RV, DP4, cgpPindel PP/NP/PR/NR, FA*DP, DV), with caller-specific overrides from
:data:`CALLER_RULES` (e.g. VarDict's VD for ALT reads, Mutect2's AF for the VAF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
        """Whether :func:`biallelic_ad_counts` gives this caller's numbers."""
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


def primary_keys(rule: CallerRule) -> tuple[str, ...]:
    """Keys fetched first: AD and DP cover most callers without listing FORMAT."""
    keys = ["AD", "DP", "RD"] if rule.vaf_percent else ["AD", "DP"]  # VarScan needs RD
    keys += [k for k in (rule.alt_key, rule.vaf_key) if k and k not in keys]
    return tuple(keys)


def record_format_values(record, first_keys: tuple[str, ...]) -> dict[str, list] | None:
    """Needed FORMAT values of one record: key -> per-sample list of values.

    ``first_keys`` are fetched directly; only when the record has no AD are its FORMAT
    keys listed to find another convention (keeps the common path to a few calls).
    Integers keep htslib's negative sentinels for missing/vector-end (callers treat any
    negative count as missing); floats keep NaN; strings are split on commas.
    """
    values: dict[str, list] = {}
    for key in first_keys:
        _fetch(record, key, values)
    if "AD" not in values:
        keys = record.FORMAT
        if not keys:
            return None
        for key in COUNT_KEYS.intersection(keys):
            if key not in values:
                _fetch(record, key, values)
    return values


def _fetch(record, key: str, values: dict[str, list]) -> None:
    try:
        array = record.format(key)
    except KeyError:  # not declared in the header and not seen yet by htslib
        return
    if array is None:
        return
    if array.dtype.kind in "if":
        values[key] = array.tolist()
    else:
        values[key] = [_split_text(v) for v in array.tolist()]


def _split_text(value) -> list:
    if isinstance(value, bytes):
        value = value.decode()
    return [_number(v) for v in str(value).split(",")]


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
    rows = values.get(key)
    if rows is None:
        return None
    row = rows[sample]
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
    ad_rows = values.get("AD")
    if ad_rows is not None:
        ad = [_count(v) for v in ad_rows[sample]]
        if len(ad) == 1 and "RD" in values:  # VarScan: AD is ALT-only, RD is REF
            depths[0] = _count(_first(values, "RD", sample))
            depths[called] = ad[0]
        elif len(ad) == 1:
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
    if rule.alt_key is not None and n_alts == 1 and rule.alt_key in values:
        override = _count(_first(values, rule.alt_key, sample))
        if override is not None:
            depths[1] = override
    vafs = _caller_vafs(values, sample, rule, n_alts) if rule.vaf_key in values else None
    known_total = sum(d for d in depths if d)
    ref_reads = depths[0]
    out = []
    for alt_index in range(1, n_alts + 1):
        alt_reads = depths[alt_index]
        depth = dp
        # vcf2maf: counts larger than DP mean DP is unreliable; use the sum of the counts
        if depth is not None and (
            (ref_reads and ref_reads > depth)
            or (alt_reads and alt_reads > depth)
            or (ref_reads and alt_reads and ref_reads + alt_reads > depth)
        ):
            depth = known_total
        if depth is None and ref_reads is not None and alt_reads is not None:
            depth = known_total
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


def called_alt(record, tumor: int | None, normal: int | None) -> int:
    """vcf2maf's variant allele of a multi-allelic record: the first ALT in the tumour
    genotype that is not in the normal genotype, else the first ALT in the tumour's."""
    if tumor is None:
        return 1
    genotypes = record.genotypes
    n_alts = len(record.ALT)
    tumour_alts = [a for a in genotypes[tumor][:-1] if 0 < a <= n_alts]
    normal_alleles = set(genotypes[normal][:-1]) if normal is not None else set()
    for allele in tumour_alts:
        if allele not in normal_alleles:
            return allele
    return tumour_alts[0] if tumour_alts else 1


def biallelic_ad_counts(record, samples: tuple[int | None, int | None], af_key: str | None):
    """Fast path for the common case (one ALT, integer AD with REF and ALT, DP, optional
    per-ALT AF): the same numbers as :func:`sample_counts` without the general machinery.

    Returns one ``[(depth, alt_reads, vaf)]`` (or None) per entry of ``samples``, or None
    when the record does not fit and the general path must be used.
    """
    ad = record.format("AD")
    if ad is None or ad.dtype.kind != "i" or ad.shape[1] != 2:
        return None
    ad_rows = ad.tolist()
    dp = record.format("DP")
    dp_rows = dp.tolist() if dp is not None and dp.dtype.kind == "i" else None
    af = record.format(af_key) if af_key else None
    af_rows = af.tolist() if af is not None and af.dtype.kind == "f" else None
    out: list = []
    for sample in samples:
        if sample is None:
            out.append(None)
            continue
        ref_reads, alt_reads = ad_rows[sample]
        ref_reads = ref_reads if ref_reads >= 0 else None  # negative = htslib missing
        alt_reads = alt_reads if alt_reads >= 0 else None
        depth = dp_rows[sample][0] if dp_rows else None
        if depth is not None and depth < 0:
            depth = None
        total = (ref_reads or 0) + (alt_reads or 0)  # counts here are >= 0
        # as sample_counts: no DP, or counts above it (DP unreliable) -> the counts' sum
        if (depth is None and ref_reads is not None and alt_reads is not None) or (
            depth is not None and total > depth
        ):
            depth = total
        vaf = af_rows[sample][0] if af_rows else None
        if vaf is not None and not (vaf >= 0):  # NaN or negative
            vaf = None
        if vaf is None and alt_reads is not None and depth:
            vaf = alt_reads / depth
        out.append([(depth, alt_reads, vaf)])
    return out
