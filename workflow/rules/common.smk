import os
import re
import sys
import threading
from pathlib import Path

import pandas as pd
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

min_version("9.20")

# The package lives beside the workflow; use it even when it is not pip-installed.
# (current_basedir: this file's folder, also when the workflow is a user's module)
sys.path.insert(0, str(Path(workflow.current_basedir).parents[1] / "src"))

from her2resist.annotate.knowledge import panel_regions  # noqa: E402
from her2resist.cbioportal_study import study_config  # noqa: E402
from her2resist.config import resolve_resources, validate_config  # noqa: E402
from her2resist.errors import InputError  # noqa: E402
from her2resist.run.validate import write_validated  # noqa: E402
from her2resist.study_data import study_data  # noqa: E402
from her2resist.tables import write_tsv_if_changed  # noqa: E402
from her2resist.validate import validate_inputs  # noqa: E402

# The validate stage's tables (docs/design.md), written here: inputs are validated once.
VALIDATED = {
    "samples": "results/validated/samples.tsv",
    "clinical": "results/validated/clinical.tsv",
    "report": "results/qc/input_report.tsv",
    "excluded": "results/validated/population_excluded.tsv",
    "labels": "results/validated/column_labels.tsv",
}

# Config, sheet, clinical and AE tables and the headers of every variant/CNV file are
# checked here, before any job runs; every problem is listed at once (docs/errors.md).
try:
    config.update(resolve_resources(validate_config(config, "config")))
    # a cBioPortal study becomes samples/maf/cnv/clinical (files under results/study/)
    config.update(study_config(config))
    validated = validate_inputs(config)
    # only what changed is rewritten: the jobs reading these rerun when their content does
    samples = write_validated(
        config,
        validated,
        VALIDATED,
        "results/study/warnings.tsv" if config.get("cbioportal_study") else None,
        write=write_tsv_if_changed,
    )
except InputError as error:
    raise WorkflowError(
        "input problem(s):\n" + "\n".join(f"  - {p}" for p in error.problems)
    )

samples = samples.set_index("sample_id", drop=False)
# What the study measured (PFS, OS, response, plasma, a second timepoint, AEs), from config
# and sheet: rules whose inputs the study lacks are left out of the DAG.
STUDY = study_data(config, samples)


wildcard_constraints:
    sample="[A-Za-z0-9._-]+",


def clinical_inputs():
    """The clinical table (or the ADaM datasets) and the per-visit responses."""
    clinical = config["clinical"]
    adam = clinical.get("adam") or {}
    files = [f for f in adam.values() if f] if adam else [clinical["table"]]
    extra = [clinical.get("visits"), clinical.get("measurements")]
    return files + [f for f in extra if f]


def has_file(column):
    values = samples[column].fillna("").astype(str)
    return sorted(samples.index[values.str.len() > 0])


def variant_samples():
    return has_file("variant_file")


def maf_samples():
    """Samples whose own variant file is a MAF (read by the MAF reader, not bcftools)."""
    formats = samples.loc[variant_samples(), "variant_format"].fillna("").astype(str)
    return sorted(formats.index[formats == "maf"])


def read_regions():
    """The regions a VCF is read in (read_regions: pathway_genes), or None for all."""
    return None if config["read_regions"] == "all" else panel_regions(config)


def cnv_samples():
    return has_file("cnv_file")


def variant_tables():
    """The variants stage's tables: one cohort table from a MAF, else one per sample."""
    if config["maf"]:
        return ["results/variants/cohort.tsv"]
    return expand("results/variants/{sample}.tsv", sample=variant_samples())


def cnv_tables():
    """The cnv stage's tables: one cohort table from a gene table, else one per sample."""
    if config["cnv"]:
        return ["results/cnv/cohort.tsv"]
    return expand("results/cnv/{sample}.tsv", sample=cnv_samples())


def distinct_files(*columns):
    """Each file named in these sheet columns, once (a cohort SV file or a gene panel is
    shared by many samples)."""
    present = [samples[c] for c in columns if c in samples]
    if not present:
        return []
    values = pd.concat(present).fillna("").astype(str)
    return sorted(set(values[values.str.len() > 0]))


def sv_files():
    return distinct_files("sv_file")


def panel_files():
    return distinct_files("panel", "cnv_panel", "sv_panel")


def sample_value(sample, column, default=""):
    value = samples.loc[sample, column]
    return default if value is None or str(value) in ("", "nan", "<NA>") else str(value)


def study_files(name):
    """A file the study reader wrote under results/study/ ([] without cbioportal_study)."""
    return [f"results/study/{name}"] if config.get("cbioportal_study") else []


def input_mb(input):
    """MB of a job's input files that exist (input.size_mb runs an event loop per call,
    which dominates planning a DAG of thousands of samples)."""
    return sum(os.path.getsize(f) for f in input if os.path.isfile(f)) / 1e6


def final_outputs():
    return [
        *(f"results/stats/{e}_associations.tsv" for e in STUDY.survival_endpoints),
        *(["results/stats/response_associations.tsv"] if STUDY.response else []),
        # penalized models of ORR and PFS: nothing to model without them
        *(
            ["results/stats/exploratory_models.tsv"]
            if STUDY.pfs or STUDY.response
            else []
        ),
        "results/matrix/pathway_by_patient.tsv",
        *REPORT_OUTPUTS,  # defined in report.smk
        *LONGITUDINAL_OUTPUTS,  # defined in longitudinal.smk
        *TUMOUR_OUTPUTS,  # defined in clinical.smk
    ]


def cancel_pending_timers() -> None:
    """Cancel the scheduler's pending threading.Timer threads (see the Snakefile's onsuccess)."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
