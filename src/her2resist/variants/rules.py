"""Consequence-ranking tables and MAF vocabulary, transcribed from mskcc/vcf2maf.

Source: ``vcf2maf.pl`` @ bf53e52d32b33867c368206667f94ba4782550c1 (Apache-2.0),
functions ``GetEffectPriority``, ``GetBiotypePriority`` and ``GetVariantClassification``.
Where the Perl hash literal lists a key twice the *last* value wins (that is what Perl
does), so ``inversion`` is 3, ``protein_altering_variant`` 7 and ``mature_miRNA_variant`` 17.
"""

from __future__ import annotations

import re


def _table(text: str, value=str) -> dict:
    """Lines of ``VALUE key key ...`` -> {key: value(VALUE)} (the tables below, compactly)."""
    return {key: value(v) for v, *keys in map(str.split, text.strip().splitlines()) for key in keys}


#: Lower number = more severe. Unknown terms get ``UNKNOWN_EFFECT_PRIORITY`` (as vcf2maf).
EFFECT_PRIORITY: dict[str, int] = _table(
    """
1 transcript_ablation exon_loss_variant feature_ablation chromosome_number_variation
2 bidirectional_gene_fusion duplication gene_fusion splice_donor_variant
2 splice_acceptor_variant
3 stop_gained frameshift_variant stop_lost inversion
4 initiator_codon_variant+non_canonical_start_codon rearranged_at_DNA_level start_lost
4 initiator_codon_variant
5 disruptive_inframe_insertion disruptive_inframe_deletion conservative_inframe_insertion
5 conservative_inframe_deletion inframe_insertion inframe_deletion
6 missense_variant conservative_missense_variant rare_amino_acid_variant
7 transcript_amplification protein_altering_variant
8 protein_protein_contact structural_interaction_variant splice_branch_variant
8 splice_region_variant splice_donor_5th_base_variant splice_donor_region_variant
8 splice_polypyrimidine_tract_variant
9 start_retained_variant stop_retained_variant synonymous_variant start_retained
10 incomplete_terminal_codon_variant
11 coding_sequence_variant exon_variant transcript_variant
12 5_prime_UTR_variant 5_prime_UTR_premature_start_codon_gain_variant 3_prime_UTR_variant
13 non_coding_exon_variant non_coding_transcript_exon_variant
14 non_coding_transcript_variant nc_transcript_variant intron_variant intragenic_variant
14 INTRAGENIC
15 NMD_transcript_variant coding_transcript_variant
16 upstream_gene_variant downstream_gene_variant
17 TFBS_ablation TFBS_amplification TF_binding_site_variant regulatory_region_ablation
17 regulatory_region_amplification regulatory_region_variant regulatory_region
17 mature_miRNA_variant miRNA
18 feature_elongation feature_truncation
19 intergenic_variant intergenic_region sequence_feature conserved_intron_variant gene_variant
20 conserved_intergenic_variant custom
""",
    int,
) | {
    "sequence_feature + exon_loss_variant": 1,
    "5_prime_UTR_truncation + exon_loss_variant": 7,
    "3_prime_UTR_truncation + exon_loss": 8,
    "": 20,
}
UNKNOWN_EFFECT_PRIORITY = 20

#: Transcript biotypes by disease relevance (lower = preferred).
BIOTYPE_PRIORITY: dict[str, int] = _table(
    """
1 protein_coding
2 LRG_gene IG_C_gene IG_D_gene IG_J_gene IG_LV_gene IG_V_gene TR_C_gene TR_D_gene TR_J_gene
2 TR_V_gene
3 miRNA snRNA snoRNA ribozyme tRNA sRNA scaRNA rRNA scRNA lincRNA lncRNA
3 bidirectional_promoter_lncrna bidirectional_promoter_lncRNA
4 known_ncrna vaultRNA macro_lncRNA Mt_tRNA Mt_rRNA
5 antisense antisense_RNA sense_intronic sense_overlapping 3prime_overlapping_ncrna
5 3prime_overlapping_ncRNA misc_RNA non_coding
6 regulatory_region disrupted_domain processed_transcript protein_coding_CDS_not_defined TEC
7 TF_binding_site CTCF_binding_site promoter_flanking_region enhancer promoter
7 open_chromatin_region retained_intron nonsense_mediated_decay non_stop_decay ambiguous_orf
8 pseudogene processed_pseudogene polymorphic_pseudogene retrotransposed
8 translated_processed_pseudogene translated_unprocessed_pseudogene
8 transcribed_processed_pseudogene transcribed_unprocessed_pseudogene
8 transcribed_unitary_pseudogene unitary_pseudogene unprocessed_pseudogene Mt_tRNA_pseudogene
8 tRNA_pseudogene snoRNA_pseudogene snRNA_pseudogene scRNA_pseudogene rRNA_pseudogene
8 misc_RNA_pseudogene miRNA_pseudogene IG_C_pseudogene IG_D_pseudogene IG_J_pseudogene
8 IG_V_pseudogene TR_J_pseudogene TR_V_pseudogene
9 artifact
""",
    int,
) | {"": 10}
UNKNOWN_BIOTYPE_PRIORITY = 10

