"""An OncoKB-annotated MAF (MafAnnotator's ONCOGENIC column) in place of the built-in rules.

The MAF is synthetic: real genes and protein changes, illustrative coordinates, and ONCOGENIC
values written as OncoKB's MafAnnotator writes them (chosen for the test).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_annotate import annotate_sample
from workdirs import run_snakemake

from her2resist.annotate.alterations import apply_oncokb
from her2resist.annotate.knowledge import load_knowledge
from her2resist.annotate.oncokb import COLUMNS, ONCOGENICITY, oncokb_call
from her2resist.config import resolve_resources, validate_config
from her2resist.errors import InputError
from her2resist.run.annotate import run_annotate
from her2resist.run.variants_maf import run_variants_from_maf
from her2resist.variants.maf import read_maf
from her2resist.variants.schema import EXTRA_COLUMNS, VARIANT_COLUMNS

CONFIG = resolve_resources(validate_config({"clinical": {"table": "-"}}))
FILTERS = CONFIG["filters"]

MAF_COLUMNS = [
    "Hugo_Symbol",
    "Chromosome",
    "Start_Position",
    "End_Position",
    "Reference_Allele",
    "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2",
    "Variant_Classification",
    "Variant_Type",
    "Tumor_Sample_Barcode",
    "HGVSp_Short",
    "t_depth",
    "t_alt_count",
    "n_depth",
    "n_alt_count",
    "FILTER",
]
# gene, chrom, pos, ref, alt, class, type, sample, HGVSp_Short, t_depth, t_alt,
# MUTATION_EFFECT, ONCOGENIC, HIGHEST_LEVEL
ROWS = [
    # built-in rules: no hotspot, not truncating -> vus; OncoKB: Oncogenic
    ("ERBB2", "17", 39724730, "TTGAGGGAAAACACA", "-", "In_Frame_Del", "DEL", "P01-T",
     "p.L755_T759del", 300, 60, "Gain-of-function", "Oncogenic", "LEVEL_3B"),
    # a hotspot that OncoKB also calls Oncogenic
    ("PIK3CA", "3", 179234297, "A", "G", "Missense_Mutation", "SNP", "P01-T",
     "p.H1047R", 400, 80, "Gain-of-function", "Oncogenic", "LEVEL_1"),
    # MafAnnotator output read case-insensitively: written in OncoKB's spelling
    ("TP53", "17", 7674220, "C", "T", "Missense_Mutation", "SNP", "P01-T",
     "p.R248Q", 400, 100, "Loss-of-function", "likely oncogenic", ""),
    # OncoKB has not curated it (Unknown): auto falls back to the built-in rules
    ("ERBB3", "12", 56097861, "C", "T", "Missense_Mutation", "SNP", "P02-T",
     "p.A1000V", 400, 90, "Unknown", "Unknown", ""),
    # not annotated by OncoKB (empty): a hotspot by the built-in rules
    ("PTEN", "10", 87933148, "G", "A", "Missense_Mutation", "SNP", "P02-T",
     "p.R130Q", 400, 90, "", "", ""),
    # Oncogenic, but too shallow for tissue (min_depth 50): the filter still applies
    ("AKT1", "14", 104780214, "C", "T", "Missense_Mutation", "SNP", "P02-T",
     "p.E17K", 30, 10, "Gain-of-function", "Oncogenic", "LEVEL_3A"),
    # a common polymorphism OncoKB calls Likely Neutral
    ("TP53", "17", 7676154, "G", "C", "Missense_Mutation", "SNP", "P02-T",
     "p.P72R", 400, 200, "Likely Neutral", "Likely Neutral", ""),
    # resistance to a targeted drug (OncoKB Resistance)
    ("ERBB2", "17", 39727827, "C", "T", "Missense_Mutation", "SNP", "P03-T",
     "p.T798I", 400, 60, "Likely Gain-of-function", "Resistance", "LEVEL_R2"),
]  # fmt: skip
HEADER_LINE = 2  # one "#version" comment line above the header


def write_maf(path: Path, rows=ROWS, oncokb: bool = True) -> Path:
    header = MAF_COLUMNS + (["MUTATION_EFFECT", "ONCOGENIC", "HIGHEST_LEVEL"] if oncokb else [])
    lines = ["#version 2.4", "\t".join(header)]
    for row in rows:
        gene, chrom, pos, ref, alt, kind, vtype, sample, hgvsp, depth, alt_reads = row[:11]
        end = pos + max(len(ref), 1) - 1
        fields = [gene, chrom, pos, end, ref, ref, alt, kind, vtype, sample, hgvsp]
        fields += [depth, alt_reads, 60, 0, "PASS"]
        if oncokb:
            fields += list(row[11:])
        lines.append("\t".join(map(str, fields)))
    path.write_text("\n".join(lines) + "\n")
    return path


def sample(sample_id: str, variant_file: str = "") -> dict:
    return {
        "patient_id": sample_id[:3],
        "sample_id": sample_id,
        "specimen": "tissue",
        "timepoint": "baseline",
        "qc_status": "pass",
        "variant_file": variant_file,
    }


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(CONFIG["pathways"], CONFIG["hotspots"], CONFIG["protein_domains"])


@pytest.fixture
def maf(tmp_path: Path) -> Path:
    return write_maf(tmp_path / "oncokb.maf")


def annotate(table: pd.DataFrame, knowledge, source: str = "auto") -> pd.DataFrame:
    frames = [
        annotate_sample(
            rows.reset_index(drop=True),
            None,
            sample(str(sid)),
            knowledge,
            FILTERS,
            oncogenicity_source=source,
        )
        for sid, rows in table.groupby("sample_id", sort=True)
    ]
    return pd.concat(frames, ignore_index=True).set_index(["gene", "alteration"])


# ---------------------------------------------------------------- read_maf


def test_read_maf_keeps_the_oncokb_columns(maf: Path) -> None:
    table = read_maf(maf)
    n = len(VARIANT_COLUMNS + EXTRA_COLUMNS)
    assert list(table.columns[:n]) == VARIANT_COLUMNS + EXTRA_COLUMNS
    assert list(table.columns[n:]) == list(COLUMNS)
    assert table["ONCOGENIC"].tolist() == [
        "Oncogenic",
        "Oncogenic",
        "Likely Oncogenic",  # "likely oncogenic" in the file
        "Unknown",
        None,
        "Oncogenic",
        "Likely Neutral",
        "Resistance",
    ]
    assert table["HIGHEST_LEVEL"].tolist()[:3] == ["LEVEL_3B", "LEVEL_1", None]
    assert table["MUTATION_EFFECT"].iloc[0] == "Gain-of-function"


def test_maf_without_the_columns_reads_as_before(maf: Path, tmp_path: Path) -> None:
    plain = read_maf(write_maf(tmp_path / "plain.maf", oncokb=False))
    assert not set(COLUMNS) & set(plain.columns)
    assert list(plain.columns) == VARIANT_COLUMNS + EXTRA_COLUMNS
    pd.testing.assert_frame_equal(read_maf(maf).drop(columns=list(COLUMNS)), plain)


def test_invalid_oncogenic_value_names_file_line_and_allowed_values(tmp_path: Path) -> None:
    rows = [ROWS[0], (*ROWS[1][:12], "Pathogenic", ""), ROWS[2], (*ROWS[3][:12], "Yes", "")]
    path = write_maf(tmp_path / "bad oncokb.maf", rows)
    with pytest.raises(InputError) as caught:
        read_maf(path)
    problems = caught.value.problems
    assert [p.where for p in problems] == [HEADER_LINE + 2, HEADER_LINE + 4]  # every bad line
    text = str(caught.value)
    assert f"{path}, line {HEADER_LINE + 2}, column 'ONCOGENIC'" in text
    assert "'Pathogenic', not an OncoKB oncogenicity class" in text
    for value in ONCOGENICITY:
        assert f"'{value}'" in text


# ---------------------------------------------------------------- annotate


def test_oncokb_decides_where_it_has_a_class(maf: Path, knowledge) -> None:
    result = annotate(read_maf(maf), knowledge, "auto")
    deletion = result.loc[("ERBB2", "p.L755_T759del")]
    assert (deletion.oncogenicity, deletion.oncogenicity_rule) == ("oncogenic", "oncokb:Oncogenic")
    assert deletion.counts_as_altered and deletion.filter_status == "PASS"
    hotspot = result.loc[("PIK3CA", "p.H1047R")]
    assert (hotspot.oncogenicity, hotspot.oncogenicity_rule) == ("oncogenic", "oncokb:Oncogenic")
    tp53 = result.loc[("TP53", "p.R248Q")]
    assert (tp53.oncogenicity, tp53.oncogenicity_rule) == (
        "likely_oncogenic",
        "oncokb:Likely Oncogenic",
    )
    neutral = result.loc[("TP53", "p.P72R")]
    assert (neutral.oncogenicity, neutral.oncogenicity_rule) == ("benign", "oncokb:Likely Neutral")
    assert not neutral.counts_as_altered
    resistance = result.loc[("ERBB2", "p.T798I")]
    assert resistance.oncogenicity == "likely_oncogenic" and resistance.counts_as_altered
    assert resistance.oncogenicity_rule == "oncokb:Resistance"
    assert resistance.resistance_evidence == "PMID:28274957"  # resources/hotspots.tsv (Hanker 2017)


def test_auto_falls_back_to_builtin_rules_where_oncokb_has_no_call(maf: Path, knowledge) -> None:
    result = annotate(read_maf(maf), knowledge, "auto")
    unknown = result.loc[("ERBB3", "p.A1000V")]
    assert (unknown.oncogenicity, unknown.oncogenicity_rule) == ("vus", "no_rule_matched")
    empty = result.loc[("PTEN", "p.R130Q")]
    assert empty.oncogenicity == "hotspot" and empty.oncogenicity_rule.startswith("hotspot:")
    assert empty.counts_as_altered


def test_filters_still_apply_to_oncokb_calls(maf: Path, knowledge) -> None:
    akt1 = annotate(read_maf(maf), knowledge, "auto").loc[("AKT1", "p.E17K")]
    assert (akt1.oncogenicity, akt1.oncogenicity_rule) == ("oncogenic", "oncokb:Oncogenic")
    assert akt1.filter_status == "low_depth" and not akt1.counts_as_altered


def test_builtin_ignores_the_column(maf: Path, tmp_path: Path, knowledge) -> None:
    with_column = annotate(read_maf(maf), knowledge, "builtin")
    deletion = with_column.loc[("ERBB2", "p.L755_T759del")]
    assert (deletion.oncogenicity, deletion.oncogenicity_rule) == ("vus", "no_rule_matched")
    assert not deletion.counts_as_altered
    assert not with_column["oncogenicity_rule"].str.startswith("oncokb").any()
    plain = read_maf(write_maf(tmp_path / "plain.maf", oncokb=False))
    pd.testing.assert_frame_equal(with_column, annotate(plain, knowledge, "builtin"))
    # a MAF without the column gives the same calls under every setting but oncokb
    pd.testing.assert_frame_equal(annotate(plain, knowledge, "auto"), with_column)


def test_oncokb_only(maf: Path, tmp_path: Path, knowledge) -> None:
    result = annotate(read_maf(maf), knowledge, "oncokb")
    assert result.loc[("ERBB3", "p.A1000V")].oncogenicity_rule == "oncokb:Unknown"
    empty = result.loc[("PTEN", "p.R130Q")]
    assert (empty.oncogenicity, empty.oncogenicity_rule) == ("vus", "oncokb:not_annotated")
    assert result["oncogenicity_rule"].str.startswith("oncokb:").all()
    plain = read_maf(write_maf(tmp_path / "plain.maf", oncokb=False))
    with pytest.raises(InputError, match="no ONCOGENIC column"):
        annotate(plain, knowledge, "oncokb")


def test_invalid_value_in_a_variant_table_is_an_input_error(maf: Path, knowledge) -> None:
    table = read_maf(maf)
    table = table[table["sample_id"] == "P01-T"].reset_index(drop=True)
    table.loc[0, "ONCOGENIC"] = "Driver"
    with pytest.raises(InputError) as caught:
        annotate_sample(table, None, sample("P01-T", "cohort.maf"), knowledge, FILTERS)
    text = str(caught.value)
    assert text.startswith("cohort.maf, sample P01-T, variant ERBB2 p.L755_T759del")
    assert "'Driver', not an OncoKB oncogenicity class" in text and "'Likely Oncogenic'" in text


def test_oncokb_call_table() -> None:
    assert oncokb_call("Predicted Oncogenic", "auto") == (
        "likely_oncogenic",
        "oncokb:Predicted Oncogenic",
    )
    assert oncokb_call("Inconclusive", "auto") == ("vus", "oncokb:Inconclusive")
    assert oncokb_call(float("nan"), "auto") is None
    assert oncokb_call("Oncogenic", "builtin") is None
    with pytest.raises(ValueError):
        oncokb_call("Neutral", "auto")
    # OncoKB Resistance without evidence in resources/: OncoKB is the evidence
    builtin = ("vus", "no_rule_matched", "")
    assert apply_oncokb({"ONCOGENIC": "Resistance"}, builtin, "auto", sample("P09-T")) == (
        "likely_oncogenic",
        "oncokb:Resistance",
        "OncoKB",
    )


def test_config_key_defaults_to_auto_and_is_checked() -> None:
    assert CONFIG["annotate"] == {"oncogenicity_source": "auto"}
    with pytest.raises(InputError, match="use one of auto, builtin, oncokb"):
        validate_config({"clinical": {"table": "-"}, "annotate": {"oncogenicity_source": "x"}})


# ---------------------------------------------------------------- stages and workflow


def test_cohort_maf_stages_carry_the_column_to_annotate(maf: Path, tmp_path: Path) -> None:
    """variants_from_maf writes the columns into the cohort table (an empty value as NA);
    annotate reads them back from there."""
    ids = ("P01-T", "P02-T", "P03-T")
    out = tmp_path / "variants" / "cohort.tsv"
    run_variants_from_maf(maf, out, ids)
    written = pd.read_csv(out, sep="\t")
    assert list(written.columns[-3:]) == list(COLUMNS)
    assert set(written["sample_id"]) == {"P01-T", "P02-T", "P03-T"}
    samples = pd.DataFrame([sample(sid, str(maf)) for sid in ids])
    samples.to_csv(tmp_path / "samples.tsv", sep="\t", index=False)
    table = run_annotate(
        CONFIG, tmp_path / "samples.tsv", [out], [], tmp_path / "alt.tsv"
    ).set_index(["gene", "alteration"])
    assert table.loc[("ERBB2", "p.L755_T759del"), "oncogenicity_rule"] == "oncokb:Oncogenic"
    assert table.loc[("PTEN", "p.R130Q"), "oncogenicity"] == "hotspot"


@pytest.mark.slow
@pytest.mark.xdist_group("workflow")
def test_workflow_cohort_maf_uses_oncokb(maf: Path, tmp_path: Path, project_root: Path) -> None:
    """snakemake up to the annotate stage on the cohort-MAF path (a few seconds)."""
    work = tmp_path / "work"
    work.mkdir()
    clinical = pd.DataFrame(
        {"patient_id": ["P01", "P02", "P03"], "os_months": [10.0, 20.0, 5.0], "os_event": 1}
    )
    clinical.to_csv(work / "clinical.tsv", sep="\t", index=False)
    config = {
        "maf": str(maf),
        "maf_patient_id_length": 3,
        "clinical": {
            "table": "clinical.tsv",
            "source": "times",
            "columns": {"patient_id": "patient_id", "os_time": "os_months", "os_event": "os_event"},
        },
        "endpoints": ["os"],
    }
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    completed = run_snakemake(
        project_root,
        work,
        "results/annotated/alterations.tsv",
        "--configfile",  # last: it takes every path after it
        str(work / "config.yaml"),
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    variants = pd.read_csv(work / "results/variants/cohort.tsv", sep="\t")
    assert "ONCOGENIC" in variants.columns
    assert not (work / "results/variants/P01-T.tsv").exists()  # one table, not one per sample
    alterations = pd.read_csv(work / "results/annotated/alterations.tsv", sep="\t")
    rules = alterations.set_index(["gene", "alteration"])["oncogenicity_rule"]
    assert rules[("ERBB2", "p.L755_T759del")] == "oncokb:Oncogenic"
    assert rules[("ERBB3", "p.A1000V")] == "no_rule_matched"


def test_run_annotate_honours_the_config_key(maf: Path, tmp_path: Path) -> None:
    ids = ("P01-T", "P02-T", "P03-T")
    out = tmp_path / "variants" / "cohort.tsv"
    run_variants_from_maf(maf, out, ids)
    pd.DataFrame([sample(sid, str(maf)) for sid in ids]).to_csv(
        tmp_path / "samples.tsv", sep="\t", index=False
    )
    config = CONFIG | {"annotate": {"oncogenicity_source": "builtin"}}
    table = run_annotate(config, tmp_path / "samples.tsv", [out], [], tmp_path / "alt.tsv")
    assert not table["oncogenicity_rule"].str.startswith("oncokb:").any()
