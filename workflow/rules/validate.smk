rule validate:
    input:
        sheet=config["samples"] or config["maf"],
        clinical=clinical_inputs(),
    output:
        samples="results/validated/samples.tsv",
        clinical="results/validated/clinical.tsv",
        report="results/qc/input_report.tsv",
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
