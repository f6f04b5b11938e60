"""CDISC ADaM in: ADSL, ADTTE, ADRS and ADAE (CSV or SAS transport .xpt) as the workflow's
clinical table, per-visit responses and adverse events.

- ADSL gives one row per subject; every column is kept (population flags such as SAFFL,
  baseline covariates), so ``population`` and ``subgroups`` name ADSL columns.
- ADTTE (``PARAMCD`` PFS/OS, ``AVAL`` in ``AVALU`` units, days when absent, ``CNSR`` 1 =
  censored) is taken exactly: ``pfs_months = AVAL / 30.4375``, ``pfs_event = 1 - CNSR``.
- ADRS ``PARAMCD = OVR`` rows (``ADT``, ``AVALC``) are the per-visit responses; BOR/CBOR rows
  the sponsor derived are compared with the workflow's own derivation (``compare_derived``).
- ADAE: ``AEDECOD``, ``AEBODSYS``, grade ``ATOXGR`` or ``AETOXGR``, relatedness ``AREL``,
  ``AERELN`` or ``AEREL``.
Missing values (ADaM's literal "NA", empty, SAS ".") are missing; dates are ISO 8601, DATE9
(``02JAN2014``) or, in .xpt files, SAS dates (days since 1960-01-01).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from her2resist.clinical.adverse_events import RELATED
from her2resist.clinical.endpoints import DAYS_PER_MONTH
from her2resist.errors import InputError, Problem
from her2resist.tables import MISSING, data_line, raise_for_rows, read_table

SUBJECT = "USUBJID"
SAS_EPOCH = pd.Timestamp("1960-01-01")
IBM_FLOAT_ZERO = 1e-75
SAS_DATE_FORMATS = ("DATE", "YYMMDD", "E8601DA", "IS8601DA", "MMDDYY", "DDMMYY")
AVALU_DAYS = {"DAYS": 1.0, "DAY": 1.0, "WEEKS": 7.0, "MONTHS": DAYS_PER_MONTH, "YEARS": 365.25}
# The clinical-table columns the ADaM reader adds to ADSL's own.
TIME_COLUMNS = {
    "pfs_time": "pfs_months",
    "pfs_event": "pfs_event",
    "os_time": "os_months",
    "os_event": "os_event",
}
GRADE_COLUMNS = ("ATOXGR", "AETOXGR")
RELATED_COLUMNS = ("AREL", "AERELN", "AEREL")


def clinical_source(settings: dict) -> str:
    """The file that gives the clinical table: clinical.table, or ADSL for an ADaM study."""
    return str(settings.get("table") or (settings.get("adam") or {}).get("adsl"))


def clinical_settings(settings: dict) -> dict:
    """``clinical`` settings for an ADaM study: times in months from ADTTE, USUBJID ids."""
    columns = {**settings.get("columns", {}), "patient_id": SUBJECT, **TIME_COLUMNS}
    return {**settings, "source": "times", "time_unit": "months", "columns": columns}


def variable_labels(path: str | Path) -> dict[str, str]:
    """The variable labels a SAS transport file carries (``AGE`` -> ``Age``); none for CSV."""
    path = Path(path)
    if path.suffix.lower() != ".xpt" or not path.is_file():
        return {}
    reader = pd.read_sas(path, format="xport", encoding="latin-1", iterator=True)
    reader.close()
    return {_text(f["name"]): _text(f["label"]) for f in reader.fields if _text(f["label"]).strip()}


def read_adam(path: str | Path) -> pd.DataFrame:
    """One ADaM dataset as strings (missing = NA); .xpt SAS dates become ISO dates."""
    path = Path(path)
    if path.suffix.lower() != ".xpt":
        return read_table(path)
    if not path.is_file():
        raise InputError.one(str(path), "file not found", hint="check the path in clinical.adam")
    try:
        reader = pd.read_sas(path, format="xport", encoding="latin-1", iterator=True)
        formats = {_text(f["name"]): _text(f["nform"]).upper() for f in reader.fields}
        reader.nobs = _xport_records(path, reader.record_start, reader.record_length)
        frame = reader.read()
        reader.close()
    except (ValueError, OSError, UnicodeDecodeError) as error:
        raise InputError.one(
            str(path),
            f"cannot read the SAS transport file ({error})",
            hint="write it as SAS XPORT version 5 (haven::write_xpt, SAS PROC COPY)",
        ) from None
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object:
            out[name] = values.map(lambda v: None if pd.isna(v) else str(v).strip())
        elif formats.get(name, "").startswith(SAS_DATE_FORMATS):
            days = pd.to_timedelta(values, unit="D")
            out[name] = (SAS_EPOCH + days).dt.strftime("%Y-%m-%d")
        else:
            # pandas reads some IBM-float zeros as 5.4e-79, the smallest IBM float
            # (pandas-dev/pandas#50670); no ADaM value is that small.
            values = values.where(values.abs() > IBM_FLOAT_ZERO, 0.0)
            out[name] = values.map(_number_text)
    out = out.replace(dict.fromkeys(MISSING, None)).astype(object).where(out.notna(), None)
    out.attrs["path"] = str(path)
    out.attrs["lines"] = list(range(1, len(out) + 1))  # record numbers
    return out


def _xport_records(path: Path, start: int, length: int) -> int:
    """The number of records of an XPORT v5 member.

    The data are padded with blanks to a multiple of 80 bytes. pandas counts every blank
    8-byte word of the last 80 bytes as padding, which drops a last record that ends in
    blanks (seen with haven::write_xpt files); a real record is never all blanks (a
    missing number is not blank), so only whole blank records at the end are padding.
    """
    data = path.read_bytes()[start:]
    records = len(data) // length
    while records and data[(records - 1) * length : records * length] == b" " * length:
        records -= 1
    return records


def _text(value: object) -> str:
    return value.decode("latin-1").strip() if isinstance(value, bytes) else str(value).strip()


def _number_text(value: float) -> str | None:
    if pd.isna(value):
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_adam_dates(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    """ISO 8601 or DATE9 dates; every value that is neither is an error naming the row."""
    values = frame[column]
    iso = pd.to_datetime(values, format="ISO8601", errors="coerce")
    date9 = pd.to_datetime(values, format="%d%b%Y", errors="coerce")
    parsed = iso.fillna(date9).dt.normalize()
    raise_for_rows(
        values.notna() & parsed.isna(),
        source,
        lambda i: f"subject '{frame[SUBJECT][i]}': {column} '{values[i]}' is not a date",
        column,
        "write dates as YYYY-MM-DD (ISO 8601) or DATE9 (02JAN2014)",
    )
    return parsed


def require_columns(frame: pd.DataFrame, columns: list[str], source: str, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError.one(
            source,
            f"{what} needs column(s) {', '.join(missing)}; found {', '.join(frame.columns)}",
            1,
            hint="export the dataset with its ADaM variable names",
        )


def _unknown_subjects(frame: pd.DataFrame, subjects: set[str], source: str) -> list[Problem]:
    unknown = frame[SUBJECT].notna() & ~frame[SUBJECT].isin(subjects)
    return [
        Problem(
            source,
            f"subject '{frame[SUBJECT][i]}' is not in ADSL",
            data_line(frame, i),
            SUBJECT,
            "add the subject to ADSL or remove its records",
        )
        for i in frame.index[unknown]
    ]


def read_adsl(path: str | Path) -> pd.DataFrame:
    adsl = read_adam(path)
    source = str(path)
    require_columns(adsl, [SUBJECT], source, "ADSL")
    problems = [
        Problem(source, "USUBJID is empty", data_line(adsl, i), SUBJECT, "fill it in")
        for i in adsl.index[adsl[SUBJECT].isna()]
    ]
    repeated = adsl[SUBJECT].notna() & adsl[SUBJECT].duplicated(keep=False)
    problems += [
        Problem(
            source,
            f"subject '{adsl[SUBJECT][i]}' has more than one row (ADSL is one row per subject)",
            data_line(adsl, i),
            SUBJECT,
            "keep one row per subject",
        )
        for i in adsl.index[repeated]
    ]
    if problems:
        raise InputError(problems)
    return adsl


def endpoints_from_adtte(path: str | Path, subjects: pd.Series) -> pd.DataFrame:
    """PFS and OS months and events per subject (indexed by USUBJID), exactly as ADTTE has them."""
    tte = read_adam(path)
    source = str(path)
    require_columns(tte, [SUBJECT, "PARAMCD", "AVAL", "CNSR"], source, "ADTTE")
    problems = _unknown_subjects(tte, set(subjects), source)
    aval = pd.to_numeric(tte["AVAL"], errors="coerce")
    cnsr = pd.to_numeric(tte["CNSR"], errors="coerce")
    units = tte["AVALU"] if "AVALU" in tte.columns else pd.Series("DAYS", index=tte.index)
    per_day = units.fillna("DAYS").str.upper().map(AVALU_DAYS)
    used = tte["PARAMCD"].isin(["PFS", "OS"])

    checks = [  # (rows, message, column, hint)
        (tte["CNSR"].isna(), "CNSR is missing", "CNSR", "1 = censored, 0 = event"),
        (tte["CNSR"].notna() & ~cnsr.isin([0, 1]), "CNSR '{}' is not 0 or 1", "CNSR", "0 = event"),
        (tte["AVAL"].notna() & aval.isna(), "AVAL '{}' is not a number", "AVAL", "days"),
        (per_day.isna(), "AVALU '{}' is not a time unit", "AVALU", "DAYS"),
        (
            tte.duplicated([SUBJECT, "PARAMCD"], keep=False),
            "more than one row",
            "PARAMCD",
            "keep one row per subject and PARAMCD",
        ),
    ]
    problems += [
        Problem(
            source,
            f"subject '{tte[SUBJECT][i]}', {tte['PARAMCD'][i]}: {message.format(tte[column][i])}",
            data_line(tte, i),
            column,
            hint,
        )
        for rows, message, column, hint in checks
        for i in tte.index[used & rows]
    ]
    if problems:
        raise InputError(problems)
    out = pd.DataFrame(index=pd.Index(subjects, name=SUBJECT))
    for param, prefix in (("PFS", "pfs"), ("OS", "os")):
        rows = tte[tte["PARAMCD"] == param]
        months = aval[rows.index] * per_day[rows.index] / DAYS_PER_MONTH
        out[f"{prefix}_months"] = pd.Series(months.values, index=rows[SUBJECT].values)
        event = 1 - cnsr[rows.index]
        out[f"{prefix}_event"] = pd.Series(event.values, index=rows[SUBJECT].values)
    return out


def clinical_from_adam(adam: dict) -> pd.DataFrame:
    """ADSL with PFS/OS columns from ADTTE: the clinical table of an ADaM study."""
    table = read_adsl(adam["adsl"])
    times = endpoints_from_adtte(adam["adtte"], table[SUBJECT]) if adam.get("adtte") else None
    for column in TIME_COLUMNS.values():
        table[column] = (
            None if times is None else table[SUBJECT].map(times[column]).map(_number_text)
        )
    return table


def visits_from_adrs(path: str | Path, subjects: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-visit responses (``patient_id, date, response``; OVR rows) and the sponsor's
    derived best responses (``patient_id, PARAMCD, AVALC``; BOR and CBOR rows)."""
    adrs = read_adam(path)
    source = str(path)
    require_columns(adrs, [SUBJECT, "PARAMCD", "AVALC", "ADT"], source, "ADRS")
    problems = _unknown_subjects(adrs, subjects, source)
    if problems:
        raise InputError(problems)
    ovr = adrs[adrs["PARAMCD"] == "OVR"]
    dates = parse_adam_dates(ovr, "ADT", source)
    raise_for_rows(
        ovr["ADT"].isna(),
        source,
        lambda i: f"subject '{ovr[SUBJECT][i]}': OVR record without ADT",
        "ADT",
        "give the assessment date",
    )
    visits = pd.DataFrame({"patient_id": ovr[SUBJECT], "date": dates, "response": ovr["AVALC"]})
    visits.attrs["lines"] = [data_line(adrs, i) for i in ovr.index]
    visits = visits.reset_index(drop=True)
    derived = adrs[adrs["PARAMCD"].isin(["BOR", "CBOR"])]
    derived = derived.rename(columns={SUBJECT: "patient_id"})[["patient_id", "PARAMCD", "AVALC"]]
    return visits, derived.reset_index(drop=True)


