"""A deterministic, synthetic 30-patient trial cohort shaped like the real one: what
``resources/example`` holds, and the cohort the end-to-end tests and benchmarks run.

    .venv/bin/python tests/example_cohort.py resources/example     # rewrite the bundled copy

HER2-positive metastatic breast cancer after trastuzumab, treated with inetetamab +
pyrotinib + vinorelbine. Every patient has a baseline tumour (tissue) VCF against a matched
normal and CNVkit segments; most have baseline plasma (ctDNA); some have progression plasma.
Variants sit at real GRCh38 positions with real transcripts and HGVS, taken from
``resources/example_variants_grch38.tsv``. The planted effects are documented in
``resources/example/README.md`` and written to ``truth.tsv`` so the tests can check them.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import example_trial_records as trial_records
import numpy as np
import pandas as pd

from her2resist.paths import RESOURCES

SEED = 20261125
N_PATIENTS = 30
DAYS_PER_MONTH = 30.4375
ASSESSMENT_INTERVAL_DAYS = 42
DATA_CUTOFF = dt.date(2025, 6, 30)

# Planted effects (the truth the workflow must recover).
PFS_MEDIAN_WILD_TYPE = 9.0
PFS_HAZARD_RATIO_PI3K = 2.5
OS_MEDIAN_WILD_TYPE = 30.0
OS_HAZARD_RATIO_PI3K = 1.8
RESPONSE_PROB_WILD_TYPE = 0.75
RESPONSE_PROB_PI3K = 0.25

# Ensembl-style names, as the catalogue and gene table use.
GRCH38_CONTIG_LENGTHS = {
    "2": 242193529,
    "3": 198295559,
    "4": 190214555,
    "8": 145138636,
    "10": 133797422,
    "12": 133275309,
    "14": 107043718,
    "17": 83257441,
    "19": 58617616,
}

CSQ_FIELDS = [
    "Allele",
    "Consequence",
    "IMPACT",
    "SYMBOL",
    "Gene",
    "Feature_type",
    "Feature",
    "BIOTYPE",
    "EXON",
    "INTRON",
    "HGVSc",
    "HGVSp",
    "cDNA_position",
    "CDS_position",
    "Protein_position",
    "Amino_acids",
    "Codons",
    "Existing_variation",
    "DISTANCE",
    "STRAND",
    "FLAGS",
    "CANONICAL",
    "gnomADe_AF",
]

IMPACT = {
    "missense_variant": "MODERATE",
    "stop_gained": "HIGH",
    "frameshift_variant": "HIGH",
    "inframe_insertion": "MODERATE",
    "synonymous_variant": "LOW",
    "intron_variant": "MODIFIER",
    "non_coding_transcript_exon_variant": "MODIFIER",
    "downstream_gene_variant": "MODIFIER",
    "NMD_transcript_variant": "MODIFIER",
}

PI3K_CHOICES = [
    ("PIK3CA", "H1047R"),
    ("PIK3CA", "E545K"),
    ("PIK3CA", "H1047R"),
    ("PIK3CA", "E542K"),
    ("PIK3CA", "H1047L"),
    ("PIK3CA", "N345K"),
    ("AKT1", "E17K"),
    ("PTEN", "R130*"),
    ("PTEN", "R233*"),
    ("PIK3CA", "E545K"),
    ("PTEN", "deep_deletion"),
    ("PIK3CA", "H1047R"),
]
HER2_MUTATIONS = [("ERBB2", "L755S"), ("ERBB2", "V777L"), ("ERBB2", "D769Y"), ("ERBB2", "S310F")]
ERBB3_MUTATIONS = [("ERBB3", "V104M"), ("ERBB3", "E928G")]
TP53_MUTATIONS = [("TP53", "R175H"), ("TP53", "R248Q"), ("TP53", "R273H")]

# Longitudinal and ctDNA events, drawn from a second random stream (``[seed, 2]``) so that the
# patients, outcomes and the planted PI3K effect stay exactly as before they were added.
GERMLINE_I655V_PROB = 0.35
ACQUIRED_PLAN = [  # (changes, the kind of progression patient that gets them)
    ([("ERBB2", "T798I")], "no_erbb2"),
    ([("PIK3CA", "H1047R")], "no_pi3k"),
    ([("ERBB2", "L755S"), ("TP53", "R175H")], "no_erbb2_no_tp53"),
]
CHIP_CLONES = [("TET2", "R550*"), ("DNMT3A", "R882H"), ("TET2", "R550*"), ("DNMT3A", "R882H")]
LOW_TUMOUR_FRACTION = 0.015


@dataclass(frozen=True)
class Call:
    """One variant call in one sample: catalogue key and read support."""

    gene: str
    protein_change: str
    vaf: float
    depth: int
    normal_vaf: float = 0.0
    filter: str = "PASS"
    normal_depth: int | None = None  # drawn by write_vcf when not given


def load_catalogue(genes: pd.DataFrame, path: Path | None = None) -> pd.DataFrame:
    path = path or RESOURCES / "example_variants_grch38.tsv"
    table = pd.read_csv(path, sep="\t", dtype=str, comment="#").fillna("")
    table = table.join(genes[["strand", "ensembl_gene_id"]], on="gene")
    others = pd.read_csv(RESOURCES / "example_other_transcripts.tsv", sep="\t", dtype=str).fillna(
        ""
    )
    # Where the source gave the transcript and biotype but not the consequence, VEP's rule
    # applies: the same coding change, plus NMD_transcript_variant on an NMD transcript.
    canonical = table.set_index(["gene", "protein_change"])["consequence"]
    others["consequence"] = [
        row.consequence
        or canonical.get((row.gene, row.protein_change), "")
        + ("&NMD_transcript_variant" if row.biotype == "nonsense_mediated_decay" else "")
        for row in others.itertuples()
    ]
    others["entry"] = others["transcript"] + ":" + others["biotype"] + ":" + others["consequence"]
    joined = others.groupby(["gene", "protein_change"])["entry"].agg(";".join)
    table = table.join(joined.rename("other_transcripts"), on=["gene", "protein_change"])
    table["strand"] = table["strand"].map({"+": "1", "-": "-1"}).fillna("")
    return table.fillna("").set_index(["gene", "protein_change"], drop=False)


def load_gene_coordinates(path: Path | None = None) -> pd.DataFrame:
    path = path or RESOURCES / "genes_grch38.tsv"
    return pd.read_csv(path, sep="\t", dtype={"chrom": str}).set_index("gene")


# ---------------------------------------------------------------- patients and outcomes


def _months_to_days(months: float) -> int:
    return int(round(months * DAYS_PER_MONTH))


def simulate_patients(rng: np.random.Generator) -> pd.DataFrame:
    """Baseline characteristics and which alterations each patient carries."""
    rows = []
    pi3k_patients = set(rng.choice(np.arange(1, N_PATIENTS + 1), size=12, replace=False))
    pi3k_iter = iter(PI3K_CHOICES)
    for i in range(1, N_PATIENTS + 1):
        pi3k = next(pi3k_iter) if i in pi3k_patients else None
        rows.append(
            {
                "patient_id": f"P{i:02d}",
                "age": int(np.clip(rng.normal(53, 9), 31, 76)),
                "ecog": int(rng.random() < 0.35),
                "hr_status": "positive" if rng.random() < 0.5 else "negative",
                "visceral_disease": "yes" if rng.random() < 0.65 else "no",
                "prior_lines": int(rng.choice([1, 1, 2, 2, 3, 4])),
                "pi3k_alteration": "|".join(pi3k) if pi3k else "",
                "her2_mutation": "|".join(HER2_MUTATIONS[rng.integers(4)])
                if rng.random() < 0.17
                else "",
                "erbb3_mutation": "|".join(ERBB3_MUTATIONS[rng.integers(2)])
                if rng.random() < 0.1
                else "",
                "tp53_mutation": "|".join(TP53_MUTATIONS[rng.integers(3)])
                if rng.random() < 0.6
                else "",
                "erbb2_amplified": rng.random() < 0.87,
                "ccne1_gain": rng.random() < 0.15,
                "fgfr1_amplified": rng.random() < 0.1,
            }
        )
    return pd.DataFrame(rows)


def _first_assessment_after(start: dt.date, days: int) -> dt.date:
    visits = int(np.ceil(max(days, 1) / ASSESSMENT_INTERVAL_DAYS))
    return start + dt.timedelta(days=visits * ASSESSMENT_INTERVAL_DAYS)


def _stratified_exponential(n: int, median: float, rng: np.random.Generator) -> np.ndarray:
    """Exponential times at evenly spaced quantiles, shuffled: a cohort of 30 then shows the
    planted hazard ratio itself rather than whatever one random draw happens to give."""
    quantiles = (np.arange(n) + 0.5) / n
    return rng.permutation(-np.log1p(-quantiles) * median / np.log(2))


def simulate_outcomes(patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Dates of treatment, assessments, progression, death and last contact; best response."""
    pi3k_flags = patients["pi3k_alteration"].ne("").to_numpy()
    pfs_months = np.empty(len(patients))
    os_after_months = np.empty(len(patients))
    responds = np.zeros(len(patients), dtype=bool)
    for flag, pfs_hr, os_hr, response_prob in [
        (False, 1.0, 1.0, RESPONSE_PROB_WILD_TYPE),
        (True, PFS_HAZARD_RATIO_PI3K, OS_HAZARD_RATIO_PI3K, RESPONSE_PROB_PI3K),
    ]:
        members = np.flatnonzero(pi3k_flags == flag)
        pfs_months[members] = _stratified_exponential(
            len(members), PFS_MEDIAN_WILD_TYPE / pfs_hr, rng
        )
        os_after_months[members] = _stratified_exponential(
            len(members), (OS_MEDIAN_WILD_TYPE - PFS_MEDIAN_WILD_TYPE) / os_hr, rng
        )
        n_responders = int(round(response_prob * len(members)))
        responds[rng.choice(members, size=n_responders, replace=False)] = True
    rows = []
    for i, patient in patients.iterrows():
        start = dt.date(2022, 1, 10) + dt.timedelta(days=int(i) * 23)
        true_pfs_days = _months_to_days(pfs_months[i]) + 10
        post_progression_days = _months_to_days(os_after_months[i]) + 30
        progression = _first_assessment_after(start, true_pfs_days)
        death = progression + dt.timedelta(days=post_progression_days)
        follow_up_end = DATA_CUTOFF
        if patient["patient_id"] == "P11":  # lost to follow-up: censored early
            follow_up_end = start + dt.timedelta(days=200)
        last_contact = min(follow_up_end, death)
        death_date = death if death <= follow_up_end else None
        progression_date = progression if progression <= follow_up_end else None
        if progression_date is None:
            visits = (follow_up_end - start).days // ASSESSMENT_INTERVAL_DAYS
            last_assessment = start + dt.timedelta(days=visits * ASSESSMENT_INTERVAL_DAYS)
        else:
            last_assessment = progression_date
        weeks_on_study = ((progression_date or last_assessment) - start).days / 7
        if patient["patient_id"] == "P05":  # withdrew before the first assessment
            best, sd_weeks, last_assessment, progression_date = "NE", None, None, None
        elif progression_date is not None and (progression_date - start).days <= 42:
            best, sd_weeks = "PD", None
        elif responds[i]:
            best, sd_weeks = ("CR" if rng.random() < 0.1 else "PR"), None
        else:
            best, sd_weeks = "SD", round(weeks_on_study, 1)
        rows.append(
            {
                "patient_id": patient["patient_id"],
                "treatment_start_date": start.isoformat(),
                "last_assessment_date": last_assessment.isoformat() if last_assessment else "",
                "progression_date": progression_date.isoformat() if progression_date else "",
                "death_date": death_date.isoformat() if death_date else "",
                "last_contact_date": last_contact.isoformat(),
                "best_response": best,
                "sd_duration_weeks": "" if sd_weeks is None else f"{sd_weeks:.1f}",
            }
        )
    return pd.DataFrame(rows)


