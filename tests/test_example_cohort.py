from pathlib import Path

import pandas as pd

from her2resist.example.cohort import PFS_HAZARD_RATIO_PI3K, generate


def test_regenerated_cohort_equals_the_shipped_one(tmp_path: Path, project_root: Path) -> None:
    shipped = project_root / "resources" / "example"
    generate(tmp_path / "example")
    ours = sorted(
        p.relative_to(tmp_path / "example")
        for p in (tmp_path / "example").rglob("*")
        if p.is_file()
    )
    theirs = sorted(
        p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file() and p.name != "README.md"
    )
    assert ours == theirs
    for relative in ours:
        if relative.name == "samples.tsv":
            continue  # paths carry the output folder
        assert (tmp_path / "example" / relative).read_bytes() == (
            shipped / relative
        ).read_bytes(), relative


def test_cohort_has_the_promised_shape(project_root: Path) -> None:
    folder = project_root / "resources" / "example"
    sheet = pd.read_csv(folder / "samples.tsv", sep="\t")
    clinical = pd.read_csv(folder / "clinical.tsv", sep="\t")
    truth = pd.read_csv(folder / "truth.tsv", sep="\t")
    assert len(clinical) == 30
    assert set(sheet["patient_id"]) == set(clinical["patient_id"]) - {"P30"}  # P30 not sequenced
    assert (sheet["qc_status"] == "fail").sum() == 1
    counts = sheet.groupby(["specimen", "timepoint"]).size()
    assert counts["tissue", "baseline"] == 29
    assert counts["ctdna", "baseline"] >= 20
    assert counts["ctdna", "progression"] >= 5
    assert truth["pi3k_altered"].sum() == 12
    assert clinical["best_response"].isin(["CR", "PR", "SD", "PD", "NE"]).all()
    assert PFS_HAZARD_RATIO_PI3K > 1
    # Real transcripts and several per variant where the sources give them (KRAS, TP53).
    text = "".join(p.read_text() for p in (folder / "vcf").glob("*.vcf"))
    assert "ENST00000263967" in text and "ENSP00000263967:p.His1047Arg" in text
    assert text.count("ENST00000445888") > 0
