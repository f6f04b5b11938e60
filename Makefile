# Two commands: `make run` (set up, then run the example cohort) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 8

.PHONY: setup bcftools run test lint bench report clean system-deps

$(BIN)/snakemake: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

setup: $(BIN)/snakemake bcftools  ## create .venv from the pinned requirements; bcftools

# The VCF reader runs bcftools, which pip cannot install: taken from Debian when missing
# (conda users get it from workflow/envs/variants.yaml with --use-conda).
bcftools:
	@command -v bcftools >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends bcftools; } || { echo "bcftools is needed to read VCF files: \
		install it (Debian: apt-get install bcftools; conda: bioconda::bcftools)" >&2; exit 1; }

run: setup  ## run the workflow on the bundled example cohort
	$(BIN)/snakemake --cores $(CORES) --profile profiles/local

report: run  ## the Snakemake HTML report of the last run
	$(BIN)/snakemake --cores 1 --profile profiles/local --report report.html

lint: setup
	$(BIN)/ruff check src tests workflow/scripts benchmarks resources/*.py
	$(BIN)/ruff format --check src tests workflow/scripts benchmarks resources/*.py
	$(BIN)/snakefmt --check workflow
	$(BIN)/snakemake --lint --cores 1

test: setup  ## lint, then every test (unit, R comparison, end to end)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not slurm"
	# The real-scheduler test runs alone: its 2-CPU node must not compete with other runs.
	$(BIN)/python -m pytest -m slurm

bench: setup  ## benchmarks against the reference tools; writes benchmarks/RESULTS.md
	$(BIN)/python benchmarks/run.py

system-deps:  ## Debian packages for the R comparison, benchmarks, the SLURM test and the DOCX-to-PDF check
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		r-base-core r-cran-survival r-bioc-complexheatmap r-cran-survminer bcftools tabix \
		slurm-wlm munge libreoffice-writer-nogui poppler-utils

clean:
	rm -rf results logs .snakemake report.html
