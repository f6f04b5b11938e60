"""Build resources/civic_anti_her2_evidence.tsv and civic_unmatched.tsv from a CIViC release.

    .venv/bin/python resources/build_civic_evidence.py ../shared/data/knowledge/civic resources

Kept: accepted *Predictive* evidence items whose therapies include an anti-HER2 drug
(``ANTI_HER2_THERAPIES``, CIViC's therapy names). Each row names its molecular profile as
``gene:variant`` terms joined by CIViC's operator (``ERBB2:Mutation OR ERBB3:Mutation``), and
how :mod:`her2resist.annotate.evidence` matches it, or why it cannot. Same release in, same bytes
out (rows sorted by evidence id; the header names the release, its licence and the sha256 of
every file read). Build-time code, so it lives here and not in the runtime package.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd

from her2resist.annotate.evidence import (
    EVIDENCE_COLUMNS,
    parse_variants,
    therapy_names,
    variant_rule,
)
from her2resist.errors import InputError

# CIViC therapy names of drugs that target HER2 (pyrotinib, tucatinib and inetetamab are
# listed for later releases; the 01-Jul-2025 release has no evidence for them).
ANTI_HER2_THERAPIES = {
    "Trastuzumab",
    "Pertuzumab",
    "Lapatinib",
    "Neratinib",
    "Pyrotinib",
    "Tucatinib",
    "Trastuzumab Emtansine",
    "Trastuzumab Deruxtecan",
    "Inetetamab",
    "Margetuximab",
    "HER2 Inhibitor CP-724,714",
}
RELEASE_FILES = {
    "evidence": (
        "ClinicalEvidenceSummaries.tsv",
        [
            "molecular_profile",
            "molecular_profile_id",
            "disease",
            "therapies",
            "therapy_interaction_type",
            "evidence_type",
            "evidence_direction",
            "evidence_level",
            "significance",
            "citation_id",
            "source_type",
            "citation",
            "rating",
            "evidence_status",
            "evidence_id",
            "variant_origin",
        ],
    ),
    "profiles": ("MolecularProfileSummaries.tsv", ["name", "molecular_profile_id", "variant_ids"]),
    "variants": (
        "VariantSummaries.tsv",
        [
            "variant_id",
            "feature_type",
            "feature_name",
            "variant",
            "5_prime_partner",
            "3_prime_partner",
        ],
    ),
}
UNMATCHED_COLUMNS = ["variants", "reason", "n_evidence", "evidence"]


def release_files(folder: str | Path) -> tuple[str, dict[str, Path]]:
    """(release date, file of each kind) of a CIViC release folder (``01-Jul-2025-*.tsv``)."""
    folder = Path(folder)
    found = sorted(folder.glob("*-ClinicalEvidenceSummaries.tsv"))
    if len(found) != 1:
        raise InputError.one(
            str(folder),
            f"expected one CIViC release (*-ClinicalEvidenceSummaries.tsv), found {len(found)}",
            hint="point at a folder of one monthly release from civicdb.org/downloads",
        )
    date = found[0].name.removesuffix("-ClinicalEvidenceSummaries.tsv")
    return date, {kind: folder / f"{date}-{name}" for kind, (name, _) in RELEASE_FILES.items()}


def _read(kind: str, path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError.one(str(path), f"CIViC {kind} file not found")
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    missing = [c for c in RELEASE_FILES[kind][1] if c not in table.columns]
    if missing:
        raise InputError.one(
            str(path),
            f"not the CIViC release layout this reader expects: no column(s) {missing}",
            where=1,
            hint="use a monthly release from 2023 on (civicdb.org/downloads/<date>/), whose "
            f"{RELEASE_FILES[kind][0]} has the columns {RELEASE_FILES[kind][1]}; the older "
            "civic-server layout is not read",
        )
    return table


def _variant_term(row: dict) -> str:
    gene = row["feature_name"]
    if row["feature_type"] == "Fusion":
        gene = f"{row['5_prime_partner'] or '?'}::{row['3_prime_partner'] or '?'}"
    return f"{gene}:{row['variant']}"


def _profile_terms(name: str, variant_ids: str, variants: dict[str, dict]) -> str:
    ids = [v.strip() for v in variant_ids.split(",") if v.strip()]
    operator = " AND " if " AND " in name else " OR "
    if name.startswith("NOT ") or " NOT " in name:
        operator = " AND "  # a NOT profile needs the combination: never matched per call
    return operator.join(_variant_term(variants[v]) for v in ids if v in variants)


def _match(terms: str, profile: str) -> tuple[str, str]:
    parsed, operator = parse_variants(terms)
    if operator == "AND" or "NOT " in profile:
        return "unmatched", "combination profile (AND / NOT): needs several calls together"
    rules = [variant_rule(gene, name, partners) for gene, name, partners in parsed]
    reasons = sorted({r.reason for r in rules if r.kind == "unmatched"})
    if len(reasons) == len(rules):
        return "unmatched", "; ".join(reasons)
    return "/".join(sorted({r.kind for r in rules if r.kind != "unmatched"})), ""


def build_evidence(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(evidence table, unmatched variants by reason, header lines) from a release folder."""
    date, paths = release_files(folder)
    evidence = _read("evidence", paths["evidence"])
    profiles = _read("profiles", paths["profiles"]).set_index("molecular_profile_id")
    variants = {r["variant_id"]: r for r in _read("variants", paths["variants"]).to_dict("records")}
    therapies = evidence["therapies"].map(lambda t: set(therapy_names(t)))
    kept = evidence[
        evidence["evidence_type"].eq("Predictive")
        & evidence["evidence_status"].eq("accepted")
        & therapies.map(lambda t: bool(t & ANTI_HER2_THERAPIES))
    ]
    rows = []
    for r in kept.to_dict("records"):
        profile = profiles.loc[r["molecular_profile_id"]]
        terms = _profile_terms(profile["name"], profile["variant_ids"], variants)
        match, reason = _match(terms, profile["name"])
        rows.append(
            {
                "evidence_id": f"EID{r['evidence_id']}",
                "molecular_profile": r["molecular_profile"],
                "variants": terms,
                "match": match,
                "unmatched_reason": reason,
                "disease": r["disease"],
                "therapies": r["therapies"],
                "therapy_interaction_type": r["therapy_interaction_type"],
                "significance": r["significance"],
                "direction": r["evidence_direction"],
                "level": r["evidence_level"],
                "rating": r["rating"],
                "pmid": r["citation_id"] if r["source_type"] == "PubMed" else "",
                "citation": r["citation"]
                if r["source_type"] == "PubMed"
                else f"{r['source_type']}: {r['citation']}",
                "variant_origin": r["variant_origin"],
            }
        )
    table = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    table = table.replace({"\t": " ", "#": "No. "}, regex=True)  # read back with '#' comments
    table = table.sort_values("evidence_id", key=lambda s: s.str[3:].astype(int))
    unmatched = (
        table[table["match"].eq("unmatched")]
        .groupby(["variants", "unmatched_reason"], sort=True)["evidence_id"]
        .agg(["count", lambda ids: ";".join(ids)])
        .reset_index()
    )
    unmatched.columns = UNMATCHED_COLUMNS
    unmatched = unmatched.sort_values(["reason", "variants"]).reset_index(drop=True)
    digests = [
        f"#   {p.name} sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in paths.values()
    ]
    header = [
        f"# CIViC monthly release {date} (https://civicdb.org/downloads/{date}/), "
        "licence CC0 1.0 (public domain); cite Griffith et al. 2017 Nat Genet PMID:28138153",
        "# built by resources/build_civic_evidence.py from:",
        *digests,
        "# rows: accepted Predictive evidence items whose therapies include "
        + ", ".join(sorted(ANTI_HER2_THERAPIES)),
    ]
    return table.reset_index(drop=True), unmatched, header


def write_with_header(table: pd.DataFrame, header: list[str], path: str | Path) -> None:
    text = table.to_csv(sep="\t", index=False, lineterminator="\n")
    Path(path).write_text("\n".join(header) + "\n" + text, encoding="utf-8")


def main(release: str, out_dir: str) -> None:
    table, unmatched, header = build_evidence(release)
    out = Path(out_dir)
    write_with_header(table, header, out / "civic_anti_her2_evidence.tsv")
    note = "# CIViC variants of the evidence table above that no alteration can match, by reason"
    write_with_header(unmatched, [*header, note], out / "civic_unmatched.tsv")


if __name__ == "__main__":
    main(*sys.argv[1:3])
