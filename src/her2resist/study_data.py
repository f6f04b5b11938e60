"""What a study measured, decided when the workflow is parsed (config and sample sheet only,
no data file read): the rules whose inputs the study lacks are left out of the DAG, and the
association and efficacy tables get no rows for an endpoint that was not measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

# endpoint -> (columns that give it from precomputed times, from dates: start + any of the rest)
_TIME_COLUMNS = {
    "pfs": (("pfs_time", "pfs_event"), ("progression_date", "last_assessment_date")),
    "os": (("os_time", "os_event"), ("death_date", "last_contact_date")),
}


@dataclass(frozen=True)
class StudyData:
    pfs: bool  # progression-free survival times and events
    os: bool  # overall survival times and events
    response: bool  # best overall response (ORR, CBR, DCR)
    plasma: bool  # ctDNA samples in the sheet
    second_timepoint: bool  # samples at a timepoint other than the biomarker timepoint
    adverse_events: bool  # an adverse-event table

    @property
    def survival_endpoints(self) -> tuple[str, ...]:
        return tuple(e for e in ("pfs", "os") if getattr(self, e))

    @property
    def measured(self) -> tuple[str, ...]:
        """The survival endpoints and ``response``, where the study has them."""
        return (*self.survival_endpoints, *(("response",) if self.response else ()))


def _has_endpoint(config: dict[str, Any], endpoint: str) -> bool:
    clinical = config["clinical"]
    if clinical.get("adam"):  # CDISC ADaM: ADTTE carries PFS and OS
        return endpoint in config["endpoints"]
    columns = clinical.get("columns", {})
    from_times, from_dates = _TIME_COLUMNS[endpoint]
    if clinical.get("source", "times") == "dates":
        mapped = "treatment_start" in columns and any(c in columns for c in from_dates)
    else:
        mapped = all(c in columns for c in from_times)
    return endpoint in config["endpoints"] and mapped


def study_data(config: dict[str, Any], samples: pd.DataFrame) -> StudyData:
    """The measured data of the study of ``config`` with sample sheet ``samples``."""
    clinical = config["clinical"]
    response_endpoint = bool({"orr", "cbr"} & set(config["endpoints"]))
    has_response = "best_response" in clinical.get("columns", {}) or bool(
        (clinical.get("adam") or {}).get("adrs")
    )
    specimens = set(samples["specimen"].dropna().astype(str)) if len(samples) else set()
    timepoints = set(samples["timepoint"].dropna().astype(str)) if len(samples) else set()
    return StudyData(
        pfs=_has_endpoint(config, "pfs"),
        os=_has_endpoint(config, "os"),
        response=response_endpoint and has_response,
        plasma="ctdna" in specimens,
        second_timepoint=bool(timepoints - {config["biomarkers"]["timepoint"]}),
        adverse_events=bool(
            config.get("adverse_events") or (clinical.get("adam") or {}).get("adae")
        ),
    )
