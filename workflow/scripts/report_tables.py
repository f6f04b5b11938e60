import sys
from pathlib import Path

# The package sits beside the workflow; conda envs do not pip-install it.
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from her2resist.rule import run_stage
from her2resist.run import report


def tables_and_provenance(sm, config):
    tables = [path for path in sm.output if path != sm.output.provenance]
    report.run_tables(config, dict(sm.input.items()), tables)
    roles = {role: sm.input.get(f"provenance_{role}", []) for role in sm.params.provenance_roles}
    report.run_provenance(
        config,
        {role: [files] if isinstance(files, str) else list(files) for role, files in roles.items()},
        sm.output.provenance,
        Path(sm.scriptdir).resolve().parents[1],
    )


run_stage(snakemake, tables_and_provenance)
