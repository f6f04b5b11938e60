rule associate:
    input:
        endpoints="results/clinical/endpoints.tsv",
        genes="results/matrix/gene_by_patient.tsv",
        pathways="results/matrix/pathway_by_patient.tsv",
        clinical="results/validated/clinical.tsv",
        ctdna_features="results/longitudinal/ctdna_features.tsv",
    output:
        pfs=report(
            "results/stats/pfs_associations.tsv",
            caption="../report/survival_associations.rst",
            category="Associations",
        ),
        os=report(
            "results/stats/os_associations.tsv",
            caption="../report/survival_associations.rst",
            category="Associations",
        ),
        response=report(
            "results/stats/response_associations.tsv",
            caption="../report/response_associations.rst",
            category="Associations",
        ),
        efficacy="results/stats/efficacy.tsv",
        # Table 4b: hazard ratios each test could detect, from the tables above
        detectable="results/stats/detectable_effects.tsv",
    log:
        "logs/associate.log",
    priority: 20  # on the chain to the tables, as matrix
    conda:
        "../envs/stats.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        # endpoints the study measured; the others get tables without rows
        measured=list(STUDY.measured),
    script:
        "../scripts/associate.py"


rule exploratory_models:
    input:
        endpoints="results/clinical/endpoints.tsv",
        genes="results/matrix/gene_by_patient.tsv",
        pathways="results/matrix/pathway_by_patient.tsv",
    output:
        report(
            "results/stats/exploratory_models.tsv",
            caption="../report/exploratory_models.rst",
            category="Associations",
        ),
    log:
        "logs/exploratory_models.log",
    conda:
        "../envs/stats.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        settings=config["exploratory"],
    script:
        "../scripts/exploratory_models.py"
