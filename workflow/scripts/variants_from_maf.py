import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import variants_maf

run_stage(
    snakemake,
    lambda sm, config: variants_maf.run_variants_from_maf(
        sm.input.maf, sm.output[0], sm.params.samples
    ),
)