def simulate_adverse_events(patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """CTCAE v5.0 terms with frequencies like pyrotinib + vinorelbine regimens."""
    terms = [
        ("Diarrhea", 0.85, 0.25),
        ("Neutrophil count decreased", 0.6, 0.3),
        ("White blood cell decreased", 0.55, 0.15),
        ("Anemia", 0.45, 0.05),
        ("Vomiting", 0.35, 0.05),
        ("Nausea", 0.3, 0.0),
        ("Fatigue", 0.3, 0.03),
        ("Aspartate aminotransferase increased", 0.25, 0.03),
        ("Palmar-plantar erythrodysesthesia syndrome", 0.15, 0.0),
        ("Infusion related reaction", 0.1, 0.0),
    ]
    rows = []
    for patient_id in patients["patient_id"]:
        for term, p_any, p_severe in terms:
            if rng.random() < p_any:
                grade = 3 if rng.random() < p_severe / p_any else int(rng.choice([1, 1, 2]))
                rows.append({"patient_id": patient_id, "term": term, "grade": grade})
                if rng.random() < 0.3:  # a second, milder episode of the same term
                    rows.append({"patient_id": patient_id, "term": term, "grade": 1})
    frame = pd.DataFrame(rows)
    frame["related"] = "yes"
    return frame


# ---------------------------------------------------------------- samples and calls


def sample_plan(patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Which specimens exist per patient, with QC status and tumour purity."""
    rows = []
    for _, patient in patients.iterrows():
        pid = patient["patient_id"]
        if pid == "P30":  # enrolled and treated, never sequenced
            continue
        rows.append(
            {
                "patient_id": pid,
                "sample_id": f"{pid}_tissue_BL",
                "specimen": "tissue",
                "timepoint": "baseline",
                "purity": round(float(rng.uniform(0.35, 0.85)), 2),
                "qc_status": "fail" if pid == "P12" else "pass",
            }
        )
        if rng.random() < 0.85 and pid != "P12":
            rows.append(
                {
                    "patient_id": pid,
                    "sample_id": f"{pid}_ctDNA_BL",
                    "specimen": "ctdna",
                    "timepoint": "baseline",
                    "purity": round(float(rng.uniform(0.02, 0.3)), 3),
                    "qc_status": "pass",
                }
            )
    plan = pd.DataFrame(rows)
    progressed = rng.choice(sorted(set(plan["patient_id"]) - {"P12"}), size=8, replace=False)
    for pid in sorted(progressed):
        plan.loc[len(plan)] = {
            "patient_id": pid,
            "sample_id": f"{pid}_ctDNA_PD",
            "specimen": "ctdna",
            "timepoint": "progression",
            "purity": round(float(rng.uniform(0.05, 0.3)), 3),
            "qc_status": "pass",
        }
    return plan.sort_values(["patient_id", "sample_id"]).reset_index(drop=True)


def _mutations_of(patient: pd.Series) -> list[tuple[str, str]]:
    found = []
    for column in ["pi3k_alteration", "her2_mutation", "erbb3_mutation", "tp53_mutation"]:
        if patient[column] and not patient[column].endswith("deep_deletion"):
            gene, change = patient[column].split("|")
            found.append((gene, change))
    return found


def calls_for_sample(
    patient: pd.Series,
    sample: pd.Series,
    catalogue: pd.DataFrame,
    rng: np.random.Generator,
    germline_carrier: bool | None = None,
) -> list[Call]:
    """Somatic calls with depth/VAF shaped by specimen and purity; plus germline and noise."""
    tissue = sample["specimen"] == "tissue"
    purity = float(sample["purity"])
    depth_mean = 400 if tissue else 3000
    calls = []
    for gene, change in _mutations_of(patient):
        clonal_vaf = purity / 2 * float(rng.uniform(0.7, 1.0))
        calls.append(Call(gene, change, clonal_vaf, int(rng.normal(depth_mean, depth_mean / 8))))
    # A common germline polymorphism: present in the matched normal, filtered as germline.
    # Germline means every sample of a carrier (``germline_carrier``); None: per sample.
    draw = rng.random() < GERMLINE_I655V_PROB
    carrier = draw if germline_carrier is None else germline_carrier
    if ("ERBB2", "I655V") in catalogue.index and carrier:
        calls.append(Call("ERBB2", "I655V", float(rng.uniform(0.45, 0.55)), depth_mean, 0.5))
    # CHIP-like DNMT3A/TET2 clones: low VAF in plasma, also in blood-derived normal.
    if not tissue and ("DNMT3A", "R882H") in catalogue.index and rng.random() < 0.2:
        calls.append(Call("DNMT3A", "R882H", float(rng.uniform(0.004, 0.02)), depth_mean))
    # Sequencing noise below the specimen's VAF floor, and a FILTER-failed call.
    if ("TP53", "R273H") in catalogue.index and rng.random() < 0.15:
        calls.append(Call("TP53", "R273H", 0.012 if tissue else 0.001, depth_mean))
    if ("KRAS", "G12D") in catalogue.index and rng.random() < 0.1:
        calls.append(Call("KRAS", "G12D", 0.08, depth_mean, filter="weak_evidence"))
    return [c for c in calls if (c.gene, c.protein_change) in catalogue.index]


EVENT_COLUMNS = ["patient_id", "sample_id", "event", "gene", "alteration", "detail"]


def plan_events(
    patients: pd.DataFrame, plan: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Acquired and lost alterations at progression, CHIP clones, one low-fraction plasma.

    - acquired: each entry of ACQUIRED_PLAN goes to the first progression patient (in id
      order, not yet used) of the stated kind, in the progression plasma only;
    - lost: a baseline mutation of the first remaining progression patient with two or more
      is missing from the progression plasma;
    - CHIP: four sequenced patients carry a DNMT3A/TET2 clone in blood (VAF 2-5 %): in every
      plasma sample, and in the matched blood normal (plus a trace in the tumour) of the
      tissue sample;
    - low tumour fraction: the baseline plasma of the first patient without progression plasma
      whose tumour carries a non-TP53 mutation gets tumour fraction LOW_TUMOUR_FRACTION.
    """
    rows = []
    by_patient = patients.set_index("patient_id")
    progression = plan[plan["timepoint"] == "progression"]
    progressed = sorted(progression["patient_id"])
    used: set[str] = set()

    def kind_of(pid: str, kind: str) -> bool:
        genes = {g for g, _ in _mutations_of(by_patient.loc[pid])}
        pi3k = bool(by_patient.loc[pid, "pi3k_alteration"])
        return {
            "no_erbb2": "ERBB2" not in genes,
            "no_pi3k": not pi3k,
            "no_erbb2_no_tp53": not genes & {"ERBB2", "TP53"},
        }[kind]

    for changes, kind in ACQUIRED_PLAN:
        pid = next((p for p in progressed if p not in used and kind_of(p, kind)), None)
        if pid is None:
            continue
        used.add(pid)
        sid = progression.loc[progression["patient_id"] == pid, "sample_id"].iloc[0]
        for gene, change in changes:
            rows.append((pid, sid, "acquired", gene, change, "progression plasma only"))
    for pid in progressed:
        mutations = _mutations_of(by_patient.loc[pid])
        if pid not in used and len(mutations) >= 2:
            sid = progression.loc[progression["patient_id"] == pid, "sample_id"].iloc[0]
            gene, change = mutations[-2]
            rows.append((pid, sid, "lost", gene, change, "absent from progression plasma"))
            used.add(pid)
            break
    sequenced = sorted(set(plan.loc[plan["qc_status"] == "pass", "patient_id"]))
    chosen = sorted(rng.choice(sequenced, size=len(CHIP_CLONES), replace=False))
    for pid, (gene, change) in zip(chosen, CHIP_CLONES, strict=True):
        blood_vaf = round(float(rng.uniform(0.02, 0.05)), 4)
        for sid in plan.loc[plan["patient_id"] == pid, "sample_id"]:
            rows.append((pid, sid, "chip", gene, change, f"blood_vaf={blood_vaf}"))
    baseline_plasma = plan[(plan["specimen"] == "ctdna") & (plan["timepoint"] == "baseline")]
    for sid, pid in zip(baseline_plasma["sample_id"], baseline_plasma["patient_id"], strict=True):
        genes = {g for g, _ in _mutations_of(by_patient.loc[pid])}
        if pid not in progressed and genes - {"TP53"}:
            rows.append(
                (pid, sid, "low_tumour_fraction", "", "", f"tumour_fraction={LOW_TUMOUR_FRACTION}")
            )
            break
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def apply_events(
    calls: list[Call],
    sample: pd.Series,
    events: pd.DataFrame,
    catalogue: pd.DataFrame,
    rng: np.random.Generator,
) -> list[Call]:
    """The sample's calls with the planned events (plan_events) added or removed."""
    mine = events[events["sample_id"] == sample["sample_id"]]
    tissue = sample["specimen"] == "tissue"
    purity = float(sample["purity"])
    present = {(c.gene, c.protein_change) for c in calls}
    dropped = mine[mine["event"] == "lost"]
    lost = set(zip(dropped["gene"], dropped["alteration"], strict=True))
    out = [c for c in calls if (c.gene, c.protein_change) not in lost]
    for event in mine.itertuples():
        key = (event.gene, event.alteration)
        if key not in catalogue.index or key in present:
            continue
        if event.event == "acquired":  # a subclone: below the clonal VAF, above every floor
            vaf = max(purity / 2 * float(rng.uniform(0.4, 0.8)), 0.015)
            out.append(Call(*key, vaf, int(rng.normal(3000, 375))))
        elif event.event == "chip":
            blood_vaf = float(event.detail.split("=")[1])
            if tissue:  # the blood normal carries the clone; the tumour, blood contamination
                vaf = blood_vaf * (1 - purity) * float(rng.uniform(0.3, 0.6))
                normal_depth = int(rng.normal(150, 20))
                out.append(Call(*key, vaf, 400, blood_vaf, normal_depth=normal_depth))
            else:  # cell-free DNA is mostly blood-derived: about the blood VAF
                out.append(Call(*key, blood_vaf * float(rng.uniform(0.8, 1.2)), 3000))
    return out


# ---------------------------------------------------------------- file writers


def _csq_entries(variant: pd.Series, allele: str) -> list[str]:
    """The canonical transcript's entry plus the catalogue's other transcripts, listed first
    so that the workflow must choose (as vcf2maf does) rather than take the first entry."""
    entries = []
    for alt in filter(None, variant.get("other_transcripts", "").split(";")):
        transcript, biotype, consequence = alt.split(":")
        fields = dict.fromkeys(CSQ_FIELDS, "")
        fields.update(
            Allele=allele,
            Consequence=consequence,
            IMPACT=IMPACT.get(consequence.split("&")[0], "MODIFIER"),
            SYMBOL=variant["gene"],
            Gene=variant.get("ensembl_gene_id", ""),
            Feature_type="Transcript",
            Feature=transcript,
            BIOTYPE=biotype,
            STRAND=variant.get("strand", ""),
        )
        entries.append("|".join(fields[f] for f in CSQ_FIELDS))
    protein_position = "".join(ch for ch in variant["protein_change"][1:] if ch.isdigit())
    fields = dict.fromkeys(CSQ_FIELDS, "")
    fields.update(
        Allele=allele,
        Consequence=variant["consequence"],
        IMPACT=IMPACT.get(variant["consequence"], "MODIFIER"),
        SYMBOL=variant["gene"],
        Gene=variant.get("ensembl_gene_id", ""),
        Feature_type="Transcript",
        Feature=variant["transcript"],
        BIOTYPE="protein_coding",
        EXON=variant["exon"],
        HGVSc=variant["hgvsc"],
        HGVSp=variant["hgvsp"].replace("=", "%3D"),
        Protein_position=protein_position,
        STRAND=variant.get("strand", ""),
        CANONICAL="YES",
        gnomADe_AF=variant.get("population_af", ""),
    )
    entries.append("|".join(fields[f] for f in CSQ_FIELDS))
    return entries


def _vep_allele(ref: str, alt: str) -> str:
    if len(ref) == len(alt) == 1:
        return alt
    return alt[1:] or "-"


def write_vcf(
    path: Path,
    calls: list[Call],
    catalogue: pd.DataFrame,
    tumor: str,
    normal: str | None,
    rng: np.random.Generator,
) -> None:
    samples = [normal, tumor] if normal else [tumor]
    header = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "##FORMAT=<ID=AD,Number=R,Type=Integer,"
        'Description="Allelic depths for the ref and alt alleles">',
        "##FORMAT=<ID=AF,Number=A,Type=Float,"
        'Description="Allele fractions of alternate alleles in the tumor">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        "##INFO=<ID=CSQ,Number=.,Type=String,"
        f'Description="Consequence annotations from Ensembl VEP. Format: {"|".join(CSQ_FIELDS)}">',
        "##MutectVersion=2.2",
        "##source=Mutect2 (synthetic example cohort, her2resist example-cohort)",
        "##reference=GRCh38",
        f"##tumor_sample={tumor}",
    ]
    if normal:
        header.append(f"##normal_sample={normal}")
    header += [f"##contig=<ID={c},length={n}>" for c, n in GRCH38_CONTIG_LENGTHS.items()]
    header.append(
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
        )
    )
    records = []
    for call in calls:
        variant = catalogue.loc[(call.gene, call.protein_change)]
        alt_reads = max(int(round(call.vaf * call.depth)), 1)
        tumour = (
            f"0/1:{call.depth - alt_reads},{alt_reads}:{alt_reads / call.depth:.4f}:{call.depth}"
        )
        columns = []
        if normal:
            normal_depth = call.normal_depth or int(rng.normal(150, 20))
            normal_alt = int(round(call.normal_vaf * normal_depth))
            gt = "0/1" if normal_alt else "0/0"
            columns.append(
                f"{gt}:{normal_depth - normal_alt},{normal_alt}:"
                f"{normal_alt / normal_depth:.4f}:{normal_depth}"
            )
        columns.append(tumour)
        csq = ",".join(_csq_entries(variant, _vep_allele(variant["ref"], variant["alt"])))
        records.append(
            (
                variant["chrom"],
                int(variant["pos"]),
                "\t".join(
                    [
                        variant["chrom"],
                        variant["pos"],
                        ".",
                        variant["ref"],
                        variant["alt"],
                        ".",
                        call.filter,
                        f"CSQ={csq}",
                        "GT:AD:AF:DP",
                        *columns,
                    ]
                ),
            )
        )
    order = list(GRCH38_CONTIG_LENGTHS)
    records.sort(key=lambda r: (order.index(r[0]), r[1]))
    path.write_text("\n".join(header + [r[2] for r in records]) + "\n", encoding="utf-8")


