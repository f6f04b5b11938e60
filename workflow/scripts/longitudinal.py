import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import longitudinal


def stage(sm, config):
    if sm.rule == "ctdna_features":
        longitudinal.run_ctdna_features(
            config,
            dict(sm.input.items()),
            dict(sm.output.items()),
        )
    else:
        longitudinal.run_longitudinal(
            config,
            dict(sm.input.items()),
            dict(sm.output.items()),
        )


run_stage(snakemake, stage)
