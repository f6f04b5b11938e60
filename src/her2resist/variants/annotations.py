"""VEP ``CSQ``, SnpEff ``ANN`` and legacy SnpEff ``EFF`` entries, and vcf2maf's effect choice.

The header is parsed once into an :class:`AnnotationFormat` holding the field indices
needed; the entries of a block of records are then split, ranked and one chosen per ALT
allele column-wise (:func:`chosen_effects`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from her2resist.errors import InputError

from . import rules

SUPPORTED_ANNOTATORS = "Ensembl VEP (INFO/CSQ), SnpEff (INFO/ANN) or legacy SnpEff (INFO/EFF)"

# The population allele frequencies reported as ``population_af`` (max over those present).
_POPULATION_AF_FIELD = re.compile(
    r"^(AF|MAX_AF|GMAF|gnomAD[eg]?_AF|gnomAD_(exomes|genomes)_AF|ExAC(_Adj)?_AF|ExAC_AF_Adj)$"
)
_FLOAT = r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
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


def _allele_lookup(ref: str, alts: list[str], kind: str) -> dict[str, int]:
    """Allele string -> ALT number (1-based): VEP's trimmed form first, then the ALT as
    written, then its minimal form."""
    lookup: dict[str, int] = {}
    # later assignments have lower precedence, so fill from weakest to strongest
    for i, alt in enumerate(alts):
        lookup.setdefault(minimal_allele(ref, alt), i + 1)
    for i, alt in enumerate(alts):
        lookup[alt] = i + 1
    if kind == "vep":
        for i, key in enumerate(vep_allele_strings(ref, alts)):
            lookup[key] = i + 1
    return lookup


# --------------------------------------------------------------------------- column-wise

_SPLICE_SITE_TERMS = ["splice_acceptor_variant", "splice_donor_variant"]
# the fields read of every entry: to rank it, then the chosen entry's columns
_RANKING_SLOTS = ("allele", "allele_num", "consequence", "symbol", "feature", "biotype")
_RANKING_SLOTS += ("canonical", "cdna_position")
_DETAIL_SLOTS = ("hgvsc", "hgvsp", "protein_position", "amino_acids", "exon", "aa_change")
_SLOTS = _RANKING_SLOTS + _DETAIL_SLOTS
_LENGTH_BITS = 24  # transcript lengths above 16.7 Mb rank as equal
_K_BITS = 26  # entries per block: a block (at most 8 MB) has fewer


def ranked_entries(
    lines: pl.DataFrame, fmt: AnnotationFormat, path: Path
) -> tuple[pl.DataFrame, set[str]]:
    """Every annotation entry of a block of records (``lines``: one row per record, with
    ``line``, ``chrom``, ``pos``, ``n_alts`` and the raw annotation ``ann``) with the fields
    it is ranked by and those of the table, and its rank; and the consequence terms
    vcf2maf does not rank."""
    return _ranked(_entries(lines, fmt, path), fmt)


def chosen_effects(
    entries: pl.DataFrame,
    lines: pl.DataFrame,
    rows: pl.DataFrame,
    fmt: AnnotationFormat,
    custom_isoforms: frozenset[str],
) -> pl.DataFrame:
    """vcf2maf's single effect per ALT allele among :func:`ranked_entries`' ``entries``.

    ``lines`` has ``ref`` and ``alts`` per record; ``rows`` one row per tabulated ALT
    (``line``, ``ai``, ``variant_type``, ``inframe``). Returns the annotation columns per
    (``line``, ``ai``) with an effect.

    The entries of each ALT are stably sorted by transcript biotype, then by the severity
    of their worst consequence, then by decreasing transcript length. Within the
    worst-affected gene (first entry with a symbol) a user-preferred isoform wins, then
    VEP's canonical one; failing that any user-preferred isoform, then any canonical
    isoform with a symbol, then simply the top entry.
    """
    entries = _per_alt(entries, lines, fmt)
    return _details(_choose(entries, custom_isoforms), rows, fmt)


def _entries(lines: pl.DataFrame, fmt: AnnotationFormat, path: Path) -> pl.DataFrame:
    """One row per annotation entry (``k``: its order, ``entry``: its text) with its fields
    (:func:`_with_fields`), its field count checked against the header's."""
    col = pl.col
    # CSQ=. is VCF's missing value; htslib reads an empty "CSQ=" as a flag, printed "1"
    missing = ["", "."] + (["1"] if len(fmt.names) > 1 else [])
    annotated = lines.filter(col("ann").is_not_null() & ~col("ann").is_in(missing))
    entries = annotated.select("line", "n_alts", entry=col("ann").str.split(",")).explode("entry")
    n_fields = len(fmt.names)

    def where(line: int) -> tuple[str, str]:
        return lines.filter(col("line") == line).select("chrom", "pos").row(0)

    if fmt.kind == "eff":
        entries = entries.filter(col("entry") != "")
        as_fields = {}
        for text, line in entries.select("entry", "line").iter_rows():
            if text not in as_fields:
                try:
                    as_fields[text] = _eff_as_fields(text, n_fields)
                except MalformedAnnotation as exc:
                    raise _malformed(path, fmt, *where(line), str(exc)) from None
        entries = entries.with_columns(col("entry").replace_strict(as_fields))
    entries = _with_fields(entries.with_row_index("k"), fmt)
    bad = entries.filter(col("n_fields") != n_fields)
    if bad.height:
        line, text = bad.select("line", "entry").row(0)
        raise _malformed(
            path,
            fmt,
            *where(line),
            f"{fmt.info_key} entry has {text.count('|') + 1} '|'-separated fields but the "
            f"header Format lists {n_fields}: {text[:120]!r}",
        )
    return entries


