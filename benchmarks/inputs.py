"""Deterministic benchmark inputs: a VEP-annotated Mutect2-style VCF, a gene panel and a
synthetic association cohort. Everything is drawn from fixed seeds."""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd
import pysam
import yaml

from her2resist.variants.header import CONTIG_LENGTHS as BUILD_CONTIG_LENGTHS

ROOT = Path(__file__).resolve().parents[1]
GENES_TSV = ROOT / "resources" / "genes_grch38.tsv"
PATHWAYS_YAML = ROOT / "resources" / "pathways.yaml"

VCF_SEED = 20261125
COHORT_SEED = 7

# GRCh38 primary assembly lengths (Ensembl names, as resources/genes_grch38.tsv uses).
CONTIG_LENGTHS = BUILD_CONTIG_LENGTHS["GRCh38"]

CSQ_FIELDS = [
    "Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE",
    "EXON", "INTRON", "HGVSc", "HGVSp", "cDNA_position", "CDS_position", "Protein_position",
    "Amino_acids", "Codons", "Existing_variation", "DISTANCE", "STRAND", "FLAGS", "CANONICAL",
    "gnomADe_AF",
]  # fmt: skip

AMINO = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "E": "Glu", "Q": "Gln",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val",
}  # fmt: skip
BASES = "ACGT"

# Fraction of records placed inside panel genes (the rest anywhere on the same contigs).
PANEL_FRACTION = 0.25

# Real VEP CSQ entries (Ensembl VEP 95, every field of a full annotation run) that the heavy
# VEP file is made of; from the repository root, as the tests name shared data.
REAL_VEP_VCF = Path("..") / "shared/data/variants/vep95_grch37/pvacseq_input.vep95.grch37.vcf.gz"
HEAVY_LINE_BYTES = 4600  # a VEP 105 record carrying every transcript of its locus


# --------------------------------------------------------------------------- panel


def panel_genes() -> pd.DataFrame:
    """Coordinates (1-based inclusive) of the pathway genes of resources/pathways.yaml."""
    pathways = yaml.safe_load(PATHWAYS_YAML.read_text())["pathways"]
    names = {gene for p in pathways.values() for gene in (p.get("genes") or {})}
    genes = pd.read_csv(GENES_TSV, sep="\t", dtype={"chrom": str})
    panel = genes[genes["gene"].isin(names)]
    return panel.sort_values(["chrom", "start"]).reset_index(drop=True)


def write_panel_bed(panel: pd.DataFrame, path: Path) -> list[tuple[str, int, int]]:
    """BED (0-based half-open) for bcftools and the 1-based regions read_vcf takes."""
    regions = [(str(r.chrom), int(r.start), int(r.end)) for r in panel.itertuples(index=False)]
    with path.open("w") as handle:
        for chrom, start, end in regions:
            handle.write(f"{chrom}\t{start - 1}\t{end}\n")
    return regions


# --------------------------------------------------------------------------- VCF


def _header(contigs: list[str]) -> list[str]:
    lines = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "##FORMAT=<ID=AD,Number=R,Type=Integer,Description="
        '"Allelic depths for the ref and alt alleles in the order listed">',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        "##INFO=<ID=CSQ,Number=.,Type=String,Description="
        f'"Consequence annotations from Ensembl VEP. Format: {"|".join(CSQ_FIELDS)}">',
        "##MutectVersion=2.2",
        "##source=Mutect2 (synthetic her2resist benchmark)",
        "##reference=GRCh38",
        "##tumor_sample=TUMOR",
        "##normal_sample=NORMAL",
    ]
    lines += [f"##contig=<ID={c},length={CONTIG_LENGTHS[c]}>" for c in contigs]
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]))
    lines[-1] += "\tFORMAT\tTUMOR\tNORMAL"
    return lines


