"""Gene-level inputs: cBioPortal/GISTIC discrete tables and absolute copy-number tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from her2resist.cnv import (
    CNV_COLUMNS,
    call_copy_number,
    read_gene_table,
    read_segments,
    segments_to_genes,
)
from her2resist.errors import InputError

GENES_GRCH37 = Path(__file__).parent / "data" / "cnv" / "genes_grch37_subset.tsv"
DISCRETE = {
    2: "amplification",
    1: "gain",
    0: "neutral",
    -1: "shallow_deletion",
    -2: "deep_deletion",
}


def _write(tmp_path: Path, text: str, name: str = "data_CNA.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_cbioportal_discrete_table(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Hugo_Symbol\tEntrez_Gene_Id\tTCGA-A1\tTCGA-A2\n"
        "ERBB2\t2064\t2\t0\n"
        "PTEN\t5728\t-2\tNA\n"
        "PIK3CA\t5290\t1\t-1\n"
        "CDKN2A\t1029\t-1.5\t\n",
    )
    out = read_gene_table(path)
    assert list(out.columns) == CNV_COLUMNS
    calls = out.set_index(["sample_id", "gene"])["call"]
    assert calls.to_dict() == {
        ("TCGA-A1", "ERBB2"): "amplification",
        ("TCGA-A1", "PTEN"): "deep_deletion",
        ("TCGA-A1", "PIK3CA"): "gain",
        ("TCGA-A1", "CDKN2A"): "shallow_deletion",
        ("TCGA-A2", "ERBB2"): "neutral",
        ("TCGA-A2", "PIK3CA"): "shallow_deletion",
    }  # NA and empty cells are not evaluable: absent
    assert out["copy_number"].isna().all()


def test_gistic_thresholded_by_genes_layout(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Gene Symbol\tLocus ID\tCytoband\tS1\tS2\nERBB2\t2064\t17q12\t2\t1\n",
        "all_thresholded.by_genes.txt",
    )
    out = read_gene_table(path, kind="discrete")
    assert out["sample_id"].tolist() == ["S1", "S2"]
    assert out["call"].tolist() == ["amplification", "gain"]


def test_discrete_round_trip_of_real_laml_calls(tmp_path: Path, shared_data: Path) -> None:
    """Write our TCGA-LAML gene calls as a cBioPortal data_CNA table and read them back."""
    genes = pd.read_csv(GENES_GRCH37, sep="\t", dtype={"chrom": str})
    segments = read_segments(shared_data / "cohorts/maftools/LAML_CBS_segments.tsv.gz", fmt="seg")
    ours = call_copy_number(segments_to_genes(segments, genes))
    code = {call: value for value, call in DISCRETE.items()}
    wide = (
        ours.assign(value=ours["call"].map(code))
        .pivot(index="gene", columns="sample_id", values="value")
        .rename_axis(index="Hugo_Symbol", columns=None)
        .reset_index()
    )
    path = tmp_path / "data_CNA.txt"
    wide.to_csv(path, sep="\t", index=False)
    back = read_gene_table(path)
    merged = ours.merge(back, on=["sample_id", "gene"], suffixes=("", "_read"))
    assert len(merged) == len(ours) == 191 * len(genes)
    assert (merged["call"] == merged["call_read"]).all()


def test_discrete_value_out_of_range_names_line_and_sample(tmp_path: Path) -> None:
    path = _write(tmp_path, "Hugo_Symbol\tS1\tS2\nERBB2\t0\t0\nMYC\t0\t3\n")
    with pytest.raises(InputError) as err:
        read_gene_table(path)
    problem = err.value.problems[0]
    assert (problem.where, problem.column) == (3, "S2")
    assert "'3' is not a discrete copy-number call" in problem.message


def test_absolute_table(tmp_path: Path) -> None:
    rows = [("S1", "PTEN", 0), ("S1", "TP53", 1), ("S1", "KRAS", 2), ("S1", "MYC", 3)]
    rows += [("S1", "CCND1", 4), ("S1", "CDK4", 5), ("S1", "ERBB2", 12), ("S2", "ERBB2", "NA")]
    text = "sample_id\tgene\tcopy_number\n" + "".join(f"{s}\t{g}\t{c}\n" for s, g, c in rows)
    path = _write(tmp_path, text, "absolute.tsv")
    out = read_gene_table(path)
    assert list(out.columns) == CNV_COLUMNS
    calls = out.set_index("gene")
    assert calls["call"].to_dict() == {
        "PTEN": "deep_deletion",
        "TP53": "shallow_deletion",  # log2(1/2) = -1
        "KRAS": "neutral",
        "MYC": "gain",  # log2(3/2) = 0.58
        "CCND1": "gain",  # log2(4/2) = 1.0, not above 1.0
        "CDK4": "amplification",
        "ERBB2": "amplification",
    }  # S2's NA is not evaluable
    assert calls.loc["ERBB2", "copy_number"] == 12
    # with an absolute rule (CN >= 6) 5 copies are a gain
    ruled = read_gene_table(path, thresholds={"amplification_cn": 6}).set_index("gene")
    assert ruled.loc["CDK4", "call"] == "gain"
    assert ruled.loc["ERBB2", "call"] == "amplification"


def test_absolute_table_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "sample_id\tgene\tcopy_number\nS1\tERBB2\t-1\n", "a.tsv")
    with pytest.raises(InputError) as err:
        read_gene_table(path)
    assert err.value.problems[0].where == 2
    path = _write(tmp_path, "sample_id\tgene\tcopy_number\nS1\tERBB2\tmany\n", "b.tsv")
    with pytest.raises(InputError, match="'many' is not a number"):
        read_gene_table(path, kind="absolute")
    path = _write(tmp_path, "sample_id\tcopy_number\nS1\t3\n", "c.tsv")
    with pytest.raises(InputError, match="gene: one of gene"):
        read_gene_table(path, kind="absolute")


def test_unrecognised_layout(tmp_path: Path) -> None:
    path = _write(tmp_path, "name\tvalue\nERBB2\t2\n", "x.tsv")
    with pytest.raises(InputError, match="cannot tell the gene table's layout") as err:
        read_gene_table(path)
    assert "found columns name, value" in str(err.value)
    with pytest.raises(InputError, match="unknown gene table kind"):
        read_gene_table(path, kind="gistic")


def test_frame_types_concatenate_with_segment_calls(tmp_path: Path) -> None:
    """Gene-table rows and segment-derived rows share CNV_COLUMNS and stack cleanly."""
    path = _write(tmp_path, "Hugo_Symbol\tS9\nERBB2\t2\n")
    table_rows = read_gene_table(path)
    segment_rows = call_copy_number(
        pd.DataFrame(
            [{"sample_id": "S1", "gene": "ERBB2", "chrom": "17", "start": 1, "end": 2}]
        ).assign(log2=1.5, n_segments=1)
    )
    both = pd.concat([segment_rows, table_rows], ignore_index=True)
    assert both["call"].tolist() == ["amplification", "amplification"]
