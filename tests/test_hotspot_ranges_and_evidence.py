"""In-frame indel hotspots (Cancer Hotspots v2 ranges) and CIViC anti-HER2 evidence, from the
protein changes MAFs and VEP write, through annotate's alterations to the gene matrix."""

import sys
from pathlib import Path

import pandas as pd
import pytest
from test_annotate import CONFIG, FILTERS, SAMPLE, annotate_sample, variant

from her2resist import matrix
from her2resist.annotate.alterations import with_evidence
from her2resist.annotate.evidence import load_evidence, variant_rule
from her2resist.annotate.knowledge import load_hotspots, load_knowledge
from her2resist.annotate.protein_change import parse_protein_change
from her2resist.errors import InputError

CIVIC = Path("../shared/data/knowledge/civic")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "resources"))  # the CIViC builder
from build_civic_evidence import build_evidence, write_with_header  # noqa: E402


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(
        CONFIG["pathways"],
        CONFIG["hotspots"],
        CONFIG["protein_domains"],
        CONFIG["civic_evidence"],
    )


# (gene, HGVSp_Short, Variant_Classification, exon, expected oncogenicity, how it matched)
CASES = [
    ("ERBB2", "p.Y772_A775dup", "In_Frame_Ins", "20/27", "hotspot", "range"),
    ("ERBB2", "p.A775_G776insYVMA", "In_Frame_Ins", "20/27", "hotspot", "range"),
    ("ERBB2", "p.G778_S779insLPS", "In_Frame_Ins", "20/27", "hotspot", "range"),
    # G776 is a CHv2 residue hotspot (G776V/S); the delins substitutes that residue
    ("ERBB2", "p.G776delinsVC", "In_Frame_Ins", "20/27", "hotspot", "delins_at_residue"),
    ("PIK3CA", "p.E110del", "In_Frame_Del", "2/21", "hotspot", "range"),  # 110-114
    ("PIK3CA", "p.L452_P458del", "In_Frame_Del", "8/21", "hotspot", "range"),  # 436-466
    ("PIK3CA", "p.N453_Q455delinsK", "In_Frame_Del", "8/21", "hotspot", "range"),
    ("PIK3R1", "p.R465dup", "In_Frame_Ins", "11/16", "hotspot", "range"),  # 439-470
    ("PIK3R1", "p.Tyr452_Glu454del", "In_Frame_Del", "11/16", "hotspot", "range"),
    # not hotspots: a missense inside a range whose residue is not listed; a frameshift in a
    # range; an in-frame deletion outside every range
    ("ERBB2", "p.A775V", "Missense_Mutation", "20/27", "vus", ""),
    ("PIK3CA", "p.E110Gfs*5", "Frame_Shift_Del", "2/21", "vus", ""),
    ("PIK3CA", "p.E600del", "In_Frame_Del", "10/21", "vus", ""),
]


def _rows() -> list[dict]:
    rows = []
    for gene, change, variant_class, exon, _, _ in CASES:
        parsed = parse_protein_change(change)
        rows.append(
            variant(
                gene=gene,
                hgvsp_short=change,
                variant_class=variant_class,
                exon=exon,
                protein_position=parsed.start,
            )
        )
    return rows


def test_protein_change_forms_are_read() -> None:
    read = {
        "p.Y772_A775dup": (772, 775, "dup"),
        "p.A775_G776insYVMA": (775, 776, "ins"),
        "p.G776delinsVC": (776, 776, "delins"),
        "p.N453_Q455delinsK": (453, 455, "delins"),
        "p.E110del": (110, 110, "del"),
        "p.Tyr772_Ala775dup": (772, 775, "dup"),
        "p.(E110del)": (110, 110, "del"),
        "p.H1047R": (1047, 1047, "substitution"),
        "p.E110Gfs*5": (110, 110, "frameshift"),
        "p.X187_splice": (187, 187, "splice"),
    }
    for text, expected in read.items():
        parsed = parse_protein_change(text)
        assert (parsed.start, parsed.end, parsed.kind) == expected, text
    assert parse_protein_change("") is None and parse_protein_change("p.?") is None


