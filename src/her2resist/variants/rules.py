"""Consequence-ranking tables and MAF vocabulary, transcribed from mskcc/vcf2maf.

Source: ``vcf2maf.pl`` @ bf53e52d32b33867c368206667f94ba4782550c1 (Apache-2.0),
functions ``GetEffectPriority``, ``GetBiotypePriority`` and ``GetVariantClassification``.
Where the Perl hash literal lists a key twice the *last* value wins (that is what Perl
does), so ``inversion`` is 3, ``protein_altering_variant`` 7 and ``mature_miRNA_variant`` 17.
"""

from __future__ import annotations

import re

#: Lower number = more severe. Unknown terms get ``UNKNOWN_EFFECT_PRIORITY`` (as vcf2maf).
EFFECT_PRIORITY: dict[str, int] = {
    "transcript_ablation": 1,
    "exon_loss_variant": 1,
    "sequence_feature + exon_loss_variant": 1,
    "feature_ablation": 1,
    "chromosome_number_variation": 1,
    "bidirectional_gene_fusion": 2,
    "duplication": 2,
    "gene_fusion": 2,
    "splice_donor_variant": 2,
    "splice_acceptor_variant": 2,
    "stop_gained": 3,
    "frameshift_variant": 3,
    "stop_lost": 3,
    "inversion": 3,
    "initiator_codon_variant+non_canonical_start_codon": 4,
    "rearranged_at_DNA_level": 4,
    "start_lost": 4,
    "initiator_codon_variant": 4,
    "disruptive_inframe_insertion": 5,
    "disruptive_inframe_deletion": 5,
    "conservative_inframe_insertion": 5,
    "conservative_inframe_deletion": 5,
    "inframe_insertion": 5,
    "inframe_deletion": 5,
    "missense_variant": 6,
    "conservative_missense_variant": 6,
    "rare_amino_acid_variant": 6,
    "transcript_amplification": 7,
    "5_prime_UTR_truncation + exon_loss_variant": 7,
    "protein_altering_variant": 7,
    "protein_protein_contact": 8,
    "3_prime_UTR_truncation + exon_loss": 8,
    "structural_interaction_variant": 8,
    "splice_branch_variant": 8,
    "splice_region_variant": 8,
    "splice_donor_5th_base_variant": 8,
    "splice_donor_region_variant": 8,
    "splice_polypyrimidine_tract_variant": 8,
    "start_retained_variant": 9,
    "stop_retained_variant": 9,
    "synonymous_variant": 9,
    "start_retained": 9,
    "incomplete_terminal_codon_variant": 10,
    "coding_sequence_variant": 11,
    "exon_variant": 11,
    "transcript_variant": 11,
    "5_prime_UTR_variant": 12,
    "5_prime_UTR_premature_start_codon_gain_variant": 12,
    "3_prime_UTR_variant": 12,
    "non_coding_exon_variant": 13,
    "non_coding_transcript_exon_variant": 13,
    "non_coding_transcript_variant": 14,
    "nc_transcript_variant": 14,
    "intron_variant": 14,
    "intragenic_variant": 14,
    "INTRAGENIC": 14,
    "NMD_transcript_variant": 15,
    "coding_transcript_variant": 15,
    "upstream_gene_variant": 16,
    "downstream_gene_variant": 16,
    "TFBS_ablation": 17,
    "TFBS_amplification": 17,
    "TF_binding_site_variant": 17,
    "regulatory_region_ablation": 17,
    "regulatory_region_amplification": 17,
    "regulatory_region_variant": 17,
    "regulatory_region": 17,
    "mature_miRNA_variant": 17,
    "miRNA": 17,
    "feature_elongation": 18,
    "feature_truncation": 18,
    "intergenic_variant": 19,
    "intergenic_region": 19,
    "sequence_feature": 19,
    "conserved_intron_variant": 19,
    "conserved_intergenic_variant": 20,
    "gene_variant": 19,
    "custom": 20,
    "": 20,
}
UNKNOWN_EFFECT_PRIORITY = 20

