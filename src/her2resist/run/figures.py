"""Stage 8, report, its figures: every manuscript figure of a study in one job (one matplotlib
start-up), and the tumour-change figures. Of the statistics only the Kaplan-Meier estimate is
imported (``stats.km``); the trial tables, whose subgroups need Cox, are ``run/trial_tables.py``.
The report's other jobs (tables, cBioPortal export, provenance: ``run/report.py``) import no
plotting or statistics library."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from her2resist.matrix import biomarker_status
from her2resist.report import figures
from her2resist.report.formatting import waterfall_column
from her2resist.report.spider import spider_figure
from her2resist.run import PathLike
from her2resist.tables import read_clinical, read_endpoints, read_table


def time_origin(config: dict[str, Any]) -> str:
    """What time zero of PFS and OS is (config ``clinical.time_origin``), for axis labels."""
    return str(config.get("clinical", {}).get("time_origin") or figures.TIME_ORIGIN)


def survival_endpoints(inputs: Mapping[str, PathLike]) -> list[str]:
    """The study's survival endpoints: those whose association table the rule was given (a
    study without PFS gets no PFS panel of "not tested" rows)."""
    return [e for e in ("pfs", "os") if f"{e}_associations" in inputs]


def run_figures(
    config: dict[str, Any], inputs: Mapping[str, PathLike], outputs: Mapping[str, PathLike]
) -> None:
    """Every figure named in ``outputs`` (figure name -> PNG path, its PDF beside it;
    ``km_biomarkers`` -> a directory; ``<name>_pdf`` entries are the PDFs, written with
    their PNG)."""
    endpoints = read_endpoints(inputs["endpoints"])
    for name, path in outputs.items():
        if name == "km_biomarkers":
            run_km_biomarkers(config, inputs, endpoints, path)
        elif not name.endswith("_pdf"):
            fig = figure(name, config, inputs, endpoints)
            figures.save_figure(fig, Path(path).with_suffix(""))


def figure(
    name: str, config: dict[str, Any], inputs: Mapping[str, PathLike], endpoints: pd.DataFrame
) -> Figure:
    """Figure ``name`` of the report (``km_pfs_trial``, ``km_os_trial``, ``forest``,
    ``oncoprint``, ``swimmer``, ``waterfall``)."""
    if name in ("km_pfs_trial", "km_os_trial"):
        return figures.trial_km(endpoints, name.split("_")[1], time_origin(config))
    if name == "forest":
        associations = {
            e: pd.read_csv(inputs[f"{e}_associations"], sep="\t")
            for e in survival_endpoints(inputs)
        }
        return figures.forest_figure(associations)
    if name == "oncoprint":
        return figures.oncoprint_figure(
            pd.read_csv(inputs["alterations"], sep="\t", dtype={"patient_id": str}),
            pd.read_csv(inputs["gene_matrix"], sep="\t", dtype={"patient_id": str}),
            endpoints,
            read_table(inputs["samples"]),
            config["biomarkers"]["timepoint"],
        )
    if name == "swimmer":
        return figures.swimmer_figure(endpoints)
    if name == "waterfall":
        clinical = read_clinical(config, inputs["clinical"])
        column = waterfall_column(clinical.columns, config["report"]["waterfall_column"])
        if column is None:
            raise ValueError("no best % change column in the clinical table")
        return figures.waterfall_figure(clinical, column, endpoints)
    raise ValueError(f"unknown figure {name!r}")


def run_km_biomarkers(
    config: dict[str, Any],
    inputs: Mapping[str, PathLike],
    endpoints: pd.DataFrame,
    out_dir: PathLike,
) -> list[Path]:
    """KM by status for each biomarker whose p (or q) is below ``report.km_threshold``."""
    settings = config["report"]  # the workflow's config: validated, defaults filled
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    status = biomarker_status(config, inputs["gene_matrix"], inputs["pathway_matrix"])
    written: list[Path] = []
    for endpoint in survival_endpoints(inputs):
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
