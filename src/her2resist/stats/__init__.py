"""Trial efficacy and biomarker association statistics that reproduce R's `survival`,
`fisher.test` and `binom.test` (see tests/r/reference.R), computed by statsmodels and scipy
except where docs/design.md ("Own statistics code, and why") says otherwise."""

from her2resist.stats.associate import (
    RESPONSE_COLUMNS,
    SURVIVAL_COLUMNS,
    response_associations,
    survival_associations,
)
from her2resist.stats.efficacy import EFFICACY_COLUMNS, efficacy_summary

__all__ = [
    "EFFICACY_COLUMNS",
    "RESPONSE_COLUMNS",
    "SURVIVAL_COLUMNS",
    "efficacy_summary",
    "response_associations",
    "survival_associations",
]
