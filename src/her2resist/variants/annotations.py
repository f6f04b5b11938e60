"""VEP ``CSQ``, SnpEff ``ANN`` and legacy SnpEff ``EFF`` parsing, and vcf2maf's effect choice.

The header is parsed once into an :class:`AnnotationFormat` holding the field indices
we need, so each record costs only string splits and tuple construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import attrgetter, itemgetter
from typing import NamedTuple

from . import rules

SUPPORTED_ANNOTATORS = "Ensembl VEP (INFO/CSQ), SnpEff (INFO/ANN) or legacy SnpEff (INFO/EFF)"

# The population allele frequencies reported as ``population_af`` (max over those present).
_POPULATION_AF_FIELD = re.compile(
    r"^(AF|MAX_AF|GMAF|gnomAD[eg]?_AF|gnomAD_(exomes|genomes)_AF|ExAC(_Adj)?_AF|ExAC_AF_Adj)$"
)
_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LEADING_INT = re.compile(r"^(\d+)")
_EFF_ENTRY = re.compile(r"^([^(]*)\((.*)\)$")

# Header names for the same information in the three formats (first one present wins).
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "allele": ("Allele",),
    "allele_num": ("ALLELE_NUM", "GenotypeNum", "Genotype_Number", "Genotype"),
    "consequence": ("Consequence", "Annotation"),
    "symbol": ("SYMBOL", "Gene_Name"),
    "feature": ("Feature", "Feature_ID", "Transcript_ID", "Transcript"),
    "biotype": ("BIOTYPE", "Transcript_BioType", "Gene_BioType"),
    "canonical": ("CANONICAL",),
    "hgvsc": ("HGVSc", "HGVS.c"),
    "hgvsp": ("HGVSp", "HGVS.p"),
    "protein_position": ("Protein_position", "AA.pos/AA.length"),
    "amino_acids": ("Amino_acids",),
    "exon": ("EXON", "Rank", "Exon_Rank", "Exon"),
    "cdna_position": ("cDNA_position", "cDNA.pos/cDNA.length"),
    "aa_change": ("Amino_Acid_change", "Amino_Acid_Change"),
}

#: What parse_entries reads of every entry, in this order.
_RANKING_SLOTS = ("allele", "allele_num", "consequence", "symbol", "feature", "biotype")
_RANKING_SLOTS += ("canonical", "cdna_position")


@dataclass(frozen=True)
class AnnotationFormat:
    """Where each needed field sits in one annotation entry."""

    kind: str  # "vep" | "snpeff" | "eff"
    info_key: str  # CSQ | ANN | EFF
    names: tuple[str, ...]
    index: dict[str, int]
    af_indices: tuple[int, ...]

    @property
    def has_allele(self) -> bool:
        return "allele" in self.index

    @cached_property
    def ranking(self) -> tuple[Callable[[list[str]], tuple[str, ...]], int]:
        """The ranking fields' getter (one C call; an absent field reads -1, the "" appended
        after splitting) and the maxsplit that yields every ranking field as its own item."""
        at = [self.index.get(slot, -1) for slot in _RANKING_SLOTS]
        return itemgetter(*at), max(at) + 1

    @cached_property
    def details_getter(self) -> Callable[[list[str]], tuple[str, ...]]:
        """BIOTYPE, HGVSc, HGVSp, Protein_position, Amino_acids, EXON (-1 when absent)."""
        slots = ("biotype", "hgvsc", "hgvsp", "protein_position", "amino_acids", "exon")
        return itemgetter(*(self.index.get(slot, -1) for slot in slots))

    @classmethod
    def from_names(cls, kind: str, info_key: str, names: list[str]) -> AnnotationFormat:
        index: dict[str, int] = {}
        for slot, aliases in _FIELD_ALIASES.items():
            for alias in aliases:
                if alias in names:
                    index[slot] = names.index(alias)
                    break
        af_indices = tuple(i for i, n in enumerate(names) if _POPULATION_AF_FIELD.match(n))
        return cls(kind, info_key, tuple(names), index, af_indices)


# Per annotation key: the format's kind and where its Description lists the fields.
_FIELD_LISTS = {
    "CSQ": ("vep", r"Format:(.*)"),  # "... Format: Allele|Consequence|..."
    "ANN": ("snpeff", r"'([^']+)'"),  # "... 'Allele | Annotation | ...'"
    "EFF": ("eff", r"\((.*)\)"),  # "... 'Effect ( Effect_Impact | ... [ | ERRORS ] )'"
}


def format_from_header(info_key: str, description: str) -> AnnotationFormat | None:
    """Parse the field list from an INFO header Description; None if it has none."""
    kind, pattern = _FIELD_LISTS[info_key]
    match = re.search(pattern, description.strip().strip('"'))
    if not match:
        return None
    text = match.group(1).strip().strip("'\"").replace("[", "").replace("]", "")
    names = [re.sub(r"\s", "", name) for name in text.split("|")]
    if kind == "eff":
        # an entry EFFECT(field|...) is read as "field|...|EFFECT" (see _eff_as_fields)
        names = [*filter(None, names), "Consequence"]
    return AnnotationFormat.from_names(kind, info_key, names)


class MalformedAnnotation(ValueError):
    """An annotation entry that does not match its header; the caller adds the location."""


class Entry(NamedTuple):
    """One annotation entry with just what ranking needs; details are parsed on demand."""

    allele: str | None
    allele_num: int | None
    terms: tuple[str, ...]
    one_consequence: str
    symbol: str
    feature: str
    canonical: bool
    rank: tuple[int, int, int]  # (biotype priority, effect priority, -transcript length)
    raw: str  # the entry's text, split in full only if it is chosen


@lru_cache(maxsize=100_000)  # consequence strings repeat endlessly
def _consequence_summary(consequence: str) -> tuple[tuple[str, ...], str, int]:
    """The terms, the most severe one and its priority."""
    terms = tuple(t for t in consequence.split("&") if t)
    worst = rules.most_severe(list(terms))
    return terms, worst, rules.effect_priority(worst)


def parse_entries(raw: str, fmt: AnnotationFormat) -> list[Entry]:
    """Split one record's INFO annotation into ranked entries (no detail parsing yet)."""
    texts = raw.split(",")
    if fmt.kind == "eff":
        texts = [_eff_as_fields(text, len(fmt.names)) for text in texts if text]
    n_separators = len(fmt.names) - 1
    pick, split_at = fmt.ranking
    biotype_priority = rules.BIOTYPE_PRIORITY.get
    unknown_biotype = rules.UNKNOWN_BIOTYPE_PRIORITY
    has_allele = fmt.has_allele
    summary = _consequence_summary
    new_entry = tuple.__new__  # skips NamedTuple's Python-level __new__ in this hot loop
    entries = []
    for entry in texts:
        if entry.count("|") != n_separators:
            raise MalformedAnnotation(
                f"{fmt.info_key} entry has {entry.count('|') + 1} '|'-separated fields but the "
                f"header Format lists {n_separators + 1}: {entry[:120]!r}"
            )
        # only split as far as the ranking fields; the chosen entry is split fully later
        fields = entry.split("|", split_at)
        fields.append("")  # absent slots point here
        allele, allele_num, consequence, symbol, feature, biotype, canonical, cdna = pick(fields)
        terms, worst, priority = summary(consequence)
        length = cdna.rpartition("/")[2] if cdna else ""
        rank = (
            biotype_priority(biotype, unknown_biotype),
            priority,
            -int(length) if length.isdigit() else 0,
        )
        entries.append(
            new_entry(
                Entry,
                (
                    allele if has_allele else None,
                    int(allele_num) if allele_num.isdigit() else None,
                    terms,
                    worst,
                    symbol,
                    feature,
                    canonical == "YES",
                    rank,
                    entry,
                ),
            )
        )
    return entries


