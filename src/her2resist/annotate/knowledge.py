"""The offline knowledge base: pathways and gene roles, hotspots, protein domains."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from her2resist.errors import InputError

ALTERATION_KINDS = {"mutation", "amplification", "gain", "deep_deletion", "fusion"}
ROLES = {"oncogene", "tsg"}


@dataclass(frozen=True)
class GeneRule:
    gene: str
    role: str
    alterations: frozenset[str]
    pathways: tuple[str, ...]


@dataclass
class Knowledge:
    genes: dict[str, GeneRule]
    pathways: dict[str, list[str]]
    chip_genes: frozenset[str]
    hotspots: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    hotspot_residues: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    domains: pd.DataFrame | None = None
    _domains_by_gene: dict[str, list[tuple[float, float, str]]] | None = field(
        default=None, repr=False, compare=False
    )

    def domain_of(self, gene: str, protein_position: float | None) -> str:
        """Domains (``;``-joined, in table order) of ``gene`` containing the residue."""
        if self.domains is None or protein_position is None or pd.isna(protein_position):
            return ""
        if self._domains_by_gene is None:  # one pass over the table, not a filter per call
            self._domains_by_gene = {}
            for gene_, start, end, domain in zip(
                self.domains["gene"],
                self.domains["start_aa"],
                self.domains["end_aa"],
                self.domains["domain"],
                strict=True,
            ):
                self._domains_by_gene.setdefault(gene_, []).append((start, end, domain))
        return ";".join(
            domain
            for start, end, domain in self._domains_by_gene.get(gene, [])
            if start <= protein_position <= end
        )


def load_pathways(path: str | Path) -> tuple[dict[str, GeneRule], dict[str, list[str]], frozenset]:
    path = Path(path)
    if not path.is_file():
        raise InputError.one(str(path), "pathway definition file not found")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if "pathways" not in data:
        raise InputError.one(
            str(path), "no 'pathways:' mapping", hint="see resources/pathways.yaml"
        )
    memberships: dict[str, list[str]] = {}
    specs: dict[str, dict] = {}
    pathways: dict[str, list[str]] = {}
    for pathway, body in data["pathways"].items():
        genes = (body or {}).get("genes") or {}
        # Informational genes (e.g. GRB7, co-amplified with ERBB2) are annotated but do not
        # make a pathway altered on their own.
        pathways[pathway] = [
            g for g, spec in genes.items() if not (spec or {}).get("informational")
        ]
        for gene, spec in genes.items():
            spec = spec or {}
            role = spec.get("role")
            kinds = set(spec.get("alterations") or [])
            if role not in ROLES:
                raise InputError.one(
                    str(path),
                    f"gene {gene}: role '{role}'",
                    where=f"pathway {pathway}",
                    hint="role must be oncogene or tsg",
                )
            if kinds - ALTERATION_KINDS:
                raise InputError.one(
                    str(path),
                    f"gene {gene}: unknown alteration(s) {sorted(kinds - ALTERATION_KINDS)}",
                    where=f"pathway {pathway}",
                    hint=f"use {sorted(ALTERATION_KINDS)}",
                )
            memberships.setdefault(gene, []).append(pathway)
            specs[gene] = {
                "role": role,
                "alterations": specs.get(gene, {}).get("alterations", set()) | kinds,
            }
    genes = {
        gene: GeneRule(gene, spec["role"], frozenset(spec["alterations"]), tuple(memberships[gene]))
        for gene, spec in specs.items()
    }
    return genes, pathways, frozenset(data.get("chip_genes") or [])


def load_hotspots(path: str | Path) -> tuple[dict, dict]:
    """Exact protein changes, and residue-level hotspots (any change at that residue)."""
    table = pd.read_csv(path, sep="\t", dtype=str, comment="#").fillna("")
    exact: dict[tuple[str, str], dict[str, str]] = {}
    residues: dict[tuple[str, int], dict[str, str]] = {}
    for record in table.to_dict("records"):
        change = record.get("protein_change", "").removeprefix("p.")
        if change and not change[-1].isdigit():
            exact[(record["gene"], change)] = record
        elif record.get("residue", "").strip():
            digits = "".join(ch for ch in record["residue"] if ch.isdigit())
            if digits:
                residues[(record["gene"], int(digits))] = record
    return exact, residues


def load_knowledge(
    pathways: str | Path, hotspots: str | Path, domains: str | Path | None
) -> Knowledge:
    genes, pathway_genes, chip = load_pathways(pathways)
    exact, residues = load_hotspots(hotspots)
    domain_table = None
    if domains and Path(domains).is_file():
        domain_table = pd.read_csv(domains, sep="\t", comment="#")
    return Knowledge(genes, pathway_genes, chip, exact, residues, domain_table)
