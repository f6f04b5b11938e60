import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import annotate, longitudinal


def stage(sm, config):
    table = annotate.run_annotate(
        config, sm.input.samples, sm.input.variants, sm.input.cnv, sm.output[0]
    )
    # tumour fraction per sample from the calls just made (one job, not two in a row)
    longitudinal.run_tumour_fraction(config, sm.input.samples, table, sm.output.tumour_fraction)


run_stage(snakemake, stage)
