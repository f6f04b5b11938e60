from pathlib import Path

import pandas as pd
from example_cohort import PFS_HAZARD_RATIO_PI3K, generate


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


def test_longitudinal_events_are_planted(project_root: Path) -> None:
    folder = project_root / "resources" / "example"
    sheet = pd.read_csv(folder / "samples.tsv", sep="\t").set_index("sample_id")
    events = pd.read_csv(folder / "truth_events.tsv", sep="\t", dtype=str)
    vcf = {p.stem: p.read_text() for p in (folder / "vcf").glob("*.vcf")}
    acquired = events[events["event"] == "acquired"]
    assert {"ERBB2|T798I", "PIK3CA|H1047R", "ERBB2|L755S"} <= set(
        acquired["gene"] + "|" + acquired["alteration"]
    )
    # ERBB2 T798I (c.2393C>T) at GRCh38 chr17:39724811, only in the progression plasma.
    t798i = acquired[acquired["alteration"] == "T798I"].iloc[0]
    assert "ENSP00000269571:p.Thr798Ile" in vcf[t798i["sample_id"]]
    assert "\t39724811\t.\tC\tT\t" in vcf[t798i["sample_id"]]
    for event in acquired.itertuples():
        assert sheet.loc[event.sample_id, "timepoint"] == "progression"
        baseline = [s for s in vcf if s.startswith(event.patient_id) and s.endswith("_BL")]
        hgvsp = {"T798I": "Thr798Ile", "H1047R": "His1047Arg", "L755S": "Leu755Ser"}.get(
            event.alteration
        )
        if hgvsp:
            assert all(hgvsp not in vcf[s] for s in baseline), event
    # CHIP clones: plasma and, for the tissue sample, in the blood normal (first sample column).
    chip = events[events["event"] == "chip"]
    assert set(chip["gene"]) == {"DNMT3A", "TET2"}
    tissue = chip[chip["sample_id"].str.endswith("tissue_BL")]
    assert len(tissue) == 4
    for event in tissue.itertuples():
        record = next(
            line
            for line in vcf[event.sample_id].splitlines()
            if f"{event.gene}|" in line and not line.startswith("#")
        )
        normal = record.split("\t")[9].split(":")
        assert int(normal[1].split(",")[1]) > 0 and float(normal[2]) < 0.2
    low = events[events["event"] == "low_tumour_fraction"]
    assert len(low) == 1 and sheet.loc[low["sample_id"].iloc[0], "purity"] < 0.05
    assert sheet.loc[low["sample_id"].iloc[0], "specimen"] == "ctdna"