#: Transcript biotypes by disease relevance (lower = preferred).
BIOTYPE_PRIORITY: dict[str, int] = {
    "protein_coding": 1,
    **dict.fromkeys(
        [
            "LRG_gene",
            "IG_C_gene",
            "IG_D_gene",
            "IG_J_gene",
            "IG_LV_gene",
            "IG_V_gene",
            "TR_C_gene",
            "TR_D_gene",
            "TR_J_gene",
            "TR_V_gene",
        ],
        2,
    ),
    **dict.fromkeys(
        [
            "miRNA",
            "snRNA",
            "snoRNA",
            "ribozyme",
            "tRNA",
            "sRNA",
            "scaRNA",
            "rRNA",
            "scRNA",
            "lincRNA",
            "lncRNA",
            "bidirectional_promoter_lncrna",
            "bidirectional_promoter_lncRNA",
        ],
        3,
    ),
    **dict.fromkeys(["known_ncrna", "vaultRNA", "macro_lncRNA", "Mt_tRNA", "Mt_rRNA"], 4),
    **dict.fromkeys(
        [
            "antisense",
            "antisense_RNA",
            "sense_intronic",
            "sense_overlapping",
            "3prime_overlapping_ncrna",
            "3prime_overlapping_ncRNA",
            "misc_RNA",
            "non_coding",
        ],
        5,
    ),
    **dict.fromkeys(
        [
            "regulatory_region",
            "disrupted_domain",
            "processed_transcript",
            "protein_coding_CDS_not_defined",
            "TEC",
        ],
        6,
    ),
    **dict.fromkeys(
        [
            "TF_binding_site",
            "CTCF_binding_site",
            "promoter_flanking_region",
            "enhancer",
            "promoter",
            "open_chromatin_region",
            "retained_intron",
            "nonsense_mediated_decay",
            "non_stop_decay",
            "ambiguous_orf",
        ],
        7,
    ),
    **dict.fromkeys(
        [
            "pseudogene",
            "processed_pseudogene",
            "polymorphic_pseudogene",
            "retrotransposed",
            "translated_processed_pseudogene",
            "translated_unprocessed_pseudogene",
            "transcribed_processed_pseudogene",
            "transcribed_unprocessed_pseudogene",
            "transcribed_unitary_pseudogene",
            "unitary_pseudogene",
            "unprocessed_pseudogene",
            "Mt_tRNA_pseudogene",
            "tRNA_pseudogene",
            "snoRNA_pseudogene",
            "snRNA_pseudogene",
            "scRNA_pseudogene",
            "rRNA_pseudogene",
            "misc_RNA_pseudogene",
            "miRNA_pseudogene",
            "IG_C_pseudogene",
            "IG_D_pseudogene",
            "IG_J_pseudogene",
            "IG_V_pseudogene",
            "TR_J_pseudogene",
            "TR_V_pseudogene",
        ],
        8,
    ),
    "artifact": 9,
    "": 10,
}
UNKNOWN_BIOTYPE_PRIORITY = 10

#: SO term -> MAF Variant_Classification, for terms whose class does not depend on the
#: variant type. ``frameshift_variant`` and ``protein_altering_variant`` are resolved in
#: :func:`variant_classification` because they need the indel type and frame.
CONSEQUENCE_CLASS: dict[str, str] = {
    **dict.fromkeys(
        [
            "splice_acceptor_variant",
            "splice_donor_variant",
            "transcript_ablation",
            "exon_loss_variant",
        ],
        "Splice_Site",
    ),
    "stop_gained": "Nonsense_Mutation",
    "stop_lost": "Nonstop_Mutation",
    "initiator_codon_variant": "Translation_Start_Site",
    "start_lost": "Translation_Start_Site",
    **dict.fromkeys(
        ["inframe_insertion", "disruptive_inframe_insertion", "conservative_inframe_insertion"],
        "In_Frame_Ins",
    ),
    **dict.fromkeys(
        ["inframe_deletion", "disruptive_inframe_deletion", "conservative_inframe_deletion"],
        "In_Frame_Del",
    ),
    **dict.fromkeys(
        [
            "missense_variant",
            "coding_sequence_variant",
            "conservative_missense_variant",
            "rare_amino_acid_variant",
        ],
        "Missense_Mutation",
    ),
    **dict.fromkeys(
        ["transcript_amplification", "intron_variant", "INTRAGENIC", "intragenic_variant"], "Intron"
    ),
    "splice_region_variant": "Splice_Region",
    **dict.fromkeys(
        [
            "incomplete_terminal_codon_variant",
            "synonymous_variant",
            "stop_retained_variant",
            "NMD_transcript_variant",
        ],
        "Silent",
    ),
    **dict.fromkeys(
        [
            "mature_miRNA_variant",
            "exon_variant",
            "non_coding_exon_variant",
            "non_coding_transcript_exon_variant",
            "non_coding_transcript_variant",
            "nc_transcript_variant",
        ],
        "RNA",
    ),
    "5_prime_UTR_variant": "5'UTR",
    "5_prime_UTR_premature_start_codon_gain_variant": "5'UTR",
    "3_prime_UTR_variant": "3'UTR",
    **dict.fromkeys(
        [
            "TF_binding_site_variant",
            "regulatory_region_variant",
            "regulatory_region",
            "intergenic_variant",
            "intergenic_region",
        ],
        "IGR",
    ),
    "upstream_gene_variant": "5'Flank",
    "downstream_gene_variant": "3'Flank",
}
#: What vcf2maf reports when nothing else matches, or when there is no effect at all.
DEFAULT_CLASS = "Targeted_Region"

