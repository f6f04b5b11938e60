"""Words the stages share, spelled once: MAF variant-class groups, alteration kinds, and the
statuses of the alteration matrix."""

# MAF Variant_Classification groups (vcf2maf's spelling) used by the annotation rules.
TRUNCATING = frozenset(
    {
        "Nonsense_Mutation",
        "Frame_Shift_Del",
        "Frame_Shift_Ins",
        "Splice_Site",
        "Nonstop_Mutation",
        "Translation_Start_Site",
    }
)
# maftools' and cBioPortal's default non-synonymous classes.
NONSYNONYMOUS = TRUNCATING | {"Missense_Mutation", "In_Frame_Del", "In_Frame_Ins"}

# What resources/pathways.yaml may list for a gene; each is one measurement of a sample.
ALTERATION_KINDS = frozenset({"mutation", "amplification", "gain", "deep_deletion", "fusion"})

# A patient's status for a gene or pathway (results/matrix/*).
ALTERED, WILD_TYPE, NOT_EVALUABLE = "altered", "wild_type", "not_evaluable"

# Sample sheet values (schemas/samples.schema.yaml): a specimen is tumour tissue or plasma
# cell-free DNA; the timepoints the longitudinal stage compares.
TISSUE, CTDNA = "tissue", "ctdna"
BASELINE, PROGRESSION = "baseline", "progression"
