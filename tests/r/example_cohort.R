#!/usr/bin/env Rscript
# Reference values for the associate stage on the bundled EXAMPLE cohort, computed with R's
# survival package, fisher.test and binom.test from the workflow's own intermediate outputs.
#
# Usage: Rscript tests/r/example_cohort.R [output.tsv] [input dir]
#   default input:  tests/r/example/ (committed copies of the example run's
#                   results/clinical/endpoints.tsv, results/matrix/{gene,pathway}_by_patient.tsv
#                   baseline rows, and ecog / visceral_disease from results/validated/clinical.tsv)
#   default output: tests/r/example_reference_values.tsv (committed)
#
# Mirrors run/associate.run_associate with config/config.yaml: biomarkers = configured genes, pathways
# (as "pathway:<name>") and "pathways_altered>=2" (n_altered_pathways >= 2) at baseline; a patient
# missing from the matrix is not evaluable; min_altered = 3; covariates ecog (numeric) +
# visceral_disease (factor: dummy for each non-reference level, as pandas get_dummies
# drop_first); survival endpoints pfs, os; response endpoints orr, cbr; efficacy: pfs/os medians
# and 6/12/24-month rates, ORR/CBR/DCR rates.
# Rows whose Cox likelihood is monotone get no Cox values (Python reports Firth there); an
# adjusted model that does not converge to a finite estimate is likewise left out. A covariate
# constant among the analysed patients is dropped, as Python does.

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg))) else "tests/r"
})
out_path <- if (length(args) >= 1) args[1] else
  file.path(script_dir, "example_reference_values.tsv")
in_dir <- if (length(args) >= 2) args[2] else file.path(script_dir, "example")

MIN_ALTERED <- 3
LANDMARKS <- c(6, 12, 24)
GENES <- c("ERBB2", "ERBB3", "PIK3CA", "PTEN", "AKT1", "TP53", "CCNE1", "FGFR1")
PATHWAYS <- c("HER2", "HER3", "PI3K_AKT_MTOR", "bypass", "cell_cycle")
DATASET <- "example"

rows <- list()
emit <- function(biomarker, endpoint, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    dataset = DATASET, biomarker = biomarker, endpoint = endpoint, statistic = statistic,
    value = if (is.na(value)) "NA" else sprintf("%.17g", value), stringsAsFactors = FALSE)
}
read_tsv <- function(name) {
  read.delim(file.path(in_dir, name), stringsAsFactors = FALSE, check.names = FALSE,
             colClasses = c(patient_id = "character"))
}

endpoints <- read_tsv("endpoints.tsv")
genes <- read_tsv("gene_by_patient.tsv")
pathways <- read_tsv("pathway_by_patient.tsv")
clinical <- read_tsv("covariates.tsv")
genes <- genes[genes$timepoint == "baseline", ]
pathways <- pathways[pathways$timepoint == "baseline", ]

# ---- biomarker status per patient of endpoints.tsv (matrix.biomarker_status) ----------------
status <- data.frame(patient_id = endpoints$patient_id, stringsAsFactors = FALSE)
pick <- function(table, column) {
  v <- table[[column]][match(status$patient_id, table$patient_id)]
  ifelse(is.na(v) | v == "", "not_evaluable", v)
}
markers <- c()
for (g in GENES) if (g %in% names(genes)) {
  status[[g]] <- pick(genes, g); markers <- c(markers, g)
}
for (p in PATHWAYS) if (p %in% names(pathways)) {
  name <- paste0("pathway:", p)
  status[[name]] <- pick(pathways, p); markers <- c(markers, name)
}
count <- pathways$n_altered_pathways[match(status$patient_id, pathways$patient_id)]
status[["pathways_altered>=2"]] <- ifelse(is.na(count), "not_evaluable",
                                          ifelse(count >= 2, "altered", "wild_type"))
markers <- c(markers, "pathways_altered>=2")
d <- merge(endpoints, status, by = "patient_id", sort = FALSE)

# ---- covariates (clinical/covariates.covariate_frame): ecog numeric, visceral_disease dummies
cov <- clinical[match(d$patient_id, clinical$patient_id), ]
d$ecog <- suppressWarnings(as.numeric(cov$ecog))
vis <- factor(cov$visceral_disease)
covariates <- c("ecog")
for (lev in levels(vis)[-1]) {
  name <- paste0("visceral_disease_", lev)
  d[[name]] <- ifelse(is.na(vis), NA, as.numeric(vis == lev))
  covariates <- c(covariates, name)
}

