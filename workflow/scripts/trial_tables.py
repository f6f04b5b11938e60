import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import trial_tables

run_stage(
    snakemake,
    lambda sm, config: trial_tables.run_trial_tables(
        config,
        sm.input.endpoints,
        sm.input.clinical,
        sm.params.measured,
        dict(sm.output.items()),
    ),
)
