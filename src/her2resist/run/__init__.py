"""One module per workflow stage: read the stage's files, call the domain packages, write files.

The rule scripts in ``workflow/scripts/`` and the ``her2resist`` command call these runners,
so a stage behaves the same inside and outside the workflow. Domain packages never import
from here.
"""

from pathlib import Path

PathLike = str | Path