def effect_details(entry: Entry, fmt: AnnotationFormat) -> tuple:
    """The chosen entry's BIOTYPE, HGVSc, HGVSp, Protein_position, Amino_acids, EXON and
    population AF (only the chosen entry is split in full)."""
    fields = entry.raw.split("|")
    fields.append("")  # absent slots (-1) read this
    biotype, hgvsc, hgvsp, protein_position, amino_acids, exon = fmt.details_getter(fields)
    if fmt.kind == "snpeff" and "intron_variant" in entry.terms:
        exon = ""  # SnpEff's Rank is the intron number for intronic annotations
    elif fmt.kind == "eff":
        # one Amino_Acid_change field: "p.Arg136Cys/c.406C>T", or a one-letter "R136C"
        change = fields[fmt.index.get("aa_change", -1)].split("/")[0]
        position = re.search(r"(\d+)", change)
        hgvsp = change if change.startswith("p.") else ""
        protein_position = position.group(1) if position else ""
        amino_acids = "" if hgvsp else change
    af = _max_af(fields, fmt.af_indices) if fmt.af_indices else None
    return biotype, hgvsc, hgvsp, protein_position, amino_acids, exon, af


def _eff_as_fields(entry: str, n_fields: int) -> str:
    """A legacy SnpEff ``EFFECT(field|...)`` entry as ``field|...|terms`` (the names
    :func:`format_from_header` gives EFF), its effect names as SO terms joined by ``&``;
    missing trailing fields (``ERRORS``, ``WARNINGS``) are empty."""
    match = _EFF_ENTRY.match(entry)
    if not match:
        raise MalformedAnnotation(f"EFF entry is not 'EFFECT(field|...)': {entry[:120]!r}")
    effect_names, inner = match.groups()
    names = (name for name in re.split(r"[+&]", effect_names) if name)
    terms = "&".join(rules.EFF_TO_SO.get(name, name.lower()) for name in names)
    fields = inner.split("|")[: n_fields - 1]
    return "|".join([*fields, *[""] * (n_fields - 1 - len(fields)), terms])


