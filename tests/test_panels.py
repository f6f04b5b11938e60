"""Gene panels: the three file forms of the sample sheet's panel columns, their errors, and
"profiled is not mutated" in the gene matrix (docs/design.md, Evaluability)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from her2resist import matrix
from her2resist.annotate.knowledge import load_knowledge
from her2resist.config import resolve_resources, validate_config
from her2resist.errors import InputError
from her2resist.panels import bed_regions, read_panel

CONFIG = resolve_resources(validate_config({"clinical": {"table": "-"}}))
COORDINATES = CONFIG["gene_coordinates"]  # GRCh38
METABRIC = Path("../shared/data/cohorts/brca_metabric")


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(CONFIG["pathways"], CONFIG["hotspots"], CONFIG["protein_domains"])


def test_cbioportal_gene_panel_file_with_cr_line_endings() -> None:
    """METABRIC's panel file as published (old Mac CR-only line endings): 173 genes, no MTOR."""
    genes = read_panel(METABRIC / "data_gene_panel.txt", COORDINATES)
    assert len(genes) == 173
    assert "PIK3CA" in genes and "TP53" in genes and "ERBB2" in genes
    assert "MTOR" not in genes
    assert not {"stable_id:", "METABRIC_173", "description:"} & genes


def test_plain_gene_list(tmp_path: Path) -> None:
    path = tmp_path / "panel.txt"
    path.write_text("# my assay\nHugo_Symbol\nPIK3CA\n\nERBB2  # amplicon too\r\nTP53\n")
    assert read_panel(path, COORDINATES) == {"PIK3CA", "ERBB2", "TP53"}


def test_bed_file_genes_overlapping_regions(tmp_path: Path) -> None:
    """BED is 0-based half-open; ERBB2 is chr17:39,687,914-39,728,662 (1-based, GRCh38)."""
    path = tmp_path / "targets.bed"
    path.write_text(
        "track name=targets\n"
        "chr17\t39700000\t39700200\texon\n"  # inside ERBB2
        "chr3\t179218200\t179218400\n"  # PIK3CA exon 21 region
        "chr17\t39728662\t39728700\n"  # starts right after ERBB2's last base: no overlap
        "chr1\t1000\t2000\n"  # no pathway gene
    )
    assert read_panel(path, COORDINATES) == {"ERBB2", "PIK3CA"}
    edge = tmp_path / "edge.bed"
    edge.write_text("17\t39728661\t39728662\n")  # 0-based base 39728661 = ERBB2's last base
    assert read_panel(edge, COORDINATES) == {"ERBB2"}


def test_missing_or_empty_panel_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        read_panel(tmp_path / "impact468.txt", COORDINATES)
    assert "gene panel file not found" in str(missing.value)
    assert "impact468.txt" in str(missing.value) and "fix:" in str(missing.value)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n\n")
    with pytest.raises(InputError, match="covers no gene: it names no gene"):
        read_panel(empty, COORDINATES)
    wrong_build = tmp_path / "grch37.bed"
    wrong_build.write_text("1\t1000\t2000\n")
    with pytest.raises(InputError, match="wrong genome build"):
        read_panel(wrong_build, COORDINATES)


def sheet(rows: list[list[str]]) -> pd.DataFrame:
    columns = [
        "patient_id",
        "sample_id",
        "specimen",
        "timepoint",
        "variant_file",
        "cnv_file",
        "cnv_format",
        "qc_status",
        "panel",
        "cnv_panel",
        "sv_panel",
        "sv_file",
    ]
    return pd.DataFrame(rows, columns=columns)


NO_CALLS = pd.DataFrame(
    columns=["patient_id", "sample_id", "timepoint", "gene", "specimen", "counts_as_altered"]
)


