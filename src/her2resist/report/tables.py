"""Manuscript tables: full-precision data plus the layout that shows them
(:class:`~her2resist.report.layout.TableSpec`); the writers turn any spec into TSV, XLSX and
DOCX. A module adding a table returns a spec (``layout.frame_spec`` for a plain data frame)
and lists it in :func:`build_tables`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from her2resist.annotate.evidence import strongest_by_gene
from her2resist.errors import InputError
from her2resist.matrix import biomarker_status
from her2resist.report import trial_tables
from her2resist.report.formatting import CELL_KINDS
from her2resist.report.labels import Labels, biomarker_label, read_column_labels
from her2resist.report.layout import HEADING, Column, TableSpec, frame_spec
from her2resist.study_data import study_data
from her2resist.tables import read_table

PathLike = str | Path

P_FOOTNOTE = "P-values are two-sided; shown to 2 significant digits, <0.001 below 0.001."
DICHOTOMOUS_YES = {"yes", "y", "true"}
DICHOTOMOUS_NO = {"no", "n", "false"}
MISSING_LABEL = "Missing"


def header(name: str, n: int) -> str:
    """A population's column header: its name over ``N = 30`` (gtsummary's layout)."""
    return f"{name}\nN = {n}"


def variable_type(values: pd.Series, configured: str | None = None) -> str:
    """continuous, dichotomous or categorical (as gtsummary guesses: numbers with more than
    3 distinct values are continuous; yes/no flags one row); ``configured`` overrides."""
    known = values.dropna().astype(str).str.strip()
    known = known[known != ""]
    lowered = set(known.str.lower())
    if configured:
        return configured
    numeric = pd.to_numeric(known, errors="coerce")
    if len(known) and numeric.notna().all() and numeric.nunique() > 3:
        return "continuous"
    if lowered and lowered <= DICHOTOMOUS_YES | DICHOTOMOUS_NO and lowered & DICHOTOMOUS_YES:
        return "dichotomous"
    return "categorical"


def _level_order(level: str) -> tuple[float, str]:
    number = pd.to_numeric(level, errors="coerce")
    return (float(number) if pd.notna(number) else np.inf, level)


def baseline_characteristics(
    clinical: pd.DataFrame,
    columns: Sequence[str],
    populations: Mapping[str, tuple[str, pd.Series]],
    labels: Labels | None = None,
    continuous: str = "iqr",
    types: Mapping[str, str] | None = None,
) -> TableSpec:
    """Table 1 as gtsummary's ``tbl_summary`` lays it out: one column per population
    (``populations``: prefix -> (header name, boolean mask over ``clinical``) in order),
    continuous as median (IQR) or (range), categorical as n (%) of patients with a known
    value, levels indented under the variable, missing values as their own row."""
    labels = labels or Labels()
    types = types or {}
    statistic = "median_iqr" if continuous == "iqr" else "median_range"
    rows: list[dict[str, Any]] = []
    dichotomous = False
    for column in columns:
        if column not in clinical.columns:
            continue
        values = clinical[column].astype("string").str.strip().replace("", pd.NA)
        kind = variable_type(values, types.get(column))
        groups = {prefix: values[mask.to_numpy(bool)] for prefix, (_, mask) in populations.items()}
        if kind == "continuous":
            row = _row(column, "", labels(column), 0, statistic)
            for prefix, group in groups.items():
                number = pd.to_numeric(group, errors="coerce").dropna()
                row |= {
                    f"{prefix}n": len(number),
                    f"{prefix}median": number.median(),
                    f"{prefix}q1": number.quantile(0.25),
                    f"{prefix}q3": number.quantile(0.75),
                    f"{prefix}min": number.min(),
                    f"{prefix}max": number.max(),
                }
            rows.append(row)
        else:
            known = values.dropna()
            if kind == "dichotomous":
                dichotomous = True
                levels = sorted(v for v in known.unique() if v.lower() in DICHOTOMOUS_YES)
                rows.append(_count_row(column, levels[0], labels(column), 0, groups))
            else:
                rows.append(_row(column, "", labels(column), 0, ""))
                for level in sorted(known.unique(), key=_level_order):
                    rows.append(_count_row(column, level, labels.level(level), 1, groups))
        if values.isna().any():
            row = _row(column, MISSING_LABEL.lower(), MISSING_LABEL, 1, "n")
            row |= {f"{prefix}n": int(group.isna().sum()) for prefix, group in groups.items()}
            rows.append(row)
    data = _by_population(pd.DataFrame(rows), list(populations))
    shown = "median (IQR)" if continuous == "iqr" else "median (range)"
    return TableSpec(
        "table1_baseline_characteristics",
        "Table 1. Baseline characteristics",
        data,
        [
            Column(header(name, int(mask.sum())), prefix=prefix)
            for prefix, (name, mask) in populations.items()
        ],
        stub_header="Characteristic",
        footnotes=[
            f"Continuous variables: {shown}; categorical: n (%) of patients with a known value"
            + ("; yes/no variables: n (%) with yes." if dichotomous else "."),
        ],
    )


STATISTIC_ORDER = [
    "format",
    "n",
    "percent",
    "estimate",
    "lcl",
    "ucl",
    "median",
    "q1",
    "q3",
    "min",
    "max",
]


def _by_population(data: pd.DataFrame, prefixes: Sequence[str]) -> pd.DataFrame:
    """Columns of the TSV: the row's own columns, then each population's statistics together
    (``all_n, all_percent, ..., sub_n, ...``)."""
    grouped = [f"{p}{s}" for p in prefixes for s in STATISTIC_ORDER if f"{p}{s}" in data.columns]
    return data[[c for c in data.columns if c not in grouped] + grouped]


def _row(column: str, level: str, label: str, indent: int, format_: str) -> dict[str, Any]:
    """A Table 1 row's own columns (the populations' statistics follow)."""
    return {"variable": column, "level": level, "label": label, "indent": indent, "format": format_}


def _count_row(
    column: str, level: str, label: str, indent: int, groups: Mapping[str, pd.Series]
) -> dict[str, Any]:
    row = _row(column, level, label, indent, "n_percent")
    for prefix, group in groups.items():
        known = group.dropna()
        count = int((known == level).sum())
        row |= {
            f"{prefix}n": count,
            f"{prefix}percent": 100 * count / len(known) if len(known) else np.nan,
        }
    return row


def disposition(
    clinical: pd.DataFrame,
    samples: pd.DataFrame,
    endpoints: pd.DataFrame,
    status: pd.DataFrame,
    excluded: pd.DataFrame | None = None,
    evaluability: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every patient and every sample exactly once: analysed, or excluded with the reason
    (``excluded``: those outside the analysis population, ``population.excluded_listing``;
    ``evaluability``: the matrix stage's ``sample_evaluability.tsv``, whose ``reason`` says why
    a sample that passed QC can show nothing, e.g. plasma without tumour DNA)."""
    shows_nothing = (
        evaluability.set_index("sample_id")["reason"].fillna("").astype(str).to_dict()
        if evaluability is not None
        else {}
    )
    rows = []
    sequenced = set(samples["patient_id"])
    # looked up once, not per patient with .loc (seconds for a cohort)
    by_patient = endpoints.set_index("patient_id").to_dict("index")
    unevaluable = status.eq("not_evaluable").all(axis=1).to_dict()
    for patient in sorted(clinical["patient_id"].astype(str)):
        record = by_patient[patient]
        reasons = []
        if patient not in sequenced:
            reasons.append("not sequenced")
        elif unevaluable.get(patient, False):
            reasons.append("no evaluable baseline sample")
        for endpoint in ("pfs", "os", "response"):
            reason = record[f"{endpoint}_excluded"]
            if isinstance(reason, str) and reason:
                reasons.append(f"{endpoint}: {reason}")
        rows.append(
            {
                "level": "patient",
                "id": patient,
                "patient_id": patient,
                "specimen": "",
                "timepoint": "",
                "pfs_evaluable": not record["pfs_excluded"],
                "os_evaluable": not record["os_excluded"],
                "response_evaluable": bool(record["response_evaluable"]),
                "biomarker_evaluable": patient in unevaluable and not unevaluable[patient],
                "status": "analysed",
                "reason": "; ".join(reasons),
            }
        )
    for sample in samples.sort_values("sample_id").to_dict("records"):
        failed = str(sample.get("qc_status") or "pass") != "pass"
        reason = (
            f"QC status {sample['qc_status']}"
            if failed
            else shows_nothing.get(str(sample["sample_id"]), "")
        )
        rows.append(
            {
                "level": "sample",
                "id": sample["sample_id"],
                "patient_id": sample["patient_id"],
                "specimen": sample["specimen"],
                "timepoint": sample["timepoint"],
                "status": "excluded" if reason else "analysed",
                "reason": reason,
            }
        )
    if excluded is not None and len(excluded):
        rows += excluded.assign(status="excluded").fillna("").to_dict("records")
    evaluable = ["pfs_evaluable", "os_evaluable", "response_evaluable", "biomarker_evaluable"]
    return pd.DataFrame(rows).fillna(dict.fromkeys(evaluable, ""))