# median and CI as print(fit) reports them (survmean: the first time each curve is <= 0.5);
# quantile(fit) can name a later time where the upper band is not monotone
median_ci <- function(time, event) {
  unname(summary(survfit(Surv(time, event) ~ 1))$table[c("median", "0.95LCL", "0.95UCL")])
}

survival_reference <- function(endpoint, d) {
  d$time <- d[[paste0(endpoint, "_months")]]
  d$event <- d[[paste0(endpoint, "_event")]]
  d <- d[is.finite(d$time) & d$time >= 0 & d$event %in% c(0, 1), ]
  logrank_p <- c()
  for (b in markers) {
    s <- d[d[[b]] %in% c("altered", "wild_type"), ]
    s$g <- as.integer(s[[b]] == "altered")
    n_alt <- sum(s$g == 1); n_wt <- sum(s$g == 0)
    ev_alt <- sum(s$event[s$g == 1]); ev_wt <- sum(s$event[s$g == 0])
    emit(b, endpoint, "n_altered", n_alt)
    emit(b, endpoint, "n_wild_type", n_wt)
    emit(b, endpoint, "n_not_evaluable", nrow(d) - nrow(s))
    emit(b, endpoint, "events_altered", ev_alt)
    emit(b, endpoint, "events_wild_type", ev_wt)
    for (grp in c("altered", "wild_type")) {
      sg <- s[s$g == as.integer(grp == "altered"), ]
      if (nrow(sg) == 0) next
      m <- median_ci(sg$time, sg$event)
      emit(b, endpoint, paste0("median_", grp), m[1])
      emit(b, endpoint, paste0("median_", grp, "_lcl"), m[2])
      emit(b, endpoint, paste0("median_", grp, "_ucl"), m[3])
    }
    if (n_alt < MIN_ALTERED || n_wt < MIN_ALTERED || ev_alt + ev_wt == 0) next
    sd <- survdiff(Surv(time, event) ~ g, data = s)
    p <- pchisq(sd$chisq, 1, lower.tail = FALSE)
    logrank_p[b] <- p
    emit(b, endpoint, "logrank_chi2", sd$chisq)
    emit(b, endpoint, "logrank_p", p)
    # monotone likelihood (no wild-type death with an altered patient at risk, or the mirror):
    # Firth in Python, nothing comparable in survival
    fit <- suppressWarnings(coxph(Surv(time, event) ~ g, data = s, ties = "efron"))
    if (ev_alt == 0 || ev_wt == 0 || abs(coef(fit)) >= 18) next
    sm <- summary(fit)
    emit(b, endpoint, "hr", sm$conf.int["g", "exp(coef)"])
    emit(b, endpoint, "hr_lcl", sm$conf.int["g", "lower .95"])
    emit(b, endpoint, "hr_ucl", sm$conf.int["g", "upper .95"])
    emit(b, endpoint, "wald_p", sm$coefficients["g", "Pr(>|z|)"])
    emit(b, endpoint, "lr_p", sm$logtest["pvalue"])
    emit(b, endpoint, "ph_p", cox.zph(fit)$table["g", "p"])
    cc <- s[complete.cases(s[, covariates, drop = FALSE]), ]
    usable <- covariates[sapply(covariates, function(v) length(unique(cc[[v]])) > 1)]
    f_adj <- as.formula(paste("Surv(time, event) ~", paste(c("g", usable), collapse = " + ")))
    adj_fit <- suppressWarnings(coxph(f_adj, data = cc, ties = "efron"))
    if (all(is.finite(coef(adj_fit))) && all(abs(coef(adj_fit)) < 18) &&
        adj_fit$iter < coxph.control()$iter.max) {
      adj <- summary(adj_fit)
      emit(b, endpoint, "hr_adjusted", adj$conf.int["g", "exp(coef)"])
      emit(b, endpoint, "hr_adjusted_lcl", adj$conf.int["g", "lower .95"])
      emit(b, endpoint, "hr_adjusted_ucl", adj$conf.int["g", "upper .95"])
      emit(b, endpoint, "adjusted_p", adj$coefficients["g", "Pr(>|z|)"])
    }
  }
  q <- p.adjust(logrank_p, method = "BH")
  for (b in names(q)) emit(b, endpoint, "q_value", q[b])
}