def _malformed(path: Path, fmt: AnnotationFormat, chrom: str, pos: str, message: str):
    return InputError.one(
        str(path),
        message,
        where=f"record {chrom}:{pos}",
        column=f"INFO/{fmt.info_key}",
        hint="re-run the annotator, or fix the header Format to match the records",
    )


def _with_fields(entries: pl.DataFrame, fmt: AnnotationFormat) -> pl.DataFrame:
    """``entries`` with each entry's fields of ``_SLOTS`` and population AFs (``af0``...)
    and its field count (``n_fields``) as columns. Fields far from an entry's end are read
    with one regex that stops at the last of them (a long tail, such as a protein sequence,
    is never copied); when they run to near its end a split is faster, and counts too."""
    wanted = {fmt.index[slot]: slot for slot in _SLOTS if slot in fmt.index}
    wanted |= {index: f"af{k}" for k, index in enumerate(fmt.af_indices)}
    last = max(wanted, default=len(fmt.names))  # nothing wanted: only the count
    if 3 * (last + 1) > 2 * len(fmt.names):
        parts = pl.col("entry").str.split("|")  # split once (lazy: common subexpression)
        fields = (parts.list.get(i, null_on_oob=True).alias(name) for i, name in wanted.items())
        return entries.lazy().with_columns(*fields, n_fields=parts.list.len()).collect()
    groups = [f"(?<{wanted[i]}>[^|]*)" if i in wanted else "[^|]*" for i in range(last + 1)]
    pattern = "^" + r"\|".join(groups)
    fields = pl.col("entry").str.extract_groups(pattern).alias("_fields")
    separators = pl.col("entry").str.count_matches("|", literal=True)
    return entries.with_columns(fields, n_fields=separators + 1).unnest("_fields")


def _field(fmt: AnnotationFormat, slot: str) -> pl.Expr:
    """One field :func:`_with_fields` read ("" when the format has no such field)."""
    return pl.col(slot) if slot in fmt.index else pl.lit("")


