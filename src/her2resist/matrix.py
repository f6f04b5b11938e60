"""Gene and pathway status per patient and timepoint: altered, wild_type or not_evaluable.

Evaluability is per sample, per gene and per alteration kind (mutation, copy-number gain,
deletion, fusion); the rules are in docs/design.md (Evaluability). In short: a sample is
evaluable for a kind when it passed QC, has the calls for that kind (variant, copy-number or
SV file) and its assay covers the gene (the sheet's ``panel``/``cnv_panel``/``sv_panel``, or
the genes a gene-level copy-number table lists for it); a plasma sample without detectable
tumour DNA is evaluable for nothing. A patient is wild type for a gene only when the pooled
samples were evaluable for every listed kind of that gene that the study measured at all; a
failed, missing or uncovered sample therefore never makes a patient "wild type".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from her2resist.annotate.knowledge import Knowledge
from her2resist.panels import read_panel
from her2resist.tables import cell_text, read_stage_tables, with_file
from her2resist.vocabulary import ALTERED, BASELINE, CTDNA, NOT_EVALUABLE, WILD_TYPE

# The measurement each listed alteration kind needs (pathways.yaml kind -> evaluability kind).
MEASUREMENT = {
    "mutation": "mutation",
    "amplification": "copy_number",
    "gain": "copy_number",
    "deep_deletion": "deletion",
    "fusion": "fusion",
}
MEASUREMENTS = ("mutation", "copy_number", "deletion", "fusion")
ALL_GENES = None  # coverage value: the assay covers every gene


@dataclass
class Coverage:
    """Per sample and measurement, the genes covered (``ALL_GENES`` = every gene); a
    measurement missing from ``genes`` was not made for the sample. ``evaluable`` adds the
    sample's own limits (plasma without tumour DNA, too dilute for deletions)."""

    genes: dict[str, frozenset[str] | None] = field(default_factory=dict)
    evaluable: set[str] = field(default_factory=set)
    reason: str = ""  # why the sample is evaluable for nothing, if it is not

    def covers(self, measurement: str, gene: str) -> bool:
        if measurement not in self.genes:
            return False
        panel = self.genes[measurement]
        return panel is ALL_GENES or gene.partition(":")[0] in panel

    def can_call(self, measurement: str, gene: str) -> bool:
        return measurement in self.evaluable and self.covers(measurement, gene)


def no_tumour_dna(
    samples: pd.DataFrame,
    tumour_fraction: pd.DataFrame | None,
    alterations: pd.DataFrame | None,
    min_for_mutations: float,
) -> pd.Series:
    """Per sample (index of ``samples``): why a plasma sample shows no tumour DNA ("" when it
    does): a tumour fraction below ``min_for_mutations``, or no estimate at all (no clonal
    somatic SNV, no sheet purity) and no call that passed every filter. Tissue is always "",
    as is every sample when no tumour-fraction table is given."""
    reasons = pd.Series("", index=samples.index, dtype=object)
    if tumour_fraction is None or not len(tumour_fraction):
        return reasons
    estimate = samples["sample_id"].map(
        pd.to_numeric(tumour_fraction.set_index("sample_id")["estimate"], errors="coerce")
    )
    somatic: set[str] = set()
    if alterations is not None and len(alterations):
        passed = alterations["filter_status"].astype(str).eq("PASS")
        somatic = set(alterations.loc[passed, "sample_id"].astype(str))
    plasma = samples["specimen"].eq(CTDNA)
    low = plasma & estimate.lt(min_for_mutations)
    unknown = plasma & estimate.isna() & ~samples["sample_id"].astype(str).isin(somatic)
    reasons[low] = [
        f"plasma tumour fraction {value:.3g} below tumour_fraction.min_for_mutations "
        f"{min_for_mutations:g}"
        for value in estimate[low]
    ]
    reasons[unknown] = "plasma without tumour fraction estimate or somatic call"
    return reasons


