"""Which genes an assay covers: the gene panel files the sample sheet names.

The sheet's ``panel`` (mutations), ``cnv_panel`` (copy number) and ``sv_panel`` (fusions)
columns each name a file in one of three forms, told apart by their content:

- a cBioPortal gene panel file (``stable_id: X``, ``description: ...``, ``gene_list: A<TAB>B``),
  as the ``data_gene_panel_*.txt`` files of a study;
- a BED file (``chrom<TAB>start<TAB>end``, 0-based half-open): the genes of the workflow's
  gene coordinates (``gene_coordinates``) that overlap any region;
- a plain gene list: one HUGO symbol per line, ``#`` comments and blank lines allowed.

An empty cell means the assay covers every gene (exome, genome, or unknown).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from her2resist.errors import InputError
from her2resist.tables import text_lines

GENE_PANEL_COLUMNS = ("panel", "cnv_panel", "sv_panel")
_BED_LINE = re.compile(r"^\S+\t\d+\t\d+(\t|$)")
_HEADER_WORDS = {"hugo_symbol", "gene", "genes", "symbol", "gene_symbol"}


def _is_bed(path: Path, lines: list[str]) -> bool:
    if path.name.lower().removesuffix(".gz").endswith(".bed"):
        return True
    data = [line for line in lines if line.strip() and not line.startswith(("#", "track"))]
    return bool(data) and _BED_LINE.match(data[0]) is not None


def bed_regions(path: str | Path, lines: list[str] | None = None) -> list[tuple[str, int, int]]:
    """(chrom, start, end) of every region of a BED file as written (0-based, end exclusive);
    a line that is not a region is an error naming it."""
    regions = []
    for n, line in enumerate(text_lines(path) if lines is None else lines, 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t")
        try:
            regions.append((fields[0], int(fields[1]), int(fields[2])))
        except (IndexError, ValueError):
            raise InputError.one(
                path,
                f"not a BED line: {line[:60]!r}",
                n,
                hint="BED needs chrom<TAB>start<TAB>end on every line (0-based, end exclusive)",
            ) from None
    return regions


def _bed_genes(path: Path, lines: list[str], gene_coordinates: str | Path) -> set[str]:
    genes = pd.read_csv(gene_coordinates, sep="\t", dtype={"chrom": str})
    genes["chrom"] = genes["chrom"].str.removeprefix("chr")
    covered: set[str] = set()
    for chrom, start, end in bed_regions(path, lines):
        # BED is 0-based half-open, the gene table 1-based inclusive: [start+1, end] overlaps
        # a gene [gene_start, gene_end] when start < gene_end and end >= gene_start.
        on_chrom = genes["chrom"] == chrom.removeprefix("chr")
        covered.update(genes[on_chrom & (genes["end"] > start) & (genes["start"] <= end)]["gene"])
    return covered


def _listed_genes(lines: list[str]) -> set[str]:
    genes: set[str] = set()
    for line in lines:
        if line.startswith("gene_list:"):  # cBioPortal gene panel file
            genes.update(g.strip() for g in line.removeprefix("gene_list:").split("\t"))
        elif not line.startswith(("stable_id:", "description:")):
            symbol = line.split("#", 1)[0].strip().split("\t")[0].strip()
            if symbol and symbol.lower() not in _HEADER_WORDS:
                genes.add(symbol)
    return {g for g in genes if g}


@lru_cache(maxsize=64)
def read_panel(path: str | Path, gene_coordinates: str | Path) -> frozenset[str]:
    """The genes a panel file covers (see the module docstring); read once per file."""
    file = Path(path)
    if not file.is_file():
        raise InputError.one(
            path,
            "gene panel file not found",
            hint="give the panel's gene list, BED or cBioPortal gene panel file (paths are "
            "relative to the working directory), or leave the cell empty if the assay covers "
            "every gene",
        )
    lines = text_lines(file)
    if _is_bed(file, lines):
        genes = _bed_genes(file, lines, gene_coordinates)
        what = f"no gene of {gene_coordinates} overlaps its regions (wrong genome build?)"
    else:
        genes = _listed_genes(lines)
        what = "it names no gene"
    if not genes:
        raise InputError.one(
            path,
            f"gene panel file covers no gene: {what}",
            hint="a gene list needs one HUGO symbol per line; a cBioPortal panel file a "
            "'gene_list:' line; a BED file regions in the configured genome_build",
        )
    return frozenset(genes)
