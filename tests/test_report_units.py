"""Report stage, fast: rounding policy, XLSX/DOCX agree with the TSV, byte determinism,
numbers at risk, figures and the cBioPortal study structure (synthetic inputs)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.cbioportal_study import read_meta as study_meta
from her2resist.report import cbioportal, figures, tables, writers
from her2resist.report.formatting import format_ci, format_estimate_ci, format_number, format_p
from her2resist.report.layout import render


def test_format_p_and_ci() -> None:
    # the rounding policy: p to 2 significant digits, <0.001 below; estimates 2 decimals
    # from 1 up, 3 significant digits below 1
    assert format_p(0.0004) == "<0.001"
    assert format_p(0.001) == "0.0010"
    assert format_p(0.07967) == "0.080"
    assert format_p(0.27885) == "0.28"
    assert format_p(0.99996) == "1.0"
    assert format_p(float("nan")) == "–"
    assert format_ci(0.894, 5.5507) == "(0.894–5.55)"
    assert format_ci(21.5, float("nan")) == "(21.50–NR)"
    assert format_estimate_ci(2.2276, 0.894, 5.5507) == "2.23 (0.894–5.55)"
    assert format_number(30) == "30"
    assert format_number(7.589322382) == "7.59"
    assert format_number(12.405) == "12.40" or format_number(12.405) == "12.41"
    assert format_number(0.09996) == "0.100"
    assert format_number(0.9996) == "1.00"
    assert format_number(0.04563) == "0.0456"


def synthetic_associations(endpoint: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "biomarker": ["PIK3CA", "TP53", "ERBB3"],
            "endpoint": [endpoint] * 3,
            "n_altered": [7, 15, 2],
            "n_wild_type": [21, 13, 26],
            "events_altered": [6, 9, 1],
            "events_wild_type": [14, 11, 19],
            "median_altered": [2.759753593, np.nan, 12.4],
            "median_wild_type": [7.589322382, 6.1, 6.9],
            "hr": [2.227606806, 1.02, np.nan],
            "hr_lcl": [0.8939881512, 0.472, np.nan],
            "hr_ucl": [5.550668738, 2.22, np.nan],
            "logrank_p": [0.07967090879, 0.00002, np.nan],
            "q_value": [0.2788481808, 0.0004, np.nan],
            "method": ["logrank+cox_efron", "logrank+cox_efron", "descriptive"],
            "note": ["", "", "not tested: n_altered=2 < min_altered=3"],
        }
    )


def synthetic_table():
    return tables.biomarker_table(synthetic_associations("pfs"), synthetic_associations("os"))


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def test_xlsx_and_docx_show_the_tsv_numbers(tmp_path: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    spec = synthetic_table()
    paths = writers.write_table(spec, tmp_path / "t.tsv")
    tsv = pd.read_csv(paths["tsv"], sep="\t")
    workbook = load_workbook(paths["xlsx"])
    data = list(workbook["Data"].iter_rows(values_only=True))
    assert list(data[0]) == list(tsv.columns)
    assert workbook["Data"].freeze_panes == "A2" and workbook["Data"]["A1"].font.bold
    for i, row in enumerate(data[1:]):
        for column, value in zip(tsv.columns, row, strict=True):
            expected = tsv.iloc[i][column]
            if pd.isna(expected):
                assert value in (None, ""), (column, value)
            elif isinstance(value, float | int) and not isinstance(value, bool):
                assert value == pytest.approx(float(expected), rel=1e-12), column
            else:
                assert str(value) == str(expected)

    shown = render(spec.with_data(tsv))
    grid = Document(paths["docx"]).tables[0]
    cells = [[c.text for c in row.cells] for row in grid.rows]
    assert cells == shown.header_rows + shown.body
    sheet = [
        ["" if v is None else str(v) for v in row]
        for row in workbook["Table"].iter_rows(values_only=True)
    ]
    assert sheet[0][0] == spec.title
    # merged spanning cells read back empty after the first: compare the first of each span
    assert sheet[1][1] == "Progression-free survival" and sheet[1][7] == "Overall survival"
    assert sheet[2 : 3 + len(shown.body)] == shown.header_rows[1:] + shown.body

    header = shown.header_rows[-1]
    first = dict(zip(header[:7], cells[2][:7], strict=True))
    assert first["HR (95% CI)"] == "2.23 (0.894–5.55)"
    assert first["p"] == "0.080"
    assert first["Median, months\naltered/WT"] == "2.76/7.59"
    assert dict(zip(header[:7], cells[3][:7], strict=True))["p"] == "<0.001"
    assert cells[3][3] == "NR/6.10"  # median not reached among the altered
    # every number printed equals the TSV value at the printed precision
    for printed, value in zip(
        numbers(first["HR (95% CI)"]),
        tsv.loc[0, ["pfs_hr", "pfs_hr_lcl", "pfs_hr_ucl"]],
        strict=True,
    ):
        assert printed == pytest.approx(float(format_number(value)))
    # the not-tested biomarker says why, in a footnote marked on its row
    assert cells[4][0] == "ERBB3*"
    notes = " ".join(p.text for p in Document(paths["docx"]).paragraphs)
    assert (
        "* Not tested: 2 altered patients, fewer than the minimum of 3 (biomarkers.min_altered)."
    ) in notes
    assert "Abbreviations:" in notes and "HR, hazard ratio" in notes and "<0.001" in notes


def test_office_files_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = synthetic_table()
    first = writers.write_table(spec, tmp_path / "a" / "t.tsv")
    import time

    time.sleep(2.1)  # zip stores 2-second resolution: a clock-dependent writer would differ
    second = writers.write_table(spec, tmp_path / "b" / "t.tsv")
    for kind in ("tsv", "xlsx", "docx"):
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind
    with zipfile.ZipFile(first["docx"]) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        assert b"2024-01-01T00:00:00Z" in archive.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    third = writers.write_table(spec, tmp_path / "c" / "t.tsv")
    assert third["xlsx"].read_bytes() != first["xlsx"].read_bytes()


def test_numbers_at_risk_equal_a_direct_count() -> None:
    rng = np.random.default_rng(7)
    time = rng.exponential(8, size=57).round(1)
    time[3] = time[4]  # ties
    ticks = figures.risk_times(float(time.max()))
    direct = [sum(1 for t in time if t >= tick) for tick in ticks]
    assert figures.numbers_at_risk(time, ticks) == direct
    assert figures.numbers_at_risk([1.0, 2.0, np.nan, 3.0], [0, 2, 3.5]) == [3, 2, 0]


def endpoints_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 20
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:02d}" for i in range(1, n + 1)],
            "pfs_months": rng.exponential(7, n).round(2) + 0.1,
            "pfs_event": rng.integers(0, 2, n),
            "pfs_excluded": [""] * n,
            "os_months": rng.exponential(20, n).round(2) + 0.1,
            "os_event": rng.integers(0, 2, n),
            "os_excluded": [""] * n,
            "best_response": rng.choice(["CR", "PR", "SD", "PD", "NE"], n),
        }
    )


def test_figures_are_deterministic(tmp_path: Path) -> None:
    endpoints = endpoints_frame()
    a = figures.save_figure(figures.trial_km(endpoints, "pfs"), tmp_path / "a" / "km")
    b = figures.save_figure(figures.trial_km(endpoints, "pfs"), tmp_path / "b" / "km")
    for first, second in zip(a, b, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.suffix
    assert b"CreationDate" not in a[1].read_bytes()
    swimmer = figures.save_figure(figures.swimmer_figure(endpoints), tmp_path / "swimmer")
    assert all(p.stat().st_size > 1000 for p in swimmer)


def test_km_selection_threshold() -> None:
    table = pd.DataFrame(
        {"biomarker": ["a", "b", "c"], "logrank_p": [0.05, 0.2, np.nan], "q_value": [0.3, 0.4, 1]}
    )
    assert list(figures.km_selection(table)["biomarker"]) == ["a"]
    assert list(figures.km_selection(table, 0.35, "q")["biomarker"]) == ["a"]


def test_maf_alleles() -> None:
    assert cbioportal.maf_alleles(100, "A", "G") == (100, 100, "A", "G", "SNP")
    assert cbioportal.maf_alleles(100, "AT", "A") == (101, 101, "T", "-", "DEL")
    assert cbioportal.maf_alleles(100, "A", "AGG") == (100, 101, "-", "GG", "INS")


def test_cbioportal_study_structure(tmp_path: Path) -> None:
    endpoints = endpoints_frame().head(3)
    clinical = pd.DataFrame({"patient_id": ["P01", "P02", "P03"], "age": [50, 61, 45]})
    samples = pd.DataFrame(
        {
            "patient_id": ["P01", "P02", "P03"],
            "sample_id": ["P01_T", "P02_T", "P03_T"],
            "specimen": ["tissue"] * 3,
            "timepoint": ["baseline"] * 3,
            "variant_file": ["a.vcf", "b.vcf", ""],
            "qc_status": ["pass", "pass", "fail"],
        }
    )
    alterations = pd.DataFrame(
        {
            "sample_id": ["P01_T"],
            "gene": ["PIK3CA"],
            "alteration_type": ["mutation"],
            "filter_status": ["PASS"],
            "chrom": ["3"],
            "pos": [179234297],
            "ref": ["A"],
            "alt": ["G"],
            "variant_class": ["Missense_Mutation"],
            "hgvsc": ["c.3140A>G"],
            "hgvsp_short": ["p.H1047R"],
            "transcript": ["ENST00000263967"],
            "depth": [300],
            "alt_reads": [90],
        }
    )
    cnv = {
        s: pd.DataFrame({"sample_id": [s, s], "gene": ["ERBB2", "PTEN"], "call": [c, "neutral"]})
        for s, c in (("P01_T", "amplification"), ("P02_T", "deep_deletion"))
    }
    out = cbioportal.write_study(
        tmp_path / "study",
        study={"cancer_study_identifier": "test_study"},
        clinical=clinical,
        samples=samples,
        endpoints=endpoints,
        alterations=alterations,
        cnv_calls=pd.concat(cnv.values()),
        covariates=["age"],
    )
    assert_study_is_well_formed(out)
    cna = pd.read_csv(out / "data_cna.txt", sep="\t", index_col=0)
    assert cna.loc["ERBB2", "P01_T"] == 2 and cna.loc["ERBB2", "P02_T"] == -2
    assert cna.loc["PTEN", "P01_T"] == 0
    maf = pd.read_csv(out / "data_mutations.txt", sep="\t")
    assert maf.loc[0, "Tumor_Sample_Barcode"] == "P01_T" and maf.loc[0, "t_alt_count"] == 90
    sequenced = read_meta(out / "case_lists" / "cases_sequenced.txt")
    assert sequenced["case_list_ids"].split("\t") == ["P01_T", "P02_T"]


def read_meta(path: Path) -> dict[str, str]:
    """``key: value`` lines -> {key: value}, read as the study reader reads them."""
    return {key: value for key, (value, _) in study_meta(Path(path)).items()}


def assert_study_is_well_formed(folder: Path) -> None:
    """Required meta keys, 4 header lines, case-list samples in the sample clinical file."""
    assert study_problems(folder) == []
    for name, keys in REQUIRED_META.items():
        meta = read_meta(folder / name)
        assert all(meta.get(k) for k in keys), name
    sample_lines = (folder / "data_clinical_sample.txt").read_text().splitlines()
    assert all(line.startswith("#") for line in sample_lines[:4])
    assert sample_lines[4].split("\t")[:2] == ["PATIENT_ID", "SAMPLE_ID"]
    sample_ids = {line.split("\t")[1] for line in sample_lines[5:]}
    patient_lines = (folder / "data_clinical_patient.txt").read_text().splitlines()
    assert all(line.startswith("#") for line in patient_lines[:4])
    patients = {line.split("\t")[0] for line in patient_lines[5:]}
    assert {line.split("\t")[0] for line in sample_lines[5:]} <= patients
    categories = {}
    for case_list in (folder / "case_lists").glob("cases_*.txt"):
        meta = read_meta(case_list)
        categories[case_list.name] = meta.get("case_list_category")
        assert set(meta["case_list_ids"].split("\t")) - {""} <= sample_ids, case_list.name
        assert meta["stable_id"].startswith(
            read_meta(folder / "meta_study.txt")["cancer_study_identifier"] + "_"
        )
    expected = {
        "cases_all.txt": "all_cases_in_study",
        "cases_sequenced.txt": "all_cases_with_mutation_data",
        "cases_cna.txt": "all_cases_with_cna_data",
    }
    if (folder / "meta_sv.txt").exists():
        expected["cases_sv.txt"] = "all_cases_with_sv_data"
    assert categories == expected


def test_cbioportal_export_keeps_fusions(tmp_path: Path) -> None:
    """Fusions go out as data_sv.txt with the samples that were assayed (cases_sv), and the
    study reader takes them back: the round trip does not lose them."""
    from her2resist.cbioportal_study import read_study
    from her2resist.variants.fusions import read_cbioportal_sv

    samples = pd.DataFrame(
        {
            "patient_id": ["P01", "P02"],
            "sample_id": ["P01_T", "P02_T"],
            "specimen": ["tissue"] * 2,
            "timepoint": ["baseline"] * 2,
            "variant_file": ["a.vcf", "b.vcf"],
            "sv_file": ["a.sv.vcf", ""],
            "qc_status": ["pass", "pass"],
        }
    )
    # annotate writes one row per panel partner: NRG1 and FGFR1 are both pathway genes
    fusion = {"sample_id": "P01_T", "alteration_type": "fusion", "alteration": "FGFR1::NRG1"}
    alterations = pd.DataFrame(
        [
            fusion | {"gene": "FGFR1", "chrom": "8", "pos": 38411000, "filter_status": "PASS"},
            fusion | {"gene": "NRG1", "chrom": "8", "pos": 32500000, "filter_status": "PASS"},
        ]
    )
    out = cbioportal.write_study(
        tmp_path / "study",
        study={"cancer_study_identifier": "test_study"},
        clinical=pd.DataFrame({"patient_id": ["P01", "P02"]}),
        samples=samples,
        endpoints=endpoints_frame().head(2).assign(patient_id=["P01", "P02"]),
        alterations=alterations,
        cnv_calls=pd.DataFrame(columns=["sample_id", "gene", "call"]),
        covariates=[],
    )
    assert_study_is_well_formed(out)
    sv = read_cbioportal_sv(out / "data_sv.txt")
    assert sorted(zip(sv["gene"], sv["partner"], sv["fusion"], strict=True)) == [
        ("FGFR1", "NRG1", "FGFR1::NRG1"),
        ("NRG1", "FGFR1", "FGFR1::NRG1"),
    ]
    sheet = read_study(out).samples.set_index("sample_id")
    assert sheet.loc["P01_T", "sv_format"] == "cbioportal_sv"
    assert sheet.loc["P01_T", "sv_file"].endswith("data_sv.txt")
    assert sheet.loc["P02_T", "sv_file"] in ("", None) or pd.isna(sheet.loc["P02_T", "sv_file"])


def test_disposition_names_samples_that_can_show_nothing() -> None:
    """A plasma sample without tumour DNA passed QC but shows nothing: the listing says so
    (the matrix stage's sample_evaluability.tsv reason), it is not silently 'analysed'."""
    clinical = pd.DataFrame({"patient_id": ["P1"]})
    samples = pd.DataFrame(
        {
            "sample_id": ["P1_T", "P1_C", "P1_X"],
            "patient_id": ["P1"] * 3,
            "specimen": ["tissue", "ctdna", "ctdna"],
            "timepoint": ["baseline"] * 3,
            "qc_status": ["pass", "pass", "fail"],
        }
    )
    endpoints = pd.DataFrame(
        {
            "patient_id": ["P1"],
            "pfs_excluded": [""],
            "os_excluded": [""],
            "response_excluded": [""],
            "response_evaluable": [True],
        }
    )
    status = pd.DataFrame({"ERBB2": ["wild_type"]}, index=["P1"])
    reason = "plasma tumour fraction 0.004 below tumour_fraction.min_for_mutations 0.01"
    evaluability = pd.DataFrame(
        {"sample_id": ["P1_T", "P1_C", "P1_X"], "reason": ["", reason, "failed QC"]}
    )
    listing = tables.disposition(clinical, samples, endpoints, status, None, evaluability)
    by_id = listing.set_index("id")
    assert by_id.loc["P1_T", ["status", "reason"]].tolist() == ["analysed", ""]
    assert by_id.loc["P1_C", ["status", "reason"]].tolist() == ["excluded", reason]
    assert by_id.loc["P1_X", ["status", "reason"]].tolist() == ["excluded", "QC status fail"]
    # without the table (older runs, the stage-level tests) the QC verdict alone, as before
    plain = tables.disposition(clinical, samples, endpoints, status).set_index("id")
    assert plain.loc["P1_C", "status"] == "analysed"


# Required keys per meta file (cBioPortal file-formats documentation)
_DATA_META = ["cancer_study_identifier", "genetic_alteration_type", "datatype"]
_PROFILE_META = [*_DATA_META, "stable_id", "show_profile_in_analysis_tab", "profile_name",
                 "profile_description", "data_filename"]  # fmt: skip
REQUIRED_META = {
    "meta_study.txt": ["type_of_cancer", "cancer_study_identifier", "name", "description"],
    "meta_clinical_patient.txt": [*_DATA_META, "data_filename"],
    "meta_clinical_sample.txt": [*_DATA_META, "data_filename"],
    "meta_mutations.txt": _PROFILE_META,
    "meta_cna.txt": _PROFILE_META,
}
REQUIRED_CASE_LIST = [
    "cancer_study_identifier",
    "stable_id",
    "case_list_name",
    "case_list_description",
    "case_list_ids",
]


def study_problems(folder: Path) -> list[str]:
    """Structural problems of an exported study folder (empty list when well formed)."""
    folder = Path(folder)
    problems = []
    for name, keys in REQUIRED_META.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} missing")
            continue
        meta = read_meta(path)
        problems += [f"{name}: missing {k}" for k in keys if not meta.get(k)]
        data = meta.get("data_filename")
        if data and not (folder / data).is_file():
            problems.append(f"{name}: data file {data} missing")
    sample_ids: set[str] = set()
    for level, key in (("patient", "PATIENT_ID"), ("sample", "SAMPLE_ID")):
        path = folder / f"data_clinical_{level}.txt"
        if not path.is_file():
            continue
        lines = path.read_text().splitlines()
        if len(lines) < 5 or not all(line.startswith("#") for line in lines[:4]):
            problems.append(f"{path.name}: needs 4 '#' header lines")
            continue
        widths = {len(line.split("\t")) for line in lines}
        if len(widths) != 1:
            problems.append(f"{path.name}: rows of different widths")
        header = lines[4].split("\t")
        if key not in header:
            problems.append(f"{path.name}: no {key} column")
        if level == "sample":
            sample_ids = {line.split("\t")[header.index("SAMPLE_ID")] for line in lines[5:]}
    for case_list in sorted((folder / "case_lists").glob("*.txt")):
        meta = read_meta(case_list)
        problems += [f"{case_list.name}: missing {k}" for k in REQUIRED_CASE_LIST if k not in meta]
        ids = [i for i in meta.get("case_list_ids", "").split("\t") if i]
        unknown = sorted(set(ids) - sample_ids)
        if unknown:
            problems.append(f"{case_list.name}: samples not in clinical file: {unknown}")
    return problems
