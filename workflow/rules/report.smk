REPORT_TABLES = [
    "table1_baseline_characteristics",
    "table2_disposition",
    "table3_efficacy",
    "table4_biomarker_associations",
    "table5_adverse_events",
    "tableS1_alterations_by_patient",
    "disposition_by_patient_and_sample",
]
REPORT_OUTPUTS = expand("results/tables/{table}.tsv", table=REPORT_TABLES)


rule report_tables:
    input:
        clinical="results/validated/clinical.tsv",
        samples="results/validated/samples.tsv",
        endpoints="results/clinical/endpoints.tsv",
        adverse_events="results/clinical/adverse_events.tsv",
        alterations="results/annotated/alterations.tsv",
        gene_matrix="results/matrix/gene_by_patient.tsv",
        pathway_matrix="results/matrix/pathway_by_patient.tsv",
        pfs_associations="results/stats/pfs_associations.tsv",
        os_associations="results/stats/os_associations.tsv",
        response_associations="results/stats/response_associations.tsv",
        efficacy="results/stats/efficacy.tsv",
    output:
        tables=report(
            expand("results/tables/{table}.tsv", table=REPORT_TABLES),
            caption="../report/tables.rst",
            category="Manuscript tables",
        ),
    log:
        "logs/report_tables.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/report_tables.py"
