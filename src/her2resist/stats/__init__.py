"""Trial efficacy and biomarker association statistics that reproduce R's `survival`,
`fisher.test` and `binom.test` (see tests/r/reference.R), computed by statsmodels and scipy
except where docs/design.md ("Own statistics code, and why") says otherwise.

Import from the modules (`stats.associate`, `stats.efficacy`, `stats.km`, ...): this package
imports none of them, so a job drawing a Kaplan-Meier curve does not load Cox, Firth and the
tests it never runs."""
