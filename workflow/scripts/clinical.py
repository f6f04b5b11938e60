import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import clinical

run_stage(
    snakemake,
    lambda sm, config: clinical.run_clinical(
        config,
        sm.input.clinical,
        sm.output.endpoints,
        sm.output.adverse_events,
        sm.output.tumour_change,
    ),
)
