rule annotate:
    input:
        samples="results/validated/samples.tsv",
        variants=variant_tables(),
        cnv=cnv_tables(),
        sv=sv_files(),
        pathways=config["pathways"],
        hotspots=config["hotspots"],
        evidence=config["civic_evidence"],
    output:
        alterations=report(
            "results/annotated/alterations.tsv",
            caption="../report/alterations.rst",
            category="Alterations",
        ),
        tumour_fraction="results/annotated/tumour_fraction.tsv",
    log:
        "logs/annotate.log",
    priority: 20  # on the chain to the association tables, as matrix
    conda:
        "../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        filters=config["filters"],
        altered_if=config["biomarkers"]["altered_if"],
        oncogenicity_source=config["annotate"]["oncogenicity_source"],
    script:
        "../scripts/annotate.py"