def test_range_hotspots_reach_the_gene_matrix(knowledge) -> None:
    """Each change in its own patient: annotate, then the gene matrix."""
    frames = []
    for number, row in enumerate(_rows(), start=1):
        sample = SAMPLE | {"patient_id": f"P{number}", "sample_id": f"S{number}"}
        frames.append(annotate_sample(pd.DataFrame([row]), None, sample, knowledge, FILTERS))
    alterations = pd.concat(frames, ignore_index=True)
    assert alterations["oncogenicity"].tolist() == [case[4] for case in CASES]
    for rule, case in zip(alterations["oncogenicity_rule"], CASES, strict=True):
        assert rule == (f"hotspot:CHv2:{case[5]}" if case[5] else "no_rule_matched"), case
    samples = pd.DataFrame(
        {
            "patient_id": alterations["patient_id"],
            "sample_id": alterations["sample_id"],
            "specimen": "tissue",
            "timepoint": "baseline",
            "variant_file": "x.maf",
            "cnv_file": "x.cns",
            "qc_status": "pass",
        }
    )
    long = matrix.gene_status(
        alterations,
        samples,
        list(samples["patient_id"]),
        knowledge,
        ["ERBB2", "PIK3CA", "PIK3R1"],
        ["tissue"],
    )
    status = long.set_index(["patient_id", "gene"])["status"]
    for number, case in enumerate(CASES, start=1):
        expected = "altered" if case[4] == "hotspot" else "wild_type"
        assert status[f"P{number}", case[0]] == expected, case
    # HER2 domains keep working: exon 20 insertions lie in the kinase domain
    erbb2 = alterations[alterations["gene"].eq("ERBB2")]
    assert erbb2["domain"].str.contains("kinase").all()


def test_a_missense_at_a_listed_residue_inside_a_range_stays_a_hotspot(knowledge) -> None:
    hit = knowledge.hotspots.match("PIK3CA", "p.E453K", "Missense_Mutation")
    assert hit is not None and hit[1] in {"exact", "residue"}


def test_alterations_carry_their_civic_evidence(knowledge) -> None:
    rows = [
        variant(),  # PIK3CA H1047R
        variant(
            gene="ERBB2",
            hgvsp_short="p.Y772_A775dup",
            variant_class="In_Frame_Ins",
            exon="20/27",
            protein_position=772,
        ),
    ]
    cnv = pd.DataFrame(
        {
            "gene": ["ERBB2", "PTEN"],
            "call": ["amplification", "deep_deletion"],
            "chrom": ["17", "10"],
            "start": [1, 1],
            "log2": [2.5, -2.0],
            "copy_number": [12, 0],
        }
    )
    result = annotate_sample(pd.DataFrame(rows), cnv, SAMPLE, knowledge, FILTERS)
    by = result.set_index(["gene", "alteration"])
    h1047r = by.loc[("PIK3CA", "p.H1047R")]
    eids = h1047r["evidence"].split(";")
    # the exact change (EID6204, EID8548) and CIViC's gene-level "PIK3CA Mutation" (EID2087)
    assert {"EID2087", "EID6204", "EID8548", "EID1384"} <= set(eids)
    assert eids == sorted(eids, key=lambda e: int(e[3:]))
    assert h1047r["evidence_resistance_level"] == "B"  # EID2087 etc., trastuzumab
    assert "PMID:21594665" in h1047r["resistance_evidence"].split(";")
    assert "Trastuzumab" in h1047r["evidence_drugs"].split(";")
    dup = by.loc[("ERBB2", "p.Y772_A775dup")]
    # exact (Y772_A775DUP), exon class (Exon 20 Insertion), gene class (Mutation,
    # Kinase Domain Mutation); not the expression items
    assert {"EID1125", "EID11764", "EID10140", "EID11765", "EID11731", "EID1043"} <= set(
        dup["evidence"].split(";")
    )
    assert "EID1992" not in dup["evidence"]  # ERBB2 Overexpression: not measured by DNA
    assert dup["evidence_sensitivity_level"] == "A"
    assert dup["evidence_strongest"].startswith("Sensitivity/Response (level A, Supports)")
    amplification = by.loc[("ERBB2", "amplification")]
    vus = annotate_sample(
        pd.DataFrame([variant(gene="ERBB2", hgvsp_short="p.I655V", protein_position=655)]),
        None,
        SAMPLE,
        knowledge,
        FILTERS,
    ).iloc[0]
    assert vus["oncogenicity"] == "vus" and vus["evidence"] == ""  # no "ERBB2 Mutation" items
    assert amplification["evidence_sensitivity_level"] == "A"
    pten = by.loc[("PTEN", "deep_deletion")]
    assert {"EID645", "EID1385"} <= set(pten["evidence"].split(";"))  # CIViC "PTEN Loss"
    assert pten["evidence_resistance_level"] == "B"


