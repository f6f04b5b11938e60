"""Stage 8, report: manuscript tables, figures, the cBioPortal export and provenance; also the
trial tables (subgroups, follow-up, detectable effects) and the tumour-change figures, which
run in the report environment (matplotlib)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.clinical import subgroups
from her2resist.errors import InputError
from her2resist.matrix import biomarker_status
from her2resist.report import cbioportal, figures, tables, writers
from her2resist.report.formatting import waterfall_column
from her2resist.report.labels import Labels, data_labels
from her2resist.report.layout import render
from her2resist.report.outputs import MANUSCRIPT, report_settings
from her2resist.report.provenance import provenance
from her2resist.report.spider import spider_figure
from her2resist.report.subgroup_forest import subgroup_forest_figure
from her2resist.run import PathLike
from her2resist.tables import read_stage_tables, read_table, with_file, write_tsv


def run_tables(
    config: dict[str, Any], inputs: dict[str, PathLike], outputs: Sequence[PathLike]
) -> None:
    """Every manuscript table as TSV, XLSX and DOCX; ``outputs`` name the TSV (or all) paths,
    and :data:`MANUSCRIPT` the one document with every table written, in order."""
    built = tables.build_tables(config, inputs)
    written = {}  # name -> (spec at full precision, its rendering): rendered once, used twice
    for path in outputs:
        path = Path(path)
        if path.suffix == ".tsv":
            spec = built[path.stem]
            spec = spec.with_data(writers.full_precision(spec.data))
            written[path.stem] = (spec, render(spec))
            writers.write_table(spec, path, written[path.stem][1])
    if not report_settings(config).get("patient_listing", True):
        written = {k: v for k, v in written.items() if k not in tables.PATIENT_LEVEL_TABLES}
    for path in outputs:
        if Path(path).name == Path(MANUSCRIPT).name:
            # in the order the tables are built
            kept = [written[name] for name in built if name in written]
            writers.write_docx(
                [spec for spec, _ in kept],
                path,
                title="Manuscript tables",
                shown=[shown for _, shown in kept],
            )


def time_origin(config: dict[str, Any]) -> str:
    """What time zero of PFS and OS is (config ``clinical.time_origin``), for axis labels."""
    return str(config.get("clinical", {}).get("time_origin") or figures.TIME_ORIGIN)


def _endpoints(path: PathLike) -> pd.DataFrame:
    return pd.read_csv(
        path, sep="\t", dtype={"patient_id": str}, keep_default_na=False, na_values=["NA", ""]
    )


def _clinical(config: dict[str, Any], path: PathLike) -> pd.DataFrame:
    clinical = read_table(path)
    column = config["clinical"]["columns"].get("patient_id", "patient_id")
    clinical = clinical.rename(columns={column: "patient_id"})
    clinical["patient_id"] = clinical["patient_id"].astype(str)
    return clinical


def run_figure(
    kind: str,
    config: dict[str, Any],
    inputs: dict[str, PathLike],
    output: PathLike,
    endpoint: str | None = None,
) -> list[Path]:
    """Render figure ``kind``; ``output`` is the PNG path (PDF beside it) or, for
    ``km_biomarkers``, a directory."""
    stem = Path(output).with_suffix("")
    if kind == "km_trial":
        return figures.save_figure(
            figures.trial_km(
                _endpoints(inputs["endpoints"]), endpoint or "pfs", time_origin(config)
            ),
            stem,
        )
    if kind == "km_biomarkers":
        return run_km_biomarkers(config, inputs, output)
    if kind == "forest":
        associations = {
            e: pd.read_csv(inputs[f"{e}_associations"], sep="\t") for e in ("pfs", "os")
        }
        return figures.save_figure(figures.forest_figure(associations), stem)
    if kind == "oncoprint":
        fig = figures.oncoprint_figure(
            pd.read_csv(inputs["alterations"], sep="\t", dtype={"patient_id": str}),
            pd.read_csv(inputs["gene_matrix"], sep="\t", dtype={"patient_id": str}),
            _endpoints(inputs["endpoints"]),
            read_table(inputs["samples"]),
            config["biomarkers"]["timepoint"],
        )
        return figures.save_figure(fig, stem)
    if kind == "swimmer":
        return figures.save_figure(figures.swimmer_figure(_endpoints(inputs["endpoints"])), stem)
    if kind == "waterfall":
        clinical = _clinical(config, inputs["clinical"])
        column = waterfall_column(clinical.columns, report_settings(config)["waterfall_column"])
        if column is None:
            raise ValueError("no best % change column in the clinical table")
        fig = figures.waterfall_figure(clinical, column, _endpoints(inputs["endpoints"]))
        return figures.save_figure(fig, stem)
    raise ValueError(f"unknown figure {kind!r}")


def run_km_biomarkers(
    config: dict[str, Any], inputs: dict[str, PathLike], out_dir: PathLike
) -> list[Path]:
    """KM by status for each biomarker whose p (or q) is below ``report.km_threshold``."""
    settings = report_settings(config)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    endpoints = _endpoints(inputs["endpoints"])
    status = biomarker_status(config, inputs["gene_matrix"], inputs["pathway_matrix"])
    written: list[Path] = []
    for endpoint in ("pfs", "os"):
        table = pd.read_csv(inputs[f"{endpoint}_associations"], sep="\t")
        chosen = figures.km_selection(
            table, float(settings["km_threshold"]), str(settings["km_statistic"])
        )
        for _, row in chosen.iterrows():
            biomarker = str(row["biomarker"])
            if biomarker not in status.columns:
                continue
            fig = figures.biomarker_km(
                endpoints, status[biomarker], row, endpoint, time_origin(config)
            )
            written += figures.save_figure(
                fig, out_dir / f"km_{endpoint}_{figures.safe_name(biomarker)}"
            )
    if not written:
        (out_dir / "NONE.txt").write_text(
            f"No biomarker had {settings['km_statistic']} < {settings['km_threshold']}.\n"
        )
    return written


def run_cbioportal(
    config: dict[str, Any],
    inputs: dict[str, Any],
    out_dir: PathLike,
) -> Path:
    samples = read_table(inputs["samples"])
    cnv_tables = read_stage_tables(
        inputs["cnv"], dtype={"chrom": str}, samples=with_file(samples, "cnv_file")
    )
    return cbioportal.write_study(
        out_dir,
        study=report_settings(config)["study"],
        clinical=_clinical(config, inputs["clinical"]),
        samples=samples,
        endpoints=_endpoints(inputs["endpoints"]),
        alterations=pd.read_csv(inputs["alterations"], sep="\t", dtype={"patient_id": str}),
        cnv_tables=cnv_tables,
        covariates=list(config["clinical"].get("covariate_columns", [])),
        build=config.get("genome_build", "GRCh38"),
    )


def run_provenance(
    config: dict[str, Any], inputs: dict[str, list[PathLike]], out: PathLike, workflow_dir: PathLike
) -> None:
    data = provenance(config, inputs, workflow_dir)
    Path(out).write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def run_trial_tables(
    config: dict[str, Any],
    endpoints_path: PathLike,
    clinical_path: PathLike,
    outputs: dict[str, PathLike],
) -> None:
    """Subgroups (table and forest plot), median follow-up: from endpoints and clinical
    data only, so they are made while the biomarker stages run."""
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
    figures.save_figure(
        subgroup_forest_figure(table, labels), Path(outputs["forest"]).with_suffix("")
    )
    write_tsv(subgroups.median_follow_up(endpoints), outputs["follow_up"])


def run_tumour_figures(
    endpoints_path: PathLike,
    changes_path: PathLike,
    spider_out: PathLike,
    waterfall_out: PathLike,
) -> None:
    """Spider plot and waterfall from the per-visit target-lesion % changes."""
    endpoints = pd.read_csv(endpoints_path, sep="\t", dtype={"patient_id": str})
    changes = pd.read_csv(changes_path, sep="\t", dtype={"patient_id": str})
    figures.save_figure(spider_figure(changes, endpoints), Path(spider_out).with_suffix(""))
    waterfall = figures.waterfall_figure(endpoints, "best_pct_change", endpoints)
    figures.save_figure(waterfall, Path(waterfall_out).with_suffix(""))
