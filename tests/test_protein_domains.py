"""resources/protein_domains.tsv: parses, stays inside the proteins, is sourced, and puts the
well-known ERBB2/ERBB3 variants into the expected domains through the package's own lookup."""

from __future__ import annotations

import re
import sys
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
import yaml

from her2resist.annotate.knowledge import load_knowledge
from her2resist.config import resolve_resources, validate_config
from her2resist.matrix import domain_hits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_annotate import SAMPLE, annotate_sample, variant

CONFIG = resolve_resources(validate_config({"clinical": {"table": "-"}}))
DOMAINS = Path(CONFIG["protein_domains"])
WORKFLOW_CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
COLUMNS = ["gene", "uniprot", "domain", "start_aa", "end_aa", "source"]
# canonical UniProt isoforms (precursor numbering, as VEP's Protein_position / HGVSp)
PROTEINS = {"ERBB2": ("P04626", 1255), "ERBB3": ("P21860", 1342)}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    # read the way load_knowledge reads it
    return pd.read_csv(DOMAINS, sep="\t", comment="#")


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(CONFIG["pathways"], CONFIG["hotspots"], CONFIG["protein_domains"])


def test_table_parses_with_the_expected_columns(table: pd.DataFrame) -> None:
    assert list(table.columns) == COLUMNS
    assert len(table) > 0
    assert pd.api.types.is_integer_dtype(table["start_aa"])
    assert pd.api.types.is_integer_dtype(table["end_aa"])
    assert not table[["gene", "uniprot", "domain", "start_aa", "end_aa"]].isna().any().any()


def test_no_source_is_cut_by_the_comment_character() -> None:
    """load_knowledge reads with comment="#": a '#' in a source would silently truncate it."""
    lines = DOMAINS.read_text(encoding="utf-8").splitlines()
    assert all("#" not in line for line in lines)
    assert all(line.count("\t") == len(COLUMNS) - 1 for line in lines)


def test_positions_lie_within_the_protein(table: pd.DataFrame) -> None:
    assert set(table["gene"]) <= set(PROTEINS)
    for row in table.itertuples():
        accession, length = PROTEINS[row.gene]
        assert row.uniprot == accession, row
        assert 1 <= row.start_aa <= row.end_aa <= length, row


def test_every_row_has_a_source(table: pd.DataFrame) -> None:
    sources = table["source"].fillna("").astype(str).str.strip()
    assert (sources.str.len() > 20).all(), table.loc[sources.str.len() <= 20]
    # each source names where it comes from: a URL or a repository path
    assert sources.str.contains(r"https?://|\.RDs|\.com|same page|product page").all()


def test_domain_names_are_short_identifiers(table: pd.DataFrame) -> None:
    pattern = re.compile(r"^[a-z]+(_[a-z]+)*(_(I|II|III|IV))?$")
    assert all(pattern.match(name) for name in table["domain"]), sorted(set(table["domain"]))
    # a (gene, domain) pair repeats only for a domain split into separate spans
    # (ERBB2 subdomain IV: two furin-like repeats)
    duplicated = table[table.duplicated(["gene", "domain"], keep=False)]
    assert set(duplicated["domain"]) <= {"extracellular_IV"}


def test_same_domain_rows_do_not_overlap(table: pd.DataFrame) -> None:
    for _, rows in table.groupby(["gene", "domain"]):
        spans = sorted(zip(rows["start_aa"], rows["end_aa"], strict=True))
        for (_, end), (start, _) in pairwise(spans):
            assert end < start, spans


def test_subdomains_are_inside_the_extracellular_span(table: pd.DataFrame) -> None:
    erbb2 = table[table["gene"] == "ERBB2"].set_index("domain")
    ecd = erbb2.loc["extracellular"]
    sub = table[(table["gene"] == "ERBB2") & table["domain"].str.startswith("extracellular_")]
    assert len(sub) >= 4
    assert (sub["start_aa"] >= ecd["start_aa"]).all() and (sub["end_aa"] <= ecd["end_aa"]).all()
    kinase = erbb2.loc["kinase"]
    cytoplasmic = erbb2.loc["cytoplasmic"]
    assert cytoplasmic["start_aa"] <= kinase["start_aa"] <= kinase["end_aa"] <= 1255


