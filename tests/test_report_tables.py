"""Manuscript table content and layout: Table 1 as gtsummary's tbl_summary lays it out, Table 3
as a response/time-to-event table, labels, and the one manuscript document (rendered to PDF
with LibreOffice when it is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.report import tables, writers
from her2resist.report.labels import Labels, check_labels, read_column_labels
from her2resist.report.layout import frame_spec, render
from her2resist.stats.efficacy import efficacy_summary


def clinical_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(1, 11)],
            "age": ["52", "54", "39", "51", "60", "47", "66", "58", "", "45"],
            "ecog": ["0", "1", "0", "0", "1", "2", "0", "1", "0", "0"],
            "hr_status": ["positive"] * 6 + ["negative"] * 3 + [""],
            "visceral_disease": ["yes", "no", "yes", "yes", "no", "no", "yes", "no", "no", "no"],
            "prior_lines": ["1", "3", "1", "2", "5", "4", "1", "2", "6", "1"],
        }
    )


def table1(clinical: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    populations = {
        "all_": ("All patients", pd.Series(True, index=clinical.index)),
        "sub_": ("Subset", clinical["patient_id"].isin(["P1", "P2", "P3", "P4"])),
    }
    labels = Labels({"hr_status": "Hormone-receptor status (config)"}, {"ecog": "ECOG (ADaM)"})
    columns = ["age", "ecog", "hr_status", "visceral_disease", "prior_lines"]
    spec = tables.baseline_characteristics(clinical, columns, populations, labels, **kwargs)
    shown = render(spec)
    return spec, shown


def test_table1_is_laid_out_as_tbl_summary() -> None:
    clinical = clinical_frame()
    _, shown = table1(clinical)
    assert shown.header_rows == [["Characteristic", "All patients\nN = 10", "Subset\nN = 4"]]
    rows = {row[0]: row[1:] for row in shown.body}
    ages = pd.to_numeric(clinical["age"], errors="coerce").dropna()
    q1, median, q3 = np.percentile(ages, [25, 50, 75])  # quantile type 7 (R default)
    assert (q1, median, q3) == (47, 52, 58)
    assert rows["Age, years"][0] == "52 (47–58)"
    assert np.percentile([52, 54, 39, 51], [25, 75]).tolist() == [48.0, 52.5]
    assert rows["Age, years"][1] == "51.50 (48.00–52.50)"
    # missing as its own row, under the variable, counted in every population
    body = [row[0] for row in shown.body]
    missing_rows = [i for i, label in enumerate(body) if label == "Missing"]
    assert [body[i - 1] for i in missing_rows] == ["Age, years", "Positive"]
    assert shown.body[missing_rows[0]][1:] == ["1", "0"]
    # categorical: the variable's label, then its levels indented, n (%) of known values
    k = body.index("Hormone-receptor status (config)")
    assert shown.indents[k : k + 4] == [0, 1, 1, 1]
    assert body[k + 1 : k + 3] == ["Negative", "Positive"]
    assert shown.body[k + 2][1] == "6 (66.7)"  # 6 of 9 known
    # ECOG (3 levels) is categorical, labelled from the data (an ADaM label); a yes/no flag
    # is one row; six values of prior lines are a continuous variable, not six categories
    assert "ECOG (ADaM)" in body and body[
        body.index("ECOG (ADaM)") + 1 : body.index("ECOG (ADaM)") + 4
    ] == ["0", "1", "2"]
    assert rows["Visceral disease"] == ["4 (40.0)", "3 (75.0)"]
    assert rows["Prior lines of therapy for metastatic disease"][0] == "2.00 (1.00–3.75)"
    # range on request; a type override makes prior lines categorical
    _, ranged = table1(clinical, continuous="range", types={"prior_lines": "categorical"})
    rows = {row[0]: row[1:] for row in ranged.body}
    assert rows["Age, years"][0] == "52 (39–66)"
    assert "Median (range)" not in " ".join(ranged.footnotes)
    assert "median (range)" in ranged.footnotes[0] and "yes/no variables" in ranged.footnotes[0]
    assert shown.landscape is False and "ECOG, Eastern Cooperative" in shown.abbreviations


def test_labels_configured_data_builtin_readable() -> None:
    labels = Labels({"hr_status": "HR status"}, {"AGE": "Age at baseline", "hr_status": "x"})
    assert labels("hr_status") == "HR status"  # config first
    assert labels("AGE") == "Age at baseline"  # then the data's own label
    assert labels("ecog") == "ECOG performance status"  # then the built-in one
    assert labels("her2_ihc_score") == "Her2 ihc score"  # else the name made readable
    assert labels("TRTDURD") == "TRTDURD"
    assert Labels({"visceral_disease": "Visceral metastases"})("visceral_disease") == (
        "Visceral metastases"
    )
    assert Labels()("pfs") == "Progression-free survival"


def test_data_labels_from_a_column_label_table(tmp_path: Path) -> None:
    path = tmp_path / "clinical_labels.tsv"
    path.write_text("column\tlabel\nAGE\tAge\nECOGBL\tBaseline ECOG\nTRTDURD\t\n")
    data_labels = read_column_labels(path)
    assert data_labels == {"AGE": "Age", "ECOGBL": "Baseline ECOG"}
    assert Labels({}, data_labels)("ECOGBL") == "Baseline ECOG"


def test_a_label_for_a_missing_column_is_an_error_naming_the_key() -> None:
    problems = check_labels(
        {"hr_status": "Hormone-receptor status", "hr_stauts": "typo", "pfs": "PFS"},
        ["patient_id", "hr_status"],
        "clinical.tsv",
    )
    assert len(problems) == 1
    text = str(problems[0])
    assert "labels.hr_stauts" in text and "clinical.tsv" in text and "hr_status" in text
    assert "fix:" in text
    # built-in labels of clinical columns the table lacks are not "known" columns
    assert check_labels({"sex": "Sex"}, ["patient_id"], "c.tsv")


def test_validation_reports_an_unknown_label(tmp_path: Path) -> None:
    from her2resist.config import validate_config
    from her2resist.errors import InputError
    from her2resist.validate import validate_inputs

    table = tmp_path / "clinical.tsv"
    table.write_text("patient_id\tpfs_months\tpfs_event\nP1\t3.5\t1\nP2\t8.1\t0\n")
    config = validate_config(
        {
            "clinical": {
                "table": str(table),
                "source": "times",
                "columns": {"patient_id": "patient_id", "pfs_time": "pfs_months",
                            "pfs_event": "pfs_event"},
            },
            "labels": {"hormone_status": "Hormone-receptor status"},
        }
    )  # fmt: skip
    with pytest.raises(InputError) as caught:
        validate_inputs(config)
    assert "labels.hormone_status" in str(caught.value)


def endpoints_and_efficacy() -> tuple[pd.DataFrame, pd.DataFrame]:
    bor = ["CR", "PR", "PR", "SD", "SD", "SD", "PD", "PD", "NE", "PR"]
    endpoints = pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(1, 11)],
            "pfs_months": [12.1, 8.4, 6.3, 5.9, 3.2, 9.9, 1.8, 2.1, 0.9, 15.0],
            "pfs_event": [0, 1, 1, 1, 1, 0, 1, 1, 1, 0],
            "os_months": [20.1, 18.4, 16.3, 15.9, 13.2, 19.9, 5.8, 7.1, 2.9, 25.0],
            "os_event": [0, 0, 1, 0, 1, 0, 1, 1, 1, 0],
            "best_response": bor,
            "orr": [int(b in ("CR", "PR")) for b in bor],
            "cbr": [int(b in ("CR", "PR")) or int(i == 3) for i, b in enumerate(bor)],
            "dcr": [int(b in ("CR", "PR", "SD")) for b in bor],
            "response_evaluable": [b != "NE" for b in bor],
        }
    )
    itt = endpoints[["orr", "cbr", "dcr"]]
    evaluable = itt.where(endpoints["response_evaluable"])
    efficacy = efficacy_summary(
        {e: (endpoints[f"{e}_months"], endpoints[f"{e}_event"]) for e in ("pfs", "os")},
        pd.concat([itt, evaluable.add_suffix("_evaluable")], axis=1),
        (6, 12),
    )
    return endpoints, efficacy


def test_efficacy_table_as_a_response_and_time_to_event_table() -> None:
    from scipy.stats import beta

    endpoints, efficacy = endpoints_and_efficacy()
    shown = render(tables.efficacy_table(endpoints, efficacy, 24))
    assert shown.header_rows == [["Endpoint", "ITT\nN = 10", "Response-evaluable\nN = 9"]]
    rows = {row[0]: row[1:] for row in shown.body}
    assert rows["Partial response (PR)"] == ["3 (30.0)", "3 (33.3)"]
    assert rows["Not evaluable (NE)"] == ["1 (10.0)", "0 (0.0)"]
    # ORR 4/10: Clopper-Pearson exact interval, as binom.test in R
    lo, hi = beta.ppf(0.025, 4, 7), beta.ppf(0.975, 5, 6)
    orr = rows["Objective response rate (CR or PR), n (%) [95% CI]"]
    assert orr[0] == f"4 (40.0) [{100 * lo:.1f}–{100 * hi:.1f}]"
    assert orr[1].startswith("4 (44.4) [")
    assert "Clinical benefit rate (CR, PR or SD ≥ 24 weeks), n (%) [95% CI]" in rows
    # time to event: ITT only; the response-evaluable column stays empty
    k = [row[0] for row in shown.body].index("Progression-free survival")
    assert shown.body[k + 1] == ["Patients with event, n (%)", "7 (70.0)", ""]
    assert shown.body[k + 2][0] == "Median (95% CI), months" and shown.body[k + 2][2] == ""
    assert shown.body[k + 3][0] == "6-month rate, % (95% CI)"
    assert "ITT, all treated patients (N = 10)" in shown.footnotes[0]
    assert "ORR, objective response rate" not in shown.abbreviations  # spelled out, not used
    assert "NE, not evaluable" in shown.abbreviations


def test_efficacy_table_of_a_study_without_response_data() -> None:
    """Issue 15 part 7: no best-response rows of zeros, no response-evaluable column."""
    endpoints, efficacy = endpoints_and_efficacy()
    survival_only = efficacy[efficacy["endpoint"].isin(["pfs", "os"])]
    shown = render(tables.efficacy_table(endpoints, survival_only, 24, response=False))
    assert shown.header_rows == [["Endpoint", "ITT\nN = 10"]]
    labels = [row[0] for row in shown.body]
    assert labels[0] == "Progression-free survival" and "Overall survival" in labels
    assert not any("response" in label.lower() for label in labels)
    assert shown.footnotes[0] == "ITT, all treated patients (N = 10)."


def test_manuscript_document_in_order_with_landscape_pages(tmp_path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT

    endpoints, efficacy = endpoints_and_efficacy()
    clinical = clinical_frame()
    spec1, _ = table1(clinical)
    wide = pd.DataFrame(
        {f"column_with_a_long_name_{k}": [f"value {k} of a wide listing"] for k in range(8)}
    )
    specs = [
        spec1,
        tables.efficacy_table(endpoints, efficacy, 24),
        frame_spec("tableS9_wide", "Table S9. A wide listing", wide),
    ]
    path = tmp_path / "manuscript_tables.docx"
    writers.write_docx([writers.table_document(s) for s in specs], path, title="Manuscript tables")
    document = Document(path)
    assert len(document.tables) == 3
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    titles = [p.text for p in document.paragraphs if p.text.startswith("Table")]
    assert titles == ["Table 1. Baseline characteristics", "Table 3. Efficacy",
                      "Table S9. A wide listing"]  # fmt: skip
    for spec, grid in zip(specs, document.tables, strict=True):
        shown = render(spec)
        assert [[c.text for c in row.cells] for row in grid.rows] == (
            shown.header_rows + shown.body
        )
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pdf = _to_pdf(soffice, path, tmp_path)
    pages = _page_sizes(pdf)
    assert len(pages) == 3
    assert [w > h for w, h in pages] == [False, False, True]


def _to_pdf(soffice: str, docx: Path, out: Path) -> Path:
    profile = out / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(out), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out / docx.with_suffix(".pdf").name


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Page width and height in points, as poppler's pdfinfo reads them."""
    import re

    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("poppler's pdfinfo is not installed")
    out = subprocess.run(
        [pdfinfo, "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)
    return [(float(w), float(h)) for w, h in sizes]


def test_supplementary_association_tables() -> None:
    from test_report_units import synthetic_associations

    pfs = synthetic_associations("pfs").assign(
        median_altered_lcl=[1.2, 4.1, np.nan], median_altered_ucl=[5.0, np.nan, np.nan]
    )
    shown = render(tables.survival_association_table(pfs, synthetic_associations("os")))
    body: dict[str, list[str]] = {}
    for row in shown.body:  # the PFS rows (the first of each label)
        body.setdefault(row[0], row)
    header = shown.header_rows[0]
    assert body["Progression-free survival"][1:] == [""] * (len(header) - 1)  # a heading row
    median = header.index("Median, altered\n(95% CI), months")
    assert body["PIK3CA"][median] == "2.76 (1.20–5.00)"
    assert body["TP53"][median] == "NR (4.10–NR)"  # not reached, its CI kept
    assert body["ERBB3*"][header.index("HR (95% CI)")] == "–"  # not tested, footnoted
    assert shown.indents[:2] == [0, 1]
    response = pd.DataFrame(
        {
            "biomarker": ["PIK3CA", "pathway:PI3K_AKT_MTOR"],
            "endpoint": ["orr", "orr"],
            "n_altered": [7, 11],
            "n_wild_type": [21, 17],
            "responders_altered": [2, 4],
            "responders_wild_type": [13, 11],
            "rate_altered": [2 / 7, 4 / 11],
            "rate_altered_lcl": [0.0367, 0.109],
            "rate_altered_ucl": [0.710, 0.692],
            "rate_wild_type": [13 / 21, 11 / 17],
            "rate_wild_type_lcl": [0.384, 0.383],
            "rate_wild_type_ucl": [0.819, 0.858],
            "fisher_p": [0.2, 0.25],
            "odds_ratio": [0.25, 0.31],
            "or_lcl": [0.02, 0.05],
            "or_ucl": [1.8, 1.7],
            "q_value": [0.4, 0.4],
            "note": ["", ""],
        }
    )
    shown = render(tables.response_association_table(response))
    assert [row[0] for row in shown.body] == [
        "Objective response (CR or PR)", "PIK3CA", "PI3K/AKT/mTOR pathway"
    ]  # fmt: skip
    assert shown.body[1][1:4] == ["7/21", "2/13", "28.6 (3.7–71.0)"]


def test_table1_by_biomarker_status() -> None:
    clinical = clinical_frame()
    listing = pd.DataFrame(
        {"level": "patient", "id": clinical["patient_id"], "biomarker_evaluable": True}
    )
    status = pd.DataFrame(
        {"PIK3CA": ["altered", "wild_type", "wild_type", "not_evaluable"]},
        index=["P1", "P2", "P3", "P4"],
    )
    populations = tables.table1_populations(clinical, listing, status, "PIK3CA")
    sizes = {name: int(mask.sum()) for name, mask in populations.values()}
    # every patient is in exactly one status column: unlisted patients are not evaluable
    assert sizes == {"All patients": 10, "Biomarker-evaluable": 10, "PIK3CA altered": 1,
                     "PIK3CA wild type": 2, "PIK3CA not evaluable": 7}  # fmt: skip
    from her2resist.errors import InputError

    with pytest.raises(InputError, match=r"report\.table1\.by: 'KRAS'"):
        tables.table1_populations(clinical, listing, status, "KRAS")


def test_a_long_table_keeps_its_header_in_documents_and_names_its_files() -> None:
    listing = pd.DataFrame({"patient": [f"P{k}" for k in range(12)], "value": range(12)})
    shown = render(frame_spec("tableS9_listing", "Table S9. A listing", listing))
    assert shown.for_document(None, "x.tsv") is shown
    assert shown.for_document(12, "x.tsv") is shown
    short = shown.for_document(11, "tableS9_listing.tsv and tableS9_listing.xlsx")
    assert short.header_rows == shown.header_rows and short.body == [] and short.indents == []
    assert short.footnotes[0] == (
        "12 rows, more than a document shows (report.docx_max_rows: 11): every row is in "
        "tableS9_listing.tsv and tableS9_listing.xlsx."
    )
    assert short.footnotes[1:] == shown.footnotes
