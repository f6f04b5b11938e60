"""CIViC predictive evidence for anti-HER2 drugs, matched to alterations by CIViC's variant names.

A CIViC variant name is read as one of:
- ``exact``: a protein change (``H1047R``, ``Y772_A775DUP``, ``S310F/Y`` = either), compared
  without case (CIViC writes ``DUP``/``DELINS`` in capitals);
- ``codon``: a residue without a change (``V600``): any missense at it;
- ``exon``: ``Exon 20 Insertion`` (in-frame insertion), ``Exon 19 Deletion`` (in-frame
  deletion), ``Exon 21 Mutation`` (any protein change), by the variant's ``exon`` (VEP ``20/27``);
- ``gene``: ``Mutation`` and ``Activating Mutation`` (a protein change called oncogenic:
  hotspot, oncogenic or likely oncogenic; a VUS does not inherit gene-level evidence),
  ``Truncating Mutation``, ``Kinase Domain Mutation`` (such a change in a ``kinase`` domain of
  ``resources/protein_domains.tsv``), ``Amplification`` (amplification), ``Loss`` and
  ``Deletion`` (deep deletion), ``Fusion`` (a fusion row of the gene; with both partners
  named, ``A::B``, the same pair).
Anything else is not matched, with the reason: expression, protein or serum levels (not
measured by DNA sequencing), wild type (an absence, not an alteration), a profile that
combines variants with AND / NOT (needs the patient's combination, not one call), or a name
this reader does not understand.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from her2resist.annotate.protein_change import parse_protein_change
from her2resist.errors import InputError
from her2resist.vocabulary import NONSYNONYMOUS, TRUNCATING

EVIDENCE_COLUMNS = [
    "evidence_id",
    "molecular_profile",
    "variants",
    "match",
    "unmatched_reason",
    "disease",
    "therapies",
    "therapy_interaction_type",
    "significance",
    "direction",
    "level",
    "rating",
    "pmid",
    "citation",
    "variant_origin",
]
RESISTANCE = {"Resistance", "Reduced Sensitivity"}
SENSITIVITY = {"Sensitivity/Response"}
LEVELS = "ABCDE"  # CIViC evidence levels, strongest first
GENE_CLASSES = {
    "mutation": "mutation",
    "activating mutation": "activating_mutation",
    "truncating mutation": "truncating_mutation",
    "kinase domain mutation": "kinase_domain_mutation",
    "amplification": "amplification",
    "loss": "deep_deletion",
    "deletion": "deep_deletion",
    "fusion": "fusion",
}
EXON_CLASSES = {
    "insertion": {"In_Frame_Ins"},
    "deletion": {"In_Frame_Del"},
    "mutation": NONSYNONYMOUS,
}
NOT_DNA = re.compile(
    r"expression|overexpression|underexpression|serum|level|translocation|mislocali|"
    r"methylation|phosphorylation|localization",
    re.IGNORECASE,
)
_EXON = re.compile(r"^exon (\d+) (insertion|deletion|mutation)$", re.IGNORECASE)
_CODON = re.compile(r"^[A-Z](\d+)$")
_EXACT = re.compile(r"^[A-Z*]\d+(_[A-Z*]\d+)?[A-Z*]*(DUP|DEL|INS|DELINS)?[A-Z*]*$")


@dataclass(frozen=True)
class VariantRule:
    """How one CIViC variant matches an alteration (``kind`` ``unmatched``: never)."""

    gene: str
    kind: str  # exact | codon | exon | gene | unmatched
    value: str = ""
    partners: tuple[str, ...] = ()
    reason: str = ""

    def matches(self, alteration: dict) -> bool:
        if alteration.get("gene") not in (self.partners or (self.gene,)):
            return False
        kind_of_call = str(alteration.get("alteration_type") or "")
        variant_class = str(alteration.get("variant_class") or "")
        change = str(alteration.get("hgvsp_short") or "").removeprefix("p.").upper()
        if self.kind == "exact":
            return kind_of_call == "mutation" and change in self.value.split("/")
        if self.kind == "codon":
            parsed = parse_protein_change(change)
            return (
                variant_class == "Missense_Mutation"
                and parsed is not None
                and parsed.start == int(self.value)
            )
        if self.kind == "exon":
            number, which = self.value.split(":")
            exon = str(alteration.get("exon") or "").split("/")[0].strip()
            return exon == number and variant_class in EXON_CLASSES[which]
        return self.kind == "gene" and _gene_class_matches(self, alteration, variant_class)


def _gene_class_matches(rule: VariantRule, alteration: dict, variant_class: str) -> bool:
    kind_of_call = str(alteration.get("alteration_type") or "")
    if rule.value in {"amplification", "deep_deletion"}:
        return kind_of_call == rule.value
    if rule.value == "fusion":
        pair = str(alteration.get("alteration") or "")
        named = tuple(pair.split("::")) if "::" in pair else ()
        return kind_of_call == "fusion" and (
            not named or not rule.partners or named == rule.partners
        )
    # Gene-level mutation classes carry evidence about pathogenic mutations: a VUS or a
    # polymorphism (ERBB2 I655V) does not inherit it.
    oncogenic = str(alteration.get("oncogenicity")) in {"hotspot", "oncogenic", "likely_oncogenic"}
    if kind_of_call != "mutation" or variant_class not in NONSYNONYMOUS or not oncogenic:
        return False
    if rule.value == "truncating_mutation":
        return variant_class in TRUNCATING
    if rule.value == "kinase_domain_mutation":
        return "kinase" in str(alteration.get("domain") or "")
    return True  # mutation, activating_mutation


def variant_rule(gene: str, name: str, partners: tuple[str, ...] = ()) -> VariantRule:
    """Read one CIViC variant name (see the module docstring)."""
    text = name.strip()
    lower = text.lower()
    if lower in GENE_CLASSES:
        return VariantRule(gene, "gene", GENE_CLASSES[lower], partners)
    if exon := _EXON.match(text):
        return VariantRule(gene, "exon", f"{exon[1]}:{exon[2].lower()}")
    if codon := _CODON.match(text):
        return VariantRule(gene, "codon", codon[1])
    upper = text.upper()
    if all(_EXACT.match(part) for part in _alternatives(upper)):
        return VariantRule(gene, "exact", "/".join(_alternatives(upper)))
    if NOT_DNA.search(text):
        reason = "expression, protein or serum level: not measured by DNA sequencing"
    elif lower in {"wildtype", "wild type"}:
        reason = "wild type: an absence of alterations, not an alteration"
    else:
        reason = "variant name not understood by the matcher"
    return VariantRule(gene, "unmatched", reason=reason)


def _alternatives(change: str) -> list[str]:
    """``S310F/Y`` -> [S310F, S310Y]; other names unchanged."""
    head, _, tail = change.partition("/")
    if tail and re.fullmatch(r"[A-Z*]\d+[A-Z*]", head) and re.fullmatch(r"[A-Z*]", tail):
        return [head, head[:-1] + tail]
    return [change]


@dataclass
class EvidenceItem:
    record: dict[str, str]
    rules: list[VariantRule] = field(default_factory=list)

    @property
    def eid(self) -> int:
        return int(self.record["evidence_id"].removeprefix("EID"))

    def matches(self, alteration: dict) -> bool:
        return self.record["match"] != "unmatched" and any(
            r.matches(alteration) for r in self.rules
        )


def parse_variants(text: str) -> tuple[list[tuple[str, str, tuple[str, ...]]], str]:
    """``variants`` column -> ([(gene, variant name, fusion partners)], operator)."""
    operator = "AND" if " AND " in text else ("OR" if " OR " in text else "")
    parts = re.split(r" (?:AND|OR) ", text) if operator else [text]
    out = []
    for part in parts:
        gene, _, name = part.strip().partition(":")
        partners = tuple(gene.split("::")) if "::" in gene else ()
        out.append((gene, name, partners))
    return out, operator


@dataclass
class EvidenceBase:
    items: list[EvidenceItem]

    @functools.cached_property
    def _by_gene(self) -> dict[str, list[EvidenceItem]]:
        """Items by the genes their rules name (a rule matches its genes' calls only): a
        cohort's thousands of calls are each checked against their gene's items."""
        index: dict[str, list[EvidenceItem]] = {}
        for item in self.items:
            for gene in dict.fromkeys(g for r in item.rules for g in (r.partners or (r.gene,))):
                index.setdefault(gene, []).append(item)
        return index

    def matching(self, alteration: dict) -> list[EvidenceItem]:
        candidates = self._by_gene.get(alteration.get("gene"), [])  # type: ignore[arg-type]
        return sorted(
            (item for item in candidates if item.matches(alteration)), key=lambda i: i.eid
        )

    def summary(self, alteration: dict) -> dict[str, str]:
        """:func:`summarise` of the matching items, worked out once per distinct call (a
        cohort has the same amplification hundreds of times): the rules read only
        ``MATCHED_FIELDS``, each as text."""
        key = tuple(str(alteration.get(f)) for f in MATCHED_FIELDS)
        if key not in self._summaries:
            self._summaries[key] = summarise(self.matching(alteration))
        return dict(self._summaries[key])

    @functools.cached_property
    def _summaries(self) -> dict[tuple[str, ...], dict[str, str]]:
        return {}


#: what VariantRule.matches reads of an alteration
MATCHED_FIELDS = ("gene", "alteration_type", "alteration", "variant_class", "hgvsp_short")
MATCHED_FIELDS += ("exon", "oncogenicity", "domain")


def load_evidence(path: str | Path) -> EvidenceBase:
    """The evidence table written by ``resources/build_civic_evidence.py``."""
    path = Path(path)
    if not path.is_file():
        raise InputError.one(
            path, "evidence table not found", hint="see resources/README.md (CIViC)"
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [(n, line) for n, line in enumerate(lines, start=1) if not line.startswith("#")]
    if not body or body[0][1].split("\t") != EVIDENCE_COLUMNS:
        raise InputError.one(
            path,
            "not an evidence table of this workflow (header differs)",
            where=body[0][0] if body else 1,
            hint=f"columns {EVIDENCE_COLUMNS}; rebuild with resources/build_civic_evidence.py",
        )
    items = []
    for number, line in body[1:]:
        values = line.split("\t")
        record = dict(zip(EVIDENCE_COLUMNS, values, strict=False))
        problem = _row_problem(record, len(values))
        if problem:
            raise InputError.one(
                path,
                f"evidence row {record.get('evidence_id', '')}: {problem}",
                where=number,
                hint="rebuild with resources/build_civic_evidence.py",
            )
        variants, _ = parse_variants(record["variants"])
        items.append(EvidenceItem(record, [variant_rule(*variant) for variant in variants]))
    return EvidenceBase(items)


def _row_problem(record: dict[str, str], n_values: int) -> str:
    if n_values != len(EVIDENCE_COLUMNS):
        return f"{n_values} fields, the header has {len(EVIDENCE_COLUMNS)}"
    if not re.fullmatch(r"EID\d+", record["evidence_id"]):
        return f"evidence_id {record['evidence_id']!r} is not EID<number>"
    if record["level"] not in LEVELS:
        return f"level {record['level']!r} is not one of A-E"
    if not record["variants"] or ":" not in record["variants"]:
        return f"variants {record['variants']!r} is not gene:variant"
    return ""


def therapy_names(text: str) -> list[str]:
    """CIViC's comma-joined therapies as names (``HER2 Inhibitor CP-724,714`` stays one)."""
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if part.isdigit() and names:
            names[-1] += f",{part}"
        elif part:
            names.append(part)
    return names


def _strongest(items: list[EvidenceItem]) -> EvidenceItem | None:
    return min(
        items,
        key=lambda i: (LEVELS.index(i.record["level"]), -int(i.record["rating"] or 0), i.eid),
        default=None,
    )


def summarise(items: list[EvidenceItem]) -> dict[str, str]:
    """Columns for one alteration: ``evidence`` (every matching EID), the strongest level
    of supporting resistance and sensitivity evidence, the drugs, the PubMed ids of supporting
    resistance evidence (``resistance_evidence``) and the strongest item in words."""
    supports = [i for i in items if i.record["direction"] == "Supports"]
    resistance = [i for i in supports if i.record["significance"] in RESISTANCE]
    sensitivity = [i for i in supports if i.record["significance"] in SENSITIVITY]
    strongest = _strongest(resistance + sensitivity)
    drugs = sorted({t for i in items for t in therapy_names(i.record["therapies"])})
    return {
        "evidence": ";".join(i.record["evidence_id"] for i in items),
        "evidence_resistance_level": (_strongest(resistance) or _NONE).record["level"],
        "evidence_sensitivity_level": (_strongest(sensitivity) or _NONE).record["level"],
        "evidence_drugs": ";".join(drugs),
        "resistance_evidence": ";".join(
            dict.fromkeys(f"PMID:{i.record['pmid']}" for i in resistance if i.record["pmid"])
        ),
        "evidence_strongest": describe(strongest) if strongest else "",
    }


def describe(item: EvidenceItem) -> str:
    """``Resistance (level B, Supports): Trastuzumab in Breast Cancer; PMID:123 (EID456)``."""
    r = item.record
    source = f"PMID:{r['pmid']}" if r["pmid"] else r["citation"]
    return (
        f"{r['significance']} (level {r['level']}, {r['direction']}): {r['therapies']} in "
        f"{r['disease']}; {source} ({r['evidence_id']})"
    )


def strongest_by_gene(alterations: pd.DataFrame) -> dict[str, str]:
    """Gene -> ``evidence_strongest`` of its strongest counted alteration in the cohort (the
    best of its resistance and sensitivity levels), for the biomarker table."""
    if "evidence_strongest" not in alterations or not len(alterations):
        return {}
    counted = alterations[
        alterations["counts_as_altered"].astype(str).str.lower().isin({"true", "1"})
        & alterations["evidence_strongest"].fillna("").astype(str).ne("")
    ]
    best: dict[str, tuple[int, str]] = {}
    for row in counted.to_dict("records"):
        levels = [
            LEVELS.index(str(row[c]))
            for c in ("evidence_resistance_level", "evidence_sensitivity_level")
            if str(row.get(c) or "") in set(LEVELS)
        ]
        rank = (min(levels) if levels else len(LEVELS), str(row["evidence_strongest"]))
        if row["gene"] not in best or rank < best[row["gene"]]:
            best[row["gene"]] = rank
    return {gene: text for gene, (_, text) in best.items()}


_NONE = EvidenceItem({"level": ""})
EVIDENCE_SUMMARY_COLUMNS = list(summarise([]))