def write_cns(
    path: Path, patient: pd.Series, purity: float, genes: pd.DataFrame, rng: np.random.Generator
) -> None:
    """CNVkit .cns segments: neutral background with focal amplicons/deletions at real genes."""
    focal = []
    if patient["erbb2_amplified"]:
        focal.append(("ERBB2", float(rng.uniform(1.8, 3.2))))
    if patient["ccne1_gain"]:
        focal.append(("CCNE1", float(rng.uniform(1.1, 1.6))))
    if patient["fgfr1_amplified"]:
        focal.append(("FGFR1", float(rng.uniform(1.2, 2.0))))
    if patient["pi3k_alteration"] == "PTEN|deep_deletion":
        focal.append(("PTEN", float("-inf")))  # homozygous loss: copy ratio 0
    rows = []
    for contig, length in GRCH38_CONTIG_LENGTHS.items():
        events = sorted(
            (genes.loc[g, "start"] - 150_000, genes.loc[g, "end"] + 150_000, g, log2)
            for g, log2 in focal
            if str(genes.loc[g, "chrom"]) == contig
        )
        cursor = 1
        for start, end, gene, log2 in events:
            rows.append((contig, cursor, start - 1, "-", round(float(rng.normal(0, 0.05)), 4)))
            # Normal DNA in the sample dilutes the tumour's ratio: log2(p * 2^x + (1 - p)).
            observed = np.log2(purity * 2.0**log2 + (1 - purity))
            rows.append((contig, start, end, gene, round(float(observed), 4)))
            cursor = end + 1
        rows.append((contig, cursor, length, "-", round(float(rng.normal(0, 0.05)), 4)))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n")
        for contig, start, end, gene, log2 in rows:
            probes = max(int((end - start) / 50_000), 3)
            handle.write(
                f"{contig}\t{start}\t{end}\t{gene}\t{log2}\t{200.0}\t{probes}\t{probes / 10:.1f}\n"
            )


