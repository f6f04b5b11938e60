#!/usr/bin/env Rscript
# Reference values for her2resist.clinical.subgroups (subgroup table, median follow-up by
# reverse Kaplan-Meier, Schoenfeld detectable hazard ratio), computed with R's survival package
# and binom.test on the table the Python test writes.
#
# Usage: Rscript tests/r/trial_tables.R input.tsv output.tsv subgroup_column...
#   input.tsv: time, event (1 = event), orr (0/1, may be NA) and the subgroup columns.
# Output: long TSV subgroup, level, statistic, value.

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
data <- read.delim(args[1], stringsAsFactors = FALSE, na.strings = c("NA", ""))
subgroups <- args[-(1:2)]
rows <- list()
emit <- function(subgroup, level, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(subgroup = subgroup, level = level,
                                          statistic = statistic, value = unname(value))
}
median_ci <- function(fit) {
  table <- summary(fit)$table
  c(table[["median"]], table[["0.95LCL"]], table[["0.95UCL"]])
}

usable <- !is.na(data$time) & !is.na(data$event)
# Median follow-up: reverse Kaplan-Meier (censorings are the events).
follow <- median_ci(survfit(Surv(time, 1 - event) ~ 1, data = data[usable, ]))
emit("follow_up", "all", "median", follow[1])
emit("follow_up", "all", "lcl", follow[2])
emit("follow_up", "all", "ucl", follow[3])

for (column in subgroups) {
  levels <- ifelse(is.na(data[[column]]), "missing", as.character(data[[column]]))
  for (level in sort(unique(levels))) {
    inside <- levels == level
    responders <- sum(data$orr[inside] == 1, na.rm = TRUE)
    ci <- binom.test(responders, sum(inside))$conf.int
    emit(column, level, "orr_lcl", ci[1])
    emit(column, level, "orr_ucl", ci[2])
    pfs <- median_ci(survfit(Surv(time, event) ~ 1, data = data[inside & usable, ]))
    emit(column, level, "pfs_median", pfs[1])
    emit(column, level, "pfs_median_lcl", pfs[2])
    emit(column, level, "pfs_median_ucl", pfs[3])
    # a hazard ratio only for levels of at least 3 patients (as her2resist's min_patients)
    if (sum(inside & usable) >= 3 && sum(data$event[inside & usable]) > 0 &&
        sum(data$event[!inside & usable]) > 0) {
      data$x <- as.numeric(inside)
      fit <- coxph(Surv(time, event) ~ x, data = data[usable, ], ties = "efron")
      s <- summary(fit)
      emit(column, level, "hr_vs_rest", s$conf.int[1, "exp(coef)"])
      emit(column, level, "hr_lcl", s$conf.int[1, "lower .95"])
      emit(column, level, "hr_ucl", s$conf.int[1, "upper .95"])
      emit(column, level, "hr_p", s$coefficients[1, "Pr(>|z|)"])
    }
  }
}

# Schoenfeld: detectable HR with 80 % power, two-sided 0.05, for the events and 30 % prevalence.
emit("detectable", "p0.3", "detectable_hr",
     exp((qnorm(0.975) + qnorm(0.8)) / sqrt(sum(data$event[usable]) * 0.3 * 0.7)))

write.table(do.call(rbind, rows), args[2], sep = "\t", quote = FALSE, row.names = FALSE)
