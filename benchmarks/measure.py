"""Run one measurement in a fresh interpreter; print JSON {seconds, peak_rss_mb, ...}.

    python benchmarks/measure.py ingest VCF OUT.tsv [REGIONS.tsv]
    python benchmarks/measure.py associate COHORT.tsv OUT.tsv
    python benchmarks/measure.py process LOG [--mark TEXT ...] -- CMD ...

`ingest` and `associate` time the library call only (imports and input parsing excluded);
peak RSS is this process's high-water mark since exec (imports included; VmHWM, not ru_maxrss,
which also counts the pages of the parent it was forked from). `process` runs CMD (stdout and
stderr to LOG) and times it as a whole; peak RSS is then the largest process of its tree
(RUSAGE_CHILDREN), and each --mark gives the seconds until TEXT first appeared in its output.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _count_rows(path: str) -> int:
    """Data rows of a TSV with one header line."""
    lines = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def _ingest(vcf: str, out: str, regions_path: str | None = None) -> dict:
    from her2resist.run.variants import run_variants

    regions = None
    if regions_path:
        regions = []
        for line in Path(regions_path).read_text().splitlines():
            chrom, start, end = line.split("\t")
            regions.append((chrom, int(start), int(end)))
    start = time.perf_counter()
    run_variants(vcf, out, sample_id="BENCH", annotation="vep", regions=regions)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": _count_rows(out)}


def _associate(cohort: str, out: str) -> dict:
    from inputs import read_cohort

    from her2resist.stats.associate import response_associations, survival_associations

    time_, event, response, status = read_cohort(Path(cohort))
    start = time.perf_counter()
    survival = survival_associations(time_, event, status, endpoint="pfs")
    response_table = response_associations(response, status)
    seconds = time.perf_counter() - start
    columns = ["biomarker", "hr", "logrank_chi2", "logrank_p", "q_value", "method"]
    columns += ["median_altered", "median_wild_type"]
    merged = survival[columns].merge(response_table[["biomarker", "fisher_p"]], on="biomarker")
    merged.to_csv(out, sep="\t", index=False, float_format="%.17g")
    return {"seconds": seconds, "rows": len(merged)}


def _process(log: str, *args: str) -> dict:
    marks: list[str] = []
    args_list = list(args)
    while args_list and args_list[0] == "--mark":
        marks.append(args_list[1])
        args_list = args_list[2:]
    if args_list[:1] == ["--"]:
        args_list = args_list[1:]
    seen: dict[str, float] = {}
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            args_list,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            for mark in marks:
                if mark not in seen and mark in line:
                    seen[mark] = time.perf_counter() - start
        returncode = proc.wait()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "returncode": returncode, "marks": seen, "child_rss_mb": peak}


def _profile_ingest(vcf: str, out: str) -> dict:
    """CPU seconds of the variant stage by step, plus a bare cyvcf2 loop over the same file
    for scale."""
    import collections
    import functools

    import cyvcf2

    from her2resist.run.variants import run_variants
    from her2resist.variants import vcf as reader

    spent: collections.Counter = collections.Counter()

    def timed(name, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - start

        return wrapper

    converter = reader._RecordConverter
    for name in ("add", "_effects_per_alt", "_annotation_row", "_read_counts"):
        setattr(converter, name, timed(name, getattr(converter, name)))
    start = time.process_time()
    run_variants(vcf, out, sample_id="BENCH", annotation="vep")
    total = time.process_time() - start
    steps = {
        "htslib: decompress and parse records (cyvcf2), write the TSV": total - spent["add"],
        "CSQ entries: split, rank and choose one per variant": spent["_effects_per_alt"],
        "chosen entry's columns: HGVSp_Short, protein position, gnomAD AF": spent[
            "_annotation_row"
        ],
        "read counts: AD, DP, AF of tumour and normal": spent["_read_counts"],
        "rest of the conversion: variant type, rows": spent["add"]
        - spent["_effects_per_alt"]
        - spent["_annotation_row"]
        - spent["_read_counts"],
    }
    start = time.process_time()
    for record in cyvcf2.VCF(vcf):
        record.INFO.get("CSQ")
        record.format("AD")
    return {"seconds": total, "steps": steps, "bare_cyvcf2": time.process_time() - start}


def _peak_rss_mb() -> float:
    """Peak RSS since exec: Linux's VmHWM. ru_maxrss also counts the pages of the parent this
    process was forked from, so a benchmark driver that has grown (it generates the inputs)
    would inflate it."""
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    if match is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(match.group(1)) / 1024


def main(argv: list[str]) -> None:
    task, *args = argv
    tasks = {
        "ingest": _ingest,
        "associate": _associate,
        "process": _process,
        "profile-ingest": _profile_ingest,
    }
    result = tasks[task](*args)
    if task == "process":
        result["peak_rss_mb"] = result.pop("child_rss_mb")
    else:
        result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