def _max_af(fields: list[str], indices: tuple[int, ...]) -> float | None:
    # values look like "0.01", "0.01&0.02" or, in old VEP GMAF, "T:0.0012&C:0.2"
    values = [
        float(match.group(0))
        for i in indices
        if i < len(fields)
        for part in fields[i].split("&")
        if (match := _FLOAT.fullmatch(part.rpartition(":")[2]))
    ]
    return max(values, default=None)


def vep_allele_strings(ref: str, alts: list[str]) -> list[str]:
    """Each ALT as VEP writes it in CSQ ``Allele`` (VEP's VCF-parser trimming rule).

    For indels the first base is removed when it is shared by REF and all ALTs
    (ignoring ``*``); an emptied allele becomes ``-``.
    """
    is_indel = any(len(a) != len(ref) for a in alts)
    if not is_indel:
        return list(alts)
    first_bases = {a[:1] for a in [ref, *alts] if "*" not in a}
    if len(first_bases) != 1:
        return list(alts)
    return [a if "*" in a else (a[1:] or "-") for a in alts]


def minimal_allele(ref: str, alt: str) -> str:
    """ALT after removing the prefix and suffix it shares with REF (VEP --minimal)."""
    start = 0
    while start < len(ref) and start < len(alt) and ref[start] == alt[start]:
        start += 1
    end_ref, end_alt = len(ref), len(alt)
    while end_ref > start and end_alt > start and ref[end_ref - 1] == alt[end_alt - 1]:
        end_ref -= 1
        end_alt -= 1
    return alt[start:end_alt] or "-"


