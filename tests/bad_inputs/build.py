"""Build the bad-input catalogue: one folder per case under tests/bad_inputs/.

Every case starts from a small valid cohort (3 patients, 3 tissue samples, tiny VEP VCFs and
CNVkit .cns files) and changes one thing. Each folder holds ``case.yaml`` (description,
whether the inputs are valid, the message substrings expected) and the files it needs.

    .venv/bin/python tests/bad_inputs/build.py     # rewrite every case folder
"""

from __future__ import annotations

import copy
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from her2resist.sheet import PANEL_COLUMNS, SAMPLE_COLUMNS

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for the example generator's CSQ fields
from example_cohort import CSQ_FIELDS  # noqa: E402

CSQ_VALUES = {
    "Allele": "G",
    "Consequence": "missense_variant",
    "IMPACT": "MODERATE",
    "SYMBOL": "PIK3CA",
    "Gene": "ENSG00000121879",
    "Feature_type": "Transcript",
    "Feature": "ENST00000263967",
    "BIOTYPE": "protein_coding",
    "HGVSc": "ENST00000263967:c.3140A>G",
    "HGVSp": "ENSP00000263967:p.His1047Arg",
    "Protein_position": "1047",
    "STRAND": "1",
    "CANONICAL": "YES",
}
ANN_HEADER = (
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | "
    "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
    "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length "
    "| AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' \">"
)
ANN_VALUE = (
    "G|missense_variant|MODERATE|PIK3CA|ENSG00000121879|transcript|ENST00000263967.4|"
    "protein_coding|21/21|c.3140A>G|p.His1047Arg|3297/9093|3140/3207|1047/1068||"
)
CONTIGS = {"GRCh38": {"3": 198295559, "17": 83257441}, "GRCh37": {"3": 198022430, "17": 81195210}}


def vcf_text(
    samples: list[str],
    *,
    records: bool = True,
    fields: list[str] = CSQ_FIELDS,
    annotation: str = "csq",
    reference: str | None = "GRCh38",
    build: str = "GRCh38",
    chr_prefix: bool = False,
    chrom_line: bool = True,
    fileformat: bool = True,
    tumor_header: str | None = None,
) -> str:
    chrom = "chr" if chr_prefix else ""
    lines = ["##fileformat=VCFv4.2"] if fileformat else []
    lines += [
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    ]
    if annotation == "csq":
        lines.append(
            '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
            f'Ensembl VEP. Format: {"|".join(fields)}">'
        )
    elif annotation == "csq_no_format":
        lines.append(
            '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from VEP">'
        )
    elif annotation == "ann":
        lines.append(ANN_HEADER)
    if reference:
        lines.append(f"##reference={reference}")
    if tumor_header:
        lines.append(f"##tumor_sample={tumor_header}")
    for name, length in CONTIGS[build].items():
        lines.append(f"##contig=<ID={chrom}{name},length={length}>")
    if chrom_line:
        lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]))
        if samples:
            lines[-1] += "\tFORMAT\t" + "\t".join(samples)
    if records:
        if annotation == "ann":
            info = f"ANN={ANN_VALUE}"
        elif annotation.startswith("csq"):
            info = "CSQ=" + "|".join(CSQ_VALUES.get(f, "") for f in fields)
        else:
            info = "."
        genotypes = ["0/0:140,0:0.0:140"] * (len(samples) - 1) + ["0/1:230,100:0.303:330"]
        lines.append(
            "\t".join(
                [
                    f"{chrom}3",
                    "179234297",
                    ".",
                    "A",
                    "G",
                    ".",
                    "PASS",
                    info,
                    "GT:AD:AF:DP",
                    *genotypes,
                ]
            )
        )
    return "\n".join(lines) + "\n"


