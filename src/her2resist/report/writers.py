"""TSV, XLSX and DOCX writers for any :class:`~her2resist.report.layout.TableSpec`, with
reproducible bytes.

* TSV: the spec's data at full precision (10 significant digits), for machines.
* XLSX: sheet "Table", the table as the DOCX shows it (title, spanning and column headers,
  indented row labels, footnotes, abbreviations); sheet "Data", the TSV's values.
* DOCX: journal-style table (title, three horizontal rules, footnotes, abbreviations),
  landscape where the table needs it; ``write_manuscript`` puts every table in one document.

The text of both formatted forms is :func:`~her2resist.report.layout.render` of the spec: one
rounding policy (``formatting``), the same in both.

XLSX and DOCX are zip files whose entries and ``docProps/core.xml`` carry timestamps; both are
fixed (``SOURCE_DATE_EPOCH`` or :data:`DEFAULT_EPOCH`) so two runs give identical bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.oxml.simpletypes import ST_HpsMeasure, ST_SignedTwipsMeasure
from docx.shared import Length, Mm, Pt

from her2resist.report.layout import (
    Rendered,
    TableSpec,
    column_widths,
    fitted_widths,
    render,
)
from her2resist.tables import write_tsv

PathLike = str | Path

LANDSCAPE_CHARACTERS = 165  # of 8 pt Arial across a landscape A4 page, 15 mm margins
CHARACTER_MM = 1.5  # mean width of an 8 pt Arial character of a table, in mm
DEFAULT_EPOCH = 1704067200  # 2024-01-01T00:00:00Z; override with SOURCE_DATE_EPOCH

# ---------------------------------------------------------------- determinism


def fixed_datetime() -> dt.datetime:
    """The timestamp written into XLSX/DOCX metadata: SOURCE_DATE_EPOCH, else a constant."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    epoch = max(epoch, 315532800)  # zip cannot store dates before 1980
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)


def normalize_zip(path: PathLike) -> None:
    """Fix an OOXML zip's entry dates to :func:`fixed_datetime` and its entries' permissions
    to one system's, in place. Only these header fields change: python-docx and XlsxWriter
    stamp entries with the clock (the core properties' dates they are given), and their
    compressed data stays as it is (compressing it again took a fifth of the tables' time)."""
    path = Path(path)
    stamp = fixed_datetime()
    time = stamp.hour << 11 | stamp.minute << 5 | stamp.second // 2  # MS-DOS date and time
    date = (stamp.year - 1980) << 9 | stamp.month << 5 | stamp.day
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")  # end of central directory: entry count, its offset
    count, _, central = struct.unpack_from("<HII", data, end + 10)
    for _ in range(count):
        local = struct.unpack_from("<I", data, central + 42)[0]
        struct.pack_into("<HH", data, local + 10, time, date)
        struct.pack_into("<HH", data, central + 12, time, date)
        data[central + 5] = 0  # made on MS-DOS, with rw-r--r-- permissions
        struct.pack_into("<I", data, central + 38, 0o644 << 16)
        central += 46 + sum(struct.unpack_from("<HHH", data, central + 28))
    path.write_bytes(data)


# ---------------------------------------------------------------- TSV


def full_precision(data: pd.DataFrame) -> pd.DataFrame:
    """Floats at the TSV's 10 significant digits, so TSV and XLSX hold the same numbers."""
    data = data.copy()
    for column in data.columns:
        if pd.api.types.is_float_dtype(data[column]):
            data[column] = data[column].map(lambda v: float(f"{v:.10g}") if pd.notna(v) else v)
    return data


# ---------------------------------------------------------------- XLSX


