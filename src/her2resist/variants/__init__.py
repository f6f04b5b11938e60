"""Variant ingestion: VCF (VEP/SnpEff annotated) or MAF -> one table; nothing is filtered."""

from .maf import read_maf
from .schema import EXTRA_COLUMNS, VARIANT_COLUMNS
from .vcf import read_vcf, write_vcf_table

__all__ = ["EXTRA_COLUMNS", "VARIANT_COLUMNS", "read_maf", "read_vcf", "write_vcf_table"]
