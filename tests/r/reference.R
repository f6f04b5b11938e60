#!/usr/bin/env Rscript
# Reference values for her2resist.stats, computed with R's survival package and stats::fisher.test
# / binom.test on the same inputs the Python tests use.
#
# Usage: Rscript tests/r/reference.R [output.tsv] [shared data dir]
#   default output: tests/r/reference_values.tsv (committed, so the Python tests do not need R)
#
# Datasets
#   laml: TCGA-LAML public files (maftools inst/extdata, see shared/data/cohorts/README.md),
#         overall survival in months; grouping as maftools::mafSurvival(isTCGA = TRUE):
#         clinical barcodes cut to 12 characters, the cohort is the annotated samples present in
#         the MAF (maftools keeps clinical rows of MAF samples only), altered = any
#         non-synonymous MAF row (read.maf's default vc_nonSyn) for the gene, times that are NA,
#         infinite or negative removed. Genes mutated in >= 5 % of the cohort.
#         Adjusted model: + FAB M3 (APL) indicator.
#   synthetic: tests/r/synthetic_trial.tsv, 30 patients with tied times, a zero-event altered
#         group (PIK3CA), a group below min_altered (PTEN_loss), not-evaluable statuses (ERBB3)
#         and an all-responder group (ESR1 / orr). Adjusted model: + ecog + age.
# Rows whose Cox likelihood is monotone (a group without events) get no Cox values here: Python
# reports a Firth-penalized estimate for them, which R's survival package does not compute.

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg))) else "tests/r"
})
out_path <- if (length(args) >= 1) args[1] else file.path(script_dir, "reference_values.tsv")
data_dir <- if (length(args) >= 2) args[2] else
  Sys.getenv("HER2RESIST_SHARED_DATA", file.path(script_dir, "..", "..", "..", "shared", "data"))

MIN_ALTERED <- 3
LANDMARKS <- c(6, 12, 24)
NONSYN <- c("Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
            "Nonsense_Mutation", "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins",
            "Missense_Mutation")

rows <- list()
emit <- function(dataset, biomarker, endpoint, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    dataset = dataset, biomarker = biomarker, endpoint = endpoint, statistic = statistic,
    value = if (is.na(value)) "NA" else sprintf("%.17g", value), stringsAsFactors = FALSE)
}

# median and CI as print(fit) reports them (survmean: the first time each curve is <= 0.5);
# quantile(fit) can name a later time where the upper band is not monotone
median_ci <- function(time, event) {
  unname(summary(survfit(Surv(time, event) ~ 1))$table[c("median", "0.95LCL", "0.95UCL")])
}

