"""Stage 8, report: manuscript tables, provenance and the cBioPortal export. No plotting or
statistics library is imported here (the figures' runner is ``run/figures.py``), so these jobs
start in a fraction of a second."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.report import cbioportal, tables, writers
from her2resist.report.layout import render
from her2resist.report.outputs import MANUSCRIPT, report_settings
from her2resist.report.provenance import provenance
from her2resist.run import PathLike
from her2resist.tables import read_clinical, read_endpoints, read_stage_tables, read_table


def run_tables(
    config: dict[str, Any], inputs: dict[str, PathLike], outputs: Sequence[PathLike]
) -> None:
    """Every manuscript table as TSV, XLSX and DOCX; ``outputs`` name the TSV (or all) paths,
    and :data:`MANUSCRIPT` the one document with every table written, in order."""
    built = tables.build_tables(config, inputs)
    settings = report_settings(config)
    max_rows = settings.get("docx_max_rows")
    documents = {}  # name -> its DOCX document: laid out once, copied into the manuscript
    for path in outputs:
        path = Path(path)
        if path.suffix == ".tsv":
            spec = built[path.stem]
            spec = spec.with_data(writers.full_precision(spec.data))
            shown = render(spec)
            shown_in_document = shown.for_document(max_rows, f"{path.name} and {path.stem}.xlsx")
            documents[path.stem] = writers.table_document(spec, shown_in_document)
            writers.write_table(spec, path, shown, documents[path.stem])
    if not settings.get("patient_listing", True):
        documents = {k: v for k, v in documents.items() if k not in tables.PATIENT_LEVEL_TABLES}
    for path in outputs:
        if Path(path).name == Path(MANUSCRIPT).name:
            # in the order the tables are built
            kept = [documents[name] for name in built if name in documents]
            writers.write_docx(kept, path, title="Manuscript tables")


def run_cbioportal(
    config: dict[str, Any],
    inputs: dict[str, Any],
    out_dir: PathLike,
) -> Path:
    samples = read_table(inputs["samples"])
    return cbioportal.write_study(
        out_dir,
        study=report_settings(config)["study"],
        clinical=read_clinical(config, inputs["clinical"]),
        samples=samples,
        endpoints=read_endpoints(inputs["endpoints"]),
        alterations=pd.read_csv(inputs["alterations"], sep="\t", dtype={"patient_id": str}),
        cnv_calls=read_cnv_calls(inputs["cnv"]),
        covariates=list(config["clinical"].get("covariate_columns", [])),
        build=config.get("genome_build", "GRCh38"),
    )


def read_cnv_calls(paths: Sequence[PathLike]) -> pd.DataFrame:
    """``sample_id, gene, call`` of the CNV stage tables: the cohort route's one table read
    for these columns alone (its ~900,000 rows in full took most of the export's time)."""
    columns = ["sample_id", "gene", "call"]
    if len(paths) == 1:
        return pd.read_csv(paths[0], sep="\t", usecols=columns, dtype=str)
    tables = read_stage_tables(paths, dtype=str).values()
    return pd.concat([t[columns] for t in tables] or [pd.DataFrame(columns=columns)])


def run_provenance(
    config: dict[str, Any], inputs: dict[str, list[PathLike]], out: PathLike, workflow_dir: PathLike
) -> None:
    data = provenance(config, inputs, workflow_dir)
    Path(out).write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
