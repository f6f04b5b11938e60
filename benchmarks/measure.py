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
    return {"seconds": time.perf_counter() - start}


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
    """Seconds of the variant stage by step, with one conversion thread (so that the steps
    add up: the workflow converts two blocks at once), and the CPU seconds of the bcftools
    process reading the file."""
    import collections
    import functools

    from her2resist.run.variants import run_variants
    from her2resist.variants import annotations
    from her2resist.variants import vcf as reader

    spent: collections.Counter = collections.Counter()

    def timed(name, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return wrapper

    for name in ("_entries", "_ranked", "_per_alt", "_choose", "_details"):
        setattr(annotations, name, timed(name, getattr(annotations, name)))
    reader.read_counts = timed("read_counts", reader.read_counts)
    reader._Reader.convert = timed("convert", reader._Reader.convert)
    reader._WORKERS = 1
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run_variants(vcf, out, sample_id="BENCH", annotation="vep")
    total = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    bcftools = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    choice = spent["_ranked"] + spent["_per_alt"] + spent["_choose"]
    named = spent["_entries"] + choice + spent["_details"] + spent["read_counts"]
    steps = {
        "annotation entries: split from the records, field counts checked": spent["_entries"],
        "their fields read, ranked, one chosen per ALT (vcf2maf's order)": choice,
        "chosen entry's columns: HGVSp_Short, protein position, class, population AF": spent[
            "_details"
        ],
        "read counts: AD, DP, AF of tumour and normal": spent["read_counts"],
        "rest of the conversion: text to columns, ALT alleles, variant types": spent["convert"]
        - named,
        "reading the header, waiting for bcftools, writing the TSV": total - spent["convert"],
    }
    return {"seconds": total, "steps": steps, "bcftools_cpu": bcftools}


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