CNS = (
    "chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"
    "17\t39600000\t39800000\tERBB2\t2.1\t900.0\t40\t30.0\n"
    "3\t1\t198295559\t-\t0.02\t200.0\t3965\t396.5\n"
)
# The base sheet has the columns up to qc_status; a case that fills an optional column
# (panel, sv_file, ...) gets that column too (see Case.write).
SAMPLE_HEADER = SAMPLE_COLUMNS
CLINICAL_HEADER = [
    "patient_id",
    "age",
    "treatment_start_date",
    "progression_date",
    "death_date",
    "last_assessment_date",
    "last_contact_date",
    "best_response",
    "sd_duration_weeks",
]
CONFIG = {
    "samples": "samples.tsv",
    "genome_build": "GRCh38",
    "clinical": {
        "table": "clinical.tsv",
        "source": "dates",
        "columns": {
            "patient_id": "patient_id",
            "treatment_start": "treatment_start_date",
            "progression_date": "progression_date",
            "death_date": "death_date",
            "last_assessment_date": "last_assessment_date",
            "last_contact_date": "last_contact_date",
            "best_response": "best_response",
            "sd_duration_weeks": "sd_duration_weeks",
        },
        "date_format": "%Y-%m-%d",
        "covariate_columns": ["age"],
    },
    "biomarkers": {"genes": ["ERBB2", "PIK3CA", "TP53"], "pathways": ["HER2", "PI3K_AKT_MTOR"]},
}


class Case:
    """A mutable copy of the valid base cohort."""

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.meta: dict = {"description": description, "valid": True, "expect": []}
        self.config = copy.deepcopy(CONFIG)
        self.samples = [
            dict(
                zip(
                    SAMPLE_HEADER,
                    [
                        "P1",
                        "P1_T",
                        "tissue",
                        "baseline",
                        "vcf/P1_T.vcf",
                        "vcf",
                        "vep",
                        "P1_T",
                        "P1_N",
                        "cnv/P1_T.cns",
                        "cnvkit_cns",
                        "0.6",
                        "pass",
                    ],
                    strict=True,
                )
            ),
            dict(
                zip(
                    SAMPLE_HEADER,
                    [
                        "P2",
                        "P2_T",
                        "tissue",
                        "baseline",
                        "vcf/P2_T.vcf",
                        "vcf",
                        "vep",
                        "P2_T",
                        "",
                        "",
                        "",
                        "0.5",
                        "pass",
                    ],
                    strict=True,
                )
            ),
            dict(
                zip(
                    SAMPLE_HEADER,
                    [
                        "P3",
                        "P3_T",
                        "tissue",
                        "baseline",
                        "vcf/P3_T.vcf",
                        "vcf",
                        "vep",
                        "P3_T",
                        "",
                        "cnv/P3_T.cns",
                        "cnvkit_cns",
                        "",
                        "",
                    ],
                    strict=True,
                )
            ),
        ]
        self.clinical = [
            ["P1", "61", "2022-01-10", "2022-08-01", "", "2022-08-01", "2023-01-01", "PR", ""],
            ["P2", "54", "2022-02-01", "", "", "2023-01-15", "2023-03-01", "SD", "30"],
            [
                "P3",
                "47",
                "2022-03-01",
                "2022-05-01",
                "2023-02-01",
                "2022-05-01",
                "2023-02-01",
                "PD",
                "",
            ],
        ]
        self.clinical_header = list(CLINICAL_HEADER)
        self.files: dict[str, str | bytes] = {
            "vcf/P1_T.vcf": vcf_text(["P1_N", "P1_T"]),
            "vcf/P2_T.vcf": vcf_text(["P2_T"]),
            "vcf/P3_T.vcf": vcf_text(["P3_T"], records=False),
            "cnv/P1_T.cns": CNS,
            "cnv/P3_T.cns": CNS,
        }
        self.sheet_text: Callable[[str], str | bytes] | None = None
        self.clinical_text: Callable[[str], str | bytes] | None = None
        self.omit: set[str] = set()  # files the case leaves out on purpose

    def error(self, *expect: str) -> Case:
        self.meta["valid"] = False
        self.meta["expect"] = list(expect)
        return self

    def warn(self, *expect: str) -> Case:
        self.meta["warnings"] = list(expect)
        return self

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        return "\n".join("\t".join(r) for r in [header, *rows]) + "\n"

    def write(self, root: Path) -> None:
        folder = root / self.name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        filled = {c for s in self.samples for c in s}
        header = SAMPLE_HEADER + [c for c in PANEL_COLUMNS if c in filled]
        sheet = self.table(header, [[s.get(c, "") for c in header] for s in self.samples])
        clinical = self.table(self.clinical_header, self.clinical)
        files = dict(self.files)
        if self.config.get("samples") and self.config["samples"] not in files:
            files[self.config["samples"]] = self.sheet_text(sheet) if self.sheet_text else sheet
        if self.config["clinical"]["table"] not in files:
            files[self.config["clinical"]["table"]] = (
                self.clinical_text(clinical) if self.clinical_text else clinical
            )
        for name, content in files.items():
            if name in self.omit:
                continue
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(path)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8"))
        if "config.yaml" not in files:
            (folder / "config.yaml").write_text(yaml.safe_dump(self.config, sort_keys=False))
        (folder / "case.yaml").write_text(yaml.safe_dump(self.meta, sort_keys=False, width=100))


