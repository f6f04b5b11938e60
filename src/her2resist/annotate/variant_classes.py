"""MAF Variant_Classification groups used by the annotation rules."""

TRUNCATING = {
    "Nonsense_Mutation",
    "Frame_Shift_Del",
    "Frame_Shift_Ins",
    "Splice_Site",
    "Nonstop_Mutation",
    "Translation_Start_Site",
}
# maftools' and cBioPortal's default non-synonymous classes.
NONSYNONYMOUS = TRUNCATING | {"Missense_Mutation", "In_Frame_Del", "In_Frame_Ins"}
