"""End to end: gene panels and fusion calls through the workflow (validate -> variants/cnv ->
annotate -> tumour fraction -> matrix) on four patients of the example cohort, with one
patient sequenced on a small panel and two with SV calls (a cBioPortal data_sv.txt shared by
the cohort, and an annotated SV VCF)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

SV_DATA = Path(__file__).parent / "data" / "sv"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    from workdirs import example_workdir, run_snakemake

    work = example_workdir(
        tmp_path_factory.mktemp("panels"), project_root, patients={"P01", "P02", "P03", "P04"}
    )
    (work / "panels").mkdir()
    (work / "panels" / "small.txt").write_text("# a small panel\nERBB2\nPIK3CA\nTP53\nPTEN\n")
    (work / "sv").mkdir()
    (work / "sv" / "data_sv.txt").write_text(
        "Sample_Id\tSV_Status\tSite1_Hugo_Symbol\tSite2_Hugo_Symbol\tSite1_Chromosome\t"
        "Site1_Position\tSite2_Chromosome\tSite2_Position\tEvent_Info\n"
        "P03_tissue_BL\tSOMATIC\tCD74\tNRG1\t5\t150404000\t8\t32600000\t"
        "Protein Fusion: in frame  {CD74:NRG1}\n"
    )
    shutil.copy(SV_DATA / "manta_somatic.snpeff.vcf", work / "sv" / "P04.snpeff.vcf")
    sheet_path = work / "resources" / "example" / "samples.tsv"
    sheet = pd.read_csv(sheet_path, sep="\t", dtype=str, keep_default_na=False)
    sheet["panel"] = sheet["sv_file"] = sheet["sv_format"] = ""
    sheet.loc[sheet["patient_id"] == "P02", "panel"] = "panels/small.txt"
    sheet.loc[sheet["sample_id"] == "P03_tissue_BL", ["sv_file", "sv_format"]] = [
        "sv/data_sv.txt",
        "cbioportal_sv",
    ]
    sheet.loc[sheet["sample_id"] == "P04_tissue_BL", ["sv_file", "sv_format"]] = [
        "sv/P04.snpeff.vcf",
        "vcf",
    ]
    sheet.to_csv(sheet_path, sep="\t", index=False)
    completed = run_snakemake(project_root, work, "results/matrix/pathway_by_patient.tsv")
    assert completed.returncode == 0, completed.stderr[-5000:]
    return work


def test_fusions_are_alterations(run: Path) -> None:
    alterations = pd.read_csv(run / "results/annotated/alterations.tsv", sep="\t")
    fusions = alterations[alterations["alteration_type"] == "fusion"]
    found = set(zip(fusions["sample_id"], fusions["gene"], fusions["alteration"], strict=True))
    assert found == {
        ("P03_tissue_BL", "NRG1", "CD74::NRG1"),
        ("P04_tissue_BL", "NRG1", "CD74::NRG1"),
        ("P04_tissue_BL", "FGFR3", "FGFR3::TACC3"),
        ("P04_tissue_BL", "BRAF", "AGK::BRAF"),
    }
    counted = fusions.set_index(["sample_id", "gene"])["counts_as_altered"]
    assert counted["P04_tissue_BL", "NRG1"] and not counted["P04_tissue_BL", "BRAF"]


def test_matrices_follow_panels_and_fusion_assays(run: Path) -> None:
    genes = pd.read_csv(run / "results/matrix/gene_by_patient.tsv", sep="\t")
    genes = genes[genes["timepoint"] == "baseline"].set_index("patient_id")
    # P02: both samples on the small panel; MTOR is on other samples' assays
    assert genes.loc["P02", "MTOR"] == "not_evaluable"
    assert genes.loc["P01", "MTOR"] != "not_evaluable"
    assert genes.loc["P02", "TP53"] in {"wild_type", "altered"}
    # NRG1 lists amplification and fusion: fusions were assayed only for P03 and P04
    assert genes.loc["P03", "NRG1"] == "altered"
    assert genes.loc["P04", "NRG1"] == "altered"
    assert genes.loc["P01", "NRG1"] == "not_evaluable"
    assert genes.loc["P04", "FGFR3"] == "altered"
    assert genes.loc["P04", "BRAF"] == "wild_type"  # its AGK::BRAF failed the caller's filter
    assert genes.loc["P01", "BRAF"] == "not_evaluable"
    members = pd.read_csv(run / "results/matrix/pathway_members.tsv", sep="\t", dtype=str)
    her3 = members[(members["pathway"] == "HER3") & (members["timepoint"] == "baseline")]
    her3 = her3.set_index("patient_id")
    assert her3.loc["P03", "status"] == "altered"
    assert her3.loc["P03", "altered_members"] == "NRG1"
    pathways = pd.read_csv(run / "results/matrix/pathway_by_patient.tsv", sep="\t")
    pathways = pathways[pathways["timepoint"] == "baseline"].set_index("patient_id")
    assert (pathways["HER3"] == her3["status"].reindex(pathways.index)).all()


def test_sample_evaluability_table(run: Path) -> None:
    table = pd.read_csv(run / "results/matrix/sample_evaluability.tsv", sep="\t", dtype=str)
    sheet = pd.read_csv(run / "resources/example/samples.tsv", sep="\t", dtype=str)
    assert sorted(table["sample_id"]) == sorted(sheet["sample_id"])
    table = table.set_index("sample_id")
    assert table.loc["P02_tissue_BL", "mutation"] == "4 genes"
    assert table.loc["P01_tissue_BL", "mutation"] == "all genes"
    assert table.loc["P01_tissue_BL", "fusion"] == "not measured"
    assert table.loc["P04_tissue_BL", "fusion"] == "all genes"


def test_provenance_lists_sv_files_and_panels(run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from her2resist.config import load_config
    from her2resist.report.outputs import provenance_inputs

    monkeypatch.chdir(run)
    sheet = pd.read_csv("resources/example/samples.tsv", sep="\t", dtype=str)
    inputs = provenance_inputs(load_config("config/config.yaml"), sheet)
    assert inputs["sv_files"] == ["sv/P04.snpeff.vcf", "sv/data_sv.txt"]
    assert inputs["gene_panels"] == ["panels/small.txt"]
