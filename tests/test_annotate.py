import numpy as np
import pandas as pd
import pytest

from her2resist.annotate.alterations import alteration_frame, annotate_sample_rows
from her2resist.annotate.knowledge import load_knowledge
from her2resist.config import resolve_resources, validate_config


def annotate_sample(*args, **kwargs) -> pd.DataFrame:
    """Annotated alterations of one sample as a table, as run/annotate.py builds the cohort's."""
    return alteration_frame(annotate_sample_rows(*args, **kwargs))


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


# ---------------------------------------------------------------- ctDNA-aware CHIP rules

PLASMA = SAMPLE | {"specimen": "ctdna"}


def tp53(**fields) -> dict:
    return (
        variant(
            gene="TP53",
            hgvsp_short="p.R175H",
            protein_position=175,
            depth=3000,
            alt_reads=21,
            vaf=0.007,
            normal_vaf=None,
            normal_depth=None,
            normal_alt_reads=None,
        )
        | fields
    )


def test_low_vaf_tp53_in_plasma_is_chip_like_unless_the_normal_rules_it_out(knowledge) -> None:
    rows = [
        tp53(),  # no normal, below 1 %: CHIP-like
        tp53(vaf=0.02, alt_reads=60),  # above tp53_max_vaf: tumour
        tp53(normal_depth=120, normal_alt_reads=0, normal_vaf=0.0),  # WBC normal clean
        tp53(normal_depth=8, normal_alt_reads=0, normal_vaf=0.0),  # normal too shallow
    ]
    result = annotate(rows, knowledge, sample=PLASMA)
    assert result["chip_flag"].tolist() == [True, False, False, True]
    assert result["chip_reason"].tolist() == [
        "low_vaf_tp53_in_plasma",
        "",
        "",
        "low_vaf_tp53_in_plasma",
    ]
    assert result["filter_status"].tolist() == ["chip", "PASS", "PASS", "chip"]
    # The threshold is configurable.
    strict = annotate_sample(
        pd.DataFrame([tp53()]), None, PLASMA, knowledge, FILTERS, chip={"tp53_max_vaf": 0.005}
    )
    assert not strict["chip_flag"].iloc[0]


def test_chip_gene_in_the_blood_normal_is_chip_not_germline(knowledge) -> None:
    dnmt3a = variant(
        gene="DNMT3A",
        hgvsp_short="p.R882H",
        protein_position=882,
        depth=400,
        alt_reads=6,
        vaf=0.015,
        normal_depth=150,
        normal_alt_reads=5,
        normal_vaf=0.033,
    )
    result = annotate([dnmt3a, dnmt3a | {"vaf": 0.3, "alt_reads": 120}], knowledge)  # tissue
    assert result["chip_flag"].all() and (result["chip_reason"] == "in_normal").all()
    assert not result["germline_flag"].any()
    assert result["filter_status"].tolist() == ["low_vaf;chip", "chip"]
    # A CHIP gene in plasma with a clean matched normal is not CHIP.
    clean = dnmt3a | {"normal_alt_reads": 0, "normal_vaf": 0.0, "depth": 3000, "alt_reads": 45}
    assert not annotate([clean], knowledge, sample=PLASMA)["chip_flag"].iloc[0]


def test_patient_level_flags_cross_samples(knowledge) -> None:
    from her2resist.annotate.alterations import propagate_patient_flags

    where = {"chrom": "17", "pos": 7675088, "ref": "C", "alt": "T"}
    tissue = annotate([tp53(**where, normal_vaf=0.0, normal_depth=150, vaf=0.3)], knowledge)
    plasma = annotate(
        [tp53(**where)], knowledge, sample=PLASMA | {"sample_id": "S2", "timepoint": "baseline"}
    )
    germ = {"chrom": "17", "pos": 39723335, "ref": "A", "alt": "G"}
    i655v = variant(gene="ERBB2", hgvsp_short="p.I655V", protein_position=655, **germ)
    tissue_g = annotate([i655v | {"normal_vaf": 0.5, "vaf": 0.5}], knowledge)
    plasma_g = annotate(
        [i655v | {"normal_vaf": None, "vaf": 0.5, "depth": 3000, "alt_reads": 1500}],
        knowledge,
        sample=PLASMA | {"sample_id": "S2"},
    )
    assert plasma["chip_flag"].iloc[0] and plasma_g["filter_status"].iloc[0] == "PASS"
    merged = propagate_patient_flags(
        pd.concat([tissue, plasma, tissue_g, plasma_g], ignore_index=True)
    )
    # TP53 confirmed in the tumour (absent from its normal): not CHIP in plasma.
    assert merged.loc[1, "chip_reason"] == "tumour_confirmed"
    assert not merged.loc[1, "chip_flag"] and merged.loc[1, "filter_status"] == "PASS"
    assert merged.loc[1, "counts_as_altered"]
    # Germline in the tissue normal: germline in plasma too.
    assert merged.loc[3, "germline_flag"]
    assert merged.loc[3, "filter_status"] == "germline_in_patient"


def test_plasma_erbb2_copy_number_corrected_by_tumour_fraction(knowledge) -> None:
    rows = [variant(depth=3000, alt_reads=300, vaf=0.1, ref="A", alt="G")]  # TF 0.2
    cnv = pd.DataFrame(
        {
            "gene": ["ERBB2"],
            "call": ["gain"],
            "log2": [1.0],  # 0.2 * CN / 2 + 0.8 = 2 -> CN 12
            "chrom": ["17"],
            "start": [1],
            "purity": [np.nan],
        }
    )
    result = annotate(rows, knowledge, cnv=cnv, sample=PLASMA)
    erbb2 = result[result["gene"] == "ERBB2"].iloc[0]
    assert erbb2["alteration_type"] == "amplification"
    assert float(erbb2["copy_number"]) == pytest.approx(12)