#: (consequence, variant type, in frame) -> class for the type-dependent terms.
_INDEL_DEPENDENT_CLASS: dict[tuple[str, str, bool], str] = {
    ("frameshift_variant", "DEL", False): "Frame_Shift_Del",
    ("frameshift_variant", "DEL", True): "Frame_Shift_Del",
    ("frameshift_variant", "INS", False): "Frame_Shift_Ins",
    ("frameshift_variant", "INS", True): "Frame_Shift_Ins",
    ("protein_altering_variant", "DEL", False): "Frame_Shift_Del",
    ("protein_altering_variant", "INS", False): "Frame_Shift_Ins",
    ("protein_altering_variant", "DEL", True): "In_Frame_Del",
    ("protein_altering_variant", "INS", True): "In_Frame_Ins",
}

#: Legacy SnpEff ``EFF`` effect names -> Sequence Ontology terms (SnpEff's own mapping).
EFF_TO_SO: dict[str, str] = {
    "NON_SYNONYMOUS_CODING": "missense_variant",
    "SYNONYMOUS_CODING": "synonymous_variant",
    "STOP_GAINED": "stop_gained",
    "STOP_LOST": "stop_lost",
    "START_LOST": "start_lost",
    "NON_SYNONYMOUS_START": "initiator_codon_variant",
    "SYNONYMOUS_START": "start_retained_variant",
    "SYNONYMOUS_STOP": "stop_retained_variant",
    "NON_SYNONYMOUS_STOP": "stop_retained_variant",
    "FRAME_SHIFT": "frameshift_variant",
    "CODON_INSERTION": "inframe_insertion",
    "CODON_DELETION": "inframe_deletion",
    "CODON_CHANGE_PLUS_CODON_INSERTION": "disruptive_inframe_insertion",
    "CODON_CHANGE_PLUS_CODON_DELETION": "disruptive_inframe_deletion",
    "CODON_CHANGE": "coding_sequence_variant",
    "CDS": "coding_sequence_variant",
    "RARE_AMINO_ACID": "rare_amino_acid_variant",
    "SPLICE_SITE_ACCEPTOR": "splice_acceptor_variant",
    "SPLICE_SITE_DONOR": "splice_donor_variant",
    "SPLICE_SITE_REGION": "splice_region_variant",
    "SPLICE_SITE_BRANCH": "splice_branch_variant",
    "SPLICE_SITE_BRANCH_U12": "splice_branch_variant",
    "UTR_5_PRIME": "5_prime_UTR_variant",
    "UTR_5_DELETED": "5_prime_UTR_variant",
    "START_GAINED": "5_prime_UTR_premature_start_codon_gain_variant",
    "UTR_3_PRIME": "3_prime_UTR_variant",
    "UTR_3_DELETED": "3_prime_UTR_variant",
    "EXON": "exon_variant",
    "EXON_DELETED": "exon_loss_variant",
    "INTRON": "intron_variant",
    "INTRON_CONSERVED": "conserved_intron_variant",
    "INTRAGENIC": "intragenic_variant",
    "TRANSCRIPT": "transcript_variant",
    "GENE": "gene_variant",
    "UPSTREAM": "upstream_gene_variant",
    "DOWNSTREAM": "downstream_gene_variant",
    "INTERGENIC": "intergenic_region",
    "INTERGENIC_CONSERVED": "conserved_intergenic_variant",
    "REGULATION": "regulatory_region_variant",
    "MOTIF": "TF_binding_site_variant",
    "MICRO_RNA": "miRNA",
    "NEXT_PROT": "sequence_feature",
}

