"""The longitudinal stage: plasma tumour fraction per sample (written by rule annotate),
baseline ctDNA features for associate (rule ctdna_features), and baseline vs progression
(rule longitudinal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.annotate.knowledge import knowledge_from
from her2resist.annotate.tumour_fraction import sample_tumour_fraction, settings_of
from her2resist.longitudinal import (
    FEATURE_VALUE_COLUMNS,
    FEATURES,
    TMB_COLUMNS,
    concordance,
    ctdna_features,
    flagged_variants,
    longitudinal_from_alterations,
    manuscript_table,
    plot_acquired_oncoprint,
    plot_vaf_trajectories,
    tmb_per_sample,
)
from her2resist.tables import read_stage_tables, read_table, with_file, write_tsv
from her2resist.vocabulary import CTDNA, NONSYNONYMOUS, TISSUE


def _read_alterations(path: str | Path) -> pd.DataFrame:
    """The annotate stage's table (patient flags already propagated by run_annotate)."""
    return pd.read_csv(path, sep="\t", dtype={"patient_id": str, "chrom": str}, low_memory=False)


def run_tumour_fraction(
    config: dict[str, Any], samples_path: str | Path, alterations: pd.DataFrame, out: str | Path
) -> pd.DataFrame:
    """``results/annotated/tumour_fraction.tsv`` (see her2resist.annotate.tumour_fraction)
    from the annotate stage's table, as run_annotate returns it (not read back)."""
    table = sample_tumour_fraction(
        alterations, read_table(samples_path), config.get("tumour_fraction")
    )
    write_tsv(table, out)
    return table


def run_longitudinal(
    config: dict[str, Any],
    inputs: dict[str, Any],
    outputs: dict[str, str | Path],
) -> None:
    """Baseline vs progression and tissue vs plasma: acquired, table, concordance and the
    two figures. ``inputs``: samples, alterations, tumour_fraction, hotspots."""
    samples = read_table(inputs["samples"])
    alterations = _read_alterations(inputs["alterations"])
    fractions = pd.read_csv(inputs["tumour_fraction"], sep="\t", dtype={"patient_id": str})
    floor = float(settings_of(config.get("tumour_fraction"))["min_for_deletions"])
    acquired = longitudinal_from_alterations(
        alterations, samples, config["filters"], inputs["hotspots"], fractions, floor
    )
    write_tsv(acquired, outputs["acquired"])
    write_tsv(manuscript_table(acquired), outputs["table"])
    # each figure's .png and .pdf share a stem (rules/longitudinal.smk)
    plot_vaf_trajectories(acquired, Path(outputs["trajectories_png"]).with_suffix(""))
    plot_acquired_oncoprint(acquired, Path(outputs["oncoprint_png"]).with_suffix(""))
    markers = config["biomarkers"]
    write_tsv(concordance(alterations, samples, markers["genes"]), outputs["concordance"])


def run_ctdna_features(
    config: dict[str, Any],
    inputs: dict[str, Any],
    outputs: dict[str, str | Path],
) -> None:
    """Baseline ctDNA features and tissue TMB (``outputs`` features, feature_values), tested
    by the associate stage. Plasma features only when the sheet has plasma samples, tissue
    TMB only when it has tissue samples: a study without plasma gets no ctDNA rows.
    ``inputs``: samples, clinical, alterations, tumour_fraction, variants (stage tables)."""
    samples = read_table(inputs["samples"])
    alterations = _read_alterations(inputs["alterations"])
    fractions = pd.read_csv(inputs["tumour_fraction"], sep="\t", dtype={"patient_id": str})
    knowledge = knowledge_from(config)
    markers = config["biomarkers"]
    clinical = read_table(inputs["clinical"])
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    # only the columns and the non-synonymous rows TMB counts (tmb_per_sample)
    variant_tables = read_stage_tables(
        inputs["variants"],
        samples=with_file(samples, "variant_file"),
        rows=lambda frame: frame["variant_class"].isin(NONSYNONYMOUS),
        columns=TMB_COLUMNS,
    )
    tmb = tmb_per_sample(
        variant_tables,
        samples,
        config["filters"],
        knowledge.chip_genes,
        config.get("panel_size_mb", 1.0),
        config.get("chip"),
        flagged_variants(alterations),
        config.get("read_regions", "all"),
    )
    pathways = {p: knowledge.pathways.get(p, []) for p in markers["pathways"]}
    status, values = ctdna_features(
        alterations,
        samples,
        clinical[patient_column].astype(str),
        fractions,
        pathways,
        tmb,
        timepoint=markers["timepoint"],
    )
    specimens = set(samples["specimen"].astype(str))
    unmeasured = [c for c in FEATURE_VALUE_COLUMNS + FEATURES if not _measured(c, specimens)]
    write_tsv(status.drop(columns=unmeasured, errors="ignore"), outputs["features"])
    write_tsv(values.drop(columns=unmeasured, errors="ignore"), outputs["feature_values"])


def _measured(column: str, specimens: set[str]) -> bool:
    """Plasma features need plasma samples in the sheet; tissue TMB, tissue samples."""
    if column.startswith(("ctdna_", "plasma_")):
        return CTDNA in specimens
    return TISSUE in specimens if column.startswith("tissue_") else True
