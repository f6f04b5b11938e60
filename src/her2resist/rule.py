"""Glue for Snakemake rule scripts: log to the rule's log file, report input problems plainly."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

from her2resist.errors import InputError


def run_stage(snakemake: Any, stage: Callable[[Any, dict], None]) -> None:
    """Run ``stage(snakemake, config)`` with stderr and logging sent to the rule's log."""
    log_path = snakemake.log[0] if snakemake.log else None
    stream = open(log_path, "w", encoding="utf-8") if log_path else sys.stderr  # noqa: SIM115
    logging.basicConfig(
        stream=stream, level=logging.INFO, format="%(levelname)s %(message)s", force=True
    )
    try:
        stage(snakemake, snakemake.config)
    except InputError as error:
        message = "input problem(s):\n" + "\n".join(f"  - {p}" for p in error.problems)
        stream.write(message + "\n")
        stream.flush()
        sys.stderr.write(message + "\n")
        sys.exit(1)
    except Exception:
        traceback.print_exc(file=stream)
        raise
    finally:
        if stream is not sys.stderr:
            stream.close()