def _ranked(entries: pl.DataFrame, fmt: AnnotationFormat) -> tuple[pl.DataFrame, set[str]]:
    """The fields the choice needs, and each entry's rank (lower is preferred)."""
    col = pl.col
    allele_num = _field(fmt, "allele_num")
    details = [_field(fmt, slot).alias(slot) for slot in _DETAIL_SLOTS]
    entries = entries.select(
        "k",
        "line",
        "n_alts",
        *details,
        *(f"af{k}" for k in range(len(fmt.af_indices))),
        allele=_field(fmt, "allele") if fmt.has_allele else pl.lit(None, pl.String),
        num=pl.when(allele_num.str.contains(r"^\d+$")).then(
            allele_num.cast(pl.Int64, strict=False)
        ),
        terms=_field(fmt, "consequence"),
        symbol=_field(fmt, "symbol"),
        feature=_field(fmt, "feature"),
        canonical=_field(fmt, "canonical") == "YES",
        biotype=_field(fmt, "biotype"),
        length=_field(fmt, "cdna_position")
        .str.extract(r"(?:^|/)(\d+)$")
        .cast(pl.Int64, strict=False),
    )
    summary, unknown = _consequences(entries["terms"].unique().to_list())
    entries = entries.join(summary, on="terms", how="left")
    longest = (1 << _LENGTH_BITS) - 1
    shorter = longest - col("length").fill_null(0).clip(0, longest)
    biotype = col("biotype").replace_strict(
        rules.BIOTYPE_PRIORITY, default=rules.UNKNOWN_BIOTYPE_PRIORITY, return_dtype=pl.Int64
    )
    # one integer: biotype, severity, shorter transcripts, entry order (bits never overlap)
    rank = (
        biotype * (1 << 55) + col("priority") * (1 << 50) + shorter * (1 << _K_BITS)
        + col("k").cast(pl.Int64)
    )  # fmt: skip
    return entries.with_columns(rank=rank), unknown


def _consequences(values: list[str]) -> tuple[pl.DataFrame, set[str]]:
    """Per distinct Consequence text: its most severe term and that term's priority, and
    all its terms sorted by priority (the MAF's all_consequences)."""
    worst, priority, ordered, unknown = [], [], [], set()
    for text in values:
        terms = [t for t in text.split("&") if t]
        unknown.update(t for t in terms if t not in rules.EFFECT_PRIORITY)
        most = rules.most_severe(terms)
        worst.append(most)
        priority.append(rules.effect_priority(most))
        ordered.append(",".join(sorted(terms, key=rules.effect_priority)) or most)
    frame = pl.DataFrame(
        {"terms": values, "consequence": worst, "priority": priority, "all_consequences": ordered},
        schema={"terms": pl.String, "consequence": pl.String, "priority": pl.Int64,
                "all_consequences": pl.String},
    )  # fmt: skip
    return frame, unknown


def _per_alt(entries: pl.DataFrame, lines: pl.DataFrame, fmt: AnnotationFormat) -> pl.DataFrame:
    """The entries of each ALT (``ai``, 1-based), as vcf2maf assigns them: by ALLELE_NUM
    when given, else by allele string (VEP's trimmed form, the ALT, its minimal form), else
    to every ALT. On a biallelic record an entry for another ALT number is dropped, and
    entries are kept as they are when they all name one allele or none matches."""
    col = pl.col
    one = entries.filter((col("n_alts") == 1) & (col("num").is_null() | (col("num") == 1)))
    many = entries.filter(col("n_alts") > 1)
    if many.is_empty() and not (fmt.has_allele and _mixed(one).len()):
        return one.with_columns(ai=pl.lit(1, pl.Int64))  # the common block: nothing to match
    if fmt.has_allele:
        # alleles are matched only where it matters: a biallelic record whose entries name
        # several alleles, and multi-allelic records
        one = one.with_columns(mixed=col("line").is_in(_mixed(one).implode()))
        matching = pl.concat([one.filter("mixed").drop("mixed"), many])
        matching = matching.join(_lookup(matching, lines, fmt), on=["line", "allele"], how="left")
        assigned = (col("num") == 1).fill_null(False) | col("matched").is_not_null()
        kept = matching.filter(col("n_alts") == 1)
        kept = kept.filter(assigned | ~assigned.any().over("line"))
        one = pl.concat([one.filter(~col("mixed")).drop("mixed"), kept.drop("matched")])
        many = matching.filter(col("n_alts") > 1)
    one = one.with_columns(ai=pl.lit(1, pl.Int64))
    numbered = many.filter(col("num").is_between(1, col("n_alts"))).with_columns(ai=col("num"))
    unnumbered = many.filter(col("num").is_null())
    if fmt.has_allele:
        unnumbered = unnumbered.filter(col("matched").is_not_null()).with_columns(ai=col("matched"))
        numbered, unnumbered = numbered.drop("matched"), unnumbered.drop("matched")
    else:
        unnumbered = unnumbered.with_columns(ai=pl.int_ranges(1, col("n_alts") + 1)).explode("ai")
    return pl.concat([one, numbered, unnumbered], how="vertical_relaxed")