def bgzip(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        import pysam

        plain = path.with_suffix("")
        plain.write_text(text)
        pysam.tabix_compress(str(plain), str(path), force=True)
        plain.unlink()

    return write


def truncated_bgzip(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        bgzip(text)(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) - 40])

    return write


def xlsx_with_title(header: list[str], rows: list[list[str]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["HER2-ResIST trial: clinical data export 2024-03-01"])
        sheet.append([])
        sheet.append(header)
        for row in rows:
            sheet.append([v if v != "" else None for v in row])
        book.save(path)

    return write


def cases() -> list[Case]:
    out: list[Case] = []

    def case(name: str, description: str) -> Case:
        c = Case(name, description)
        out.append(c)
        return c

    # ------------------------------------------------------------------ valid
    case("valid_baseline", "the unchanged base cohort").meta["pipeline"] = True
    out[-1].meta["snakemake"] = True

    c = case("valid_csq_field_order", "VEP CSQ with a different field order (must parse)")
    fields = list(reversed(CSQ_FIELDS))
    c.files["vcf/P1_T.vcf"] = vcf_text(["P1_N", "P1_T"], fields=fields)
    c.meta["pipeline"] = True

    c = case("valid_snpeff_ann", "SnpEff INFO/ANN with annotation: snpeff")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], annotation="ann")
    c.samples[1]["annotation"] = "snpeff"
    c.meta["pipeline"] = True

    c = case("valid_patient_without_samples", "clinical patient with no sample: not sequenced")
    c.clinical.append(["P4", "70", "2022-04-01", "", "", "2022-10-01", "2023-01-01", "SD", "40"])
    c.warn("patient 'P4' has no sample in the sheet")
    c.meta["pipeline"] = True

    for name, codes in [
        ("valid_events_yes_no", ("yes", "no")),
        ("valid_events_1_0", ("1", "0")),
        ("valid_events_progressed_censored", ("Progressed", "Censored")),
    ]:
        c = case(name, f"precomputed times; events coded {codes[0]}/{codes[1]}")
        c.config["clinical"]["source"] = "times"
        c.config["clinical"]["columns"] = {
            "patient_id": "patient_id",
            "pfs_time": "pfs_months",
            "pfs_event": "pfs_status",
            "os_time": "os_months",
            "os_event": "os_status",
            "best_response": "best_response",
            "sd_duration_weeks": "sd_duration_weeks",
        }
        c.config["clinical"].pop("date_format")
        c.clinical_header = ["patient_id", "age", "pfs_months", "pfs_status", "os_months"]
        c.clinical_header += ["os_status", "best_response", "sd_duration_weeks"]
        yes, no = codes
        c.clinical = [
            ["P1", "61", "6.7", yes, "11.7", no, "PR", ""],
            ["P2", "54", "11.5", no, "13.0", no, "SD", "30"],
            ["P3", "47", "2.0", yes, "11.0", yes, "PD", ""],
        ]
        if name == "valid_events_progressed_censored":
            c.config["clinical"]["event_values"] = {"os_status": {"Died": 1, "Alive at cut-off": 0}}
            c.clinical[0][5] = "Alive at cut-off"
            c.clinical[1][5] = "Alive at cut-off"
            c.clinical[2][5] = "Died"
        c.meta["pipeline"] = True

    c = case("valid_negative_time", "a negative PFS time: warning, patient excluded from PFS")
    _times(c)
    c.clinical[1][2] = "-1.5"
    c.warn("clinical.tsv, line 3, column 'pfs_months'", "excluded from PFS")
    c.meta["pipeline"] = True

    c = case(
        "valid_delayed_entry",
        "delayed entry: one entry after the PFS time, one missing; those patients excluded",
    )
    _times(c, entry=["1.0", "12.0", ""])
    c.warn("clinical.tsv, line 4, column 'entry_months'", "entry time is missing")
    c.meta["pipeline"] = True

    c = case("entry_not_a_number", "a delayed-entry time written as a date")
    _times(c, entry=["1.0", "2022-03-01", "0"])
    c.error("clinical.tsv, line 3, column 'entry_months'", "'2022-03-01' is not a number")

    c = case("entry_key_for_other_source", "entry_time (a time) with dates as the source")
    c.config["clinical"]["columns"]["entry_time"] = "age"
    c.error("clinical.columns.entry_time does not apply", "use clinical.columns.entry_date")

    c = case("valid_missing_time", "a missing OS time: warning, patient excluded from OS")
    _times(c)
    c.clinical[2][4] = ""
    c.warn("clinical.tsv, line 4, column 'os_months'", "OS time is missing")
    c.meta["pipeline"] = True

    c = case("valid_sd_without_duration", "SD without a duration while CBR is requested: warning")
    c.clinical[1][8] = ""
    c.warn("clinical.tsv, line 3, column 'sd_duration_weeks'", "SD without a duration")
    c.meta["pipeline"] = True

    c = case("valid_response_codes_mapped", "own response codes mapped in response_values")
    c.clinical[0][7] = "Partial Response (confirmed)"
    c.clinical[1][7] = "stable disease"
    c.config["clinical"]["response_values"] = {"Partial Response (confirmed)": "PR"}
    c.meta["pipeline"] = True

    c = case("valid_xlsx_title_row", "clinical table as XLSX with a title row above the header")
    c.config["clinical"]["table"] = "clinical.xlsx"
    c.files["clinical.xlsx"] = xlsx_with_title(c.clinical_header, c.clinical)
    c.meta["pipeline"] = True

    c = case("valid_utf8_bom", "sample sheet and clinical table with a UTF-8 byte-order mark")
    c.sheet_text = lambda t: "\ufeff" + t
    c.clinical_text = lambda t: "\ufeff" + t
    c.meta["pipeline"] = True

    c = case("valid_crlf", "sample sheet and clinical table with Windows (CRLF) line ends")
    c.sheet_text = lambda t: t.replace("\n", "\r\n")
    c.clinical_text = lambda t: t.replace("\n", "\r\n")
    c.meta["pipeline"] = True

    c = case("valid_latin1", "clinical table in latin-1 (a spreadsheet export)")
    c.clinical_header.append("site")
    for row, site in zip(c.clinical, ["Zürich", "São Paulo", "Kraków"], strict=True):
        row.append(site)
    c.config["clinical"]["covariate_columns"] = ["age", "site"]
    c.clinical_text = lambda t: t.encode("latin-1", errors="replace")
    c.meta["pipeline"] = True

    c = case("valid_chr_prefix", "VCF contigs named chr3/chr17; resources use 3/17")
    c.files["vcf/P1_T.vcf"] = vcf_text(["P1_N", "P1_T"], chr_prefix=True)
    c.meta["pipeline"] = True

    c = case("valid_maf_without_hgvsp", "per-sample MAF without HGVSp_Short: warning")
    c.samples[1].update(variant_file="P2_T.maf", variant_format="maf", annotation="maf")
    c.samples[1].update(tumor_sample="")
    c.files["P2_T.maf"] = (
        "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
        "Tumor_Seq_Allele2\tVariant_Classification\tTumor_Sample_Barcode\tt_depth\tt_alt_count\n"
        "PIK3CA\t3\t179234297\t179234297\tA\tG\tMissense_Mutation\tP2_T\t330\t100\n"
    )
    c.warn("P2_T.maf, line 1, column 'HGVSp_Short'", "no HGVSp_Short")
    c.meta["pipeline"] = True

    c = case("valid_empty_vcf", "a VCF with a header and no records: the patient is wild type")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], records=False)
    c.samples[1].update(cnv_file="cnv/P2_T.cns", cnv_format="cnvkit_cns")
    c.files["cnv/P2_T.cns"] = CNS.replace("2.1", "0.05")
    c.warn("the VCF has no records")
    c.meta["pipeline"] = True
    c.meta["wild_type"] = {"patient": "P2", "gene": "PIK3CA"}

    c = case("valid_qc_failed_sample", "a sample flagged qc_status fail: not evaluable")
    c.samples[1]["qc_status"] = "fail"
    c.warn("samples.tsv, line 3, column 'qc_status'", "failed QC")
    c.meta["pipeline"] = True

    c = case("valid_paths_with_spaces", "files in folders and with names containing spaces")
    c.files["my calls/P1 T.vcf"] = c.files.pop("vcf/P1_T.vcf")
    c.samples[0]["variant_file"] = "my calls/P1 T.vcf"
    c.meta["pipeline"] = True
    c.meta["snakemake"] = True

    c = case("valid_sample_names_quotes", "VCF sample column \"Pt 1 'T'\" (spaces and quotes)")
    c.files["vcf/P1_T.vcf"] = vcf_text(["Pt 1 'N'", "Pt 1 'T'"])
    c.samples[0].update(tumor_sample="Pt 1 'T'", normal_sample="Pt 1 'N'")
    c.meta["pipeline"] = True
    c.meta["snakemake"] = True

    c = case("valid_bgzip_vcf", "a bgzipped VCF")
    c.files["vcf/P1_T.vcf.gz"] = bgzip(c.files.pop("vcf/P1_T.vcf"))
    c.samples[0]["variant_file"] = "vcf/P1_T.vcf.gz"
    c.meta["pipeline"] = True

    c = case(
        "valid_tumor_from_header", "tumor_sample left empty; the VCF's ##tumor_sample names it"
    )
    c.files["vcf/P1_T.vcf"] = vcf_text(["P1_N", "P1_T"], tumor_header="P1_T")
    c.samples[0].update(tumor_sample="", normal_sample="")
    c.meta["pipeline"] = True

    # ------------------------------------------------------------------ VCF errors
    c = case("vcf_truncated_bgzip", "a bgzipped VCF cut short while copying")
    c.files["vcf/P1_T.vcf.gz"] = truncated_bgzip(c.files.pop("vcf/P1_T.vcf"))
    c.samples[0]["variant_file"] = "vcf/P1_T.vcf.gz"
    c.error("vcf/P1_T.vcf.gz, end of file", "truncated", "sample sheet samples.tsv line 2")
    c.meta["snakemake"] = True

    c = case("vcf_no_chrom_line", "VCF header without the #CHROM line")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], chrom_line=False)
    c.error("vcf/P2_T.vcf, line 11, column '#CHROM'", "no '#CHROM'")

    c = case("vcf_no_fileformat", "VCF without its ##fileformat first line")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], fileformat=False)
    c.error("vcf/P2_T.vcf, line 1", "##fileformat=VCFv4")

    c = case("vcf_no_csq_header", "annotation: vep but the VCF has no INFO/CSQ header")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], annotation="none")
    c.error("vcf/P2_T.vcf, header, column 'INFO/CSQ'", "no VEP INFO/CSQ line")
    c.meta["snakemake"] = True

    c = case("vcf_ann_but_sheet_says_vep", "SnpEff ANN header while the sheet says vep")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], annotation="ann")
    c.error("vcf/P2_T.vcf, header, column 'INFO/CSQ'", "set annotation to 'snpeff'")

    c = case("vcf_snpeff_but_only_csq", "annotation: snpeff but only a CSQ header")
    c.samples[1]["annotation"] = "snpeff"
    c.error("vcf/P2_T.vcf, header, column 'INFO/ANN'", "set annotation to 'vep'")

    c = case("vcf_csq_without_field_list", "INFO/CSQ declared without 'Format: ...'")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], annotation="csq_no_format")
    c.error("vcf/P2_T.vcf, line 7, column 'INFO/CSQ'", "has no field list")

    c = case("vcf_tumor_not_in_vcf", "tumor_sample is not a sample column of the VCF")
    c.samples[0]["tumor_sample"] = "P1_Tumour"
    c.error("samples.tsv, line 2, column 'tumor_sample'", "'P1_Tumour'", "'P1_N', 'P1_T'")
    c.meta["snakemake"] = True

    c = case("vcf_normal_not_in_vcf", "normal_sample is not a sample column of the VCF")
    c.samples[0]["normal_sample"] = "P1_blood"
    c.error("samples.tsv, line 2, column 'normal_sample'", "'P1_blood'", "'P1_N', 'P1_T'")

    c = case("vcf_two_samples_no_tumor", "two VCF samples, no tumor_sample, no ##tumor_sample")
    c.samples[0].update(tumor_sample="", normal_sample="")
    c.error("samples.tsv, line 2, column 'tumor_sample'", "cannot tell which sample")

    c = case("vcf_zero_bytes", "a variant file of 0 bytes")
    c.files["vcf/P2_T.vcf"] = ""
    c.error("samples.tsv, line 3, column 'variant_file'", "file is empty (0 bytes)")

    c = case("vcf_missing_file", "the sheet names a VCF that does not exist")
    c.samples[2]["variant_file"] = "vcf/P3_tumour.vcf"
    c.error("samples.tsv, line 4, column 'variant_file'", "file not found: 'vcf/P3_tumour.vcf'")
    c.meta["snakemake"] = True

    c = case("vcf_wrong_case_path", "the sheet's path differs only in letter case")
    c.samples[2]["variant_file"] = "vcf/p3_t.vcf"
    c.error("samples.tsv, line 4, column 'variant_file'", "did you mean 'vcf/P3_T.vcf'")

    c = case("vcf_grch37_reference", "GRCh37 VCF (##reference=hs37d5) with genome_build GRCh38")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], reference="file:///ref/hs37d5.fa", build="GRCh37")
    c.error("vcf/P2_T.vcf, header, column '##reference'", "the VCF is GRCh37", "genome_build")

    c = case("vcf_grch37_contigs", "GRCh37 contig lengths (no ##reference) with GRCh38 config")
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], reference=None, build="GRCh37")
    c.error("vcf/P2_T.vcf, header", "contig 3 has length 198022430", "set genome_build: GRCh37")

    c = case("vcf_grch38_with_grch37_config", "GRCh38 VCFs, genome_build: GRCh37")
    c.config["genome_build"] = "GRCh37"
    c.error("vcf/P1_T.vcf, header", "the VCF is GRCh38", "vcf/P2_T.vcf, header")

    # ------------------------------------------------------------------ CNV, MAF
    c = case("cnv_missing_file", "the sheet names a CNV file that does not exist")
    c.samples[0]["cnv_file"] = "cnv/P1.cns"
    c.error("samples.tsv, line 2, column 'cnv_file'", "file not found: 'cnv/P1.cns'")

    c = case("cnv_missing_log2", "CNVkit .cns without the log2 column")
    c.files["cnv/P1_T.cns"] = CNS.replace("log2", "log2ratio_x")
    c.error("cnv/P1_T.cns, line 1, column 'log2'", "lacks column(s) log2")

    c = case("cnv_format_missing", "cnv_file given with an empty cnv_format")
    c.samples[0]["cnv_format"] = ""
    c.error("samples.tsv, line 2, column 'cnv_format'", "cnv_format is empty")

    c = case("cnv_seg_wrong_format", "a .cns file declared as seg (no sample column)")
    c.samples[0]["cnv_format"] = "seg"
    c.error("cnv/P1_T.cns, line 1, column 'sample'", "seg file lacks")

    c = case("maf_missing_columns", "per-sample MAF without Start_Position")
    c.samples[1].update(variant_file="P2_T.maf", variant_format="maf", annotation="maf")
    c.files["P2_T.maf"] = (
        "Hugo_Symbol\tChromosome\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n"
        "PIK3CA\t3\tA\tG\tP2_T\n"
    )
    c.error("P2_T.maf, line 1, column 'Start_Position'", "missing required MAF column")

    # ------------------------------------------------------------------ panels, fusions
    c = case("valid_gene_panel_and_fusions", "a gene panel without MTOR; fusions from data_sv.txt")
    c.samples[2]["panel"] = "panels/small_panel.txt"
    c.samples[1].update(sv_file="data_sv.txt", sv_format="cbioportal_sv")
    c.files["panels/small_panel.txt"] = "# genes the assay covers\nPIK3CA\nTP53\nERBB2\n"
    c.files["data_sv.txt"] = (
        "Sample_Id\tSV_Status\tSite1_Hugo_Symbol\tSite2_Hugo_Symbol\tEvent_Info\n"
        "P2_T\tSOMATIC\tFGFR2\tBICC1\tProtein Fusion: in frame  {FGFR2:BICC1}\n"
    )
    c.meta["pipeline"] = True
    c.meta["wild_type"] = {"patient": "P3", "gene": "PIK3CA"}
    c.meta["not_evaluable"] = {"patient": "P3", "gene": "MTOR"}

    c = case("panel_missing_file", "the sheet names a gene panel file that does not exist")
    c.samples[0]["panel"] = "panels/impact.txt"
    c.error("samples.tsv, line 2, column 'panel'", "file not found: 'panels/impact.txt'")

    c = case("panel_names_no_gene", "a gene panel file with comments and no gene")
    c.samples[0]["panel"] = "panel.txt"
    c.files["panel.txt"] = "# MSK-IMPACT 468 genes (list to be filled in)\n\n"
    c.error("panel.txt, column 'panel'", "covers no gene", "sheet samples.tsv line 2")

    c = case("sv_format_missing", "sv_file given with an empty sv_format")
    c.samples[0].update(sv_file="data_sv.txt", sv_format="")
    c.files["data_sv.txt"] = "Sample_Id\tSite1_Hugo_Symbol\tSite2_Hugo_Symbol\nP1_T\tCD74\tNRG1\n"
    c.error("samples.tsv, line 2, column 'sv_format'", "sv_format is empty")

    c = case("sv_file_not_cbioportal", "sv_format cbioportal_sv, but the file is a BEDPE")
    c.samples[0].update(sv_file="calls.bedpe", sv_format="cbioportal_sv")
    c.files["calls.bedpe"] = "chrom1\tstart1\tend1\tchrom2\tstart2\tend2\n8\t1\t2\t5\t3\t4\n"
    c.error("calls.bedpe, line 1", "not a cBioPortal structural variant file")

    # ------------------------------------------------------------------ sample sheet
    c = case("duplicate_sample_id", "the same sample_id on two rows")
    c.samples[2]["sample_id"] = "P2_T"
    c.error("samples.tsv, line 4, column 'sample_id'", "duplicated sample_id 'P2_T'", "line 3")
    c.meta["snakemake"] = True

    c = case("sample_without_patient", "a sample whose patient is not in the clinical table")
    c.samples[2]["patient_id"] = "P9"
    c.error("samples.tsv, line 4, column 'patient_id'", "patient 'P9' is not in the clinical")

    c = case("bad_specimen", "specimen 'blood' is not tissue/ctdna")
    c.samples[1]["specimen"] = "blood"
    c.error("samples.tsv, line 3, column 'specimen'", "use one of tissue, ctdna")

    c = case("bad_sample_id_characters", "a sample_id with a space (names output files)")
    c.samples[1]["sample_id"] = "P2 T"
    c.error("samples.tsv, line 3, column 'sample_id'", "use letters, digits")

    c = case("bad_purity", "purity written as a percentage")
    c.samples[0]["purity"] = "60%"
    c.error("samples.tsv, line 2, column 'purity'", "'60%' is not a fraction")

    c = case("empty_patient_in_sheet", "a sample row without patient_id")
    c.samples[1]["patient_id"] = ""
    c.error("samples.tsv, line 3, column 'patient_id'", "patient_id is empty")

    c = case("empty_cohort_sheet", "a sample sheet with a header and no rows")
    c.samples = []
    c.error("samples.tsv, line 1", "no samples (empty cohort)")

    # ------------------------------------------------------------------ clinical
    c = case("empty_cohort_clinical", "a clinical table with a header and no patients")
    c.clinical = []
    c.error("clinical.tsv, line 1", "no patients (empty cohort)")

    c = case("duplicate_patient_id", "the same patient twice in the clinical table")
    c.clinical.append(list(c.clinical[1]))
    c.error("clinical.tsv, line 5, column 'patient_id'", "duplicated patient_id 'P2'")

    c = case("mixed_date_formats", "one date written as DD/MM/YYYY among ISO dates")
    c.clinical[1][2] = "01/02/2022"
    c.error(
        "clinical.tsv, line 3, column 'treatment_start_date'",
        "'01/02/2022' is not a date in the format %Y-%m-%d",
        "mixes date formats",
    )

    c = case("progression_before_start", "progression date before treatment start")
    c.clinical[2][3] = "2022-02-01"
    c.error("clinical.tsv, line 4, column 'progression_date'", "before treatment start")

    c = case("unknown_event_code", "an event code that is neither default nor mapped")
    _times(c)
    c.clinical[1][3] = "maybe"
    c.error("clinical.tsv, line 3, column 'pfs_status'", "unknown event code 'maybe'")

    c = case("time_not_a_number", "a PFS time written with its unit")
    _times(c)
    c.clinical[0][2] = "6.7 mo"
    c.error("clinical.tsv, line 2, column 'pfs_months'", "'6.7 mo' is not a number")

    c = case("unknown_response_code", "a response code that is not RECIST nor mapped")
    c.clinical[0][7] = "Responder"
    c.error("clinical.tsv, line 2, column 'best_response'", "unknown response 'Responder'")

    c = case("sd_duration_not_a_number", "SD duration written as text")
    c.clinical[1][8] = "about 30"
    c.error("clinical.tsv, line 3, column 'sd_duration_weeks'", "'about 30' is not a number")

    c = case("mapped_column_missing", "clinical.columns names a column the table lacks")
    c.config["clinical"]["columns"]["best_response"] = "BOR"
    c.error("clinical.tsv, line 1, column 'BOR'", "clinical.columns.best_response")

    c = case("missing_clinical_table", "clinical.table points at a file that does not exist")
    c.config["clinical"]["table"] = "clinical_data.tsv"
    c.files["clinical.tsv"] = c.table(c.clinical_header, c.clinical)
    c.omit.add("clinical_data.tsv")
    c.error("clinical_data.tsv: file not found")

    c = case("ae_bad_grade", "an adverse event with grade 6")
    c.config["adverse_events"] = "adverse_events.tsv"
    c.files["adverse_events.tsv"] = "patient_id\tterm\tgrade\nP1\tDiarrhea\t3\nP2\tRash\t6\n"
    c.error("adverse_events.tsv, line 3, column 'grade'", "not a CTCAE v5.0 grade")

    c = case("ae_unknown_patient", "an adverse event for a patient not in the clinical table")
    c.config["adverse_events"] = "adverse_events.tsv"
    c.files["adverse_events.tsv"] = "patient_id\tterm\tgrade\nP1\tDiarrhea\t3\nP7\tRash\t2\n"
    c.error("adverse_events.tsv, line 3, column 'patient_id'", "patient 'P7'")

    # ------------------------------------------------------------------ config
    c = case("config_unknown_key", "a misspelt config key")
    c.config["cbr_min_sd_week"] = 24
    c.error("config.yaml, key (top level)", "did you mean 'cbr_min_sd_weeks'")

    c = case("config_not_yaml", "a config that is not valid YAML")
    c.files["config.yaml"] = "samples: samples.tsv\nclinical:\n  table: [clinical.tsv\n"
    c.error("config.yaml, line", "not valid YAML")

    c = case("config_bad_genome_build", "genome_build hg38 (not an allowed value)")
    c.config["genome_build"] = "hg38"
    c.error("config.yaml, key genome_build", "use one of GRCh37, GRCh38")

    c = case("config_label_unknown_column", "a label for a column the clinical table lacks")
    c.config["labels"] = {"age": "Age at enrolment, years", "hormone_status": "HR status"}
    c.error("config, key labels", "labels.hormone_status", "or remove the label")

    # ------------------------------------------------------------------ all at once
    c = case("many_problems_at_once", "problems in four files: every one is reported")
    c.samples[0]["tumor_sample"] = "P1_Tumour"
    c.samples[2]["variant_file"] = "vcf/missing.vcf"
    c.files["vcf/P2_T.vcf"] = vcf_text(["P2_T"], annotation="none")
    c.clinical[1][2] = "2022/02/01"
    c.clinical[0][7] = "Responder"
    c.error(
        "samples.tsv, line 2, column 'tumor_sample'",
        "samples.tsv, line 4, column 'variant_file'",
        "vcf/P2_T.vcf, header, column 'INFO/CSQ'",
        "clinical.tsv, line 3, column 'treatment_start_date'",
        "clinical.tsv, line 2, column 'best_response'",
    )
    c.meta["snakemake"] = True
    return out


