"""Turn variant and copy-number calls into annotated alterations.

Every input call of a panel gene becomes one row; calls removed by a filter stay in the
table with ``filter_status`` naming the filter(s), so what was dropped, and why, is kept.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from her2resist.annotate import oncokb
from her2resist.annotate import tumour_fraction as tf
from her2resist.annotate.evidence import EVIDENCE_SUMMARY_COLUMNS, summarise
from her2resist.annotate.knowledge import Knowledge
from her2resist.errors import InputError
from her2resist.tables import records
from her2resist.vocabulary import CTDNA, NONSYNONYMOUS, TISSUE, TRUNCATING

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
    *EVIDENCE_SUMMARY_COLUMNS[:-2],  # evidence, strongest levels, drugs
    "evidence_strongest",
    "nonsynonymous",
    "chip_flag",
    "chip_reason",
    "germline_flag",
    "filter_status",
    "counts_as_altered",
]


def per_specimen(setting: Any, specimen: str, default: float) -> float:
    """A filter setting that is one number or a number per specimen (``{tissue: 5, ctdna: 3}``)."""
    if isinstance(setting, dict):
        return float(setting.get(specimen, default))
    return float(setting) if setting is not None else default


# Defaults of the ``chip`` config section (documented in chip_call()).
CHIP_DEFAULTS = {"tp53_max_vaf": 0.01, "min_normal_depth": 20, "min_normal_alt_reads": 1}
# Caller FILTER values of a call that passed (or has none).
PASSING_FILTERS = {"PASS", ".", "nan", "None", "<NA>"}


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else number


def chip_call(row: dict, specimen: str, chip_genes: frozenset | set, chip: dict | None) -> str:
    """Why a mutation looks like clonal haematopoiesis (CHIP), or "" if it does not.

    - ``in_normal``: a CHIP-gene variant seen in the matched white-blood-cell normal (at least
      ``min_normal_alt_reads`` alt reads) is CHIP in any specimen. Such clones sit far below
      the germline VAF threshold, so they are never called germline.
    - ``absent_in_normal``: an adequate normal (``normal_depth >= min_normal_depth``) with no
      alt reads rules CHIP out (not CHIP, whatever the gene).
    - ``chip_gene_in_plasma``: a CHIP-gene variant in plasma without such a normal.
    - ``low_vaf_tp53_in_plasma``: TP53 in plasma below ``tp53_max_vaf`` (default 0.01): TP53
      clones are frequent in blood, and without a normal a low-VAF call cannot be told apart.
    """
    settings = CHIP_DEFAULTS | (chip or {})
    gene = row.get("gene")
    normal_depth = _number(row.get("normal_depth"))
    normal_alt = _number(row.get("normal_alt_reads"))
    normal_vaf = _number(row.get("normal_vaf"))
    if normal_alt is None and normal_vaf is not None and normal_depth:
        normal_alt = round(normal_vaf * normal_depth)
    in_normal = (normal_alt is not None and normal_alt >= settings["min_normal_alt_reads"]) or (
        normal_alt is None and normal_vaf is not None and normal_vaf > 0
    )
    if gene in chip_genes and in_normal:
        return "in_normal"
    absent_in_normal = (
        normal_depth is not None
        and normal_depth >= settings["min_normal_depth"]
        and not in_normal
        and (normal_vaf is None or normal_vaf == 0)
    )
    if specimen != CTDNA or absent_in_normal:
        return ""
    if gene in chip_genes:
        return "chip_gene_in_plasma"
    vaf = _number(row.get("vaf"))
    if gene == "TP53" and vaf is not None and vaf < float(settings["tp53_max_vaf"]):
        return "low_vaf_tp53_in_plasma"
    return ""


def mutation_filters(row: dict, specimen: str, filters: dict, chip_reason: str) -> list[str]:
    """Names of the filters a mutation call fails (empty list: it passes); ``chip_reason`` is
    the reason from :func:`chip_call`."""
    failed = []
    if filters.get("require_pass", True) and str(row.get("filter")) not in PASSING_FILTERS:
        failed.append(f"filter_{row.get('filter')}")
    for column in ("depth", "alt_reads", "vaf"):
        minimum = per_specimen(filters.get(f"min_{column}"), specimen, 0)
        if _compares(row.get(column), operator.lt, minimum):
            failed.append(f"low_{column}")
    max_af = filters.get("max_population_af")
    if max_af is not None and _compares(row.get("population_af"), operator.gt, max_af):
        failed.append("population_af")
    germline_vaf = filters.get("germline_normal_vaf")
    # A CHIP clone in the blood normal stays below the germline threshold, so it is CHIP,
    # not germline; only a normal VAF at or above the threshold is germline.
    if germline_vaf is not None and _compares(row.get("normal_vaf"), operator.ge, germline_vaf):
        failed.append("germline")
    if chip_reason and filters.get("exclude_chip", True):
        failed.append("chip")
    return failed


def _compares(value: Any, compare: Callable[[float, float], bool], bound: float) -> bool:
    """``compare(value, bound)`` for a known value; a missing value passes every filter."""
    return value is not None and not pd.isna(value) and compare(float(value), bound)


def classify_mutation(row: dict, knowledge: Knowledge) -> tuple[str, str, str]:
    """(oncogenicity, rule that decided it, resistance evidence) for one mutation.

    A hotspot's rule names its source and how it matched (``hotspot:CHv2:range``, see
    :meth:`her2resist.annotate.knowledge.Hotspots.match`)."""
    gene = row["gene"]
    rule = knowledge.genes.get(gene)
    position = _number(row.get("protein_position"))
    hit = knowledge.hotspots.match(
        gene,
        str(row.get("hgvsp_short") or ""),
        str(row.get("variant_class") or ""),
        int(position) if position is not None else None,
    )
    evidence = ""
    if hit is not None:
        record, how = hit
        if record.get("type") in {"resistance", "both"}:
            evidence = record.get("reference", "")
        return "hotspot", f"hotspot:{record.get('source') or 'resources'}:{how}", evidence
    variant_class = row.get("variant_class")
    if rule is not None and rule.role == "tsg" and variant_class in TRUNCATING:
        return "likely_oncogenic", "truncating_in_tsg", evidence
    if variant_class == "Silent":
        return "benign", "synonymous", evidence
    return "vus", "no_rule_matched", evidence


def with_evidence(row: dict, knowledge: Knowledge, exon: Any = None) -> dict:
    """The row with its CIViC evidence columns (see
    :func:`her2resist.annotate.evidence.summarise`). ``resistance_evidence`` lists the PubMed
    ids of supporting CIViC resistance evidence, else keeps what the row had (a hotspot row's
    reference, ``OncoKB``)."""
    alteration = row | {"exon": exon}
    summary = knowledge.evidence.summary(alteration) if knowledge.evidence else summarise([])
    summary["resistance_evidence"] = summary["resistance_evidence"] or row["resistance_evidence"]
    return row | summary


def _variants_source(sample: dict) -> str:
    """The file an error about a sample's variants names."""
    return str(sample.get("variant_file") or f"variant table of sample {sample['sample_id']}")


