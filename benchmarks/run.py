"""Benchmarks of her2resist against reference tools (bcftools, R survival) and targets.

    .venv/bin/python benchmarks/run.py            # what `make bench` runs
    .venv/bin/python benchmarks/run.py --quick    # tiny sizes, one run each (the smoke test)
    .venv/bin/python benchmarks/run.py --large    # also 5M records (or BENCH_LARGE=1)

Other options: --records 100000,1000000 (ingestion sizes), --tasks ingest,dag (a subset of
python_startup, ingest, associate, dag, example), --repeats N, --dag-samples N,
--example run|dry|skip, --out DIR (RESULTS.md and results.json; default benchmarks/),
--work DIR (generated inputs; default benchmarks/work/, git-ignored).

Inputs are generated deterministically (fixed seeds) and cached in the work folder under a
stamp of the generator's source. Each figure is the median of 3 runs (1 with --quick); a
measurement whose first run takes more than LONG_RUN_SECONDS is run once, and the table
says how many runs each figure is from. Ingestion is timed as a whole process, as bcftools is
(a fresh interpreter per run, benchmarks/measure.py, start-up and imports included; the call
alone is a detail), `associate` around the call only (interpreter start-up plus imports is the
separate `python_startup` row); measure.py reports the process's peak RSS. Reference tools
and the workflow (`dag`, `example`) are timed as whole processes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pysam

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
MEASURE = BENCH_DIR / "measure.py"
REFERENCE_R = BENCH_DIR / "reference.R"
SNAKEFILE = ROOT / "workflow" / "Snakefile"
PROFILE = ROOT / "profiles" / "local"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import inputs  # noqa: E402

SIZES = {
    "full": {
        "records": [100_000, 1_000_000],
        "heavy_vep_records": 60_000,
        "large_records": [5_000_000],
        "cohorts": [(2_000, 100), (10_000, 500)],
        "dag_samples": 5_000,
        "example": "run",
        "repeats": 3,
        "cohort": None,  # the size (benchmarks/cohort_study.py)
    },
    "quick": {
        "records": [2_000],
        "heavy_vep_records": 600,
        "large_records": [20_000],
        "cohorts": [(200, 10)],
        "dag_samples": 50,
        "example": "dry",
        "repeats": 1,
        "cohort": (150, 165, 800),  # patients, samples, mutations
    },
}
TASKS = ("python_startup", "ingest_full", "ingest_panel", "ingest_heavy_vep", "associate", "dag")
TASKS += ("example", "cohort")
TASK_GROUPS = {
    "python_startup": ("python_startup",),
    "ingest": ("ingest_full", "ingest_panel", "ingest_heavy_vep"),
    "associate": ("associate",),
    "dag": ("dag",),
    "example": ("example",),
    "cohort": ("cohort",),
}
COHORT_REFERENCE_R = BENCH_DIR / "cohort_reference.R"
TARGET_COHORT_RATIO = 1.0  # issue 15: the workflow no slower than the R script
COHORT_COMPARED = (
    "hr",
    "logrank_chi2",
    "logrank_p",
    "q_value",
    "ph_p",
    "median_altered",
    "median_wild_type",
)
QUERY_FORMAT = r"%CHROM\t%POS\t%REF\t%ALT\t%INFO/CSQ[\t%AD]\n"
# the like-for-like reference: bcftools also picks one consequence per record and prints
# the chosen transcript's fields (its rule: the most severe; ours: vcf2maf's)
SPLIT_VEP_FORMAT = (
    r"%CHROM\t%POS\t%REF\t%ALT\t%SYMBOL\t%Feature\t%Consequence\t%HGVSc\t%HGVSp"
    r"\t%Protein_position\t%BIOTYPE\t%CANONICAL\t%gnomADe_AF[\t%AD\t%AF\t%DP]\n"
)
HR_TOLERANCE = 1e-6
LONG_RUN_SECONDS = 60.0
# Issue #9's targets.
TARGET_RATIO = {"ingest_panel": 1.5, "ingest_full": 2.0}
INGEST_TASKS = ("ingest_full", "ingest_panel", "ingest_heavy_vep")
TARGET_SPLIT_VEP = 2.0  # issue 17: whole process, against `bcftools +split-vep -s worst`
TARGET_RSS_MB = 300.0
TARGET_ASSOCIATE = (0.25, 1.0)  # goal, minimum (ratio to R)
TARGET_SECONDS = {"dag": 30.0, "example": 180.0}
TARGET_REFERENCE = "target (issue #9)"
DAG_MARKS = ("Building DAG of jobs", "Job stats:")


# --------------------------------------------------------------------------- helpers


def _run(cmd: list[str], *, stdout=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, check=True, stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )


def time_process(cmd: list[str]) -> float:
    """Wall-clock seconds of one process, output discarded."""
    start = time.perf_counter()
    _run(cmd)
    return time.perf_counter() - start


def _tsv_rows(path: Path) -> int:
    """Data rows of a TSV with one header line."""
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def measure_child(*args: str) -> dict:
    """One timed measurement in a fresh interpreter (benchmarks/measure.py): its JSON."""
    done = _run([sys.executable, str(MEASURE), *args], stdout=subprocess.PIPE)
    return json.loads(done.stdout.strip().splitlines()[-1])


def repeated(measure, repeats: int) -> list[dict]:
    """Up to `repeats` runs of `measure()` ({"seconds": ...}); one if the first is long."""
    runs = []
    for _ in range(repeats):
        runs.append(measure())
        if runs[-1]["seconds"] > LONG_RUN_SECONDS:
            break
    return runs


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _row(task, size, seconds, reference, reference_seconds, peak_rss_mb) -> dict:
    ratio = seconds / reference_seconds if reference_seconds else None
    return {
        "task": task,
        "size": size,
        "seconds": seconds,
        "reference": reference,
        "reference_seconds": reference_seconds,
        "ratio": ratio,
        "peak_rss_mb": peak_rss_mb,
    }


def _query_cmd(vcf: Path) -> list[str]:
    return ["bcftools", "query", "-f", QUERY_FORMAT, str(vcf)]


def _panel_pipeline(vcf: Path, bed: Path, split_vep: bool = False) -> list[str]:
    view = shlex.join(["bcftools", "view", "-R", str(bed), str(vcf)])
    print_cmd = _print_cmd("-", split_vep, _csq_fields(vcf))
    return ["bash", "-o", "pipefail", "-c", f"{view} | {shlex.join(print_cmd)}"]


def _print_cmd(vcf: str, split_vep: bool, csq_fields: set[str] | None = None) -> list[str]:
    if split_vep:
        return ["bcftools", "+split-vep", "-s", "worst", "-f", _split_vep_format(csq_fields), vcf]
    return ["bcftools", "query", "-f", QUERY_FORMAT, vcf]


def _split_vep_format(csq_fields: set[str] | None) -> str:
    """SPLIT_VEP_FORMAT less the CSQ fields the file's header does not list."""
    if csq_fields is None:
        return SPLIT_VEP_FORMAT
    return re.sub(
        r"\\t%(\w+)",
        lambda m: (
            m.group(0)
            if m.group(1) in csq_fields or m.group(1) in ("CHROM", "POS", "REF", "ALT")
            else ""
        ),
        SPLIT_VEP_FORMAT,
    )


