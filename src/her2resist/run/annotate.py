"""Stage 4, annotate: every panel-gene call of every sample, with oncogenicity and filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from her2resist.annotate.alterations import (
    CNA_KINDS,
    alteration_frame,
    annotate_sample_rows,
    propagate_patient_flags,
)
from her2resist.annotate.knowledge import knowledge_from
from her2resist.run import PathLike
from her2resist.tables import read_stage_tables, read_table, records, with_file, write_tsv
from her2resist.variants.fusions import fusions_by_sample
from her2resist.vocabulary import CTDNA


def run_annotate(
    config: dict[str, Any],
    samples_path: PathLike,
    variant_tables: Sequence[PathLike],
    cnv_tables: Sequence[PathLike],
    out: PathLike,
) -> pd.DataFrame:
    knowledge = knowledge_from(config)
    samples = read_table(samples_path)
    # every per-sample table read in one parse per header (read_stage_tables), only the
    # calls of genes annotate_sample_rows annotates
    by_sample_variants = read_stage_tables(
        variant_tables,
        samples=with_file(samples, "variant_file"),
        rows=lambda frame: frame["gene"].isin(knowledge.genes.keys() | knowledge.chip_genes),
    )
    # the copy-number calls annotate keeps (CNA_KINDS; in plasma every call, which the tumour
    # fraction may correct), not the columns end and n_segments
    plasma = set(samples.loc[samples["specimen"].eq(CTDNA), "sample_id"].astype(str))
    by_sample_cnv = read_stage_tables(
        cnv_tables,
        samples=with_file(samples, "cnv_file"),
        rows=lambda frame: (
            frame["gene"].isin(knowledge.genes.keys())
            & (frame["call"].isin(CNA_KINDS) | frame["sample_id"].isin(plasma))
        ),
        columns=["sample_id", "gene", "chrom", "start", "log2", "copy_number", "call", "purity"],
    )
    by_sample_fusions = fusions_by_sample(samples) if "sv_file" in samples else {}
    rows: list[dict] = []
    no_variants = pd.DataFrame(columns=["gene"])
    for sample in records(samples):
        sid = sample["sample_id"]
        calls = (by_sample_variants, by_sample_cnv, by_sample_fusions)
        if all(sid not in by_sample for by_sample in calls):
            continue
        rows.extend(
            annotate_sample_rows(
                by_sample_variants.get(sid, no_variants),
                by_sample_cnv.get(sid),
                sample,
                knowledge,
                config["filters"],
                config["biomarkers"]["altered_if"],
                chip=config["chip"],
                tumour_fraction=config["tumour_fraction"],
                oncogenicity_source=config["annotate"]["oncogenicity_source"],
                fusions=by_sample_fusions.get(sid),
            )
        )
    table = propagate_patient_flags(alteration_frame(rows)).sort_values(
        ["patient_id", "sample_id", "gene", "alteration_type", "pos"], kind="stable"
    )
    write_tsv(table, out)
    return table
