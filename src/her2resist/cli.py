"""``her2resist``: run any workflow stage from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from her2resist import __version__
from her2resist.cbioportal_study import study_config
from her2resist.config import load_config, resolve_resources, validate_config
from her2resist.errors import InputError
from her2resist.panels import bed_regions
from her2resist.run import (
    annotate,
    associate,
    clinical,
    cnv,
    matrix,
    validate,
    variants,
    variants_maf,
)


def _genes_to_regions(
    config_path: str | None, genes: str | None, bed: str | None, genome_build: str = "GRCh38"
):
    if bed:  # BED is 0-based half-open, the reader's regions 1-based inclusive
        return [(chrom, start + 1, end) for chrom, start, end in bed_regions(bed)]
    if genes:
        # without --config, the workflow's own gene table for the chosen build
        config = load_config(config_path) if config_path else {"genome_build": genome_build}
        table = resolve_resources(config)["gene_coordinates"]
        coords = pd.read_csv(table, sep="\t", dtype={"chrom": str})
        asked = genes.split(",")
        unknown = sorted(set(asked) - set(coords["gene"]))
        if unknown:
            raise InputError(
                [f"--genes: {', '.join(unknown)} not in {table}; use HUGO symbols of that table"]
            )
        wanted = coords[coords["gene"].isin(asked)]
        return list(zip(wanted["chrom"], wanted["start"], wanted["end"], strict=True))
    return None


def cmd_validate(args: argparse.Namespace) -> None:
    out = Path(args.outdir)
    config = study_config(load_config(args.config), out / "study")
    validate.run_validate(
        config,
        out / "validated" / "samples.tsv",
        out / "validated" / "clinical.tsv",
        out / "qc" / "input_report.tsv",
        excluded_out=out / "validated" / "population_excluded.tsv",
        study_warnings=out / "study" / "warnings.tsv" if config.get("cbioportal_study") else None,
        labels_out=out / "validated" / "column_labels.tsv",
    )


def cmd_variants(args: argparse.Namespace) -> None:
    sample_id = args.sample_id or Path(args.input).name.split(".")[0]
    if args.annotation == "maf":
        summary = variants_maf.run_variants_from_maf(args.input, args.output, [sample_id])
    else:
        summary = variants.run_variants(
            args.input,
            args.output,
            sample_id=sample_id,
            annotation=args.annotation,
            tumor=args.tumor,
            normal=args.normal,
            regions=_genes_to_regions(args.config, args.genes, args.regions, args.genome_build),
        )
    print(f"{summary['rows']} variant rows written to {args.output}", file=sys.stderr)


def cmd_cnv(args: argparse.Namespace) -> None:
    config = load_config(args.config) if args.config else None
    config = config or resolve_resources(validate_config({"clinical": {"table": "-"}}))
    cnv.run_cnv(
        args.input,
        args.output,
        sample_id=args.sample_id or Path(args.input).name.split(".")[0],
        fmt=args.format,
        thresholds=config["cnv_thresholds"],
        gene_coordinates=config["gene_coordinates"],
        purity=args.purity,
    )


def cmd_annotate(args: argparse.Namespace) -> None:
    annotate.run_annotate(
        load_config(args.config), args.samples, args.variants, args.cnv, args.output
    )


def cmd_matrix(args: argparse.Namespace) -> None:
    out = Path(args.outdir)
    matrix.run_matrix(
        load_config(args.config),
        args.samples,
        args.clinical,
        args.alterations,
        out / "gene_by_patient.tsv",
        out / "pathway_by_patient.tsv",
        members_out=out / "pathway_members.tsv",
        evaluability_out=out / "sample_evaluability.tsv",
    )


def cmd_clinical(args: argparse.Namespace) -> None:
    config = load_config(args.config)
    clinical.run_clinical(
        config,
        args.clinical or config["clinical"].get("table") or "results/validated/clinical.tsv",
        args.output,
        args.adverse_events_output,
    )


def cmd_associate(args: argparse.Namespace) -> None:
    out = Path(args.outdir)
    outputs = {name: out / f"{name}_associations.tsv" for name in ("pfs", "os", "response")}
    associate.run_associate(
        load_config(args.config),
        args.endpoints,
        args.gene_matrix,
        args.pathway_matrix,
        args.clinical,
        outputs | {"efficacy": out / "efficacy.tsv"},
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="her2resist", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Callable, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("validate", cmd_validate, "check config, sample sheet and clinical table")
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--outdir", default="results")

    p = add("variants", cmd_variants, "convert one VCF (VEP/SnpEff) or MAF into the variant table")
    p.add_argument("input")
    p.add_argument("--annotation", choices=["vep", "snpeff", "maf", "auto"], default="auto")
    p.add_argument("--sample-id")
    p.add_argument("--tumor")
    p.add_argument("--normal")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--regions", help="BED file of regions to read (uses the index if present)")
    group.add_argument("--genes", help="comma-separated genes to read (coordinates from resources)")
    p.add_argument("--config", help="config whose genome build and gene table to use")
    p.add_argument(
        "--genome-build",
        choices=["GRCh37", "GRCh38"],
        default="GRCh38",
        help="build of the workflow's gene table for --genes when no --config is given",
    )
    p.add_argument("-o", "--output", required=True)

    p = add("cnv", cmd_cnv, "copy-number segments or gene table to gene-level calls")
    p.add_argument("input")
    p.add_argument(
        "--format", choices=["cnvkit_cns", "cnvkit_cnr", "seg", "gene_table"], required=True
    )
    p.add_argument("--sample-id")
    p.add_argument("--purity", type=float)
    p.add_argument("--config")
    p.add_argument("-o", "--output", required=True)

    p = add("annotate", cmd_annotate, "oncogenicity, pathways, filters for every sample")
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--samples", required=True)
    p.add_argument("--variants", nargs="*", default=[])
    p.add_argument("--cnv", nargs="*", default=[])
    p.add_argument("-o", "--output", required=True)

    p = add("matrix", cmd_matrix, "gene and pathway status per patient and timepoint")
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--samples", required=True)
    p.add_argument("--clinical", required=True)
    p.add_argument("--alterations", required=True)
    p.add_argument("--outdir", default="results/matrix")

    p = add("clinical", cmd_clinical, "per-patient endpoints and adverse-event summary")
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--clinical")
    p.add_argument("-o", "--output", default="results/clinical/endpoints.tsv")
    p.add_argument("--adverse-events-output", default="results/clinical/adverse_events.tsv")

    p = add("associate", cmd_associate, "biomarker associations with PFS, OS and response")
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--endpoints", default="results/clinical/endpoints.tsv")
    p.add_argument("--gene-matrix", default="results/matrix/gene_by_patient.tsv")
    p.add_argument("--pathway-matrix", default="results/matrix/pathway_by_patient.tsv")
    p.add_argument("--clinical", default="results/validated/clinical.tsv")
    p.add_argument("--outdir", default="results/stats")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except InputError as error:
        print(f"her2resist {args.command}: input problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
