"""Longitudinal ctDNA: baseline vs progression on real paired APL MAFs, and on the example
cohort (planted acquired/lost alterations, CHIP, low tumour fraction); concordance, features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from example_cohort import generate

from her2resist import longitudinal as lg
from her2resist.annotate.tumour_fraction import (
    adjust_plasma_copy_number,
    corrected_copy_number,
    estimate_from_vafs,
)
from her2resist.config import resolve_resources, validate_config
from her2resist.run import longitudinal as run_lg
from her2resist.variants.maf import read_maf

# ---------------------------------------------------------------- real paired MAFs (APL)

# The longitudinal rule's outputs (workflow/rules/longitudinal.smk), by role.
LONGITUDINAL_OUTPUTS = {
    "acquired": "results/longitudinal/acquired.tsv",
    "table": "results/longitudinal/table_longitudinal_changes.tsv",
    "concordance": "results/longitudinal/concordance.tsv",
    "features": "results/longitudinal/ctdna_features.tsv",
    "feature_values": "results/longitudinal/ctdna_feature_values.tsv",
    "trajectories_png": "results/longitudinal/vaf_trajectories.png",
    "trajectories_pdf": "results/longitudinal/vaf_trajectories.pdf",
    "oncoprint_png": "results/longitudinal/acquired_oncoprint.png",
    "oncoprint_pdf": "results/longitudinal/acquired_oncoprint.pdf",
}


def _apl_records(shared_data: Path) -> pd.DataFrame:
    frames = []
    for name, timepoint in (("APL_primary", "baseline"), ("APL_relapse", "progression")):
        table = read_maf(shared_data / "cohorts" / "maftools" / f"{name}.maf.gz")
        frames.append(
            table.assign(patient_id=table["sample_id"].str[:-1], timepoint=timepoint, called=True)
        )
    records = pd.concat(frames, ignore_index=True)
    records["alteration"] = lg.alteration_label(records)
    return records


def _independent_apl_counts(shared_data: Path) -> pd.DataFrame:
    """Plain pandas on the raw MAF columns: sets of (gene, change) per patient and timepoint."""
    keys = {}
    for name, suffix in (("APL_primary", "D"), ("APL_relapse", "R")):
        raw = pd.read_csv(
            shared_data / "cohorts" / "maftools" / f"{name}.maf.gz", sep="\t", dtype=str
        )
        assert raw["Tumor_Sample_Barcode"].str.endswith(suffix).all()
        change = raw["amino_acid_change"].str.removeprefix("p.")
        fallback = (
            raw["Chromosome"]
            + ":"
            + raw["Start_Position"]
            + raw["Reference_Allele"]
            + ">"
            + raw["Tumor_Seq_Allele2"]
        )
        raw["key"] = list(zip(raw["Hugo_Symbol"], change.fillna(fallback), strict=True))
        raw["patient"] = raw["Tumor_Sample_Barcode"].str[:-1]
        keys[suffix] = raw.groupby("patient")["key"].agg(set)
    both = sorted(set(keys["D"].index) & set(keys["R"].index))
    rows = []
    for patient in both:
        d, r = keys["D"][patient], keys["R"][patient]
        rows.append(
            {
                "patient_id": patient,
                "acquired": len(r - d),
                "lost": len(d - r),
                "persistent": len(d & r),
            }
        )
    return pd.DataFrame(rows).set_index("patient_id")


def test_apl_primary_relapse_changes_match_an_independent_count(shared_data: Path) -> None:
    records = _apl_records(shared_data)
    samples = records[["patient_id", "sample_id", "timepoint"]].drop_duplicates()
    result = lg.compare_timepoints(records, samples)
    counts = (
        result.groupby(["patient_id", "status"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["acquired", "lost", "persistent"], fill_value=0)
    )
    expected = _independent_apl_counts(shared_data)
    assert len(expected) == 22  # patients with both a diagnosis and a relapse sample
    pd.testing.assert_frame_equal(
        counts.rename_axis(columns=None), expected, check_names=False, check_dtype=False
    )
    totals = counts.sum()
    assert (totals["acquired"], totals["lost"], totals["persistent"]) == tuple(
        expected.sum()[["acquired", "lost", "persistent"]]
    )
    # Known biology of APL relapse: FLT3/WT1 changes; every row is one of the three.
    assert set(result["status"]) <= {"acquired", "lost", "persistent"}
    assert not result["resistance_candidate"].any()  # no knowledge base given


def test_apl_counts_are_what_they_are(shared_data: Path) -> None:
    """The numbers, pinned: 22 patients with diagnosis and relapse samples."""
    records = _apl_records(shared_data)
    samples = records[["patient_id", "sample_id", "timepoint"]].drop_duplicates()
    result = lg.compare_timepoints(records, samples)
    assert result["patient_id"].nunique() == 22
    assert result["status"].value_counts().to_dict() == {
        "persistent": 47,
        "acquired": 44,
        "lost": 31,
    }


# ---------------------------------------------------------------- compare_timepoints rules


def _rec(sample, timepoint, gene, change, called=True, vaf=0.1, alt_reads=50, specimen="ctdna"):
    return {
        "patient_id": "P1",
        "sample_id": sample,
        "timepoint": timepoint,
        "gene": gene,
        "alteration": change,
        "called": called,
        "vaf": vaf,
        "alt_reads": alt_reads,
        "specimen": specimen,
        "filter_status": "PASS" if called else "low_vaf",
    }


def test_absent_needs_alt_reads_below_threshold_at_baseline() -> None:
    samples = pd.DataFrame(
        {
            "patient_id": ["P1"] * 3,
            "sample_id": ["T", "B", "PD"],
            "timepoint": ["baseline", "baseline", "progression"],
            "specimen": ["tissue", "ctdna", "ctdna"],
        }
    )
    records = pd.DataFrame(
        [
            _rec("PD", "progression", "ERBB2", "T798I"),  # nothing at baseline: acquired
            _rec("PD", "progression", "PIK3CA", "H1047R"),
            _rec("B", "baseline", "PIK3CA", "H1047R", False, 0.002, 2),  # 2 reads: absent
            _rec("PD", "progression", "PIK3CA", "E545K"),
            _rec("B", "baseline", "PIK3CA", "E545K", False, 0.002, 8),  # 8 reads: pre-existing
            _rec("T", "baseline", "TP53", "R175H", specimen="tissue"),  # lost
            _rec("B", "baseline", "ERBB3", "V104M", vaf=0.05),
            _rec("PD", "progression", "ERBB3", "V104M", vaf=0.2),
        ]
    )
    resistance = {("ERBB2", "T798I"): "resistance:x", ("PIK3CA", "H1047R"): "both:y"}
    out = lg.compare_timepoints(records, samples, min_alt_reads=5, resistance=resistance).set_index(
        ["gene", "alteration"]
    )
    assert out.loc[("ERBB2", "T798I"), "status"] == "acquired"
    assert out.loc[("PIK3CA", "H1047R"), "status"] == "acquired"
    assert out.loc[("PIK3CA", "E545K"), "status"] == "persistent"
    assert out.loc[("TP53", "R175H"), "status"] == "lost"
    assert out.loc[("ERBB3", "V104M"), "status"] == "persistent"
    assert out.loc[("ERBB3", "V104M"), "vaf_change"] == pytest.approx(0.15)
    assert out["resistance_candidate"].sum() == 2
    assert not out.loc[("PIK3CA", "E545K"), "resistance_candidate"]


def test_kappa_and_agreement() -> None:
    assert lg.cohen_kappa(10, 0, 0, 10) == 1
    # Textbook example: 20/5/10/15 -> po 0.7, pe 0.5, kappa 0.4
    assert lg.cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)
    assert np.isnan(lg.cohen_kappa(0, 0, 0, 5))


def test_tumour_fraction_estimate_and_plasma_copy_number() -> None:
    est = estimate_from_vafs([0.10, 0.12, 0.11, 0.02])  # 0.02 is subclonal: left out
    assert est.method == "somatic_vaf" and est.n_variants == 3
    assert est.estimate == pytest.approx(0.22)
    assert estimate_from_vafs([0.7, 0.8]).estimate == 1.0  # capped
    assert estimate_from_vafs([]).method == "none"
    # 20 % tumour DNA with 12 ERBB2 copies: ratio 0.2 * 6 + 0.8 = 2.0 -> log2 1.0
    assert corrected_copy_number(1.0, 0.2) == pytest.approx(12)
    cnv = pd.DataFrame(
        {"gene": ["ERBB2"], "log2": [np.log2(1.2)], "call": ["gain"], "purity": [np.nan]}
    )
    adjusted = adjust_plasma_copy_number(cnv, 0.1)  # 0.1 * CN / 2 + 0.9 = 1.2 -> CN = 6
    assert adjusted.loc[0, "copy_number"] == pytest.approx(6)
    assert adjusted.loc[0, "call"] == "amplification"


# ---------------------------------------------------------------- the example cohort


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> dict:
    """The example cohort through variants, cnv and annotate (in process), then longitudinal."""
    from her2resist.run.annotate import run_annotate
    from her2resist.run.cnv import run_cnv
    from her2resist.run.variants import run_variants

    work = tmp_path_factory.mktemp("longitudinal")
    sheet = generate(work / "example")
    raw = yaml.safe_load((project_root / "config" / "config.yaml").read_text())
    raw["samples"] = str(sheet)
    raw["clinical"]["table"] = str(work / "example" / "clinical.tsv")
    raw["adverse_events"] = str(work / "example" / "adverse_events.tsv")
    config = resolve_resources(validate_config(raw, "config"))
    samples = pd.read_csv(sheet, sep="\t", dtype=str)
    variants, cnvs = [], []
    for s in samples.to_dict("records"):
        out = work / "variants" / f"{s['sample_id']}.tsv"
        run_variants(
            s["variant_file"],
            out,
            sample_id=s["sample_id"],
            annotation="vep",
            tumor=s["tumor_sample"],
            normal=s["normal_sample"] if isinstance(s["normal_sample"], str) else None,
        )
        variants.append(out)
        if isinstance(s["cnv_file"], str) and s["cnv_file"]:
            out = work / "cnv" / f"{s['sample_id']}.tsv"
            run_cnv(
                s["cnv_file"],
                out,
                sample_id=s["sample_id"],
                fmt="cnvkit_cns",
                thresholds=config["cnv_thresholds"],
                gene_coordinates=config["gene_coordinates"],
                purity=float(s["purity"]),
            )
            cnvs.append(out)
    alterations = work / "alterations.tsv"
    table = run_annotate(config, sheet, variants, cnvs, alterations)
    fractions = work / "tumour_fraction.tsv"
    run_lg.run_tumour_fraction(config, sheet, table, fractions)
    outputs = {k: work / "out" / Path(v).name for k, v in LONGITUDINAL_OUTPUTS.items()}
    inputs = {
        "samples": sheet,
        "clinical": work / "example" / "clinical.tsv",
        "alterations": alterations,
        "tumour_fraction": fractions,
        "hotspots": config["hotspots"],
        "variants": variants,
    }
    run_lg.run_longitudinal(config, inputs, outputs)
    run_lg.run_ctdna_features(config, inputs, outputs)
    return {
        "events": pd.read_csv(work / "example" / "truth_events.tsv", sep="\t", dtype=str),
        "alterations": pd.read_csv(alterations, sep="\t", dtype={"patient_id": str}),
        "fractions": pd.read_csv(fractions, sep="\t"),
        "outputs": outputs,
        "samples": samples,
    }


def test_planted_acquired_and_lost_are_recovered_exactly(example: dict) -> None:
    events = example["events"]
    acquired = pd.read_csv(example["outputs"]["acquired"], sep="\t")
    for status in ("acquired", "lost"):
        planted = events[events["event"] == status]
        found = acquired[acquired["status"] == status]
        assert set(
            zip(found["patient_id"], found["gene"], found["alteration"], strict=True)
        ) == set(zip(planted["patient_id"], planted["gene"], planted["alteration"], strict=True)), (
            status
        )
    gained = acquired[acquired["status"] == "acquired"].set_index(["gene", "alteration"])
    assert ("ERBB2", "T798I") in gained.index
    # Resistance knowledge base: T798I, L755S and PIK3CA H1047R yes; TP53 R175H no.
    flags = gained["resistance_candidate"].to_dict()
    assert flags == {
        ("ERBB2", "T798I"): True,
        ("PIK3CA", "H1047R"): True,
        ("ERBB2", "L755S"): True,
        ("TP53", "R175H"): False,
    }
    assert (gained["vaf_baseline"] == 0).all() and (gained["vaf_progression"] > 0).all()
    table = pd.read_csv(example["outputs"]["table"], sep="\t")
    assert table["n_acquired"].sum() == len(gained)
    for key in ("trajectories_png", "trajectories_pdf", "oncoprint_png", "oncoprint_pdf"):
        assert example["outputs"][key].stat().st_size > 1000


def test_planted_chip_is_flagged_not_germline(example: dict) -> None:
    events = example["events"]
    alterations = example["alterations"]
    chip = events[events["event"] == "chip"]
    assert len(chip) >= 8 and (chip["sample_id"].str.contains("tissue")).sum() == 4
    calls = alterations.merge(
        chip.assign(alteration="p." + chip["alteration"])[["sample_id", "gene", "alteration"]]
    )
    assert len(calls) == len(chip)
    assert calls["chip_flag"].all()
    assert not calls["germline_flag"].any()
    assert not calls["counts_as_altered"].any()
    tissue = calls[calls["specimen"] == "tissue"]
    assert (tissue["chip_reason"] == "in_normal").all()
    assert (tissue["normal_vaf"] < 0.2).all() and (tissue["normal_vaf"] > 0).all()


def test_low_tumour_fraction_sample_not_evaluable_for_deletions(example: dict) -> None:
    planted = example["events"].query("event == 'low_tumour_fraction'")["sample_id"]
    assert len(planted) == 1
    fractions = example["fractions"].set_index("sample_id")
    row = fractions.loc[planted.iloc[0]]
    assert row["estimate"] < 0.05 and row["method"] == "somatic_vaf"
    assert not row["deletion_evaluable"]
    # Every sample flagged is below the floor; tissue samples are all evaluable.
    flagged = fractions[~fractions["deletion_evaluable"]]
    assert (flagged["estimate"].fillna(0) < 0.05).all()
    assert fractions.loc[fractions["specimen"] == "tissue", "deletion_evaluable"].all()
    assert list(example["fractions"].columns[:4]) == [
        "sample_id",
        "estimate",
        "method",
        "n_variants",
    ]


def test_concordance_and_ctdna_features(example: dict) -> None:
    concordance = pd.read_csv(example["outputs"]["concordance"], sep="\t").set_index("gene")
    assert {"ppa", "npa", "kappa"} <= set(concordance.columns)
    pik3ca = concordance.loc["PIK3CA"]
    total = pik3ca[["both_positive", "tissue_only", "plasma_only", "both_negative"]].sum()
    assert total == pik3ca["n_patients"] > 15
    features = pd.read_csv(example["outputs"]["features"], sep="\t").set_index("patient_id")
    assert list(features.columns) == lg.FEATURES
    assert set(features.stack()) <= {"altered", "wild_type", "not_evaluable"}
    assert len(features) == 30
    assert (features.loc["P30"] == "not_evaluable").all()  # never sequenced
    values = pd.read_csv(example["outputs"]["feature_values"], sep="\t").set_index("patient_id")
    evaluable = values["ctdna_max_vaf"].dropna()
    above = features.loc[evaluable.index, "ctdna_max_vaf_above_median"] == "altered"
    assert (above == (evaluable > evaluable.median())).all()
