"""Stage 7, associate: biomarker associations with PFS, OS and response; trial efficacy.
(The EXPLORATORY penalized models are run/exploratory.py: this job loads no scikit-learn.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from her2resist.clinical.covariates import covariate_frame
from her2resist.clinical.endpoints import has_delayed_entry
from her2resist.clinical.subgroups import detectable_effects
from her2resist.matrix import biomarker_status
from her2resist.run import PathLike
from her2resist.stats.associate import (
    RESPONSE_COLUMNS,
    SURVIVAL_COLUMNS,
    response_associations,
    survival_associations,
)
from her2resist.stats.efficacy import efficacy_summary
from her2resist.tables import write_tsv


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
        tables = {e: pd.read_csv(outputs[e], sep="\t") for e in ("pfs", "os")}
        write_tsv(detectable_effects(tables), outputs["detectable"])
