"""Where the workflow's own files live: inside the package, installed or not.

In a checkout, ``src/her2resist/workflow``, ``resources`` and ``config.yaml`` are links to the
top-level ``workflow/``, ``resources/`` and ``config/config.yaml`` (the layout of the Snakemake
workflow catalogue); a wheel built from the project holds them as files (pyproject.toml), so
the installed package runs the CLI and the workflow without a checkout.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# resolved, so that runs from a checkout name its top-level folders, as they always did
SNAKEFILE = Path(files("her2resist") / "workflow" / "Snakefile").resolve()
SCHEMAS = SNAKEFILE.parent / "schemas"
RESOURCES = Path(files("her2resist") / "resources").resolve()
