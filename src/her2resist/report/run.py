"""Report stage entry points called by the rule scripts (read files, build, write)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.report.formatting import waterfall_column
from her2resist.tables import read_stage_tables, read_table, with_file

PathLike = str | Path


def report_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The ``report`` config section; its defaults live in the config schema."""
    if config.get("report"):
        return config["report"]
    from her2resist.config import validate_config

    return validate_config({"clinical": {"table": "-"}})["report"]


def run_tables(
    config: dict[str, Any], inputs: dict[str, PathLike], outputs: Sequence[PathLike]
) -> None:
    """Every manuscript table as TSV, XLSX and DOCX; ``outputs`` name the TSV (or all) paths,
    and :data:`MANUSCRIPT` the one document with every table written, in order."""
    from her2resist.report import tables, writers
    from her2resist.report.layout import render

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
    from her2resist.report.figures import TIME_ORIGIN

    return str(config.get("clinical", {}).get("time_origin") or TIME_ORIGIN)


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
    from her2resist.report import figures

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
    from her2resist.report import figures
    from her2resist.stages import biomarker_status

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
    from her2resist.report import cbioportal

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
    from her2resist.report.provenance import provenance

    data = provenance(config, inputs, workflow_dir)
    Path(out).write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


# ---------------------------------------------------------------- used by workflow/rules/report.smk

TABLE_FORMATS = ("tsv", "xlsx", "docx")
MANUSCRIPT = "results/tables/manuscript_tables.docx"


def table_files(table: str) -> list[str]:
    return [f"results/tables/{table}.{ext}" for ext in TABLE_FORMATS]


def has_waterfall(config: dict[str, Any]) -> bool:
    """A best % change column in the clinical table (read when the workflow is parsed)."""
    try:
        columns = read_table(config["clinical"]["table"]).columns
    except Exception:
        return False
    return waterfall_column(columns, report_settings(config)["waterfall_column"]) is not None


def provenance_inputs(config: dict[str, Any], samples: pd.DataFrame) -> dict[str, list[str]]:
    """Every input file by role: sheet, clinical, AE table, variant/CNV/SV files, gene panels,
    resources."""
    roles: dict[str, list[Any]] = {
        "samples": [config.get("samples")],
        "clinical": [
            config["clinical"].get("table"),
            config["clinical"].get("visits"),
            *(config["clinical"].get("adam") or {}).values(),
        ],
        "adverse_events": [config.get("adverse_events")],
        "cohort_maf": [config.get("maf")],
        "cohort_cnv": [config.get("cnv")],
        "resources": [
            config.get(key)
            for key in ("pathways", "hotspots", "protein_domains", "gene_coordinates")
        ],
    }
    for role, column in (
        ("variant_files", "variant_file"),
        ("cnv_files", "cnv_file"),
        ("sv_files", "sv_file"),
        ("gene_panels", "panel"),
        ("cnv_panels", "cnv_panel"),
        ("sv_panels", "sv_panel"),
    ):
        values = samples[column].dropna() if column in samples.columns else []
        roles[role] = sorted({str(v) for v in values if str(v) not in ("", "nan", "<NA>")})
    return {
        role: [str(p) for p in paths if p and Path(str(p)).is_file()]
        for role, paths in roles.items()
    }
