rule validate:
    input:
        sheet=config["samples"] or config["maf"],
        clinical=clinical_inputs(),
        study_warnings=study_files("warnings.tsv"),
    output:
        samples="results/validated/samples.tsv",
        clinical="results/validated/clinical.tsv",
        report="results/qc/input_report.tsv",
        excluded="results/validated/population_excluded.tsv",
        labels="results/validated/column_labels.tsv",
    log:
        "logs/validate.log",
    conda:
        "../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/validate.py"