survival_reference <- function(dataset, endpoint, d, biomarkers, covariates) {
  logrank_p <- c()
  for (b in biomarkers) {
    s <- d[d[[b]] %in% c("altered", "wild_type"), ]
    s$g <- as.integer(s[[b]] == "altered")
    n_alt <- sum(s$g == 1); n_wt <- sum(s$g == 0)
    ev_alt <- sum(s$event[s$g == 1]); ev_wt <- sum(s$event[s$g == 0])
    emit(dataset, b, endpoint, "n_altered", n_alt)
    emit(dataset, b, endpoint, "n_wild_type", n_wt)
    emit(dataset, b, endpoint, "n_not_evaluable", nrow(d) - nrow(s))
    emit(dataset, b, endpoint, "events_altered", ev_alt)
    emit(dataset, b, endpoint, "events_wild_type", ev_wt)
    for (grp in c("altered", "wild_type")) {
      sg <- s[s$g == as.integer(grp == "altered"), ]
      if (nrow(sg) == 0) next
      m <- median_ci(sg$time, sg$event)
      emit(dataset, b, endpoint, paste0("median_", grp), m[1])
      emit(dataset, b, endpoint, paste0("median_", grp, "_lcl"), m[2])
      emit(dataset, b, endpoint, paste0("median_", grp, "_ucl"), m[3])
    }
    if (n_alt < MIN_ALTERED || n_wt < MIN_ALTERED || ev_alt + ev_wt == 0) next
    sd <- survdiff(Surv(time, event) ~ g, data = s)
    p <- pchisq(sd$chisq, 1, lower.tail = FALSE)
    logrank_p[b] <- p
    emit(dataset, b, endpoint, "logrank_chi2", sd$chisq)
    emit(dataset, b, endpoint, "logrank_p", p)
    if (ev_alt == 0 || ev_wt == 0) next  # monotone likelihood: Firth in Python
    fit <- coxph(Surv(time, event) ~ g, data = s, ties = "efron")
    sm <- summary(fit)
    emit(dataset, b, endpoint, "hr", sm$conf.int["g", "exp(coef)"])
    emit(dataset, b, endpoint, "hr_lcl", sm$conf.int["g", "lower .95"])
    emit(dataset, b, endpoint, "hr_ucl", sm$conf.int["g", "upper .95"])
    emit(dataset, b, endpoint, "wald_p", sm$coefficients["g", "Pr(>|z|)"])
    emit(dataset, b, endpoint, "lr_p", sm$logtest["pvalue"])
    emit(dataset, b, endpoint, "ph_p", cox.zph(fit)$table["g", "p"])
    if (length(covariates)) {
      f_adj <- as.formula(paste("Surv(time, event) ~ g +", paste(covariates, collapse = " + ")))
      adj <- summary(coxph(f_adj, data = s, ties = "efron"))
      emit(dataset, b, endpoint, "hr_adjusted", adj$conf.int["g", "exp(coef)"])
      emit(dataset, b, endpoint, "hr_adjusted_lcl", adj$conf.int["g", "lower .95"])
      emit(dataset, b, endpoint, "hr_adjusted_ucl", adj$conf.int["g", "upper .95"])
      emit(dataset, b, endpoint, "adjusted_p", adj$coefficients["g", "Pr(>|z|)"])
    }
  }
  q <- p.adjust(logrank_p, method = "BH")
  for (b in names(q)) emit(dataset, b, endpoint, "q_value", q[b])
}

response_reference <- function(dataset, d, endpoints, biomarkers) {
  for (endpoint in endpoints) {
    fisher_p <- c()
    for (b in biomarkers) {
      s <- d[!is.na(d[[endpoint]]) & d[[b]] %in% c("altered", "wild_type"), ]
      y_alt <- s[[endpoint]][s[[b]] == "altered"]; y_wt <- s[[endpoint]][s[[b]] == "wild_type"]
      emit(dataset, b, endpoint, "n_altered", length(y_alt))
      emit(dataset, b, endpoint, "n_wild_type", length(y_wt))
      emit(dataset, b, endpoint, "responders_altered", sum(y_alt))
      emit(dataset, b, endpoint, "responders_wild_type", sum(y_wt))
      for (grp in c("altered", "wild_type")) {
        y <- if (grp == "altered") y_alt else y_wt
        if (length(y) == 0) next
        bt <- binom.test(sum(y), length(y))
        emit(dataset, b, endpoint, paste0("rate_", grp), unname(bt$estimate))
        emit(dataset, b, endpoint, paste0("rate_", grp, "_lcl"), bt$conf.int[1])
        emit(dataset, b, endpoint, paste0("rate_", grp, "_ucl"), bt$conf.int[2])
      }
      if (length(y_alt) < MIN_ALTERED || length(y_wt) < MIN_ALTERED) next
      tab <- matrix(c(sum(y_alt), sum(y_wt), sum(1 - y_alt), sum(1 - y_wt)), 2)
      ft <- fisher.test(tab)
      fisher_p[b] <- ft$p.value
      emit(dataset, b, endpoint, "fisher_p", ft$p.value)
      or <- unname(ft$estimate)
      # infinite / zero conditional MLE: Python blanks the estimate and keeps the finite bound
      if (is.finite(or) && or > 0) {
        emit(dataset, b, endpoint, "odds_ratio", or)
        emit(dataset, b, endpoint, "or_lcl", ft$conf.int[1])
        emit(dataset, b, endpoint, "or_ucl", ft$conf.int[2])
      } else if (is.infinite(or)) {
        emit(dataset, b, endpoint, "or_lcl", ft$conf.int[1])
      } else {
        emit(dataset, b, endpoint, "or_ucl", ft$conf.int[2])
      }
    }
    q <- p.adjust(fisher_p, method = "BH")
    for (b in names(q)) emit(dataset, b, endpoint, "q_value", q[b])
  }
}

