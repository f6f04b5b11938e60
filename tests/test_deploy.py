"""The package installed from a wheel, used outside the checkout: the CLI reads the installed
resources, and a user's own Snakefile that deploys the installed workflow as a module (README,
"Deploy as a module") runs the bundled example to the same tables as a checkout run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

# what a fresh clone does not have, and what the package does not need
NOT_SHIPPED = shutil.ignore_patterns(
    ".*", "build", "*.egg-info", "__pycache__", "*.so", "results", "logs", "tests", "benchmarks"
)


def run(command: list, cwd: Path, site: Path | None = None) -> subprocess.CompletedProcess:
    """``command`` in ``cwd``; with ``site``, the package installed there comes first on the
    path, so no checkout file is imported in its place (the editable install comes after it)."""
    env = {**os.environ, "PYTHONPATH": str(site)} if site else None
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    """The project built into a wheel and installed, without its dependencies (this
    environment's), into a folder of its own; returns that folder."""
    tmp = tmp_path_factory.mktemp("installed")
    shutil.copytree(project_root, tmp / "project", symlinks=True, ignore=NOT_SHIPPED)
    pip = [sys.executable, "-m", "pip"]
    built = run([*pip, "wheel", "--no-deps", "-q", "-w", tmp / "wheel", tmp / "project"], tmp)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((tmp / "wheel").glob("her2resist-*.whl"))
    installed = run([*pip, "install", "--no-deps", "-q", "--target", "site", wheel], tmp)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return tmp / "site"


def test_cli_reads_the_installed_resources(site: Path, tmp_path: Path) -> None:
    vcf = site / "her2resist" / "resources" / "example" / "vcf" / "P01_tissue_BL.vcf"
    variants = [site / "bin" / "her2resist", "variants", vcf, "-o", "P01.tsv", "--genes"]
    done = run([*variants, "ERBB2,PIK3CA"], tmp_path, site)
    assert done.returncode == 0, done.stderr
    assert set(pd.read_csv(tmp_path / "P01.tsv", sep="\t")["gene"]) == {"ERBB2", "PIK3CA"}
    unknown = run([*variants, "ERBB2,NOT_A_GENE"], tmp_path, site)
    genes = (site / "her2resist" / "resources" / "genes_grch38.tsv").resolve()
    assert unknown.returncode == 2 and f"NOT_A_GENE not in {genes}" in unknown.stderr


def readme_snakefile(project_root: Path) -> str:
    """The user's Snakefile that README's "Deploy as a module" shows."""
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deploy as a module", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "README's 'Deploy as a module' shows no ```python Snakefile"
    return block.group(1)


@pytest.mark.xdist_group("workflow")
def test_module_deployment_runs_the_example(
    site: Path, example_run: Path, project_root: Path, tmp_path: Path
) -> None:
    package = site / "her2resist"
    study = tmp_path / "my study"
    shutil.copytree(package / "resources" / "example", study / "resources" / "example")
    (study / "config").mkdir()
    shutil.copy(package / "config.yaml", study / "config" / "config.yaml")
    (study / "Snakefile").write_text(readme_snakefile(project_root))
    snakemake = Path(sys.executable).with_name("snakemake")

    done = run([snakemake, "--cores", "2"], study, site)
    assert done.returncode == 0, done.stderr[-5000:]
    report = run([snakemake, "--cores", "1", "--report", "report.html"], study, site)
    assert report.returncode == 0, report.stderr[-5000:]

    # rules, scripts and resources came from the installed package, the data from the study
    provenance = json.loads((study / "results" / "provenance.json").read_text())
    for key in ("pathways", "hotspots", "gene_coordinates"):
        assert Path(provenance["config"][key]).is_relative_to(package.resolve()), key
    # captions were found beside the module's rules
    html = (study / "report.html").read_text(errors="replace")
    for caption in ("alterations", "matrix", "survival_associations", "provenance"):
        text = (package / "workflow" / "report" / f"{caption}.rst").read_text()
        assert " ".join(text.split()[:5]) in html, caption
    # every table equals the checkout run's (bundled example == regenerated example)
    tables = sorted(p.relative_to(study) for p in (study / "results").rglob("*.tsv"))
    for needed in ("stats/pfs_associations.tsv", "stats/response_associations.tsv"):
        assert Path("results", needed) in tables
    for table in tables:
        assert (study / table).read_bytes() == (example_run / table).read_bytes(), table
