import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import cnv

run_stage(
    snakemake,
    lambda sm, config: cnv.run_cnv(
        sm.input.segments,
        sm.output[0],
        sample_id=sm.wildcards.sample,
        fmt=sm.params.fmt,
        thresholds=sm.params.thresholds,
        gene_coordinates=sm.params.gene_coordinates,
        purity=float(sm.params.purity) if sm.params.purity else None,
    ),
)