#: vcf2maf's %aa3to1.
AA3_TO_1: dict[str, str] = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Asx": "B", "Cys": "C", "Glu": "E",
    "Gln": "Q", "Glx": "Z", "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K",
    "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y",
    "Val": "V", "Xxx": "X", "Ter": "*",
}  # fmt: skip
_AA3_PATTERN = re.compile("|".join(AA3_TO_1))
_SPLICE_SITE_TERMS = frozenset({"splice_acceptor_variant", "splice_donor_variant"})
_HGVSC_CDS_POS = re.compile(r"^c.(\d+)")  # vcf2maf's regex; '.' is deliberately any char
_SILENT_PROTEIN_POS = re.compile(r"^(\d+)(-\d+)?/\d+$")


def effect_priority(term: str) -> int:
    return EFFECT_PRIORITY.get(term, UNKNOWN_EFFECT_PRIORITY)


def biotype_priority(biotype: str) -> int:
    return BIOTYPE_PRIORITY.get(biotype, UNKNOWN_BIOTYPE_PRIORITY)


def most_severe(terms: list[str]) -> str:
    """The first most severe term (vcf2maf's stable sort, then the first element)."""
    if not terms:
        return "intergenic_variant"  # vcf2maf: no Consequence at all means intergenic
    return min(terms, key=effect_priority)


def variant_type(ref: str, alt: str) -> tuple[str, bool, int]:
    """MAF Variant_Type, in-frame flag and number of shared leading bases (vcf2maf rules).

    Returns ``(type, inframe, trimmed)`` where ``trimmed`` is how many leading bases
    vcf2maf removed, so ``pos + trimmed`` is the MAF Start_Position of a non-insertion.
    """
    trimmed = 0
    while trimmed < len(ref) and trimmed < len(alt) and ref[trimmed] == alt[trimmed]:
        trimmed += 1
    if ref == alt:
        trimmed = 0
    ref_len, alt_len = len(ref) - trimmed, len(alt) - trimmed
    if ref_len == alt_len:
        return {1: "SNP", 2: "DNP", 3: "TNP"}.get(alt_len, "ONP"), False, trimmed
    inframe = abs(ref_len - alt_len) % 3 == 0
    return ("INS" if ref_len < alt_len else "DEL"), inframe, trimmed


def variant_classification(consequence: str | None, var_type: str, inframe: bool) -> str:
    """vcf2maf ``GetVariantClassification`` for one SO term."""
    if not consequence:
        return DEFAULT_CLASS
    fixed = CONSEQUENCE_CLASS.get(consequence)
    if fixed is not None:
        return fixed
    return _INDEL_DEPENDENT_CLASS.get((consequence, var_type, inframe), DEFAULT_CLASS)


def shorten_hgvsp(hgvsp: str) -> str:
    """Three-letter amino acids to one-letter (``Ter`` -> ``*``); ``%3D`` is kept as is."""
    return _AA3_PATTERN.sub(lambda m: AA3_TO_1[m.group(0)], hgvsp)


def hgvsp_short(
    hgvsp: str, hgvsc: str, consequence: str, protein_position: str, amino_acids: str
) -> tuple[str, int | None]:
    """vcf2maf's HGVSp_Short, plus the protein position it derives for splice sites.

    ``hgvsp``/``hgvsc`` must already have their ``ENSP...:`` prefixes removed.
    """
    short = shorten_hgvsp(hgvsp) if hgvsp else ""
    splice_position = None
    if consequence in _SPLICE_SITE_TERMS:
        match = _HGVSC_CDS_POS.match(hgvsc)
        if match:
            c_pos = max(int(match.group(1)), 1)  # negative 5'UTR positions count as 1
            splice_position = round((c_pos + c_pos % 3) / 3)
            short = f"p.X{splice_position}_splice"
    if short == "p.=":
        # vcf2maf only finds the position in the "123/456" form (VEP --total_length)
        match = _SILENT_PROTEIN_POS.match(protein_position)
        short = f"p.{amino_acids}{match.group(1) if match else ''}="
    return short, splice_position