@pytest.mark.parametrize("gene", sorted(PROTEINS))
def test_derived_rows_tile_the_cytoplasm(table: pd.DataFrame, gene: str) -> None:
    """juxtamembrane and c_terminal are derived: they fill the gaps between the sourced
    transmembrane and kinase rows and the protein's end, without overlap or hole."""
    rows = table[table["gene"] == gene].set_index("domain")
    spans = [rows.loc[d, ["start_aa", "end_aa"]].tolist() for d in
             ("transmembrane", "juxtamembrane", "kinase", "c_terminal")]  # fmt: skip
    for (_, end), (start, _) in pairwise(spans):
        assert start == end + 1, spans
    assert spans[-1][1] == PROTEINS[gene][1]
    for domain in ("juxtamembrane", "c_terminal"):
        assert rows.loc[domain, "source"].startswith("derived in this table")


@pytest.mark.parametrize(
    ("gene", "position", "expected"),
    [
        # ERBB2 extracellular subdomain II (dimerisation arm region)
        ("ERBB2", 310, "extracellular;extracellular_II"),
        # ERBB2 kinase-domain mutations
        ("ERBB2", 755, "cytoplasmic;kinase"),
        ("ERBB2", 769, "cytoplasmic;kinase"),
        ("ERBB2", 777, "cytoplasmic;kinase"),
        ("ERBB2", 798, "cytoplasmic;kinase"),
        ("ERBB2", 869, "cytoplasmic;kinase"),
        # ERBB3 extracellular subdomain I and kinase domain
        ("ERBB3", 104, "extracellular_I"),
        ("ERBB3", 928, "kinase"),
        # boundaries and a residue outside every row
        ("ERBB2", 22, "signal_peptide"),
        ("ERBB2", 660, "transmembrane"),
        # juxtamembrane (V697L, a Cancer Hotspots hotspot) and C-terminal tail, derived rows
        ("ERBB2", 697, "cytoplasmic;juxtamembrane"),
        ("ERBB2", 1000, "cytoplasmic;c_terminal"),
        ("ERBB3", 690, "juxtamembrane"),
        ("ERBB3", 1300, "c_terminal"),
        ("ERBB3", 600, ""),
    ],
)
def test_known_variants_land_in_their_domain(knowledge, gene, position, expected) -> None:
    assert knowledge.domain_of(gene, position) == expected


def test_missing_position_or_unknown_gene_has_no_domain(knowledge) -> None:
    assert knowledge.domain_of("ERBB2", None) == ""
    assert knowledge.domain_of("ERBB2", float("nan")) == ""
    assert knowledge.domain_of("PIK3CA", 1047) == ""


def test_annotation_carries_the_domain_and_feeds_the_domain_biomarkers(knowledge) -> None:
    rows = [
        variant(gene="ERBB2", hgvsp_short=f"p.{change}", protein_position=int(change[1:-1]))
        for change in ("S310F", "L755S")
    ]
    result = annotate_sample(pd.DataFrame(rows), None, SAMPLE, knowledge, CONFIG["filters"])
    assert result["domain"].tolist() == ["extracellular;extracellular_II", "cytoplasmic;kinase"]
    hits = domain_hits(result, ["ERBB2:extracellular", "ERBB2:kinase", "ERBB2:cytoplasmic"])
    by_marker = hits.groupby("gene")["hgvsp_short"].apply(sorted).to_dict()
    assert by_marker == {
        "ERBB2:extracellular": ["p.S310F"],
        "ERBB2:kinase": ["p.L755S"],
        "ERBB2:cytoplasmic": ["p.L755S"],
    }


def test_configured_domain_biomarkers_match_a_row(table: pd.DataFrame) -> None:
    """Every biomarkers.domains marker of the workflow config names a domain in the table."""
    config = yaml.safe_load(WORKFLOW_CONFIG.read_text(encoding="utf-8"))
    markers = config["biomarkers"]["domains"]
    assert "ERBB2:kinase" in markers and "ERBB2:extracellular" in markers
    for marker in markers:
        gene, _, label = marker.partition(":")
        names = table.loc[table["gene"] == gene, "domain"].str.lower()
        assert names.str.contains(label.lower(), regex=False).any(), marker
