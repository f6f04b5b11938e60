"""cbioportal_study: a study folder read into the sample sheet, MAF, CNA and clinical table.

Real study: ../shared/data/cohorts/brca_metabric (CR-only line ends, '#' rows, the 173-gene
METABRIC_173 panel without MTOR, a '#Sequenced_Samples:' MAF line, no case lists). Bad input
(issue 15): small studies written here, one defect each.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from her2resist.cbioportal_study import read_study, study_config
from her2resist.errors import InputError
from her2resist.population import population_reasons, select_population
from her2resist.variants.maf import check_maf, read_maf

PATIENT_HEADER = "#Patient Identifier\tOS\tStatus\n#a\tb\tc\n#STRING\tNUMBER\tSTRING\n#1\t1\t1\n"
SAMPLE_HEADER = (
    "#Sample\tPatient\tType\tHER2\n#a\tb\tc\td\n#STRING\tSTRING\tSTRING\tSTRING\n#1\t1\t1\t1\n"
)
MAF_HEADER = (
    "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tVariant_Classification\t"
    "Variant_Type\tReference_Allele\tTumor_Seq_Allele1\tTumor_Seq_Allele2\t"
    "Tumor_Sample_Barcode\tHGVSp_Short\tt_ref_count\tt_alt_count\n"
)


def meta(path: Path, **fields: str) -> None:
    path.write_text("".join(f"{k}: {v}\n" for k, v in fields.items()))


def small_study(folder: Path, newline: str = "\n") -> Path:
    """3 patients; P1 has a tumour and a plasma sample; P3's sample was sequenced without a
    mutation; P2's sample was profiled for copy number only; panels for mutations."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "meta_study.txt": "type_of_cancer: brca\ncancer_study_identifier: toy\nname: toy\n"
        "description: toy\n",
        "meta_clinical_patient.txt": "cancer_study_identifier: toy\ngenetic_alteration_type: "
        "CLINICAL\ndatatype: PATIENT_ATTRIBUTES\ndata_filename: data_clinical_patient.txt\n",
        "meta_clinical_sample.txt": "cancer_study_identifier: toy\ngenetic_alteration_type: "
        "CLINICAL\ndatatype: SAMPLE_ATTRIBUTES\ndata_filename: data_clinical_sample.txt\n",
        "meta_mutations.txt": "cancer_study_identifier: toy\ngenetic_alteration_type: "
        "MUTATION_EXTENDED\ndatatype: MAF\nstable_id: mutations\ndata_filename: "
        "data_mutations.txt\n",
        "meta_cna.txt": "cancer_study_identifier: toy\ngenetic_alteration_type: "
        "COPY_NUMBER_ALTERATION\ndatatype: DISCRETE\nstable_id: cna\ndata_filename: data_cna.txt\n",
        "meta_gene_panel_matrix.txt": "cancer_study_identifier: toy\ngenetic_alteration_type: "
        "GENE_PANEL_MATRIX\ndatatype: GENE_PANEL_MATRIX\ndata_filename: "
        "data_gene_panel_matrix.txt\n",
        "data_clinical_patient.txt": PATIENT_HEADER
        + "PATIENT_ID\tOS_MONTHS\tOS_STATUS\nP1\t10.5\t1:DECEASED\nP2\t20\t0:LIVING\n"
        "P3\t30\tLIVING\n",
        "data_clinical_sample.txt": SAMPLE_HEADER
        + "SAMPLE_ID\tPATIENT_ID\tSAMPLE_TYPE\tHER2_STATUS\nS1\tP1\tPrimary\tPositive\n"
        "S1-cf\tP1\tcfDNA\tPositive\nS2\tP2\tMetastasis\tNegative\nS3\tP3\tPrimary\tPositive\n",
        "data_mutations.txt": "#version 2.4\n"
        + MAF_HEADER
        + "PIK3CA\t3\t178952085\t178952085\tMissense_Mutation\tSNP\tA\tA\tG\tS1\tp.H1047R\t50\t40\n"
        "TP53\t17\t7578406\t7578406\tMissense_Mutation\tSNP\tC\tC\tT\tS1-cf\tp.R175H\t900\t30\n",
        "data_cna.txt": "Hugo_Symbol\tS1\tS2\nERBB2\t2\t0\nPTEN\t0\t-2\n",
        "data_gene_panel_matrix.txt": "SAMPLE_ID\tmutations\nS1\tPANEL_A\nS1-cf\tPANEL_B\n"
        "S2\tNA\nS3\tPANEL_A\n",
        "data_gene_panel_A.txt": "stable_id: PANEL_A\ndescription: tissue\n"
        "gene_list: PIK3CA\tTP53\tERBB2\n",
        "data_gene_panel_B.txt": "stable_id: PANEL_B\ndescription: plasma\ngene_list: TP53\n",
    }
    for name, text in files.items():
        (folder / name).write_bytes(text.replace("\n", newline).encode())
    return folder


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_small_study_any_line_ending(tmp_path: Path, newline: str) -> None:
    study = read_study(small_study(tmp_path / "toy", newline))
    sheet = study.samples.set_index("sample_id")
    # S3 (sequenced, no mutation) is in the sheet and profiled; S2 only for copy number
    assert list(sheet.index) == ["S1", "S1-cf", "S2", "S3"]
    assert sheet.loc["S3", "variant_file"].endswith("data_mutations.txt")
    assert sheet.loc["S2", "variant_file"] == ""
    assert sheet.loc["S2", "cnv_file"].endswith("data_cna.txt")
    assert sheet.loc["S3", "cnv_file"] == ""  # not a column of data_cna.txt
    assert sheet.loc["S1-cf", "specimen"] == "ctdna"
    assert sheet.loc["S1", "specimen"] == "tissue"
    assert set(sheet["timepoint"]) == {"baseline"}
    assert sheet.loc["S1", "patient_id"] == "P1" and sheet.loc["S1-cf", "patient_id"] == "P1"
    assert sheet.loc["S1", "panel"].endswith("data_gene_panel_A.txt")
    assert sheet.loc["S1-cf", "panel"].endswith("data_gene_panel_B.txt")
    assert sheet.loc["S2", "panel"] == ""
    assert study.maf.endswith("data_mutations.txt") and study.cna.endswith("data_cna.txt")
    clinical = study.clinical.set_index("PATIENT_ID")
    assert clinical.loc["P1", "OS_STATUS"] == "1:DECEASED"
    assert clinical.loc["P1", "SAMPLE_TYPE"] == "Primary;cfDNA"  # sample attributes per patient
    assert study.columns == {
        "patient_id": "PATIENT_ID",
        "os_time": "OS_MONTHS",
        "os_event": "OS_STATUS",
    }
    assert study.warnings == []


