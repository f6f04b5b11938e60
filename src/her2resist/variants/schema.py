"""The variant table's columns and their dtypes (as pandas names them)."""

from __future__ import annotations

VARIANT_COLUMNS: list[str] = [
    "sample_id", "chrom", "pos", "ref", "alt", "gene", "transcript", "hgvsc", "hgvsp",
    "hgvsp_short", "consequence", "variant_class", "exon", "depth", "alt_reads", "vaf",
    "filter", "caller", "population_af", "protein_position", "biotype", "canonical",
    "normal_depth", "normal_alt_reads", "normal_vaf",
]  # fmt: skip

#: Appended after VARIANT_COLUMNS: MAF-style coordinates and the full consequence list.
EXTRA_COLUMNS: list[str] = ["variant_type", "maf_start", "all_consequences"]
ALL_COLUMNS = VARIANT_COLUMNS + EXTRA_COLUMNS

DTYPES: dict[str, str] = {
    **dict.fromkeys(ALL_COLUMNS, "object"),
    "pos": "int64",
    **dict.fromkeys(
        ("depth", "alt_reads", "protein_position", "normal_depth", "normal_alt_reads", "maf_start"),
        "Int64",
    ),
    **dict.fromkeys(("vaf", "population_af", "normal_vaf"), "float64"),
    "canonical": "bool",
}
