"""TSV, XLSX and DOCX writers for the manuscript tables, with reproducible bytes.

* TSV: unrounded values (``her2resist.tables.write_tsv``).
* XLSX: one sheet per table, cells hold the unrounded values with a display number format,
  bold frozen header, column widths.
* DOCX: journal-style table (title, three horizontal rules, footnotes) of the values formatted
  by :mod:`her2resist.report.formatting`, estimates merged with their CI.

XLSX and DOCX are zip files whose entries and ``docProps/core.xml`` carry timestamps; both are
fixed (``SOURCE_DATE_EPOCH`` or :data:`DEFAULT_EPOCH`) so two runs give identical bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd

from her2resist.report import formatting as fmt

PathLike = str | Path

DEFAULT_EPOCH = 1704067200  # 2024-01-01T00:00:00Z; override with SOURCE_DATE_EPOCH

# (estimate, lower, upper, label) merged into one "estimate (lo–hi)" column in DOCX
_CI_TRIPLES = [
    ("value", "lcl", "ucl", "Estimate (95% CI)"),
    ("hr", "hr_lcl", "hr_ucl", "HR (95% CI)"),
    ("hr_adjusted", "hr_adjusted_lcl", "hr_adjusted_ucl", "Adjusted HR (95% CI)"),
    ("odds_ratio", "or_lcl", "or_ucl", "OR (95% CI)"),
]

LABELS = {
    "n_patients": "N",
    "characteristic": "Characteristic",
    "level": "Level",
    "category": "Category",
    "endpoint": "Endpoint",
    "statistic": "Statistic",
    "n": "n",
    "events_or_responders": "Events / responders",
    "note": "Note",
    "biomarker": "Biomarker",
    "n_altered": "n altered",
    "n_wild_type": "n wild type",
    "events_altered": "Events, altered",
    "events_wild_type": "Events, wild type",
    "median_altered": "Median, altered (mo)",
    "median_wild_type": "Median, wild type (mo)",
    "logrank_p": "Log-rank p",
    "q_value": "q (BH)",
    "method": "Method",
    "rate_altered": "Rate, altered",
    "rate_wild_type": "Rate, wild type",
    "fisher_p": "Fisher p",
    "term": "Adverse event (CTCAE v5.0)",
    "n_treated": "N treated",
    "any_grade_n": "Any grade n",
    "any_grade_pct": "Any grade %",
    "grade3plus_n": "Grade ≥3 n",
    "grade3plus_pct": "Grade ≥3 %",
    "grade5_n": "Grade 5 n",
}

TITLES = {
    "table1_baseline_characteristics": "Table 1. Baseline characteristics",
    "table2_disposition": "Table 2. Patient and sample disposition",
    "table3_efficacy": "Table 3. Efficacy",
    "table4_biomarker_associations": "Table 4. Baseline biomarkers and outcome",
    "table5_adverse_events": "Table 5. Adverse events",
    "tableS1_alterations_by_patient": "Table S1. Alterations passing all filters, by patient",
    "disposition_by_patient_and_sample": "Table S2. Disposition of every patient and sample",
}

FOOTNOTES = {
    "table1_baseline_characteristics": [
        "Population: all enrolled and treated patients.",
        "Continuous variables: median (range); categorical: n (%).",
    ],
    "table2_disposition": [
        "Population: all enrolled and treated patients and every sample in the sample sheet.",
        "A failed or missing sample is never counted as wild type.",
    ],
    "table3_efficacy": [
        "Population: intention-to-treat (all treated patients; NE counted as non-responder).",
        "PFS and OS in months: Kaplan-Meier median with 95% CI (log transform, Brookmeyer-"
        "Crowley); landmark rates with Greenwood log CI. ORR, CBR and DCR with Clopper-Pearson "
        "exact 95% CI. NR, not reached.",
    ],
    "table4_biomarker_associations": [
        "Population: patients evaluable for the biomarker at baseline.",
        "PFS/OS: log-rank test; hazard ratio (altered vs wild type) from a Cox model with Efron "
        "ties and Wald 95% CI; adjusted HR includes the configured covariates; Firth-penalized "
        "when a group has no events. ORR/CBR: Fisher exact test with conditional maximum-"
        "likelihood odds ratio and exact 95% CI. q: Benjamini-Hochberg across biomarkers.",
        "Groups smaller than the minimum size are described, not tested.",
    ],
    "table5_adverse_events": [
        "Population: safety population (all treated patients).",
        "Worst grade per patient, CTCAE v5.0; percentages of patients treated.",
    ],
    "tableS1_alterations_by_patient": [
        "Calls of pathway genes that passed every filter; oncogenicity rule as applied.",
        "VAF, variant allele fraction; log2, copy-ratio of the gene segment.",
    ],
    "disposition_by_patient_and_sample": [
        "Every patient and sample appears exactly once, analysed or excluded with the reason.",
    ],
}
P_FOOTNOTE = (
    "P-values are two-sided; shown as <0.001 below 0.001, otherwise to 3 significant digits."
)


# ---------------------------------------------------------------- determinism


def fixed_datetime() -> dt.datetime:
    """The timestamp written into XLSX/DOCX metadata: SOURCE_DATE_EPOCH, else a constant."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    epoch = max(epoch, 315532800)  # zip cannot store dates before 1980
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)


