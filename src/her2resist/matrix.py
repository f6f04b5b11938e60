"""Gene and pathway status per patient and timepoint: altered, wild_type or not_evaluable.

A sample is evaluable for mutations when it passed QC and has variant calls, and for copy
number when it passed QC and has copy-number calls. A patient is wild type for a gene only
when the pooled samples were evaluable for every alteration kind that counts for that gene;
a failed or missing sample therefore never makes a patient "wild type".
"""

from __future__ import annotations

import pandas as pd

from her2resist.annotate.knowledge import Knowledge

ALTERED, WILD_TYPE, NOT_EVALUABLE = "altered", "wild_type", "not_evaluable"
GAIN_KINDS = {"amplification", "gain"}


def sample_evaluability(
    samples: pd.DataFrame, tumour_fraction: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per sample: evaluable for mutations, for copy-number gains and for deletions (a sample
    too dilute to show a deletion, per the annotate stage's tumour fraction, is not)."""
    passed = samples["qc_status"].fillna("pass").replace("", "pass").eq("pass")
    has = {
        c: samples[c].fillna("").astype(str).str.len().gt(0) for c in ("variant_file", "cnv_file")
    }
    deletion_ok = pd.Series(True, index=samples.index)
    if tumour_fraction is not None and len(tumour_fraction):
        flags = tumour_fraction.set_index("sample_id")["deletion_evaluable"].astype(bool)
        deletion_ok = samples["sample_id"].map(flags).fillna(True).astype(bool)
    return samples.assign(
        mutation_evaluable=passed & has["variant_file"],
        cna_evaluable=passed & has["cnv_file"],
        deletion_evaluable=passed & has["cnv_file"] & deletion_ok,
    )


def domain_hits(alterations: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """Counted mutations re-labelled ``GENE:domain`` for every configured domain they fall in.

    ``ERBB2:extracellular`` matches any ERBB2 mutation whose annotated domain contains
    "extracellular" (case-insensitive), so subdomains I-IV all count.
    """
    frames = []
    mutations = alterations[alterations["alteration_type"] == "mutation"]
    for marker in domains:
        gene, _, label = marker.partition(":")
        domain = mutations["domain"].fillna("").astype(str).str.lower()
        hit = mutations[
            (mutations["gene"] == gene) & domain.str.contains(label.lower(), regex=False)
        ]
        frames.append(hit.assign(gene=marker))
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
) -> pd.DataFrame:
    """Long table: patient_id, timepoint, gene, status (``domains``: ``GENE:domain`` markers,
    evaluable wherever the gene's mutations are)."""
    samples = sample_evaluability(samples, tumour_fraction)
    # A study without any copy-number data (e.g. a mutation-only cohort MAF) defines status
    # by mutations alone; within a study that has copy number, a sample without it is not
    # evaluable for the genes whose copy-number changes count.
    study_has_copy_number = bool(samples["cna_evaluable"].any())
    samples = samples[samples["specimen"].isin(specimens)]
    timepoints = sorted(set(samples["timepoint"]) | {"baseline"})
    counted = alterations[alterations["counts_as_altered"].astype(bool)]
    counted = counted[counted["specimen"].isin(specimens)]
    if domains:
        counted = pd.concat([counted, domain_hits(counted, list(domains))], ignore_index=True)
    altered = set(zip(counted["patient_id"], counted["timepoint"], counted["gene"], strict=True))
    pooled = (
        samples.groupby(["patient_id", "timepoint"])[
            ["mutation_evaluable", "cna_evaluable", "deletion_evaluable"]
        ]
        .any()
        .to_dict("index")
    )
    rows = []
    for patient in patients:
        for timepoint in timepoints:
            evaluable = pooled.get((patient, timepoint), {})
            if not evaluable and timepoint != "baseline":
                continue  # no sample at that timepoint: not a row, rather than a wall of NE
            for gene in [*genes, *domains]:
                rule = knowledge.genes.get(gene)
                kinds = rule.alterations if rule else frozenset({"mutation"})
                if not study_has_copy_number:
                    kinds = kinds & {"mutation"}
                needs_mutation = "mutation" in kinds
                needs_cna = bool(kinds & GAIN_KINDS)
                needs_deletion = "deep_deletion" in kinds
                if (patient, timepoint, gene) in altered:
                    status = ALTERED
                elif (
                    (not needs_mutation or evaluable.get("mutation_evaluable"))
                    and (not needs_cna or evaluable.get("cna_evaluable"))
                    and (not needs_deletion or evaluable.get("deletion_evaluable"))
                ):
                    status = WILD_TYPE
                else:
                    status = NOT_EVALUABLE
                rows.append((patient, timepoint, gene, status))
    return pd.DataFrame(rows, columns=["patient_id", "timepoint", "gene", "status"])


def combine(statuses: pd.Series) -> str:
    """A set is altered if any member is; wild type only if every member is."""
    values = set(statuses)
    if ALTERED in values:
        return ALTERED
    return WILD_TYPE if values == {WILD_TYPE} else NOT_EVALUABLE


def pathway_status(
    genes_long: pd.DataFrame, knowledge: Knowledge, pathways: list[str]
) -> pd.DataFrame:
    """Wide table: patient_id, timepoint, one column per pathway, n_altered_pathways."""
    keys = (
        genes_long[["patient_id", "timepoint"]]
        .drop_duplicates()
        .set_index(["patient_id", "timepoint"])
    )
    frames = [pd.Series(index=keys.index, dtype=object)]  # keeps every row when no pathway is set
    for pathway in pathways:
        members = knowledge.pathways.get(pathway, [])
        subset = genes_long[genes_long["gene"].isin(members)]
        status = subset.groupby(["patient_id", "timepoint"])["status"].agg(combine)
        frames.append(status.rename(pathway))
    wide = pd.concat(frames, axis=1).drop(columns=0).reset_index()
    values = wide[pathways]
    wide["n_altered_pathways"] = values.eq(ALTERED).sum(axis=1).astype("Int64")
    # A count is only meaningful when every pathway could be assessed or is already altered.
    unknown = values.eq(NOT_EVALUABLE).any(axis=1)
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