def _csq_fields(vcf: Path) -> set[str]:
    with pysam.VariantFile(str(vcf)) as handle:
        description = handle.header.info["CSQ"].description
    return set(description.split("Format:")[1].strip().split("|"))


def _has_split_vep() -> bool:
    plugins = subprocess.run(["bcftools", "plugin", "-l"], capture_output=True, check=False)
    return b"split-vep" in plugins.stdout


def _count_lines(cmd: list[str]) -> int:
    count = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT) as proc:
        assert proc.stdout is not None
        while block := proc.stdout.read(1 << 20):
            count += block.count(b"\n")
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return count


def _snakemake() -> str:
    return str(Path(sys.executable).with_name("snakemake"))


# --------------------------------------------------------------------------- inputs


def _stamp(*params: object) -> str:
    """Changes when the generator's source or its parameters change."""
    digest = hashlib.sha256((BENCH_DIR / "inputs.py").read_bytes())
    digest.update(repr(params).encode())
    return digest.hexdigest()[:16]


def _cached(target: Path, stamp_file: Path, stamp: str, make, label: str) -> None:
    if target.exists() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    start = time.perf_counter()
    stamp_file.unlink(missing_ok=True)
    make()
    stamp_file.write_text(stamp)
    print(f"generated {label} in {time.perf_counter() - start:.1f} s", flush=True)


def prepare_vcf(work: Path, n_records: int) -> tuple[Path, Path, Path]:
    """The VCF (+ .tbi), the panel BED (0-based) and the panel regions (1-based, TSV)."""
    work.mkdir(parents=True, exist_ok=True)
    panel = inputs.panel_genes()
    vcf = work / f"bench_{n_records}.vcf.gz"
    _cached(
        vcf,
        work / f"bench_{n_records}.stamp",
        _stamp("vcf", n_records, inputs.VCF_SEED),
        lambda: inputs.write_vcf(vcf, n_records, panel),
        f"{n_records:,}-record VCF",
    )
    bed = work / "panel.bed"
    regions = inputs.write_panel_bed(panel, bed)
    regions_tsv = work / "panel_regions.tsv"
    regions_tsv.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in regions))
    return vcf, bed, regions_tsv


def prepare_heavy_vcf(work: Path, n_records: int) -> Path:
    """The heavy VEP VCF (+ .tbi): real VEP entries, ~4.6 kB a record."""
    work.mkdir(parents=True, exist_ok=True)
    vcf = work / f"heavy_vep_{n_records}.vcf.gz"
    _cached(
        vcf,
        work / f"heavy_vep_{n_records}.stamp",
        _stamp("heavy_vep", n_records, inputs.VCF_SEED, inputs.HEAVY_LINE_BYTES),
        lambda: inputs.write_heavy_vep_vcf(vcf, n_records),
        f"{n_records:,}-record heavy VEP VCF",
    )
    return vcf


def prepare_dag(work: Path, n_samples: int) -> tuple[Path, Path]:
    """Working directory and config of the `dag` benchmark."""
    workdir = work / f"dag_{n_samples}"
    config = workdir / "config" / "config.yaml"

    def make() -> None:
        shutil.rmtree(workdir, ignore_errors=True)
        inputs.write_dag_workdir(workdir, n_samples)

    workdir.mkdir(parents=True, exist_ok=True)
    templates = [inputs.CONFIG_YAML, *sorted(inputs.EXAMPLE_DIR.glob("*.tsv"))]
    templates += sorted(inputs.EXAMPLE_DIR.glob(f"*/{inputs.TEMPLATE_PATIENT}_*"))
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in templates)).hexdigest()
    stamp = _stamp("dag", n_samples, digest)
    _cached(config, work / f"dag_{n_samples}.stamp", stamp, make, f"{n_samples:,}-sample sheet")
    return workdir, config


# --------------------------------------------------------------------------- tasks


