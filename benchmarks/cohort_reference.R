#!/usr/bin/env Rscript
# Reference for the `cohort` benchmark: what an R user does with the same cBioPortal study.
# From the study's MAF and discrete CNA matrix, per patient and biomarker (genes, pathways,
# >= 2 altered pathways): altered when a sample has a non-synonymous mutation (maftools'
# and cBioPortal's classes) or a CNA of a kind listed for the gene (2 = amplification,
# -2 = deep deletion); then for OS: survfit (KM medians), survdiff (log-rank), coxph (Efron),
# cox.zph (PH test), p.adjust (BH); figures: an oncoprint (ComplexHeatmap::oncoPrint) of the
# altered genes, and Kaplan-Meier curves with risk tables (survminer::ggsurvplot) for all
# patients and for each biomarker with log-rank p < 0.1 (the workflow's report.km_threshold).
# Usage: Rscript benchmarks/cohort_reference.R WORKDIR KINDS.tsv OUT_DIR
suppressPackageStartupMessages({
  library(survival)
  library(ComplexHeatmap)
  library(survminer)
})
pdf(NULL) # no Rplots.pdf from the plotting packages
args <- commandArgs(trailingOnly = TRUE)
work <- args[1]
kinds <- read.delim(args[2], stringsAsFactors = FALSE) # gene, pathway, biomarker, kinds
out <- args[3]
dir.create(out, showWarnings = FALSE, recursive = TRUE)

nonsyn <- c("Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
            "Nonsense_Mutation", "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins",
            "Missense_Mutation")
samples <- read.delim(file.path(work, "samples.tsv"), stringsAsFactors = FALSE)
clinical <- read.delim(file.path(work, "clinical.tsv"), stringsAsFactors = FALSE)
maf <- read.delim(file.path(work, "study", "data_mutations.txt"), comment.char = "#",
                  stringsAsFactors = FALSE, quote = "")
cna <- read.delim(file.path(work, "study", "data_cna.txt"), check.names = FALSE,
                  stringsAsFactors = FALSE)

genes <- unique(kinds$gene)
patients <- clinical$patient_id
patient_of <- setNames(samples$patient_id, samples$sample_id)
altered <- matrix(FALSE, nrow = length(genes), ncol = length(patients),
                  dimnames = list(genes, patients))
kind_of <- matrix("", nrow = length(genes), ncol = length(patients),
                  dimnames = list(genes, patients))
mark <- function(gene, patient, kind) {
  altered[cbind(gene, patient)] <<- TRUE
  old <- kind_of[cbind(gene, patient)]
  kind_of[cbind(gene, patient)] <<- ifelse(old == "", kind, paste(old, kind, sep = ";"))
}
listed <- function(kind) unique(kinds$gene[grepl(kind, kinds$kinds)])

m <- maf[maf$Variant_Classification %in% nonsyn & maf$Hugo_Symbol %in% listed("mutation"), ]
m <- unique(data.frame(gene = m$Hugo_Symbol, patient = patient_of[m$Tumor_Sample_Barcode]))
m <- m[!is.na(m$patient), ]
mark(m$gene, m$patient, "MUT")
cn <- as.matrix(cna[, -1, drop = FALSE])
rownames(cn) <- cna$Hugo_Symbol
for (spec in list(c("amplification", "2", "AMP"), c("deep_deletion", "-2", "HOMDEL"))) {
  g <- intersect(listed(spec[1]), rownames(cn))
  hit <- which(cn[g, , drop = FALSE] == as.integer(spec[2]), arr.ind = TRUE)
  if (nrow(hit)) {
    d <- unique(data.frame(gene = g[hit[, 1]], patient = patient_of[colnames(cn)[hit[, 2]]]))
    mark(d$gene, d$patient, spec[3])
  }
}

# biomarkers: configured genes, pathways (any listed member altered), >= 2 altered pathways
status <- list()
for (b in unique(kinds$biomarker[kinds$pathway == ""])) status[[b]] <- altered[b, ]
pathways <- unique(kinds$pathway[kinds$pathway != ""])
for (p in pathways) {
  members <- intersect(kinds$gene[kinds$pathway == p], genes)
  status[[paste0("pathway:", p)]] <- colSums(altered[members, , drop = FALSE]) > 0
}
n_pathways <- Reduce(`+`, status[paste0("pathway:", pathways)])
status[["pathways_altered>=2"]] <- n_pathways >= 2

