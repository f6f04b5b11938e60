rule clinical:
    input:
        clinical="results/validated/clinical.tsv",
        sources=clinical_inputs(),
    output:
        endpoints="results/clinical/endpoints.tsv",
        adverse_events="results/clinical/adverse_events.tsv",
    log:
        "logs/clinical.log",
    conda:
        "../envs/stats.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        adverse_events=config["adverse_events"] or "",
    script:
        "../scripts/clinical.py"
