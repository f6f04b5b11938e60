"""The offline knowledge base: pathways and gene roles, hotspots, protein domains."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from her2resist.annotate.evidence import EvidenceBase, load_evidence
from her2resist.annotate.protein_change import ProteinChange, parse_protein_change
from her2resist.errors import InputError
from her2resist.vocabulary import ALTERATION_KINDS

ROLES = {"oncogene", "tsg"}


@dataclass(frozen=True)
class GeneRule:
    gene: str
    role: str
    alterations: frozenset[str]
    pathways: tuple[str, ...]


@dataclass
class Hotspots:
    """Cancer Hotspots rows by how they match (see :meth:`match`)."""

    exact: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    residues: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    # Splice-site hotspots (residue ``X187``): a splice variant at that residue.
    splice: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    # In-frame indel hotspots (residue ``772-775``): gene -> [(start, end, row)].
    ranges: dict[str, list[tuple[int, int, dict[str, str]]]] = field(default_factory=dict)

    def match(
        self, gene: str, protein_change: str, variant_class: str, position: int | None = None
    ) -> tuple[dict, str] | None:
        """(row, how it matched) of the hotspot a mutation hits, or None.

        - ``exact``: the protein change is listed (``H1047R``, ``Y772_A775dup``);
        - ``residue``: a missense at a listed residue (any change at E545);
        - ``delins_at_residue``: an in-frame delins replacing one listed residue
          (``G776delinsVC`` at ERBB2 G776): the residue is substituted, as in a missense;
        - ``range``: an in-frame deletion, insertion, duplication or delins whose protein
          positions overlap an in-frame indel hotspot (``A775_G776insYVMA`` in 772-775);
          a missense inside a range is not a hotspot unless its residue is listed;
        - ``splice``: a splice-site variant at a splice hotspot (``X187_splice``).

        ``position`` (the table's ``protein_position``) stands in for a missing protein change,
        so a missense at a hotspot residue still matches."""
        change = str(protein_change or "").removeprefix("p.")
        if (gene, change) in self.exact:
            return self.exact[(gene, change)], "exact"
        parsed = parse_protein_change(change)
        if parsed is None and position is not None and variant_class == "Missense_Mutation":
            parsed = ProteinChange(position, position, "substitution")
        if parsed is None or variant_class in {"Silent", "Frame_Shift_Del", "Frame_Shift_Ins"}:
            return None
        if variant_class == "Splice_Site" or parsed.kind == "splice":
            hit = self.splice.get((gene, parsed.start))
            return (hit, "splice") if hit else None
        if parsed.kind == "substitution" and variant_class == "Missense_Mutation":
            hit = self.residues.get((gene, parsed.start))
            return (hit, "residue") if hit else None
        if not parsed.in_frame_indel:
            return None
        if parsed.kind == "delins" and parsed.start == parsed.end:
            hit = self.residues.get((gene, parsed.start))
            if hit:
                return hit, "delins_at_residue"
        for start, end, row in self.ranges.get(gene, []):
            if parsed.overlaps(start, end):
                return row, "range"
        return None


@dataclass
class Knowledge:
    genes: dict[str, GeneRule]
    pathways: dict[str, list[str]]
    chip_genes: frozenset[str]
    hotspots: Hotspots = field(default_factory=Hotspots)
    domains: pd.DataFrame | None = None
    evidence: EvidenceBase | None = None
    _domains_by_gene: dict[str, list[tuple[float, float, str]]] | None = field(
        default=None, repr=False, compare=False
    )

    def domain_of(self, gene: str, protein_position: float | None) -> str:
        """Domains (``;``-joined, in table order) of ``gene`` containing the residue."""
        if self.domains is None or protein_position is None or pd.isna(protein_position):
            return ""
        if self._domains_by_gene is None:  # one pass over the table, not a filter per call
            self._domains_by_gene = {}
            table = self.domains[["gene", "start_aa", "end_aa", "domain"]]
            for gene_, start, end, domain in table.itertuples(index=False):
                self._domains_by_gene.setdefault(gene_, []).append((start, end, domain))
        return ";".join(
            domain
            for start, end, domain in self._domains_by_gene.get(gene, [])
            if start <= protein_position <= end
        )


def load_pathways(path: str | Path) -> tuple[dict[str, GeneRule], dict[str, list[str]], frozenset]:
    path = Path(path)
    if not path.is_file():
        raise InputError.one(path, "pathway definition file not found")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if "pathways" not in data:
        raise InputError.one(path, "no 'pathways:' mapping", hint="see resources/pathways.yaml")
    genes: dict[str, GeneRule] = {}
    pathways: dict[str, list[str]] = {}
    for pathway, body in data["pathways"].items():
        members = (body or {}).get("genes") or {}
        # Informational genes (e.g. GRB7, co-amplified with ERBB2) are annotated but do not
        # make a pathway altered on their own.
        pathways[pathway] = [
            g for g, spec in members.items() if not (spec or {}).get("informational")
        ]
        for gene, spec in members.items():
            spec = spec or {}
            role = spec.get("role")
            kinds = set(spec.get("alterations") or [])
            if role not in ROLES:
                raise InputError.one(
                    path,
                    f"gene {gene}: role '{role}'",
                    where=f"pathway {pathway}",
                    hint="role must be oncogene or tsg",
                )
            if kinds - ALTERATION_KINDS:
                raise InputError.one(
                    path,
                    f"gene {gene}: unknown alteration(s) {sorted(kinds - ALTERATION_KINDS)}",
                    where=f"pathway {pathway}",
                    hint=f"use {sorted(ALTERATION_KINDS)}",
                )
            # a gene in several pathways: the last role, every alteration and pathway
            seen = genes.get(gene, GeneRule(gene, role, frozenset(), ()))
            genes[gene] = GeneRule(gene, role, seen.alterations | kinds, (*seen.pathways, pathway))
    return genes, pathways, frozenset(data.get("chip_genes") or [])


HOTSPOT_COLUMNS = ("gene", "protein_change", "residue", "type", "reference", "source")
_RESIDUE = re.compile(r"^(?P<aa>[A-Z*]?)(?P<position>\d+)$")
_RANGE = re.compile(r"^(?P<start>\d+)-(?P<end>\d+)$")


def load_hotspots(path: str | Path) -> Hotspots:
    """Exact protein changes, residue-level hotspots (any missense at that residue), splice-site
    residues and in-frame indel ranges. A row that cannot be read is an error naming the line."""
    path = Path(path)
    if not path.is_file():
        raise InputError.one(path, "hotspot table not found", hint="see resources/hotspots.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t") if lines else []
    missing = [c for c in HOTSPOT_COLUMNS if c not in header]
    if missing:
        raise InputError.one(
            path, f"no column(s) {missing}", where=1, hint=f"columns {list(HOTSPOT_COLUMNS)}"
        )
    hotspots = Hotspots()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        values = line.split("\t")
        if len(values) != len(header):
            raise InputError.one(
                path,
                f"{len(values)} fields, the header has {len(header)}",
                where=number,
                hint="one tab-separated value per column",
            )
        record = dict(zip(header, (v.strip() for v in values), strict=True))
        gene, residue = record["gene"], record["residue"]
        change = record["protein_change"].removeprefix("p.")
        residue_match, range_match = _RESIDUE.match(residue), _RANGE.match(residue)
        if range_match and int(range_match["start"]) <= int(range_match["end"]):
            span = (int(range_match["start"]), int(range_match["end"]), record)
            hotspots.ranges.setdefault(gene, []).append(span)
        elif not (gene and residue_match):
            raise InputError.one(
                path,
                f"hotspot row {gene or '(no gene)'} {change}: residue {residue!r} is neither a "
                "residue (E545, X187) nor a range (772-775)",
                where=number,
                column="residue",
                hint="give a residue such as E545 or a start-end range of protein positions",
            )
        elif change and change != residue:
            hotspots.exact[(gene, change)] = record
        elif residue_match["aa"] == "X":
            hotspots.splice[(gene, int(residue_match["position"]))] = record
        else:
            hotspots.residues[(gene, int(residue_match["position"]))] = record
    return hotspots


def load_knowledge(
    pathways: str | Path,
    hotspots: str | Path,
    domains: str | Path | None,
    evidence: str | Path | None = None,
) -> Knowledge:
    genes, pathway_genes, chip = load_pathways(pathways)
    hotspot_table = load_hotspots(hotspots)
    domain_table = None
    if domains and Path(domains).is_file():
        domain_table = pd.read_csv(domains, sep="\t", comment="#")
    evidence_base = load_evidence(evidence) if evidence else None
    return Knowledge(genes, pathway_genes, chip, hotspot_table, domain_table, evidence_base)


def knowledge_from(config: dict[str, Any]) -> Knowledge:
    """The knowledge base, plus the configured biomarker genes that no pathway lists
    (e.g. FLT3 or NPM1 in a leukaemia cohort): their mutations count by hotspot, or as
    protein-changing under ``altered_if: nonsynonymous``."""
    knowledge = load_knowledge(
        config["pathways"],
        config["hotspots"],
        config.get("protein_domains"),
        config.get("civic_evidence"),
    )
    for gene in config["biomarkers"]["genes"]:
        if gene not in knowledge.genes:
            knowledge.genes[gene] = GeneRule(gene, "unknown", frozenset({"mutation"}), ())
    return knowledge


def panel_regions(config: dict[str, Any]) -> list[tuple[str, int, int]]:
    """Regions of every pathway and CHIP gene, for indexed reads of large VCFs."""
    knowledge = knowledge_from(config)
    genes = pd.read_csv(config["gene_coordinates"], sep="\t", dtype={"chrom": str})
    wanted = genes[genes["gene"].isin(set(knowledge.genes) | knowledge.chip_genes)]
    return list(
        zip(wanted["chrom"], wanted["start"].astype(int), wanted["end"].astype(int), strict=True)
    )