def write_xlsx(spec: TableSpec, path: PathLike, shown: Rendered | None = None) -> None:
    """Sheet "Table" as the manuscript shows it; sheet "Data" with the TSV's values.
    ``shown``: ``render(spec)``, where the caller has it already. XlsxWriter streams the
    cells as it is given them (openpyxl built an object per cell: seconds for a cohort's
    listings)."""

    shown = shown or render(spec)
    # text stays text (no formulas from "=...", no links); no temporary file per sheet
    options = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    sheet = workbook.add_worksheet("Table")
    bold = workbook.add_format({"bold": True})
    sheet.write_string(0, 0, shown.title, bold)
    row = 1
    for k, header in enumerate(shown.header_rows):
        last = k == len(shown.header_rows) - 1
        style = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "bottom", "top": int(k == 0)}
            | {"bottom": int(last)}
        )
        for j, span in _spans(header, merge=not last):
            if header[j] and span > j:
                sheet.merge_range(row, j, row, span, header[j], style)
            else:
                for column in range(j, span + 1):
                    sheet.write_string(row, column, header[column], style)
        row += 1
    indented = {}  # (indent level, bottom rule) -> its cell format
    bottom = workbook.add_format({"bottom": 1})
    for i, (cells, indent) in enumerate(zip(shown.body, shown.indents, strict=True)):
        style = bottom if i == len(shown.body) - 1 else None
        for j, text in enumerate(cells):
            if j == 0 and indent:
                if (indent, style) not in indented:
                    fields = {"indent": 2 * indent} | ({"bottom": 1} if style else {})
                    indented[indent, style] = workbook.add_format(fields)
                sheet.write_string(row, 0, text, indented[indent, style])
            elif text or style:
                sheet.write_string(row, j, text, style)
        row += 1
    for note in _notes(shown):
        sheet.write_string(row, 0, note)
        row += 1
    widths = [
        max(len(line) for row in [*shown.header_rows, *shown.body] for line in row[j].split("\n"))
        for j in range(len(shown.header_rows[-1]))
    ]
    for j, width in enumerate(widths):
        sheet.set_column(j, j, min(max(width + 2, 8), 60))
    sheet.freeze_panes(len(shown.header_rows) + 1, 0)

    data = full_precision(spec.data)
    values = workbook.add_worksheet("Data")
    values.write_row(0, 0, [str(c) for c in data.columns], bold)
    # Python values (numpy's are not written); NA an empty cell
    cells = data.astype(object).where(data.notna(), None).to_numpy().tolist()
    for i, row in enumerate(cells, start=1):
        values.write_row(i, 0, row)
    values.freeze_panes(1, 0)
    if len(data.columns):
        values.autofilter(0, 0, len(data), len(data.columns) - 1)
    properties = {"title": spec.title, "author": "her2resist", "created": fixed_datetime()}
    workbook.set_properties(properties)
    workbook.close()
    normalize_zip(path)


def _spans(header: list[str], merge: bool) -> list[tuple[int, int]]:
    """(first, last) column of each header cell; with ``merge``, adjacent cells of one text
    are one cell (a spanning group header)."""
    runs: list[tuple[int, int]] = []
    for j, text in enumerate(header):
        if merge and runs and header[runs[-1][0]] == text:
            runs[-1] = (runs[-1][0], j)
        else:
            runs.append((j, j))
    return runs


def _notes(shown: Rendered) -> list[str]:
    return [*shown.footnotes, *([shown.abbreviations] if shown.abbreviations else [])]


# ---------------------------------------------------------------- DOCX


