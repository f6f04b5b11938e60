#!/usr/bin/env Rscript
# Reference for the `associate` benchmark: per biomarker, survfit (KM medians), survdiff
# (log-rank), coxph(ties = "efron") and fisher.test on the response table; then
# Benjamini-Hochberg q-values over the log-rank p-values.
# Usage: Rscript benchmarks/reference.R cohort.tsv out.tsv [loop_seconds.txt]
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1], stringsAsFactors = FALSE)
biomarkers <- setdiff(names(d), c("patient_id", "time", "event", "response"))
n <- length(biomarkers)
hr <- chi2 <- logrank_p <- fisher_p <- median_altered <- median_wild_type <- rep(NA_real_, n)
started <- proc.time()[["elapsed"]]
for (i in seq_len(n)) {
  b <- biomarkers[i]
  s <- d[d[[b]] %in% c("altered", "wild_type"), ]
  s$g <- as.integer(s[[b]] == "altered")
  km <- summary(survfit(Surv(time, event) ~ g, data = s))$table
  median_altered[i] <- km["g=1", "median"]
  median_wild_type[i] <- km["g=0", "median"]
  chi2[i] <- survdiff(Surv(time, event) ~ g, data = s)$chisq
  logrank_p[i] <- pchisq(chi2[i], df = 1, lower.tail = FALSE)
  fit <- coxph(Surv(time, event) ~ g, data = s, ties = "efron")
  hr[i] <- exp(unname(coef(fit)["g"]))
  tab <- table(factor(s$g, levels = c(1, 0)), factor(s$response, levels = c(1, 0)))
  fisher_p[i] <- fisher.test(tab)$p.value
}
q_value <- p.adjust(logrank_p, method = "BH")
elapsed <- proc.time()[["elapsed"]] - started
fmt <- function(x) sprintf("%.17g", x)
out <- data.frame(biomarker = biomarkers, hr = fmt(hr), logrank_chi2 = fmt(chi2),
                  logrank_p = fmt(logrank_p), q_value = fmt(q_value), fisher_p = fmt(fisher_p),
                  median_altered = fmt(median_altered),
                  median_wild_type = fmt(median_wild_type))
write.table(out, args[2], sep = "\t", quote = FALSE, row.names = FALSE)
if (length(args) >= 3) writeLines(sprintf("%.6f", elapsed), args[3])