def test_metabric_sample_is_not_evaluable_for_mtor(knowledge) -> None:
    """A METABRIC sample (mutation-only, 173-gene panel) without a mutation: wild type for
    PIK3CA, not evaluable for MTOR (off the panel, so off every panel of the study: not
    assessed), and the PI3K pathway is called on the members the study assessed."""
    panel = str(METABRIC / "data_gene_panel.txt")
    samples = sheet(
        [
            [sid, sid, "tissue", "baseline", "m.maf", "", "", "pass", panel, "", "", ""]
            for sid in ("MB-0000", "MB-0002")
        ]
    )
    calls = pd.DataFrame(
        {
            "patient_id": ["MB-0002"],
            "sample_id": ["MB-0002"],
            "timepoint": ["baseline"],
            "gene": ["PIK3CA"],
            "specimen": ["tissue"],
            "counts_as_altered": [True],
        }
    )
    genes = matrix.panel_genes(knowledge, ["PIK3CA", "MTOR"], ["PI3K_AKT_MTOR"])
    long = matrix.gene_status(
        calls,
        samples,
        ["MB-0000", "MB-0002"],
        knowledge,
        genes,
        ["tissue"],
        gene_coordinates=COORDINATES,
    )
    status = long.set_index(["patient_id", "gene"])
    assert status.loc[("MB-0000", "PIK3CA"), "status"] == "wild_type"
    assert status.loc[("MB-0000", "MTOR"), "status"] == "not_evaluable"
    assert not status.loc[("MB-0000", "MTOR"), "assessed_in_study"]
    members = matrix.pathway_members(long, knowledge, ["PI3K_AKT_MTOR"]).set_index("patient_id")
    assert members.loc["MB-0000", "status"] == "wild_type"
    assert members.loc["MB-0002", "status"] == "altered"
    assert members.loc["MB-0002", "altered_members"] == "PIK3CA"
    # METABRIC_173 has PIK3CA, PIK3R1, PTEN, AKT1, AKT2 of the pathway, not the others
    assert set(members.loc["MB-0000", "not_assessed_in_study"].split(";")) == {
        "PIK3CB",
        "INPP4B",
        "AKT3",
        "MTOR",
        "TSC1",
        "TSC2",
    }
    assert "PIK3CA" in members.loc["MB-0000", "wild_type_members"].split(";")


def test_gene_off_one_panel_is_not_wild_type_unless_another_sample_covers_it(
    knowledge, tmp_path: Path
) -> None:
    small = tmp_path / "small.txt"
    small.write_text("PIK3CA\nTP53\n")
    large = tmp_path / "large.txt"
    large.write_text("PIK3CA\nTP53\nMTOR\n")
    samples = sheet(
        [
            # P1: one sample, small panel; P2: small tissue panel + plasma on the large panel
            ["P1", "P1_T", "tissue", "baseline", "a.vcf", "", "", "pass", str(small), "", "", ""],
            ["P2", "P2_T", "tissue", "baseline", "b.vcf", "", "", "pass", str(small), "", "", ""],
            ["P2", "P2_C", "ctdna", "baseline", "c.vcf", "", "", "pass", str(large), "", "", ""],
        ]
    )
    long = matrix.gene_status(
        NO_CALLS,
        samples,
        ["P1", "P2"],
        knowledge,
        ["MTOR", "TP53"],
        ["tissue", "ctdna"],
        gene_coordinates=COORDINATES,
    )
    status = long.set_index(["patient_id", "gene"])["status"]
    assert status["P1", "MTOR"] == "not_evaluable"  # MTOR is on a panel of the study
    assert status["P2", "MTOR"] == "wild_type"  # the plasma panel covers it
    assert status["P1", "TP53"] == "wild_type"


def test_copy_number_panel_and_gene_table_rows(knowledge, tmp_path: Path) -> None:
    """cnv_panel limits copy number; for a gene-level table, its rows say what was measured."""
    cnv_panel = tmp_path / "cnv.txt"
    cnv_panel.write_text("ERBB2\n")
    cnv = {  # cnv_file, cnv_format, cnv_panel: P2 and P3 from the rows of one CNA matrix
        "P1": ("a.cns", "cnvkit_cns", str(cnv_panel)),
        "P2": ("cna.txt", "gene_table", ""),
        "P3": ("cna.txt", "gene_table", ""),
    }
    samples = sheet(
        [
            [p, f"{p}_T", "tissue", "baseline", "m.maf", file, fmt, "pass", "", panel, "", ""]
            for p, (file, fmt, panel) in cnv.items()
        ]
    )
    measured = {"P2_T": frozenset({"ERBB2", "PIK3CA"}), "P3_T": frozenset()}
    long = matrix.gene_status(
        NO_CALLS,
        samples,
        ["P1", "P2", "P3"],
        knowledge,
        ["ERBB2", "PIK3CA"],
        ["tissue"],
        gene_coordinates=COORDINATES,
        cnv_genes=measured,
    )
    status = long.set_index(["patient_id", "gene"])["status"]
    assert status["P1", "ERBB2"] == "wild_type"
    assert status["P1", "PIK3CA"] == "not_evaluable"  # amplification not measured
    assert status["P2", "PIK3CA"] == "wild_type"
    assert status["P3", "ERBB2"] == "not_evaluable"  # no column in the CNA matrix


