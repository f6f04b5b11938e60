"""TMB: maftools' tmb() count over the coding megabases of each sample's panel."""

import numpy as np
import pandas as pd
import pytest
from test_annotate import FILTERS

from her2resist.annotate.tmb import coding_megabases
from her2resist.longitudinal import tmb_per_sample
from her2resist.variants.maf import read_maf

# maftools' bundled TCGA-BRCA subset (one sample, 1,913 rows). Counted by hand (awk on
# Variant_Classification): 27 Missense_Mutation + 4 Nonsense_Mutation = 31 in maftools'
# vc_nonSyn; 15 Silent and 9 Splice_Region are not (cBioPortal's calc_nonsyn_tmb.py would add
# the 9 Splice_Region). maftools tmb(maf, captureSize = 50) reports total_perMB = 31 / 50.
BRCA = "../shared/data/cohorts/maftools/brca.maf.gz"
SAMPLE = "TCGA-A8-A08B"


@pytest.fixture(scope="module")
def brca() -> pd.DataFrame:
    return read_maf(BRCA)


def _samples(**columns) -> pd.DataFrame:
    return pd.DataFrame({"sample_id": [SAMPLE], "patient_id": ["P1"], **columns})


def test_tmb_counts_as_maftools_on_a_real_maf(brca) -> None:
    classes = brca["variant_class"].value_counts()
    assert (classes["Missense_Mutation"], classes["Nonsense_Mutation"]) == (27, 4)
    tmb = tmb_per_sample({SAMPLE: brca}, _samples(specimen=["tissue"]), FILTERS, set(), 50.0)
    assert tmb[SAMPLE] == pytest.approx(31 / 50)  # maftools tmb(): 0.62 per Mb


def test_denominator_per_panel_then_specimen(brca) -> None:
    sizes = {"MSK-IMPACT468": 1.22, "tissue": 2.0, "ctdna": 0.8}
    by_panel = _samples(specimen=["tissue"], panel=["MSK-IMPACT468"])
    assert tmb_per_sample({SAMPLE: brca}, by_panel, FILTERS, set(), sizes)[SAMPLE] == (
        pytest.approx(31 / 1.22)
    )
    by_specimen = _samples(specimen=["tissue"], panel=["unlisted"])
    assert tmb_per_sample({SAMPLE: brca}, by_specimen, FILTERS, set(), sizes)[SAMPLE] == (
        pytest.approx(31 / 2.0)
    )
    assert coding_megabases(sizes, {"specimen": "ctdna"}) == 0.8
    assert coding_megabases({"tissue": 2.0}, {"specimen": "ctdna"}) is None


def test_no_tmb_when_only_pathway_genes_were_read(brca) -> None:
    samples = _samples(specimen=["tissue"])
    tmb = tmb_per_sample({SAMPLE: brca}, samples, FILTERS, set(), 1.0, None, None, "pathway_genes")
    assert np.isnan(tmb[SAMPLE])
