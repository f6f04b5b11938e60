# Longitudinal ctDNA (her2resist.longitudinal): baseline vs progression, tissue-plasma
# concordance, baseline ctDNA features for the PFS analysis (tumour fraction per sample:
# the annotate job, from the calls it has just written).
# The longitudinal outputs are made only for a study with plasma or a second timepoint.
LONGITUDINAL_OUTPUTS = [
    "results/longitudinal/acquired.tsv",
    "results/longitudinal/table_longitudinal_changes.tsv",
    "results/longitudinal/concordance.tsv",
    "results/longitudinal/vaf_trajectories.png",
    "results/longitudinal/vaf_trajectories.pdf",
    "results/longitudinal/acquired_oncoprint.png",
    "results/longitudinal/acquired_oncoprint.pdf",
]
if not (STUDY.plasma or STUDY.second_timepoint):
    LONGITUDINAL_OUTPUTS = []
LONGITUDINAL_OUTPUTS += [
    "results/annotated/tumour_fraction.tsv",
    "results/longitudinal/ctdna_features.tsv",
    "results/longitudinal/ctdna_feature_values.tsv",
]


rule ctdna_features:
    input:
        samples="results/validated/samples.tsv",
        clinical="results/validated/clinical.tsv",
        alterations="results/annotated/alterations.tsv",
        tumour_fraction="results/annotated/tumour_fraction.tsv",
        variants=variant_tables(),
    output:
        features="results/longitudinal/ctdna_features.tsv",
        feature_values="results/longitudinal/ctdna_feature_values.tsv",
    log:
        "logs/ctdna_features.log",
    priority: 20  # on the chain to the association tables, as matrix
    conda:
        "../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/longitudinal.py"


rule longitudinal:
    input:
        samples="results/validated/samples.tsv",
        alterations="results/annotated/alterations.tsv",
        tumour_fraction="results/annotated/tumour_fraction.tsv",
        hotspots=config["hotspots"],
    output:
        acquired="results/longitudinal/acquired.tsv",
        table="results/longitudinal/table_longitudinal_changes.tsv",
        concordance="results/longitudinal/concordance.tsv",
        trajectories_png="results/longitudinal/vaf_trajectories.png",
        trajectories_pdf="results/longitudinal/vaf_trajectories.pdf",
        oncoprint_png="results/longitudinal/acquired_oncoprint.png",
        oncoprint_pdf="results/longitudinal/acquired_oncoprint.pdf",
    log:
        "logs/longitudinal.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/longitudinal.py"