#: SO term -> MAF Variant_Classification, for terms whose class does not depend on the
#: variant type. ``frameshift_variant`` and ``protein_altering_variant`` are resolved in
#: :func:`variant_classification` because they need the indel type and frame.
CONSEQUENCE_CLASS: dict[str, str] = _table(
    """
Splice_Site splice_acceptor_variant splice_donor_variant transcript_ablation exon_loss_variant
Nonsense_Mutation stop_gained
Nonstop_Mutation stop_lost
Translation_Start_Site initiator_codon_variant start_lost
In_Frame_Ins inframe_insertion disruptive_inframe_insertion conservative_inframe_insertion
In_Frame_Del inframe_deletion disruptive_inframe_deletion conservative_inframe_deletion
Missense_Mutation missense_variant coding_sequence_variant conservative_missense_variant
Missense_Mutation rare_amino_acid_variant
Intron transcript_amplification intron_variant INTRAGENIC intragenic_variant
Splice_Region splice_region_variant
Silent incomplete_terminal_codon_variant synonymous_variant stop_retained_variant
Silent NMD_transcript_variant
RNA mature_miRNA_variant exon_variant non_coding_exon_variant
RNA non_coding_transcript_exon_variant non_coding_transcript_variant nc_transcript_variant
5'UTR 5_prime_UTR_variant 5_prime_UTR_premature_start_codon_gain_variant
3'UTR 3_prime_UTR_variant
IGR TF_binding_site_variant regulatory_region_variant regulatory_region intergenic_variant
IGR intergenic_region
5'Flank upstream_gene_variant
3'Flank downstream_gene_variant
"""
)
#: What vcf2maf reports when nothing else matches, or when there is no effect at all.
DEFAULT_CLASS = "Targeted_Region"

#: Legacy SnpEff ``EFF`` effect names -> Sequence Ontology terms (SnpEff's own mapping).
EFF_TO_SO: dict[str, str] = _table(
    """
missense_variant NON_SYNONYMOUS_CODING
synonymous_variant SYNONYMOUS_CODING
stop_gained STOP_GAINED
stop_lost STOP_LOST
start_lost START_LOST
initiator_codon_variant NON_SYNONYMOUS_START
start_retained_variant SYNONYMOUS_START
stop_retained_variant SYNONYMOUS_STOP NON_SYNONYMOUS_STOP
frameshift_variant FRAME_SHIFT
inframe_insertion CODON_INSERTION
inframe_deletion CODON_DELETION
disruptive_inframe_insertion CODON_CHANGE_PLUS_CODON_INSERTION
disruptive_inframe_deletion CODON_CHANGE_PLUS_CODON_DELETION
coding_sequence_variant CODON_CHANGE CDS
rare_amino_acid_variant RARE_AMINO_ACID
splice_acceptor_variant SPLICE_SITE_ACCEPTOR
splice_donor_variant SPLICE_SITE_DONOR
splice_region_variant SPLICE_SITE_REGION
splice_branch_variant SPLICE_SITE_BRANCH SPLICE_SITE_BRANCH_U12
5_prime_UTR_variant UTR_5_PRIME UTR_5_DELETED
5_prime_UTR_premature_start_codon_gain_variant START_GAINED
3_prime_UTR_variant UTR_3_PRIME UTR_3_DELETED
exon_variant EXON
exon_loss_variant EXON_DELETED
intron_variant INTRON
conserved_intron_variant INTRON_CONSERVED
intragenic_variant INTRAGENIC
transcript_variant TRANSCRIPT
gene_variant GENE
upstream_gene_variant UPSTREAM
downstream_gene_variant DOWNSTREAM
intergenic_region INTERGENIC
conserved_intergenic_variant INTERGENIC_CONSERVED
regulatory_region_variant REGULATION
TF_binding_site_variant MOTIF
miRNA MICRO_RNA
sequence_feature NEXT_PROT
"""
)

#: vcf2maf's %aa3to1.
AA3_TO_1: dict[str, str] = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Asx": "B", "Cys": "C", "Glu": "E",
    "Gln": "Q", "Glx": "Z", "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K",
    "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y",
    "Val": "V", "Xxx": "X", "Ter": "*",
}  # fmt: skip
_AA3_PATTERN = re.compile("|".join(AA3_TO_1))


def effect_priority(term: str) -> int:
    return EFFECT_PRIORITY.get(term, UNKNOWN_EFFECT_PRIORITY)


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
    if consequence in CONSEQUENCE_CLASS:
        return CONSEQUENCE_CLASS[consequence]
    if var_type not in ("INS", "DEL"):  # the other terms' class depends on the indel
        return DEFAULT_CLASS
    indel = var_type.title()  # Ins, Del
    if consequence == "frameshift_variant":
        return f"Frame_Shift_{indel}"
    if consequence == "protein_altering_variant":
        return f"In_Frame_{indel}" if inframe else f"Frame_Shift_{indel}"
    return DEFAULT_CLASS


def shorten_hgvsp(hgvsp: str) -> str:
    """Three-letter amino acids to one-letter (``Ter`` -> ``*``); ``%3D`` is kept as is."""
    return _AA3_PATTERN.sub(lambda m: AA3_TO_1[m.group(0)], hgvsp)