_CORE_DATES = re.compile(
    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(created|modified)>)"
)


def normalize_zip(path: PathLike) -> None:
    """Rewrite an OOXML zip with fixed entry dates and fixed core-property timestamps."""
    path = Path(path)
    stamp = fixed_datetime()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _CORE_DATES.sub(lambda m: m.group(1) + iso + m.group(3), data)
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, data)
    path.write_bytes(buffer.getvalue())


# ---------------------------------------------------------------- display (formatted) tables


def _label(column: str) -> str:
    return LABELS.get(column, column.replace("_", " ").capitalize())


def display_table(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The table as strings, as the DOCX shows it (tests compare the DOCX with this)."""
    table = table.copy()
    table = table.loc[:, ~table.isna().all()] if len(table) else table
    out: dict[str, list[str]] = {}
    used: set[str] = set()
    columns = list(table.columns)
    for column in columns:
        if column in used:
            continue
        triple = next(
            (t for t in _CI_TRIPLES if t[0] == column and {t[1], t[2]} <= set(columns)), None
        )
        generic = f"{column}_lcl" in columns and f"{column}_ucl" in columns
        if triple or generic:
            lo, hi = (triple[1], triple[2]) if triple else (f"{column}_lcl", f"{column}_ucl")
            label = triple[3] if triple else f"{_label(column)} (95% CI)"
            out[label] = [
                fmt.format_estimate_ci(e, lower, upper)
                for e, lower, upper in zip(table[column], table[lo], table[hi], strict=True)
            ]
            used |= {column, lo, hi}
            continue
        if column == "n" and "percent" in columns:
            out["n (%)"] = [
                fmt.format_number(n)
                if fmt.is_missing(p)
                else f"{fmt.format_number(n)} ({fmt.format_percent(p)})"
                for n, p in zip(table["n"], table["percent"], strict=True)
            ]
            used |= {"n", "percent"}
            continue
        if column == "median" and {"min", "max"} <= set(columns):
            out["Median (range)"] = [
                fmt.MISSING
                if fmt.is_missing(m)
                else f"{fmt.format_number(m)} ({fmt.format_number(lo)}{fmt.EN_DASH}"
                f"{fmt.format_number(hi)})"
                for m, lo, hi in zip(table["median"], table["min"], table["max"], strict=True)
            ]
            used |= {"median", "min", "max"}
            continue
        if column in ("q1", "q3") and "median" in columns:
            out[column.upper()] = [fmt.format_number(v) for v in table[column]]
            used.add(column)
            continue
        if fmt.is_p_column(column):
            out[_label(column)] = [fmt.format_p(v) for v in table[column]]
        elif column.endswith("_pct") or column == "percent":
            out[_label(column)] = [fmt.format_percent(v) for v in table[column]]
        elif pd.api.types.is_numeric_dtype(table[column]):
            out[_label(column)] = [fmt.format_number(v) for v in table[column]]
        else:
            out[_label(column)] = [_format_cell(v) for v in table[column]]
        used.add(column)
    return pd.DataFrame(out, dtype=object)


def _format_cell(value: Any) -> str:
    if isinstance(value, str):
        return value if value not in ("", "NA") else ("" if value == "" else fmt.MISSING)
    if fmt.is_missing(value):
        return ""
    return fmt.format_number(value)


def footnotes(name: str, table: pd.DataFrame) -> list[str]:
    notes = list(FOOTNOTES.get(name, []))
    if any(fmt.is_p_column(c) for c in table.columns):
        notes.append(P_FOOTNOTE)
    return notes


# ---------------------------------------------------------------- XLSX


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def write_xlsx(name: str, table: pd.DataFrame, path: PathLike) -> None:
    """One formatted sheet: bold header, frozen header row, widths, number formats."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = name[:31]
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=False, vertical="top")
    widths = [len(str(c)) for c in table.columns]
    # the row number is counted, not read from sheet.max_row (a scan of every row per call)
    for excel_row, row in enumerate(table.itertuples(index=False), start=2):
        values = [_xlsx_value(v) for v in row]
        sheet.append(values)
        for j, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            number_format = fmt.xlsx_number_format(column, value)
            if number_format:
                sheet.cell(row=excel_row, column=j + 1).number_format = number_format
            shown = len(str(value)) if value is not None else 0
            if isinstance(value, float):
                shown = min(shown, 10)
            widths[j] = max(widths[j], shown)
    for j, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(j + 1)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    if len(table.columns):
        sheet.auto_filter.ref = sheet.dimensions
    stamp = fixed_datetime()
    workbook.properties.creator = "her2resist"
    workbook.properties.lastModifiedBy = "her2resist"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.title = TITLES.get(name, name)
    workbook.save(path)
    normalize_zip(path)


