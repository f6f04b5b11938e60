"""Benchmarks of her2resist against reference tools (bcftools, R survival).

    .venv/bin/python benchmarks/run.py [--quick] [--out DIR] [--work DIR]

Inputs are generated deterministically (fixed seeds) into benchmarks/work/ (git-ignored);
results go to DIR/RESULTS.md and DIR/results.json (DIR defaults to benchmarks/). Each figure is
the median of 3 runs (1 with --quick). Our side is timed around the library call only, in a
fresh interpreter per run (benchmarks/measure.py), which also reports that process's peak RSS;
the reference tools are timed as whole processes, start-up included. Interpreter start-up plus
imports is reported once, as the `python_startup` row.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
MEASURE = BENCH_DIR / "measure.py"
REFERENCE_R = BENCH_DIR / "reference.R"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import inputs  # noqa: E402

SIZES = {
    "full": {"records": 100_000, "patients": 2_000, "biomarkers": 100, "repeats": 3},
    "quick": {"records": 5_000, "patients": 200, "biomarkers": 10, "repeats": 1},
}
QUERY_FORMAT = r"%CHROM\t%POS\t%REF\t%ALT\t%INFO/CSQ[\t%AD]\n"
TASKS = ("python_startup", "ingest_full", "ingest_panel", "associate")
HR_TOLERANCE = 1e-6


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


def measure_child(*args: str) -> dict:
    """One timed library call in a fresh interpreter: {seconds, peak_rss_mb, rows}."""
    done = _run([sys.executable, str(MEASURE), *args], stdout=subprocess.PIPE)
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def _panel_pipeline(vcf: Path, bed: Path) -> list[str]:
    view = shlex.join(["bcftools", "view", "-R", str(bed), str(vcf)])
    query = shlex.join(["bcftools", "query", "-f", QUERY_FORMAT, "-"])
    return ["bash", "-o", "pipefail", "-c", f"{view} | {query}"]


def _count_lines(cmd: list[str]) -> int:
    return _run(cmd, stdout=subprocess.PIPE).stdout.count("\n")


# --------------------------------------------------------------------------- inputs


def prepare_vcf(work: Path, n_records: int) -> tuple[Path, Path, Path]:
    """The VCF (+ .tbi), the panel BED (0-based) and the panel regions (1-based, TSV)."""
    work.mkdir(parents=True, exist_ok=True)
    panel = inputs.panel_genes()
    vcf = inputs.write_vcf(work / f"bench_{n_records}.vcf.gz", n_records, panel)
    bed = work / "panel.bed"
    regions = inputs.write_panel_bed(panel, bed)
    regions_tsv = work / "panel_regions.tsv"
    regions_tsv.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in regions))
    return vcf, bed, regions_tsv


# --------------------------------------------------------------------------- tasks


def bench_python_startup(repeats: int) -> dict:
    code = (
        "import resource, her2resist.variants.vcf, her2resist.stats; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    seconds, rss = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        done = _run([sys.executable, "-c", code], stdout=subprocess.PIPE)
        seconds.append(time.perf_counter() - start)
        rss.append(float(done.stdout.strip()))
    reference, ref_seconds = None, None
    if shutil.which("Rscript"):
        reference = "Rscript -e 'library(survival)'"
        ref_seconds = _median(
            [
                time_process(["Rscript", "-e", "suppressPackageStartupMessages(library(survival))"])
                for _ in range(repeats)
            ]
        )
    size = "python -c 'import her2resist.variants.vcf, her2resist.stats'"
    return _row("python_startup", size, _median(seconds), reference, ref_seconds, max(rss))


def bench_ingest(
    task: str, vcf: Path, n_records: int, repeats: int, panel: tuple[Path, Path] | None = None
) -> tuple[dict, dict]:
    """read_vcf on the whole file (panel=None) or on the panel regions, against bcftools."""
    args = [str(vcf)] if panel is None else [str(vcf), str(panel[1])]
    runs = [measure_child("ingest", *args) for _ in range(repeats)]
    ours = _median([r["seconds"] for r in runs])
    rss = max(r["peak_rss_mb"] for r in runs)
    check = {"rows_ours": runs[0]["rows"]}
    reference, ref_seconds = None, None
    if shutil.which("bcftools"):
        if panel is None:
            cmd = _query_cmd(vcf)
            reference = "bcftools query"
        else:
            cmd = _panel_pipeline(vcf, panel[0])
            reference = "bcftools view -R | bcftools query"
        ref_seconds = _median([time_process(cmd) for _ in range(repeats)])
        check["rows_reference"] = _count_lines(cmd)
    size = f"{n_records:,} records"
    if panel is not None:
        n_genes = sum(1 for _ in panel[1].open())
        size = f"{n_records:,} records, {n_genes}-gene panel ({check['rows_ours']:,} kept)"
    return _row(task, size, ours, reference, ref_seconds, rss), check


def _read_table(path: Path) -> dict[str, dict[str, str]]:
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    table = {}
    for line in lines[1:]:
        values = dict(zip(header, line.split("\t"), strict=True))
        table[values["biomarker"]] = values
    return table


def _max_relative_difference(ours: dict, ref: dict, column: str, keep=None) -> float:
    worst = 0.0
    for name, row in ours.items():
        if keep is not None and not keep(row):
            continue
        a, b = float(row[column]), float(ref[name][column])
        worst = max(worst, abs(a - b) / max(abs(b), 1e-300))
    return worst


def compare_with_r(ours_tsv: Path, r_tsv: Path) -> dict:
    """Max relative differences ours vs R (HR over Cox-fitted rows, log-rank chi2, Fisher p)."""
    ours, ref = _read_table(ours_tsv), _read_table(r_tsv)
    cox_rows = [name for name, row in ours.items() if row["method"] == "logrank+cox_efron"]
    return {
        "biomarkers": len(ours),
        "cox_rows_compared": len(cox_rows),
        "hr_max_rel_diff": _max_relative_difference(
            ours, ref, "hr", keep=lambda row: row["method"] == "logrank+cox_efron"
        ),
        "logrank_chi2_max_rel_diff": _max_relative_difference(ours, ref, "logrank_chi2"),
        "fisher_p_max_rel_diff": _max_relative_difference(ours, ref, "fisher_p"),
    }


def bench_associate(work: Path, patients: int, biomarkers: int, repeats: int) -> tuple[dict, dict]:
    cohort = inputs.write_cohort(work / f"cohort_{patients}x{biomarkers}.tsv", patients, biomarkers)
    ours_tsv = work / f"associate_ours_{patients}x{biomarkers}.tsv"
    r_tsv = work / f"associate_r_{patients}x{biomarkers}.tsv"
    runs = [measure_child("associate", str(cohort), str(ours_tsv)) for _ in range(repeats)]
    ours = _median([r["seconds"] for r in runs])
    rss = max(r["peak_rss_mb"] for r in runs)
    reference, ref_seconds, check = None, None, {}
    if shutil.which("Rscript"):
        reference = "Rscript survfit+survdiff+coxph(efron)+fisher.test"
        loop_file = work / "associate_r_loop_seconds.txt"
        cmd = ["Rscript", str(REFERENCE_R), str(cohort), str(r_tsv), str(loop_file)]
        ref_seconds = _median([time_process(cmd) for _ in range(repeats)])
        check = compare_with_r(ours_tsv, r_tsv)
        # R's own loop time (start-up and reading excluded), from the last run
        check["r_loop_seconds"] = float(loop_file.read_text())
    size = f"{patients:,} patients x {biomarkers} biomarkers"
    return _row("associate", size, ours, reference, ref_seconds, rss), check


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
    try:
        cyvcf2_version = __import__("cyvcf2").__version__
    except ImportError:
        cyvcf2_version = "not installed"
    return {
        "CPU": cpu,
        "cores (os.cpu_count)": str(os.cpu_count()),
        "usable cores (sched_getaffinity)": str(len(os.sched_getaffinity(0))),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "cyvcf2": cyvcf2_version,
        "bcftools": _version(["bcftools", "--version"]),
        "R": _version(["Rscript", "--version"]),
    }


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def write_results(results: list[dict], checks: dict, out: Path, mode: str, repeats: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `benchmarks/run.py{' --quick' if mode == 'quick' else ''}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Each figure is the median of "
        f"{repeats} run(s). `ratio` = this project / reference (below 1: faster).",
        "",
        "| task | size | this project (s) | reference tool | reference (s) | ratio | peak RSS MB |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['task']} | {r['size']} | {_fmt(r['seconds'])} "
            f"| {_fmt(r['reference']).replace('|', '&#124;')} "
            f"| {_fmt(r['reference_seconds'])} | {_fmt(r['ratio'], 2)} "
            f"| {_fmt(r['peak_rss_mb'], 0)} |"
        )
    lines += ["", "## Agreement checks", ""]
    for task, check in checks.items():
        if not check:
            lines.append(f"- {task}: reference tool not installed; not checked")
            continue
        parts = [
            f"{k} = {v:.3g}" if isinstance(v, float) else f"{k} = {v}" for k, v in check.items()
        ]
        lines.append(f"- {task}: " + ", ".join(parts))
    lines += [
        "",
        "## Method",
        "",
        "- Inputs are generated with fixed seeds (`benchmarks/inputs.py`) into `benchmarks/work/`: "
        "a bgzipped, tabix-indexed Mutect2-style tumour/normal VCF (FORMAT GT:AD:AF:DP) with three "
        "VEP CSQ transcripts per record, on the contigs of the pathway genes of "
        "`resources/pathways.yaml` (~25 % of records inside those genes), and a random "
        "survival/response cohort (times rounded to 0.1 so there are ties).",
        "- `ingest_*`: `read_vcf(..., annotation='vep')` (with `regions=` for the panel) is timed "
        "around the call only, each run in a fresh interpreter (`benchmarks/measure.py`); peak "
        "RSS is that interpreter's `ru_maxrss` (imports and the returned DataFrame included). "
        f"Reference: `bcftools query -f '{QUERY_FORMAT}'` (output to /dev/null), timed as a "
        "process; for the panel, `bcftools view -R panel.bed | bcftools query`. Our output is "
        "one fully annotated row per ALT (effect chosen, HGVSp shortened, counts parsed); "
        "bcftools only prints the raw fields.",
        "- `associate`: `survival_associations` (KM medians, log-rank, Efron Cox, PH test) + "
        "`response_associations` (Fisher, Clopper-Pearson) in-process; reference: "
        "`benchmarks/reference.R` looping `survfit` + `survdiff` + `coxph(ties='efron')` + "
        "`fisher.test` over the biomarkers, timed as a process (R start-up included; see "
        "the `python_startup` row for R's start-up with `survival` loaded).",
        "- `python_startup`: interpreter start-up plus `import her2resist.variants.vcf, "
        "her2resist.stats`, which the in-process timings above exclude.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in machine_info().items()]
    (out / "RESULTS.md").write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- driver


def run(quick: bool, out: Path, work: Path, repeats: int | None = None) -> list[dict]:
    mode = "quick" if quick else "full"
    size = SIZES[mode]
    repeats = repeats or size["repeats"]
    work.mkdir(parents=True, exist_ok=True)
    results, checks = [], {}

    def log(row: dict) -> None:
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        print(
            f"{row['task']:<15} {row['seconds']:8.3f} s  ref {_fmt(row['reference_seconds'])} s"
            f"  ratio {ratio}  rss {row['peak_rss_mb']:.0f} MB",
            flush=True,
        )

    results.append(bench_python_startup(repeats))
    log(results[-1])
    vcf, bed, regions_tsv = prepare_vcf(work, size["records"])
    for task, panel in (("ingest_full", None), ("ingest_panel", (bed, regions_tsv))):
        row, checks[task] = bench_ingest(task, vcf, size["records"], repeats, panel)
        results.append(row)
        log(row)
    row, checks["associate"] = bench_associate(work, size["patients"], size["biomarkers"], repeats)
    results.append(row)
    log(row)
    write_results(results, checks, out, mode, repeats)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, one run each")
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where RESULTS.md goes")
    parser.add_argument("--work", type=Path, default=BENCH_DIR / "work", help="generated inputs")
    args = parser.parse_args(argv)
    run(args.quick, args.out, args.work)
    print(f"wrote {args.out / 'RESULTS.md'} and {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