# ---------------------------------------------------------------- entry point


def generate(outdir: str | Path, seed: int = SEED, workdir: str | Path | None = None) -> Path:
    """Write the example cohort under ``outdir``; return the sample sheet path.

    The sheet's file paths are relative to ``workdir`` (the workflow's working directory, as
    the workflow resolves them), so the sheet does not depend on where the cohort was written;
    without ``workdir`` they start with ``outdir`` as given."""
    outdir = Path(outdir)
    (outdir / "vcf").mkdir(parents=True, exist_ok=True)
    (outdir / "cnv").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    genes = load_gene_coordinates()
    catalogue = load_catalogue(genes)
    patients = simulate_patients(rng)
    outcomes = simulate_outcomes(patients, rng)
    adverse_events = simulate_adverse_events(patients, rng)
    plan = sample_plan(patients, rng)
    events_rng = np.random.default_rng([seed, 2])
    events = plan_events(patients, plan, events_rng)
    low = events.loc[events["event"] == "low_tumour_fraction", "sample_id"]
    plan.loc[plan["sample_id"].isin(low), "purity"] = LOW_TUMOUR_FRACTION
    carriers = set(
        patients.loc[events_rng.random(len(patients)) < GERMLINE_I655V_PROB, "patient_id"]
    )

    sheet = []
    by_patient = patients.set_index("patient_id")
    for _, sample in plan.iterrows():
        patient = by_patient.loc[sample["patient_id"]]
        calls = calls_for_sample(
            patient, sample, catalogue, rng, germline_carrier=patient.name in carriers
        )
        calls = apply_events(calls, sample, events, catalogue, events_rng)
        tissue = sample["specimen"] == "tissue"
        tumor = sample["sample_id"]
        normal = f"{sample['patient_id']}_normal" if tissue else None
        vcf = outdir / "vcf" / f"{sample['sample_id']}.vcf"
        write_vcf(vcf, calls, catalogue, tumor, normal, rng)
        cnv = ""
        if tissue:
            cns = outdir / "cnv" / f"{sample['sample_id']}.cns"
            write_cns(cns, patient, float(sample["purity"]), genes, rng)
            cnv = cns.name
        sheet.append(
            {
                "patient_id": sample["patient_id"],
                "sample_id": sample["sample_id"],
                "specimen": sample["specimen"],
                "timepoint": sample["timepoint"],
                "variant_file": f"vcf/{vcf.name}",
                "variant_format": "vcf",
                "annotation": "vep",
                "tumor_sample": tumor,
                "normal_sample": normal or "",
                "cnv_file": f"cnv/{cnv}" if cnv else "",
                "cnv_format": "cnvkit_cns" if cnv else "",
                "purity": sample["purity"],
                "qc_status": sample["qc_status"],
            }
        )
    sheet_frame = pd.DataFrame(sheet)
    prefix = outdir.as_posix()
    if workdir is not None:
        prefix = Path(os.path.relpath(outdir.resolve(), Path(workdir).resolve())).as_posix()
    for column in ["variant_file", "cnv_file"]:
        sheet_frame[column] = [f"{prefix}/{v}" if v else "" for v in sheet_frame[column]]
    sheet_path = outdir / "samples.tsv"
    sheet_frame.to_csv(sheet_path, sep="\t", index=False, lineterminator="\n")

    clinical = patients[
        ["patient_id", "age", "ecog", "hr_status", "visceral_disease", "prior_lines"]
    ].merge(outcomes, on="patient_id")
    clinical.to_csv(outdir / "clinical.tsv", sep="\t", index=False, lineterminator="\n")
    adverse_events = trial_records.code_adverse_events(adverse_events)
    adverse_events.to_csv(outdir / "adverse_events.tsv", sep="\t", index=False, lineterminator="\n")
    # Per-visit RECIST responses and the ADaM rendering (deterministic; example_trial_records.py)
    per_visit = trial_records.visits(clinical, patients)
    per_visit.to_csv(outdir / "visits.tsv", sep="\t", index=False, lineterminator="\n")
    sums = trial_records.measurements(clinical, per_visit)
    sums.to_csv(outdir / "measurements.tsv", sep="\t", index=False, lineterminator="\n")
    (outdir / "adam").mkdir(exist_ok=True)
    adam = trial_records.adam_datasets(clinical, per_visit, adverse_events, sums)
    for name, frame in adam.items():
        frame.to_csv(outdir / "adam" / f"{name.upper()}.csv", index=False, lineterminator="\n")
    truth = patients.assign(pi3k_altered=patients["pi3k_alteration"] != "")
    truth.to_csv(outdir / "truth.tsv", sep="\t", index=False, lineterminator="\n")
    events.to_csv(outdir / "truth_events.tsv", sep="\t", index=False, lineterminator="\n")
    return sheet_path


if __name__ == "__main__":
    print(generate(sys.argv[1], workdir=Path.cwd()))