def _set_cell_border(cell: Any, **edges: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    for edge, size in edges.items():
        borders.append(_element(f"w:{edge}", val="single", sz=size, space="0", color="000000"))


def _element(tag: str, **attributes: str) -> Any:
    """A WordprocessingML element with the ``w:`` attributes given (in their order)."""
    return OxmlElement(tag, {qn(f"w:{name}"): value for name, value in attributes.items()})


def _repeat_as_header(row: Any) -> None:
    """Header rows repeat at the top of every page a long table runs onto."""
    row._tr.get_or_add_trPr().append(_element("w:tblHeader", val="true"))


def _new_document() -> Any:
    document = Document()
    stamp = fixed_datetime()
    core = document.core_properties
    core.author = core.last_modified_by = "her2resist"
    core.created = core.modified = core.last_printed = stamp
    core.revision = 1
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(8)
    style.paragraph_format.space_after = Pt(0)
    return document


def _orient(section: Any, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Mm(15))


def table_document(spec: TableSpec, shown: Rendered | None = None) -> Any:
    """A document of ``spec`` alone: title, header rows between rules, body, bottom rule,
    notes, on a page turned landscape where the table needs it (``shown``: ``render(spec)``,
    where the caller has it)."""

    shown = shown or render(spec)
    document = _new_document()
    document.core_properties.title = spec.title
    section = document.sections[0]
    _orient(section, shown.landscape)
    title = document.add_paragraph()
    title.paragraph_format.space_after = Pt(4)
    run = title.add_run(shown.title)
    run.bold = True
    run.font.size = Pt(10)

    n_columns = len(shown.header_rows[-1])
    grid = document.add_table(rows=0, cols=n_columns)
    grid.autofit = False
    # 8 pt, or 7 pt where a table is wider than 8 pt fits on a landscape page; column widths
    # fill the text width of the page, no word broken where the page allows
    needed = sum(column_widths(shown.header_rows[-1], shown.body))
    size = Pt(8) if needed <= LANDSCAPE_CHARACTERS else Pt(7)
    text_width = section.page_width - section.left_margin - section.right_margin
    available = Length(text_width).mm / (CHARACTER_MM * size.pt / 8)
    fitted = fitted_widths(shown.header_rows[-1], shown.body, available)
    _narrow_cell_margins(grid)
    widths = [int(text_width * w / sum(fitted)) for w in fitted]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for k, header in enumerate(shown.header_rows):
        row = grid.add_row()
        _repeat_as_header(row)
        last = k == len(shown.header_rows) - 1
        for j, span in _spans(header, merge=not last):
            cell = row.cells[j] if span == j else row.cells[j].merge(row.cells[span])
            _write_lines(cell, header[j], size, bold=True)
            if j > 0:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            edges = {"bottom": "4"} if last or header[j] else {}
            if k == 0:
                edges["top"] = "8"
            _set_cell_border(cell, **edges)
    column_twips = [col.get(qn("w:w")) for col in grid._tbl.tblGrid.gridCol_lst]
    plain: list[str] = []  # consecutive plain body rows, as XML, added to the table at once
    for i, (cells, indent) in enumerate(zip(shown.body, shown.indents, strict=True)):
        if i < len(shown.body) - 1 and not _breaks("".join(cells)):
            plain.append(_body_row_xml(cells, column_twips, size, indent, bool(spec.stub)))
            continue
        _append_rows(grid._tbl, plain)
        # the row's cells once: row.cells walks the whole row (spans, merges) on every call
        row_cells = grid.add_row().cells
        for j, text in enumerate(cells):
            paragraph = row_cells[j].paragraphs[0]
            paragraph.add_run(text).font.size = size
            if j == 0 and indent:
                paragraph.paragraph_format.left_indent = Mm(3 * indent)
            elif j > 0 and spec.stub:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if i == len(shown.body) - 1:
                _set_cell_border(row_cells[j], bottom="8")
    # body cells got their grid column's width from add_row; header cells are set again
    # (a merged cell spans several columns)
    for row in grid.rows[: len(shown.header_rows)]:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    for note in _notes(shown):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(2)
        paragraph.add_run(note).font.size = Pt(7)
    return document


def _breaks(text: str) -> bool:
    """Text python-docx writes as more than one run element (tab, line break)."""
    return any(c in text for c in "\t\r\n")


def _body_row_xml(
    texts: list[str], column_twips: list[str], size: Any, indent: int, stub: bool
) -> str:
    """A body row exactly as add_table's python-docx calls write it (add_row, add_run with
    the font size, left indent or centring), as XML text: python-docx's per-cell lookups
    took most of a minute for a cohort's patient listings, and one lxml element at a time
    still seconds."""
    run_properties = f'<w:rPr><w:sz w:val="{ST_HpsMeasure.convert_to_xml(size)}"/></w:rPr>'
    cells = []
    for j, text in enumerate(texts):
        paragraph = ""
        if j == 0 and indent:
            left = ST_SignedTwipsMeasure.convert_to_xml(Mm(3 * indent))
            paragraph = f'<w:pPr><w:ind w:left="{left}"/></w:pPr>'
        elif j > 0 and stub:
            paragraph = '<w:pPr><w:jc w:val="center"/></w:pPr>'
        if text:
            space = ' xml:space="preserve"' if len(text.strip()) < len(text) else ""
            paragraph += f"<w:r>{run_properties}<w:t{space}>{escape(text)}</w:t></w:r>"
        else:
            paragraph += f"<w:r>{run_properties}</w:r>"
        width = f'<w:tcPr><w:tcW w:type="dxa" w:w="{column_twips[j]}"/></w:tcPr>'
        cells.append(f"<w:tc>{width}<w:p>{paragraph}</w:p></w:tc>")
    return "<w:tr>" + "".join(cells) + "</w:tr>"


def _append_rows(tbl: Any, rows: list[str]) -> None:
    """Parse the rows' XML once and append them to the table; empties ``rows``."""

    if rows:
        tbl.extend(list(parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")))
        rows.clear()


def _narrow_cell_margins(grid: Any) -> None:
    """1 mm left and right cell margins (Word's default is 1.9 mm): journal tables are tight."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margins.append(_element(f"w:{edge}", w="57", type="dxa"))  # 57 twips
    grid._tbl.tblPr.append(margins)


def _write_lines(cell: Any, text: str, size: Any, bold: bool = False) -> None:
    """Cell text with line breaks (``"All patients\\nN = 30"``) as breaks within one paragraph."""
    paragraph = cell.paragraphs[0]
    for k, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = size
        if k < len(text.split("\n")) - 1:
            run.add_break()


def write_docx(tables: Sequence[Any], path: PathLike, title: str) -> None:
    """One document of ``tables`` (:func:`table_document`) in order, each on its own page: a
    section of its own, so a wide table turns landscape alone. The tables are copied, not
    laid out again (a cohort's listings take seconds to lay out)."""
    document = _new_document()
    document.core_properties.title = title
    for k, table in enumerate(tables):
        section = document.sections[0] if k == 0 else document.add_section(WD_SECTION.NEW_PAGE)
        _orient(section, table.sections[0].orientation == WD_ORIENT.LANDSCAPE)
        end = document.element.body.sectPr  # a section's content goes before its properties
        for element in table.element.body:
            if element.tag != qn("w:sectPr"):
                end.addprevious(deepcopy(element))
    save_docx(document, path)


def save_docx(document: Any, path: PathLike) -> None:
    document.save(path)
    normalize_zip(path)


def write_table(
    spec: TableSpec, tsv: PathLike, shown: Rendered | None = None, document: Any = None
) -> dict[str, Path]:
    """Write ``spec`` as TSV at ``tsv`` and as .xlsx/.docx beside it; return the paths.
    ``shown``: the caller's ``render`` of ``spec`` already at :func:`full_precision`;
    ``document``: its :func:`table_document`, where the caller has it."""

    tsv = Path(tsv)
    paths = {"tsv": tsv, "xlsx": tsv.with_suffix(".xlsx"), "docx": tsv.with_suffix(".docx")}
    # The three formats show the same numbers: the office files are made from the data as
    # the TSV holds it (10 significant digits).
    if shown is None:
        spec = spec.with_data(full_precision(spec.data))
        shown = render(spec)
    write_tsv(spec.data, paths["tsv"])
    write_xlsx(spec, paths["xlsx"], shown)
    save_docx(document or table_document(spec, shown), paths["docx"])
    return paths
