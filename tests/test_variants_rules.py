"""vcf2maf rules transcribed in her2resist.variants.rules / annotations."""

from __future__ import annotations

import hashlib
import json

import pytest

from her2resist.variants import rules
from her2resist.variants.annotations import minimal_allele, vep_allele_strings


def test_duplicate_perl_hash_keys_keep_last_value() -> None:
    assert rules.EFFECT_PRIORITY["inversion"] == 3
    assert rules.EFFECT_PRIORITY["protein_altering_variant"] == 7
    assert rules.EFFECT_PRIORITY["mature_miRNA_variant"] == 17
    assert rules.effect_priority("made_up_term") == 20
    assert rules.BIOTYPE_PRIORITY["protein_coding"] == 1
    assert rules.BIOTYPE_PRIORITY["lncRNA"] == 3


@pytest.mark.parametrize(
    ("term", "ref", "alt", "expected"),
    [("frameshift_variant", "AT", "A", "Frame_Shift_Del"),
     ("frameshift_variant", "A", "AT", "Frame_Shift_Ins"),
     ("protein_altering_variant", "ATTT", "A", "In_Frame_Del"),
     ("protein_altering_variant", "AT", "A", "Frame_Shift_Del"),
     ("disruptive_inframe_insertion", "A", "ATTT", "In_Frame_Ins"),
     ("splice_donor_variant", "A", "G", "Splice_Site"),
     ("NMD_transcript_variant", "A", "G", "Silent"),
     ("upstream_gene_variant", "A", "G", "5'Flank"),
     ("frameshift_variant", "AC", "GT", "Targeted_Region"),
     (None, "A", "G", "Targeted_Region")],
)  # fmt: skip
def test_variant_classification(term, ref, alt, expected) -> None:
    var_type, inframe, _ = rules.variant_type(ref, alt)
    assert rules.variant_classification(term, var_type, inframe) == expected


def test_hgvsp_short_like_vcf2maf() -> None:
    import polars as pl

    from her2resist.variants.annotations import _protein_change

    cases = [  # hgvsp, hgvsc, consequence, position, amino_acids -> short, splice position
        ("p.His1047Arg", "c.3140A>G", "missense_variant", "1047", "H/R", "p.H1047R", None),
        ("p.Arg213Ter", "", "stop_gained", "213", "R/*", "p.R213*", None),
        # VEP without --no_escape writes %3D; vcf2maf keeps it
        ("p.Ala306%3D", "", "synonymous_variant", "306", "A", "p.A306%3D", None),
        ("p.=", "", "synonymous_variant", "306/400", "A", "p.A306=", None),
        ("", "c.1909+1G>A", "splice_donor_variant", "", "", "p.X637_splice", 637),
    ]
    names = ["hgvsp", "hgvsc", "consequence", "position", "amino_acids", "short", "splice"]
    expected = pl.DataFrame(cases, schema=names, orient="row")
    derived = _protein_change(expected.drop("short", "splice"))
    assert derived["short"].to_list() == expected["short"].to_list()
    assert derived["splice_position"].to_list() == expected["splice"].to_list()


def test_vep_allele_trimming() -> None:
    assert vep_allele_strings("T", ["TGCTGCC"]) == ["GCTGCC"]
    assert vep_allele_strings("AGC", ["A"]) == ["-"]
    assert vep_allele_strings("CAAGCC", ["CAGCC", "CA"]) == ["AGCC", "A"]
    assert vep_allele_strings("A", ["G", "T"]) == ["G", "T"]
    assert vep_allele_strings("AT", ["GT", "A"]) == ["GT", "A"]  # first bases differ
    assert minimal_allele("CAAGCC", "CA") == "-"
    assert minimal_allele("G", "GA") == "A"


def test_population_af_takes_the_maximum_over_fields_and_alleles() -> None:
    import polars as pl

    from her2resist.variants.annotations import AnnotationFormat, _population_af

    names = ["Allele", "GMAF", "AF", "gnomAD_AF", "MAX_AF"]
    fmt = AnnotationFormat.from_names("vep", "CSQ", names)
    entries = pl.DataFrame(
        [("T:0.0012&C:0.2", "0.05", "", "1e-05"), ("", ".", "nan", "x:"), ("+.5", "", "", "")],
        schema=["af0", "af1", "af2", "af3"],
        orient="row",
    )
    assert entries.select(_population_af(fmt)).to_series().to_list() == [0.2, None, 0.5]


@pytest.mark.parametrize(
    ("name", "size", "digest"),
    [
        ("EFFECT_PRIORITY", 79, "3a822c7e9ca07ceb"),
        ("BIOTYPE_PRIORITY", 79, "dc823c69ab0259ff"),
        ("CONSEQUENCE_CLASS", 43, "40c99a9b8eeadad5"),
        ("EFF_TO_SO", 42, "6418dcbc17fa5019"),
    ],
)
def test_tables_are_those_transcribed_from_vcf2maf(name: str, size: int, digest: str) -> None:
    """The compact tables hold exactly the entries of the one-per-line literals they replaced
    (digest of the sorted items, taken from those literals)."""
    table = getattr(rules, name)
    assert len(table) == size
    assert hashlib.sha256(json.dumps(sorted(table.items())).encode()).hexdigest()[:16] == digest
