"""Stage 5, matrix: gene and pathway status per patient and timepoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from her2resist import matrix as status
from her2resist.annotate.knowledge import knowledge_from
from her2resist.run import PathLike
from her2resist.tables import read_table, write_tsv


def run_matrix(
    config: dict[str, Any],
    samples_path: PathLike,
    clinical_path: PathLike,
    alterations_path: PathLike,
    gene_out: PathLike,
    pathway_out: PathLike,
    tumour_fraction_path: PathLike | None = None,
    cnv_tables: Sequence[PathLike] = (),
    members_out: PathLike | None = None,
    evaluability_out: PathLike | None = None,
) -> None:
    """Gene and pathway matrices; ``cnv_tables``: the copy-number stage tables, whose
    rows say which genes a gene-level table (``cnv_format`` gene_table) measured;
    ``members_out``: which members each pathway call rests on; ``evaluability_out``: what
    each sample measured and could show (:func:`her2resist.matrix.coverage_table`)."""
    knowledge = knowledge_from(config)
    samples = read_table(samples_path)
    clinical = read_table(clinical_path)
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    patients = sorted(clinical[patient_column].astype(str))
    alterations = pd.read_csv(alterations_path, sep="\t", dtype={"patient_id": str})
    markers = config["biomarkers"]
    genes = status.panel_genes(knowledge, markers["genes"], markers["pathways"])
    tumour_fraction = None
    if tumour_fraction_path:
        tumour_fraction = pd.read_csv(tumour_fraction_path, sep="\t", low_memory=False)
    coverage = status.sample_coverage(
        samples,
        tumour_fraction,
        alterations=alterations,
        gene_coordinates=config["gene_coordinates"],
        cnv_genes=status.genes_measured(samples, cnv_tables),
        min_for_mutations=config["tumour_fraction"]["min_for_mutations"],
    )
    long = status.gene_status(
        alterations,
        samples,
        patients,
        knowledge,
        genes,
        markers["specimens"],
        domains=markers["domains"],
        coverage=coverage,
    )
    write_tsv(status.wide_genes(long.drop(columns="assessed_in_study")), gene_out)
    members = status.pathway_members(long, knowledge, markers["pathways"])
    write_tsv(status.pathway_status(long, knowledge, markers["pathways"], members), pathway_out)
    if members_out:
        write_tsv(members, members_out)
    if evaluability_out:
        write_tsv(status.coverage_table(samples, coverage), evaluability_out)
