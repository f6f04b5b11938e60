if config["maf"]:

    rule variants_from_maf:
        input:
            maf=config["maf"],
            validated="results/validated/samples.tsv",
        output:
            variant_tables(),
        log:
            "logs/variants/from_maf.log",
        priority: 20  # on the chain to the association tables, as matrix
        conda:
            "../envs/variants.yaml"
        threads: 1
        resources:
            mem_mb=lambda wc, input, attempt: 2000 * attempt + 5 * int(input_mb(input)),
            runtime=lambda wc, attempt: 20 * attempt,
        params:
            samples=variant_samples(),
        script:
            "../scripts/variants_from_maf.py"

else:

    rule variants:
        input:
            calls=lambda wc: sample_value(wc.sample, "variant_file"),
            validated="results/validated/samples.tsv",
        output:
            "results/variants/{sample}.tsv",
        log:
            "logs/variants/{sample}.log",
        priority: 20  # on the chain to the association tables, as matrix
        conda:
            "../envs/variants.yaml"
        # bcftools and a second conversion thread take a free core when there is one; 1,
        # so that per-sample jobs run side by side (2 made the example 24 s slower)
        threads: 1
        resources:
            mem_mb=lambda wc, input, attempt: 1000 * attempt + int(input_mb(input)),
            runtime=lambda wc, input, attempt: 10 * attempt + int(input_mb(input) / 100),
        params:
            annotation=lambda wc: sample_value(wc.sample, "annotation", "auto"),
            tumor=lambda wc: sample_value(wc.sample, "tumor_sample"),
            normal=lambda wc: sample_value(wc.sample, "normal_sample"),
            regions=read_regions(),
        script:
            "../scripts/variants.py"

    if maf_samples():

        # a sample whose own file is a MAF (sheet column variant_format: maf)
        ruleorder: variants_from_sample_maf > variants

        rule variants_from_sample_maf:
            input:
                maf=lambda wc: sample_value(wc.sample, "variant_file"),
                validated="results/validated/samples.tsv",
            output:
                "results/variants/{sample}.tsv",
            log:
                "logs/variants/{sample}.log",
            wildcard_constraints:
                sample="|".join(re.escape(sample) for sample in maf_samples()),
            priority: 20
            conda:
                "../envs/variants.yaml"
            threads: 1
            resources:
                mem_mb=lambda wc, input, attempt: 2000 * attempt
                + 5 * int(input_mb(input)),
                runtime=lambda wc, attempt: 20 * attempt,
            params:
                samples=lambda wc: [wc.sample],
            script:
                "../scripts/variants_from_maf.py"