def test_a_repeated_call_gets_the_evidence_of_what_the_rules_read(knowledge) -> None:
    """Evidence is worked out once per distinct call: the same change called VUS and
    oncogenic gets the gene-level items only when oncogenic, in any order."""
    call = {"gene": "ERBB2", "alteration_type": "mutation", "alteration": "p.I655V"}
    call |= {"variant_class": "Missense_Mutation", "hgvsp_short": "p.I655V"}
    call |= {"resistance_evidence": ""}
    evidence = [
        with_evidence(call | {"oncogenicity": oncogenicity}, knowledge)["evidence"]
        for oncogenicity in ("vus", "oncogenic", "vus", "oncogenic")
    ]
    assert evidence[0] == evidence[2] == ""
    assert evidence[1] == evidence[3] and "EID11731" in evidence[1].split(";")  # ERBB2 Mutation


def test_civic_variant_names_are_read() -> None:
    assert variant_rule("ERBB2", "S310F/Y").value == "S310F/S310Y"
    assert variant_rule("ERBB2", "Exon 20 Insertion").value == "20:insertion"
    assert variant_rule("BRAF", "V600").kind == "codon"
    assert variant_rule("NRG1", "Fusion", ("CD74", "NRG1")).matches(
        {"gene": "NRG1", "alteration_type": "fusion", "alteration": "CD74::NRG1"}
    )
    assert not variant_rule("NRG1", "Fusion", ("CD74", "NRG1")).matches(
        {"gene": "NRG1", "alteration_type": "fusion", "alteration": "SLC3A2::NRG1"}
    )
    unmatched = variant_rule("ERBB2", "Overexpression")
    assert unmatched.kind == "unmatched" and "not measured by DNA" in unmatched.reason


def test_build_is_reproducible_and_matches_the_shipped_table(tmp_path: Path) -> None:
    table, unmatched, header = build_evidence(CIVIC)
    write_with_header(table, header, tmp_path / "evidence.tsv")
    shipped = Path(CONFIG["civic_evidence"])
    assert (tmp_path / "evidence.tsv").read_bytes() == shipped.read_bytes()
    assert "CC0" in header[0] and "01-Jul-2025" in header[0]
    assert len(table) == 158  # the README of the release: about 156 anti-HER2 items
    assert set(table["significance"]) <= {
        "Resistance",
        "Sensitivity/Response",
        "Reduced Sensitivity",
        "Adverse Response",
    }
    assert (unmatched["n_evidence"] > 0).all() and set(unmatched["reason"])
    assert len(load_evidence(shipped).items) == len(table)


def test_another_release_layout_is_named(tmp_path: Path) -> None:
    for name in ("ClinicalEvidenceSummaries", "MolecularProfileSummaries", "VariantSummaries"):
        (tmp_path / f"01-Jan-2019-{name}.tsv").write_text("gene\tvariant\tdisease\nA\tB\tC\n")
    with pytest.raises(InputError, match="not the CIViC release layout"):
        build_evidence(tmp_path)