def test_metabric(shared_data: Path) -> None:
    folder = shared_data / "cohorts" / "brca_metabric"
    study = read_study(folder)
    sheet = study.samples
    # every sample of the '#Sequenced_Samples' line / gene panel matrix, also the 140 without
    # a mutation (2,369 barcodes in the MAF)
    assert len(sheet) == 2509
    maf = read_maf(study.maf)
    assert maf["sample_id"].nunique() == 2369
    assert set(maf["sample_id"]) < set(sheet["sample_id"])
    assert (sheet["variant_format"] == "maf").all() and (sheet["cnv_file"] == "").all()
    panel = Path(sheet["panel"].iloc[0])
    assert panel.name == "data_gene_panel.txt" and sheet["panel"].nunique() == 1
    genes = panel.read_text().split("gene_list:")[1].split()
    assert len(genes) == 173 and "MTOR" not in genes and "PIK3CA" in genes
    assert (sheet["patient_id"] == sheet["sample_id"]).sum() > 2000
    clinical = study.clinical
    assert len(clinical) == 2509 and clinical["PATIENT_ID"].is_unique
    assert set(clinical["OS_STATUS"].dropna()) == {"LIVING", "DECEASED"}
    assert (clinical["HER2_STATUS"] == "+").sum() == 247
    assert study.columns["os_time"] == "OS_MONTHS" and "pfs_time" not in study.columns


