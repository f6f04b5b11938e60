"""Build resources/civic_anti_her2_evidence.tsv and civic_unmatched.tsv from a CIViC release.

    .venv/bin/python resources/build_civic_evidence.py ../shared/data/knowledge/civic resources

Same release in, same bytes out (rows sorted by evidence id; the header names the release,
its licence and the sha256 of every file read). Logic: her2resist.annotate.civic.
"""

from __future__ import annotations

import sys
from pathlib import Path

from her2resist.annotate.civic import build_evidence, write_with_header


def main(release: str, out_dir: str) -> None:
    table, unmatched, header = build_evidence(release)
    out = Path(out_dir)
    write_with_header(table, header, out / "civic_anti_her2_evidence.tsv")
    note = "# CIViC variants of the evidence table above that no alteration can match, by reason"
    write_with_header(unmatched, [*header, note], out / "civic_unmatched.tsv")


if __name__ == "__main__":
    main(*sys.argv[1:3])