def _positions(n: int, panel: pd.DataFrame, rng: random.Random) -> dict[str, list[int]]:
    contigs = sorted(set(panel["chrom"]), key=lambda c: list(CONTIG_LENGTHS).index(c))
    weights = [CONTIG_LENGTHS[c] for c in contigs]
    genes = list(panel.itertuples(index=False))
    by_chrom: dict[str, set[int]] = {c: set() for c in contigs}
    count = 0
    while count < n:
        if rng.random() < PANEL_FRACTION:
            gene = rng.choice(genes)
            chrom, pos = str(gene.chrom), rng.randint(int(gene.start), int(gene.end))
        else:
            chrom = rng.choices(contigs, weights)[0]
            pos = rng.randint(10_000, CONTIG_LENGTHS[chrom] - 10_000)
        if pos not in by_chrom[chrom]:
            by_chrom[chrom].add(pos)
            count += 1
    return {c: sorted(p) for c, p in by_chrom.items()}


def _csq(ref: str, allele: str, kind: str, symbol: str, gene_id: str, rng: random.Random) -> str:
    """Three VEP transcript entries for one allele."""
    entries = []
    cds = rng.randint(30, 3000)
    protein = (cds + 2) // 3
    ref_aa, alt_aa = rng.sample(list(AMINO), 2)
    for k in range(3):
        tx = f"ENST{int(gene_id[4:]) * 10 + k:011d}"
        fields = dict.fromkeys(CSQ_FIELDS, "")
        if k == 2:
            consequence, impact, biotype = "downstream_gene_variant", "MODIFIER", "lncRNA"
            fields["DISTANCE"] = str(rng.randint(100, 4000))
        elif kind == "del":
            consequence, impact, biotype = "frameshift_variant", "HIGH", "protein_coding"
            fields["HGVSc"] = f"{tx}.1:c.{cds}del{allele if allele != '-' else ''}"
            fields["HGVSp"] = f"ENSP{tx[4:]}.1:p.{AMINO[ref_aa]}{protein}fs"
            fields["Protein_position"] = str(protein)
            fields["Amino_acids"] = f"{ref_aa}/X"
        elif kind == "intron":
            consequence, impact, biotype = "intron_variant", "MODIFIER", "protein_coding"
            fields["HGVSc"] = f"{tx}.1:c.{cds}+{rng.randint(20, 900)}{ref}>{allele}"
            fields["INTRON"] = f"{rng.randint(1, 20)}/21"
        elif kind == "syn":
            consequence, impact, biotype = "synonymous_variant", "LOW", "protein_coding"
            fields["HGVSc"] = f"{tx}.1:c.{cds}{ref}>{allele}"
            fields["HGVSp"] = f"ENSP{tx[4:]}.1:p.{AMINO[ref_aa]}{protein}%3D"
            fields["Protein_position"] = str(protein)
            fields["Amino_acids"] = ref_aa
        else:
            consequence, impact, biotype = "missense_variant", "MODERATE", "protein_coding"
            if k == 1:
                consequence += "&NMD_transcript_variant"
                biotype = "nonsense_mediated_decay"
            fields["HGVSc"] = f"{tx}.1:c.{cds}{ref}>{allele}"
            fields["HGVSp"] = f"ENSP{tx[4:]}.1:p.{AMINO[ref_aa]}{protein}{AMINO[alt_aa]}"
            fields["Protein_position"] = str(protein)
            fields["Amino_acids"] = f"{ref_aa}/{alt_aa}"
            fields["Codons"] = f"{ref.lower()}gc/{allele}gc"
        if biotype == "protein_coding" and kind != "intron":
            fields["EXON"] = f"{rng.randint(1, 20)}/21"
            fields["cDNA_position"] = str(cds + 120)
            fields["CDS_position"] = str(cds)
        fields.update(
            Allele=allele,
            Consequence=consequence,
            IMPACT=impact,
            SYMBOL=symbol,
            Gene=gene_id,
            Feature_type="Transcript",
            Feature=tx,
            BIOTYPE=biotype,
            STRAND="1",
            CANONICAL="YES" if k == 0 else "",
            gnomADe_AF=f"{rng.random() * 1e-3:.3g}" if rng.random() < 0.3 else "",
        )
        entries.append("|".join(fields[f] for f in CSQ_FIELDS))
    return ",".join(entries)


