"""The analysis population (``population: {COLUMN: [values]}``) on the clinical table.

A patient is in the population when, for every configured column, its value is one of the
listed values (compared as text). Sample attributes of a cBioPortal study are collapsed per
patient as ``a;b`` (one value per distinct sample value); such a patient matches when any of
its values does. Everyone else is excluded with the reason, e.g.
``not in population: HER2_STATUS = -``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from her2resist.clinical.adam import clinical_source
from her2resist.errors import Findings, InputError

EXCLUDED_COLUMNS = ["level", "id", "patient_id", "specimen", "timepoint", "reason"]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"  # YAML reads a bare Y/N as a boolean
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def population_reasons(
    clinical: pd.DataFrame,
    patient_column: str,
    population: dict[str, list[Any]] | None,
    source: str,
) -> pd.Series:
    """Per patient id: '' (in the population) or why not; InputError for a column or value
    the table does not have (naming what it has)."""
    ids = clinical[patient_column].astype(str)
    reasons = pd.Series("", index=ids.to_numpy(), dtype=object)
    if not population:
        return reasons
    found = Findings()
    for column, wanted in population.items():
        if column not in clinical.columns:
            found.error(
                "config",
                f"population column '{column}' is not in the clinical table {source}",
                f"key population.{column}",
                hint="use one of " + ", ".join(c for c in clinical.columns if c),
            )
            continue
        cells = clinical[column].astype("string").fillna("NA").to_numpy()
        split = [set(str(cell).split(";")) for cell in cells]
        present = set().union(*split) if split else set()
        texts = {_text(v) for v in wanted}
        unknown = sorted(texts - present)
        if unknown:
            found.error(
                "config",
                f"population value(s) {', '.join(map(repr, unknown))} of '{column}' do not "
                f"occur in the clinical table {source}",
                f"key population.{column}",
                hint="values present: " + ", ".join(sorted(present)[:30]),
            )
            continue
        for i, values in enumerate(split):
            if not values & texts:
                reason = f"{column} = {cells[i]}"
                reasons.iloc[i] = f"{reasons.iloc[i]}, {reason}" if reasons.iloc[i] else reason
    if found.problems:
        raise InputError(found.problems)
    return reasons.where(reasons.eq(""), "not in population: " + reasons)


def excluded_listing(reasons: pd.Series, samples: pd.DataFrame) -> pd.DataFrame:
    """Disposition rows (patients, then their samples) of everyone outside the population."""
    out = reasons[reasons.ne("")]
    patients = pd.DataFrame(
        {"level": "patient", "id": out.index, "patient_id": out.index, "reason": out.to_numpy()}
    )
    dropped = samples[samples["patient_id"].astype(str).isin(set(out.index))]
    sample_rows = pd.DataFrame(
        {
            "level": "sample",
            "id": dropped["sample_id"].to_numpy(),
            "patient_id": dropped["patient_id"].astype(str).to_numpy(),
            "specimen": dropped["specimen"].to_numpy(),
            "timepoint": dropped["timepoint"].to_numpy(),
            "reason": dropped["patient_id"].astype(str).map(out).to_numpy(),
        }
    )
    listing = pd.concat([patients, sample_rows], ignore_index=True)
    return listing.reindex(columns=EXCLUDED_COLUMNS).fillna("")


def select_population(
    config: dict[str, Any], clinical: pd.DataFrame, samples: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(clinical, samples) of the population, and the disposition rows of everyone else."""
    patient_column = config["clinical"].get("columns", {}).get("patient_id", "patient_id")
    reasons = population_reasons(
        clinical, patient_column, config.get("population"), clinical_source(config["clinical"])
    )
    keep = reasons.eq("").to_numpy()
    kept_ids = set(reasons.index[keep])
    sample_keep = ~samples["patient_id"].astype(str).isin(set(reasons.index) - kept_ids)
    return clinical[keep], samples[sample_keep.to_numpy()], excluded_listing(reasons, samples)
