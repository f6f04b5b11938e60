"""Which report files a study gets, read by ``workflow/rules/report.smk`` when the workflow is
parsed (kept light: no plotting or statistics libraries), and the report's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.config import validate_config
from her2resist.report.formatting import waterfall_column
from her2resist.tables import read_table


def report_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The ``report`` config section; its defaults live in the config schema."""
    if config.get("report"):
        return config["report"]
    return validate_config({"clinical": {"table": "-"}})["report"]


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