def sample_coverage(
    samples: pd.DataFrame,
    tumour_fraction: pd.DataFrame | None = None,
    *,
    alterations: pd.DataFrame | None = None,
    gene_coordinates: str | Path | None = None,
    cnv_genes: Mapping[str, frozenset[str]] | None = None,
    min_for_mutations: float = 0.01,
) -> dict[str, Coverage]:
    """Coverage of every sample of the sheet (see :class:`Coverage` and docs/design.md).

    ``cnv_genes``: per sample with a gene-level copy-number table (``cnv_format``
    gene_table), the genes its table has a value for: those are the genes measured."""
    frame = _sample_flags(samples, tumour_fraction)
    no_tumour = no_tumour_dna(frame, tumour_fraction, alterations, min_for_mutations)
    cnv_genes = cnv_genes or {}
    coverage: dict[str, Coverage] = {}
    for index, sample in zip(frame.index, frame.to_dict("records"), strict=True):
        sid = str(sample["sample_id"])

        def panel_of(*columns: str, sample: dict = sample) -> frozenset[str] | None:
            for column in columns:
                path = cell_text(sample.get(column))
                if path:
                    return read_panel(path, gene_coordinates or "")
            return ALL_GENES

        entry = Coverage()
        if sample["passed"] and sample["has_variant_file"]:
            entry.genes["mutation"] = panel_of("panel")
        if sample["passed"] and sample["has_cnv_file"]:
            if cell_text(sample.get("cnv_panel")) or sid not in cnv_genes:
                genes = panel_of("cnv_panel", "panel")
            else:
                genes = cnv_genes[sid]
            entry.genes["copy_number"] = entry.genes["deletion"] = genes
        if sample["passed"] and cell_text(sample.get("sv_file")):
            entry.genes["fusion"] = panel_of("sv_panel", "panel")
        entry.reason = no_tumour[index] or ("" if sample["passed"] else "failed QC")
        if not no_tumour[index]:
            entry.evaluable = set(entry.genes)
            if not sample["deletion_ok"]:
                entry.evaluable.discard("deletion")
        coverage[sid] = entry
    return coverage


SAMPLE_EVALUABILITY_COLUMNS = [
    "patient_id",
    "sample_id",
    "specimen",
    "timepoint",
    *MEASUREMENTS,
    "reason",
]


def coverage_table(samples: pd.DataFrame, coverage: Mapping[str, Coverage]) -> pd.DataFrame:
    """One row per sample of the sheet: per measurement ``all genes``, ``N genes`` (a panel
    or a gene-level table's rows), ``not measured`` or ``not evaluable`` (measured, but the
    sample cannot show it: no tumour DNA, too dilute for deletions), and the reason."""
    rows = []
    for sample in samples.to_dict("records"):
        entry = coverage[str(sample["sample_id"])]
        row = {k: sample.get(k) for k in ("patient_id", "sample_id", "specimen", "timepoint")}
        for measurement in MEASUREMENTS:
            genes = entry.genes.get(measurement)
            if measurement not in entry.genes:
                row[measurement] = "not measured"
            elif measurement not in entry.evaluable:
                row[measurement] = "not evaluable"
            else:
                row[measurement] = "all genes" if genes is ALL_GENES else f"{len(genes)} genes"
        rows.append(row | {"reason": entry.reason})
    return pd.DataFrame(rows, columns=SAMPLE_EVALUABILITY_COLUMNS)


def _sample_flags(samples: pd.DataFrame, tumour_fraction: pd.DataFrame | None) -> pd.DataFrame:
    """Per sample: passed QC, has variant / copy-number calls, and whether its tumour
    fraction lets it show a deletion (annotate's tumour_fraction.tsv; unknown = yes)."""
    deletion_ok = pd.Series(True, index=samples.index)
    if tumour_fraction is not None and len(tumour_fraction):
        flags = tumour_fraction.set_index("sample_id")["deletion_evaluable"].astype(bool)
        deletion_ok = samples["sample_id"].map(flags).fillna(True).astype(bool)
    return samples.assign(
        passed=samples["qc_status"].fillna("pass").replace("", "pass").eq("pass"),
        has_variant_file=samples["variant_file"].fillna("").astype(str).str.len().gt(0),
        has_cnv_file=samples["cnv_file"].fillna("").astype(str).str.len().gt(0),
        deletion_ok=deletion_ok,
    )