def test_plasma_without_tumour_dna_is_not_evaluable(knowledge) -> None:
    """Tumour fraction below tumour_fraction.min_for_mutations, or no estimate and no somatic
    call: not evaluable, not wild type. Tissue is unaffected."""
    samples = sheet(
        [
            ["P1", "P1_C", "ctdna", "baseline", "a.vcf", "", "", "pass", "", "", "", ""],
            ["P2", "P2_C", "ctdna", "baseline", "b.vcf", "", "", "pass", "", "", "", ""],
            ["P3", "P3_C", "ctdna", "baseline", "c.vcf", "", "", "pass", "", "", "", ""],
            ["P4", "P4_C", "ctdna", "baseline", "d.vcf", "", "", "pass", "", "", "", ""],
            ["P5", "P5_T", "tissue", "baseline", "e.vcf", "", "", "pass", "", "", "", ""],
        ]
    )
    tumour_fraction = pd.DataFrame(
        {
            "sample_id": ["P1_C", "P2_C", "P3_C", "P4_C", "P5_T"],
            "estimate": [0.004, 0.02, float("nan"), float("nan"), float("nan")],
            "deletion_evaluable": [False, False, False, False, True],
        }
    )
    calls = pd.DataFrame(  # P4: a somatic indel passed every filter (no SNV for an estimate)
        {
            "patient_id": ["P4"],
            "sample_id": ["P4_C"],
            "timepoint": ["baseline"],
            "gene": ["TP53"],
            "specimen": ["ctdna"],
            "filter_status": ["PASS"],
            "counts_as_altered": [False],
        }
    )
    long = matrix.gene_status(
        calls,
        samples,
        ["P1", "P2", "P3", "P4", "P5"],
        knowledge,
        ["MTOR"],
        ["tissue", "ctdna"],
        tumour_fraction=tumour_fraction,
        min_for_mutations=0.01,
    )
    status = long.set_index("patient_id")["status"]
    assert status["P1"] == "not_evaluable"  # 0.4 % tumour fraction
    assert status["P2"] == "wild_type"
    assert status["P3"] == "not_evaluable"  # no estimate, no somatic call
    assert status["P4"] == "wild_type"  # tumour DNA shown by a somatic call
    assert status["P5"] == "wild_type"  # tissue: no floor


def test_sample_evaluability_table_says_why(knowledge, tmp_path: Path) -> None:
    """Every sample is listed with what it measured and, if it can show nothing, why."""
    small = tmp_path / "small.txt"
    small.write_text("PIK3CA\nTP53\n")
    samples = sheet(
        [
            ["P1", "P1_C", "ctdna", "baseline", "a.vcf", "", "", "pass", "", "", "", ""],
            ["P2", "P2_T", "tissue", "baseline", "b.vcf", "b.cns", "cnvkit_cns", "pass",
             str(small), "", "", "sv.vcf"],
            ["P3", "P3_T", "tissue", "baseline", "c.vcf", "", "", "fail", "", "", "", ""],
        ]
    )  # fmt: skip
    tumour_fraction = pd.DataFrame(
        {
            "sample_id": ["P1_C", "P2_T", "P3_T"],
            "estimate": [0.004, 0.6, float("nan")],
            "deletion_evaluable": [False, True, True],
        }
    )
    coverage = matrix.sample_coverage(
        samples, tumour_fraction, gene_coordinates=COORDINATES, min_for_mutations=0.01
    )
    table = matrix.coverage_table(samples, coverage).set_index("sample_id")
    assert table.loc["P1_C", "mutation"] == "not evaluable"
    assert table.loc["P1_C", "fusion"] == "not measured"
    assert table.loc["P1_C", "reason"] == (
        "plasma tumour fraction 0.004 below tumour_fraction.min_for_mutations 0.01"
    )
    assert table.loc["P2_T", "mutation"] == "2 genes"
    assert table.loc["P2_T", "copy_number"] == "2 genes"  # cnv_panel empty: as panel
    assert table.loc["P2_T", "fusion"] == "2 genes"
    assert table.loc["P2_T", "reason"] == ""
    assert table.loc["P3_T", "mutation"] == "not measured"
    assert table.loc["P3_T", "reason"] == "failed QC"


def test_bed_regions_as_written_and_a_bad_line_named(tmp_path: Path) -> None:
    """The one BED reader (gene panels, ``her2resist variants --regions``)."""
    bed = tmp_path / "targets.bed"
    bed.write_text("track name=x\nchr17\t39687000\t39730000\tERBB2\n# note\n\n3\t10\t20\n")
    assert bed_regions(bed) == [("chr17", 39687000, 39730000), ("3", 10, 20)]
    bed.write_text("chr17\t39687000\t39730000\nchr17\tstart\tend\n")
    with pytest.raises(InputError) as error:
        bed_regions(bed)
    assert error.value.problems[0].where == 2
