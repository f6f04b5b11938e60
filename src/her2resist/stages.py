"""One function per workflow stage: read files, call the library, write files.

The Snakemake rule scripts and the ``her2resist`` command line both call these, so a stage
behaves the same inside and outside the workflow.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist import matrix as status
from her2resist.annotate.alterations import (
    alteration_frame,
    annotate_sample_rows,
    propagate_patient_flags,
)
from her2resist.annotate.knowledge import GeneRule, Knowledge, load_knowledge
from her2resist.clinical import adverse_events as ae
from her2resist.clinical.adam import adverse_events_from_adae, variable_labels
from her2resist.clinical.endpoints import compute_endpoints, has_delayed_entry
from her2resist.clinical.responses import RESPONSE_COLUMNS, has_visits, tumour_changes
from her2resist.clinical.responses import derive as derive_responses
from her2resist.clinical.responses import progression_dates as derived_progression
from her2resist.clinical.tumour_change import CHANGE_COLUMNS, best_percent_change
from her2resist.errors import InputError, Problem
from her2resist.sheet import load_sample_sheet
from her2resist.tables import read_stage_tables, read_table, records, with_file, write_tsv
from her2resist.validate import Validated, validate_inputs

PathLike = str | Path
log = logging.getLogger(__name__)


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


# ---------------------------------------------------------------- 1 validate


def run_validate(
    config: dict[str, Any],
    samples_out: PathLike,
    clinical_out: PathLike,
    report_out: PathLike,
    excluded_out: PathLike | None = None,
    study_warnings: PathLike | None = None,
    labels_out: PathLike | None = None,
) -> None:
    """Validated sheet and clinical table of the analysis population; every warning (the
    study reader's too) in the input report; everyone outside the population in
    ``excluded_out`` with the reason; ``labels_out``: the variable labels the clinical data
    carry (``column<TAB>label``; the report's tables and figures use them)."""
    outputs = {"samples": samples_out, "clinical": clinical_out, "report": report_out}
    outputs |= {"excluded": excluded_out, "labels": labels_out}
    write_validated(config, validate_inputs(config), outputs, study_warnings)


def write_validated(
    config: dict[str, Any],
    validated: Validated,
    outputs: dict[str, PathLike | None],
    study_warnings: PathLike | None = None,
    write: Callable[[pd.DataFrame, PathLike], None] = write_tsv,
) -> pd.DataFrame:
    """The validate stage's tables (``outputs``: samples, clinical, report, and excluded and
    labels where given; see :func:`run_validate`) from ``validate_inputs``' result, which
    the workflow has when it is parsed: inputs are validated once. ``write``: how a table is
    written (the workflow: only on a change). Returns the population's samples."""
    from her2resist.cbioportal_study import warning_table
    from her2resist.population import select_population

    sheet = validated.samples.copy()
    if not config.get("samples") or config.get("maf") or config.get("cnv"):
        # the sheet validate_inputs checked is not checked again
        sheet, problems = load_sample_sheet(config, checked=sheet)
        if problems:
            raise InputError(problems)
    clinical, samples, excluded = select_population(config, validated.clinical, sheet)
    write(samples, outputs["samples"])
    write(clinical, outputs["clinical"])
    if outputs.get("excluded"):
        write(excluded, outputs["excluded"])
    if outputs.get("labels"):
        labels = pd.Series(data_labels(config), dtype=object)
        frame = pd.DataFrame({"column": labels.index, "label": labels.to_numpy()})
        write(frame, outputs["labels"])
    report = warning_table(validated.warnings)
    if study_warnings:
        report = pd.concat([read_table(study_warnings), report], ignore_index=True)
    write(report, outputs["report"])
    return samples


def data_labels(config: dict[str, Any]) -> dict[str, str]:
    """Labels the clinical data carry: a cBioPortal study's attribute display names, an ADSL
    transport file's variable labels; none for a plain table."""
    from her2resist.cbioportal_study import attribute_labels  # as in run_validate

    if config.get("cbioportal_study"):
        return attribute_labels(config["cbioportal_study"])
    adsl = ((config.get("clinical") or {}).get("adam") or {}).get("adsl")
    return variable_labels(adsl) if adsl else {}


# ---------------------------------------------------------------- 2 variants, 3 cnv


def run_variants(
    path: PathLike,
    out: PathLike,
    *,
    sample_id: str,
    variant_format: str = "vcf",
    annotation: str = "auto",
    tumor: str | None = None,
    normal: str | None = None,
    regions: list[tuple[str, int, int]] | None = None,
) -> dict[str, Any]:
    """Write one sample's variant table; returns ``rows`` and what was not tabulated."""
    from her2resist.variants import read_maf, write_vcf_table

    if variant_format == "maf":
        table = read_maf(path)
        table = table[table["sample_id"] == sample_id]
        write_tsv(table, out)
        summary = {"rows": len(table), **table.attrs}
    else:
        summary = write_vcf_table(
            path,
            out,
            sample_id=sample_id,
            annotation=annotation or "auto",
            tumor=tumor or None,
            normal=normal or None,
            regions=regions,
        )
    log.info("%s: %d variant rows written to %s", sample_id, summary["rows"], out)
    for key in ("skipped_symbolic", "skipped_no_alt"):
        if summary.get(key):
            log.info("%s: %s = %d (not tabulated)", sample_id, key, summary[key])
    for warning in summary.get("warnings", []):
        log.warning("%s: %s", sample_id, warning)
    return summary


def run_variants_from_maf(maf: PathLike, out: PathLike, samples: Iterable[str]) -> None:
    """Read a cohort MAF once; one cohort table (``cohort.tsv``, read by
    :func:`read_stage_tables`) of the rows of ``samples``, the sheet's."""
    from her2resist.variants import read_maf

    table = read_maf(maf)
    write_tsv(table[table["sample_id"].isin(set(samples))], out)


def run_cnv_from_gene_table(
    table: PathLike, out: PathLike, samples: Iterable[str], thresholds: dict[str, float]
) -> None:
    """Read a cohort gene-level copy-number table once; one cohort table of ``samples``."""
    from her2resist import cnv

    calls = cnv.read_gene_table(table, thresholds=thresholds).reindex(columns=cnv.CNV_COLUMNS)
    write_tsv(calls[calls["sample_id"].isin(set(samples))], out)


def run_cnv(
    path: PathLike,
    out: PathLike,
    *,
    sample_id: str,
    fmt: str,
    thresholds: dict[str, float],
    gene_coordinates: PathLike,
    purity: float | None = None,
) -> pd.DataFrame:
    from her2resist import cnv

    if fmt == "gene_table":
        calls = cnv.read_gene_table(path)
        calls = calls[calls["sample_id"] == sample_id]
    else:
        segments = cnv.read_segments(path, fmt=fmt, sample_id=sample_id)
        genes = pd.read_csv(gene_coordinates, sep="\t", dtype={"chrom": str})
        gene_level = cnv.segments_to_genes(segments, genes)
        calls = cnv.call_copy_number(gene_level, thresholds=thresholds, purity=purity)
    calls = calls.reindex(columns=cnv.CNV_COLUMNS)
    write_tsv(calls, out)
    return calls


# ---------------------------------------------------------------- 4 annotate


def _read_optional(path: PathLike | None) -> pd.DataFrame | None:
    if not path:
        return None
    return pd.read_csv(path, sep="\t", keep_default_na=True, na_values=["NA"], low_memory=False)


def run_annotate(
    config: dict[str, Any],
    samples_path: PathLike,
    variant_tables: Sequence[PathLike],
    cnv_tables: Sequence[PathLike],
    out: PathLike,
) -> pd.DataFrame:
    from her2resist.variants.fusions import fusions_by_sample

    knowledge = knowledge_from(config)
    samples = read_table(samples_path)
    # every per-sample table read in one parse per header (read_stage_tables)
    by_sample_variants = read_stage_tables(
        variant_tables, samples=with_file(samples, "variant_file")
    )
    by_sample_cnv = read_stage_tables(cnv_tables, samples=with_file(samples, "cnv_file"))
    by_sample_fusions = fusions_by_sample(samples) if "sv_file" in samples else {}
    rows: list[dict] = []
    for sample in records(samples):
        sid = sample["sample_id"]
        calls = (by_sample_variants, by_sample_cnv, by_sample_fusions)
        if all(sid not in by_sample for by_sample in calls):
            continue
        variants = by_sample_variants.get(sid)
        if variants is None:
            variants = pd.DataFrame(columns=["gene"])
        cnv = by_sample_cnv.get(sid)
        rows.extend(
            annotate_sample_rows(
                variants,
                cnv,
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


# ---------------------------------------------------------------- 5 matrix


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
    """Gene and pathway matrices; ``cnv_tables``: the per-sample copy-number tables, whose
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
    tumour_fraction = _read_optional(tumour_fraction_path)
    coverage = status.sample_coverage(
        samples,
        tumour_fraction,
        alterations=alterations,
        gene_coordinates=config["gene_coordinates"],
        cnv_genes=_genes_measured(samples, cnv_tables),
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


def _genes_measured(
    samples: pd.DataFrame, cnv_tables: Sequence[PathLike]
) -> dict[str, frozenset[str]]:
    """Genes with a copy-number value, per sample whose calls come from a gene-level table
    (a CNA matrix's rows, less its empty cells, are the genes measured)."""
    from_tables = samples.loc[samples["cnv_format"].eq("gene_table"), "sample_id"].astype(str)
    wanted = set(from_tables)
    tables = read_stage_tables(cnv_tables, {"gene": str}, samples=with_file(samples, "cnv_file"))
    return {
        sample_id: frozenset(table["gene"].dropna())
        for sample_id, table in tables.items()
        if sample_id in wanted
    }


# ---------------------------------------------------------------- 6 clinical


def run_clinical(
    config: dict[str, Any],
    clinical_path: PathLike,
    endpoints_out: PathLike,
    adverse_events_out: PathLike,
    tumour_change_out: PathLike | None = None,
) -> None:
    settings = dict(config["clinical"])
    table = read_table(clinical_path)
    table.attrs["path"] = str(settings.get("table") or settings["adam"]["adsl"])
    endpoints = compute_endpoints(table, settings, config["cbr_min_sd_weeks"])
    if has_visits(config):
        # RECIST 1.1 from the visits replaces the table's best response (warnings were
        # reported by validate).
        derived, _ = derive_responses(table, config)
        endpoints = endpoints.set_index("patient_id")
        endpoints[RESPONSE_COLUMNS] = derived.reindex(endpoints.index)[RESPONSE_COLUMNS]
        endpoints = endpoints.reset_index()
    changes = tumour_changes(table, config)
    if changes is not None:
        progression = pd.Series(dtype="datetime64[ns]")
        if has_visits(config):
            progression = derived_progression(table, config)
        best = best_percent_change(changes, progression)
        endpoints["best_pct_change"] = endpoints["patient_id"].map(best)
    if tumour_change_out:
        empty = pd.DataFrame(columns=CHANGE_COLUMNS)
        write_tsv(empty if changes is None else changes, tumour_change_out)
    write_tsv(endpoints, endpoints_out)
    columns = ae.SUMMARY_COLUMNS
    summary = pd.DataFrame(columns=columns)
    adae = (settings.get("adam") or {}).get("adae")
    if adae:
        events = ae.validate_grades(adverse_events_from_adae(adae, set(table["USUBJID"])), adae)
        summary = ae.summarise(events, n_treated=len(endpoints))[columns]
    elif config.get("adverse_events"):
        events = read_table(config["adverse_events"], required=["patient_id", "term", "grade"])
        events = ae.validate_grades(events, config["adverse_events"])
        unknown = sorted(set(events["patient_id"]) - set(endpoints["patient_id"]))
        if unknown:
            raise InputError(
                [
                    Problem(
                        config["adverse_events"],
                        f"patient '{p}' is not in the clinical table",
                        column="patient_id",
                    )
                    for p in unknown
                ]
            )
        summary = ae.summarise(events, n_treated=len(endpoints))[columns]
    write_tsv(summary, adverse_events_out)


def run_trial_tables(
    config: dict[str, Any],
    endpoints_path: PathLike,
    clinical_path: PathLike,
    outputs: dict[str, PathLike],
) -> None:
    """Subgroups (table and forest plot), median follow-up: from endpoints and clinical
    data only, so they are made while the biomarker stages run."""
    from her2resist.clinical import subgroups
    from her2resist.report.figures import save_figure
    from her2resist.report.labels import Labels
    from her2resist.report.subgroup_forest import subgroup_forest_figure

    endpoints = pd.read_csv(endpoints_path, sep="\t", dtype={"patient_id": str})
    endpoints = endpoints.set_index("patient_id")
    clinical = read_table(clinical_path)
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    clinical = clinical.set_index(clinical[patient_column].astype(str))
    missing = [c for c in config["subgroups"] if c not in clinical.columns]
    if missing:
        raise InputError.one(
            "config",
            f"subgroups: column(s) {', '.join(missing)} not in the clinical table",
            "key subgroups",
            hint=f"use clinical (or ADSL) columns: {', '.join(clinical.columns)}",
        )
    table = subgroups.subgroup_table(endpoints, clinical, config["subgroups"])
    write_tsv(table, outputs["subgroups"])
    labels = Labels.from_config(config, data_labels(config))
    save_figure(subgroup_forest_figure(table, labels), Path(outputs["forest"]).with_suffix(""))
    write_tsv(subgroups.median_follow_up(endpoints), outputs["follow_up"])


def run_tumour_figures(
    endpoints_path: PathLike,
    changes_path: PathLike,
    spider_out: PathLike,
    waterfall_out: PathLike,
) -> None:
    """Spider plot and waterfall from the per-visit target-lesion % changes."""
    from her2resist.report.figures import save_figure, waterfall_figure
    from her2resist.report.spider import spider_figure

    endpoints = pd.read_csv(endpoints_path, sep="\t", dtype={"patient_id": str})
    changes = pd.read_csv(changes_path, sep="\t", dtype={"patient_id": str})
    save_figure(spider_figure(changes, endpoints), Path(spider_out).with_suffix(""))
    waterfall = waterfall_figure(endpoints, "best_pct_change", endpoints)
    save_figure(waterfall, Path(waterfall_out).with_suffix(""))


# ---------------------------------------------------------------- 7 associate


def _status_at(matrix_path: PathLike, timepoint: str, columns: list[str]) -> pd.DataFrame:
    wide = pd.read_csv(matrix_path, sep="\t", dtype={"patient_id": str})
    wide = wide[wide["timepoint"] == timepoint].set_index("patient_id")
    missing = [c for c in columns if c not in wide.columns]
    if missing:  # a configured biomarker must be tested or fail loudly, never vanish
        raise ValueError(f"{matrix_path} has no column for biomarker(s) {', '.join(missing)}")
    return wide[columns]


def biomarker_status(
    config: dict[str, Any], gene_matrix: PathLike, pathway_matrix: PathLike
) -> pd.DataFrame:
    """Baseline status per patient for every configured biomarker (genes, pathways, count)."""
    markers = config["biomarkers"]
    genes = _status_at(gene_matrix, markers["timepoint"], [*markers["genes"], *markers["domains"]])
    pathways = _status_at(
        pathway_matrix, markers["timepoint"], [*markers["pathways"], "n_altered_pathways"]
    )
    pathways = pathways.rename(columns={p: f"pathway:{p}" for p in markers["pathways"]})
    count = pathways.pop("n_altered_pathways")
    if len(markers["pathways"]) < 2:
        return genes.join(pathways, how="outer")
    # "Two or more altered HER2-network pathways" vs fewer, as published for pyrotinib.
    pathways["pathways_altered>=2"] = count.map(
        lambda n: "not_evaluable" if pd.isna(n) else ("altered" if n >= 2 else "wild_type")
    )
    return genes.join(pathways, how="outer")


def covariate_frame(config: dict[str, Any], clinical_path: PathLike) -> pd.DataFrame | None:
    names = config.get("covariates") or []
    if not names:
        return None
    clinical = read_table(clinical_path)
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    frame = clinical.set_index(patient_column)[names]
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    categorical = [c for c in names if numeric[c].isna().sum() > frame[c].isna().sum()]
    encoded = pd.get_dummies(frame[categorical], drop_first=True, dtype=float)
    return pd.concat([numeric.drop(columns=categorical), encoded], axis=1)


def run_associate(
    config: dict[str, Any],
    endpoints_path: PathLike,
    gene_matrix: PathLike,
    pathway_matrix: PathLike,
    clinical_path: PathLike,
    outputs: dict[str, PathLike],
    ctdna_features_path: PathLike | None = None,
    measured: Sequence[str] = ("pfs", "os", "response"),
) -> None:
    """Write ``outputs`` keys pfs, os (survival), response and efficacy (and exploratory).

    Baseline ctDNA features (``ctdna_features_path``) are tested as a family of their own, so
    their Benjamini-Hochberg q-values do not shift those of the genes and pathways. An
    endpoint not in ``measured`` (pfs, os, response: what the study has, see
    her2resist.study_data) gets a table with its columns and no rows, and no efficacy rows."""
    from her2resist.stats import efficacy_summary, response_associations, survival_associations
    from her2resist.stats.associate import RESPONSE_COLUMNS, SURVIVAL_COLUMNS

    endpoints = pd.read_csv(endpoints_path, sep="\t", dtype={"patient_id": str}).set_index(
        "patient_id"
    )
    markers = biomarker_status(config, gene_matrix, pathway_matrix)
    markers = markers.reindex(endpoints.index).fillna("not_evaluable")
    families = [markers]
    if ctdna_features_path:
        features = pd.read_csv(ctdna_features_path, sep="\t", dtype={"patient_id": str})
        features = features.set_index("patient_id").reindex(endpoints.index)
        families.append(features.fillna("not_evaluable"))
    covariates = covariate_frame(config, clinical_path)
    min_altered = config["biomarkers"]["min_altered"]
    # delayed entry: left-truncated risk sets for both endpoints (clinical/endpoints.py)
    entry = endpoints["entry_months"] if has_delayed_entry(config["clinical"]) else None
    time_event = {}
    for endpoint in ("pfs", "os"):
        if endpoint not in measured:
            write_tsv(pd.DataFrame(columns=SURVIVAL_COLUMNS), outputs[endpoint])
            continue
        time_event[endpoint] = (endpoints[f"{endpoint}_months"], endpoints[f"{endpoint}_event"])
        table = pd.concat(
            [
                survival_associations(
                    *time_event[endpoint],
                    family,
                    endpoint=endpoint,
                    min_altered=min_altered,
                    covariates=covariates,
                    entry=entry,
                )
                for family in families
            ],
            ignore_index=True,
        )
        write_tsv(table, outputs[endpoint])
    response = endpoints[["orr", "cbr"]]
    if "response" in measured:
        table = pd.concat(
            [response_associations(response, f, min_altered=min_altered) for f in families],
            ignore_index=True,
        )
    else:
        table = pd.DataFrame(columns=RESPONSE_COLUMNS)
    write_tsv(table, outputs["response"])
    # Response rates in both populations: intention to treat (NE counts as non-responder)
    # and response-evaluable (NE left out).
    itt = endpoints[["orr", "cbr", "dcr"]]
    evaluable = itt.where(endpoints["response_evaluable"].astype(str).eq("True"))
    rates = pd.concat([itt, evaluable.add_suffix("_evaluable")], axis=1)
    efficacy = efficacy_summary(
        time_event,
        rates if "response" in measured else rates.iloc[:, :0],
        landmarks_months=tuple(config["landmarks_months"]),
        entry=None if entry is None else dict.fromkeys(time_event, entry),
    )
    write_tsv(efficacy, outputs["efficacy"])
    if outputs.get("detectable"):  # the hazard ratio each survival test could detect
        from her2resist.clinical.subgroups import detectable_effects

        tables = {e: pd.read_csv(outputs[e], sep="\t") for e in ("pfs", "os")}
        write_tsv(detectable_effects(tables), outputs["detectable"])


def run_exploratory(
    config: dict[str, Any],
    endpoints_path: PathLike,
    gene_matrix: PathLike,
    pathway_matrix: PathLike,
    out: PathLike,
) -> None:
    """EXPLORATORY penalized models of ORR and PFS on the baseline alteration matrix."""
    from her2resist.stats.exploratory import EXPLORATORY_COLUMNS, exploratory_models

    settings = config["exploratory"]
    table = pd.DataFrame(columns=EXPLORATORY_COLUMNS)
    if settings["enabled"]:
        endpoints = pd.read_csv(endpoints_path, sep="\t", dtype={"patient_id": str})
        endpoints = endpoints.set_index("patient_id")
        markers = biomarker_status(config, gene_matrix, pathway_matrix)
        markers = markers.reindex(endpoints.index).fillna("not_evaluable")
        table = exploratory_models(
            markers,
            {"orr": endpoints["orr"]},
            {"pfs": (endpoints["pfs_months"], endpoints["pfs_event"])},
            n_repeats=settings["cv_repeats"],
            n_permutations=settings["n_permutations"],
        )
    write_tsv(table, out)


# ---------------------------------------------------------------- 8 report


def write_json(data: Any, path: PathLike) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
