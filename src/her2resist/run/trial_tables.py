"""Stage 8, report, its trial tables (subgroups with their forest plot, follow-up): a module
apart from ``run/figures.py``, as the subgroups' Cox models load what the figures do without."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.clinical import subgroups
from her2resist.errors import InputError
from her2resist.report.figures import save_figure
from her2resist.report.labels import Labels, data_labels
from her2resist.report.subgroup_forest import subgroup_forest_figure
from her2resist.run import PathLike
from her2resist.tables import read_table, write_tsv


def run_trial_tables(
    config: dict[str, Any],
    endpoints_path: PathLike,
    clinical_path: PathLike,
    measured: Sequence[str],
    outputs: dict[str, PathLike],
) -> None:
    """Subgroups (table and forest plot), median follow-up: from endpoints and clinical
    data only, so they are made while the biomarker stages run. Only for the endpoints the
    study ``measured`` (``StudyData.measured``): no subgroups without response or PFS (the
    rule asks for none), no ORR or PFS columns for what is missing, no follow-up of an
    endpoint not measured."""
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
    if "subgroups" in outputs:
        table = subgroups.subgroup_table(endpoints, clinical, config["subgroups"], 3, measured)
        write_tsv(table, outputs["subgroups"])
        labels = Labels.from_config(config, data_labels(config))
        forest = subgroup_forest_figure(table, labels)
        save_figure(forest, Path(outputs["forest"]).with_suffix(""))
    write_tsv(subgroups.median_follow_up(endpoints, measured), outputs["follow_up"])