def bench_python_startup(repeats: int) -> tuple[dict, dict]:
    code = (
        "import resource, her2resist.cli, her2resist.stats; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )

    def once() -> dict:
        start = time.perf_counter()
        done = _run([sys.executable, "-c", code], stdout=subprocess.PIPE)
        return {"seconds": time.perf_counter() - start, "rss": float(done.stdout.strip())}

    runs = repeated(once, repeats)
    reference, ref_seconds, ref_runs = None, None, []
    if shutil.which("Rscript"):
        reference = "Rscript -e 'library(survival)'"
        cmd = ["Rscript", "-e", "suppressPackageStartupMessages(library(survival))"]
        ref_runs = repeated(lambda: {"seconds": time_process(cmd)}, repeats)
        ref_seconds = _median([r["seconds"] for r in ref_runs])
    size = "python -c 'import her2resist.cli, her2resist.stats'"
    row = _row(
        "python_startup",
        size,
        _median([r["seconds"] for r in runs]),
        reference,
        ref_seconds,
        max(r["rss"] for r in runs),
    )
    return row, {"runs": len(runs), "reference_runs": len(ref_runs)}


def bench_ingest(
    task: str,
    work: Path,
    vcf: Path,
    n_records: int,
    repeats: int,
    panel: tuple[Path, Path] | None = None,
    size: str | None = None,
) -> tuple[dict, dict]:
    """run_variants on the whole file (panel=None) or on the panel regions, against bcftools;
    ours timed as a whole process (interpreter start-up and imports included), as bcftools."""
    out = work / f"{task}_{n_records}.tsv"
    args = [str(vcf), str(out)] + ([] if panel is None else [str(panel[1])])

    def once() -> dict:
        start = time.perf_counter()
        measured = measure_child("ingest", *args)
        seconds = time.perf_counter() - start
        rows = _tsv_rows(out)  # counted here: not part of the timed run
        return {**measured, "call_seconds": measured["seconds"], "seconds": seconds, "rows": rows}

    runs = repeated(once, repeats)
    ours = _median([r["seconds"] for r in runs])
    rss = max(r["peak_rss_mb"] for r in runs)
    check: dict = {"runs": len(runs), "rows_ours": runs[0]["rows"]}
    check["call_only_s"] = _median([r["call_seconds"] for r in runs])
    out.unlink(missing_ok=True)
    reference, ref_seconds, split_ratio = None, None, None
    if shutil.which("bcftools"):
        if panel is None:
            cmd = _query_cmd(vcf)
            reference = "bcftools query"
        else:
            cmd = _panel_pipeline(vcf, panel[0])
            reference = "bcftools view -R | bcftools query"
        ref_runs = repeated(lambda: {"seconds": time_process(cmd)}, repeats)
        ref_seconds = _median([r["seconds"] for r in ref_runs])
        check["reference_runs"] = len(ref_runs)
        check["rows_reference"] = _count_lines(cmd)
        if _has_split_vep():
            split = _print_cmd(str(vcf), True, _csq_fields(vcf)) if panel is None else None
            split = split or _panel_pipeline(vcf, panel[0], split_vep=True)
            split_s = _median([time_process(split) for _ in range(len(ref_runs))])
            check["split_vep_worst_s"] = split_s
            split_ratio = ours / split_s
    size = size or f"{n_records:,} records"
    if panel is not None:
        n_genes = sum(1 for _ in panel[1].open())
        size = f"{n_records:,} records, {n_genes}-gene panel ({check['rows_ours']:,} kept)"
    row = _row(task, size, ours, reference, ref_seconds, rss)
    row["ratio_vs_split_vep"] = split_ratio
    return row, check


def profile_ingest(work: Path, vcf: Path, n_records: int) -> dict:
    """Where the full-file ingestion time goes (one run, CPU seconds per step)."""
    out = work / f"profile_{n_records}.tsv"
    profile = measure_child("profile-ingest", str(vcf), str(out))
    out.unlink(missing_ok=True)
    profile["records"] = n_records
    if shutil.which("bcftools"):
        profile["bcftools"] = _median([time_process(_query_cmd(vcf)) for _ in range(3)])
    return profile


def profile_lines(profile: dict) -> list[str]:
    total = profile["seconds"]
    lines = [
        f"Seconds of `run_variants` on the {profile['records']:,}-record file, by step, with one "
        "conversion thread so that the steps add up (one run, `benchmarks/measure.py "
        "profile-ingest`; the workflow converts two blocks at once):",
        "",
        "| step | s | share |",
        "|---|---:|---:|",
    ]
    for step, seconds in profile["steps"].items():
        lines.append(f"| {step} | {seconds:.2f} | {100 * seconds / total:.0f} % |")
    lines.append(f"| **total** | **{total:.2f}** | |")
    cpu = profile["bcftools_cpu"]
    lines += ["", f"- the bcftools process it ran (CPU seconds, beside it): {cpu:.2f} s"]
    if profile.get("bcftools"):
        lines += [f"- `bcftools query` alone (the reference's fields, text to /dev/null): "
                  f"{profile['bcftools']:.2f} s"]  # fmt: skip
    lines += ["", *PROFILE_TEXT]
    return lines


PROFILE_TEXT = [
    "One reader, no compiled code of the project's own: `bcftools query` (htslib) decompresses "
    "and parses the records in its own process and prints the fields the table needs; the "
    "text is converted column-wise on polars, ~10,000 lines (at most 8 MB) at a time, two "
    "blocks at once: the CSQ "
    "entries split into fields, ranked and one chosen per ALT as vcf2maf does, the chosen "
    "entry's columns derived, the read counts parsed, and the rows rendered as pandas `to_csv` "
    "writes them in `tables.write_tsv` (in the conversion threads; the main thread only "
    "writes the file); a thread reads bcftools' output one block ahead, so bcftools goes on "
    "parsing while the blocks are converted. VCF headers, and SV records for fusions, are "
    "read by bcftools too (`bcftools view -h`, `bcftools query`): cyvcf2 is no longer used.",
]


def _read_table(path: Path) -> dict[str, dict[str, str]]:
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    table = {}
    for line in lines[1:]:
        values = dict(zip(header, line.split("\t"), strict=True))
        table[values["biomarker"]] = values
    return table


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:  # "", "NA"
        return math.nan


def _max_relative_difference(ours: dict, ref: dict, column: str, keep=None) -> float:
    worst = 0.0
    for name, row in ours.items():
        if keep is not None and not keep(row):
            continue
        a, b = _number(row[column]), _number(ref[name][column])
        if math.isnan(a) and math.isnan(b):
            continue  # e.g. a median not reached on both sides
        if math.isnan(a) or math.isnan(b):
            return math.inf
        worst = max(worst, abs(a - b) / max(abs(b), 1e-300))
    return worst


COMPARED = (
    "hr",
    "logrank_chi2",
    "logrank_p",
    "q_value",
    "fisher_p",
    "median_altered",
    "median_wild_type",
)


def compare_with_r(ours_tsv: Path, r_tsv: Path) -> dict:
    """Max relative differences ours vs R (HR over Cox-fitted rows; the rest over all)."""
    ours, ref = _read_table(ours_tsv), _read_table(r_tsv)
    cox = "logrank+cox_efron"
    check: dict = {
        "biomarkers": len(ours),
        "cox_rows_compared": sum(row["method"] == cox for row in ours.values()),
    }
    for column in COMPARED:
        keep = (lambda row: row["method"] == cox) if column == "hr" else None
        check[f"{column}_max_rel_diff"] = _max_relative_difference(ours, ref, column, keep)
    return check


def bench_associate(work: Path, patients: int, biomarkers: int, repeats: int) -> tuple[dict, dict]:
    cohort = work / f"cohort_{patients}x{biomarkers}.tsv"
    _cached(
        cohort,
        work / f"cohort_{patients}x{biomarkers}.stamp",
        _stamp("cohort", patients, biomarkers, inputs.COHORT_SEED),
        lambda: inputs.write_cohort(cohort, patients, biomarkers),
        f"{patients:,} x {biomarkers} cohort",
    )
    ours_tsv = work / f"associate_ours_{patients}x{biomarkers}.tsv"
    r_tsv = work / f"associate_r_{patients}x{biomarkers}.tsv"
    runs = repeated(lambda: measure_child("associate", str(cohort), str(ours_tsv)), repeats)
    ours = _median([r["seconds"] for r in runs])
    rss = max(r["peak_rss_mb"] for r in runs)
    reference, ref_seconds = None, None
    check: dict = {"runs": len(runs)}
    if shutil.which("Rscript"):
        reference = "Rscript survfit+survdiff+coxph(efron)+fisher.test+p.adjust(BH)"
        loop_file = work / "associate_r_loop_seconds.txt"
        cmd = ["Rscript", str(REFERENCE_R), str(cohort), str(r_tsv), str(loop_file)]
        ref_runs = repeated(lambda: {"seconds": time_process(cmd)}, repeats)
        ref_seconds = _median([r["seconds"] for r in ref_runs])
        check["reference_runs"] = len(ref_runs)
        check.update(compare_with_r(ours_tsv, r_tsv))
        # R's own loop time (start-up and reading excluded), from the last run
        check["r_loop_seconds"] = float(loop_file.read_text())
    size = f"{patients:,} patients x {biomarkers} biomarkers"
    return _row("associate", size, ours, reference, ref_seconds, rss), check


def _snakemake_process(workdir: Path, log: Path, *extra: str, marks=()) -> dict:
    """snakemake on `workdir` with the default profile, timed by measure.py as a process."""
    cmd = [
        _snakemake(),
        "-s",
        str(SNAKEFILE),
        "-d",
        str(workdir),
        "--profile",
        str(PROFILE),
        *extra,
    ]
    mark_args = [arg for mark in marks for arg in ("--mark", mark)]
    result = measure_child("process", str(log), *mark_args, "--", *cmd)
    if result["returncode"] != 0:
        tail = log.read_text()[-3000:]
        raise RuntimeError(f"{shlex.join(cmd)} failed ({result['returncode']}):\n{tail}")
    return result


def _planned_jobs(log: Path) -> int | None:
    match = re.search(r"^total\s+(\d+)\s*$", log.read_text(), flags=re.M)
    return int(match.group(1)) if match else None


def bench_dag(work: Path, n_samples: int, repeats: int) -> tuple[dict, dict]:
    """`snakemake -n` on a sheet of n_samples samples (parse-time validation included)."""
    workdir, config = prepare_dag(work, n_samples)
    log = work / f"dag_{n_samples}.log"
    extra = ("-n", "--cores", "8", "--configfile", str(config))
    runs = repeated(lambda: _snakemake_process(workdir, log, *extra, marks=DAG_MARKS), repeats)
    seconds = _median([r["seconds"] for r in runs])
    parse = _median([r["marks"].get(DAG_MARKS[0], math.nan) for r in runs])
    dag = _median([r["marks"].get(DAG_MARKS[1], math.nan) for r in runs])
    check = {
        "runs": len(runs),
        "jobs_planned": _planned_jobs(log),
        "parse_and_validate_s": parse,
        "dag_built_s": dag,
        "dry_run_listing_s": seconds - dag,
    }
    size = f"snakemake -n, {n_samples:,} samples ({check['jobs_planned']:,} jobs)"
    peak = max(r["peak_rss_mb"] for r in runs)
    row = _row("dag", size, seconds, TARGET_REFERENCE, TARGET_SECONDS["dag"], peak)
    return row, check


def bench_example(work: Path, mode: str) -> tuple[dict, dict]:
    """The 30-patient example end to end (`--cores 2`, default target) in a fresh copy;
    with mode 'dry' only its dry run (the end-to-end run is in the test suite already)."""
    workdir = work / "example"
    inputs.write_example_workdir(workdir)
    log = work / "example.log"
    extra = ["--cores", "2"] + (["-n"] if mode == "dry" else [])
    result = _snakemake_process(workdir, log, *extra, marks=DAG_MARKS)
    text = log.read_text()
    done = re.findall(r"(\d+) of (\d+) steps \(100%\) done", text)
    check = {
        "runs": 1,
        "mode": "dry run (-n)" if mode == "dry" else "end to end",
        "jobs": int(done[-1][1]) if done else _planned_jobs(log),
        "parse_and_validate_s": result["marks"].get(DAG_MARKS[0], math.nan),
    }
    patients = sum(1 for _ in (workdir / "resources/example/clinical.tsv").open()) - 1
    samples = sum(1 for _ in (workdir / "resources/example/samples.tsv").open()) - 1
    size = f"{patients} patients, {samples} samples, --cores 2, {check['jobs']} jobs"
    if mode == "dry":
        size += " (dry run only)"
    row = _row(
        "example",
        size,
        result["seconds"],
        TARGET_REFERENCE,
        TARGET_SECONDS["example"],
        result["peak_rss_mb"],
    )
    return row, check


def _cohort_kinds(config_path: Path, out: Path) -> Path:
    """The configured genes and pathway members with the alteration kinds listed for them
    in resources/pathways.yaml (what counts as altered, for the R reference)."""
    import yaml

    from her2resist.annotate.knowledge import knowledge_from
    from her2resist.config import resolve_resources, validate_config

    config = resolve_resources(validate_config(yaml.safe_load(config_path.read_text()), "c"))
    knowledge = knowledge_from(config)
    markers = config["biomarkers"]
    rows = ["gene\tpathway\tbiomarker\tkinds"]
    for gene in markers["genes"]:
        rule = knowledge.genes.get(gene)
        rows.append(f"{gene}\t\t{gene}\t{';'.join(rule.alterations) if rule else ''}")
    for pathway in markers["pathways"]:
        for gene in knowledge.pathways.get(pathway, []):
            rows.append(f"{gene}\t{pathway}\t\t{';'.join(knowledge.genes[gene].alterations)}")
    out.write_text("\n".join(rows) + "\n")
    return out


def _rule_seconds(log: Path) -> dict[str, float]:
    """Wall-clock seconds of each rule's jobs, from the snakemake log's timestamps."""
    started: dict[str, tuple[str, float]] = {}
    seconds: dict[str, float] = {}
    stamp = 0.0
    pending_rule = None
    for line in log.read_text().splitlines():
        match = re.match(r"^\[\w{3} (\w{3} +\d+ [\d:]+ \d{4})\]$", line)
        if match:
            stamp = time.mktime(time.strptime(match.group(1), "%b %d %H:%M:%S %Y"))
            continue
        rule = re.match(r"^(?:local)?rule (\w+):$", line)
        if rule:
            pending_rule = rule.group(1)
            continue
        job = re.match(r"^\s+jobid: (\d+)$", line)
        if job and pending_rule:
            started[job.group(1)] = (pending_rule, stamp)
            pending_rule = None
            continue
        done = re.match(r"^Finished jobid: (\d+) \(Rule: (\w+)\)", line)
        if done and done.group(1) in started:
            rule_name, start = started.pop(done.group(1))
            seconds[rule_name] = seconds.get(rule_name, 0.0) + stamp - start
    return dict(sorted(seconds.items(), key=lambda item: -item[1]))


def compare_cohort_with_r(ours_tsv: Path, r_tsv: Path) -> dict:
    """n altered equal, and max relative differences of the OS statistics, ours vs R."""
    ours, ref = _read_table(ours_tsv), _read_table(r_tsv)
    shared = sorted(set(ours) & set(ref))
    check: dict = {
        "biomarkers_compared": len(shared),
        "n_altered_equal": all(
            int(float(ours[b]["n_altered"])) == int(ref[b]["n_altered"]) for b in shared
        ),
    }
    ours_shared = {b: ours[b] for b in shared}
    tested = {b: row for b, row in ours_shared.items() if row["method"] == "logrank+cox_efron"}
    for column in COHORT_COMPARED:
        rows = tested if column in ("hr", "ph_p") else ours_shared
        check[f"{column}_max_rel_diff"] = _max_relative_difference(rows, ref, column)
    return check


def bench_cohort(
    work: Path, size: tuple[int, int, int] | None = None, repeats: int = 1
) -> tuple[dict, dict]:
    """A cohort-sized cBioPortal study (benchmarks/cohort_study.py) end to end with
    `--cores 2`, then the R script doing the same OS statistics plus an oncoprint
    (ComplexHeatmap) and KM figures with risk tables (survminer), timed in the same run."""
    import cohort_study

    workdir = work / "cohort"
    stamp = hashlib.sha256((BENCH_DIR / "cohort_study.py").read_bytes())
    stamp.update(repr(size).encode())

    def make() -> None:
        shutil.rmtree(workdir, ignore_errors=True)
        study = workdir / "study"
        if size is None:
            cohort_study.write_study(study)
        else:
            cohort_study.write_study(
                study, n_patients=size[0], n_samples=size[1], n_mutations=size[2]
            )
        cohort_study.write_workflow_inputs(study, workdir)

    _cached(
        workdir / "config.yaml", work / "cohort.stamp", stamp.hexdigest()[:16], make, "cohort study"
    )
    log = work / "cohort.log"
    config = workdir / "config.yaml"
    has_r = shutil.which("Rscript") is not None
    kinds = _cohort_kinds(config, work / "cohort_kinds.tsv")
    r_out = work / "cohort_r"
    ours, theirs = [], []
    # the workflow and R alternate, so that both meet the same machine load
    for _ in range(repeats):
        for stale in ("results", "logs", ".snakemake"):
            shutil.rmtree(workdir / stale, ignore_errors=True)
        ours.append(
            _snakemake_process(
                workdir, log, "--cores", "2", "--configfile", str(config), marks=DAG_MARKS
            )
        )
        if has_r:
            shutil.rmtree(r_out, ignore_errors=True)
            cmd = ["Rscript", str(COHORT_REFERENCE_R), str(workdir), str(kinds), str(r_out)]
            theirs.append(time_process(cmd))
    done = re.findall(r"(\d+) of (\d+) steps \(100%\) done", log.read_text())
    check: dict = {
        "runs": len(ours),
        "reference_runs": len(theirs),
        "jobs": int(done[-1][1]) if done else None,
        "parse_and_validate_s": _median([r["marks"].get(DAG_MARKS[0], math.nan) for r in ours]),
        "seconds_each_run": ", ".join(f"{r['seconds']:.1f}" for r in ours),
        "reference_seconds_each_run": ", ".join(f"{t:.1f}" for t in theirs),
    }
    check |= {f"rule_{k}_s": v for k, v in list(_rule_seconds(log).items())[:8]}
    reference_seconds = _median(theirs) if theirs else None
    if has_r:
        check |= compare_cohort_with_r(
            workdir / "results/stats/os_associations.tsv", r_out / "os_associations_r.tsv"
        )
    samples = sum(1 for _ in (workdir / "samples.tsv").open()) - 1
    patients = sum(1 for _ in (workdir / "clinical.tsv").open()) - 1
    mutations = sum(1 for _ in (workdir / "study/data_mutations.txt").open()) - 1
    genes = sum(1 for _ in (workdir / "study/data_cna.txt").open()) - 1
    size = (
        f"{patients:,} patients, {samples:,} samples, {mutations:,} mutations, "
        f"{genes}-gene CNA, OS only, --cores 2, {check['jobs']} jobs"
    )
    reference = "Rscript survival + ComplexHeatmap oncoPrint + survminer ggsurvplot"
    seconds = _median([r["seconds"] for r in ours])
    peak = max(r["peak_rss_mb"] for r in ours)
    return _row("cohort", size, seconds, reference, reference_seconds, peak), check


# --------------------------------------------------------------------------- targets


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def target_text(row: dict, check: dict) -> str:
    """Issue #9's target for this row, and whether it is met."""
    task, ratio, rss = row["task"], row["ratio"], row["peak_rss_mb"]
    if task in INGEST_TASKS:
        parts = [f"RSS < {TARGET_RSS_MB:.0f} MB: {_verdict(rss < TARGET_RSS_MB)}"]
        split = row.get("ratio_vs_split_vep")
        verdict = "not measured" if split is None else _verdict(split <= TARGET_SPLIT_VEP)
        parts.insert(0, f"<= {TARGET_SPLIT_VEP:g}x split-vep -s worst (issue 17): {verdict}")
        limit = TARGET_RATIO.get(task)
        if limit is not None:
            verdict = "not measured" if ratio is None else _verdict(ratio <= limit)
            parts.insert(1, f"<= {limit}x bcftools query: {verdict}")
        if check.get("rows_reference") is not None:
            same = check["rows_reference"] == check["rows_ours"]
            parts.append(f"rows = bcftools: {_verdict(same)}")
        return "; ".join(parts)
    if task == "associate":
        goal, minimum = TARGET_ASSOCIATE
        if ratio is None:
            return "R not installed: not measured"
        text = f"<= {goal}x R: {_verdict(ratio <= goal)}"
        if ratio > goal:
            text += f" (<= {minimum}x: {_verdict(ratio <= minimum)})"
        worst = max(v for k, v in check.items() if k.endswith("_max_rel_diff"))
        return text + f"; equal to {HR_TOLERANCE:g}: {_verdict(worst < HR_TOLERANCE)}"
    if task == "cohort":
        if ratio is None:
            return "R not installed: not measured"
        text = f"<= {TARGET_COHORT_RATIO:g}x R (issue 15): {_verdict(ratio <= TARGET_COHORT_RATIO)}"
        worst = max(v for k, v in check.items() if k.endswith("_max_rel_diff"))
        agree = bool(check.get("n_altered_equal")) and worst < HR_TOLERANCE
        return text + f"; same n altered and equal to {HR_TOLERANCE:g}: {_verdict(agree)}"
    if task in TARGET_SECONDS:
        text = f"< {TARGET_SECONDS[task]:.0f} s: {_verdict(row['seconds'] < TARGET_SECONDS[task])}"
        if task == "dag" and "5,000 samples" not in row["size"]:
            text += " (the target is for 5,000 samples)"
        if task == "example" and "dry run" in row["size"]:
            text += " (the target is for the end-to-end run)"
        return text
    return "—"


# --------------------------------------------------------------------------- report


def _version(cmd: list[str]) -> str:
    if not shutil.which(cmd[0]):
        return "not installed"
    done = subprocess.run(cmd, capture_output=True, text=True)
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def machine_info() -> dict[str, str]:
    import numpy
    import pandas

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    versions = {}
    for module in ("pysam", "polars"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "not installed"
    return {
        "CPU": cpu,
        "cores (os.cpu_count)": str(os.cpu_count()),
        "usable cores (sched_getaffinity)": str(len(os.sched_getaffinity(0))),
        "memory": memory,
        "load average (1, 5, 15 min) at the end": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        **versions,
        "snakemake": _version([_snakemake(), "--version"]),
        "bcftools": _version(["bcftools", "--version"]),
        "R": _version(["Rscript", "--version"]),
    }


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:.{digits}f}"
    return str(value)


def _runs(check: dict) -> str:
    ours = check.get("runs", 1)
    ref = check.get("reference_runs")
    return f"{ours}" if ref is None else f"{ours} / {ref}"


def _check_text(check: dict) -> str:
    parts = []
    for key, value in check.items():
        if key in ("runs", "reference_runs"):
            continue
        if isinstance(value, float):
            parts.append(f"{key} = {value:.3g}")
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"{key} = {value:,}")
        else:
            parts.append(f"{key} = {value}")
    return ", ".join(parts)


