import subprocess
import sys
from pathlib import Path

import pytest

from her2resist.cli import main


def test_bad_input_exits_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("clinical:\n  table: missing.tsv\nbiomarkrs: {}\n")
    assert main(["validate", "--config", str(config), "--outdir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'biomarkrs'" in err and "did you mean 'biomarkers'" in err
    assert "Traceback" not in err


def test_cli_entry_point_lists_every_stage() -> None:
    out = subprocess.run(
        [str(Path(sys.executable).with_name("her2resist")), "--help"],
        capture_output=True,
        text=True,
    ).stdout
    for stage in [
        "validate",
        "variants",
        "cnv",
        "annotate",
        "matrix",
        "clinical",
        "associate",
    ]:
        assert stage in out


def test_stage_commands_run_outside_snakemake(tmp_path: Path, project_root: Path) -> None:
    example = project_root / "resources" / "example"
    out = tmp_path / "P01.tsv"
    assert (
        main(
            [
                "variants",
                str(example / "vcf" / "P01_tissue_BL.vcf"),
                "--annotation",
                "vep",
                "--tumor",
                "P01_tissue_BL",
                "--normal",
                "P01_normal",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert "p.H1047R" in text and "ENST00000263967" in text
    cnv_out = tmp_path / "P01_cnv.tsv"
    assert (
        main(
            [
                "cnv",
                str(example / "cnv" / "P01_tissue_BL.cns"),
                "--format",
                "cnvkit_cns",
                "--purity",
                "0.49",
                "-o",
                str(cnv_out),
            ]
        )
        == 0
    )
    assert "ERBB2" in cnv_out.read_text()


def test_variants_genes_without_config(
    tmp_path: Path, project_root: Path, capsys: pytest.CaptureFixture
) -> None:
    """--genes without --config takes the workflow's own gene table (it used to crash)."""
    import pandas as pd

    vcf = project_root / "resources" / "example" / "vcf" / "P01_tissue_BL.vcf"
    common = ["--annotation", "vep", "--tumor", "P01_tissue_BL", "--normal", "P01_normal"]
    whole, panel = tmp_path / "whole.tsv", tmp_path / "panel.tsv"
    assert main(["variants", str(vcf), *common, "-o", str(whole)]) == 0
    genes = ["PIK3CA", "ERBB2"]
    assert main(["variants", str(vcf), *common, "--genes", ",".join(genes), "-o", str(panel)]) == 0
    read = {"sep": "\t", "dtype": {"chrom": str}}
    whole_table, panel_table = pd.read_csv(whole, **read), pd.read_csv(panel, **read)
    coords = pd.read_csv(project_root / "resources" / "genes_grch38.tsv", **read)
    coords = coords[coords["gene"].isin(genes)]
    inside = whole_table.apply(
        lambda row: any(
            (row.chrom == c.chrom) and (c.start <= row.pos <= c.end) for c in coords.itertuples()
        ),
        axis=1,
    )
    assert len(panel_table) > 0
    assert panel_table.reset_index(drop=True).equals(whole_table[inside].reset_index(drop=True))
    assert main(["variants", str(vcf), *common, "--genes", "ERBB2,NOTAGENE", "-o", str(panel)]) == 2
    err = capsys.readouterr().err
    assert "NOTAGENE" in err and "Traceback" not in err