def _times(c: Case, entry: list[str] | None = None) -> None:
    """Precomputed times; with `entry`, a delayed-entry column (one value per patient)."""
    c.config["clinical"]["source"] = "times"
    c.config["clinical"].pop("date_format")
    c.config["clinical"]["columns"] = {
        "patient_id": "patient_id",
        "pfs_time": "pfs_months",
        "pfs_event": "pfs_status",
        "os_time": "os_months",
        "os_event": "os_status",
        "best_response": "best_response",
        "sd_duration_weeks": "sd_duration_weeks",
    }
    c.clinical_header = ["patient_id", "age", "pfs_months", "pfs_status", "os_months"]
    c.clinical_header += ["os_status", "best_response", "sd_duration_weeks"]
    c.clinical = [
        ["P1", "61", "6.7", "1", "11.7", "0", "PR", ""],
        ["P2", "54", "11.5", "0", "13.0", "0", "SD", "30"],
        ["P3", "47", "2.0", "1", "11.0", "1", "PD", ""],
    ]
    if entry is not None:
        c.config["clinical"]["columns"]["entry_time"] = "entry_months"
        c.clinical_header.append("entry_months")
        for row, value in zip(c.clinical, entry, strict=True):
            row.append(value)


def build(root: Path = HERE) -> list[str]:
    names = []
    for c in cases():
        c.write(root)
        names.append(c.name)
    return names


if __name__ == "__main__":
    built = build()
    print(f"{len(built)} cases written under {HERE}")
