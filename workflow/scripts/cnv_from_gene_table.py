import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import cnv

run_stage(
    snakemake,
    lambda sm, config: cnv.run_cnv_from_gene_table(
        sm.input.table, sm.output[0], sm.params.samples, sm.params.thresholds
    ),
)
