import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import variants

run_stage(
    snakemake,
    lambda sm, config: variants.run_variants(
        sm.input.calls,
        sm.output[0],
        sample_id=sm.wildcards.sample,
        annotation=sm.params.annotation,
        tumor=sm.params.tumor,
        normal=sm.params.normal,
        regions=sm.params.regions,
    ),
)