def apply_oncokb(
    record: dict, builtin: tuple[str, str, str], source: str, sample: dict
) -> tuple[str, str, str]:
    """The built-in call ``builtin`` (oncogenicity, rule, evidence), replaced by the OncoKB
    class in the record's ``ONCOGENIC`` where ``source`` says so (see
    :func:`her2resist.annotate.oncokb.oncokb_call`). An OncoKB ``Resistance`` call without
    evidence from ``resources/`` gets ``OncoKB`` as its resistance evidence."""
    try:
        call = oncokb.oncokb_call(record.get(oncokb.ONCOGENIC_COLUMN), source)
    except ValueError:
        variant = record.get("hgvsp_short") or record.get("hgvsc") or record.get("pos")
        raise InputError.one(
            _variants_source(sample),
            f"ONCOGENIC is {record.get(oncokb.ONCOGENIC_COLUMN)!r}, not an OncoKB "
            "oncogenicity class",
            where=f"sample {sample['sample_id']}, variant {record.get('gene')} {variant}",
            column=oncokb.ONCOGENIC_COLUMN,
            hint=f"use one of {oncokb.allowed_values()}",
        ) from None
    if call is None:
        return builtin
    evidence = builtin[2]
    if call[1] == "oncokb:Resistance" and not evidence:
        evidence = "OncoKB"
    return call[0], call[1], evidence