def domain_hits(alterations: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """Counted mutations re-labelled ``GENE:domain`` for every configured domain they fall in.

    ``ERBB2:extracellular`` matches any ERBB2 mutation whose annotated domain contains
    "extracellular" (case-insensitive), so subdomains I-IV all count.
    """
    mutations = alterations[alterations["alteration_type"] == "mutation"]
    domain = mutations["domain"].fillna("").astype(str).str.lower()
    frames = []
    for marker in domains:
        gene, _, label = marker.partition(":")
        hit = (mutations["gene"] == gene) & domain.str.contains(label.lower(), regex=False)
        frames.append(mutations[hit].assign(gene=marker))
    return pd.concat(frames, ignore_index=True) if frames else alterations.iloc[0:0]


def gene_status(
    alterations: pd.DataFrame,
    samples: pd.DataFrame,
    patients: list[str],
    knowledge: Knowledge,
    genes: list[str],
    specimens: list[str],
    domains: list[str] = (),
    tumour_fraction: pd.DataFrame | None = None,
    *,
    gene_coordinates: str | Path | None = None,
    cnv_genes: Mapping[str, frozenset[str]] | None = None,
    min_for_mutations: float = 0.01,
    coverage: Mapping[str, Coverage] | None = None,
) -> pd.DataFrame:
    """Long table: patient_id, timepoint, gene, status, and ``assessed_in_study`` (False for
    a gene none of whose listed kinds any sample of the study measured); ``domains``:
    ``GENE:domain`` markers, evaluable wherever the gene's mutations are. ``coverage``: from
    :func:`sample_coverage` (computed here from the other arguments when not given)."""
    if coverage is None:
        coverage = sample_coverage(
            samples,
            tumour_fraction,
            alterations=alterations,
            gene_coordinates=gene_coordinates,
            cnv_genes=cnv_genes,
            min_for_mutations=min_for_mutations,
        )
    markers = [*genes, *domains]
    needed = {}
    for gene in markers:
        rule = knowledge.genes.get(gene)
        kinds = rule.alterations if rule else frozenset({"mutation"})
        needed[gene] = {MEASUREMENT[k] for k in kinds if k in MEASUREMENT}
    # A measurement no sample of the study made for a gene (e.g. copy number in a
    # mutation-only MAF, MTOR off every panel) does not define that gene's status; a
    # sample lacking a measurement the study did make is not evaluable for it.
    made = {
        gene: {m for m in needed[gene] if any(c.covers(m, gene) for c in coverage.values())}
        for gene in markers
    }
    samples = samples[samples["specimen"].isin(specimens)]
    timepoints = sorted(set(samples["timepoint"]) | {BASELINE})
    counted = alterations[alterations["counts_as_altered"].astype(bool)]
    counted = counted[counted["specimen"].isin(specimens)]
    if domains:
        counted = pd.concat([counted, domain_hits(counted, list(domains))], ignore_index=True)
    altered = set(zip(counted["patient_id"], counted["timepoint"], counted["gene"], strict=True))
    pooled: dict[tuple[str, str], list[Coverage]] = {}
    for patient, timepoint, sid in samples[["patient_id", "timepoint", "sample_id"]].to_numpy():
        pooled.setdefault((patient, timepoint), []).append(coverage[str(sid)])
    rows = []
    for patient in patients:
        for timepoint in timepoints:
            sampled = pooled.get((patient, timepoint))
            if sampled is None and timepoint != BASELINE:
                continue  # no sample at that timepoint: not a row, rather than a wall of NE
            for gene in markers:
                if (patient, timepoint, gene) in altered:
                    status = ALTERED
                elif made[gene] and all(
                    any(c.can_call(m, gene) for c in sampled or []) for m in made[gene]
                ):
                    status = WILD_TYPE
                else:
                    status = NOT_EVALUABLE
                rows.append((patient, timepoint, gene, status, bool(made[gene])))
    return pd.DataFrame(
        rows, columns=["patient_id", "timepoint", "gene", "status", "assessed_in_study"]
    )


def pathway_members(
    genes_long: pd.DataFrame, knowledge: Knowledge, pathways: list[str]
) -> pd.DataFrame:
    """Per patient, timepoint and pathway: the status and which members were evaluated.

    A pathway is altered if any member is; wild type if every member the study assessed is
    wild type; otherwise not evaluable. Members the study did not assess at all (no sample
    measured any of their listed kinds, ``assessed_in_study`` False) are left out of the call
    and listed in ``not_assessed_in_study``, so one gene off every panel neither makes the
    pathway wild type by default nor not evaluable for everyone."""
    assessed = genes_long.get("assessed_in_study", pd.Series(True, index=genes_long.index))
    frame = genes_long[["patient_id", "timepoint", "gene", "status"]]
    frame = frame.assign(assessed=assessed.astype(bool))
    keys = ["patient_id", "timepoint", "pathway"]
    long = pd.concat(
        [
            frame[frame["gene"].isin(knowledge.pathways.get(pathway, []))].assign(pathway=pathway)
            for pathway in pathways
        ]
        or [frame.assign(pathway="")],
        ignore_index=True,
    )
    used = long[long["assessed"]]
    groups = long.groupby(keys, sort=False)
    table = groups.size().rename("n").to_frame()

    def members(rows: pd.DataFrame) -> pd.Series:
        return rows.groupby(keys, sort=False)["gene"].agg(";".join).reindex(table.index)

    for status in (ALTERED, WILD_TYPE, NOT_EVALUABLE):
        table[f"{status}_members"] = members(used[used["status"] == status])
    table["not_assessed_in_study"] = members(long[~long["assessed"]])
    table = table.fillna("")
    n_used = used.groupby(keys, sort=False).size().reindex(table.index, fill_value=0)
    # altered if any assessed member is; wild type if every assessed member is; else not
    # evaluable (also when the study assessed no member at all)
    table["status"] = np.select(
        [table["altered_members"].ne(""), table["not_evaluable_members"].eq("") & n_used.gt(0)],
        [ALTERED, WILD_TYPE],
        NOT_EVALUABLE,
    )
    out = table.reset_index()
    if not pathways:
        out = out.iloc[0:0]
    return out[PATHWAY_MEMBER_COLUMNS].reset_index(drop=True)


PATHWAY_MEMBER_COLUMNS = [
    "patient_id",
    "timepoint",
    "pathway",
    "status",
    "altered_members",
    "wild_type_members",
    "not_evaluable_members",
    "not_assessed_in_study",
]


def pathway_status(
    genes_long: pd.DataFrame,
    knowledge: Knowledge,
    pathways: list[str],
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Wide table: patient_id, timepoint, one column per pathway, n_altered_pathways (the
    call of :func:`pathway_members`, computed here unless ``members`` is given)."""
    keys = pd.MultiIndex.from_frame(genes_long[["patient_id", "timepoint"]].drop_duplicates())
    if members is None:
        members = pathway_members(genes_long, knowledge, pathways)
    frames = [pd.Series(index=keys, dtype=object)]  # keeps every row when no pathway is set
    for pathway in pathways:
        status = members[members["pathway"] == pathway].set_index(["patient_id", "timepoint"])
        frames.append(status["status"].rename(pathway))
    wide = pd.concat(frames, axis=1).drop(columns=0).reset_index()
    values = wide[pathways]
    wide["n_altered_pathways"] = values.eq(ALTERED).sum(axis=1).astype("Int64")
    # A count is only meaningful when every pathway could be assessed or is already altered.
    unknown = values.eq(NOT_EVALUABLE).any(axis=1) | values.isna().any(axis=1)
    wide.loc[unknown, "n_altered_pathways"] = pd.NA
    return wide


def wide_genes(genes_long: pd.DataFrame) -> pd.DataFrame:
    wide = genes_long.pivot(index=["patient_id", "timepoint"], columns="gene", values="status")
    return wide.reset_index().rename_axis(columns=None)


def panel_genes(knowledge: Knowledge, configured: list[str], pathways: list[str]) -> list[str]:
    """Configured genes first, then every member of the configured pathways."""
    ordered = list(dict.fromkeys(configured))
    for pathway in pathways:
        ordered += [g for g in knowledge.pathways.get(pathway, []) if g not in ordered]
    return ordered


def genes_measured(
    samples: pd.DataFrame, cnv_tables: Sequence[str | Path]
) -> dict[str, frozenset[str]]:
    """Genes with a copy-number value, per sample whose calls come from a gene-level table
    (a CNA matrix's rows, less its empty cells, are the genes measured)."""
    from_tables = samples.loc[samples["cnv_format"].eq("gene_table"), "sample_id"].astype(str)
    wanted = set(from_tables)
    tables = read_stage_tables(
        cnv_tables,
        {"gene": str},
        samples=with_file(samples, "cnv_file"),
        rows=lambda frame: frame["gene"].notna(),
        columns=["sample_id", "gene"],
    )
    return {s: frozenset(table["gene"].tolist()) for s, table in tables.items() if s in wanted}


def _status_at(matrix_path: str | Path, timepoint: str, columns: list[str]) -> pd.DataFrame:
    wide = pd.read_csv(matrix_path, sep="\t", dtype={"patient_id": str})
    wide = wide[wide["timepoint"] == timepoint].set_index("patient_id")
    missing = [c for c in columns if c not in wide.columns]
    if missing:  # a configured biomarker must be tested or fail loudly, never vanish
        raise ValueError(f"{matrix_path} has no column for biomarker(s) {', '.join(missing)}")
    return wide[columns]


def biomarker_status(
    config: dict[str, Any], gene_matrix: str | Path, pathway_matrix: str | Path
) -> pd.DataFrame:
    """Baseline status per patient for every configured biomarker (genes, pathways, count)."""
    markers = config["biomarkers"]
    genes = _status_at(gene_matrix, markers["timepoint"], [*markers["genes"], *markers["domains"]])
    pathways = _status_at(
        pathway_matrix, markers["timepoint"], [*markers["pathways"], "n_altered_pathways"]
    )
    pathways = pathways.rename(columns={p: f"pathway:{p}" for p in markers["pathways"]})
    count = pathways.pop("n_altered_pathways")
    if len(markers["pathways"]) >= 2:
        # "Two or more altered HER2-network pathways" vs fewer, as published for pyrotinib.
        pathways["pathways_altered>=2"] = count.map(
            lambda n: NOT_EVALUABLE if pd.isna(n) else (ALTERED if n >= 2 else WILD_TYPE)
        )
    return genes.join(pathways, how="outer")