def test_unreadable_rows_name_file_and_line(tmp_path: Path) -> None:
    hotspots = tmp_path / "hotspots.tsv"
    hotspots.write_text(
        "gene\tprotein_change\tresidue\ttype\tevidence\treference\tsource\n"
        "ERBB2\t772-775\t772-775\thotspot\tx\tPMID:1\tCHv2\n"
        "ERBB2\tfoo\texon20\thotspot\tx\tPMID:1\tCHv2\n"
    )
    with pytest.raises(InputError, match=r"hotspots.tsv, line 3, column 'residue'"):
        load_hotspots(hotspots)
    evidence = tmp_path / "evidence.tsv"
    text = Path(CONFIG["civic_evidence"]).read_text().splitlines()
    body = [line for line in text if not line.startswith("#")]
    evidence.write_text("\n".join([body[0], body[1].replace("\tD\t", "\tZ\t", 1)]) + "\n")
    with pytest.raises(InputError, match=r"evidence.tsv, line 2: .*level 'Z'"):
        load_evidence(evidence)


def test_biomarker_table_names_the_strongest_evidence(knowledge) -> None:
    from her2resist.report.tables import with_strongest_evidence

    cnv = pd.DataFrame(
        {"gene": ["ERBB2"], "call": ["amplification"], "chrom": ["17"], "start": [1]}
        | {"log2": [2.5], "copy_number": [12]}
    )
    alterations = annotate_sample(pd.DataFrame([variant()]), cnv, SAMPLE, knowledge, FILTERS)
    table = pd.DataFrame({"biomarker": ["ERBB2", "PIK3CA", "PI3K_AKT_MTOR"]})
    out = with_strongest_evidence(table, alterations).set_index("biomarker")["anti_her2_evidence"]
    assert out["ERBB2"].startswith("Sensitivity/Response (level A, Supports)")  # amplification
    assert "PMID:" in out["ERBB2"]
    assert out["PIK3CA"].startswith("Resistance (level B, Supports)")  # CIViC PIK3CA Mutation
    assert out["PI3K_AKT_MTOR"] == ""


@pytest.mark.parametrize(
    "maf", ["hist_fa38c99_test.vep.maf", "test_b38_output.maf"], ids=["grch37", "grch38"]
)
def test_every_protein_change_of_vcf2maf_expected_mafs_is_read(maf: str) -> None:
    """vcf2maf's expected outputs (mskcc/vcf2maf): each HGVSp_Short parses, and its first
    residue lies in VEP's Protein_position span (``56-57`` for ``p.L57dup``)."""
    table = pd.read_csv(
        Path("../shared/data/variants/vcf2maf") / maf, sep="\t", comment="#", dtype=str
    ).fillna("")
    changes = table[table["HGVSp_Short"].ne("")]
    assert len(changes) >= 4  # 4 in the GRCh37 file, more in the GRCh38 one
    for change, span, kind in zip(
        changes["HGVSp_Short"],
        changes["Protein_position"],
        changes["Variant_Classification"],
        strict=True,
    ):
        parsed = parse_protein_change(change)
        assert parsed is not None, change
        if kind == "Splice_Site":
            assert parsed.kind == "splice", change
            continue
        first, _, last = span.split("/")[0].partition("-")
        assert int(first) <= parsed.start <= int(last or first), (change, span)


def test_no_resource_row_leaves_a_resistance_claim_unsourced() -> None:
    """Every resistance row of hotspots.tsv cites a PubMed id; no 'PMID not verified'."""
    resources = Path(CONFIG["hotspots"]).parent
    for name in ("hotspots.tsv", "pathways.yaml"):
        assert "not verified" not in (resources / name).read_text(), name
    hotspots = pd.read_csv(CONFIG["hotspots"], sep="\t", dtype=str).fillna("")
    resistance = hotspots[hotspots["type"].isin({"resistance", "both"})]
    assert len(resistance) and resistance["reference"].str.contains(r"PMID:\d+").all()


def test_therapy_names_keep_commas_inside_a_name() -> None:
    from her2resist.annotate.evidence import therapy_names

    assert therapy_names("Selumetinib,Gefitinib,HER2 Inhibitor CP-724,714") == [
        "Selumetinib",
        "Gefitinib",
        "HER2 Inhibitor CP-724,714",
    ]