def _rss_flatness(results: list[dict]) -> list[str]:
    lines = []
    for task in ("ingest_full", "ingest_panel"):
        rows = [r for r in results if r["task"] == task]
        if len(rows) < 2:
            continue
        sizes = ", ".join(
            f"{r['size'].split(' records')[0]}: {r['peak_rss_mb']:.0f} MB" for r in rows
        )
        growth = rows[-1]["peak_rss_mb"] - rows[0]["peak_rss_mb"]
        under = all(r["peak_rss_mb"] < TARGET_RSS_MB for r in rows)
        lines.append(
            f"- `{task}` peak RSS by size ({sizes}): {growth:+.0f} MB from the smallest to the "
            f"largest; < {TARGET_RSS_MB:.0f} MB at every size: {_verdict(under)}"
        )
    return lines


METHOD = [
    "- Inputs are generated with fixed seeds (`benchmarks/inputs.py`) into `benchmarks/work/` "
    "and reused while the generator and its parameters are unchanged: a bgzipped, "
    "tabix-indexed Mutect2-style tumour/normal VCF (FORMAT GT:AD:AF:DP) with three VEP CSQ "
    "transcripts per record, on the contigs of the pathway genes of `resources/pathways.yaml` "
    "(~25 % of records inside those genes), and a random survival/response cohort (times "
    "rounded to 0.1 so there are ties).",
    "- `ingest_full` / `ingest_panel` / `ingest_heavy_vep`: `her2resist.run.variants.run_variants("
    "vcf, out.tsv, sample_id='BENCH', annotation='vep', regions=None | panel)` — the "
    "workflow's variant stage: its one reader (`bcftools query` prints the fields, converted "
    "column-wise on polars; one CSQ entry chosen per ALT as vcf2maf does) writes the TSV "
    "stage output block by block — timed as a whole process (`benchmarks/measure.py "
    "ingest`, interpreter start-up and imports included; `call_only_s` is the call alone); "
    "peak RSS is that process's high-water mark since exec (VmHWM). `ingest_heavy_vep` reads "
    "`inputs.write_heavy_vep_vcf`'s file: "
    "Mutect2-style records whose CSQ carries real Ensembl VEP entries (those of the shared "
    "pVACseq VEP file, every field of a full run) until a line is ~4.6 kB, as a record "
    "annotated with every transcript is. The panel is the genes of `resources/pathways.yaml` "
    "(1-based regions for us, the same as a 0-based BED for bcftools). Reference: `bcftools "
    "query -f '{query}'` (output to /dev/null) timed as a process; for the panel, `bcftools "
    "view -R panel.bed | bcftools query`. Agreement: rows of our TSV = lines bcftools prints "
    "(one ALT per record here). Our output is one fully annotated row per ALT (effect chosen, "
    "HGVSp shortened, counts parsed), written to disk; bcftools query only prints the raw "
    "fields. So the like-for-like reference, and issue 17's target (at most 2x), is `bcftools "
    "+split-vep -s worst` (bcftools' own plugin: it too splits the CSQ entries, picks one per "
    "record — the most severe consequence — and prints the chosen transcript's SYMBOL, "
    "Feature, Consequence, HGVSc, HGVSp, Protein_position, BIOTYPE, CANONICAL, gnomADe_AF "
    "(those the file has) and the samples' AD, AF, DP), behind the same `view -R` for the "
    "panel: `split_vep_worst_s`, and `ratio_vs_split_vep` in each ingestion row of "
    "results.json.",
    "- `associate`: `survival_associations` (KM medians with CIs, log-rank, Efron Cox, PH test, "
    "BH q-values) + `response_associations` (Fisher, Clopper-Pearson, logistic) in-process; "
    "reference: `benchmarks/reference.R` looping `survfit` + `survdiff` + "
    "`coxph(ties='efron')` + `fisher.test` over the biomarkers, then `p.adjust(method='BH')`, "
    "timed as a process (R start-up included; see the `python_startup` row for R's start-up "
    "with `survival` loaded, and `r_loop_seconds` below for R's loop alone). Agreement: max "
    "relative difference of HR (Cox rows), log-rank chi2 and p, BH q, Fisher p and both KM "
    "medians.",
    "- `dag`: `snakemake -n --cores 8 --configfile …` (default profile) on a generated working "
    "directory (`inputs.write_dag_workdir`): patients D00001.. each with a baseline tissue "
    "sample (paired tumour/normal VEP VCF + CNVkit segments) and a baseline ctDNA sample "
    "(tumour-only VEP VCF), every sample with its own small bgzipped, tabix-indexed VCF (the "
    "example patient P01's records), because parse-time validation reads every header; "
    "clinical and adverse-event rows cycle through the example patients'. Timed as a process, "
    "start-up included; peak RSS is snakemake's. `parse_and_validate_s` is the time until "
    "snakemake prints 'Building DAG of jobs' (its start-up, the Snakefile parsed, and the "
    "config, sheet, clinical table and every file header validated), `dag_built_s` until it "
    "prints the job stats, and `dry_run_listing_s` the rest (printing every planned job). "
    "No reference tool does the same; the reference column is the issue's target (30 s), "
    "ratio = seconds / 30.",
    "- `example`: the 30-patient example end to end (`snakemake --cores 2 --profile "
    "profiles/local`, default target, report rules included) in a fresh copy written by "
    "`tests/example_cohort.py` (as `tests/workdirs.py` does), timed as a process; "
    "peak RSS is the largest single process (snakemake or one job). Run once (it is long and "
    "the test suite runs it too). Reference: the issue's target (180 s).",
    "- `python_startup`: interpreter start-up plus `import her2resist.cli, "
    "her2resist.stats`, which the in-process timings above exclude.",
    "- `cohort` (issue 15): a study of the size of the issue's real cohort (1,756 patients, "
    "1,918 samples, ~9,300 mutations, a 474-gene discrete CNA matrix, OS from diagnosis, "
    "nothing else) written as a cBioPortal study folder by `benchmarks/cohort_study.py` (fixed "
    "seed; real METABRIC MAF rows redrawn onto the samples; 4 % of patients without any "
    "mutation; TP53-mutated patients with 1.5x the death hazard) and read as published "
    "(`cbioportal_study:`); `altered_if: nonsynonymous`. The cohort route makes one table per "
    "stage for every sample (`results/variants/cohort.tsv`, `results/cnv/cohort.tsv`), not "
    "1,918 files each. The workflow runs end to end (`--cores 2`, default profile, "
    "fresh results) timed as a process; then `benchmarks/cohort_reference.R`, timed as a "
    "process in the same run: the same grouping from the MAF and CNA matrix (non-synonymous "
    "mutation, or a CNA of a kind `resources/pathways.yaml` lists for the gene), the OS "
    "statistics the workflow reports (survfit medians, survdiff, coxph Efron, cox.zph, "
    "p.adjust BH) for the configured genes, pathways and >= 2 altered pathways, an oncoprint "
    "(ComplexHeatmap `oncoPrint`) and KM figures with risk tables (survminer `ggsurvplot`) for "
    "all patients and each biomarker with p < 0.1, PNG and PDF. The two alternate, 3 runs "
    "each (1 with --quick), medians; every run's seconds are in the details, as the machine's "
    "load from other users shifts them. Agreement: same n altered per "
    "biomarker and the largest relative difference of each statistic. `rule_*_s`: the slowest "
    "rules' wall-clock seconds from the snakemake log (1 s resolution; jobs run 2 at a time).",
]