efficacy_reference <- function(dataset, endpoint, time, event) {
  fit <- survfit(Surv(time, event) ~ 1)
  m <- median_ci(time, event)
  emit(dataset, "", endpoint, "median", m[1])
  emit(dataset, "", endpoint, "median_lcl", m[2])
  emit(dataset, "", endpoint, "median_ucl", m[3])
  sm <- summary(fit, times = LANDMARKS)
  for (i in seq_along(sm$time)) {
    lab <- paste0("rate_", sm$time[i], "m")
    emit(dataset, "", endpoint, lab, sm$surv[i])
    emit(dataset, "", endpoint, paste0(lab, "_lcl"), sm$lower[i])
    emit(dataset, "", endpoint, paste0(lab, "_ucl"), sm$upper[i])
  }
}

# ---- TCGA-LAML --------------------------------------------------------------------------------
cohort_dir <- file.path(data_dir, "cohorts", "maftools")
maf <- read.delim(gzfile(file.path(cohort_dir, "tcga_laml.maf.gz")), stringsAsFactors = FALSE,
                  quote = "", comment.char = "")
maf$Tumor_Sample_Barcode <- substr(maf$Tumor_Sample_Barcode, 1, 12)
clin <- read.delim(file.path(cohort_dir, "tcga_laml_annot.tsv"), stringsAsFactors = FALSE)
clin$Tumor_Sample_Barcode <- substr(clin$Tumor_Sample_Barcode, 1, 12)
clin <- clin[!duplicated(clin$Tumor_Sample_Barcode), ]
clin <- clin[clin$Tumor_Sample_Barcode %in% maf$Tumor_Sample_Barcode, ]
clin$time <- suppressWarnings(as.numeric(as.character(clin$days_to_last_followup))) / 30.4375
clin$event <- suppressWarnings(as.integer(clin$Overall_Survival_Status))
clin <- clin[is.finite(clin$time) & clin$time >= 0 & !is.na(clin$event), ]
clin$fab_m3 <- as.integer(clin$FAB_classification == "M3")
nonsyn <- maf[maf$Variant_Classification %in% NONSYN, ]
mutated <- tapply(nonsyn$Tumor_Sample_Barcode, nonsyn$Hugo_Symbol,
                  function(x) unique(x[x %in% clin$Tumor_Sample_Barcode]))
freq <- sapply(mutated, length) / nrow(clin)
genes <- sort(names(freq)[freq >= 0.05])
for (gene in genes) {
  clin[[gene]] <- ifelse(clin$Tumor_Sample_Barcode %in% mutated[[gene]], "altered", "wild_type")
}
emit("laml", "", "os", "cohort_size", nrow(clin))
survival_reference("laml", "os", clin, genes, c("fab_m3"))
efficacy_reference("laml", "os", clin$time, clin$event)

# ---- synthetic 30-patient trial ---------------------------------------------------------------
syn <- read.delim(file.path(script_dir, "synthetic_trial.tsv"), stringsAsFactors = FALSE)
markers <- c("ERBB2_amp", "PIK3CA", "PTEN_loss", "ERBB3", "ESR1")
pfs <- syn[!is.na(syn$pfs_months) & !is.na(syn$pfs_event), ]
pfs$time <- pfs$pfs_months; pfs$event <- pfs$pfs_event
survival_reference("synthetic", "pfs", pfs, markers, c("ecog", "age"))
efficacy_reference("synthetic", "pfs", pfs$time, pfs$event)
response_reference("synthetic", syn, c("orr", "cbr"), markers)
for (endpoint in c("orr", "cbr")) {
  y <- syn[[endpoint]][!is.na(syn[[endpoint]])]
  bt <- binom.test(sum(y), length(y))
  emit("synthetic", "", endpoint, "rate", unname(bt$estimate))
  emit("synthetic", "", endpoint, "rate_lcl", bt$conf.int[1])
  emit("synthetic", "", endpoint, "rate_ucl", bt$conf.int[2])
}

out <- do.call(rbind, rows)
write.table(out, out_path, sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("wrote %d reference values to %s (R %s, survival %s)\n", nrow(out), out_path,
            getRversion(), packageVersion("survival")))