def classify_cna(gene: str, call: str, knowledge: Knowledge) -> tuple[str, str]:
    rule = knowledge.genes.get(gene)
    if rule is None:
        return "vus", "gene_not_in_pathways"
    if call == "amplification" and rule.role == "oncogene":
        return "oncogenic", "oncogene_amplification"
    if call == "deep_deletion" and rule.role == "tsg":
        return "oncogenic", "tsg_deep_deletion"
    return "vus", f"{call}_in_{rule.role}"


def classify_fusion(gene: str, kind: str, knowledge: Knowledge) -> tuple[str, str]:
    """(oncogenicity, rule) of a fusion or rearrangement involving ``gene``.

    A fusion of an oncogene for which ``resources/pathways.yaml`` lists ``fusion`` (NRG1,
    FGFR1-3, BRAF, AKT3) is ``likely_oncogenic``, as OncoKB annotates these genes' "Fusions";
    a rearrangement within one gene, or a fusion of any other gene, is a ``vus``."""
    rule = knowledge.genes[gene]
    if kind != "fusion":
        return "vus", "intragenic_rearrangement"
    if rule.role == "oncogene" and "fusion" in rule.alterations:
        return "likely_oncogenic", "oncogene_fusion"
    return "vus", f"fusion_in_{rule.role}"


def _call_row(
    base: dict,
    gene: str,
    rule: Any,
    call: tuple[str, str, Any, Any],
    classification: tuple[str, str],
    failed: list[str],
    counts: bool,
) -> dict:
    """A copy-number or fusion row: ``call`` is (alteration_type, alteration, chrom, pos),
    ``classification`` (oncogenicity, rule); such calls carry no CHIP or resistance evidence."""
    alteration_type, alteration, chrom, pos = call
    return base | {
        "gene": gene,
        "alteration_type": alteration_type,
        "alteration": alteration,
        "chrom": chrom,
        "pos": pos,
        "oncogenicity": classification[0],
        "oncogenicity_rule": classification[1],
        "pathway": ";".join(rule.pathways),
        "resistance_evidence": "",
        "nonsynonymous": False,
        "chip_flag": False,
        "chip_reason": "",
        "germline_flag": "germline" in failed,
        "filter_status": ";".join(failed) or "PASS",
        "counts_as_altered": bool(counts),
    }


def fusion_rows(
    fusions: pd.DataFrame, base: dict, knowledge: Knowledge, qc_failed: list[str], filters: dict
) -> list[dict]:
    """One alteration row per panel gene of each fusion (both partners when both are panel
    genes); a caller FILTER other than PASS, or a germline SV, fails as mutations do."""
    rows = []
    panel = fusions[fusions["gene"].isin(knowledge.genes.keys())]
    for record in records(panel):
        gene = record["gene"]
        rule = knowledge.genes[gene]
        oncogenicity, why = classify_fusion(gene, record["kind"], knowledge)
        failed = list(qc_failed)
        caller_filter = str(record.get("filter") or "PASS")
        if filters.get("require_pass", True) and caller_filter not in {"PASS", "."}:
            failed.append(f"filter_{caller_filter}")
        if str(record.get("sv_status") or "").upper() == "GERMLINE":
            failed.append("germline")
        counts = (
            not failed
            and record["kind"] == "fusion"
            and "fusion" in rule.alterations
            and oncogenicity in ONCOGENIC
        )
        call = (record["kind"], record["fusion"], record.get("chrom"), record.get("pos"))
        rows.append(_call_row(base, gene, rule, call, (oncogenicity, why), failed, counts))
    return rows


