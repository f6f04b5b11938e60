"""Stage 7, associate, its EXPLORATORY penalized models of ORR and PFS (rule
exploratory_models; scikit-learn and lifelines, which the association tables do not need)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from her2resist.matrix import biomarker_status
from her2resist.run import PathLike
from her2resist.stats.exploratory import EXPLORATORY_COLUMNS, exploratory_models
from her2resist.tables import write_tsv


def run_exploratory(
    config: dict[str, Any],
    endpoints_path: PathLike,
    gene_matrix: PathLike,
    pathway_matrix: PathLike,
    out: PathLike,
) -> None:
    """EXPLORATORY penalized models of ORR and PFS on the baseline alteration matrix."""
    settings = config["exploratory"]
    table = pd.DataFrame(columns=EXPLORATORY_COLUMNS)
    if settings["enabled"]:
        endpoints = pd.read_csv(endpoints_path, sep="\t", dtype={"patient_id": str})
        endpoints = endpoints.set_index("patient_id")
        markers = biomarker_status(config, gene_matrix, pathway_matrix)
        markers = markers.reindex(endpoints.index).fillna("not_evaluable")
        table = exploratory_models(
            markers,
            {"orr": endpoints["orr"]},
            {"pfs": (endpoints["pfs_months"], endpoints["pfs_event"])},
            n_repeats=settings["cv_repeats"],
            n_permutations=settings["n_permutations"],
        )
    write_tsv(table, out)
