#!/usr/bin/env Rscript
# Reference values for delayed entry (left truncation) and the KM median band rule, computed with
# R's survival package on the inputs tests/test_stats_truncation.py gives her2resist.stats.
#
# Usage: Rscript tests/r/truncation.R [output.tsv]
#   default output: tests/r/truncation_values.tsv (committed, so the Python tests do not need R)
#
# Datasets
#   channing: Channing House (Hyde 1980; R package boot, `channing`), committed as
#         tests/r/channing_house.tsv: 462 residents of a retirement centre, age in months at entry
#         (the delayed entry) and at death or leaving; "altered" = Male. 5 records whose exit is
#         not after their entry (4 left on the day they came, 1 leaves before entering: a data
#         error) are not analysable; R's Surv() refuses them, Python excludes them.
#   trial: tests/r/synthetic_trial.tsv PFS with entry = (age mod 7) / 2 months (ties among entries
#         and with exit times; 7 patients with entry >= time are excluded); adjusted model
#         + ecog + age.
#   refill: 8 patients in whom the risk set empties (the last one at risk is censored at 3) and
#         fills again when later patients enter at 5.
#   zero: the synthetic trial with every entry 0: the score test of coxph(Surv(0, time, event)),
#         and the untruncated fit, which the Python test also requires.
#   band: 19 patients whose upper 95 % band is at or below 0.5 at 34 months, then rises to 0.494
#         at 37: print(fit) reports 34 (the first time), quantile(fit) 37 (issue 17).
# Survival statistics of a biomarker: n, events, KM median and log 95 % CI as print(survfit)
# reports them; the score test of coxph(Surv(entry, time, event) ~ g) (survdiff takes no entry
# times); coxph Efron HR, CI, Wald and likelihood-ratio p; cox.zph p; adjusted HR.

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg))) else "tests/r"
})
out_path <- if (length(args) >= 1) args[1] else file.path(script_dir, "truncation_values.tsv")

rows <- list()
emit <- function(dataset, biomarker, endpoint, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    dataset = dataset, biomarker = biomarker, endpoint = endpoint, statistic = statistic,
    value = if (is.na(value)) "NA" else sprintf("%.17g", value), stringsAsFactors = FALSE)
}

median_ci <- function(fit) {
  unname(summary(fit)$table[c("median", "0.95LCL", "0.95UCL")])
}

survival_reference <- function(dataset, d, covariates = character()) {
  d$g <- as.integer(d$status == "altered")
  for (grp in c("altered", "wild_type")) {
    sg <- d[d$status == grp, ]
    m <- median_ci(survfit(Surv(entry, time, event) ~ 1, data = sg))
    emit(dataset, "g", "os", paste0("median_", grp), m[1])
    emit(dataset, "g", "os", paste0("median_", grp, "_lcl"), m[2])
    emit(dataset, "g", "os", paste0("median_", grp, "_ucl"), m[3])
    emit(dataset, "g", "os", paste0("n_", grp), nrow(sg))
    emit(dataset, "g", "os", paste0("events_", grp), sum(sg$event))
  }
  fit <- coxph(Surv(entry, time, event) ~ g, data = d, ties = "efron")
  sm <- summary(fit)
  emit(dataset, "g", "os", "logrank_chi2", sm$sctest["test"])
  emit(dataset, "g", "os", "logrank_p", sm$sctest["pvalue"])
  emit(dataset, "g", "os", "hr", sm$conf.int["g", "exp(coef)"])
  emit(dataset, "g", "os", "hr_lcl", sm$conf.int["g", "lower .95"])
  emit(dataset, "g", "os", "hr_ucl", sm$conf.int["g", "upper .95"])
  emit(dataset, "g", "os", "wald_p", sm$coefficients["g", "Pr(>|z|)"])
  emit(dataset, "g", "os", "lr_p", sm$logtest["pvalue"])
  emit(dataset, "g", "os", "ph_p", cox.zph(fit)$table["g", "p"])
  if (length(covariates)) {
    f_adj <- as.formula(paste("Surv(entry, time, event) ~ g +",
                              paste(covariates, collapse = " + ")))
    adj <- summary(coxph(f_adj, data = d, ties = "efron"))
    emit(dataset, "g", "os", "hr_adjusted", adj$conf.int["g", "exp(coef)"])
    emit(dataset, "g", "os", "hr_adjusted_lcl", adj$conf.int["g", "lower .95"])
    emit(dataset, "g", "os", "hr_adjusted_ucl", adj$conf.int["g", "upper .95"])
    emit(dataset, "g", "os", "adjusted_p", adj$coefficients["g", "Pr(>|z|)"])
  }
}

