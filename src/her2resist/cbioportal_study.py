"""A cBioPortal study folder as the workflow's inputs (https://docs.cbioportal.org/file-formats/).

The ``meta_*.txt`` files say which data file holds what (``genetic_alteration_type``,
``datatype``, ``data_filename``). :func:`read_study` turns the folder into what the cohort
route already reads: a sample sheet with every profiled sample (its MAF, discrete CNA matrix,
SV file and gene panels), one clinical table (patient attributes, plus sample attributes
collapsed per patient) and the column mapping of cBioPortal's standard attributes.

Which samples were profiled, per data type, first found wins: the case list
(``cases_sequenced`` / ``cases_cna`` / ``cases_sv``, or their ``case_list_category``), the gene
panel matrix (a non-NA panel), the MAF's ``#Sequenced_Samples:`` line, the samples of the data
file itself. A profiled sample without a mutation is in the sheet (wild type for what its panel
covers). Patient ids come from the sample file's ``PATIENT_ID``, never from barcodes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from her2resist.errors import Findings, InputError, Problem
from her2resist.tables import MISSING, LineNumbers, text_lines, write_tsv_if_changed

PathLike = str | Path

#: genetic_alteration_type values of the cBioPortal file formats (those not listed in
#: USED_TYPES are recognised and not read: expression, methylation, ...).
KNOWN_TYPES = {
    "CLINICAL",
    "MUTATION_EXTENDED",
    "MUTATION_UNCALLED",
    "COPY_NUMBER_ALTERATION",
    "STRUCTURAL_VARIANT",
    "FUSION",
    "GENE_PANEL_MATRIX",
    "MRNA_EXPRESSION",
    "PROTEIN_LEVEL",
    "METHYLATION",
    "GENERIC_ASSAY",
    "GENESET_SCORE",
    "MUTSIG",
    "GISTIC_GENES_AMP",
    "GISTIC_GENES_DEL",
    "CANCER_TYPE",
    "RESOURCE",
}
#: data kinds of the sheet -> (case list suffixes and categories, gene panel matrix columns)
PROFILES = {
    "mutation": (
        ("sequenced", "all_cases_with_mutation_data"),
        ("mutations",),
    ),
    "cna": (("cna", "all_cases_with_cna_data"), ("cna", "gistic")),
    "sv": (
        ("sv", "all_cases_with_sv_data", "fusion", "all_cases_with_fusion_data"),
        ("structural_variants", "sv", "fusion"),
    ),
}
PANEL_COLUMN = {"mutation": "panel", "cna": "cnv_panel", "sv": "sv_panel"}
#: cBioPortal standard attributes -> workflow clinical keys (clinical.columns overrides)
STANDARD_COLUMNS = {
    "os_time": "OS_MONTHS",
    "os_event": "OS_STATUS",
    "pfs_time": "PFS_MONTHS",
    "pfs_event": "PFS_STATUS",
    "best_response": "BEST_RESPONSE",
    "sd_duration_weeks": "SD_DURATION_WEEKS",
}
PLASMA_WORDS = ("cfdna", "ctdna", "plasma", "blood", "liquid")
SAMPLE_ID_COLUMNS = ("Sample_Id", "Sample_ID", "SAMPLE_ID", "Tumor_Sample_Barcode")


@dataclass
class Study:
    """A study folder read into the workflow's inputs."""

    folder: Path
    samples: pd.DataFrame
    clinical: pd.DataFrame
    maf: str | None = None
    cna: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def read_meta(path: Path) -> dict[str, tuple[str, int]]:
    """``key: value`` lines -> {key: (value, line)}."""
    meta = {}
    for n, line in enumerate(text_lines(path), 1):
        if line.strip() and ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip()] = (value.strip(), n)
    return meta


