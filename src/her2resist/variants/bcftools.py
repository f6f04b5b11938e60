"""htslib, through ``bcftools``, reads every VCF/BCF: its header (``header.read_header``) and
its records (``bcftools query``, whose errors :func:`check_query` turns into an InputError)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from her2resist.errors import InputError

_HTSLIB_ERROR = re.compile(r"^\[E::[^\]]*\] (.*)$")
_AT_RECORD = re.compile(r" at ([^\s:]+:\d+)")


def bcftools() -> str:
    """The bcftools the workflow's environment provides (conda env, or the system's)."""
    found = shutil.which("bcftools")
    if found is None:
        raise InputError.one(
            "bcftools",
            "bcftools is not on the PATH: VCF files are read with it",
            where="environment",
            hint="install it (Debian: apt-get install bcftools; conda: bioconda::bcftools), "
            "or run the workflow with --use-conda",
        )
    return found


def check_query(path: Path, stderr: str, returncode: int) -> None:
    """``bcftools query``'s errors as an InputError (htslib stops at a record it cannot parse
    but bcftools query still exits 0); its warnings pass through to our stderr."""
    errors = []
    for line in stderr.splitlines():
        if match := _HTSLIB_ERROR.match(line):
            errors.append(match.group(1))
        elif line.strip():
            print(line, file=sys.stderr)
    if errors:  # the first error is where htslib stopped
        where = _AT_RECORD.search(errors[0])
        message = _AT_RECORD.sub("", errors[0], count=1).strip()
        raise InputError.one(
            str(path),
            f"htslib cannot read this record: {message}",
            where=f"record {where.group(1)}" if where else "records",
            hint="the file is truncated or a data line is malformed; re-create it",
        )
    if returncode != 0:
        stopped = f"signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
        raise InputError.one(
            str(path),
            f"bcftools stopped reading the file ({stopped})",
            where="records",
            hint="a data line is malformed (a blank line, a truncated record); re-create it",
        )


def query(path: Path, text: str) -> str:
    """``bcftools query -f text`` of the whole file."""
    done = subprocess.run([bcftools(), "query", "-f", text, str(path)], capture_output=True)
    check_query(path, done.stderr.decode("utf-8", errors="replace"), done.returncode)
    return done.stdout.decode("utf-8", errors="replace")