efficacy_reference <- function(dataset, fit, landmarks) {
  m <- median_ci(fit)
  emit(dataset, "", "os", "median", m[1])
  emit(dataset, "", "os", "median_lcl", m[2])
  emit(dataset, "", "os", "median_ucl", m[3])
  sm <- summary(fit, times = landmarks)
  for (i in seq_along(sm$time)) {
    lab <- paste0("rate_", sm$time[i], "m")
    emit(dataset, "", "os", lab, sm$surv[i])
    emit(dataset, "", "os", paste0(lab, "_lcl"), sm$lower[i])
    emit(dataset, "", "os", paste0(lab, "_ucl"), sm$upper[i])
    emit(dataset, "", "os", paste0(lab, "_n_risk"), sm$n.risk[i])
  }
}

# ---- Channing House ----------------------------------------------------------------------------
channing <- read.delim(file.path(script_dir, "channing_house.tsv"), stringsAsFactors = FALSE)
if (requireNamespace("boot", quietly = TRUE)) {  # the committed copy is boot's data set
  stopifnot(isTRUE(all.equal(channing[, -1], transform(boot::channing, sex = as.character(sex)),
                            check.attributes = FALSE)))
}
ch <- data.frame(entry = channing$entry, time = channing$exit, event = channing$cens,
                 status = ifelse(channing$sex == "Male", "altered", "wild_type"))
ch <- ch[ch$time > ch$entry, ]
emit("channing", "", "os", "analysed", nrow(ch))
survival_reference("channing", ch)
efficacy_reference("channing", survfit(Surv(entry, time, event) ~ 1, data = ch),
                   c(900, 1000, 1100))

# ---- synthetic trial with delayed entry --------------------------------------------------------
syn <- read.delim(file.path(script_dir, "synthetic_trial.tsv"), stringsAsFactors = FALSE)
syn <- syn[!is.na(syn$pfs_months) & !is.na(syn$pfs_event), ]
trial <- data.frame(entry = (syn$age %% 7) / 2, time = syn$pfs_months, event = syn$pfs_event,
                    status = syn$ERBB2_amp, ecog = syn$ecog, age = syn$age)
trial <- trial[trial$time > trial$entry, ]
emit("trial", "", "os", "analysed", nrow(trial))
survival_reference("trial", trial, c("ecog", "age"))
efficacy_reference("trial", survfit(Surv(entry, time, event) ~ 1, data = trial), c(3, 6, 12))

# ---- a risk set that empties and fills again ---------------------------------------------------
refill <- data.frame(entry = c(0, 0, 0, 5, 5, 5, 6, 6), time = c(1, 2, 3, 7, 8, 9, 10, 12),
                     event = c(1, 0, 0, 1, 1, 0, 1, 0),
                     status = rep(c("altered", "wild_type"), 4))
survival_reference("refill", refill)
efficacy_reference("refill", survfit(Surv(entry, time, event) ~ 1, data = refill), c(4, 8))

# ---- every entry 0 -----------------------------------------------------------------------------
zero <- data.frame(entry = 0, time = syn$pfs_months, event = syn$pfs_event,
                   status = syn$ERBB2_amp, ecog = syn$ecog, age = syn$age)
survival_reference("zero", zero, c("ecog", "age"))
untruncated <- summary(coxph(Surv(time, event) ~ I(status == "altered"), data = zero))
emit("zero", "", "os", "untruncated_score_chi2", untruncated$sctest["test"])

# ---- non-monotone upper band (issue 17) ---------------------------------------------------------
band <- data.frame(time = c(39, 29, 31, 5, 37, 35, 22, 23, 7, 12, 15, 18, 31, 34, 6, 23, 26, 3, 13),
                   event = c(0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))
band_fit <- survfit(Surv(time, event) ~ 1, data = band)
m <- median_ci(band_fit)
emit("band", "", "os", "median", m[1])
emit("band", "", "os", "median_lcl", m[2])
emit("band", "", "os", "median_ucl", m[3])
emit("band", "", "os", "quantile_upper", quantile(band_fit, 0.5)$upper)

out <- do.call(rbind, rows)
write.table(out, out_path, sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("wrote %d reference values to %s (R %s, survival %s)\n", nrow(out), out_path,
            getRversion(), packageVersion("survival")))
