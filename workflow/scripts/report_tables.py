import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from her2resist.report.run import run_tables
from her2resist.rule import run_stage

run_stage(
    snakemake,
    lambda sm, config: run_tables(config, dict(sm.input.items()), list(sm.output)),
)