response_reference <- function(d, endpoints) {
  for (endpoint in endpoints) {
    fisher_p <- c()
    for (b in markers) {
      s <- d[!is.na(d[[endpoint]]) & d[[b]] %in% c("altered", "wild_type"), ]
      y_alt <- s[[endpoint]][s[[b]] == "altered"]; y_wt <- s[[endpoint]][s[[b]] == "wild_type"]
      emit(b, endpoint, "n_altered", length(y_alt))
      emit(b, endpoint, "n_wild_type", length(y_wt))
      emit(b, endpoint, "responders_altered", sum(y_alt))
      emit(b, endpoint, "responders_wild_type", sum(y_wt))
      for (grp in c("altered", "wild_type")) {
        y <- if (grp == "altered") y_alt else y_wt
        if (length(y) == 0) next
        bt <- binom.test(sum(y), length(y))
        emit(b, endpoint, paste0("rate_", grp), unname(bt$estimate))
        emit(b, endpoint, paste0("rate_", grp, "_lcl"), bt$conf.int[1])
        emit(b, endpoint, paste0("rate_", grp, "_ucl"), bt$conf.int[2])
      }
      if (length(y_alt) < MIN_ALTERED || length(y_wt) < MIN_ALTERED) next
      tab <- matrix(c(sum(y_alt), sum(y_wt), sum(1 - y_alt), sum(1 - y_wt)), 2)
      ft <- fisher.test(tab)
      fisher_p[b] <- ft$p.value
      emit(b, endpoint, "fisher_p", ft$p.value)
      or <- unname(ft$estimate)
      if (is.na(or)) next  # everyone or no one responded: no odds ratio
      if (is.finite(or) && or > 0) {
        emit(b, endpoint, "odds_ratio", or)
        emit(b, endpoint, "or_lcl", ft$conf.int[1])
        emit(b, endpoint, "or_ucl", ft$conf.int[2])
      } else if (is.infinite(or)) {
        emit(b, endpoint, "or_lcl", ft$conf.int[1])
      } else {
        emit(b, endpoint, "or_ucl", ft$conf.int[2])
      }
    }
    q <- p.adjust(fisher_p, method = "BH")
    for (b in names(q)) emit(b, endpoint, "q_value", q[b])
  }
}

efficacy_reference <- function(endpoint, d) {
  time <- d[[paste0(endpoint, "_months")]]
  event <- d[[paste0(endpoint, "_event")]]
  keep <- is.finite(time) & time >= 0 & !is.na(event)
  time <- time[keep]; event <- event[keep]
  fit <- survfit(Surv(time, event) ~ 1)
  m <- median_ci(time, event)
  emit("", endpoint, "median", m[1])
  emit("", endpoint, "median_lcl", m[2])
  emit("", endpoint, "median_ucl", m[3])
  emit("", endpoint, "median_n", length(time))
  emit("", endpoint, "median_events", sum(event))
  sm <- summary(fit, times = LANDMARKS)
  for (i in seq_along(sm$time)) {
    lab <- paste0("rate_", sm$time[i], "m")
    emit("", endpoint, lab, sm$surv[i])
    emit("", endpoint, paste0(lab, "_lcl"), sm$lower[i])
    emit("", endpoint, paste0(lab, "_ucl"), sm$upper[i])
  }
}

for (endpoint in c("pfs", "os")) survival_reference(endpoint, d)
response_reference(d, c("orr", "cbr"))
for (endpoint in c("pfs", "os")) efficacy_reference(endpoint, d)
for (endpoint in c("orr", "cbr", "dcr")) {
  y <- d[[endpoint]][!is.na(d[[endpoint]])]
  bt <- binom.test(sum(y), length(y))
  emit("", endpoint, "rate", unname(bt$estimate))
  emit("", endpoint, "rate_lcl", bt$conf.int[1])
  emit("", endpoint, "rate_ucl", bt$conf.int[2])
  emit("", endpoint, "rate_n", length(y))
  emit("", endpoint, "rate_events", sum(y))
}

out <- do.call(rbind, rows)
write.table(out, out_path, sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("wrote %d reference values to %s (R %s, survival %s)\n", nrow(out), out_path,
            getRversion(), packageVersion("survival")))
