"""Run one measurement in a fresh interpreter; print JSON {seconds, peak_rss_mb, ...}.

    python benchmarks/measure.py ingest VCF [REGIONS.tsv]
    python benchmarks/measure.py associate COHORT.tsv HR_OUT.tsv

Only the library call is timed; peak RSS is this process's ru_maxrss (imports included).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _ingest(vcf: str, regions_path: str | None = None) -> dict:
    from her2resist.variants.vcf import read_vcf

    regions = None
    if regions_path:
        regions = []
        for line in Path(regions_path).read_text().splitlines():
            chrom, start, end = line.split("\t")
            regions.append((chrom, int(start), int(end)))
    start = time.perf_counter()
    df = read_vcf(vcf, sample_id="BENCH", annotation="vep", regions=regions)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(df)}


def _associate(cohort: str, hr_out: str) -> dict:
    from inputs import read_cohort

    from her2resist.stats import response_associations, survival_associations

    time_, event, response, status = read_cohort(Path(cohort))
    start = time.perf_counter()
    survival = survival_associations(time_, event, status, endpoint="pfs")
    response_table = response_associations(response, status)
    seconds = time.perf_counter() - start
    merged = survival[["biomarker", "hr", "logrank_chi2", "method"]].merge(
        response_table[["biomarker", "fisher_p"]], on="biomarker"
    )
    merged.to_csv(hr_out, sep="\t", index=False, float_format="%.17g")
    return {"seconds": seconds, "rows": len(merged)}


def main(argv: list[str]) -> None:
    task, *args = argv
    result = {"ingest": _ingest, "associate": _associate}[task](*args)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
