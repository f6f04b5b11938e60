"""Stage 6, clinical: per-patient endpoints, tumour change and the adverse-event summary."""

from __future__ import annotations

from typing import Any

import pandas as pd

from her2resist.clinical import adverse_events as ae
from her2resist.clinical.adam import adverse_events_from_adae
from her2resist.clinical.endpoints import compute_endpoints
from her2resist.clinical.responses import RESPONSE_COLUMNS, has_visits, tumour_changes
from her2resist.clinical.responses import derive as derive_responses
from her2resist.clinical.responses import progression_dates as derived_progression
from her2resist.clinical.tumour_change import CHANGE_COLUMNS, best_percent_change
from her2resist.errors import Findings, InputError
from her2resist.run import PathLike
from her2resist.tables import read_table, write_tsv


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
        no_visits = pd.Series(dtype="datetime64[ns]")
        progression = derived_progression(table, config) if has_visits(config) else no_visits
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
        found = Findings()
        for patient in sorted(set(events["patient_id"]) - set(endpoints["patient_id"])):
            message = f"patient '{patient}' is not in the clinical table"
            found.error(config["adverse_events"], message, column="patient_id")
        if found.problems:
            raise InputError(found.problems)
        summary = ae.summarise(events, n_treated=len(endpoints))[columns]
    write_tsv(summary, adverse_events_out)
