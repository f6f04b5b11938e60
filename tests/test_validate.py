"""Unit checks of the validation helpers (the catalogue is in test_bad_inputs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from her2resist.cnv.segments import check_segment_header
from her2resist.errors import InputError
from her2resist.tables import data_line, read_table
from her2resist.validate import check_vcf, validate_inputs


def test_data_line_counts_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n\n1\t2\n\n\n3\t4\n")
    frame = read_table(path)
    assert [data_line(frame, i) for i in frame.index] == [3, 6]
    bad = frame["a"] == "3"
    assert data_line(bad, bad.index[bad][0]) == 6  # line numbers follow derived series


def test_check_vcf_reports_every_header_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.vcf"
    path.write_text(
        "##fileformat=VCFv4.2\n##reference=hg19\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
        "\tFORMAT\tN\tT\n"
    )
    problems, warnings = check_vcf(
        path, annotation="vep", tumor="TUM", normal="N", genome_build="GRCh38",
        sheet="s.tsv", sheet_line=4,
    )  # fmt: skip
    text = "\n".join(map(str, problems))
    assert "column 'INFO/CSQ'" in text
    assert "s.tsv, line 4, column 'tumor_sample'" in text and "'N', 'T'" in text
    assert "the VCF is GRCh37 (line 2" in text
    assert any("no records" in w.message for w in warnings)


def test_check_cnv_aliases(tmp_path: Path) -> None:
    path = tmp_path / "x.seg"
    path.write_text("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nS\t1\t1\t10\t3\t0.1\n")
    assert check_segment_header(path, "seg") == []
    assert "log2" in check_segment_header(path, "cnvkit_cns")[0].message


def test_validate_inputs_collects_across_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("clinical.tsv").write_text("patient_id\tbest_response\nP1\tyes\nP1\tPR\n")
    Path("samples.tsv").write_text(
        "patient_id\tsample_id\tspecimen\ttimepoint\tvariant_file\nP2\tS1\ttissue\tbaseline"
        "\tnope.vcf\n"
    )
    config = {
        "samples": "samples.tsv",
        "clinical": {"table": "clinical.tsv", "columns": {"best_response": "best_response"}},
        "genome_build": "GRCh38",
    }
    with pytest.raises(InputError) as caught:
        validate_inputs(config)
    text = str(caught.value)
    assert "clinical.tsv, line 3, column 'patient_id': duplicated" in text
    assert "samples.tsv, line 2, column 'variant_file': file not found" in text
    assert "samples.tsv, line 2, column 'patient_id'" in text
