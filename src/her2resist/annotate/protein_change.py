"""Protein changes as MAFs (HGVSp_Short) and VEP (HGVSp) write them, read into positions.

``p.Y772_A775dup`` -> residues 772-775, kind ``dup``; ``p.A775_G776insYVMA`` -> 775-776 (the
two residues flanking the insertion), ``ins``; ``p.G776delinsVC`` -> 776, ``delins``;
``p.H1047R`` -> 1047, ``substitution``. Three-letter amino acids (``p.Tyr772_Ala775dup``) and
the parentheses of predicted changes (``p.(E110del)``) are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AMINO = r"(?:[A-Z][a-z]{2}|[A-Z*])"
_CHANGE = re.compile(
    rf"^(?:{_AMINO})?(?P<start>\d+)(?:_(?P<last_aa>{_AMINO})?(?P<end>\d+))?(?P<rest>.*)$"
)
IN_FRAME_KINDS = {"del", "ins", "dup", "delins"}


@dataclass(frozen=True)
class ProteinChange:
    start: int
    end: int
    kind: str  # del | ins | dup | delins | frameshift | splice | substitution | other

    @property
    def in_frame_indel(self) -> bool:
        return self.kind in IN_FRAME_KINDS

    def overlaps(self, start: int, end: int) -> bool:
        return self.start <= end and self.end >= start


def _kind(rest: str) -> str:
    if "fs" in rest:
        return "frameshift"
    for kind in ("delins", "del", "ins", "dup"):  # delins before del
        if rest.startswith(kind):
            return kind
    if rest.startswith("_splice") or rest == "splice":
        return "splice"
    if re.fullmatch(rf"{_AMINO}|=", rest):
        return "substitution"
    return "other"


def parse_protein_change(text: object) -> ProteinChange | None:
    """The positions and kind of a protein change, or None where it names no position
    (empty, ``p.?``, ``p.=``)."""
    change = str(text or "").strip().removeprefix("p.").strip("()")
    match = _CHANGE.match(change)
    if match is None:
        return None
    start = int(match["start"])
    end = int(match["end"]) if match["end"] else start
    return ProteinChange(start, max(start, end), _kind(match["rest"]))
