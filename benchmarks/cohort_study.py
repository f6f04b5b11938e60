"""A cohort-sized cBioPortal study for the `cohort` benchmark, drawn with fixed seeds.

The size is that of issue 15's real study (targeted-panel sequencing of metastatic breast
cancer): 1,756 patients, 1,918 samples, ~9,300 mutations, a 474-gene discrete CNA matrix,
overall survival counted from diagnosis and nothing else (no PFS, no response, no plasma, one
timepoint). Mutations are real METABRIC MAF rows (`../shared/data/cohorts/brca_metabric/`,
GRCh37) redrawn onto the generated samples, so genes, classes and protein changes keep
METABRIC's frequencies; 4 % of patients carry no mutation at all (sequenced, wild type).

`write_study` writes the study as cBioPortal publishes it (meta files, `#` metadata rows,
case lists); `write_workflow_inputs` derives from it the files the workflow reads today through
`maf:`, `cnv:` and `clinical.table:` (plus a sample sheet, so the samples without a mutation
are sequenced, not missing). Once `cbioportal_study:` exists the config can point at the study
folder instead.

    .venv/bin/python benchmarks/cohort_study.py OUT_DIR   # writes OUT_DIR/study, config.yaml
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from her2resist.vocabulary import NONSYNONYMOUS

SEED = 15
PATIENTS = 1_756
SAMPLES = 1_918
MUTATIONS = 9_400
CNA_GENES = 474
NO_MUTATION_SHARE = 0.04
ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("HER2RESIST_SHARED_DATA", ROOT.parent / "shared" / "data"))
METABRIC = SHARED_DATA / "cohorts" / "brca_metabric"
STUDY_ID = "her2resist_cohort_benchmark"
# Genes whose copy number is drawn with their published frequencies in metastatic breast
# cancer (amplification / deep deletion share; Razavi et al. 2018, Cancer Cell, MSK-IMPACT);
# every other gene gets the background rates.
CNA_RATES = {
    "ERBB2": (0.14, 0.0),
    "CCND1": (0.18, 0.0),
    "MYC": (0.10, 0.0),
    "FGFR1": (0.12, 0.0),
    "CCNE1": (0.03, 0.0),
    "MDM2": (0.03, 0.0),
    "ZNF703": (0.10, 0.0),
    "PTEN": (0.0, 0.03),
    "CDKN2A": (0.0, 0.04),
    "RB1": (0.0, 0.02),
}
BACKGROUND = (0.004, 0.002)
SHALLOW = 0.12  # share of +-1 calls per gene


def _metabric_mutations() -> pd.DataFrame:
    return pd.read_csv(
        METABRIC / "data_mutations_extended.txt",
        sep="\t",
        comment="#",
        dtype=str,
        keep_default_na=False,
    )


def _cna_genes(mutations: pd.DataFrame) -> list[str]:
    """474 gene symbols: METABRIC's panel, the CNA genes above, then numbered fillers (the
    matrix size is the point; genes outside resources/pathways.yaml are not biomarkers)."""
    panel = (METABRIC / "data_gene_panel.txt").read_text().replace("\r", "\n")
    listed = next(line for line in panel.splitlines() if line.startswith("gene_list:"))
    genes = list(dict.fromkeys([*listed.split("\t")[1:], *mutations["Hugo_Symbol"], *CNA_RATES]))
    genes = [g for g in genes if g]
    fillers = [f"CNAFILL{i:03d}" for i in range(CNA_GENES - len(genes))]
    return (genes + fillers)[:CNA_GENES]


def _clinical_header(names: list[str], types: list[str]) -> str:
    rows = [names, names, types, ["1"] * len(names)]
    return "".join("#" + "\t".join(row) + "\n" for row in rows)


def write_study(
    study: Path,
    seed: int = SEED,
    n_patients: int = PATIENTS,
    n_samples: int = SAMPLES,
    n_mutations: int = MUTATIONS,
) -> Path:
    """The cBioPortal study folder: meta files, data files, case lists (the issue's size by
    default; tests draw smaller studies the same way)."""
    rng = np.random.default_rng(seed)
    study.mkdir(parents=True, exist_ok=True)
    metabric = _metabric_mutations()
    patients = [f"P{i:05d}" for i in range(1, n_patients + 1)]
    # 162 patients have a second sample (primary and metastasis, same time of sequencing)
    second = set(rng.choice(n_patients, n_samples - n_patients, replace=False))
    sample_rows = []
    for index, patient in enumerate(patients):
        sample_rows.append((f"{patient}-T01", patient, "Primary"))
        if index in second:
            sample_rows.append((f"{patient}-T02", patient, "Metastasis"))
    samples = pd.DataFrame(sample_rows, columns=["SAMPLE_ID", "PATIENT_ID", "SAMPLE_TYPE"])
    samples["CANCER_TYPE"] = "Breast Cancer"

    # mutations: patients without any mutation, the rest a negative-binomial count per sample
    silent = {
        patients[i]
        for i in rng.choice(n_patients, round(NO_MUTATION_SHARE * n_patients), replace=False)
    }
    mutated = samples[~samples["PATIENT_ID"].isin(silent)]
    mean = n_mutations / len(mutated)
    counts = rng.negative_binomial(2, 2 / (2 + mean), len(mutated))
    counts = np.maximum(counts, 1)
    rows = rng.choice(len(metabric), counts.sum(), replace=True)
    maf = metabric.iloc[rows].reset_index(drop=True)
    maf["Tumor_Sample_Barcode"] = np.repeat(mutated["SAMPLE_ID"].to_numpy(), counts)
    maf["Center"] = "GENERATED"
    maf = maf.drop_duplicates(
        ["Tumor_Sample_Barcode", "Chromosome", "Start_Position", "Tumor_Seq_Allele2"]
    )
    maf.to_csv(study / "data_mutations.txt", sep="\t", index=False)

    genes = _cna_genes(metabric)
    amp = np.array([CNA_RATES.get(g, BACKGROUND)[0] for g in genes])[:, None]
    deep = np.array([CNA_RATES.get(g, BACKGROUND)[1] for g in genes])[:, None]
    draw = rng.random((len(genes), len(samples)))
    cna = np.zeros(draw.shape, dtype=int)
    cna[draw < amp + deep + SHALLOW] = -1
    cna[draw < amp + deep + SHALLOW / 2] = 1
    cna[draw < amp + deep] = -2
    cna[draw < amp] = 2
    table = pd.DataFrame(cna, columns=samples["SAMPLE_ID"])
    table.insert(0, "Hugo_Symbol", genes)
    table.to_csv(study / "data_cna.txt", sep="\t", index=False)

    # OS from diagnosis: exponential death (median ~60 months; hazard x1.5 with a TP53
    # mutation, the poorer prognosis reported in metastatic breast cancer, Meric-Bernstam
    # et al. 2018, Clin Cancer Res) against uniform censoring
    tp53 = maf.loc[
        maf["Hugo_Symbol"].eq("TP53") & maf["Variant_Classification"].isin(NONSYNONYMOUS),
        "Tumor_Sample_Barcode",
    ]
    tp53_patients = set(samples.set_index("SAMPLE_ID").loc[tp53, "PATIENT_ID"])
    hazard = np.where([p in tp53_patients for p in patients], 1.5, 1.0)
    death = rng.exponential(60 / np.log(2), n_patients) / hazard
    censor = rng.uniform(6, 180, n_patients)
    months = np.round(np.minimum(death, censor), 2)
    status = np.where(death <= censor, "1:DECEASED", "0:LIVING")
    age = np.round(rng.normal(56, 12, n_patients).clip(24, 90), 1)
    patient_table = pd.DataFrame(
        {"PATIENT_ID": patients, "OS_MONTHS": months, "OS_STATUS": status, "AGE": age}
    )
    with (study / "data_clinical_patient.txt").open("w") as handle:
        handle.write(
            _clinical_header(list(patient_table), ["STRING", "NUMBER", "STRING", "NUMBER"])
        )
        patient_table.to_csv(handle, sep="\t", index=False)
    with (study / "data_clinical_sample.txt").open("w") as handle:
        handle.write(_clinical_header(list(samples), ["STRING"] * 4))
        samples.to_csv(handle, sep="\t", index=False)

    meta = {
        "meta_study.txt": {
            "type_of_cancer": "brca",
            "cancer_study_identifier": STUDY_ID,
            "name": "her2resist cohort benchmark (generated)",
            "description": "Generated with fixed seeds by benchmarks/cohort_study.py",
        },
        "meta_clinical_patient.txt": {
            "genetic_alteration_type": "CLINICAL",
            "datatype": "PATIENT_ATTRIBUTES",
            "data_filename": "data_clinical_patient.txt",
        },
        "meta_clinical_sample.txt": {
            "genetic_alteration_type": "CLINICAL",
            "datatype": "SAMPLE_ATTRIBUTES",
            "data_filename": "data_clinical_sample.txt",
        },
        "meta_mutations.txt": {
            "genetic_alteration_type": "MUTATION_EXTENDED",
            "datatype": "MAF",
            "stable_id": "mutations",
            "data_filename": "data_mutations.txt",
        },
        "meta_cna.txt": {
            "genetic_alteration_type": "COPY_NUMBER_ALTERATION",
            "datatype": "DISCRETE",
            "stable_id": "gistic",
            "data_filename": "data_cna.txt",
        },
    }
    for name, fields in meta.items():
        fields = {"cancer_study_identifier": STUDY_ID, **fields}
        (study / name).write_text("".join(f"{k}: {v}\n" for k, v in fields.items()))
    lists = study / "case_lists"
    lists.mkdir(exist_ok=True)
    for suffix, name in (("sequenced", "Sequenced"), ("cna", "CNA"), ("all", "All")):
        (lists / f"cases_{suffix}.txt").write_text(
            f"cancer_study_identifier: {STUDY_ID}\n"
            f"stable_id: {STUDY_ID}_{suffix}\n"
            f"case_list_name: {name} samples\n"
            f"case_list_description: {name} samples ({len(samples)})\n"
            f"case_list_ids: {chr(9).join(samples['SAMPLE_ID'])}\n"
        )
    return study


def write_workflow_inputs(study: Path, out: Path) -> Path:
    """The config reading the study folder as published (`cbioportal_study:`); the sample
    sheet and clinical table derived from it are for the R reference and the counts.
    Returns the config file."""
    samples = pd.read_csv(study / "data_clinical_sample.txt", sep="\t", comment="#")
    sheet = pd.DataFrame(
        {
            "patient_id": samples["PATIENT_ID"],
            "sample_id": samples["SAMPLE_ID"],
            "specimen": "tissue",
            "timepoint": "baseline",
            "qc_status": "pass",
        }
    )
    sheet.to_csv(out / "samples.tsv", sep="\t", index=False)
    patients = pd.read_csv(study / "data_clinical_patient.txt", sep="\t", comment="#")
    clinical = pd.DataFrame(
        {
            "patient_id": patients["PATIENT_ID"],
            "os_months": patients["OS_MONTHS"],
            "os_event": patients["OS_STATUS"].str.startswith("1").astype(int),
            "age": patients["AGE"],
        }
    )
    clinical.to_csv(out / "clinical.tsv", sep="\t", index=False)
    config = {
        "cbioportal_study": "study",
        "genome_build": "GRCh37",
        # OS_MONTHS / OS_STATUS are cBioPortal's standard attributes: no column mapping
        "clinical": {"time_origin": "diagnosis"},
        "adverse_events": None,
        "endpoints": ["os"],
        "filters": {
            "require_pass": False,
            "min_depth": {"tissue": 0, "ctdna": 0},
            "min_alt_reads": {"tissue": 0, "ctdna": 0},
            "min_vaf": {"tissue": 0, "ctdna": 0},
            "max_population_af": 1.0,
        },
        "biomarkers": {
            "genes": ["ERBB2", "ERBB3", "PIK3CA", "PTEN", "AKT1", "TP53", "CCND1", "FGFR1"],
            "pathways": ["HER2", "PI3K_AKT_MTOR", "cell_cycle"],
            "specimens": ["tissue"],
            "min_altered": 3,
            # maftools' and cBioPortal's rule, which the R reference applies too
            "altered_if": "nonsynonymous",
        },
        "covariates": [],
    }
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def main(out: str) -> int:
    root = Path(out)
    write_study(root / "study")
    print(write_workflow_inputs(root / "study", root))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