# ---------------------------------------------------------------- DOCX


def _set_cell_border(cell: Any, **edges: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    for edge, size in edges.items():
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), size)
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)


def _plain_text(text: str) -> bool:
    """Text that python-docx writes as at most one ``w:t`` (no tab or line break)."""
    return not any(c in text for c in "\t\r\n")


@functools.cache
def _clark_name(tag: str) -> str:
    """python-docx's ``qn`` (``w:tr`` -> ``{namespace}tr``), resolved once per tag."""
    from docx.oxml.ns import qn

    return qn(tag)


def _append_row(tbl: Any, texts: list[str], widths: list[str]) -> None:
    """A body row as python-docx's add_row + cell.text + right alignment write it, built
    directly in lxml: the same XML, without python-docx's per-cell lookups (minutes for a
    cohort's patient listing)."""
    from lxml import etree

    qn = _clark_name
    tr = etree.SubElement(tbl, qn("w:tr"))
    for j, text in enumerate(texts):
        tc = etree.SubElement(tr, qn("w:tc"))
        width = etree.SubElement(etree.SubElement(tc, qn("w:tcPr")), qn("w:tcW"))
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), widths[j])
        paragraph = etree.SubElement(tc, qn("w:p"))
        if j > 0 and (text[:1].isdigit() or text.startswith("<")):
            alignment = etree.SubElement(etree.SubElement(paragraph, qn("w:pPr")), qn("w:jc"))
            alignment.set(qn("w:val"), "right")
        run = etree.SubElement(paragraph, qn("w:r"))
        if not text:
            continue  # an empty run, as python-docx leaves it
        run_text = etree.SubElement(run, qn("w:t"))
        run_text.text = text
        if len(text.strip()) < len(text):
            run_text.set(qn("xml:space"), "preserve")


def write_docx(name: str, table: pd.DataFrame, path: PathLike) -> None:
    """Journal-style table: bold title, header between rules, bottom rule, footnotes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    shown = display_table(name, table)
    document = Document()
    stamp = fixed_datetime()
    core = document.core_properties
    core.author = "her2resist"
    core.last_modified_by = "her2resist"
    core.title = TITLES.get(name, name)
    core.created = stamp
    core.modified = stamp
    core.last_printed = stamp
    core.revision = 1
    section = document.sections[0]
    if shown.shape[1] > 6:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Mm(15))
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(8)

    title = document.add_paragraph()
    run = title.add_run(TITLES.get(name, name))
    run.bold = True
    run.font.size = Pt(10)

    grid = document.add_table(rows=1, cols=max(shown.shape[1], 1))
    for j, column in enumerate(shown.columns):
        cell = grid.rows[0].cells[j]
        cell.text = ""
        cell.paragraphs[0].add_run(str(column)).bold = True
        _set_cell_border(cell, top="8", bottom="4")
    from docx.oxml.ns import qn

    widths = [col.get(qn("w:w")) for col in grid._tbl.tblGrid.gridCol_lst]
    for i, row in enumerate(shown.itertuples(index=False)):
        last = i == len(shown) - 1
        texts = [str(value) for value in row]
        if not last and all(_plain_text(text) for text in texts):
            _append_row(grid._tbl, texts, widths)
            continue
        cells = grid.add_row().cells
        for j, value in enumerate(row):
            cells[j].text = str(value)
            if j > 0 and (str(value)[:1].isdigit() or str(value).startswith("<")):
                cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if last:
                _set_cell_border(cells[j], bottom="8")
    for note in footnotes(name, table):
        paragraph = document.add_paragraph()
        note_run = paragraph.add_run(note)
        note_run.font.size = Pt(7)
    document.save(path)
    normalize_zip(path)


def write_table(name: str, table: pd.DataFrame, tsv: PathLike) -> dict[str, Path]:
    """Write ``name`` as TSV at ``tsv`` and as .xlsx/.docx beside it; return the paths."""
    from her2resist.tables import write_tsv

    tsv = Path(tsv)
    paths = {"tsv": tsv, "xlsx": tsv.with_suffix(".xlsx"), "docx": tsv.with_suffix(".docx")}
    # The three formats carry the same numbers: floats at the TSV's 10 significant digits.
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_float_dtype(table[column]):
            table[column] = table[column].map(lambda v: float(f"{v:.10g}") if pd.notna(v) else v)
    write_tsv(table, paths["tsv"])
    write_xlsx(name, table, paths["xlsx"])
    write_docx(name, table, paths["docx"])
    return paths