def disposition_summary(listing: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    patients = listing[listing["level"] == "patient"]
    outside = patients["reason"].astype(str).str.startswith("not in population")
    rows = [
        ("Enrolled and treated", len(patients)),
        *([("Not in the analysis population", int(outside.sum()))] if outside.any() else []),
        ("Sequenced (any sample)", int(patients["id"].isin(set(samples["patient_id"])).sum())),
    ]
    for label, column in (
        ("Evaluable for biomarkers at baseline", "biomarker_evaluable"),
        ("Evaluable for PFS", "pfs_evaluable"),
        ("Evaluable for OS", "os_evaluable"),
        ("Evaluable for response (RECIST 1.1)", "response_evaluable"),
    ):
        rows.append((label, int(patients[column].astype(bool).sum())))
    sample_rows = listing[listing["level"] == "sample"]
    for (specimen, timepoint), group in sample_rows.groupby(["specimen", "timepoint"]):
        rows.append((f"Samples: {specimen}, {timepoint}", len(group)))
        excluded = group[group["status"] == "excluded"]
        for reason, count in excluded["reason"].value_counts().sort_index().items():
            rows.append((f"  excluded ({specimen}, {timepoint}): {reason}", int(count)))
    return pd.DataFrame(rows, columns=["category", "n"])


def disposition_table(summary: pd.DataFrame) -> TableSpec:
    """Table 2 from :func:`disposition_summary` (leading spaces of a category = indent)."""
    category = summary["category"].astype(str)
    data = summary.assign(
        label=category.str.strip(),
        indent=(category.str.len() - category.str.lstrip().str.len()) // 2,
    )
    return TableSpec(
        "table2_disposition",
        "Table 2. Patient and sample disposition",
        data,
        [Column("n", "n", fields={"n": "n"})],
        stub_header="Patients and samples",
        footnotes=[
            "Population: all enrolled and treated patients and every sample in the sample sheet.",
            "A failed or missing sample is never counted as wild type.",
        ],
    )


RESPONSE_LEVELS = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"]
NOT_SHOWN = "none"  # a per-column format: the statistic does not apply to that column


def efficacy_table(
    endpoints: pd.DataFrame,
    efficacy: pd.DataFrame,
    cbr_min_sd_weeks: float = 24,
    labels: Labels | None = None,
    response: bool = True,
) -> TableSpec:
    """Table 3 as a response and time-to-event table (tern's RSPT01 and TTET01): best overall
    response n (%), ORR/CBR/DCR n (%) with the Clopper-Pearson exact 95 % CI, KM medians and
    landmark rates with 95 % CIs; intention to treat and response-evaluable as columns. A study
    without ``response`` data gets neither response rows nor the response-evaluable column."""
    labels = labels or Labels()
    itt = pd.Series(True, index=endpoints.index)
    evaluable = endpoints["response_evaluable"].astype(str).eq("True")
    populations = {"itt_": itt, "evaluable_": evaluable}
    heading = {"row": "best_response", "label": "Best overall response, n (%)", "indent": 0}
    rows: list[dict[str, Any]] = [heading | {"format": ""}] if response else []
    bor = endpoints["best_response"].astype(str)
    levels = [v for v in RESPONSE_LEVELS if v != "NON-CR/NON-PD" or (bor == v).any()]
    levels += sorted(set(bor) - set(levels) - {"nan", ""})
    for level in levels if response else []:
        row = {
            "row": f"best_response:{level}",
            "label": labels.level(level),
            "indent": 1,
            "format": "n_percent",
        }
        for prefix, mask in populations.items():
            count = int((bor[mask] == level).sum())
            row |= {f"{prefix}n": count, f"{prefix}percent": 100 * count / max(int(mask.sum()), 1)}
        rows.append(row)
    by_key = efficacy.set_index(["endpoint", "statistic"])
    rate_labels = {
        "orr": "Objective response rate (CR or PR)",
        "cbr": f"Clinical benefit rate (CR, PR or SD ≥ {cbr_min_sd_weeks:g} weeks)",
        "dcr": "Disease control rate (CR, PR or SD)",
    }
    for endpoint, label in rate_labels.items():
        if (endpoint, "rate") not in by_key.index:
            continue
        row = {
            "row": endpoint,
            "label": f"{label}, n (%) [95% CI]",
            "indent": 0,
            "format": "n_percent_ci",
        }
        for prefix, key in (("itt_", endpoint), ("evaluable_", f"{endpoint}_evaluable")):
            if (key, "rate") in by_key.index:
                rate = by_key.loc[(key, "rate")]
                row |= {
                    f"{prefix}n": rate["events_or_responders"],
                    f"{prefix}percent": 100 * rate["value"],
                    f"{prefix}lcl": 100 * rate["lcl"],
                    f"{prefix}ucl": 100 * rate["ucl"],
                }
        rows.append(row)
    footnotes = [
        f"ITT, all treated patients (N = {len(endpoints)}), NE counted as non-responder; "
        f"response-evaluable, patients with a best overall response other than NE "
        f"(N = {int(evaluable.sum())})."
        if response
        else f"ITT, all treated patients (N = {len(endpoints)}).",
        ("Response rates with Clopper-Pearson exact 95% CI. " if response else "")
        + "Time to event: Kaplan-Meier median with 95% CI (log transform, Brookmeyer-Crowley) "
        "and landmark rates with Greenwood log CI, in the ITT population.",
    ]
    for endpoint in ("pfs", "os"):
        if (endpoint, "median") not in by_key.index:
            continue
        median = by_key.loc[(endpoint, "median")]
        n, events = median["n"], median["events_or_responders"]

        def itt_row(
            row: str, label: str, indent: int, format_: str, note: Any = None, **values: Any
        ) -> None:
            """A time-to-event row: ITT only (the statistic does not apply to the other)."""
            own = {"row": row, "label": label, "indent": indent, "format": format_}
            rows.append(
                own
                | {"evaluable_format": NOT_SHOWN}
                | {f"itt_{k}": v for k, v in values.items()}
                | ({} if note is None else {"note": note})
            )

        itt_row(endpoint, labels(endpoint), 0, "")
        percent = 100 * events / n if n else np.nan
        itt_row(
            f"{endpoint}:events",
            "Patients with event, n (%)",
            1,
            "n_percent",
            n=events,
            percent=percent,
        )
        itt_row(
            f"{endpoint}:median",
            "Median (95% CI), months",
            1,
            "median_ci",
            median["note"],
            n=n,
            estimate=median["value"],
            lcl=median["lcl"],
            ucl=median["ucl"],
        )
        statistics = efficacy[(efficacy["endpoint"] == endpoint)]
        for rate in statistics[statistics["statistic"].str.startswith("rate_")].to_dict("records"):
            months = rate["statistic"].removeprefix("rate_").removesuffix("m")
            itt_row(
                f"{endpoint}:{rate['statistic']}",
                f"{months}-month rate, % (95% CI)",
                1,
                "percent_ci",
                rate["note"],
                percent=100 * rate["value"],
                lcl=100 * rate["lcl"],
                ucl=100 * rate["ucl"],
            )
        if n != len(endpoints):
            footnotes.append(
                f"{labels(endpoint)}: {int(n)} of {len(endpoints)} patients analysed; the "
                "others are excluded with the reason in Table S2."
            )
    data = _by_population(pd.DataFrame(rows), ["itt_", "evaluable_"])
    if "note" in data.columns:
        # "not reached" is what NR in the cell says; other notes become footnotes
        notes = data["note"].fillna("").astype(str)
        data["note"] = notes.where(~notes.str.contains("not reached"), "").str.capitalize()
    columns = [Column(header("ITT", len(endpoints)), prefix="itt_")]
    if response:
        evaluable_header = header("Response-evaluable", int(evaluable.sum()))
        columns.append(Column(evaluable_header, prefix="evaluable_"))
    return TableSpec(
        "table3_efficacy",
        "Table 3. Efficacy",
        data,
        columns,
        stub_header="Endpoint",
        row_notes=("note",) if "note" in data.columns else (),
        footnotes=footnotes,
    )


BIOMARKER_FIELDS = [
    "n_altered",
    "n_wild_type",
    "events_altered",
    "events_wild_type",
    "median_altered",
    "median_wild_type",
    "hr",
    "hr_lcl",
    "hr_ucl",
    "logrank_p",
    "q_value",
    "note",
]
SURVIVAL_FOOTNOTE = (
    "Log-rank test; hazard ratio (altered vs wild type) from a Cox model with Efron ties and "
    "Wald 95% CI, Firth-penalized when a group has no events; q, Benjamini-Hochberg across "
    "biomarkers. Patients evaluable for the biomarker at baseline."
)


def biomarker_table(
    pfs: pd.DataFrame, os_: pd.DataFrame, alterations: pd.DataFrame | None = None
) -> TableSpec:
    """Table 4: one row per biomarker, PFS and OS side by side (n, events and medians
    altered/wild type, HR (95% CI), log-rank p, q); a not-tested row says why in a footnote.
    With the alterations, a gene's strongest CIViC anti-HER2 evidence as the last column."""
    frames = []
    for prefix, table in (("pfs_", pfs), ("os_", os_)):
        kept = table.set_index("biomarker")[[c for c in BIOMARKER_FIELDS if c in table.columns]]
        frames.append(kept.add_prefix(prefix))
    data = pd.concat(frames, axis=1).reset_index()
    if alterations is not None:
        data = with_strongest_evidence(data, alterations)
    data.insert(1, "label", data["biomarker"].map(biomarker_label))
    for prefix in ("pfs_", "os_"):
        if f"{prefix}note" in data.columns:
            data[f"{prefix}note"] = data[f"{prefix}note"].map(_readable_note)
    columns = []
    for prefix, group in (("pfs_", "Progression-free survival"), ("os_", "Overall survival")):
        n = {"n_a": f"{prefix}n_altered", "n_b": f"{prefix}n_wild_type"}
        columns += [
            _pair("n\naltered/WT", f"{prefix}n", group),
            _pair("Events\naltered/WT", f"{prefix}events", group),
            _pair("Median, months\naltered/WT", f"{prefix}median", group, "median_pair", **n),
            _ci("HR (95% CI)", f"{prefix}hr", group=group),
            _p("p", f"{prefix}logrank_p", group),
            _p("q", f"{prefix}q_value", group),
        ]
    if "anti_her2_evidence" in data and data["anti_her2_evidence"].ne("").any():
        columns.append(
            Column(
                "Strongest CIViC\nanti-HER2 evidence",
                "text",
                fields={"value": "anti_her2_evidence"},
            )
        )
    return TableSpec(
        "table4_biomarker_associations",
        "Table 4. Baseline biomarkers and outcome",
        data,
        columns,
        stub_header="Biomarker",
        indent=None,
        row_notes=("pfs_note", "os_note"),
        footnotes=[
            SURVIVAL_FOOTNOTE,
            "Adjusted hazard ratios, the proportional-hazards test and response associations: "
            "Tables S3 and S4.",
            P_FOOTNOTE,
        ],
    )


NOT_TESTED = re.compile(r"not tested: (?P<groups>.*) < min_altered=(?P<minimum>\d+)")


def _readable_note(note: Any) -> str:
    """``not tested: n_altered=2 < min_altered=3`` -> ``Not tested: 2 altered patients, fewer
    than the minimum of 3 (biomarkers.min_altered).``; other parts capitalized; "median not
    reached" parts dropped (NR in the cell says it)."""
    if not isinstance(note, str) or not note.strip():
        return ""
    parts = []
    for part in (p.strip() for p in note.split(";")):
        match = NOT_TESTED.fullmatch(part)
        if match:
            groups = re.sub(
                r"n_(altered|wild_type)=(\d+)",
                lambda m: f"{m.group(2)} {m.group(1).replace('_', '-')}",
                match.group("groups"),
            )
            part = (
                f"Not tested: {groups} patients, fewer than the minimum of "
                f"{match.group('minimum')} (biomarkers.min_altered)."
            )
        if part and "not reached" not in part:
            parts.append(part[0].upper() + part[1:])
    return "; ".join(parts)


def _by_endpoint(tables: Mapping[str, pd.DataFrame], titles: Mapping[str, str]) -> pd.DataFrame:
    """One heading row per endpoint, then its biomarkers indented (labels, notes readable)."""
    rows: list[dict[str, Any]] = []
    first = ["endpoint", "biomarker", "label", "indent", "format"]
    for endpoint, table in tables.items():
        if table.empty:  # an endpoint the study did not measure: no heading either
            continue
        rows.append(
            {"endpoint": endpoint, "label": titles[endpoint], "indent": 0, "format": HEADING}
        )
        for record in table.to_dict("records"):
            record |= {
                "endpoint": endpoint,
                "label": biomarker_label(record["biomarker"]),
                "indent": 1,
                "format": "",
                "note": _readable_note(record.get("note")),
            }
            rows.append(record)
    if not rows:
        columns = [c for table in tables.values() for c in table.columns if c not in first]
        return pd.DataFrame(columns=list(dict.fromkeys(first + columns)))
    data = pd.DataFrame(rows)
    return data[first + [c for c in data.columns if c not in first]]


def _pair(header: str, stem: str, group: str = "", kind: str = "pair", **more: str) -> Column:
    """``{stem}_altered`` and ``{stem}_wild_type`` as one ``kind`` cell (``more``: the columns
    of its other roles)."""
    fields = {"a": f"{stem}_altered", "b": f"{stem}_wild_type", **more}
    return Column(header, kind, fields=fields, group=group)


def _p(header: str, column: str, group: str = "") -> Column:
    return Column(header, "p", fields={"value": column}, group=group)


def _ci(
    header: str,
    estimate: str,
    bounds: str | None = None,
    group: str = "",
    kind: str = "estimate_ci",
    **more: str,
) -> Column:
    """``estimate`` with its ``{bounds}_lcl`` and ``{bounds}_ucl`` (bounds: the estimate's
    own name unless given), as one ``kind`` cell (its first role reads the estimate; ``more``:
    the columns of its other roles)."""
    bounds = estimate if bounds is None else bounds
    role = CELL_KINDS[kind][0][0]
    fields = {role: estimate, "lcl": f"{bounds}_lcl", "ucl": f"{bounds}_ucl", **more}
    return Column(header, kind, fields=fields, group=group)


def survival_association_table(pfs: pd.DataFrame, os_: pd.DataFrame) -> TableSpec:
    """Table S3: every survival statistic per biomarker, PFS then OS."""
    data = _by_endpoint(
        {"pfs": pfs, "os": os_}, {"pfs": "Progression-free survival", "os": "Overall survival"}
    )
    columns = [
        _pair("n\naltered/WT", "n"),
        _pair("Events\naltered/WT", "events"),
        _ci("Median, altered\n(95% CI), months", "median_altered", kind="median_ci", n="n_altered"),
        _ci("Median, WT\n(95% CI), months", "median_wild_type", kind="median_ci", n="n_wild_type"),
        _p("Log-rank p", "logrank_p"),
        _ci("HR (95% CI)", "hr"),
        _ci("Adjusted HR\n(95% CI)", "hr_adjusted"),
        _p("Adjusted p", "adjusted_p"),
        _p("PH test p", "ph_p"),
        _p("q", "q_value"),
    ]
    return TableSpec(
        "tableS3_biomarker_associations",
        "Table S3. Baseline biomarkers and survival, all statistics",
        data,
        [c for c in columns if set(c.fields.values()) <= set(data.columns)],
        stub_header="Biomarker",
        row_notes=("note",),
        footnotes=[
            SURVIVAL_FOOTNOTE,
            "Adjusted HR: Cox model with the configured covariates. PH test: Grambsch-Therneau "
            "test of the scaled Schoenfeld residuals (cox.zph).",
            P_FOOTNOTE,
        ],
    )


def response_association_table(response: pd.DataFrame) -> TableSpec:
    """Table S4: response rates per biomarker group, Fisher exact p, odds ratio, q."""
    # a study without response data has no rows: its table keeps the columns
    endpoints = list(dict.fromkeys(response["endpoint"])) or ["orr"]
    titles = {"orr": "Objective response (CR or PR)", "cbr": "Clinical benefit"}
    data = _by_endpoint(
        {e: response[response["endpoint"] == e].drop(columns="endpoint") for e in endpoints},
        {e: titles.get(e, e.upper()) for e in endpoints},
    )
    for group in ("altered", "wild_type"):  # rates as percentages, as the table shows them
        for suffix in ("", "_lcl", "_ucl"):
            data[f"rate_{group}{suffix}"] = 100 * data[f"rate_{group}{suffix}"]
    columns = [
        _pair("n\naltered/WT", "n"),
        _pair("Responders\naltered/WT", "responders"),
        _ci("Rate, altered\n% (95% CI)", "rate_altered", kind="percent_ci"),
        _ci("Rate, WT\n% (95% CI)", "rate_wild_type", kind="percent_ci"),
        _ci("OR (95% CI)", "odds_ratio", "or"),
        _p("Fisher p", "fisher_p"),
        _p("q", "q_value"),
    ]
    return TableSpec(
        "tableS4_response_associations",
        "Table S4. Baseline biomarkers and response",
        data,
        columns,
        stub_header="Biomarker",
        row_notes=("note",),
        footnotes=[
            "Response-evaluable patients evaluable for the biomarker at baseline; NE counted as "
            "non-responder. Rates with Clopper-Pearson exact 95% CI; Fisher exact test with "
            "conditional maximum-likelihood odds ratio (altered vs wild type) and exact 95% CI; "
            "q, Benjamini-Hochberg across biomarkers.",
            P_FOOTNOTE,
        ],
    )


def with_follow_up(spec: TableSpec, follow_up: pd.DataFrame) -> TableSpec:
    """Table 3 with the median follow-up rows (reverse Kaplan–Meier, clinical/subgroups.py)."""
    rows = pd.DataFrame(trial_tables.follow_up_rows(follow_up))
    return spec.with_data(pd.concat([spec.data, rows], ignore_index=True))


def with_strongest_evidence(table: pd.DataFrame, alterations: pd.DataFrame) -> pd.DataFrame:
    """Adds ``anti_her2_evidence``: a gene biomarker's strongest CIViC anti-HER2 evidence
    among its counted alterations, with the PubMed id (empty for pathways and domains)."""
    strongest = strongest_by_gene(alterations)
    return table.assign(anti_her2_evidence=table["biomarker"].map(strongest).fillna(""))


def alteration_listing(alterations: pd.DataFrame) -> pd.DataFrame:
    """Supplementary per-patient listing of alterations that passed every filter."""
    kept = alterations[alterations["filter_status"] == "PASS"]
    columns = [
        "patient_id",
        "sample_id",
        "specimen",
        "timepoint",
        "gene",
        "alteration_type",
        "alteration",
        "vaf",
        "log2",
        "oncogenicity",
        "oncogenicity_rule",
        "pathway",
        "domain",
        "resistance_evidence",
        "evidence_strongest",  # strongest CIViC anti-HER2 evidence, with its PubMed id
        "counts_as_altered",
    ]
    return (
        kept[columns]
        .sort_values(["patient_id", "sample_id", "gene", "alteration"])
        .reset_index(drop=True)
    )


LISTING_TITLES = {
    "tableS1_alterations_by_patient": "Table S1. Alterations passing all filters, by patient",
    "disposition_by_patient_and_sample": "Table S2. Disposition of every patient and sample",
}
LISTING_FOOTNOTES = {
    "tableS1_alterations_by_patient": [
        "Calls of pathway genes that passed every filter; oncogenicity rule as applied.",
        "log2, copy ratio of the gene segment.",
    ],
    "disposition_by_patient_and_sample": [
        "Every patient and sample appears exactly once, analysed or excluded with the reason.",
    ],
}

# Patient-level listings: left out of the manuscript document with report.patient_listing: false
PATIENT_LEVEL_TABLES = list(LISTING_TITLES)

# The order of the manuscript document
TABLE_ORDER = [
    "table1_baseline_characteristics",
    "table2_disposition",
    "table3_efficacy",
    "table3b_subgroups",
    "table4_biomarker_associations",
    "table4b_detectable_effects",
    "table5_adverse_events",
    "tableS1_alterations_by_patient",
    "disposition_by_patient_and_sample",
    "tableS3_biomarker_associations",
    "tableS4_response_associations",
]


def table1_populations(
    clinical: pd.DataFrame,
    listing: pd.DataFrame,
    status: pd.DataFrame,
    by: str | None,
) -> dict[str, tuple[str, pd.Series]]:
    """All patients, those evaluable for biomarkers at baseline and, with ``report.table1.by``,
    one column per status of that biomarker."""
    patients = clinical["patient_id"].astype(str)
    evaluable = listing[(listing["level"] == "patient") & listing["biomarker_evaluable"].eq(True)]
    populations = {
        "all_": ("All patients", pd.Series(True, index=clinical.index)),
        "biomarker_evaluable_": ("Biomarker-evaluable", patients.isin(set(evaluable["id"]))),
    }
    if by:
        if by not in status.columns:
            raise InputError.one(
                "config",
                f"report.table1.by: '{by}' is not a biomarker of this run",
                "key report.table1.by",
                hint=f"use one of: {', '.join(status.columns)}",
            )
        values = patients.map(status[by]).fillna("not_evaluable")
        for value in ("altered", "wild_type", "not_evaluable"):
            name = f"{biomarker_label(by)} {Labels.level(value).lower()}"
            populations[f"{by}_{value}_"] = (name, values.eq(value))
    return populations


def build_tables(
    config: dict[str, Any],
    inputs: dict[str, PathLike],
) -> dict[str, TableSpec]:
    """Every manuscript table, in :data:`TABLE_ORDER`. The labels the data carry (optional
    input ``column_labels``, a ``column<TAB>label`` table: an ADSL's variable labels, a
    cBioPortal study's attribute names) are used where the config gives none."""
    labels_path = inputs.get("column_labels")
    labels = Labels.from_config(config, read_column_labels(labels_path) if labels_path else None)
    settings = config.get("report") or {}
    clinical = read_table(inputs["clinical"])
    patient_column = config["clinical"]["columns"].get("patient_id", "patient_id")
    clinical = clinical.rename(columns={patient_column: "patient_id"})
    samples = read_table(inputs["samples"])
    endpoints = pd.read_csv(
        inputs["endpoints"],
        sep="\t",
        dtype={"patient_id": str},
        keep_default_na=False,
        na_values=["NA"],
    )
    status = biomarker_status(config, inputs["gene_matrix"], inputs["pathway_matrix"])
    excluded, evaluability = (
        pd.read_csv(inputs[key], sep="\t", dtype=str, keep_default_na=False)
        if inputs.get(key)
        else None
        for key in ("population_excluded", "evaluability")
    )
    listing = disposition(clinical, samples, endpoints, status, excluded, evaluability)

    def tsv(key: str) -> pd.DataFrame:
        return pd.read_csv(inputs[key], sep="\t", dtype={"patient_id": str})

    table1 = settings.get("table1") or {}
    specs = [
        baseline_characteristics(
            clinical,
            config["clinical"].get("covariate_columns", []),
            table1_populations(clinical, listing, status, table1.get("by")),
            labels,
            continuous=table1.get("continuous", "iqr"),
            types=table1.get("types"),
        ),
        disposition_table(disposition_summary(listing, samples)),
        with_follow_up(
            efficacy_table(
                endpoints,
                tsv("efficacy"),
                config.get("cbr_min_sd_weeks", 24),
                labels,
                response=study_data(config, samples).response,
            ),
            tsv("follow_up"),
        ),
        *([trial_tables.subgroup_spec(tsv("subgroups"), labels)] if "subgroups" in inputs else []),
        biomarker_table(tsv("pfs_associations"), tsv("os_associations"), tsv("alterations")),
        trial_tables.detectable_spec(tsv("detectable_effects")),
        trial_tables.adverse_event_spec(tsv("adverse_events")),
        survival_association_table(tsv("pfs_associations"), tsv("os_associations")),
        response_association_table(tsv("response_associations")),
    ]
    frames = {
        "tableS1_alterations_by_patient": alteration_listing(tsv("alterations")),
        "disposition_by_patient_and_sample": listing,
    }
    specs += [
        frame_spec(name, LISTING_TITLES[name], frame, labels, LISTING_FOOTNOTES[name])
        for name, frame in frames.items()
    ]
    return {spec.name: spec for spec in sorted(specs, key=lambda s: TABLE_ORDER.index(s.name))}