def test_study_config_writes_inputs_once(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    out = tmp_path / "results" / "study"
    config = {"cbioportal_study": str(folder), "clinical": {"columns": {"os_time": "OS_MONTHS"}}}
    updated = study_config(config, out)
    assert updated["samples"] == str(out / "samples.tsv")
    assert updated["clinical"]["table"] == str(out / "clinical.tsv")
    assert updated["clinical"]["columns"]["os_event"] == "OS_STATUS"
    stamp = (out / "samples.tsv").stat().st_mtime_ns
    study_config(config, out)
    assert (out / "samples.tsv").stat().st_mtime_ns == stamp  # unchanged: not rewritten


def problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as error:
        read_study(folder)
    return [str(p) for p in error.value.problems]


def test_missing_data_file(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    (folder / "data_cna.txt").unlink()
    (message,) = problems(folder)
    assert "meta_cna.txt, line 5, column 'data_filename'" in message
    assert "'data_cna.txt' is not in the study folder" in message and "fix:" in message


def test_unknown_alteration_type(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    meta(folder / "meta_odd.txt", genetic_alteration_type="MUTATIONS", datatype="MAF")
    (message,) = problems(folder)
    assert (
        "meta_odd.txt, line 1" in message
        and "unknown genetic_alteration_type 'MUTATIONS'" in message
    )
    assert "MUTATION_EXTENDED" in message  # the fix lists the known types


def test_sample_missing_from_clinical_file_is_a_warning(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    with (folder / "data_mutations.txt").open("a") as handle:
        handle.write(
            "TP53\t17\t7578406\t7578406\tMissense_Mutation\tSNP\tC\tC\tT\tS9\tp.R175H\t9\t9\n"
        )
    study = read_study(folder)
    (warning,) = study.warnings
    assert "sample 'S9' is not in data_clinical_sample.txt" in str(warning)
    assert str(warning).startswith(f"{folder / 'data_mutations.txt'}, line 5")
    assert "S9" not in set(study.samples["sample_id"])


def test_cna_value_outside_range(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    # calls written as numbers ("2.0", "-1.5") and NA are calls; "-3" and "amp" are not
    (folder / "data_cna.txt").write_text(
        "Hugo_Symbol\tS1\tS2\nERBB2\t2.0\tNA\nPTEN\t-1.5\t-3\nTP53\tamp\t0\n"
    )
    first, second = problems(folder)
    assert "data_cna.txt, line 3, column 'S2'" in first
    assert "value '-3' for gene 'PTEN' is not a discrete copy-number call" in first
    assert "data_cna.txt, line 4, column 'S1'" in second
    assert "value 'amp' for gene 'TP53'" in second


def test_panel_without_panel_file(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    (folder / "data_gene_panel_B.txt").unlink()
    (message,) = problems(folder)
    assert "data_gene_panel_matrix.txt, line 3, column 'mutations'" in message
    assert "gene panel 'PANEL_B' has no panel file" in message and "PANEL_A" in message


def test_case_list_decides_profiled(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    (folder / "case_lists").mkdir()
    meta(
        folder / "case_lists" / "cases_sequenced.txt",
        cancer_study_identifier="toy",
        stable_id="toy_sequenced",
        case_list_name="Sequenced",
        case_list_description="Sequenced",
        case_list_ids="S1\tS2",
    )
    study = read_study(folder)
    sheet = study.samples.set_index("sample_id")
    assert sheet.loc["S2", "variant_file"].endswith("data_mutations.txt")
    # S1-cf, S3: in the panel matrix, not in the case list, so profiled for nothing: not in
    # the sheet, and the input report says so
    assert list(sheet.index) == ["S1", "S2"]
    (warning,) = study.warnings
    assert "2 sample(s) were not profiled" in warning.message
    assert "S1-cf, S3" in warning.message


def test_maf_without_variant_classification(tmp_path: Path) -> None:
    maf = tmp_path / "derived.maf"
    header = MAF_HEADER.replace("Variant_Classification\t", "")
    rows = [
        "PIK3CA\t3\t178952085\t178952085\tSNP\tA\tA\tG\tS1\tp.H1047R\t50\t40",
        "TP53\t17\t7578406\t7578407\tINS\t-\t-\tG\tS1\tp.H115Pfs*34\t50\t40",
        "PTEN\t10\t89692904\t89692904\tSNP\tC\tC\tT\tS1\tp.R130*\t50\t40",
    ]
    maf.write_text(header + "\n".join(rows) + "\n")
    table = read_maf(maf)
    assert table["variant_class"].tolist() == [
        "Missense_Mutation",
        "Frame_Shift_Ins",
        "Nonsense_Mutation",
    ]
    assert "derived from the protein change" in table.attrs["warnings"][-1]
    errors, warnings = check_maf(maf)
    assert errors == [] and "derived from its HGVSp_Short column" in str(warnings[0])
    # with VEP's Consequence, vcf2maf's rules decide
    with_consequence = tmp_path / "consequence.maf"
    lines = maf.read_text().splitlines()
    terms = ["missense_variant", "frameshift_variant", "stop_gained,splice_region_variant"]
    with_consequence.write_text(
        "\n".join(
            [lines[0] + "\tConsequence"]
            + [f"{r}\t{t}" for r, t in zip(lines[1:], terms, strict=True)]
        )
    )
    assert read_maf(with_consequence)["variant_class"].tolist() == [
        "Missense_Mutation",
        "Frame_Shift_Ins",
        "Nonsense_Mutation",
    ]
    # nothing to derive it from: an error naming the column
    bare = tmp_path / "bare.maf"
    keep = [0, 1, 2, 3, 4, 5, 6, 7, 8]
    bare.write_text(
        "\n".join("\t".join(line.split("\t")[i] for i in keep) for line in lines) + "\n"
    )
    with pytest.raises(InputError) as error:
        read_maf(bare)
    assert "no Variant_Classification column" in str(error.value)
    errors, _ = check_maf(bare)
    assert "column 'Variant_Classification'" in str(errors[0])


def test_population(tmp_path: Path) -> None:
    study = read_study(small_study(tmp_path / "toy"))
    config = {
        "clinical": {"table": "clinical.tsv", "columns": {"patient_id": "PATIENT_ID"}},
        "population": {"HER2_STATUS": ["Positive"]},
    }
    clinical, samples, excluded = select_population(config, study.clinical, study.samples)
    assert list(clinical["PATIENT_ID"]) == ["P1", "P3"]
    assert set(samples["sample_id"]) == {"S1", "S1-cf", "S3"}
    listing = excluded.set_index("id")
    assert listing.loc["P2", "reason"] == "not in population: HER2_STATUS = Negative"
    assert listing.loc["S2", ["level", "patient_id"]].tolist() == ["sample", "P2"]
    with pytest.raises(InputError) as error:
        population_reasons(study.clinical, "PATIENT_ID", {"HER2": ["Positive"]}, "clinical.tsv")
    assert "population column 'HER2' is not in the clinical table" in str(error.value)
    assert "HER2_STATUS" in str(error.value)  # lists what exists
    with pytest.raises(InputError) as error:
        population_reasons(study.clinical, "PATIENT_ID", {"HER2_STATUS": ["pos"]}, "c.tsv")
    assert "'pos' of 'HER2_STATUS' do not occur" in str(error.value)
    assert "Negative, Positive" in str(error.value)
    # YAML reads a bare Y as true; it still matches an ADSL flag Y
    flags = pd.DataFrame({"USUBJID": ["a", "b"], "SAFFL": ["Y", "N"]})
    assert population_reasons(flags, "USUBJID", {"SAFFL": [True]}, "adsl").tolist() == [
        "",
        "not in population: SAFFL = N",
    ]


def test_structural_variants_and_meta_gene_panel(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    meta(
        folder / "meta_sv.txt",
        cancer_study_identifier="toy",
        genetic_alteration_type="STRUCTURAL_VARIANT",
        datatype="SV",
        stable_id="structural_variants",
        gene_panel="PANEL_B",
        data_filename="data_sv.txt",
    )
    (folder / "data_sv.txt").write_text(
        "Sample_Id\tSite1_Hugo_Symbol\tSite2_Hugo_Symbol\tSV_Status\nS2\tFGFR2\tTACC2\tSOMATIC\n"
    )
    sheet = read_study(folder).samples.set_index("sample_id")
    # without a case list or matrix column, the samples of data_sv.txt were profiled
    assert sheet.loc["S2", "sv_file"].endswith("data_sv.txt")
    assert sheet.loc["S2", "sv_format"] == "cbioportal_sv"
    assert sheet.loc["S2", "sv_panel"].endswith("data_gene_panel_B.txt")  # meta gene_panel:
    assert sheet.loc["S1", "sv_file"] == "" and sheet.loc["S1", "sv_panel"] == ""


def test_duplicated_and_empty_ids(tmp_path: Path) -> None:
    folder = small_study(tmp_path / "toy")
    with (folder / "data_clinical_patient.txt").open("a") as handle:
        handle.write("P2\t5\t0:LIVING\n")
    with (folder / "data_clinical_sample.txt").open("a") as handle:
        handle.write("S4\t\tPrimary\tPositive\n")
    messages = problems(folder)
    assert any(
        "data_clinical_sample.txt, line 10, column 'PATIENT_ID': PATIENT_ID is empty" in m
        for m in messages
    )
    assert any(
        "data_clinical_patient.txt, line 9, column 'PATIENT_ID': duplicated PATIENT_ID 'P2' "
        "(first on line 7)" in m
        for m in messages
    )
