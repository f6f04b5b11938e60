import pandas as pd
import pytest

from her2resist.annotate.alterations import annotate_sample
from her2resist.annotate.knowledge import load_knowledge
from her2resist.config import resolve_resources, validate_config

CONFIG = resolve_resources(validate_config({"clinical": {"table": "-"}}))
FILTERS = CONFIG["filters"]
SAMPLE = {
    "patient_id": "P1",
    "sample_id": "S1",
    "specimen": "tissue",
    "timepoint": "baseline",
    "qc_status": "pass",
}


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(CONFIG["pathways"], CONFIG["hotspots"], CONFIG["protein_domains"])


def variant(**fields) -> dict:
    base = {
        "gene": "PIK3CA",
        "hgvsp_short": "p.H1047R",
        "variant_class": "Missense_Mutation",
        "protein_position": 1047,
        "depth": 400,
        "alt_reads": 80,
        "vaf": 0.2,
        "filter": "PASS",
        "population_af": None,
        "normal_vaf": 0.0,
    }
    return base | fields


def annotate(rows, knowledge, cnv=None, sample=SAMPLE, altered_if="oncogenic"):
    return annotate_sample(pd.DataFrame(rows), cnv, sample, knowledge, FILTERS, altered_if)


def test_oncogenicity_rules_name_the_rule(knowledge) -> None:
    rows = [
        variant(),
        variant(
            gene="PTEN",
            hgvsp_short="p.Q17*",
            variant_class="Nonsense_Mutation",
            protein_position=17,
        ),
        variant(
            gene="PIK3CA", hgvsp_short="p.T1025T", variant_class="Silent", protein_position=1025
        ),
        variant(gene="ERBB3", hgvsp_short="p.A1000V", protein_position=1000),
    ]
    result = annotate(rows, knowledge)
    assert result["oncogenicity"].tolist() == ["hotspot", "likely_oncogenic", "benign", "vus"]
    assert result["oncogenicity_rule"].tolist()[1:] == [
        "truncating_in_tsg",
        "synonymous",
        "no_rule_matched",
    ]
    assert result["oncogenicity_rule"][0].startswith("hotspot:")
    assert result["counts_as_altered"].tolist() == [True, True, False, False]
    assert result["pathway"][0] == "PI3K_AKT_MTOR"


def test_nonsynonymous_mode_counts_vus_missense(knowledge) -> None:
    rows = [variant(gene="ERBB3", hgvsp_short="p.A1000V", protein_position=1000)]
    assert annotate(rows, knowledge, altered_if="nonsynonymous")["counts_as_altered"].tolist() == [
        True
    ]


def test_filters_are_recorded_not_dropped(knowledge) -> None:
    rows = [
        variant(vaf=0.01, alt_reads=2),
        variant(filter="weak_evidence"),
        variant(normal_vaf=0.48),
        variant(population_af=0.2),
    ]
    result = annotate(rows, knowledge)
    assert result["filter_status"].tolist() == [
        "low_alt_reads;low_vaf",
        "filter_weak_evidence",
        "germline",
        "population_af",
    ]
    assert not result["counts_as_altered"].any()
    assert result["germline_flag"].tolist() == [False, False, True, False]


def test_ctdna_thresholds_and_chip(knowledge) -> None:
    plasma = SAMPLE | {"specimen": "ctdna"}
    rows = [
        variant(depth=3000, alt_reads=30, vaf=0.01),
        variant(
            gene="DNMT3A",
            hgvsp_short="p.R882H",
            protein_position=882,
            depth=3000,
            alt_reads=30,
            vaf=0.01,
        ),
    ]
    result = annotate(rows, knowledge, sample=plasma)
    assert result["filter_status"].tolist() == ["PASS", "chip"]
    assert result["chip_flag"].tolist() == [False, True]


def test_copy_number_rules(knowledge) -> None:
    cnv = pd.DataFrame(
        {
            "gene": ["ERBB2", "PTEN", "CCNE1", "TP53"],
            "call": ["amplification", "deep_deletion", "gain", "neutral"],
            "log2": [2.1, -2.0, 0.5, 0.0],
            "chrom": ["17", "10", "19", "17"],
            "start": [1, 1, 1, 1],
        }
    )
    result = annotate([], knowledge, cnv=cnv)
    assert result["gene"].tolist() == ["ERBB2", "PTEN", "CCNE1"]
    assert result["oncogenicity"].tolist() == ["oncogenic", "oncogenic", "vus"]
    assert result["counts_as_altered"].tolist() == [True, True, False]


def test_failed_sample_never_counts(knowledge) -> None:
    failed = SAMPLE | {"qc_status": "fail"}
    cnv = pd.DataFrame(
        {"gene": ["ERBB2"], "call": ["amplification"], "log2": [2.0], "chrom": ["17"], "start": [1]}
    )
    result = annotate([variant()], knowledge, cnv=cnv, sample=failed)
    assert result["filter_status"].str.contains("sample_qc_fail").all()
    assert not result["counts_as_altered"].any()
