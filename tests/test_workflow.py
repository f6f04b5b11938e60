"""End to end: the workflow on the example cohort, in a fresh working directory."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]


@pytest.fixture(scope="module")
def workdir(example_run: Path) -> Path:
    return example_run


def test_main_outputs_exist(workdir: Path) -> None:
    for relative in [
        "results/stats/pfs_associations.tsv",
        "results/stats/response_associations.tsv",
        "results/matrix/pathway_by_patient.tsv",
        "results/tables/table1_baseline_characteristics.tsv",
        "results/tables/table4_biomarker_associations.tsv",
    ]:
        assert (workdir / relative).is_file(), relative


def test_planted_pi3k_effect_is_recovered(workdir: Path) -> None:
    pfs = pd.read_csv(workdir / "results/stats/pfs_associations.tsv", sep="\t").set_index(
        "biomarker"
    )
    pi3k = pfs.loc["pathway:PI3K_AKT_MTOR"]
    assert pi3k["hr"] > 1.5, "PI3K-altered patients should progress sooner"
    assert pi3k["median_altered"] < pi3k["median_wild_type"]
    response = pd.read_csv(workdir / "results/stats/response_associations.tsv", sep="\t")
    orr = response[
        (response["biomarker"] == "pathway:PI3K_AKT_MTOR") & (response["endpoint"] == "orr")
    ].iloc[0]
    assert orr["rate_altered"] < orr["rate_wild_type"]
    assert orr["odds_ratio"] < 1


def test_every_patient_and_sample_accounted_for(workdir: Path) -> None:
    listing = pd.read_csv(
        workdir / "results/tables/disposition_by_patient_and_sample.tsv", sep="\t"
    )
    clinical = pd.read_csv(workdir / "resources/example/clinical.tsv", sep="\t")
    sheet = pd.read_csv(workdir / "resources/example/samples.tsv", sep="\t")
    patients = listing[listing["level"] == "patient"]
    samples = listing[listing["level"] == "sample"]
    assert sorted(patients["id"]) == sorted(clinical["patient_id"])
    assert sorted(samples["id"]) == sorted(sheet["sample_id"])
    assert not patients["id"].duplicated().any() and not samples["id"].duplicated().any()
    p30 = patients.set_index("id").loc["P30"]
    assert "not sequenced" in p30["reason"]
    failed = samples.set_index("id").loc["P12_tissue_BL"]
    assert failed["status"] == "excluded" and "QC" in failed["reason"]
    genes = pd.read_csv(workdir / "results/matrix/gene_by_patient.tsv", sep="\t").set_index(
        "patient_id"
    )
    assert (genes.loc["P12"].drop("timepoint") == "not_evaluable").all()


def test_rerun_has_nothing_to_do(workdir: Path, project_root: Path) -> None:
    snakemake = Path(sys.executable).with_name("snakemake")
    completed = subprocess.run(
        [
            str(snakemake),
            "-s",
            str(project_root / "workflow" / "Snakefile"),
            "-d",
            str(workdir),
            "-n",
            "--cores",
            "1",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0
    assert "Nothing to be done" in completed.stdout + completed.stderr


def test_read_regions_pathway_genes(workdir: Path, project_root: Path, tmp_path: Path) -> None:
    """`read_regions: pathway_genes` tabulates exactly the full table's records that overlap
    the pathway/CHIP gene regions (the example's VCFs are plain text: regions are streamed)."""
    import yaml
    from workdirs import example_workdir, run_snakemake

    from her2resist.annotate.knowledge import panel_regions
    from her2resist.config import load_config

    work = example_workdir(tmp_path, project_root, patients={"P01"})
    config_path = work / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["read_regions"] = "pathway_genes"
    config_path.write_text(yaml.safe_dump(config))
    target = "results/variants/P01_tissue_BL.tsv"
    completed = run_snakemake(project_root, work, target)
    assert completed.returncode == 0, completed.stderr[-3000:]

    full = pd.read_csv(workdir / target, sep="\t", dtype=str, keep_default_na=False)
    regional = pd.read_csv(work / target, sep="\t", dtype=str, keep_default_na=False)
    regions = panel_regions(load_config(config_path))
    start, end = full["pos"].astype(int), full["pos"].astype(int) + full["ref"].str.len() - 1
    inside = pd.Series(False, index=full.index)
    for chrom, first, last in regions:
        inside |= (full["chrom"] == chrom) & (start <= last) & (end >= first)
    assert 0 < len(regional) <= len(full)
    pd.testing.assert_frame_equal(regional, full[inside].reset_index(drop=True))


def test_domain_biomarkers_are_tested(workdir: Path) -> None:
    """Every biomarkers.domains marker is a matrix column and a tested (or counted) biomarker."""
    import yaml

    domains = yaml.safe_load((workdir / "config" / "config.yaml").read_text())["biomarkers"][
        "domains"
    ]
    assert domains
    matrix = pd.read_csv(workdir / "results/matrix/gene_by_patient.tsv", sep="\t")
    pfs = pd.read_csv(workdir / "results/stats/pfs_associations.tsv", sep="\t")
    for marker in domains:
        assert marker in matrix.columns, marker
        assert marker in set(pfs["biomarker"]), marker
    # ERBB2 mutations of the example: L755S, T798I, V777L (kinase), S310F (extracellular)
    baseline = matrix[matrix["timepoint"] == "baseline"].set_index("patient_id")
    assert (baseline["ERBB2:kinase"] == "altered").sum() >= 1


def test_matrix_uses_tumour_fraction_for_deletions(workdir: Path, tmp_path: Path) -> None:
    """A sample too dilute to show a deletion (annotate's tumour_fraction.tsv) is not
    evaluable for deep-deletion genes: PTEN is then never wild type."""
    from her2resist.config import load_config
    from her2resist.run.matrix import run_matrix

    config = load_config(workdir / "config" / "config.yaml")
    results = workdir / "results"
    fractions = pd.read_csv(results / "annotated/tumour_fraction.tsv", sep="\t")
    diluted = tmp_path / "tumour_fraction.tsv"
    fractions.assign(deletion_evaluable=False).to_csv(diluted, sep="\t", index=False)
    statuses = {}
    for name, fraction_file in (("as_run", results / "annotated/tumour_fraction.tsv"),
                                ("diluted", diluted)):  # fmt: skip
        genes = tmp_path / f"{name}_genes.tsv"
        run_matrix(
            config,
            results / "validated/samples.tsv",
            results / "validated/clinical.tsv",
            results / "annotated/alterations.tsv",
            genes,
            tmp_path / f"{name}_pathways.tsv",
            fraction_file,
        )
        statuses[name] = pd.read_csv(genes, sep="\t")["PTEN"]
    assert (statuses["as_run"] == "wild_type").any()
    assert not (statuses["diluted"] == "wild_type").any()
    assert (statuses["diluted"] == "altered").sum() == (statuses["as_run"] == "altered").sum()


def test_a_sample_whose_own_file_is_a_maf(project_root: Path, tmp_path: Path) -> None:
    """A sheet row with ``variant_format: maf`` is read by the MAF reader's rule
    (variants_from_sample_maf), the other samples by the VCF rule, in one run."""
    from workdirs import example_workdir, run_snakemake

    from her2resist.run.variants_maf import run_variants_from_maf

    work = example_workdir(tmp_path, project_root, patients={"P01"})
    maf = work / "P01_tissue_BL.maf"
    columns = "Hugo_Symbol Chromosome Start_Position End_Position Reference_Allele "
    columns += "Tumor_Seq_Allele2 Variant_Classification Variant_Type Tumor_Sample_Barcode "
    columns += "HGVSp_Short t_depth t_alt_count"
    rows = [
        "ERBB2 17 39724731 39724731 T C Missense_Mutation SNP P01_tissue_BL p.L755S 210 52",
        "PIK3CA 3 179234297 179234297 A G Missense_Mutation SNP P01_tissue_BL p.H1047R 180 40",
        "TP53 17 7675088 7675088 C T Missense_Mutation SNP OTHER_SAMPLE p.R175H 90 30",
    ]
    maf.write_text("\n".join("\t".join(line.split()) for line in [columns, *rows]) + "\n")
    sheet = work / "resources" / "example" / "samples.tsv"
    lines = sheet.read_text().splitlines()
    header = lines[0].split("\t")
    for number, line in enumerate(lines[1:], start=1):
        cells = dict(zip(header, line.split("\t"), strict=True))
        if cells["sample_id"] == "P01_tissue_BL":
            cells |= {"variant_file": maf.name, "variant_format": "maf", "annotation": "maf"}
            cells |= {"tumor_sample": "", "normal_sample": ""}
            lines[number] = "\t".join(cells[c] for c in header)
    sheet.write_text("\n".join(lines) + "\n")
    targets = ["results/variants/P01_tissue_BL.tsv", "results/variants/P01_ctDNA_BL.tsv"]
    completed = run_snakemake(project_root, work, *targets)
    assert completed.returncode == 0, completed.stderr[-3000:]
    log = completed.stdout + completed.stderr
    assert log.count("rule variants_from_sample_maf:") == 1 and log.count("rule variants:") == 1
    expected = tmp_path / "expected.tsv"
    run_variants_from_maf(maf, expected, ["P01_tissue_BL"])
    written = (work / targets[0]).read_text()
    assert written == expected.read_text() and written.count("\n") == 3  # header + 2 rows
    assert "variant rows written" in (work / "logs" / "variants" / "P01_tissue_BL.log").read_text()
