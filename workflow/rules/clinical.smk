rule clinical:
    input:
        clinical="results/validated/clinical.tsv",
        sources=clinical_inputs(),
    output:
        endpoints="results/clinical/endpoints.tsv",
        adverse_events="results/clinical/adverse_events.tsv",
        tumour_change="results/clinical/tumour_change.tsv",
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


# Subgroups (ORR and PFS by level) only for a study with response or PFS data (STUDY).
rule trial_tables:
    input:
        endpoints="results/clinical/endpoints.tsv",
        clinical="results/validated/clinical.tsv",
    output:
        **(
            {
                "subgroups": "results/stats/subgroups.tsv",
                "forest": report(
                    "results/figures/subgroups_forest.png",
                    caption="../report/subgroups_forest.rst",
                    category="Efficacy",
                    subcategory="Figures",
                ),
                "forest_pdf": "results/figures/subgroups_forest.pdf",
            }
            if STUDY.pfs or STUDY.response
            else {}
        ),
        follow_up="results/stats/follow_up.tsv",
    log:
        "logs/trial_tables.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        subgroups=config["subgroups"],
        # endpoints the study measured: subgroup columns and follow-up only for these
        measured=list(STUDY.measured),
    script:
        "../scripts/trial_tables.py"


rule tumour_figures:
    input:
        endpoints="results/clinical/endpoints.tsv",
        tumour_change="results/clinical/tumour_change.tsv",
    output:
        spider=report(
            "results/figures/spider.png",
            caption="../report/spider.rst",
            category="Efficacy",
            subcategory="Figures",
        ),
        spider_pdf="results/figures/spider.pdf",
        waterfall=report(
            "results/figures/waterfall_measured.png",
            caption="../report/waterfall_measured.rst",
            category="Efficacy",
            subcategory="Figures",
        ),
        waterfall_pdf="results/figures/waterfall_measured.pdf",
    log:
        "logs/tumour_figures.log",
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        measurements=config["clinical"].get("measurements") or "",
    script:
        "../scripts/tumour_figures.py"


# The spider plot and measured waterfall exist only when tumour measurements are given.
TUMOUR_OUTPUTS = (
    expand("results/figures/{figure}.png", figure=["spider", "waterfall_measured"])
    if config["clinical"].get("measurements")
    or (config["clinical"].get("adam") or {}).get("adtr")
    else []
)