d <- data.frame(time = clinical$os_months, event = clinical$os_event)
rows <- list()
for (b in names(status)) {
  d$g <- as.integer(status[[b]])
  n_alt <- sum(d$g)
  row <- data.frame(biomarker = b, n_altered = n_alt, hr = NA, logrank_chi2 = NA,
                    logrank_p = NA, median_altered = NA, median_wild_type = NA, ph_p = NA)
  if (n_alt >= 3 && n_alt < nrow(d)) {
    km <- summary(survfit(Surv(time, event) ~ g, data = d))$table
    row$median_altered <- km["g=1", "median"]
    row$median_wild_type <- km["g=0", "median"]
    row$logrank_chi2 <- survdiff(Surv(time, event) ~ g, data = d)$chisq
    row$logrank_p <- pchisq(row$logrank_chi2, df = 1, lower.tail = FALSE)
    fit <- coxph(Surv(time, event) ~ g, data = d, ties = "efron")
    row$hr <- exp(unname(coef(fit)["g"]))
    row$ph_p <- cox.zph(fit)$table["g", "p"]
  }
  rows[[b]] <- row
}
res <- do.call(rbind, rows)
res$q_value <- p.adjust(res$logrank_p, method = "BH")
fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
for (col in setdiff(names(res), c("biomarker", "n_altered"))) res[[col]] <- fmt(res[[col]])
write.table(res, file.path(out, "os_associations_r.tsv"), sep = "\t", quote = FALSE,
            row.names = FALSE)

# oncoprint of the genes altered in anyone
shown <- kind_of[rowSums(altered) > 0, , drop = FALSE]
colours <- c(MUT = "#009E73", AMP = "#D55E00", HOMDEL = "#0072B2")
alter_fun <- list(
  background = function(x, y, w, h) grid.rect(x, y, w, h, gp = gpar(fill = "#E8E8E8", col = NA)),
  AMP = function(x, y, w, h) grid.rect(x, y, w, h, gp = gpar(fill = colours["AMP"], col = NA)),
  HOMDEL = function(x, y, w, h) grid.rect(x, y, w, h, gp = gpar(fill = colours["HOMDEL"], col = NA)),
  MUT = function(x, y, w, h) grid.rect(x, y, w, h * 0.4, gp = gpar(fill = colours["MUT"], col = NA))
)
draw_oncoprint <- function() {
  draw(oncoPrint(shown, alter_fun = alter_fun, col = colours, show_column_names = FALSE,
                 top_annotation = HeatmapAnnotation(
                   OS = anno_barplot(clinical$os_months, gp = gpar(fill = "#333333", col = NA))
                 )))
}
png(file.path(out, "oncoprint.png"), width = 180, height = 100, units = "mm", res = 300)
draw_oncoprint()
invisible(dev.off())
pdf(file.path(out, "oncoprint.pdf"), width = 180 / 25.4, height = 100 / 25.4)
draw_oncoprint()
invisible(dev.off())

# Kaplan-Meier curves with risk tables
save_km <- function(fit, data, name) {
  plot <- ggsurvplot(fit, data = data, risk.table = TRUE, censor.shape = "|",
                     xlab = "Months since diagnosis", ylab = "Overall survival probability")
  png(file.path(out, paste0(name, ".png")), width = 85, height = 110, units = "mm", res = 300)
  print(plot)
  invisible(dev.off())
  pdf(file.path(out, paste0(name, ".pdf")), width = 85 / 25.4, height = 110 / 25.4)
  print(plot)
  invisible(dev.off())
}
save_km(survfit(Surv(time, event) ~ 1, data = d), d, "km_os_trial")
p <- suppressWarnings(as.numeric(res$logrank_p))
for (b in res$biomarker[!is.na(p) & p < 0.1]) {
  d$group <- factor(ifelse(status[[b]], "Altered", "Wild type"), c("Wild type", "Altered"))
  fit <- surv_fit(Surv(time, event) ~ group, data = d)
  save_km(fit, d, paste0("km_os_", gsub("[^A-Za-z0-9]", "_", b)))
}
