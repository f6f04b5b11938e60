"""One module per workflow stage: read the stage's files, call the domain packages, write files.

The rule scripts in ``workflow/scripts/`` and the ``her2resist`` command call these runners,
so a stage behaves the same inside and outside the workflow. Domain packages never import
from here. Nothing is imported here: a runner imports only what its stage needs (a VCF's
variants job, run thousands of times in a cohort, imports no pandas).
"""

from __future__ import annotations

from pathlib import Path

PathLike = str | Path