def _mixed(entries: pl.DataFrame) -> pl.Series:
    """The records whose entries name more than one allele."""
    alleles = entries.group_by("line").agg(pl.col("allele").n_unique() > 1)
    return alleles.filter("allele")["line"]


def _lookup(entries: pl.DataFrame, lines: pl.DataFrame, fmt: AnnotationFormat) -> pl.DataFrame:
    """(line, allele string, ALT number) for the records of ``entries``."""
    records = lines.join(entries.select("line").unique(), on="line").select("line", "ref", "alts")
    keys = [
        (line, allele, number)
        for line, ref, alts in records.iter_rows()
        for allele, number in _allele_lookup(ref, alts.split(","), fmt.kind).items()
    ]
    return pl.DataFrame(
        keys, schema={"line": pl.UInt32, "allele": pl.String, "matched": pl.Int64}, orient="row"
    )


def _choose(entries: pl.DataFrame, custom_isoforms: frozenset[str]) -> pl.DataFrame:
    """The one entry per (line, ai): the tiers of :func:`chosen_effects` as a score put
    before the rank."""
    col = pl.col
    group = ["line", "ai"]
    gene = (
        entries.select(*group, "symbol", "rank")
        .filter(col("symbol") != "")
        .group_by(group)
        .agg(gene=col("symbol").sort_by("rank").first())
    )
    entries = entries.join(gene, on=group, how="left")
    custom = pl.lit(False)
    if custom_isoforms:
        wanted = sorted(custom_isoforms)
        unversioned = col("feature").str.extract(r"^([^.]*)")
        custom = (col("feature") != "") & (col("feature").is_in(wanted) | unversioned.is_in(wanted))
    in_gene = (col("symbol") == col("gene")).fill_null(False)
    named = col("symbol") != ""
    score = (
        pl.when(in_gene & custom).then(0)
        .when(in_gene & col("canonical")).then(1)
        .when(named & custom).then(2)
        .when(named & col("canonical")).then(3)
        .otherwise(4)
    )  # fmt: skip
    entries = entries.with_columns(key=score.cast(pl.Int64) * (1 << 59) + col("rank"))
    best = entries.select(*group, "key").group_by(group).agg(col("key").min())
    return entries.join(best, on=[*group, "key"], how="semi")


def _details(chosen: pl.DataFrame, rows: pl.DataFrame, fmt: AnnotationFormat) -> pl.DataFrame:
    """The table's annotation columns from the chosen entries (vcf2maf's HGVSp_Short,
    protein position and Variant_Classification)."""
    col = pl.col
    chosen = chosen.join(rows.select("line", "ai", "variant_type", "inframe"), on=["line", "ai"])
    chosen = chosen.with_columns(population_af=_population_af(fmt))
    hgvsp = col("hgvsp").str.extract(r"([^:]*)$")
    hgvsp = (
        pl.when(hgvsp.str.starts_with("c."))
        .then(hgvsp.str.replace(r"^.*\((p\.\S+)\)", "${1}"))
        .otherwise(hgvsp)
    )
    chosen = chosen.with_columns(
        hgvsc=col("hgvsc").str.extract(r"([^:]*)$"),
        hgvsp=hgvsp,
        position=col("protein_position"),
    )
    if fmt.kind == "snpeff":  # SnpEff's Rank is the intron number for intronic annotations
        intronic = col("terms").str.split("&").list.contains("intron_variant")
        chosen = chosen.with_columns(exon=pl.when(intronic).then(pl.lit("")).otherwise("exon"))
    elif fmt.kind == "eff":
        # one Amino_Acid_change field: "p.Arg136Cys/c.406C>T", or a one-letter "R136C"
        change = col("aa_change").str.extract(r"^([^/]*)")
        is_hgvs = change.str.starts_with("p.")
        chosen = chosen.with_columns(
            hgvsp=pl.when(is_hgvs).then(change).otherwise(pl.lit("")),
            position=change.str.extract(r"(\d+)").fill_null(""),
            amino_acids=pl.when(is_hgvs).then(pl.lit("")).otherwise(change),
        )
    chosen = _protein_change(chosen)
    short = col("short")
    if fmt.kind == "eff":  # legacy one-letter change such as "R136C"
        short = (
            pl.when((short == "") & (col("amino_acids") != ""))
            .then(pl.concat_str(pl.lit("p."), col("amino_acids")))
            .otherwise(short)
        )
    first_int = col("position").str.extract(r"^(\d+)").cast(pl.Int64, strict=False)
    protein_position = (
        pl.when(first_int.is_null() | (first_int == 0))
        .then(col("splice_position"))
        .otherwise(first_int)
    )
    blank = lambda name: pl.when(col(name) != "").then(col(name))  # noqa: E731
    return chosen.select(
        "line",
        "ai",
        gene=blank("symbol"),
        transcript=blank("feature"),
        hgvsc=blank("hgvsc"),
        hgvsp=blank("hgvsp"),
        hgvsp_short=pl.when(short != "").then(short),
        consequence="consequence",
        variant_class=_variant_class(),
        exon=blank("exon"),
        protein_position=protein_position,
        biotype=blank("biotype"),
        canonical="canonical",
        population_af="population_af",
        all_consequences="all_consequences",
    )


