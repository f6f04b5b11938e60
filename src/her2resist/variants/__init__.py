"""Variant ingestion: VCF (VEP/SnpEff annotated) or MAF -> one table; nothing is filtered.

No re-exports: importing a reader imports only what it needs (``vcf`` imports no pandas).
"""
