"""TMB: maftools' tmb() count over the coding megabases of each sample's panel."""

import numpy as np
import pandas as pd
import pytest
from test_annotate import FILTERS

from her2resist.annotate.tmb import coding_megabases
from her2resist.errors import InputError
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


def test_panel_size_from_a_bed_or_a_cbioportal_gene_panel(tmp_path, brca) -> None:
    bed = tmp_path / "panel.bed"
    # chr1: [100, 300) and [200, 400) overlap -> 300 bases; chr2: 1,000 bases -> 1,300
    bed.write_text("track name=x\nchr1\t100\t300\nchr1\t200\t400\tA\nchr2\t0\t1000\n")
    assert coding_megabases(str(bed), {"specimen": "tissue"}) == pytest.approx(0.0013)
    panel = tmp_path / "data_gene_panel_impact468.txt"
    panel.write_text(
        "stable_id: IMPACT468\ndescription: x\ngene_list: TP53\tPIK3CA\n"
        "number_of_profiled_coding_base_pairs: 1213770\n"
    )
    samples = _samples(specimen=["tissue"], panel=["IMPACT468"])
    tmb = tmb_per_sample({SAMPLE: brca}, samples, FILTERS, set(), {"IMPACT468": str(panel)})
    assert tmb[SAMPLE] == pytest.approx(31 / 1.21377)
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t100\t300\nchr1 100 300\n")
    with pytest.raises(InputError, match=r"bad.bed, line 2: not a BED line"):
        coding_megabases(str(bad), {})