def effects_by_allele(
    effects: list[Entry], ref: str, alts: list[str], fmt: AnnotationFormat
) -> list[list[Entry]]:
    """Split a record's effects per ALT (index 0 = first ALT)."""
    if len(alts) == 1:
        # Biallelic: entries naming another ALT number are dropped (as vcf2maf does); when
        # all entries share one allele string it can only be this ALT's, so skip matching.
        kept = [e for e in effects if e.allele_num is None or e.allele_num == 1]
        if not kept or not fmt.has_allele:
            return [kept]
        first_allele = kept[0].allele
        if all(e.allele == first_allele for e in kept):
            return [kept]
    per_alt: list[list[Entry]] = [[] for _ in alts]
    lookup = _allele_lookup(ref, alts, fmt)
    unmatched = []
    for effect in effects:
        if effect.allele_num is not None:
            if 1 <= effect.allele_num <= len(alts):
                per_alt[effect.allele_num - 1].append(effect)
            continue
        if effect.allele is None:  # no allele information: it applies to every ALT
            for bucket in per_alt:
                bucket.append(effect)
            continue
        target = lookup.get(effect.allele)
        if target is None:
            unmatched.append(effect)
        else:
            per_alt[target].append(effect)
    # An allele convention we do not know on a biallelic record: keep what the annotator said
    if unmatched and len(alts) == 1 and not per_alt[0]:
        per_alt[0] = unmatched
    return per_alt


def _allele_lookup(ref: str, alts: list[str], fmt: AnnotationFormat) -> dict[str, int]:
    lookup: dict[str, int] = {}
    # later assignments have lower precedence, so fill from weakest to strongest
    for i, alt in enumerate(alts):
        lookup.setdefault(minimal_allele(ref, alt), i)
    for i, alt in enumerate(alts):
        lookup[alt] = i
    if fmt.kind == "vep":
        for i, key in enumerate(vep_allele_strings(ref, alts)):
            lookup[key] = i
    return lookup


_HGVSP_IN_HGVSC = re.compile(r"^.*\((p\.\S+)\)")


def clean_hgvsp(hgvsp: str) -> str:
    """HGVSp without its ``ENSP...:`` prefix; one given as ``c.123A>G(p.Lys41Arg)`` becomes
    ``p.Lys41Arg``."""
    hgvsp = hgvsp.rpartition(":")[2]
    return _HGVSP_IN_HGVSC.sub(r"\1", hgvsp) if hgvsp.startswith("c.") else hgvsp


def choose_effect(
    effects: list[Entry], custom_isoforms: frozenset[str] = frozenset()
) -> Entry | None:
    """vcf2maf's single effect per variant.

    Effects are stably sorted by transcript biotype, then by the severity of their worst
    consequence, then by decreasing transcript length. Within the worst-affected gene
    (first effect with a symbol) a user-preferred isoform wins, then VEP's canonical one;
    failing that any user-preferred isoform, then any canonical isoform with a symbol,
    then simply the top effect.
    """
    if not effects:
        return None
    ranked = sorted(effects, key=_RANK)  # stable, like Perl's merge sort
    gene = next((e.symbol for e in ranked if e.symbol), None)
    if gene is None:
        return ranked[0]
    for in_gene in (True, False):  # the second pool is built only when the first fails
        candidates = [e for e in ranked if e.symbol == gene or (not in_gene and e.symbol)]
        if custom_isoforms:  # a user-preferred isoform before the canonical one
            chosen = next((e for e in candidates if _is_custom(e.feature, custom_isoforms)), None)
            if chosen is not None:
                return chosen
        chosen = next((e for e in candidates if e.canonical), None)
        if chosen is not None:
            return chosen
    return ranked[0]


def _is_custom(feature: str, custom_isoforms: frozenset[str]) -> bool:
    """``ENST1.2`` is preferred when the user named ``ENST1.2`` or ``ENST1``."""
    return bool(feature) and (
        feature in custom_isoforms or feature.split(".", 1)[0] in custom_isoforms
    )


_RANK = attrgetter("rank")


def first_int(text: str) -> int | None:
    if text.isdecimal():  # the common "123" without a regex (isdecimal: what \d matches)
        return int(text)
    match = _LEADING_INT.match(text) if text else None
    return int(match.group(1)) if match else None
