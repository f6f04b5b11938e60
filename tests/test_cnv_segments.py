"""Segment readers on real CNVkit and DNAcopy/IGV files, plus malformed inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2resist.cnv import call_copy_number, read_segments
from her2resist.cnv.calling import _reference_and_expected_copies
from her2resist.errors import InputError

CNVKIT_FILES = [
    ("cnvkit_amplicon.cnr", "cnvkit_cnr", "cnvkit_amplicon"),
    ("cnvkit_amplicon.cns", "cnvkit_cns", "cnvkit_amplicon"),
    ("cnvkit_cl_seq.cns", "cnvkit_cns", "cnvkit_cl_seq"),
    ("cnvkit_nv3.cns", "cnvkit_cns", "cnvkit_nv3"),
    ("cnvkit_p2-9_2.call.cns", "cnvkit_cns", "cnvkit_p2-9_2"),
    ("cnvkit_p2-9_2.cnr.gz", "cnvkit_cnr", "cnvkit_p2-9_2"),
    ("cnvkit_p2-9_2.cns", "cnvkit_cns", "cnvkit_p2-9_2"),
    ("cnvkit_tr95t.segmetrics.cns", "cnvkit_cns", "cnvkit_tr95t"),
]


@pytest.fixture(scope="module")
def cnvkit_dir(shared_data: Path) -> Path:
    return shared_data / "variants" / "cnvkit"


@pytest.fixture(scope="module")
def maftools_dir(shared_data: Path) -> Path:
    return shared_data / "cohorts" / "maftools"


def _raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t")


@pytest.mark.parametrize(("name", "fmt", "sample"), CNVKIT_FILES)
def test_every_cnvkit_file_parses(cnvkit_dir: Path, name: str, fmt: str, sample: str) -> None:
    segments = read_segments(cnvkit_dir / name, fmt=fmt)
    raw = _raw(cnvkit_dir / name)
    # amplicon.cns holds 8 placeholder segments with end < start and 0 probes (old CNVkit)
    dropped = int(((raw["end"] < raw["start"]) & (raw.get("probes", 1) == 0)).sum())
    assert len(segments) == len(raw) - dropped
    assert list(segments.columns[:5]) == ["sample_id", "chrom", "start", "end", "log2"]
    assert segments.columns[-1] == "n_markers"
    assert set(segments["sample_id"]) == {sample}
    assert not segments["chrom"].str.startswith("chr").any()
    assert (segments["end"] >= segments["start"]).all()
    assert segments["log2"].notna().all()
    if fmt == "cnvkit_cnr":
        assert (segments["n_markers"] == 1).all()


def test_cnvkit_coordinates_become_one_based(cnvkit_dir: Path) -> None:
    segments = read_segments(cnvkit_dir / "cnvkit_p2-9_2.cns", fmt="cnvkit_cns")
    # raw line 2: chr1 464423 3003530 SSU72,PLCH2,PRDM16 -0.505883 ... probes 32
    first = segments.iloc[0]
    assert (first["chrom"], first["start"], first["end"]) == ("1", 464424, 3003530)
    assert first["log2"] == pytest.approx(-0.505883)
    assert first["n_markers"] == 32


def test_sample_id_argument_overrides_file_stem(cnvkit_dir: Path) -> None:
    segments = read_segments(cnvkit_dir / "cnvkit_nv3.cns", fmt="cnvkit_cns", sample_id="P1-T")
    assert set(segments["sample_id"]) == {"P1-T"}


def test_call_cns_integer_cn_is_read(cnvkit_dir: Path) -> None:
    path = cnvkit_dir / "cnvkit_p2-9_2.call.cns"
    segments = read_segments(path, fmt="cnvkit_cns")
    assert str(segments["cn"].dtype) == "Int64"
    assert segments["cn"].tolist() == _raw(path)["cn"].tolist()


# CNVkit's default `call -m threshold` cut-offs (DEL, LOSS, GAIN, AMP).
CNVKIT_DEFAULT_THRESHOLDS = (-1.1, -0.25, 0.2, 0.7)


def cnvkit_threshold_copy_number(
    log2: pd.Series, chrom: pd.Series, *, ploidy: int = 2, haploid_x_reference: bool = False
) -> np.ndarray:
    """Integer copy number as CNVkit ``call -m threshold`` assigns it, on the reference copies
    the workflow computes: counting up from 0, the first threshold the log2 is <= gives the
    copy number (scaled by reference copies / ploidy on haploid X/Y); above the last one it
    is ``ceil(r * 2^log2)``."""
    reference, _ = _reference_and_expected_copies(
        chrom.astype(str), ploidy, haploid_x_reference, None
    )

    def one(value: float, ref: float) -> int:
        if np.isnan(value):
            return int(ref)
        for cnum, limit in enumerate(CNVKIT_DEFAULT_THRESHOLDS):
            if value <= limit:
                return int(cnum * ref / ploidy) if ref != ploidy else cnum
        return int(np.ceil(ref * 2.0**value))

    values = log2.astype(float)
    return np.array([one(v, r) for v, r in zip(values, reference, strict=True)], dtype=np.int64)


def test_cnvkit_threshold_rule_reproduces_the_call_cns(cnvkit_dir: Path) -> None:
    """CNVkit `call -m threshold` (haploid-X reference) produced this file's cn column: the
    workflow's reference copies on X and Y are CNVkit's."""
    raw = _raw(cnvkit_dir / "cnvkit_p2-9_2.call.cns")
    ours = cnvkit_threshold_copy_number(raw["log2"], raw["chromosome"], haploid_x_reference=True)
    np.testing.assert_array_equal(ours, raw["cn"].to_numpy())


def _segment_calls(segments: pd.DataFrame) -> pd.DataFrame:
    frame = segments.assign(gene=[f"seg{i}" for i in range(len(segments))], n_segments=1)
    calls = call_copy_number(frame)
    return calls.assign(cnvkit_cn=segments["cn"].to_numpy())


def test_our_calls_agree_with_cnvkit_cn(cnvkit_dir: Path) -> None:
    segments = read_segments(cnvkit_dir / "cnvkit_p2-9_2.call.cns", fmt="cnvkit_cns")
    calls = _segment_calls(segments)
    autosomes = calls[~calls["chrom"].isin(["X", "Y"])]
    by_cn = autosomes.groupby("cnvkit_cn")["call"].agg(lambda c: set(c))
    # CNVkit cn >= 5 means log2 > 1 (ceil(2 * 2^log2) >= 5): our amplification, exactly.
    assert by_cn[5] == {"amplification"}
    assert (autosomes["cnvkit_cn"] >= 5).eq(autosomes["call"] == "amplification").all()
    assert by_cn[4] == {"gain"}  # 0.7 < log2 <= 1.0
    assert by_cn[3] <= {"gain", "neutral"}  # 0.2 < log2 <= 0.7 (ours starts at 0.3)
    assert by_cn[2] == {"neutral"}  # -0.25 < log2 <= 0.2
    assert by_cn[1] <= {"shallow_deletion", "neutral"}
    assert (autosomes["cnvkit_cn"] == 0).eq(autosomes["call"] == "deep_deletion").all()


def test_hand_checked_call_cns_segments(cnvkit_dir: Path) -> None:
    segments = read_segments(cnvkit_dir / "cnvkit_p2-9_2.call.cns", fmt="cnvkit_cns")
    calls = _segment_calls(segments).set_index(["chrom", "end"])
    # chr7:55513224-56138787 log2 1.20621, CNVkit cn 5: 2 * 2^1.20621 = 4.61 copies
    egfr_region = calls.loc[("7", 56138787)]
    assert egfr_region["cnvkit_cn"] == 5
    assert egfr_region["copy_number"] == 5
    assert egfr_region["call"] == "amplification"
    # chr21:14970237-15409222 log2 -1.34968, cn 0: 2 * 2^-1.35 = 0.79 copies
    chr21 = calls.loc[("21", 15409222)]
    assert (chr21["cnvkit_cn"], chr21["copy_number"], chr21["call"]) == (0, 1, "deep_deletion")


def test_laml_cbs_segments(maftools_dir: Path) -> None:
    path = maftools_dir / "LAML_CBS_segments.tsv.gz"
    segments = read_segments(path, fmt="seg")
    raw = pd.read_csv(path, sep="\t")
    assert len(segments) == len(raw) == 6470
    assert segments["sample_id"].nunique() == raw["Sample"].nunique() == 191
    assert set(segments["chrom"]) == {str(i) for i in range(1, 23)} | {"X"}
    np.testing.assert_allclose(segments["log2"], raw["Seg.CN"])  # Seg.CN is the log2 mean
    assert segments["n_markers"].tolist() == raw["Num.Markers"].tolist()
    # .seg coordinates are already 1-based: unchanged
    assert segments["start"].tolist() == raw["Start.bp"].tolist()


def test_seg_sample_selection(maftools_dir: Path) -> None:
    path = maftools_dir / "LAML_CBS_segments.tsv.gz"
    one = read_segments(path, fmt="seg", sample_id="TCGA-AB-2803")
    assert set(one["sample_id"]) == {"TCGA-AB-2803"}
    with pytest.raises(InputError, match="'TCGA-XX-0000' has no segments"):
        read_segments(path, fmt="seg", sample_id="TCGA-XX-0000")


def test_single_sample_igv_seg(maftools_dir: Path) -> None:
    segments = read_segments(maftools_dir / "TCGA.AB.3009.hg19.seg.txt", fmt="seg")
    assert len(segments) == 818
    assert set(segments["sample_id"]) == {"TCGA-AB-3009"}
    assert {"X", "Y"} <= set(segments["chrom"])
    first = segments.iloc[0]
    assert (first["start"], first["end"], first["log2"], first["n_markers"]) == (
        61735,
        86341,
        -0.683,
        15,
    )


def _write(tmp_path: Path, text: str, name: str = "x.seg") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_dnacopy_headers_and_numeric_chromosomes(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "#track name=demo\n"
        "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
        "S1\tchr23\t100\t200\t5\t0.5\n"
        "S1\t24\t300\t400\t5\t-0.5\n"
        "S2\tchr17\t1\t10\t2\tNA\n",
    )
    segments = read_segments(path, fmt="seg")
    assert segments["chrom"].tolist() == ["X", "Y"]  # NA log2 row dropped
    assert segments["sample_id"].tolist() == ["S1", "S1"]


def test_unknown_seg_header_names_use_dnacopy_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "a\tb\tc\td\te\tf\nS1\t7\t100\t200\t3\t1.5\n")
    segments = read_segments(path, fmt="seg")
    assert segments.iloc[0][["sample_id", "chrom", "start", "log2"]].tolist() == [
        "S1",
        "7",
        100,
        1.5,
    ]


def test_missing_columns_lists_expected_and_found(tmp_path: Path) -> None:
    path = _write(tmp_path, "chromosome\tstart\tend\tdepth\nchr1\t1\t10\t3\n", "s.cns")
    with pytest.raises(InputError) as err:
        read_segments(path, fmt="cnvkit_cns")
    text = str(err.value)
    assert "log2: one of log2" in text
    assert "Found columns: chromosome, start, end, depth" in text


def test_non_numeric_log2_names_the_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# comment\nchromosome\tstart\tend\tlog2\nchr1\t1\t10\t0.1\n\nchr1\t20\t30\thigh\n",
        "s.cns",
    )
    with pytest.raises(InputError) as err:
        read_segments(path, fmt="cnvkit_cns")
    problem = err.value.problems[0]
    assert (problem.where, problem.column) == (5, "log2")  # blank line 4 still counted
    assert "'high' is not a number" in problem.message


def test_end_before_start_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "Sample\tChromosome\tStart\tEnd\tSegment_Mean\nS1\t1\t500\t100\t0.2\n")
    with pytest.raises(InputError) as err:
        read_segments(path, fmt="seg")
    assert err.value.problems[0].where == 2
    assert "end 100 is before its start" in str(err.value)


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown segment format"):
        read_segments(tmp_path / "x.seg", fmt="facets")
    with pytest.raises(InputError, match="file not found"):
        read_segments(tmp_path / "absent.seg", fmt="seg")
