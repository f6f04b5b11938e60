rule annotate:
    input:
        samples="results/validated/samples.tsv",
        variants=expand("results/variants/{sample}.tsv", sample=variant_samples()),
        cnv=expand("results/cnv/{sample}.tsv", sample=cnv_samples()),
        sv=sv_files(),
        pathways=config["pathways"],
        hotspots=config["hotspots"],
        evidence=config["civic_evidence"],
    output:
        report(
            "results/annotated/alterations.tsv",
            caption="../report/alterations.rst",
            category="Alterations",
        ),
    log:
        "logs/annotate.log",
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
