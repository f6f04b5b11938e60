"""OncoKB oncogenicity from an OncoKB-annotated MAF (MafAnnotator's ``ONCOGENIC`` column).

``read_maf`` keeps the columns in :data:`COLUMNS` when a MAF has them and checks every
``ONCOGENIC`` value against :data:`ONCOGENICITY`; ``annotate`` uses the class in place of the
built-in rules as ``annotate.oncogenicity_source`` says (see :func:`oncokb_call`).
Kept free of heavy imports: the variant reader and the annotate stage both use it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: OncoKB MafAnnotator's columns kept in the variant table (only when the MAF has them).
COLUMNS = ("ONCOGENIC", "MUTATION_EFFECT", "HIGHEST_LEVEL")
ONCOGENIC_COLUMN = "ONCOGENIC"

#: OncoKB's oncogenicity classes (as MafAnnotator writes them) -> the project's vocabulary.
#: ``Predicted Oncogenic`` (older OncoKB: a hotspot not yet curated) counts as likely
#: oncogenic, as cBioPortal counts it; ``Resistance`` (an alteration that confers resistance to
#: a targeted drug without being a driver) also counts: resistance is what this study is about.
ONCOGENICITY = {
    "Oncogenic": "oncogenic",
    "Likely Oncogenic": "likely_oncogenic",
    "Predicted Oncogenic": "likely_oncogenic",
    "Resistance": "likely_oncogenic",
    "Likely Neutral": "benign",
    "Inconclusive": "vus",
    "Unknown": "vus",
}
#: ``annotate.oncogenicity_source`` values.
SOURCES = ("auto", "builtin", "oncokb")

_BY_LOWER = {name.lower(): name for name in ONCOGENICITY}


def allowed_values() -> str:
    """The accepted ONCOGENIC values, for error messages."""
    return ", ".join(f"'{name}'" for name in ONCOGENICITY) + " or empty"


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def canonical(value: Any) -> str | None:
    """OncoKB's spelling of an ONCOGENIC value (case and spaces forgiven); None when empty.

    Raises ValueError for a value that is not one of OncoKB's classes."""
    if is_missing(value):
        return None
    name = _BY_LOWER.get(" ".join(str(value).split()).lower())
    if name is None:
        raise ValueError(str(value))
    return name


def oncokb_call(value: Any, source: str) -> tuple[str, str] | None:
    """(oncogenicity, rule) decided by OncoKB for one mutation, or None: built-in rules decide.

    - ``builtin``: always None (the column is ignored).
    - ``auto``: OncoKB's class where it gives one; empty and ``Unknown`` (OncoKB has not
      curated the variant) leave the call to the built-in rules.
    - ``oncokb``: OncoKB's class for every mutation; ``Unknown`` is ``vus`` and an empty value
      is ``vus`` with rule ``oncokb:not_annotated``.

    Raises ValueError for a value that is not an OncoKB class (see :func:`canonical`)."""
    if source == "builtin":
        return None
    if source not in SOURCES:
        raise ValueError(f"oncogenicity_source {source!r} is not one of {', '.join(SOURCES)}")
    name = canonical(value)
    if name is None:
        return ("vus", "oncokb:not_annotated") if source == "oncokb" else None
    if name == "Unknown" and source == "auto":
        return None
    return ONCOGENICITY[name], f"oncokb:{name}"
