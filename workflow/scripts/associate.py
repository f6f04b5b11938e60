import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import associate

run_stage(
    snakemake,
    lambda sm, config: associate.run_associate(
        config,
        sm.input.endpoints,
        sm.input.genes,
        sm.input.pathways,
        sm.input.clinical,
        dict(sm.output.items()),
        sm.input.ctdna_features,
        sm.params.measured,
    ),
)
