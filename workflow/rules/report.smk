from her2resist.report.outputs import (  # noqa: E402
    MANUSCRIPT,
    has_waterfall,
    provenance_inputs,
    table_files,
)

REPORT_TABLES = {
    # table: category in the HTML report (captions: workflow/report/<table>.rst)
    "table1_baseline_characteristics": "Baseline",
    "table2_disposition": "Disposition",
    "table3_efficacy": "Efficacy",
    "table3b_subgroups": "Efficacy",
    "table4_biomarker_associations": "Associations",
    "table4b_detectable_effects": "Associations",
    "table5_adverse_events": "Safety",
    "tableS1_alterations_by_patient": "Alterations",
    "disposition_by_patient_and_sample": "Disposition",
    "tableS3_biomarker_associations": "Associations",
    "tableS4_response_associations": "Associations",
}
# Patient-level listings are separate, clearly named files; report.patient_listing: false
# leaves them out (aggregate tables carry no patient-level rows).
PATIENT_LEVEL_TABLES = [
    "tableS1_alterations_by_patient",
    "disposition_by_patient_and_sample",
]
if not config["report"]["patient_listing"]:
    for table in PATIENT_LEVEL_TABLES:
        REPORT_TABLES.pop(table)
if not STUDY.adverse_events:
    REPORT_TABLES.pop("table5_adverse_events")
if not (STUDY.pfs or STUDY.response):  # subgroups: ORR and PFS by level (trial_tables)
    REPORT_TABLES.pop("table3b_subgroups")
if not STUDY.response:
    REPORT_TABLES.pop("tableS4_response_associations")
# Figures follow the data (STUDY, common.smk): no PFS curve without PFS, no swimmer
# without PFS and response, no forest without a survival endpoint.
# figure: (caption in workflow/report/, category in the HTML report)
FIGURES = {
    f"km_{endpoint}_trial": ("km_trial", "Efficacy")
    for endpoint in STUDY.survival_endpoints
}
if STUDY.survival_endpoints:
    FIGURES["forest"] = ("forest", "Associations")
FIGURES["oncoprint"] = ("oncoprint", "Alterations")
if STUDY.pfs and STUDY.response:
    FIGURES["swimmer"] = ("swimmer", "Efficacy")
if STUDY.response and has_waterfall(config):
    FIGURES["waterfall"] = ("waterfall", "Efficacy")


REPORT_OUTPUTS = [
    *(f for table in REPORT_TABLES for f in table_files(table)),
    MANUSCRIPT,
    *expand("results/figures/{figure}.{ext}", figure=FIGURES, ext=["png", "pdf"]),
    *(["results/figures/km_biomarkers"] if STUDY.survival_endpoints else []),
    "results/cbioportal",
    "results/provenance.json",
]
PROVENANCE_INPUTS = provenance_inputs(config, samples)

REPORT_INPUTS = dict(
    clinical="results/validated/clinical.tsv",
    samples="results/validated/samples.tsv",
    endpoints="results/clinical/endpoints.tsv",
    adverse_events="results/clinical/adverse_events.tsv",
    alterations="results/annotated/alterations.tsv",
    gene_matrix="results/matrix/gene_by_patient.tsv",
    pathway_matrix="results/matrix/pathway_by_patient.tsv",
    evaluability="results/matrix/sample_evaluability.tsv",
    pfs_associations="results/stats/pfs_associations.tsv",
    os_associations="results/stats/os_associations.tsv",
    response_associations="results/stats/response_associations.tsv",
    efficacy="results/stats/efficacy.tsv",
    follow_up="results/stats/follow_up.tsv",
    detectable_effects="results/stats/detectable_effects.tsv",
    population_excluded="results/validated/population_excluded.tsv",
    column_labels="results/validated/column_labels.tsv",
)
if "table3b_subgroups" in REPORT_TABLES:
    REPORT_INPUTS["subgroups"] = "results/stats/subgroups.tsv"


rule report_tables:
    input:
        **REPORT_INPUTS,
        # every input file of the run, by role, for provenance.json's checksums
        **{f"provenance_{role}": files for role, files in PROVENANCE_INPUTS.items()},
    output:
        **{
            table: report(
                table_files(table),
                caption=f"../report/{table}.rst",
                category=category,
                subcategory="Tables",
            )
            for table, category in REPORT_TABLES.items()
        },
        manuscript=report(
            MANUSCRIPT,
            caption="../report/manuscript_tables.rst",
            category="Tables",
        ),
        provenance=report(
            "results/provenance.json",
            caption="../report/provenance.rst",
            category="Provenance",
        ),
    log:
        "logs/report_tables.log",
    # the longest report job: started before the figures, it no longer ends the run alone
    priority: 10
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        provenance_roles=list(PROVENANCE_INPUTS),
    script:
        "../scripts/report_tables.py"


# Every figure in one job: one start-up of matplotlib and the statistics libraries, not one
# per figure. Association tables of the study's survival endpoints only: a forest panel and
# KM curves per endpoint measured.
rule report_figures:
    input:
        **{
            f"{e}_associations": f"results/stats/{e}_associations.tsv"
            for e in STUDY.survival_endpoints
        },
        endpoints="results/clinical/endpoints.tsv",
        clinical="results/validated/clinical.tsv",
        samples="results/validated/samples.tsv",
        alterations="results/annotated/alterations.tsv",
        gene_matrix="results/matrix/gene_by_patient.tsv",
        pathway_matrix="results/matrix/pathway_by_patient.tsv",
    output:
        **{
            figure: report(
                f"results/figures/{figure}.png",
                caption=f"../report/{caption}.rst",
                category=category,
                subcategory="Figures",
            )
            for figure, (caption, category) in FIGURES.items()
        },
        **{f"{figure}_pdf": f"results/figures/{figure}.pdf" for figure in FIGURES},
        **(
            {
                "km_biomarkers": report(
                    directory("results/figures/km_biomarkers"),
                    patterns=["{name}.png"],
                    caption="../report/km_biomarkers.rst",
                    category="Associations",
                    subcategory="Figures",
                )
            }
            if STUDY.survival_endpoints
            else {}
        ),
    log:
        "logs/report_figures.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/report_figures.py"


rule report_cbioportal:
    input:
        clinical="results/validated/clinical.tsv",
        samples="results/validated/samples.tsv",
        endpoints="results/clinical/endpoints.tsv",
        alterations="results/annotated/alterations.tsv",
        cnv=cnv_tables(),
    output:
        study=directory("results/cbioportal"),
    log:
        "logs/report_cbioportal.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/report_cbioportal.py"