def write_vcf(path: Path, n_records: int, panel: pd.DataFrame, seed: int = VCF_SEED) -> Path:
    """Write `path` (.vcf.gz, bgzipped, with a .tbi index) with `n_records` records."""
    rng = random.Random(seed)
    positions = _positions(n_records, panel, rng)
    gene_at: dict[str, list[tuple[int, int, str, str]]] = {}
    for r in panel.itertuples(index=False):
        gene_at.setdefault(str(r.chrom), []).append(
            (int(r.start), int(r.end), r.gene, r.ensembl_gene_id)
        )

    def records() -> Iterator[str]:
        for chrom, poss in positions.items():
            genes = gene_at.get(chrom, [])
            for pos in poss:
                symbol, gene_id = f"BG{chrom}_{pos // 100_000}", f"ENSG9{pos // 100_000:010d}"
                for start, end, name, ensg in genes:
                    if start <= pos <= end:
                        symbol, gene_id = name, ensg
                        break
                roll = rng.random()
                ref = rng.choice(BASES)
                if roll < 0.1:
                    kind = "del"
                    deleted = "".join(rng.choice(BASES) for _ in range(rng.randint(1, 3)))
                    ref, alt, allele = ref + deleted, ref, "-"
                else:
                    kind = "missense" if roll < 0.6 else "syn" if roll < 0.75 else "intron"
                    alt = rng.choice([b for b in BASES if b != ref])
                    allele = alt
                samples = _samples(rng)
                flt = "PASS" if rng.random() < 0.8 else "weak_evidence"
                csq = _csq(ref[0], allele, kind, symbol, gene_id, rng)
                yield f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\t{flt}\tCSQ={csq}\t{samples}\n"

    return _write_bgzipped(path, _header(list(positions)), records())


def _samples(rng: random.Random) -> str:
    """FORMAT and the tumour (2-60 % VAF) and normal (under 1 %) columns."""
    t_dp, n_dp = rng.randint(20, 400), rng.randint(20, 200)
    t_alt = max(1, int(t_dp * rng.uniform(0.02, 0.6)))
    n_alt = int(n_dp * rng.uniform(0, 0.01))
    return (
        f"GT:AD:AF:DP\t0/1:{t_dp - t_alt},{t_alt}:{t_alt / t_dp:.3f}:{t_dp}\t"
        f"0/0:{n_dp - n_alt},{n_alt}:{n_alt / n_dp:.3f}:{n_dp}"
    )


