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

from her2resist.report.layout import render
from her2resist.report.tables import TABLE_ORDER

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

TABLES = TABLE_ORDER  # every table, in the order of the manuscript document


@pytest.fixture(scope="module")
def workdir(example_run: Path, project_root: Path) -> Path:
    work = example_run
    report = run_snakemake(project_root, work, "--report", str(work / "report.html"))
    assert report.returncode == 0, report.stderr[-5000:]
    return work


def built_specs(workdir: Path) -> dict:
    """The table specs of the run, rebuilt from its inputs (their layout is applied to the
    TSV read back, so every office cell is checked against the TSV)."""
    import os

    from her2resist.config import load_config
    from her2resist.report.tables import build_tables

    inputs = {
        "clinical": "results/validated/clinical.tsv",
        "samples": "results/validated/samples.tsv",
        "endpoints": "results/clinical/endpoints.tsv",
        "adverse_events": "results/clinical/adverse_events.tsv",
        "alterations": "results/annotated/alterations.tsv",
        "gene_matrix": "results/matrix/gene_by_patient.tsv",
        "pathway_matrix": "results/matrix/pathway_by_patient.tsv",
        **{f"{e}_associations": f"results/stats/{e}_associations.tsv" for e in
           ("pfs", "os", "response")},
        "efficacy": "results/stats/efficacy.tsv",
    }  # fmt: skip
    here = Path.cwd()
    os.chdir(workdir)
    try:
        return build_tables(load_config("config/config.yaml"), inputs)
    finally:
        os.chdir(here)


def test_tables_in_three_formats_agree(workdir: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    specs = built_specs(workdir)
    manuscript = Document(workdir / "results" / "tables" / "manuscript_tables.docx")
    assert len(manuscript.tables) == len(TABLES)
    for k, name in enumerate(TABLES):
        base = workdir / "results" / "tables" / name
        tsv = pd.read_csv(base.with_suffix(".tsv"), sep="\t")
        workbook = load_workbook(base.with_suffix(".xlsx"))
        rows = list(workbook["Data"].iter_rows(values_only=True))
        assert list(rows[0]) == list(tsv.columns), name
        assert len(rows) - 1 == len(tsv), name
        for i, row in enumerate(rows[1:]):
            for column, value in zip(tsv.columns, row, strict=True):
                expected = tsv.iloc[i][column]
                if isinstance(value, float | int) and not isinstance(value, bool):
                    assert value == pytest.approx(float(expected), rel=1e-12), (name, column)
        shown = render(specs[name].with_data(tsv))
        expected_cells = shown.header_rows + shown.body
        for document in (Document(base.with_suffix(".docx")), manuscript):
            grid = document.tables[0 if document is not manuscript else k]
            assert [[c.text for c in row.cells] for row in grid.rows] == expected_cells, name
        sheet = [
            ["" if v is None else str(v) for v in row]
            for row in workbook["Table"].iter_rows(values_only=True)
        ]
        assert sheet[0][0] == shown.title
        n_header = len(shown.header_rows)
        assert sheet[n_header : n_header + 1 + len(shown.body)] == (
            shown.header_rows[-1:] + shown.body
        ), name
        assert sheet[n_header + 1 + len(shown.body) :] == [
            [note] + [""] * (len(expected_cells[-1]) - 1)
            for note in [*shown.footnotes, shown.abbreviations]
            if note
        ], name


def test_manuscript_renders_in_libreoffice(workdir: Path, tmp_path: Path) -> None:
    import shutil
    import subprocess

    soffice, pdfinfo = shutil.which("soffice"), shutil.which("pdfinfo")
    if soffice is None or pdfinfo is None:
        pytest.skip("LibreOffice (soffice) or poppler (pdfinfo) is not installed")
    docx = workdir / "results" / "tables" / "manuscript_tables.docx"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    info = subprocess.run(
        [pdfinfo, "-f", "1", "-l", "9999", str(tmp_path / "manuscript_tables.pdf")],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    import re

    sizes = [(float(w), float(h)) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", info)]
    assert len(sizes) >= len(TABLES)
    assert sizes[0][0] < sizes[0][1]  # Table 1 portrait
    assert any(w > h for w, h in sizes)  # Table 4 and the listings landscape


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
