"""Report stage end to end: one workflow run on the example cohort (module fixture), then the
tables, figures, cBioPortal study, provenance and the Snakemake HTML report are checked."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from test_report_units import assert_study_is_well_formed
from workdirs import run_snakemake

from her2resist.report import writers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

TABLES = [
    "table1_baseline_characteristics",
    "table2_disposition",
    "table3_efficacy",
    "table4_biomarker_associations",
    "table5_adverse_events",
    "tableS1_alterations_by_patient",
    "disposition_by_patient_and_sample",
]


@pytest.fixture(scope="module")
def workdir(example_run: Path, project_root: Path) -> Path:
    work = example_run
    report = run_snakemake(project_root, work, "--report", str(work / "report.html"))
    assert report.returncode == 0, report.stderr[-5000:]
    return work


def test_tables_in_three_formats_agree(workdir: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    for name in TABLES:
        base = workdir / "results" / "tables" / name
        tsv = pd.read_csv(base.with_suffix(".tsv"), sep="\t")
        rows = list(load_workbook(base.with_suffix(".xlsx")).active.iter_rows(values_only=True))
        assert list(rows[0]) == list(tsv.columns), name
        assert len(rows) - 1 == len(tsv), name
        for i, row in enumerate(rows[1:]):
            for column, value in zip(tsv.columns, row, strict=True):
                expected = tsv.iloc[i][column]
                if isinstance(value, float | int) and not isinstance(value, bool):
                    assert value == pytest.approx(float(expected), rel=1e-12), (name, column)
        grid = Document(base.with_suffix(".docx")).tables[0]
        cells = [[c.text for c in row.cells] for row in grid.rows]
        shown = writers.display_table(name, tsv)
        assert cells[0] == list(shown.columns), name
        assert cells[1:] == shown.values.tolist(), name


def test_office_files_have_fixed_timestamps(workdir: Path) -> None:
    for path in (workdir / "results" / "tables").glob("*.[dx][ol][cs]x"):
        with zipfile.ZipFile(path) as archive:
            assert {i.date_time for i in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}, path


def test_figures_exist(workdir: Path) -> None:
    figures = workdir / "results" / "figures"
    for stem in ("km_pfs_trial", "km_os_trial", "forest", "oncoprint", "swimmer"):
        for ext in ("png", "pdf"):
            assert (figures / f"{stem}.{ext}").stat().st_size > 5000, stem
    assert not (figures / "waterfall.png").exists()  # no best % change column in the example
    km = {p.name for p in (figures / "km_biomarkers").glob("*.png")}
    assert "km_pfs_pathway_PI3K_AKT_MTOR.png" in km


def test_cbioportal_study(workdir: Path) -> None:
    study = workdir / "results" / "cbioportal"
    assert_study_is_well_formed(study)
    sheet = pd.read_csv(workdir / "resources" / "example" / "samples.tsv", sep="\t")
    lines = (study / "data_clinical_sample.txt").read_text().splitlines()[5:]
    assert sorted(line.split("\t")[1] for line in lines) == sorted(sheet["sample_id"])


def test_provenance(workdir: Path) -> None:
    data = json.loads((workdir / "results" / "provenance.json").read_text())
    assert data["workflow"]["version"]
    assert data["config"]["biomarkers"]["min_altered"] == 3
    assert data["analysis"]["delayed_entry"].startswith("not applied")  # the example has none
    assert len(data["inputs"]["variant_files"]) > 30
    assert all(len(h) == 64 for files in data["inputs"].values() for h in files.values())


def test_html_report_contains_every_output(workdir: Path) -> None:
    html = (workdir / "report.html").read_text(errors="replace")
    for name in [*TABLES, "km_pfs_trial", "forest", "oncoprint", "swimmer", "provenance"]:
        assert name in html, name