def _write_bgzipped(path: Path, header: list[str], records: Iterator[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _bgzip_writer(path) as out:
        out.write("\n".join(header) + "\n")
        while chunk := list(itertools.islice(records, 10_000)):
            out.write("".join(chunk))
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


def write_heavy_vep_vcf(path: Path, n_records: int, seed: int = VCF_SEED) -> Path:
    """Write `path` (.vcf.gz + .tbi): `n_records` Mutect2-style records whose CSQ carries real
    VEP entries (those of REAL_VEP_VCF, Allele set to the record's ALT) until the line is
    about HEAVY_LINE_BYTES long, as a record annotated with every transcript is."""
    with gzip.open(ROOT / REAL_VEP_VCF, "rt") as source:  # plain gzip: pysam cannot seek it
        text = source.read().splitlines()
    header = next(line for line in text if line.startswith("##INFO=<ID=CSQ,"))
    entries = [
        entry.split("|", 1)[1]  # without its Allele
        for line in text
        if not line.startswith("#")
        for entry in re.search(r"(?:^|;)CSQ=([^;]*)", line.split("\t")[7]).group(1).split(",")
    ]
    rng = random.Random(seed)
    positions = _positions(n_records, panel_genes(), rng)
    lines = [header if line.startswith("##INFO=<ID=CSQ,") else line
             for line in _header(list(positions))]  # fmt: skip

    def records() -> Iterator[str]:
        for chrom, poss in positions.items():
            for pos in poss:
                ref = rng.choice(BASES)
                alt = rng.choice([b for b in BASES if b != ref])
                csq, length = [], 0
                while length < HEAVY_LINE_BYTES - 700:  # the last entry, other columns: ~700
                    csq.append(f"{alt}|{rng.choice(entries)}")
                    length += len(csq[-1]) + 1
                csq_text = ",".join(csq)
                yield f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tCSQ={csq_text}\t{_samples(rng)}\n"

    return _write_bgzipped(path, lines, records())


@contextlib.contextmanager
def _bgzip_writer(path: Path) -> Iterator[TextIO]:
    """Text written here is bgzipped into `path`: by `bgzip -@ 2` when installed (it
    compresses while Python generates), else by pysam in this process."""
    if shutil.which("bgzip") is None:
        from pysam.libcbgzf import BGZFile

        with BGZFile(str(path), "wb") as raw, io.TextIOWrapper(raw, encoding="ascii") as text:
            yield text
        return
    with path.open("wb") as sink:
        proc = subprocess.Popen(["bgzip", "-@", "2", "-c"], stdin=subprocess.PIPE, stdout=sink)
        assert proc.stdin is not None
        with io.TextIOWrapper(proc.stdin, encoding="ascii") as text:
            yield text
        if proc.wait() != 0:
            raise RuntimeError(f"bgzip failed ({proc.returncode}) writing {path}")


# --------------------------------------------------------------------------- cohort


def write_cohort(path: Path, n_patients: int, n_biomarkers: int, seed: int = COHORT_SEED) -> Path:
    """patient_id, time, event, response and B001.. status columns (altered / wild_type)."""
    rng = np.random.default_rng(seed)
    # times rounded to 0.1 month, so there are ties and Efron's correction matters
    time = np.round(rng.exponential(12.0, n_patients), 1) + 0.1
    event = (rng.random(n_patients) < 0.7).astype(int)
    response = (rng.random(n_patients) < 0.4).astype(int)
    frame = pd.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in range(n_patients)],
            "time": time,
            "event": event,
            "response": response,
        }
    )
    status = {}
    for j in range(n_biomarkers):
        p = rng.uniform(0.1, 0.5)
        status[f"B{j + 1:03d}"] = np.where(rng.random(n_patients) < p, "altered", "wild_type")
    frame = pd.concat([frame, pd.DataFrame(status)], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep="\t", index=False)
    return path


def read_cohort(path: Path) -> tuple[pd.Series, pd.Series, pd.DataFrame, pd.DataFrame]:
    frame = pd.read_csv(path, sep="\t", dtype={"patient_id": str}).set_index("patient_id")
    status = frame.drop(columns=["time", "event", "response"])
    return frame["time"], frame["event"], frame[["response"]], status


# --------------------------------------------------------------------------- workflow scale

EXAMPLE_DIR = ROOT / "resources" / "example"
CONFIG_YAML = ROOT / "config" / "config.yaml"
# Templates: a paired tumour/normal tissue VCF (+ CNVkit segments) and a tumour-only ctDNA VCF.
TEMPLATE_PATIENT = "P01"
SHEET_COLUMNS = [
    "patient_id", "sample_id", "specimen", "timepoint", "variant_file", "variant_format",
    "annotation", "tumor_sample", "normal_sample", "cnv_file", "cnv_format", "purity",
    "qc_status",
]  # fmt: skip


def _bgzip_text(path: Path, text: str) -> None:
    from pysam.libcbgzf import BGZFile

    with BGZFile(str(path), "wb") as handle:
        handle.write(text.encode())
    pysam.tabix_index(str(path), preset="vcf", force=True)


