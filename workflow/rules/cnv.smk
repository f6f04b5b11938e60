if config["cnv"]:

    rule cnv_from_gene_table:
        input:
            table=config["cnv"],
            validated="results/validated/samples.tsv",
        output:
            cnv_tables(),
        log:
            "logs/cnv/from_gene_table.log",
        priority: 20  # on the chain to the association tables, as matrix
        conda:
            "../envs/variants.yaml"
        threads: 1
        resources:
            mem_mb=lambda wc, input, attempt: 2000 * attempt + 5 * int(input_mb(input)),
            runtime=lambda wc, attempt: 20 * attempt,
        params:
            samples=cnv_samples(),
            thresholds=config["cnv_thresholds"],
        script:
            "../scripts/cnv_from_gene_table.py"

else:

    rule cnv:
        input:
            segments=lambda wc: sample_value(wc.sample, "cnv_file"),
            validated="results/validated/samples.tsv",
        output:
            "results/cnv/{sample}.tsv",
        log:
            "logs/cnv/{sample}.log",
        priority: 20  # on the chain to the association tables, as matrix
        conda:
            "../envs/variants.yaml"
        threads: 1
        resources:
            mem_mb=lambda wc, input, attempt: 1000 * attempt + int(input_mb(input)),
            runtime=lambda wc, attempt: 10 * attempt,
        params:
            fmt=lambda wc: sample_value(wc.sample, "cnv_format", "cnvkit_cns"),
            purity=lambda wc: sample_value(wc.sample, "purity"),
            thresholds=config["cnv_thresholds"],
            gene_coordinates=config["gene_coordinates"],
        script:
            "../scripts/cnv.py"
