"""Where the workflow's own files live, independent of the working directory."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PROJECT_ROOT / "resources"
SCHEMAS = PROJECT_ROOT / "workflow" / "schemas"
