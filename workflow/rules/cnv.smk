rule cnv:
    input:
        segments=lambda wc: sample_value(wc.sample, "cnv_file"),
        validated="results/validated/samples.tsv",
    output:
        "results/cnv/{sample}.tsv",
    log:
        "logs/cnv/{sample}.log",
    conda:
        "../envs/variants.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, input, attempt: 1000 * attempt + int(input.size_mb),
        runtime=lambda wc, attempt: 10 * attempt,
    params:
        fmt=lambda wc: sample_value(wc.sample, "cnv_format", "cnvkit_cns"),
        purity=lambda wc: sample_value(wc.sample, "purity"),
        thresholds=config["cnv_thresholds"],
        gene_coordinates=config["gene_coordinates"],
    script:
        "../scripts/cnv.py"
