"""Readable labels for columns, levels and biomarkers, shared by tables and figures.

A column's label is, in order: the config's ``labels:`` entry, the data's own variable label
(an ADaM dataset's column labels: pass them as ``data_labels``), the built-in label of a
column the workflow knows, else the column name made readable (``prior_lines`` -> ``Prior
lines``). Figures call a :class:`Labels` built from the same mapping, so a figure and a table
name a variable the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from her2resist.cbioportal_study import attribute_labels
from her2resist.clinical.adam import variable_labels
from her2resist.errors import Problem
from her2resist.tables import read_table

# Columns the workflow itself writes or the example clinical table has.
DEFAULT_LABELS = {
    "age": "Age, years",
    "sex": "Sex",
    "ecog": "ECOG performance status",
    "hr_status": "Hormone-receptor status",
    "visceral_disease": "Visceral disease",
    "prior_lines": "Prior lines of therapy for metastatic disease",
    "best_response": "Best overall response",
    "pfs": "Progression-free survival",
    "os": "Overall survival",
    "pfs_months": "Progression-free survival, months",
    "os_months": "Overall survival, months",
    "orr": "Objective response rate",
    "cbr": "Clinical benefit rate",
    "dcr": "Disease control rate",
    "patient_id": "Patient",
    "sample_id": "Sample",
    "specimen": "Specimen",
    "timepoint": "Time point",
    "gene": "Gene",
    "alteration_type": "Alteration type",
    "alteration": "Alteration",
    "vaf": "VAF",
    "log2": "log2 copy ratio",
    "oncogenicity": "Oncogenicity",
    "oncogenicity_rule": "Oncogenicity rule",
    "pathway": "Pathway",
    "domain": "Protein domain",
    "resistance_evidence": "Resistance evidence",
    "counts_as_altered": "Counts as altered",
    "biomarker": "Biomarker",
    "endpoint": "Endpoint",
    "n_altered": "n altered",
    "n_wild_type": "n wild type",
    "events_altered": "Events, altered",
    "events_wild_type": "Events, wild type",
    "median_altered": "Median, altered, months",
    "median_wild_type": "Median, wild type, months",
    "logrank_p": "Log-rank p",
    "wald_p": "Wald p",
    "lr_p": "Likelihood-ratio p",
    "adjusted_p": "Adjusted p",
    "ph_p": "PH test p",
    "q_value": "q (BH)",
    "fisher_p": "Fisher p",
    "logistic_p": "Logistic p",
    "method": "Method",
    "note": "Note",
    "rate_altered": "Rate, altered",
    "rate_wild_type": "Rate, wild type",
    "responders_altered": "Responders, altered",
    "responders_wild_type": "Responders, wild type",
    "level": "Level",
    "id": "ID",
    "status": "Status",
    "reason": "Reason",
    "pfs_evaluable": "PFS evaluable",
    "os_evaluable": "OS evaluable",
    "response_evaluable": "Response evaluable",
    "biomarker_evaluable": "Biomarker evaluable",
}

# Built-in labels of clinical columns a study may not have: not "known" columns for check_labels.
CLINICAL_COLUMNS = {"age", "sex", "ecog", "hr_status", "visceral_disease", "prior_lines"}

# Level values shown in words (RECIST 1.1 best overall response; yes/no flags).
LEVEL_LABELS = {
    "CR": "Complete response (CR)",
    "PR": "Partial response (PR)",
    "SD": "Stable disease (SD)",
    "NON-CR/NON-PD": "Non-CR/non-PD",
    "PD": "Progressive disease (PD)",
    "NE": "Not evaluable (NE)",
    "altered": "Altered",
    "wild_type": "Wild type",
    "not_evaluable": "Not evaluable",
}


def readable(name: str) -> str:
    """``prior_lines`` -> ``Prior lines``; names with capitals (``ERBB2``, ``HER2``) are kept."""
    text = str(name).replace("_", " ").strip()
    if text and text == text.lower():
        return text[0].upper() + text[1:]
    return text


def biomarker_label(name: str) -> str:
    """``pathway:PI3K_AKT_MTOR`` -> ``PI3K/AKT/mTOR pathway``; ``ERBB2:kinase`` ->
    ``ERBB2 kinase domain``; genes as they are."""
    name = str(name)
    if name.startswith("pathway:"):
        pathway = name.removeprefix("pathway:")
        joiner = "/" if pathway == pathway.upper() else " "  # PI3K_AKT_MTOR, cell_cycle
        return pathway.replace("_", joiner).replace("MTOR", "mTOR") + " pathway"
    if name == "pathways_altered>=2":
        return "≥2 altered pathways"
    gene, _, domain = name.partition(":")
    if domain:
        return f"{gene} {domain.replace('_', ' ')} domain"
    if name == name.lower():  # a feature (ctdna_max_vaf_above_median)
        words = [WORDS.get(w, w) for w in name.replace(">=", " ≥").split("_")]
        return readable(" ".join(words))
    return name


WORDS = {"ctdna": "ctDNA", "tmb": "TMB", "btmb": "bTMB", "vaf": "VAF", "max": "maximum"}


class Labels:
    """Column labels: configured > data (ADaM variable labels) > built in > readable name."""

    def __init__(
        self,
        configured: Mapping[str, str] | None = None,
        data_labels: Mapping[str, str] | None = None,
    ) -> None:
        self.configured = dict(configured or {})
        self.data_labels = {k: v for k, v in (data_labels or {}).items() if v}

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], data_labels: Mapping[str, str] | None = None
    ) -> Labels:
        return cls(config.get("labels") or {}, data_labels)

    def __call__(self, column: str) -> str:
        for source in (self.configured, self.data_labels, DEFAULT_LABELS):
            if column in source:
                return str(source[column])
        return readable(column)

    @staticmethod
    def level(value: Any) -> str:
        text = str(value)
        return LEVEL_LABELS.get(text, readable(text))


def read_column_labels(path: str | Path) -> dict[str, str]:
    """Variable labels the data carry, as a table ``column<TAB>label`` (what an ADaM reader
    writes from a dataset's column labels); the hook ``report/tables.build_tables`` reads as
    its optional input ``column_labels``."""
    table = read_table(path, required=["column", "label"])
    return {
        str(column): str(label)
        for column, label in zip(table["column"], table["label"], strict=True)
        if isinstance(label, str) and label.strip()
    }


def check_labels(labels: Mapping[str, Any], columns: Iterable[str], table: str) -> list[Problem]:
    """A label for a column that exists nowhere is an error naming the key (a typo would
    otherwise leave the intended variable unlabelled without a word). ``columns``: the
    clinical table's columns and any other column the run has (biomarker names, ADaM
    variables); the workflow's own output columns are always known."""
    known = set(columns) | (set(DEFAULT_LABELS) - CLINICAL_COLUMNS)
    return [
        Problem(
            "config",
            f"labels.{key}: there is no column '{key}' in the clinical table {table} "
            "(nor a biomarker or output column of that name)",
            "key labels",
            hint=f"label one of {', '.join(sorted(map(str, columns)))}; or remove the label",
        )
        for key in labels
        if key not in known
    ]


def data_labels(config: dict[str, Any]) -> dict[str, str]:
    """Labels the clinical data carry: a cBioPortal study's attribute display names, an ADSL
    transport file's variable labels; none for a plain table."""
    if config.get("cbioportal_study"):
        return attribute_labels(config["cbioportal_study"])
    adsl = ((config.get("clinical") or {}).get("adam") or {}).get("adsl")
    return variable_labels(adsl) if adsl else {}