def _protein_change(chosen: pl.DataFrame) -> pl.DataFrame:
    """vcf2maf's HGVSp_Short (``short``) and the protein position it derives for splice
    sites (``splice_position``), from ``hgvsp`` and ``hgvsc`` (without their ``ENSP...:``
    prefixes), ``consequence``, ``position`` and ``amino_acids``."""
    col = pl.col
    short = (
        pl.when(col("hgvsp") != "")
        .then(col("hgvsp").str.replace_many(list(rules.AA3_TO_1), list(rules.AA3_TO_1.values())))
        .otherwise(pl.lit(""))
    )
    # vcf2maf's regex ('.' is any character); negative 5'UTR positions count as 1
    c_position = col("hgvsc").str.extract(r"^c.(\d+)").cast(pl.Int64, strict=False).clip(1)
    splice = col("consequence").is_in(_SPLICE_SITE_TERMS) & c_position.is_not_null()
    splice_position = pl.when(splice).then(
        ((c_position + c_position % 3) / 3).round().cast(pl.Int64)
    )
    chosen = chosen.with_columns(short=short, splice_position=splice_position)
    # vcf2maf finds a silent change's position only in the "123/456" form (--total_length)
    silent = col("position").str.extract(r"^(\d+)(?:-\d+)?/\d+$").fill_null("")
    return chosen.with_columns(
        short=pl.when(col("splice_position").is_not_null())
        .then(pl.format("p.X{}_splice", col("splice_position")))
        .when(col("short") == "p.=")
        .then(pl.concat_str(pl.lit("p."), col("amino_acids"), silent, pl.lit("=")))
        .otherwise(col("short"))
    )


def _population_af(fmt: AnnotationFormat) -> pl.Expr:
    """The largest population allele frequency among an entry's AF fields. Values look like
    "0.01", "0.01&0.02" or, in old VEP GMAF, "T:0.0012&C:0.2" (the number after the last
    colon); text that is not a number is passed over."""
    if not fmt.af_indices:
        return pl.lit(None, pl.Float64)
    number = pl.element().str.replace(r"^.*:", "")
    value = pl.when(number.str.contains(_FLOAT)).then(number.cast(pl.Float64, strict=False))
    fields = (
        pl.col(f"af{k}").str.split("&").list.eval(value).list.max()
        for k in range(len(fmt.af_indices))
    )
    return pl.max_horizontal(*fields)


def _variant_class() -> pl.Expr:
    """vcf2maf ``GetVariantClassification`` of the chosen consequence (rules)."""
    col = pl.col
    fixed = col("consequence").replace_strict(rules.CONSEQUENCE_CLASS, default=None)
    deletion, insertion = col("variant_type") == "DEL", col("variant_type") == "INS"
    frameshift = col("consequence") == "frameshift_variant"
    altering = col("consequence") == "protein_altering_variant"
    inframe = col("inframe")
    return (
        pl.when(fixed.is_not_null()).then(fixed)
        .when((frameshift | (altering & ~inframe)) & deletion).then(pl.lit("Frame_Shift_Del"))
        .when((frameshift | (altering & ~inframe)) & insertion).then(pl.lit("Frame_Shift_Ins"))
        .when(altering & inframe & deletion).then(pl.lit("In_Frame_Del"))
        .when(altering & inframe & insertion).then(pl.lit("In_Frame_Ins"))
        .otherwise(pl.lit(rules.DEFAULT_CLASS))
    )  # fmt: skip
