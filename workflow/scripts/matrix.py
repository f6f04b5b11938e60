import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import matrix

run_stage(
    snakemake,
    lambda sm, config: matrix.run_matrix(
        config,
        sm.input.samples,
        sm.input.clinical,
        sm.input.alterations,
        sm.output.genes,
        sm.output.pathways,
        sm.input.tumour_fraction,
        sm.input.cnv,
        sm.output.members,
        sm.output.evaluability,
    ),
)