def annotate_sample_rows(
    variants: pd.DataFrame,
    cnv: pd.DataFrame | None,
    sample: dict,
    knowledge: Knowledge,
    filters: dict,
    altered_if: str = "oncogenic",
    chip: dict | None = None,
    tumour_fraction: dict | None = None,
    oncogenicity_source: str = "auto",
    fusions: pd.DataFrame | None = None,
) -> list[dict]:
    """Annotated alterations of one sample (all panel-gene calls, filtered ones flagged).

    ``oncogenicity_source`` (config ``annotate.oncogenicity_source``): ``auto`` uses OncoKB's
    class where the variant table has an ``ONCOGENIC`` value (an OncoKB-annotated MAF) and
    the built-in rules elsewhere; ``builtin`` ignores the column; ``oncokb`` uses OncoKB for
    every mutation and needs the column (see :func:`apply_oncokb`). Copy-number calls always
    take the built-in rules.

    ``chip``: the config's ``chip`` section (see :func:`chip_call`). ``tumour_fraction``: the
    config's ``tumour_fraction`` section; for plasma with copy-number calls that were not
    purity-corrected, ERBB2 copy number is corrected by the VAF-based tumour fraction (see
    :func:`her2resist.annotate.tumour_fraction.adjust_plasma_copy_number`). ``fusions``: the
    sample's rows of :func:`her2resist.variants.fusions.read_fusions` (see
    :func:`fusion_rows`)."""
    rows = []
    specimen = sample["specimen"]
    # Calls from a sample that failed QC are kept for the record but never count.
    qc_failed = ["sample_qc_fail"] if str(sample.get("qc_status") or "pass") != "pass" else []
    base = {k: sample[k] for k in ("patient_id", "sample_id", "specimen", "timepoint")}
    # rows as dicts first: a sample's few calls are filtered faster than by pandas
    panel_genes = knowledge.genes.keys() | knowledge.chip_genes
    panel = [r for r in records(variants) if r["gene"] in panel_genes] if len(variants) else []
    if (
        oncogenicity_source == "oncokb"
        and panel
        and oncokb.ONCOGENIC_COLUMN not in variants.columns
    ):
        raise InputError.one(
            _variants_source(sample),
            f"annotate.oncogenicity_source is oncokb, but the variants of sample "
            f"'{sample['sample_id']}' have no ONCOGENIC column",
            column=oncokb.ONCOGENIC_COLUMN,
            hint="give an OncoKB-annotated MAF (MafAnnotator), or set "
            "annotate.oncogenicity_source: auto to use the built-in rules where OncoKB is absent",
        )
    for record in panel:
        gene = record["gene"]
        rule = knowledge.genes.get(gene)
        oncogenicity, why, evidence = apply_oncokb(
            record, classify_mutation(record, knowledge), oncogenicity_source, sample
        )
        chip_reason = chip_call(record, specimen, knowledge.chip_genes, chip)
        failed = qc_failed + mutation_filters(record, specimen, filters, chip_reason)
        nonsyn = record.get("variant_class") in NONSYNONYMOUS
        counts = (
            not failed
            and rule is not None
            and "mutation" in rule.alterations
            and (oncogenicity in ONCOGENIC if altered_if == "oncogenic" else nonsyn)
        )
        row = (
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
                "chip_flag": bool(chip_reason),
                "chip_reason": chip_reason,
                "germline_flag": "germline" in failed,
                "filter_status": ";".join(failed) or "PASS",
                "counts_as_altered": bool(counts),
            }
        )
        rows.append(with_evidence(row, knowledge, record.get("exon")))
    if cnv is not None and len(cnv):
        if specimen == CTDNA:
            estimate = tf.estimate_from_vafs(tf.somatic_snv_vafs(pd.DataFrame(rows)))
            cnv = tf.adjust_plasma_copy_number(cnv, estimate.estimate, tumour_fraction)
        cnas = [r for r in records(cnv) if r["gene"] in knowledge.genes and r["call"] in CNA_KINDS]
        for record in cnas:
            gene, call = record["gene"], record["call"]
            rule = knowledge.genes[gene]
            oncogenicity, why = classify_cna(gene, call, knowledge)
            counts = (
                not qc_failed
                and call in rule.alterations
                and (oncogenicity in ONCOGENIC if altered_if == "oncogenic" else call != "gain")
            )
            cna = (call, call, record.get("chrom"), record.get("start"))
            row = _call_row(base, gene, rule, cna, (oncogenicity, why), qc_failed, counts)
            row |= {k: record.get(k) for k in ("log2", "copy_number")}
            rows.append(with_evidence(row, knowledge))
    if fusions is not None and len(fusions):
        rows += [
            with_evidence(row, knowledge)
            for row in fusion_rows(fusions, base, knowledge, qc_failed, filters)
        ]
    return rows


