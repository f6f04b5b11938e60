rule matrix:
    input:
        samples="results/validated/samples.tsv",
        clinical="results/validated/clinical.tsv",
        alterations="results/annotated/alterations.tsv",
        tumour_fraction="results/annotated/tumour_fraction.tsv",
        cnv=cnv_tables(),
        panels=panel_files(),
    output:
        genes=report(
            "results/matrix/gene_by_patient.tsv",
            caption="../report/matrix.rst",
            category="Alterations",
        ),
        pathways=report(
            "results/matrix/pathway_by_patient.tsv",
            caption="../report/matrix.rst",
            category="Alterations",
        ),
        members="results/matrix/pathway_members.tsv",
        evaluability="results/matrix/sample_evaluability.tsv",
    log:
        "logs/matrix.log",
    # the chain to the association tables (matrix, ctdna_features, associate) goes first
    priority: 20
    conda:
        "../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        min_for_mutations=config["tumour_fraction"]["min_for_mutations"],
    script:
        "../scripts/matrix.py"
