"""cBioPortal study folder (https://docs.cbioportal.org/file-formats/).

Layout::

    meta_study.txt
    meta_clinical_patient.txt   data_clinical_patient.txt   (4 '#' header lines + column row)
    meta_clinical_sample.txt    data_clinical_sample.txt
    meta_mutations.txt          data_mutations.txt          (MAF, passing calls)
    meta_cna.txt                data_cna.txt                (discrete: -2, -1, 0, 1, 2)
    meta_sv.txt                 data_sv.txt                 (fusions; only where assayed)
    case_lists/cases_all.txt, cases_sequenced.txt, cases_cna.txt, cases_sv.txt
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from her2resist.vocabulary import CTDNA, TISSUE

PathLike = str | Path

CNA_CODES = {
    "amplification": 2,
    "gain": 1,
    "neutral": 0,
    "shallow_deletion": -1,
    "deep_deletion": -2,
}


MAF_COLUMNS = [
    "Hugo_Symbol",
    "Entrez_Gene_Id",
    "Center",
    "NCBI_Build",
    "Chromosome",
    "Start_Position",
    "End_Position",
    "Strand",
    "Variant_Classification",
    "Variant_Type",
    "Reference_Allele",
    "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2",
    "dbSNP_RS",
    "Tumor_Sample_Barcode",
    "Matched_Norm_Sample_Barcode",
    "Mutation_Status",
    "Validation_Status",
    "Sequencer",
    "HGVSc",
    "HGVSp_Short",
    "Transcript_ID",
    "t_ref_count",
    "t_alt_count",
    "n_ref_count",
    "n_alt_count",
]

BUILDS = {"GRCh38": ("GRCh38", "hg38"), "GRCh37": ("GRCh37", "hg19")}


def write_meta(path: Path, fields: dict[str, Any]) -> None:
    path.write_text("".join(f"{key}: {value}\n" for key, value in fields.items()))


def clinical_file(columns: list[tuple[str, str, str, str]], rows: pd.DataFrame) -> str:
    """cBioPortal clinical data: 4 '#' lines (names, descriptions, datatypes, priorities:
    every attribute 1)."""
    header = [
        *("#" + "\t".join(c[k] for c in columns) for k in (1, 2, 3)),
        "#" + "\t".join("1" for _ in columns),
        "\t".join(c[0] for c in columns),
    ]
    # 15 significant digits: read back (cbioportal_study), the times give the same statistics
    body = rows[[c[0] for c in columns]].to_csv(
        sep="\t", index=False, header=False, na_rep="NA", lineterminator="\n", float_format="%.15g"
    )
    return "\n".join(header) + "\n" + body


def _status(event: Any, yes: str, no: str) -> str:
    if pd.isna(event):
        return "NA"
    return yes if int(event) == 1 else no


def patient_table(clinical: pd.DataFrame, endpoints: pd.DataFrame, covariates: list[str]) -> str:
    frame = endpoints.copy()
    frame["PATIENT_ID"] = frame["patient_id"].astype(str)
    frame["OS_STATUS"] = [_status(e, "1:DECEASED", "0:LIVING") for e in frame["os_event"]]
    frame["OS_MONTHS"] = frame["os_months"]
    frame["PFS_STATUS"] = [_status(e, "1:PROGRESSION", "0:CENSORED") for e in frame["pfs_event"]]
    frame["PFS_MONTHS"] = frame["pfs_months"]
    frame["BEST_RESPONSE"] = frame["best_response"].fillna("NA")
    frame["SD_DURATION_WEEKS"] = frame.get("sd_duration_weeks", pd.Series(dtype=float))
    columns: list[tuple[str, str, str, str]] = [
        ("PATIENT_ID", "Patient Identifier", "Patient identifier", "STRING"),
        ("OS_STATUS", "Overall Survival Status", "Overall survival status", "STRING"),
        ("OS_MONTHS", "Overall Survival (Months)", "Overall survival in months", "NUMBER"),
        ("PFS_STATUS", "Progression Free Status", "Progression-free survival status", "STRING"),
        ("PFS_MONTHS", "Progress Free Survival (Months)", "PFS in months", "NUMBER"),
        ("BEST_RESPONSE", "Best Overall Response", "RECIST 1.1 best overall response", "STRING"),
        (
            "SD_DURATION_WEEKS",
            "Stable Disease Duration (Weeks)",
            "Duration of SD in weeks",
            "NUMBER",
        ),
    ]
    clinical = clinical.set_index(clinical["patient_id"].astype(str))
    for name in covariates:
        if name not in clinical.columns:
            continue
        values = pd.Series(clinical[name].reindex(frame["PATIENT_ID"]).to_numpy())
        frame[name.upper()] = values.to_numpy()
        numeric = pd.to_numeric(values, errors="coerce").notna().sum() == values.notna().sum()
        datatype = "NUMBER" if numeric else "STRING"
        columns.append((name.upper(), name.replace("_", " ").title(), name, datatype))
    return clinical_file(columns, frame)


def sample_table(samples: pd.DataFrame) -> str:
    frame = samples.copy()
    frame["SAMPLE_ID"] = frame["sample_id"]
    frame["PATIENT_ID"] = frame["patient_id"].astype(str)
    frame["SAMPLE_TYPE"] = (
        frame["specimen"]
        .map({TISSUE: "Primary/Metastatic tissue", CTDNA: "cfDNA"})
        .fillna(frame["specimen"])
    )
    frame["SPECIMEN"] = frame["specimen"]
    frame["TIMEPOINT"] = frame["timepoint"]
    frame["QC_STATUS"] = frame.get("qc_status", pd.Series("pass", index=frame.index)).fillna("pass")
    frame["TUMOR_PURITY"] = frame.get("purity", pd.Series(dtype=object))
    columns = [
        ("PATIENT_ID", "Patient Identifier", "Patient identifier", "STRING"),
        ("SAMPLE_ID", "Sample Identifier", "Sample identifier", "STRING"),
        ("SAMPLE_TYPE", "Sample Type", "Tissue or cell-free DNA", "STRING"),
        ("SPECIMEN", "Specimen", "Specimen as in the sample sheet", "STRING"),
        ("TIMEPOINT", "Timepoint", "Sampling timepoint", "STRING"),
        ("QC_STATUS", "QC Status", "Sequencing QC status", "STRING"),
        ("TUMOR_PURITY", "Tumor Purity", "Tumour fraction given in the sample sheet", "NUMBER"),
    ]
    return clinical_file(columns, frame.sort_values("sample_id"))


def maf_alleles(pos: int, ref: str, alt: str) -> tuple[int, int, str, str, str]:
    """VCF allele pair to MAF (start, end, ref, alt, Variant_Type); shared prefix removed."""
    ref, alt = str(ref), str(alt)
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    if len(ref) == len(alt):
        kind = {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(ref), "ONP")
        return pos, pos + len(ref) - 1, ref, alt, kind
    if ref and alt and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
        ref = ref or "-"
        alt = alt or "-"
    if ref == "-" or (len(ref) < len(alt) and ref == ""):
        return pos - 1, pos, "-", alt, "INS"
    if alt == "-":
        return pos, pos + len(ref) - 1, ref, "-", "DEL"
    if len(alt) > len(ref):
        return pos, pos + len(ref) - 1, ref, alt, "INS"
    return pos, pos + len(ref) - 1, ref, alt, "DEL"


def mutations_maf(alterations: pd.DataFrame, build: str) -> pd.DataFrame:
    """Passing mutation calls as a MAF (somatic; counts from depth and alt reads)."""
    calls = alterations[
        (alterations["alteration_type"] == "mutation") & (alterations["filter_status"] == "PASS")
    ]
    if calls.empty:
        return pd.DataFrame(columns=MAF_COLUMNS)
    positions = zip(calls["pos"], calls["ref"], calls["alt"], strict=True)
    alleles = [maf_alleles(int(pos), ref, alt) for pos, ref, alt in positions]
    start, end, ref, alt, kind = zip(*alleles, strict=True)
    depth = pd.to_numeric(calls["depth"], errors="coerce")
    alt_reads = pd.to_numeric(calls["alt_reads"], errors="coerce")
    maf = pd.DataFrame(
        {
            "Hugo_Symbol": calls["gene"],
            "Center": "her2resist",
            "NCBI_Build": BUILDS.get(build, (build, build))[0],
            "Chromosome": calls["chrom"].astype(str).str.removeprefix("chr"),
            "Start_Position": start,
            "End_Position": end,
            "Strand": "+",
            "Variant_Classification": calls["variant_class"],
            "Variant_Type": kind,
            "Reference_Allele": ref,
            "Tumor_Seq_Allele1": ref,
            "Tumor_Seq_Allele2": alt,
            "Tumor_Sample_Barcode": calls["sample_id"],
            "Mutation_Status": "Somatic",
            "HGVSc": calls["hgvsc"],
            "HGVSp_Short": calls["hgvsp_short"],
            "Transcript_ID": calls["transcript"],
            "t_ref_count": (depth - alt_reads).astype("Int64"),
            "t_alt_count": alt_reads.astype("Int64"),
        },
        index=calls.index,
    )
    return maf.reindex(columns=MAF_COLUMNS).reset_index(drop=True)  # other columns empty


SV_COLUMNS = [
    "Sample_Id",
    "Site1_Hugo_Symbol",
    "Site1_Chromosome",
    "Site1_Position",
    "Site2_Hugo_Symbol",
    "SV_Status",
    "Class",
    "Event_Info",
]


def structural_variants(alterations: pd.DataFrame) -> pd.DataFrame:
    """Passing fusions and rearrangements as cBioPortal's ``data_sv.txt``: one row per event
    (``alteration`` ``A::B``; annotate wrote one row per panel partner, kept once here)."""
    events = alterations[
        alterations["alteration_type"].isin(["fusion", "rearrangement"])
        & (alterations["filter_status"] == "PASS")
    ].drop_duplicates(["sample_id", "alteration"])
    rows = []
    for row in events.itertuples(index=False):
        site1, _, site2 = str(row.alteration).partition("::")
        if row.alteration_type == "rearrangement":  # GENE-intragenic / GENE rearrangement
            site1 = row.gene
            site2 = row.gene if str(row.alteration).endswith("-intragenic") else ""
        position = pd.to_numeric(row.pos, errors="coerce")
        rows.append(
            {
                "Sample_Id": row.sample_id,
                "Site1_Hugo_Symbol": site1,
                "Site1_Chromosome": "" if pd.isna(row.chrom) else str(row.chrom),
                "Site1_Position": "" if pd.isna(position) else int(position),
                "Site2_Hugo_Symbol": site2,
                "SV_Status": "SOMATIC",
                "Class": "FUSION" if row.alteration_type == "fusion" else "",
                "Event_Info": row.alteration,
            }
        )
    return pd.DataFrame(rows, columns=SV_COLUMNS)


def cna_matrix(calls: pd.DataFrame) -> pd.DataFrame:
    """Hugo_Symbol x sample matrix of discrete calls as ``data_cna.txt`` writes them (-2..2; a
    gene's first call in a sample; NA where a gene was not called), genes and samples sorted.
    ``calls``: the CNV stage tables' ``sample_id, gene, call``. Text, filled as one numpy grid:
    pivot_table and pandas' nullable-integer writer took a second on a cohort."""
    values = calls["call"].map(CNA_CODES)
    calls = calls.assign(value=values)[values.notna()].drop_duplicates(["gene", "sample_id"])
    rows, genes = pd.factorize(calls["gene"].astype(str), sort=True)
    columns, samples = pd.factorize(calls["sample_id"].astype(str), sort=True)
    grid = np.full((len(genes), len(samples)), "NA", dtype=object)
    grid[rows, columns] = calls["value"].to_numpy(int).astype(str)
    return pd.DataFrame(grid, index=pd.Index(genes, name="Hugo_Symbol"), columns=samples)


def write_study(
    out: PathLike,
    *,
    study: dict[str, str],
    clinical: pd.DataFrame,
    samples: pd.DataFrame,
    endpoints: pd.DataFrame,
    alterations: pd.DataFrame,
    cnv_calls: pd.DataFrame,
    covariates: list[str],
    build: str = "GRCh38",
) -> Path:
    """Write the study folder; return its path. ``cnv_calls``: ``sample_id, gene, call`` of
    every sample's copy-number calls."""
    out = Path(out)
    (out / "case_lists").mkdir(parents=True, exist_ok=True)
    sid = study["cancer_study_identifier"]
    reference = BUILDS.get(build, (build, build))[1]
    write_meta(
        out / "meta_study.txt",
        {
            "type_of_cancer": study.get("type_of_cancer", "brca"),
            "cancer_study_identifier": sid,
            "name": study.get("name", sid),
            "description": study.get("description", sid),
            "short_name": study.get("short_name", sid),
            "add_global_case_list": "false",
            "reference_genome": reference,
        },
    )
    for level, datatype in (("patient", "PATIENT_ATTRIBUTES"), ("sample", "SAMPLE_ATTRIBUTES")):
        write_meta(
            out / f"meta_clinical_{level}.txt",
            {
                "cancer_study_identifier": sid,
                "genetic_alteration_type": "CLINICAL",
                "datatype": datatype,
                "data_filename": f"data_clinical_{level}.txt",
            },
        )
    (out / "data_clinical_patient.txt").write_text(patient_table(clinical, endpoints, covariates))
    (out / "data_clinical_sample.txt").write_text(sample_table(samples))

    write_meta(
        out / "meta_mutations.txt",
        {
            "cancer_study_identifier": sid,
            "genetic_alteration_type": "MUTATION_EXTENDED",
            "datatype": "MAF",
            "stable_id": "mutations",
            "show_profile_in_analysis_tab": "true",
            "profile_name": "Mutations",
            "profile_description": "Somatic mutations in panel genes passing every filter "
            "(her2resist).",
            "data_filename": "data_mutations.txt",
        },
    )
    maf = mutations_maf(alterations, build)
    maf.to_csv(out / "data_mutations.txt", sep="\t", index=False, lineterminator="\n")

    write_meta(
        out / "meta_cna.txt",
        {
            "cancer_study_identifier": sid,
            "genetic_alteration_type": "COPY_NUMBER_ALTERATION",
            "datatype": "DISCRETE",
            "stable_id": "cna",
            "show_profile_in_analysis_tab": "true",
            "profile_name": "Putative copy-number alterations",
            "profile_description": "Gene-level calls from CNVkit segments (purity-aware): "
            "-2 deep deletion, -1 shallow deletion, 0 neutral, 1 gain, 2 amplification.",
            "data_filename": "data_cna.txt",
        },
    )
    cna = cna_matrix(cnv_calls)
    cna.to_csv(out / "data_cna.txt", sep="\t", lineterminator="\n")

    passed = samples[samples.get("qc_status", "pass").fillna("pass") == "pass"]
    sv_ids = sorted(
        passed.loc[
            passed.get("sv_file", pd.Series("", index=passed.index)).fillna("").ne(""), "sample_id"
        ]
    )
    if sv_ids:  # fusions were assayed: their calls, and which samples were assayed
        write_meta(
            out / "meta_sv.txt",
            {
                "cancer_study_identifier": sid,
                "genetic_alteration_type": "STRUCTURAL_VARIANT",
                "datatype": "SV",
                "stable_id": "structural_variants",
                "show_profile_in_analysis_tab": "true",
                "profile_name": "Structural variants",
                "profile_description": "Fusions and rearrangements of panel genes passing every "
                "filter (her2resist).",
                "data_filename": "data_sv.txt",
            },
        )
        structural_variants(alterations).to_csv(
            out / "data_sv.txt", sep="\t", index=False, lineterminator="\n"
        )
    all_ids = sorted(samples["sample_id"])
    variant_files = passed.get("variant_file", pd.Series("", index=passed.index))
    sequenced = sorted(
        passed.loc[~variant_files.fillna("").astype(str).isin(["", "nan"]), "sample_id"]
    )
    cna_ids = sorted(set(cna.columns) & set(passed["sample_id"]))
    case_lists = {  # suffix: name, description (before the count), category, sample ids
        "all": ("All samples", "All samples", "all_cases_in_study", all_ids),
        "sequenced": (
            "Samples with mutation data",
            "Samples with mutation data",
            "all_cases_with_mutation_data",
            sequenced,
        ),
        "cna": (
            "Samples with CNA data",
            "Samples with copy-number data",
            "all_cases_with_cna_data",
            cna_ids,
        ),
    }
    if sv_ids:
        case_lists["sv"] = (
            "Samples with structural variant data",
            "Samples with structural variant data",
            "all_cases_with_sv_data",
            sv_ids,
        )
    for suffix, (name, description, category, ids) in case_lists.items():
        write_meta(
            out / "case_lists" / f"cases_{suffix}.txt",
            {
                "cancer_study_identifier": sid,
                "stable_id": f"{sid}_{suffix}",
                "case_list_name": name,
                "case_list_description": f"{description} ({len(ids)})",
                "case_list_category": category,
                "case_list_ids": "\t".join(ids),
            },
        )
    return out