def write_results(
    results: list[dict],
    checks: list[dict],
    out: Path,
    argv: str,
    repeats: int,
    elapsed: float,
    profile: dict | None = None,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{argv}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"in {elapsed / 60:.1f} min. Each figure is the median of up to {repeats} run(s); "
        f"a measurement whose first run took more than {LONG_RUN_SECONDS:.0f} s was run once "
        "(`runs`: this project / reference). `ratio` = this project / reference (below 1: "
        "faster).",
        "",
        "| task | size | this project (s) | reference tool | reference (s) | ratio "
        "| peak RSS MB | runs | target (issue #9) |",
        "|---|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for r, check in zip(results, checks, strict=True):
        lines.append(
            f"| {r['task']} | {r['size']} | {_fmt(r['seconds'])} "
            f"| {_fmt(r['reference']).replace('|', '&#124;')} "
            f"| {_fmt(r['reference_seconds'])} | {_fmt(r['ratio'], 2)} "
            f"| {_fmt(r['peak_rss_mb'], 0)} | {_runs(check)} | {target_text(r, check)} |"
        )
    flat = _rss_flatness(results)
    if flat:
        lines += ["", "## Memory with input size", "", *flat]
    if profile:
        lines += ["", "## Where the ingestion time goes", "", *profile_lines(profile)]
    lines += ["", "## Agreement checks and details", ""]
    for r, check in zip(results, checks, strict=True):
        text = _check_text(check)
        if r["task"] in (*INGEST_TASKS, "associate") and r["reference"] is None:
            text += ", reference tool not installed: not checked"
        if text:
            lines.append(f"- {r['task']} ({r['size']}): {text.lstrip(', ')}")
    lines += ["", "## Method", ""]
    lines += [line.replace("{query}", QUERY_FORMAT) for line in METHOD]
    lines += ["", "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in machine_info().items()]
    (out / "RESULTS.md").write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- driver


def run(
    quick: bool,
    out: Path,
    work: Path,
    repeats: int | None = None,
    *,
    large: bool = False,
    records: list[int] | None = None,
    tasks: list[str] | None = None,
    dag_samples: int | None = None,
    example: str | None = None,
    argv: str | None = None,
) -> tuple[list[dict], list[dict]]:
    """Run the benchmarks; write RESULTS.md and results.json to `out`.

    Returns the results.json rows and, row by row, the agreement checks and details."""
    started = time.perf_counter()
    size = SIZES["quick" if quick else "full"]
    repeats = repeats or size["repeats"]
    records = list(records or size["records"])
    if large:
        records += [n for n in size["large_records"] if n not in records]
    wanted = {t for group in (tasks or TASK_GROUPS) for t in TASK_GROUPS[group]}
    work.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    checks: list[dict] = []

    def add(row: dict, check: dict) -> None:
        results.append(row)
        checks.append(check)
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        print(
            f"{row['task']:<15} {row['size']:<60.60} {row['seconds']:8.3f} s  ref "
            f"{_fmt(row['reference_seconds'])} s  ratio {ratio}  "
            f"rss {row['peak_rss_mb']:.0f} MB",
            flush=True,
        )

    if "python_startup" in wanted:
        add(*bench_python_startup(repeats))
    profile = None
    if wanted & {"ingest_full", "ingest_panel"}:
        for n_records in records:
            vcf, bed, regions_tsv = prepare_vcf(work, n_records)
            for task, panel in (("ingest_full", None), ("ingest_panel", (bed, regions_tsv))):
                if task in wanted:
                    add(*bench_ingest(task, work, vcf, n_records, repeats, panel))
            if profile is None and "ingest_full" in wanted:
                profile = profile_ingest(work, vcf, n_records)
    if "ingest_heavy_vep" in wanted:
        n_heavy = size["heavy_vep_records"]
        heavy = prepare_heavy_vcf(work, n_heavy)
        kb = inputs.HEAVY_LINE_BYTES / 1000
        label = f"{n_heavy:,} records of real VEP entries, ~{kb:g} kB each"
        add(*bench_ingest("ingest_heavy_vep", work, heavy, n_heavy, repeats, size=label))
    if "associate" in wanted:
        for patients, biomarkers in size["cohorts"]:
            add(*bench_associate(work, patients, biomarkers, repeats))
    if "dag" in wanted:
        add(*bench_dag(work, dag_samples or size["dag_samples"], repeats))
    mode = example or size["example"]
    if "example" in wanted and mode != "skip":
        add(*bench_example(work, mode))
    if "cohort" in wanted:
        add(*bench_cohort(work, size["cohort"], repeats))
    if argv is None:
        argv = "benchmarks/run.py" + (" --quick" if quick else "")
    elapsed = time.perf_counter() - started
    write_results(results, checks, out, argv, repeats, elapsed, profile)
    print(f"total {elapsed / 60:.1f} min", flush=True)
    return results, checks


def _int_list(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, one run each")
    parser.add_argument(
        "--large",
        action="store_true",
        default=os.environ.get("BENCH_LARGE", "") not in ("", "0"),
        help="also the 5M-record VCF (default from BENCH_LARGE=1)",
    )
    parser.add_argument("--records", type=_int_list, help="ingestion sizes, e.g. 100000,1000000")
    parser.add_argument(
        "--tasks",
        type=lambda s: s.split(","),
        help=f"comma-separated subset of {', '.join(TASK_GROUPS)}",
    )
    parser.add_argument("--repeats", type=int, help="runs per figure (median)")
    parser.add_argument("--dag-samples", type=int, help="sample-sheet size for `dag`")
    parser.add_argument(
        "--example", choices=("run", "dry", "skip"), help="`example`: end to end, -n, or not"
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where RESULTS.md goes")
    parser.add_argument("--work", type=Path, default=BENCH_DIR / "work", help="generated inputs")
    args = parser.parse_args(argv)
    unknown = set(args.tasks or ()) - set(TASK_GROUPS)
    if unknown:
        parser.error(f"unknown task(s): {', '.join(sorted(unknown))}")
    shown = " ".join(["benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)])
    if args.large and "--large" not in shown:
        shown = "BENCH_LARGE=1 " + shown
    run(
        args.quick,
        args.out,
        args.work,
        args.repeats,
        large=args.large,
        records=args.records,
        tasks=args.tasks,
        dag_samples=args.dag_samples,
        example=args.example,
        argv=shown.strip(),
    )
    print(f"wrote {args.out / 'RESULTS.md'} and {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