def write_dag_workdir(work: Path, n_samples: int) -> Path:
    """A workflow working directory with a sheet of `n_samples` samples; returns its config.

    Patients D00001.. each have a baseline tissue sample (paired tumour/normal VEP VCF and
    CNVkit segments) and a baseline ctDNA sample (tumour-only VEP VCF): n_samples / 2
    patients. Every sample has its own small bgzipped, tabix-indexed VCF, because parse-time
    validation reads every header (the records are the example patient P01's). Clinical and
    adverse-event rows cycle through the 30 example patients' rows. Paths in the sheet and
    the config are relative to `work` (snakemake -d work)."""
    inputs_dir = work / "inputs"
    for sub in ("vcf", "cnv"):
        (inputs_dir / sub).mkdir(parents=True, exist_ok=True)
    tp = TEMPLATE_PATIENT
    tissue_vcf = (EXAMPLE_DIR / "vcf" / f"{tp}_tissue_BL.vcf").read_text()
    ctdna_vcf = (EXAMPLE_DIR / "vcf" / f"{tp}_ctDNA_BL.vcf").read_text()
    cns = (EXAMPLE_DIR / "cnv" / f"{tp}_tissue_BL.cns").read_text()
    clinical = (EXAMPLE_DIR / "clinical.tsv").read_text().splitlines()
    adverse = (EXAMPLE_DIR / "adverse_events.tsv").read_text().splitlines()
    templates = [line.split("\t", 1) for line in clinical[1:]]
    events: dict[str, list[str]] = {}
    for line in adverse[1:]:
        pid, rest = line.split("\t", 1)
        events.setdefault(pid, []).append(rest)

    n_patients = (n_samples + 1) // 2
    sheet = ["\t".join(SHEET_COLUMNS)]
    clinical_out, adverse_out = [clinical[0]], [adverse[0]]
    made = 0
    for i in range(n_patients):
        pid = f"D{i + 1:05d}"
        template_id, template_rest = templates[i % len(templates)]
        clinical_out.append(f"{pid}\t{template_rest}")
        adverse_out += [f"{pid}\t{rest}" for rest in events.get(template_id, [])]
        tissue, normal, ctdna = f"{pid}_tissue_BL", f"{pid}_normal", f"{pid}_ctDNA_BL"
        text = tissue_vcf.replace(f"{tp}_tissue_BL", tissue).replace(f"{tp}_normal", normal)
        _bgzip_text(inputs_dir / "vcf" / f"{tissue}.vcf.gz", text)
        (inputs_dir / "cnv" / f"{tissue}.cns").write_text(cns)
        cnv = f"inputs/cnv/{tissue}.cns"
        row = [pid, tissue, "tissue", "baseline", f"inputs/vcf/{tissue}.vcf.gz", "vcf", "vep"]
        sheet.append("\t".join([*row, tissue, normal, cnv, "cnvkit_cns", "0.6", "pass"]))
        made += 1
        if made == n_samples:
            break
        _bgzip_text(
            inputs_dir / "vcf" / f"{ctdna}.vcf.gz", ctdna_vcf.replace(f"{tp}_ctDNA_BL", ctdna)
        )
        row = [pid, ctdna, "ctdna", "baseline", f"inputs/vcf/{ctdna}.vcf.gz", "vcf", "vep"]
        sheet.append("\t".join([*row, ctdna, "", "", "", "0.05", "pass"]))
        made += 1
    for name, lines in (
        ("samples.tsv", sheet),
        ("clinical.tsv", clinical_out),
        ("adverse_events.tsv", adverse_out),
    ):
        (inputs_dir / name).write_text("\n".join(lines) + "\n")
    config = yaml.safe_load(CONFIG_YAML.read_text())
    config["samples"] = "inputs/samples.tsv"
    config["clinical"]["table"] = "inputs/clinical.tsv"
    config["adverse_events"] = "inputs/adverse_events.tsv"
    # the example's per-visit responses and measurements name P01..P30, not D00001..
    config["clinical"]["visits"] = config["clinical"]["measurements"] = None
    config_path = work / "config" / "config.yaml"
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return config_path


def write_example_workdir(work: Path) -> Path:
    """A fresh copy of the 30-patient example cohort and the default config in `work`
    (tests/workdirs.py's example_workdir); returns the config."""
    sys.path.insert(0, str(ROOT / "tests"))  # the example generator is a test tool
    from workdirs import example_workdir

    if work.exists():
        shutil.rmtree(work)
    return example_workdir(work, ROOT) / "config" / "config.yaml"