def compare_derived(
    derived: pd.DataFrame, confirmed: pd.Series, unconfirmed: pd.Series, source: str
) -> list[Problem]:
    """A warning for every ADRS BOR/CBOR value that differs from the workflow's derivation.

    ``confirmed`` and ``unconfirmed`` are admiralonco-coded (MISSING for no record)."""
    ours = {"CBOR": confirmed, "BOR": unconfirmed}
    warnings = []
    for row in derived.itertuples(index=False):
        mine = ours[row.PARAMCD].get(row.patient_id)
        theirs = row.AVALC if isinstance(row.AVALC, str) else "MISSING"
        if mine is not None and theirs != mine:
            warnings.append(
                Problem(
                    source,
                    f"subject '{row.patient_id}': ADRS {row.PARAMCD} is {theirs}, the "
                    f"workflow derives {mine} from the OVR records; the workflow's is used",
                    None,
                    "AVALC",
                    "check the recist settings against the sponsor's derivation",
                )
            )
    return warnings


def adverse_events_from_adae(path: str | Path, subjects: set[str]) -> pd.DataFrame:
    """``patient_id, term, soc, grade, related`` from ADAE (grade still as written)."""
    adae = read_adam(path)
    source = str(path)
    require_columns(adae, [SUBJECT, "AEDECOD"], source, "ADAE")
    grade = next((c for c in GRADE_COLUMNS if c in adae.columns), None)
    if grade is None:
        raise InputError.one(
            source,
            "no toxicity grade column (ATOXGR or AETOXGR); AE tables need CTCAE grades",
            1,
            hint="add ATOXGR (CTCAE v5.0 grade 1-5); severity (AESEV) is not a CTCAE grade",
        )
    problems = _unknown_subjects(adae, subjects, source)
    if problems:
        raise InputError(problems)
    related = next((c for c in RELATED_COLUMNS if c in adae.columns), None)
    relatedness = (
        adae[related].fillna("").str.strip().str.lower().isin(RELATED)
        if related
        else pd.Series(np.nan, index=adae.index)
    )
    events = pd.DataFrame(
        {
            "patient_id": adae[SUBJECT],
            "term": adae["AEDECOD"],
            "soc": adae["AEBODSYS"] if "AEBODSYS" in adae.columns else None,
            "grade": adae[grade],
            "related": relatedness.map({True: "yes", False: "no"}),
        }
    )
    events.attrs = {"path": source, "lines": [data_line(adae, i) for i in adae.index]}
    return events
