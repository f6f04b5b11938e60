"""Fusions: SV VCF (SnpEff gene_fusion), cBioPortal data_sv.txt and data_fusions.txt become
``fusion`` alterations; a sample without fusion calls is not evaluable for fusion genes.
Test files: tests/data/sv/README.md."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_annotate import annotate_sample

from her2resist import matrix
from her2resist.annotate.knowledge import GeneRule, load_knowledge
from her2resist.config import resolve_resources, validate_config
from her2resist.errors import InputError
from her2resist.variants.fusions import (
    check_sv_file,
    fusions_by_sample,
    read_cbioportal_sv,
    read_fusions,
)

DATA = Path(__file__).parent / "data" / "sv"
CONFIG = resolve_resources(validate_config({"clinical": {"table": "-"}}))


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(CONFIG["pathways"], CONFIG["hotspots"], CONFIG["protein_domains"])


def pairs(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
    return set(zip(frame["gene"], frame["kind"], frame["fusion"], strict=True))


def test_snpeff_sv_vcf() -> None:
    """Symbolic DUP, a BND mate pair (one event, not two) and a filtered INV are fusions; the
    intergenic DEL and the small insertion are not read as fusions."""
    table = read_fusions(DATA / "manta_somatic.snpeff.vcf", "vcf", "T1")
    assert pairs(table) == {
        ("FGFR3", "fusion", "FGFR3::TACC3"),
        ("TACC3", "fusion", "FGFR3::TACC3"),
        ("CD74", "fusion", "CD74::NRG1"),
        ("NRG1", "fusion", "CD74::NRG1"),
        ("AGK", "fusion", "AGK::BRAF"),
        ("BRAF", "fusion", "AGK::BRAF"),
    }
    nrg1 = table.set_index("gene").loc["NRG1"]
    assert (nrg1["chrom"], nrg1["pos"], nrg1["partner_chrom"], nrg1["partner_pos"]) == (
        "5",
        150404000,
        "8",
        32600000,
    )
    assert table.set_index("gene").loc["BRAF", "filter"] == "MinSomaticScore"
    assert table.set_index("gene").loc["BRAF", "consequence"] == "bidirectional_gene_fusion"
    assert set(table["sample_id"]) == {"T1"}


def test_vep_csq_breakends_pair_their_genes(tmp_path: Path) -> None:
    """VEP annotates each breakend with its own gene; the mates (MATEID) make one fusion."""
    csq = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE"
    text = (DATA / "manta_somatic.snpeff.vcf").read_text().splitlines()
    header = [line for line in text if line.startswith("##") and "ID=ANN" not in line]
    header.append(f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Format: {csq}">')
    header.append(next(line for line in text if line.startswith("#CHROM")))
    records = [
        "5\t150404000\tbnd_a\tN\t[8:32600000[N\t.\tPASS\tSVTYPE=BND;MATEID=bnd_b;"
        "CSQ=[8:32600000[N|gene_fusion|HIGH|CD74|ENSG00000019582|Transcript|ENST00000009530|"
        "protein_coding\tPR:SR\t1,0:1,0\t9,9:9,9",
        "8\t32600000\tbnd_b\tN\t[5:150404000[N\t.\tPASS\tSVTYPE=BND;MATEID=bnd_a;"
        "CSQ=[5:150404000[N|gene_fusion|HIGH|NRG1|ENSG00000157168|Transcript|ENST00000405005|"
        "protein_coding\tPR:SR\t1,0:1,0\t9,9:9,9",
    ]
    path = tmp_path / "vep.vcf"
    path.write_text("\n".join(header + records) + "\n")
    assert pairs(read_fusions(path, "vcf", "T1")) == {
        ("CD74", "fusion", "CD74::NRG1"),
        ("NRG1", "fusion", "CD74::NRG1"),
    }


def test_legacy_snpeff_eff(tmp_path: Path) -> None:
    eff = (
        "Predicted effects for this variant.Format: 'Effect ( Effect_Impact | Functional_Class "
        "| Codon_Change | Amino_Acid_Change| Amino_Acid_Length | Gene_Name | Transcript_BioType "
        "| Gene_Coding | Transcript_ID | Exon_Rank  | Genotype_Number [ | ERRORS | WARNINGS ] )' "
    )
    text = (DATA / "manta_somatic.snpeff.vcf").read_text().splitlines()
    header = [line for line in text if line.startswith("##") and "ID=ANN" not in line]
    header.append(f'##INFO=<ID=EFF,Number=.,Type=String,Description="{eff}">')
    header.append(next(line for line in text if line.startswith("#CHROM")))
    record = (
        "4\t1737000\tdup1\tN\t<DUP:TANDEM>\t.\tPASS\tEND=1808600;SVTYPE=DUP;"
        "EFF=GENE_FUSION(HIGH|||||FGFR3&TACC3|protein_coding|CODING|ENST00000440486|1|1)"
        "\tPR:SR\t1,0:1,0\t9,9:9,9"
    )
    path = tmp_path / "eff.vcf"
    path.write_text("\n".join([*header, record]) + "\n")
    assert pairs(read_fusions(path, "vcf", "T1")) == {
        ("FGFR3", "fusion", "FGFR3::TACC3"),
        ("TACC3", "fusion", "FGFR3::TACC3"),
    }


def test_cbioportal_sv_and_legacy_fusion_files() -> None:
    sv = read_cbioportal_sv(DATA / "data_sv.txt")
    by_sample = {sid: pairs(part) for sid, part in sv.groupby("sample_id")}
    assert by_sample["SAMPLE_A"] == {
        ("FGFR2", "fusion", "FGFR2::BICC1"),
        ("BICC1", "fusion", "FGFR2::BICC1"),
        ("ERBB2", "rearrangement", "ERBB2-intragenic"),
    }
    assert by_sample["SAMPLE_B"] == {
        ("AGK", "fusion", "AGK::BRAF"),
        ("BRAF", "fusion", "AGK::BRAF"),
        ("NRG1", "rearrangement", "NRG1 rearrangement"),  # breakpoint without a partner gene
    }
    assert set(sv.loc[sv["sample_id"] == "SAMPLE_B", "sv_status"]) == {"GERMLINE", "SOMATIC"}
    legacy = read_fusions(DATA / "data_fusions.txt", "cbioportal_sv", "SAMPLE_C")
    assert pairs(legacy) == {("CD74", "fusion", "CD74::NRG1"), ("NRG1", "fusion", "CD74::NRG1")}
    other = read_fusions(DATA / "data_fusions.txt", "cbioportal_sv", "SAMPLE_D")
    assert pairs(other) == {
        ("FGFR1", "rearrangement", "FGFR1-intragenic"),
        ("AKT3", "fusion", "AKT3 fusion"),  # partner not named: still a fusion
    }
    assert not len(read_fusions(DATA / "data_sv.txt", "cbioportal_sv", "NOT_THERE"))


def test_cohort_file_is_read_once_for_many_samples() -> None:
    samples = pd.DataFrame(
        {
            "sample_id": ["SAMPLE_A", "SAMPLE_B", "SAMPLE_X", "T1"],
            "sv_file": [str(DATA / "data_sv.txt")] * 3 + [str(DATA / "manta_somatic.snpeff.vcf")],
            "sv_format": ["cbioportal_sv"] * 3 + ["vcf"],
        }
    )
    found = fusions_by_sample(samples)
    assert set(found) == {"SAMPLE_A", "SAMPLE_B", "SAMPLE_X", "T1"}
    assert len(found["SAMPLE_X"]) == 0  # assayed, no fusion: rows empty, sample still listed
    assert "FGFR3" in set(found["T1"]["gene"])


def test_bad_sv_files_are_clear_errors(tmp_path: Path) -> None:
    bedpe = tmp_path / "calls.bedpe"
    bedpe.write_text("chrom1\tstart1\tend1\tchrom2\n8\t1\t2\t5\n")
    problems = check_sv_file(bedpe, "cbioportal_sv", row=" (sample sheet s.tsv line 3)")
    assert "not a cBioPortal structural variant file" in problems[0].message
    assert problems[0].message.endswith("(sample sheet s.tsv line 3)")
    unannotated = tmp_path / "manta.vcf"
    text = (DATA / "manta_somatic.snpeff.vcf").read_text()
    unannotated.write_text("\n".join(ln for ln in text.splitlines() if "ID=ANN" not in ln) + "\n")
    problems = check_sv_file(unannotated, "vcf")
    assert "no INFO/ANN (SnpEff) or INFO/CSQ (VEP) header" in problems[0].message
    with pytest.raises(InputError, match="unknown sv_format"):
        read_fusions(bedpe, "bedpe", "S1")
    assert check_sv_file(DATA / "manta_somatic.snpeff.vcf", "vcf") == []


SAMPLE = {
    "patient_id": "P1",
    "sample_id": "T1",
    "specimen": "tissue",
    "timepoint": "baseline",
    "qc_status": "pass",
}


def test_fusions_become_alterations_of_panel_genes(knowledge) -> None:
    fusions = read_fusions(DATA / "manta_somatic.snpeff.vcf", "vcf", "T1")
    rows = annotate_sample(
        pd.DataFrame(columns=["gene"]),
        None,
        SAMPLE,
        knowledge,
        CONFIG["filters"],
        fusions=fusions,
    )
    rows = rows.set_index("gene")
    # CD74, TACC3 and AGK are no pathway genes: no rows of their own
    assert set(rows.index) == {"FGFR3", "NRG1", "BRAF"}
    assert set(rows["alteration_type"]) == {"fusion"}
    assert rows.loc["NRG1", "alteration"] == "CD74::NRG1"
    assert rows.loc["NRG1", "oncogenicity_rule"] == "oncogene_fusion"
    assert rows.loc["NRG1", "counts_as_altered"] and rows.loc["FGFR3", "counts_as_altered"]
    assert rows.loc["BRAF", "filter_status"] == "filter_MinSomaticScore"
    assert not rows.loc["BRAF", "counts_as_altered"]


def test_germline_and_intragenic_events_do_not_count(knowledge) -> None:
    table = read_cbioportal_sv(DATA / "data_sv.txt")
    rows = []
    for sid in ("SAMPLE_A", "SAMPLE_B"):
        sample = SAMPLE | {"sample_id": sid}
        rows.append(
            annotate_sample(
                pd.DataFrame(columns=["gene"]),
                None,
                sample,
                knowledge,
                CONFIG["filters"],
                fusions=table[table["sample_id"] == sid],
            )
        )
    rows = pd.concat(rows).set_index(["sample_id", "gene"])
    assert rows.loc[("SAMPLE_A", "FGFR2"), "counts_as_altered"]
    assert rows.loc[("SAMPLE_A", "ERBB2"), "alteration_type"] == "rearrangement"
    assert not rows.loc[("SAMPLE_A", "ERBB2"), "counts_as_altered"]
    assert rows.loc[("SAMPLE_B", "BRAF"), "filter_status"] == "germline"
    assert not rows.loc[("SAMPLE_B", "BRAF"), "counts_as_altered"]
    assert not rows.loc[("SAMPLE_B", "NRG1"), "counts_as_altered"]


def test_fusion_evaluability(knowledge) -> None:
    """NRG1 lists amplification and fusion. With copy number and fusions in the study, a
    sample without SV calls is not evaluable for NRG1; with an SV file and no NRG1 fusion it
    is wild type; a fusion-only gene needs the SV file; in a mutation-only study NRG1 (whose
    listed kinds nobody measured) is never wild type."""
    knowledge.genes.setdefault(
        "FUSION_ONLY", GeneRule("FUSION_ONLY", "oncogene", frozenset({"fusion"}), ())
    )
    columns = ["patient_id", "sample_id", "specimen", "timepoint", "variant_file", "cnv_file"]
    columns += ["qc_status", "sv_file", "sv_format"]
    samples = pd.DataFrame(
        [
            ["P1", "P1_T", "tissue", "baseline", "a.vcf", "a.cns", "pass", "sv.vcf", "vcf"],
            ["P2", "P2_T", "tissue", "baseline", "b.vcf", "b.cns", "pass", "", ""],
            ["P3", "P3_T", "tissue", "baseline", "c.vcf", "c.cns", "pass", "sv.vcf", "vcf"],
        ],
        columns=columns,
    )
    calls = pd.DataFrame(
        {
            "patient_id": ["P3"],
            "sample_id": ["P3_T"],
            "timepoint": ["baseline"],
            "gene": ["NRG1"],
            "specimen": ["tissue"],
            "alteration_type": ["fusion"],
            "counts_as_altered": [True],
        }
    )
    genes = ["NRG1", "FUSION_ONLY"]
    status = matrix.gene_status(
        calls, samples, ["P1", "P2", "P3"], knowledge, genes, ["tissue"]
    ).set_index(["patient_id", "gene"])["status"]
    assert status["P1", "NRG1"] == "wild_type"
    assert status["P2", "NRG1"] == "not_evaluable"
    assert status["P3", "NRG1"] == "altered"
    assert status["P1", "FUSION_ONLY"] == "wild_type"
    assert status["P2", "FUSION_ONLY"] == "not_evaluable"
    mutation_only = samples.assign(cnv_file="", sv_file="", sv_format="")
    status = matrix.gene_status(
        calls.iloc[0:0], mutation_only, ["P1"], knowledge, genes, ["tissue"]
    ).set_index(["patient_id", "gene"])["status"]
    assert status["P1", "NRG1"] == "not_evaluable"
    assert status["P1", "FUSION_ONLY"] == "not_evaluable"
