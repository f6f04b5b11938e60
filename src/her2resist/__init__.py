"""Trastuzumab-resistance biomarker workflow: variants, copy number, pathways, outcomes."""

__version__ = "0.1.0"
