import pandas as pd
import pytest

from her2resist import matrix
from her2resist.annotate.knowledge import load_knowledge
from her2resist.config import resolve_resources, validate_config

CONFIG = resolve_resources(validate_config({"clinical": {"table": "-"}}))


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(CONFIG["pathways"], CONFIG["hotspots"], CONFIG["protein_domains"])


def samples() -> pd.DataFrame:
    return pd.DataFrame(
        [
            # P1: tissue with variants and copy number
            ["P1", "P1_T", "tissue", "baseline", "a.vcf", "a.cns", "pass"],
            # P2: plasma only, no copy number: ERBB2 (mutation + amplification) not evaluable
            ["P2", "P2_C", "ctdna", "baseline", "b.vcf", "", "pass"],
            # P3: failed sample
            ["P3", "P3_T", "tissue", "baseline", "c.vcf", "c.cns", "fail"],
        ],
        columns=[
            "patient_id",
            "sample_id",
            "specimen",
            "timepoint",
            "variant_file",
            "cnv_file",
            "qc_status",
        ],
    )


def test_failed_or_missing_sample_is_never_wild_type(knowledge) -> None:
    alterations = pd.DataFrame(
        {
            "patient_id": ["P1"],
            "timepoint": ["baseline"],
            "gene": ["PIK3CA"],
            "specimen": ["tissue"],
            "counts_as_altered": [True],
        }
    )
    long = matrix.gene_status(
        alterations,
        samples(),
        ["P1", "P2", "P3", "P4"],
        knowledge,
        ["PIK3CA", "ERBB2", "MTOR"],
        ["tissue", "ctdna"],
    )
    status = long.set_index(["patient_id", "gene"])["status"]
    assert status["P1", "PIK3CA"] == "altered"
    assert status["P1", "ERBB2"] == "wild_type"
    assert status["P2", "MTOR"] == "wild_type"  # mutation-only gene, plasma evaluable
    assert status["P2", "ERBB2"] == "not_evaluable"  # amplification needs copy number
    assert status["P3", "MTOR"] == "not_evaluable"  # failed QC
    assert status["P4", "MTOR"] == "not_evaluable"  # never sequenced


def test_pathway_combination_and_count(knowledge) -> None:
    long = pd.DataFrame(
        [
            ["P1", "baseline", "PIK3CA", "altered"],
            ["P1", "baseline", "PTEN", "not_evaluable"],
            ["P1", "baseline", "ERBB2", "altered"],
            ["P2", "baseline", "PIK3CA", "wild_type"],
            ["P2", "baseline", "PTEN", "not_evaluable"],
            ["P2", "baseline", "ERBB2", "wild_type"],
        ],
        columns=["patient_id", "timepoint", "gene", "status"],
    )
    wide = matrix.pathway_status(long, knowledge, ["HER2", "PI3K_AKT_MTOR"]).set_index("patient_id")
    assert wide.loc["P1", "PI3K_AKT_MTOR"] == "altered"
    assert wide.loc["P2", "PI3K_AKT_MTOR"] == "not_evaluable"
    assert wide.loc["P1", "n_altered_pathways"] == 2
    assert pd.isna(wide.loc["P2", "n_altered_pathways"])


def test_domain_biomarkers(knowledge) -> None:
    alterations = pd.DataFrame(
        {
            "patient_id": ["P1", "P2"],
            "timepoint": ["baseline", "baseline"],
            "gene": ["ERBB2", "ERBB2"],
            "specimen": ["tissue", "tissue"],
            "alteration_type": ["mutation", "mutation"],
            "domain": ["extracellular domain II", "protein kinase"],
            "counts_as_altered": [True, True],
        }
    )
    long = matrix.gene_status(
        alterations,
        samples(),
        ["P1", "P2", "P3"],
        knowledge,
        ["ERBB2"],
        ["tissue", "ctdna"],
        ["ERBB2:extracellular", "ERBB2:kinase"],
    )
    status = long.set_index(["patient_id", "gene"])["status"]
    assert status["P1", "ERBB2:extracellular"] == "altered"
    assert status["P1", "ERBB2:kinase"] == "wild_type"
    assert status["P2", "ERBB2:kinase"] == "altered"  # plasma: mutations evaluable
    assert status["P3", "ERBB2:kinase"] == "not_evaluable"  # failed QC
