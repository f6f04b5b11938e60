"""Trial efficacy and biomarker association statistics that reproduce R's `survival`,
`fisher.test` and `binom.test` (see tests/r/reference.R), computed by statsmodels and scipy
except where docs/design.md ("Own statistics code, and why") says otherwise. Import from the
modules: this package imports none, so drawing a KM curve does not load Cox and Firth."""
