"""Table layout: a :class:`TableSpec` (full-precision data + how to show it) rendered to the
rows of text every office format writes.

Content builders (``report/tables.py``, or any module adding a table) return a spec: the data
frame written to the TSV as it is, and the presentation — title, a stub column of row labels
with indent levels, display columns (each one cell kind of ``formatting.CELL_KINDS`` reading
some data columns), spanning column groups, per-row notes that become footnote marks,
footnotes, orientation. Abbreviations are collected from the rendered text. The writers
(``report/writers.py``) only lay out a :class:`Rendered` table, so a new table needs a spec,
not writer code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from her2resist.report import formatting as fmt
from her2resist.report.labels import Labels

FOOTNOTE_SYMBOLS = ("*", "†", "‡", "§", "¶", "‖")

ABBREVIATIONS = {
    "BH": "Benjamini–Hochberg",
    "CBR": "clinical benefit rate",
    "CI": "confidence interval",
    "CR": "complete response",
    "CTCAE": "Common Terminology Criteria for Adverse Events",
    "DCR": "disease control rate",
    "ECOG": "Eastern Cooperative Oncology Group",
    "HR": "hazard ratio",
    "IQR": "interquartile range",
    "ITT": "intention to treat",
    "NE": "not evaluable",
    "NR": "not reached",
    "OR": "odds ratio",
    "ORR": "objective response rate",
    "OS": "overall survival",
    "PD": "progressive disease",
    "PFS": "progression-free survival",
    "PH": "proportional hazards",
    "PR": "partial response",
    "SD": "stable disease",
    "VAF": "variant allele fraction",
    "WT": "wild type",
}

HEADING = "heading"  # a row format: the row is a heading, every cell but its label is empty

# Characters of 8 pt Arial that fit the text width of an A4 page with 15 mm margins.
PORTRAIT_CHARACTERS = 105


@dataclass(frozen=True)
class Column:
    """One display column: ``kind`` (a ``formatting.CELL_KINDS`` key; None = the row's
    format) applied to the data columns named by ``fields`` (role -> column) or, for roles
    not listed, ``prefix + role``. Adjacent columns with the same ``group`` share a spanning
    header. A data column ``prefix + "format"`` overrides the row format for this column."""

    header: str
    kind: str | None = None
    prefix: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    group: str = ""

    def source(self, role: str) -> str:
        return self.fields.get(role, self.prefix + role)


@dataclass(frozen=True)
class TableSpec:
    """A table: ``data`` (full precision, the TSV) and how XLSX and DOCX show it."""

    name: str
    title: str
    data: pd.DataFrame
    columns: Sequence[Column]
    stub: str | None = "label"  # data column of row labels (None: no stub column)
    stub_header: str = ""
    indent: str | None = "indent"  # data column of indent levels (0, 1, 2), if present
    format_column: str = "format"  # data column of each row's cell kind (for kind=None)
    row_notes: Sequence[str] = ()  # data columns of notes ("; " between notes), marked on a row
    footnotes: Sequence[str] = ()
    landscape: bool | None = None  # None: landscape when the table is too wide for portrait

    def with_data(self, data: pd.DataFrame) -> TableSpec:
        """The same layout over other data (the TSV read back, in the tests)."""
        return replace(self, data=data)


@dataclass(frozen=True)
class Rendered:
    """What every office format shows: header rows (a spanning group row first, when there
    is one; a spanned cell repeats its text), body rows, indent per body row, notes."""

    title: str
    header_rows: list[list[str]]
    body: list[list[str]]
    indents: list[int]
    footnotes: list[str]
    abbreviations: str
    landscape: bool

    def for_document(self, max_rows: int | None, files: str) -> Rendered:
        """As a document shows it: a table of more than ``max_rows`` body rows (a cohort's
        patient listing runs to a hundred pages) keeps its title and header, and a note says
        where every row is (``files``: the TSV and XLSX written beside it)."""
        if max_rows is None or len(self.body) <= max_rows:
            return self
        note = (
            f"{len(self.body):,} rows, more than a document shows "
            f"(report.docx_max_rows: {max_rows}): every row is in {files}."
        )
        return replace(self, body=[], indents=[], footnotes=[note, *self.footnotes])


def _row_kind(row: Mapping[str, Any], column: Column, spec: TableSpec) -> str:
    if column.kind is not None:
        return column.kind
    own = row.get(column.source("format"))  # this column's own format, where a row has one
    kind = own if not _blank(own) else row.get(spec.format_column)
    return "" if _blank(kind) else str(kind)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


def render(spec: TableSpec) -> Rendered:
    """The table as text, exactly as the XLSX 'Table' sheet and the DOCX show it."""
    records = spec.data.to_dict("records")
    marks, notes = _row_marks(spec, records)
    body, indents = [], []
    for i, row in enumerate(records):
        cells = []
        if spec.stub:
            label = row.get(spec.stub)
            cells.append(("" if _blank(label) else str(label)) + marks[i])
        heading = row.get(spec.format_column) == HEADING
        for column in spec.columns:
            kind = "" if heading else _row_kind(row, column, spec)
            cells.append(fmt.format_cell(kind, row, column.source))
        body.append(cells)
        level = row.get(spec.indent) if spec.indent else 0
        indents.append(0 if _blank(level) else int(level))
    header = ([spec.stub_header] if spec.stub else []) + [c.header for c in spec.columns]
    header_rows = [header]
    if any(c.group for c in spec.columns):
        header_rows.insert(0, ([""] if spec.stub else []) + [c.group for c in spec.columns])
    footnotes = [*spec.footnotes, *notes]
    text = " ".join([spec.title, *(c for r in header_rows + body for c in r), *footnotes])
    landscape = spec.landscape
    if landscape is None:
        landscape = sum(column_widths(header_rows[-1], body)) > PORTRAIT_CHARACTERS
    return Rendered(
        spec.title, header_rows, body, indents, footnotes, abbreviations(text), landscape
    )


def _row_marks(spec: TableSpec, records: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Footnote symbols on the stub, one per distinct note (in order of first appearance)."""
    symbols: dict[str, str] = {}
    marks = []
    for row in records:
        mark: list[str] = []
        for column in spec.row_notes:
            text = row.get(column)
            if _blank(text):
                continue
            for note in filter(None, (part.strip() for part in str(text).split(";"))):
                if note not in symbols:
                    k = len(symbols)
                    symbols[note] = FOOTNOTE_SYMBOLS[k % 6] * (k // 6 + 1)
                if symbols[note] not in mark:
                    mark.append(symbols[note])
        marks.append("".join(mark))
    return marks, [f"{symbol} {note}" for note, symbol in symbols.items()]


def column_widths(header: list[str], body: list[list[str]], stub: int = 40) -> list[int]:
    """Characters each column needs: its longest cell (long text wraps at 40, the first
    column at ``stub``), at least the longest word of its header; a table too wide for a
    portrait page wraps its first column at 24."""
    widths = []
    longest = [max(map(len, cells)) for cells in zip(*body, strict=True)] or [0] * len(header)
    for j, (title, cells) in enumerate(zip(header, longest, strict=True)):
        words = max((len(w) for w in re.split(r"\s+", title) if w), default=0)
        widths.append(max(words, min(cells, stub if j == 0 else 40)) + 4)  # + cell margins
    if stub > 24 and sum(widths) > PORTRAIT_CHARACTERS:
        return column_widths(header, body, stub=24)
    return widths


def fitted_widths(header: list[str], body: list[list[str]], available: float) -> list[float]:
    """Column widths (characters) filling ``available``: each column at least its longest
    word (no word is broken), the rest shared in proportion to what each still wants."""
    wanted = column_widths(header, body)
    # a column's words, from its cells joined: one split per column, not one per cell
    words = [" ".join(cells).split() for cells in zip(header, *body, strict=True)]
    longest_word = [max(map(len, column), default=0) for column in words]
    # a word's width: 1.2 mean characters (words in tables are capitals and digits)
    least = [min(want, 1.2 * word + 2) for want, word in zip(wanted, longest_word, strict=True)]
    if sum(wanted) <= available:
        return [w * available / sum(wanted) for w in wanted]
    if sum(least) >= available:
        return [w * available / sum(least) for w in least]
    share = (available - sum(least)) / (sum(wanted) - sum(least))
    return [lo + (want - lo) * share for lo, want in zip(least, wanted, strict=True)]


def abbreviations(text: str) -> str:
    """``Abbreviations: CI, confidence interval; HR, hazard ratio.`` for those in ``text``."""
    # an abbreviation is used where it is a whole word (not part of "PD-L1" or "ORRs"):
    # one pass over the text, not one search per abbreviation
    words = set(re.findall(r"[\w-]+", text))
    used = sorted(a for a in ABBREVIATIONS if a in words)
    if not used:
        return ""
    return "Abbreviations: " + "; ".join(f"{a}, {ABBREVIATIONS[a]}" for a in used) + "."


# ---------------------------------------------------------------- a spec for any data frame

# (estimate, lower, upper, header) shown as one "estimate (lo–hi)" column
CI_TRIPLES = [
    ("value", "lcl", "ucl", "Estimate (95% CI)"),
    ("hr", "hr_lcl", "hr_ucl", "HR (95% CI)"),
    ("hr_adjusted", "hr_adjusted_lcl", "hr_adjusted_ucl", "Adjusted HR (95% CI)"),
    ("odds_ratio", "or_lcl", "or_ucl", "OR (95% CI)"),
    ("logistic_or", "logistic_or_lcl", "logistic_or_ucl", "Logistic OR (95% CI)"),
]


def frame_columns(frame: pd.DataFrame, labels: Labels | None = None) -> list[Column]:
    """Display columns for a plain data frame: CI triples merged (``hr``, ``hr_lcl``,
    ``hr_ucl``; any ``x``, ``x_lcl``, ``x_ucl``), ``n`` with ``percent`` as n (%), p/q
    columns as p-values, ``*_pct`` as percentages, numbers as estimates, the rest as text.
    Columns that are empty on every row are left out."""
    labels = labels or Labels()
    names = [c for c in frame.columns if not (len(frame) and frame[c].isna().all())]
    used: set[str] = set()
    columns = []
    for name in names:
        if name in used:
            continue
        triple = next((t for t in CI_TRIPLES if t[0] == name and {t[1], t[2]} <= set(names)), None)
        if triple is None and {f"{name}_lcl", f"{name}_ucl"} <= set(names):
            triple = (name, f"{name}_lcl", f"{name}_ucl", f"{labels(name)} (95% CI)")
        if triple:
            fields = {"estimate": triple[0], "lcl": triple[1], "ucl": triple[2]}
            columns.append(Column(triple[3], "estimate_ci", fields=fields))
            used |= set(triple[:3])
        elif name == "n" and "percent" in names:
            columns.append(Column("n (%)", "n_percent", fields={"n": "n", "percent": "percent"}))
            used |= {"n", "percent"}
        else:
            columns.append(Column(labels(name), _frame_kind(frame, name), fields={"value": name}))
            used.add(name)
    return columns


def _frame_kind(frame: pd.DataFrame, name: str) -> str:
    if fmt.is_p_column(name):
        return "p"
    if name.endswith("_pct") or name == "percent":
        return "percent"
    if pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(frame[name]):
        return "number"
    return "text"


def frame_spec(
    name: str,
    title: str,
    frame: pd.DataFrame,
    labels: Labels | None = None,
    footnotes: Sequence[str] = (),
    **layout: Any,
) -> TableSpec:
    """A spec showing every column of ``frame`` (a listing, or a new table before it has a
    layout of its own)."""
    return TableSpec(
        name,
        title,
        frame,
        frame_columns(frame, labels),
        stub=None,
        indent=None,
        footnotes=footnotes,
        **layout,
    )