def alteration_frame(rows: list[dict]) -> pd.DataFrame:
    """The alterations table of annotated rows (of one sample or of a whole cohort: built
    once, as one frame per sample costs more than the annotation at cohort size)."""
    frame = pd.DataFrame(rows, columns=ALTERATION_COLUMNS)
    return frame.replace({np.nan: None}).astype(object)


def variant_key(frame: pd.DataFrame) -> pd.Series:
    """One text per (patient, variant): the same call in several samples of a patient."""
    columns = ("patient_id", "chrom", "pos", "ref", "alt")
    text = [frame[c].astype(str) for c in columns]
    return text[0] + "|" + text[1] + ":" + text[2] + text[3] + ">" + text[4]


def propagate_patient_flags(alterations: pd.DataFrame) -> pd.DataFrame:
    """Carry germline and CHIP evidence across a patient's samples.

    - A variant the matched normal shows to be germline, or a CHIP clone seen in the blood
      normal (``chip_reason`` ``in_normal``), is germline/CHIP in every sample of the patient
      (plasma usually has no normal of its own): the other samples' calls get the flag, the
      filter ``germline_in_patient`` / ``chip_in_patient`` and no longer count as altered.
    - A low-VAF TP53 call in plasma flagged CHIP-like (``low_vaf_tp53_in_plasma``) is
      cleared (``chip_reason`` ``tumour_confirmed``) when the same variant passes every filter
      in the patient's tumour tissue and is absent from that tissue's matched normal.
    """
    if alterations is None or not len(alterations):
        return alterations
    out = alterations.copy()
    if "chip_reason" not in out:
        out["chip_reason"] = ""
    out["chip_reason"] = out["chip_reason"].fillna("").astype(str)
    mutation = out["alteration_type"].eq("mutation")
    key = variant_key(out)
    flags = {
        "germline": mutation & out["germline_flag"].astype(str).str.lower().isin({"true", "1"}),
        "chip": mutation & out["chip_reason"].isin({"in_normal", "in_patient"}),
    }
    for name, flagged in flags.items():
        flag = f"{name}_flag"
        extra = mutation & key.isin(set(key[flagged])) & ~flagged
        if name == "chip":
            extra &= out["chip_reason"].ne("in_normal")
        if not extra.any():
            continue
        out[flag] = out[flag].astype(object)
        out.loc[extra, flag] = True
        if name == "chip":
            out.loc[extra, "chip_reason"] = "in_patient"
        status = out.loc[extra, "filter_status"].astype(str)
        label = f"{name}_in_patient"
        out.loc[extra, "filter_status"] = [
            label if s == "PASS" else (s if label in s.split(";") else f"{s};{label}")
            for s in status
        ]
        out.loc[extra, "counts_as_altered"] = False
    normal_vaf = pd.to_numeric(out["normal_vaf"], errors="coerce")
    confirmed = (
        mutation
        & out["specimen"].eq(TISSUE)
        & out["filter_status"].astype(str).eq("PASS")
        & normal_vaf.eq(0)
    )
    counts = dict(zip(key[confirmed], out.loc[confirmed, "counts_as_altered"], strict=True))
    clear = mutation & out["chip_reason"].eq("low_vaf_tp53_in_plasma") & key.isin(counts)
    for index in out.index[clear]:
        remaining = [f for f in str(out.at[index, "filter_status"]).split(";") if f != "chip"]
        out.at[index, "filter_status"] = ";".join(remaining) or "PASS"
        out.at[index, "chip_flag"] = False
        out.at[index, "chip_reason"] = "tumour_confirmed"
        out.at[index, "counts_as_altered"] = bool(not remaining and counts[key[index]])
    return out
