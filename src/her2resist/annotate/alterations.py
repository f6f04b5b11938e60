"""Turn variant and copy-number calls into annotated alterations.

Every input call of a panel gene becomes one row; calls removed by a filter stay in the
table with ``filter_status`` naming the filter(s), so what was dropped, and why, is kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from her2resist.annotate.knowledge import Knowledge

TRUNCATING = {
    "Nonsense_Mutation",
    "Frame_Shift_Del",
    "Frame_Shift_Ins",
    "Splice_Site",
    "Nonstop_Mutation",
    "Translation_Start_Site",
}
# maftools' and cBioPortal's default non-synonymous classes.
NONSYNONYMOUS = TRUNCATING | {"Missense_Mutation", "In_Frame_Del", "In_Frame_Ins"}
ONCOGENIC = {"hotspot", "oncogenic", "likely_oncogenic"}
CNA_KINDS = {"amplification": "amplification", "gain": "gain", "deep_deletion": "deep_deletion"}

ALTERATION_COLUMNS = [
    "patient_id",
    "sample_id",
    "specimen",
    "timepoint",
    "gene",
    "alteration_type",
    "alteration",
    "chrom",
    "pos",
    "ref",
    "alt",
    "transcript",
    "hgvsc",
    "hgvsp_short",
    "variant_class",
    "depth",
    "alt_reads",
    "vaf",
    "normal_vaf",
    "population_af",
    "log2",
    "copy_number",
    "domain",
    "oncogenicity",
    "oncogenicity_rule",
    "pathway",
    "resistance_evidence",
    "nonsynonymous",
    "chip_flag",
    "germline_flag",
    "filter_status",
    "counts_as_altered",
]


def _per_specimen(setting: Any, specimen: str, default: float) -> float:
    if isinstance(setting, dict):
        return float(setting.get(specimen, default))
    return float(setting) if setting is not None else default


def mutation_filters(row: dict, specimen: str, filters: dict, gene_is_chip: bool) -> list[str]:
    """Names of the filters a mutation call fails (empty list: it passes)."""
    failed = []
    if filters.get("require_pass", True) and str(row.get("filter")) not in {"PASS", ".", "nan"}:
        failed.append(f"filter_{row.get('filter')}")
    if _nan_lt(row.get("depth"), _per_specimen(filters.get("min_depth"), specimen, 0)):
        failed.append("low_depth")
    if _nan_lt(row.get("alt_reads"), _per_specimen(filters.get("min_alt_reads"), specimen, 0)):
        failed.append("low_alt_reads")
    if _nan_lt(row.get("vaf"), _per_specimen(filters.get("min_vaf"), specimen, 0)):
        failed.append("low_vaf")
    max_af = filters.get("max_population_af")
    if max_af is not None and _nan_gt(row.get("population_af"), max_af):
        failed.append("population_af")
    germline_vaf = filters.get("germline_normal_vaf")
    if germline_vaf is not None and _nan_ge(row.get("normal_vaf"), germline_vaf):
        failed.append("germline")
    if gene_is_chip and specimen == "ctdna" and filters.get("exclude_chip", True):
        failed.append("chip")
    return failed


def _nan_lt(value: Any, bound: float) -> bool:
    return value is not None and not pd.isna(value) and float(value) < bound


def _nan_gt(value: Any, bound: float) -> bool:
    return value is not None and not pd.isna(value) and float(value) > bound


def _nan_ge(value: Any, bound: float) -> bool:
    return value is not None and not pd.isna(value) and float(value) >= bound


def classify_mutation(row: dict, knowledge: Knowledge) -> tuple[str, str, str]:
    """(oncogenicity, rule that decided it, resistance evidence) for one mutation."""
    gene = row["gene"]
    change = str(row.get("hgvsp_short") or "").removeprefix("p.")
    rule = knowledge.genes.get(gene)
    hit = knowledge.hotspots.get((gene, change))
    position = row.get("protein_position")
    is_missense = row.get("variant_class") == "Missense_Mutation"
    if hit is None and is_missense and position is not None and not pd.isna(position):
        hit = knowledge.hotspot_residues.get((gene, int(position)))
    evidence = ""
    if hit is not None:
        if hit.get("type") in {"resistance", "both"}:
            evidence = hit.get("reference", "") or hit.get("source", "")
        return "hotspot", f"hotspot:{hit.get('source', 'resources')}", evidence
    variant_class = row.get("variant_class")
    if rule is not None and rule.role == "tsg" and variant_class in TRUNCATING:
        return "likely_oncogenic", "truncating_in_tsg", evidence
    if variant_class == "Silent":
        return "benign", "synonymous", evidence
    return "vus", "no_rule_matched", evidence


def classify_cna(gene: str, call: str, knowledge: Knowledge) -> tuple[str, str]:
    rule = knowledge.genes.get(gene)
    if rule is None:
        return "vus", "gene_not_in_pathways"
    if call == "amplification" and rule.role == "oncogene":
        return "oncogenic", "oncogene_amplification"
    if call == "deep_deletion" and rule.role == "tsg":
        return "oncogenic", "tsg_deep_deletion"
    return "vus", f"{call}_in_{rule.role}"


def annotate_sample(
    variants: pd.DataFrame,
    cnv: pd.DataFrame | None,
    sample: dict,
    knowledge: Knowledge,
    filters: dict,
    altered_if: str = "oncogenic",
) -> pd.DataFrame:
    """Annotated alterations of one sample (all panel-gene calls, filtered ones flagged)."""
    rows = []
    specimen = sample["specimen"]
    # Calls from a sample that failed QC are kept for the record but never count.
    qc_failed = ["sample_qc_fail"] if str(sample.get("qc_status") or "pass") != "pass" else []
    base = {k: sample[k] for k in ("patient_id", "sample_id", "specimen", "timepoint")}
    panel = (
        variants[variants["gene"].isin(knowledge.genes.keys() | knowledge.chip_genes)]
        if len(variants)
        else []
    )
    for record in panel.to_dict("records") if len(panel) else []:
        gene = record["gene"]
        rule = knowledge.genes.get(gene)
        oncogenicity, why, evidence = classify_mutation(record, knowledge)
        failed = qc_failed + mutation_filters(
            record, specimen, filters, gene in knowledge.chip_genes
        )
        nonsyn = record.get("variant_class") in NONSYNONYMOUS
        counts = (
            not failed
            and rule is not None
            and "mutation" in rule.alterations
            and (oncogenicity in ONCOGENIC if altered_if == "oncogenic" else nonsyn)
        )
        rows.append(
            base
            | {k: record.get(k) for k in ALTERATION_COLUMNS if k in record and k not in base}
            | {
                "alteration_type": "mutation",
                "alteration": str(record.get("hgvsp_short") or record.get("hgvsc") or ""),
                "domain": knowledge.domain_of(gene, record.get("protein_position")),
                "oncogenicity": oncogenicity,
                "oncogenicity_rule": why,
                "pathway": ";".join(rule.pathways) if rule else "",
                "resistance_evidence": evidence,
                "nonsynonymous": nonsyn,
                "chip_flag": gene in knowledge.chip_genes and specimen == "ctdna",
                "germline_flag": "germline" in failed,
                "filter_status": ";".join(failed) or "PASS",
                "counts_as_altered": bool(counts),
            }
        )
    if cnv is not None and len(cnv):
        panel = cnv[cnv["gene"].isin(knowledge.genes.keys()) & cnv["call"].isin(CNA_KINDS.keys())]
        for record in panel.to_dict("records"):
            gene, call = record["gene"], record["call"]
            rule = knowledge.genes[gene]
            oncogenicity, why = classify_cna(gene, call, knowledge)
            counts = (
                not qc_failed
                and call in rule.alterations
                and (oncogenicity in ONCOGENIC if altered_if == "oncogenic" else call != "gain")
            )
            rows.append(
                base
                | {
                    "gene": gene,
                    "alteration_type": call,
                    "alteration": call,
                    "chrom": record.get("chrom"),
                    "pos": record.get("start"),
                    "log2": record.get("log2"),
                    "copy_number": record.get("copy_number"),
                    "oncogenicity": oncogenicity,
                    "oncogenicity_rule": why,
                    "pathway": ";".join(rule.pathways),
                    "resistance_evidence": "",
                    "nonsynonymous": False,
                    "chip_flag": False,
                    "germline_flag": False,
                    "filter_status": ";".join(qc_failed) or "PASS",
                    "counts_as_altered": bool(counts),
                }
            )
    frame = pd.DataFrame(rows, columns=ALTERATION_COLUMNS)
    return frame.replace({np.nan: None}).astype(object)
