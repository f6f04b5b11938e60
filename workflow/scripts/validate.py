import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import validate

run_stage(
    snakemake,
    lambda sm, config: validate.run_validate(
        config,
        sm.output.samples,
        sm.output.clinical,
        sm.output.report,
        excluded_out=sm.output.excluded,
        study_warnings=next(iter(sm.input.get("study_warnings", [])), None),
        labels_out=sm.output.labels,
    ),
)
