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
CNA_KINDS = {"amplification", "gain", "deep_deletion"}


def sample_evaluability(samples: pd.DataFrame) -> pd.DataFrame:
    """Per sample: evaluable for mutations / for copy number."""
    passed = samples["qc_status"].fillna("pass").replace("", "pass").eq("pass")
    has = {
        c: samples[c].fillna("").astype(str).str.len().gt(0) for c in ("variant_file", "cnv_file")
    }
    return samples.assign(
        mutation_evaluable=passed & has["variant_file"],
        cna_evaluable=passed & has["cnv_file"],
    )


def gene_status(
    alterations: pd.DataFrame,
    samples: pd.DataFrame,
    patients: list[str],
    knowledge: Knowledge,
    genes: list[str],
    specimens: list[str],
) -> pd.DataFrame:
    """Long table: patient_id, timepoint, gene, status."""
    samples = sample_evaluability(samples)
    samples = samples[samples["specimen"].isin(specimens)]
    timepoints = sorted(set(samples["timepoint"]) | {"baseline"})
    counted = alterations[alterations["counts_as_altered"].astype(bool)]
    counted = counted[counted["specimen"].isin(specimens)]
    altered = set(zip(counted["patient_id"], counted["timepoint"], counted["gene"], strict=True))
    pooled = (
        samples.groupby(["patient_id", "timepoint"])[["mutation_evaluable", "cna_evaluable"]]
        .any()
        .to_dict("index")
    )
    rows = []
    for patient in patients:
        for timepoint in timepoints:
            evaluable = pooled.get((patient, timepoint), {})
            if not evaluable and timepoint != "baseline":
                continue  # no sample at that timepoint: not a row, rather than a wall of NE
            for gene in genes:
                rule = knowledge.genes.get(gene)
                kinds = rule.alterations if rule else frozenset({"mutation"})
                needs_mutation = "mutation" in kinds
                needs_cna = bool(kinds & CNA_KINDS)
                if (patient, timepoint, gene) in altered:
                    status = ALTERED
                elif (not needs_mutation or evaluable.get("mutation_evaluable")) and (
                    not needs_cna or evaluable.get("cna_evaluable")
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
    frames = []
    for pathway in pathways:
        members = knowledge.pathways.get(pathway, [])
        subset = genes_long[genes_long["gene"].isin(members)]
        status = subset.groupby(["patient_id", "timepoint"])["status"].agg(combine)
        frames.append(status.rename(pathway))
    wide = pd.concat(frames, axis=1).reset_index()
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