def read_data_table(path: Path) -> pd.DataFrame:
    """A tab-separated data file; ``#`` rows skipped; strings; ``attrs['lines']`` = file lines."""
    numbered = [
        (n, line) for n, line in enumerate(text_lines(path), 1) if line.strip() and line[0] != "#"
    ]
    if not numbered:
        raise InputError.one(str(path), "the file has no header row", hint="add the column row")
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(line for _, line in numbered)),
            sep="\t",
            dtype=str,
            keep_default_na=False,
            na_values=MISSING,
            quoting=csv.QUOTE_NONE,
        )
    except pd.errors.ParserError as error:
        raise InputError.one(
            str(path),
            f"cannot split the table into columns ({str(error).strip()})",
            hint="every row needs as many tab-separated cells as the header",
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["lines"] = LineNumbers(n for n, _ in numbered[1:])
    frame.attrs["header_line"] = numbered[0][0]
    return frame


def _line(frame: pd.DataFrame, row: int) -> int:
    return int(frame.attrs["lines"][row])


@dataclass
class _Profiles:
    """Data files the meta files name, by kind."""

    files: dict[str, Path] = field(default_factory=dict)
    meta: dict[str, Path] = field(default_factory=dict)
    stable_ids: dict[str, str] = field(default_factory=dict)
    panels: dict[str, str] = field(default_factory=dict)  # kind -> gene_panel: of its meta file


def _kind(alteration: str, datatype: str) -> str | None:
    if alteration == "CLINICAL":
        return {"PATIENT_ATTRIBUTES": "patient", "SAMPLE_ATTRIBUTES": "sample"}.get(datatype)
    if alteration == "MUTATION_EXTENDED":
        return "mutation"
    if alteration == "COPY_NUMBER_ALTERATION" and datatype == "DISCRETE":
        return "cna"
    if alteration in ("STRUCTURAL_VARIANT", "FUSION"):
        return "sv"
    if alteration == "GENE_PANEL_MATRIX":
        return "matrix"
    return None


def _read_metas(folder: Path, found: Findings) -> _Profiles:
    profiles = _Profiles()
    for meta_path in sorted(folder.glob("meta_*.txt")):
        meta = read_meta(meta_path)
        if "genetic_alteration_type" not in meta:
            continue  # meta_study.txt, meta_cancer_type.txt
        alteration, line = meta["genetic_alteration_type"]
        if alteration not in KNOWN_TYPES:
            found.error(
                str(meta_path),
                f"unknown genetic_alteration_type '{alteration}'",
                line,
                "genetic_alteration_type",
                "use a cBioPortal type (" + ", ".join(sorted(KNOWN_TYPES)) + "), or "
                "move the file out of the study folder",
            )
            continue
        kind = _kind(alteration, meta.get("datatype", ("", 0))[0])
        data_name, data_line = meta.get("data_filename", ("", 0))
        if data_name and not (folder / data_name).is_file():
            found.error(
                str(meta_path),
                f"data_filename '{data_name}' is not in the study folder {folder}",
                data_line,
                "data_filename",
                "add the data file, correct its name here, or remove this meta file",
            )
            continue
        if kind is None or not data_name:
            continue
        if kind in profiles.files:
            found.error(
                str(meta_path),
                f"a second {alteration} profile ({data_name}; the first is "
                f"{profiles.files[kind].name}, named by {profiles.meta[kind].name})",
                data_line,
                "data_filename",
                "keep one profile of each kind in the study folder",
            )
            continue
        profiles.files[kind] = folder / data_name
        profiles.meta[kind] = meta_path
        profiles.stable_ids[kind] = meta.get("stable_id", ("", 0))[0]
        if meta.get("gene_panel", ("", 0))[0]:
            profiles.panels[kind] = meta["gene_panel"][0]
    if "matrix" not in profiles.files:
        for name in ("data_gene_panel_matrix.txt", "data_gene_matrix.txt"):
            if (folder / name).is_file():
                profiles.files["matrix"] = folder / name
                break
    return profiles


def _panel_files(folder: Path) -> dict[str, Path]:
    """Gene panel files of the folder by their ``stable_id``."""
    panels = {}
    for path in sorted(folder.glob("*gene_panel*.txt")):
        if "matrix" in path.name:
            continue
        meta = read_meta(path)
        if "stable_id" in meta and "gene_list" in meta:
            panels[meta["stable_id"][0]] = path
    return panels


def _case_lists(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """Case lists by suffix of their stable id and by category."""
    lists: dict[str, tuple[Path, list[str]]] = {}
    for path in sorted((folder / "case_lists").glob("*.txt")):
        meta = read_meta(path)
        ids = [i.strip() for i in meta.get("case_list_ids", ("", 0))[0].split("\t") if i.strip()]
        stable = meta.get("stable_id", ("", 0))[0]
        for key in (stable.rsplit("_", 1)[-1], meta.get("case_list_category", ("", 0))[0]):
            if key:
                lists.setdefault(key, (path, ids))
        lists.setdefault(path.stem.removeprefix("cases_"), (path, ids))
    return lists


def _matrix_kind(column: str, study_id: str, stable_ids: dict[str, str]) -> str | None:
    name = column.removeprefix(f"{study_id}_")
    for kind, (_, matrix_names) in PROFILES.items():
        stable = stable_ids.get(kind, "").removeprefix(f"{study_id}_")
        if name in matrix_names or (stable and name == stable):
            return kind
    return None


def _sample_column(frame: pd.DataFrame, path: Path) -> str:
    for name in SAMPLE_ID_COLUMNS:
        if name in frame.columns:
            return name
    raise InputError.one(
        str(path),
        f"no sample id column ({', '.join(SAMPLE_ID_COLUMNS)}); found {', '.join(frame.columns)}",
        frame.attrs.get("header_line", 1),
        hint="name the sample column Sample_Id (data_sv.txt) or Tumor_Sample_Barcode",
    )


def _maf_samples(path: Path) -> tuple[list[str] | None, dict[str, int]]:
    """The ``#Sequenced_Samples:`` ids (None without that line), and each barcode's first
    line; only the two columns needed are parsed (fast on a large MAF)."""
    lines = text_lines(path)
    sequenced = None
    for i, line in enumerate(lines):
        if line.lower().startswith("#sequenced_samples:"):
            sequenced = line.split(":", 1)[1].split()
        elif line.strip() and not line.startswith("#"):
            header, body = line.split("\t"), i + 1
            break
    else:
        return sequenced, {}
    if "Tumor_Sample_Barcode" not in header:
        return sequenced, {}  # check_maf names the missing column
    column = header.index("Tumor_Sample_Barcode")
    first: dict[str, int] = {}
    for n, line in enumerate(lines[body:], body + 1):
        cells = line.split("\t")
        if len(cells) > column and cells[column].strip():
            first.setdefault(cells[column].strip(), n)
    return sequenced, first


def _check_cna(path: Path, frame: pd.DataFrame) -> tuple[list[str], list[Problem]]:
    """Sample columns of a discrete CNA matrix and every value outside -2..2."""
    ids = {"hugo_symbol", "entrez_gene_id", "cytoband", "gene symbol", "locus id"}
    samples = [c for c in frame.columns if c.lower() not in ids]
    values = frame[samples].to_numpy()
    # the calls as written ("-2".."2") first; only the rest is parsed as numbers ("2.0")
    written = pd.Series(values.ravel()).isin(["-2", "-1.5", "-1", "0", "1", "2"])  # hashed
    bad = pd.notna(values) & ~written.to_numpy().reshape(values.shape)
    unusual = np.flatnonzero(bad)
    numbers = pd.to_numeric(values.ravel()[unusual], errors="coerce")
    bad.ravel()[unusual] = ~np.isin(numbers, [-2, -1.5, -1, 0, 1, 2])
    problems = [
        Problem(
            str(path),
            f"value '{values[row, col]}' for gene "
            f"'{frame.iat[row, 0]}' is not a discrete copy-number call",
            _line(frame, row),
            samples[col],
            "use -2 (deep deletion), -1 (shallow deletion), 0, 1 (gain), 2 "
            "(amplification) or NA; continuous values belong in a separate profile",
        )
        for row, col in islice(zip(*np.nonzero(bad), strict=True), 20)
    ]
    return samples, problems


def _missing_column(
    frame: pd.DataFrame, path: Path, column: str, hint: str | None = None
) -> list[Problem]:
    if column in frame.columns:
        return []
    found = f"no {column} column; found {', '.join(frame.columns)}"
    return [Problem(str(path), found, frame.attrs["header_line"], column, hint)]


def _id_problems(frame: pd.DataFrame, path: Path, column: str, unique: bool) -> list[Problem]:
    """Empty ids, and (``unique``) ids repeated on a later line."""
    found = Findings()
    first: dict[str, int] = {}
    for row, value in enumerate(frame[column].tolist()):
        line = _line(frame, row)
        if not isinstance(value, str):
            found.error(str(path), f"{column} is empty", line, column, "fill in the id")
        elif unique and value in first:
            found.error(
                str(path),
                f"duplicated {column} '{value}' (first on line {first[value]})",
                line,
                column,
                "each id must appear once: remove or merge the repeated row",
            )
        else:
            first.setdefault(value, line)
    return found.problems


def _specimen(frame: pd.DataFrame) -> pd.Series:
    """tissue, or ctdna where SPECIMEN / SAMPLE_TYPE / SAMPLE_CLASS names plasma or cfDNA."""
    specimen = pd.Series("tissue", index=frame.index)
    for column in ("SAMPLE_CLASS", "SAMPLE_TYPE", "SPECIMEN"):
        if column in frame.columns:
            text = frame[column].fillna("").str.lower()
            plasma = text.str.contains("|".join(PLASMA_WORDS))
            specimen = specimen.where(~(plasma | text.eq("ctdna")), "ctdna")
    return specimen


def _timepoint(frame: pd.DataFrame) -> pd.Series:
    if "TIMEPOINT" not in frame.columns:
        return pd.Series("baseline", index=frame.index)
    text = frame["TIMEPOINT"].fillna("baseline").str.lower()
    return text.where(text.isin(["baseline", "progression"]), "other")


def _purity(frame: pd.DataFrame) -> pd.Series:
    """TUMOR_PURITY as a fraction (a value above 1 is a percentage, as many studies write it)."""
    if "TUMOR_PURITY" not in frame.columns:
        return pd.Series("", index=frame.index)
    values = pd.to_numeric(frame["TUMOR_PURITY"], errors="coerce")
    values = values.where(values <= 1, values / 100)
    return values.map(lambda v: "" if pd.isna(v) else f"{v:.15g}")


def _clinical(patients: pd.DataFrame | None, samples: pd.DataFrame) -> pd.DataFrame:
    """Patient attributes plus each sample attribute collapsed per patient (distinct
    values in sample-id order, joined by ';')."""
    attributes = [c for c in samples.columns if c not in ("SAMPLE_ID", "PATIENT_ID")]
    if patients is not None:
        attributes = [c for c in attributes if c not in patients.columns]
    # plain Python: a pandas groupby copies the frame's attrs (line numbers) into every group
    values: dict[str, dict[str, dict[str, None]]] = {}
    ordered = pd.DataFrame(samples).sort_values("SAMPLE_ID")
    for record in ordered[["PATIENT_ID", *attributes]].to_dict("records"):
        per_patient = values.setdefault(record["PATIENT_ID"], {a: {} for a in attributes})
        for attribute in attributes:
            if isinstance(record[attribute], str):
                per_patient[attribute][record[attribute]] = None
    collapsed = pd.DataFrame(
        [[";".join(v[a]) or None for a in attributes] for v in values.values()],
        index=pd.Index(list(values), name="PATIENT_ID"),
        columns=attributes,
    )
    if patients is None:
        return collapsed.reset_index()
    order = list(dict.fromkeys([*patients["PATIENT_ID"], *collapsed.index]))
    return (
        pd.DataFrame(patients)
        .set_index("PATIENT_ID")
        .join(collapsed, how="outer")
        .reindex(order)
        .reset_index(names="PATIENT_ID")
    )


def read_study(folder: PathLike) -> Study:
    """Read a study folder; raise InputError listing every problem that stops the run."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError.one(
            str(folder),
            "cbioportal_study is not a folder",
            "key cbioportal_study",
            hint="give the study folder (the one holding meta_study.txt)",
        )
    found = Findings()
    profiles = _read_metas(folder, found)
    study_meta = (
        read_meta(folder / "meta_study.txt") if (folder / "meta_study.txt").is_file() else {}
    )
    study_id = study_meta.get("cancer_study_identifier", (folder.name, 0))[0]
    if "sample" not in profiles.files:
        found.error(
            str(folder),
            "no sample clinical file (a meta file with genetic_alteration_type: CLINICAL "
            "and datatype: SAMPLE_ATTRIBUTES)",
            hint="add meta_clinical_sample.txt and data_clinical_sample.txt",
        )
    if found.problems:
        raise InputError(found.problems)
    sample_path = profiles.files["sample"]
    samples = read_data_table(sample_path)
    hint = "cBioPortal sample files need SAMPLE_ID and PATIENT_ID"
    for column in ("SAMPLE_ID", "PATIENT_ID"):
        found.problems += _missing_column(samples, sample_path, column, hint)
    patients, patient_path = None, profiles.files.get("patient")
    if patient_path:
        patients = read_data_table(patient_path)
        found.problems += _missing_column(patients, patient_path, "PATIENT_ID")
    if found.problems:
        raise InputError(found.problems)
    found.problems += _id_problems(samples, sample_path, "SAMPLE_ID", unique=True)
    found.problems += _id_problems(samples, sample_path, "PATIENT_ID", unique=False)
    if patients is not None:
        found.problems += _id_problems(patients, patient_path, "PATIENT_ID", unique=True)
    if found.problems:
        raise InputError(found.problems)
    known = set(samples["SAMPLE_ID"].dropna())

    def unknown_samples(path: Path, where: dict[str, int | str]) -> None:
        """Samples of a data file that the sample file lacks: a warning each."""
        for sample in sorted(set(where) - known):
            found.warn(
                str(path),
                f"sample '{sample}' is not in {sample_path.name}: its data are not "
                "analysed (no patient to attribute them to)",
                where[sample],
                hint=f"add the sample (with its PATIENT_ID) to {sample_path.name}",
            )

    # samples found in each data file, and where
    in_data: dict[str, dict[str, int | str]] = {}
    sequenced_line = None
    if "mutation" in profiles.files:
        sequenced_line, in_data["mutation"] = _maf_samples(profiles.files["mutation"])
    if "cna" in profiles.files:
        cna = read_data_table(profiles.files["cna"])
        cna_samples, cna_problems = _check_cna(profiles.files["cna"], cna)
        found.problems += cna_problems
        in_data["cna"] = {s: cna.attrs["header_line"] for s in cna_samples}
    if "sv" in profiles.files:
        sv = read_data_table(profiles.files["sv"])
        column = _sample_column(sv, profiles.files["sv"])
        in_data["sv"] = {}
        for row, sample in enumerate(sv[column].tolist()):
            if isinstance(sample, str):
                in_data["sv"].setdefault(sample, _line(sv, row))
    for kind, where in in_data.items():
        unknown_samples(profiles.files[kind], where)

    # gene panel matrix
    panel_files = _panel_files(folder)
    matrix_panels: dict[str, pd.Series] = {}
    if "matrix" in profiles.files:
        path = profiles.files["matrix"]
        matrix = read_data_table(path)
        if "SAMPLE_ID" not in matrix.columns:
            found.error(str(path), "no SAMPLE_ID column", matrix.attrs["header_line"], "SAMPLE_ID")
        else:
            rows = {s: _line(matrix, i) for i, s in enumerate(matrix["SAMPLE_ID"])}
            unknown_samples(path, rows)
            for column in matrix.columns[1:]:
                kind = _matrix_kind(column, study_id, profiles.stable_ids)
                if kind is None:
                    continue
                values = matrix[column]
                for panel in sorted(set(values.dropna()) - set(panel_files)):
                    row = int(np.flatnonzero(values.eq(panel).to_numpy())[0])
                    found.error(
                        str(path),
                        f"gene panel '{panel}' has no panel file in {folder} (panel files "
                        f"found: {', '.join(sorted(panel_files)) or 'none'})",
                        _line(matrix, row),
                        column,
                        f"add data_gene_panel_{panel}.txt (stable_id: {panel}, "
                        "description:, gene_list: tab-separated genes), or correct the id",
                    )
                matrix_panels[kind] = pd.Series(values.to_numpy(), index=matrix["SAMPLE_ID"])
    for kind, panel in profiles.panels.items():
        if panel not in panel_files:
            found.error(
                str(profiles.meta[kind]),
                f"gene_panel '{panel}' has no panel file in {folder}",
                "gene_panel",
                hint=f"add data_gene_panel_{panel}.txt, or correct the id",
            )
    if found.problems:
        raise InputError(found.problems)

    # which samples were profiled, per kind, and on which panel
    case_lists = _case_lists(folder)
    sheet = pd.DataFrame(
        {
            "patient_id": samples["PATIENT_ID"],
            "sample_id": samples["SAMPLE_ID"],
            "specimen": _specimen(samples),
            "timepoint": _timepoint(samples),
        }
    )
    for column in ("variant_file", "variant_format", "annotation", "cnv_file", "cnv_format"):
        sheet[column] = ""
    sheet["qc_status"] = (
        samples["QC_STATUS"].fillna("pass").str.lower() if "QC_STATUS" in samples else "pass"
    )
    sheet["purity"] = _purity(samples)
    for column in ("panel", "cnv_panel", "sv_panel", "sv_file", "sv_format"):
        sheet[column] = ""
    profiled_any = pd.Series(False, index=sheet.index)
    for kind, (case_keys, _) in PROFILES.items():
        if kind not in profiles.files:
            continue
        case_list = next((case_lists[k] for k in case_keys if k in case_lists), None)
        if case_list is not None:
            unknown_samples(case_list[0], dict.fromkeys(case_list[1], "case_list_ids"))
            profiled = set(case_list[1])
        elif kind in matrix_panels:
            profiled = set(matrix_panels[kind].dropna().index)
        elif kind == "mutation" and sequenced_line is not None:
            profiled = set(sequenced_line)
        else:
            profiled = set(in_data[kind])
        if kind == "cna":
            profiled &= set(in_data["cna"])  # a sample without a matrix column has no calls
        mask = sheet["sample_id"].isin(profiled)
        profiled_any |= mask
        path = str(profiles.files[kind])
        if kind == "mutation":
            sheet.loc[mask, ["variant_file", "variant_format", "annotation"]] = [path, "maf", "maf"]
        elif kind == "cna":
            sheet.loc[mask, ["cnv_file", "cnv_format"]] = [path, "gene_table"]
        else:
            sheet.loc[mask, ["sv_file", "sv_format"]] = [path, "cbioportal_sv"]
        panel_ids = pd.Series(profiles.panels.get(kind), index=sheet.index, dtype=object)
        if kind in matrix_panels:
            by_sample = matrix_panels[kind]
            by_sample = by_sample[~by_sample.index.duplicated()]
            panel_ids = sheet["sample_id"].map(by_sample).where(lambda p: p.notna(), panel_ids)
        panel_paths = panel_ids.map(lambda p: str(panel_files[p]) if p in panel_files else "")
        sheet.loc[mask, PANEL_COLUMN[kind]] = panel_paths[mask]
    # cnv_panel / sv_panel empty = same as panel (the contract): write them only where they differ
    for column in ("cnv_panel", "sv_panel"):
        sheet.loc[sheet[column].eq(sheet["panel"]), column] = ""
    unprofiled = sheet.loc[~profiled_any, "sample_id"].tolist()
    if unprofiled:
        found.warn(
            str(sample_path),
            f"{len(unprofiled)} sample(s) were not profiled for mutations, copy number or "
            "structural variants (no case list, panel or data row names them); their "
            f"patients count as not sequenced: {', '.join(unprofiled[:20])}"
            + (" ..." if len(unprofiled) > 20 else ""),
            hint="add the samples to case_lists/cases_sequenced.txt if they were sequenced",
        )
    sheet = sheet[profiled_any].reset_index(drop=True)
    clinical = _clinical(patients, samples)
    columns = {"patient_id": "PATIENT_ID"}
    columns.update({k: v for k, v in STANDARD_COLUMNS.items() if v in clinical.columns})
    return Study(
        folder,
        sheet,
        clinical,
        maf=str(profiles.files["mutation"]) if "mutation" in profiles.files else None,
        cna=str(profiles.files["cna"]) if "cna" in profiles.files else None,
        columns=columns,
        warnings=found.warnings,
    )


def attribute_labels(folder: PathLike) -> dict[str, str]:
    """The display names of the study's clinical attributes (the first ``#`` row above each
    clinical file's header, e.g. ``HER2_STATUS`` -> ``HER2 Status``): labels the data carry."""
    profiles = _read_metas(Path(folder), Findings())
    labels: dict[str, str] = {}
    for kind in ("patient", "sample"):
        path = profiles.files.get(kind)
        if path is None or not path.is_file():
            continue
        lines = [line for line in text_lines(path) if line.strip()]
        names = lines[0] if lines and lines[0].startswith("#") else ""
        header = next((line for line in lines if not line.startswith("#")), "")
        for column, name in zip(header.split("\t"), names.lstrip("#").split("\t"), strict=False):
            if column.strip() and name.strip() and column.strip() != name.strip():
                labels.setdefault(column.strip(), name.strip())
    return labels


def study_config(config: dict[str, Any], out: PathLike = "results/study") -> dict[str, Any]:
    """The config with ``samples``, ``maf``, ``cnv`` and ``clinical`` taken from
    ``cbioportal_study`` (unchanged without it). Writes the sheet, the merged clinical table
    and the study's warnings to ``out`` (only what changed)."""
    if not config.get("cbioportal_study"):
        return config
    study = read_study(config["cbioportal_study"])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_tsv_if_changed(study.samples, out / "samples.tsv")
    write_tsv_if_changed(study.clinical, out / "clinical.tsv")
    write_tsv_if_changed(warning_table(study.warnings), out / "warnings.tsv")
    clinical = dict(config.get("clinical") or {})
    clinical["table"] = str(out / "clinical.tsv")
    clinical["source"] = "times"
    clinical["time_unit"] = "months"
    # the user's clinical.columns override; patient_id: patient_id is the schema's default
    given = {
        k: v
        for k, v in (clinical.get("columns") or {}).items()
        if (k, v) != ("patient_id", "patient_id")
    }
    clinical["columns"] = {**study.columns, **given}
    return {
        **config,
        "samples": str(out / "samples.tsv"),
        "maf": study.maf,
        "cnv": study.cna,
        "clinical": clinical,
    }


WARNING_COLUMNS = ["severity", "file", "where", "column", "message", "hint"]


def warning_table(warnings: list[Problem]) -> pd.DataFrame:
    """Warnings as rows of ``results/qc/input_report.tsv``."""
    return pd.DataFrame(
        [{"severity": "warning", **asdict(p)} for p in warnings], columns=WARNING_COLUMNS
    )
