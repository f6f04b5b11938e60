"""CDISC ADaM in, on a real slice of the CDISC pilot study (tests/data/adam_cdiscpilot01,
pharmaverseadam): ADTTE taken exactly, .xpt equal to CSV, the workflow's RECIST derivation
equal to the sponsor's BOR/CBOR (admiralonco's templates), and bad input named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from her2resist.clinical import adam
from her2resist.clinical.endpoints import DAYS_PER_MONTH
from her2resist.clinical.responses import derive
from her2resist.config import validate_config
from her2resist.errors import InputError
from her2resist.run.clinical import run_clinical
from her2resist.validate import validate_inputs

DATA = Path("tests/data/adam_cdiscpilot01")
CSV = {name: str(DATA / f"{name.upper()}.csv") for name in ("adsl", "adtte", "adrs")}
XPT = {name: str(DATA / f"{name}.xpt") for name in ("adsl", "adtte", "adrs")}


def config_for(adam_files: dict, **extra: object) -> dict:
    return validate_config({"clinical": {"adam": adam_files}, **extra})


def test_adtte_is_taken_exactly() -> None:
    table = adam.clinical_from_adam(CSV)
    tte = pd.read_csv(CSV["adtte"])
    assert len(table) == 20 and table["USUBJID"].is_unique
    for param, prefix in (("PFS", "pfs"), ("OS", "os")):
        rows = tte[tte["PARAMCD"] == param].set_index("USUBJID")
        mine = table.set_index("USUBJID").loc[rows.index]
        months = mine[f"{prefix}_months"].astype(float)
        assert (months - rows["AVAL"] / DAYS_PER_MONTH).abs().max() < 1e-9
        assert (mine[f"{prefix}_event"].astype(int) == 1 - rows["CNSR"]).all()
    # The two ADSL subjects without ADTTE records have no PFS (excluded later, with reason).
    assert table["pfs_months"].isna().sum() == 2
    # ADSL columns stay (population flags, covariates); the literal "NA" is missing.
    assert {"SAFFL", "SEX", "AGE", "RANDDT"} <= set(table.columns)
    assert table["DTHDT"].isna().all()


def test_xpt_reads_as_the_csv() -> None:
    csv_table = adam.clinical_from_adam(CSV)
    xpt_table = adam.clinical_from_adam(XPT)
    pd.testing.assert_frame_equal(
        csv_table.fillna("").reset_index(drop=True),
        xpt_table.fillna("").reset_index(drop=True),
        check_dtype=False,
    )
    subjects = set(csv_table["USUBJID"])
    csv_visits = adam.visits_from_adrs(CSV["adrs"], subjects)[0]
    xpt_visits = adam.visits_from_adrs(XPT["adrs"], subjects)[0]
    pd.testing.assert_frame_equal(csv_visits, xpt_visits)


@pytest.mark.parametrize("files", [CSV, XPT], ids=["csv", "xpt"])
def test_derivation_equals_the_sponsors_bor_and_cbor(files: dict) -> None:
    """pharmaverseadam's BOR/CBOR were derived by admiralonco's templates (RANDDT + 42
    days, 28-day confirmation): the workflow's defaults give the same for every subject."""
    config = config_for(files)
    table = adam.clinical_from_adam(files)
    endpoints, warnings = derive(table, config)
    assert warnings == []
    adrs = pd.read_csv(CSV["adrs"], keep_default_na=False)
    for paramcd, column in (("CBOR", "best_response"), ("BOR", "best_response_unconfirmed")):
        theirs = adrs[adrs["PARAMCD"] == paramcd].set_index("USUBJID")["AVALC"]
        theirs = theirs.replace({"MISSING": "NE"})
        assert endpoints.loc[theirs.index, column].to_dict() == theirs.to_dict()
    # The confirmed and unconfirmed responses differ for three subjects (a CR not confirmed).
    differ = endpoints["best_response"] != endpoints["best_response_unconfirmed"]
    assert sorted(endpoints.index[differ]) == ["01-701-1015", "01-701-1115", "01-701-1133"]
    assert endpoints.loc["01-701-1023", "response_excluded"] == "no tumour assessment"


def test_a_disagreement_with_the_sponsor_is_reported(tmp_path: Path) -> None:
    adrs = pd.read_csv(CSV["adrs"], keep_default_na=False)
    cbor = (adrs["USUBJID"] == "01-701-1118") & (adrs["PARAMCD"] == "CBOR")
    adrs.loc[cbor, "AVALC"] = "CR"
    adrs.to_csv(tmp_path / "adrs.csv", index=False)
    config = config_for({**CSV, "adrs": str(tmp_path / "adrs.csv")})
    endpoints, warnings = derive(adam.clinical_from_adam(CSV), config)
    assert endpoints.loc["01-701-1118", "best_response"] == "PR"
    assert [str(w) for w in warnings] == [
        f"{tmp_path / 'adrs.csv'}, column 'AVALC': subject '01-701-1118': ADRS CBOR is CR, the "
        "workflow derives PR from the OVR records; the workflow's is used (fix: check the "
        "recist settings against the sponsor's derivation)"
    ]


def test_clinical_stage_on_adam(tmp_path: Path) -> None:
    config = config_for({**CSV, "adae": None}, recist={"reference_date": "RANDDT"})
    validated = validate_inputs(config)
    assert "SAFFL" in validated.clinical.columns
    clinical = tmp_path / "clinical.tsv"
    validated.clinical.to_csv(clinical, sep="\t", index=False)
    run_clinical(config, clinical, tmp_path / "endpoints.tsv", tmp_path / "ae.tsv")
    endpoints = pd.read_csv(tmp_path / "endpoints.tsv", sep="\t").set_index("patient_id")
    assert len(endpoints) == 20
    assert endpoints.loc["01-701-1118", ["best_response", "orr"]].tolist() == ["PR", 1.0]
    # 1118: confirmed PR 2014-04-23, censored at the last assessment 2014-06-04 (42 days).
    assert endpoints.loc["01-701-1118", "duration_of_response_months"] == pytest.approx(
        42 / DAYS_PER_MONTH
    )
    assert endpoints.loc["01-701-1118", "dor_event"] == 0
    assert endpoints["pfs_excluded"].eq("time missing").sum() == 2


def bad(tmp_path: Path, name: str, edit) -> dict:
    frame = pd.read_csv(CSV[name], dtype=str, keep_default_na=False)
    frame = edit(frame)
    path = tmp_path / f"{name.upper()}.csv"
    frame.to_csv(path, index=False)
    return {**CSV, name: str(path)}


def problems_of(files: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        validate_inputs(config_for(files))
    return [str(p) for p in caught.value.problems]


def test_subject_in_adrs_or_adtte_but_not_in_adsl(tmp_path: Path) -> None:
    files = bad(tmp_path, "adsl", lambda f: f[f["USUBJID"] != "01-701-1028"])
    found = problems_of(files)
    adtte_line = (
        1
        + 1
        + pd.read_csv(CSV["adtte"]).index[pd.read_csv(CSV["adtte"])["USUBJID"] == "01-701-1028"]
    )
    assert (
        f"{CSV['adtte']}, line {adtte_line[0]}, column 'USUBJID': subject '01-701-1028' is "
        "not in ADSL (fix: add the subject to ADSL or remove its records)" in found
    )


def test_adtte_row_without_cnsr(tmp_path: Path) -> None:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[3, "CNSR"] = "NA"
        return frame

    found = problems_of(bad(tmp_path, "adtte", edit))
    assert len(found) == 1 and "line 5, column 'CNSR'" in found[0]
    assert "subject '01-701-1023'" in found[0] and "CNSR is missing" in found[0]


def test_adrs_date_that_does_not_parse(tmp_path: Path) -> None:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        row = frame.index[frame["PARAMCD"] == "OVR"][0]
        frame.loc[row, "ADT"] = "2014-13-40"
        return frame

    found = problems_of(bad(tmp_path, "adrs", edit))
    assert len(found) == 1
    assert "subject '01-701-1015': ADT '2014-13-40' is not a date" in found[0]
    assert "ADRS.csv, line 4, column 'ADT'" in found[0]  # BOR and CBOR rows come first


def test_adae_grade_outside_1_to_5_and_adae_without_grades(tmp_path: Path) -> None:
    # The pilot study's ADAE has severity, not CTCAE grades: asked for, not guessed.
    found = problems_of({**CSV, "adae": str(DATA / "ADAE.csv")})
    assert found == [
        f"{DATA / 'ADAE.csv'}, line 1: no toxicity grade column (ATOXGR or AETOXGR); AE tables "
        "need CTCAE grades (fix: add ATOXGR (CTCAE v5.0 grade 1-5); severity (AESEV) is not a "
        "CTCAE grade)"
    ]
    adae = pd.read_csv(DATA / "ADAE.csv", dtype=str, keep_default_na=False)
    adae["ATOXGR"] = adae["AESEV"].map({"MILD": "1", "MODERATE": "2", "SEVERE": "3"})
    adae.loc[4, "ATOXGR"] = "6"
    adae.to_csv(tmp_path / "adae.csv", index=False)
    found = problems_of({**CSV, "adae": str(tmp_path / "adae.csv")})
    assert found == [
        f"{tmp_path / 'adae.csv'}, line 6, column 'grade': patient '{adae['USUBJID'][4]}': grade "
        "'6' is not a CTCAE v5.0 grade (fix: use an integer grade 1-5)"
    ]


def test_adam_visit_warnings_reach_the_input_report(tmp_path: Path) -> None:
    """An unknown response code (CHECK), two responses on one date and a visit before the
    reference date are warnings naming the record."""
    adrs = pd.read_csv(CSV["adrs"], dtype=str, keep_default_na=False)
    extra = pd.DataFrame(
        [
            ["CDISCPILOT01", "01-701-1118", "OVR", "CHECK", "2014-07-01", "2014-03-12", "Y"],
            ["CDISCPILOT01", "01-701-1118", "OVR", "PD", "2014-06-04", "2014-03-12", "Y"],
            ["CDISCPILOT01", "01-701-1130", "OVR", "SD", "2014-02-01", "2014-02-15", "Y"],
        ],
        columns=adrs.columns,
    )
    pd.concat([adrs, extra]).to_csv(tmp_path / "adrs.csv", index=False)
    validated = validate_inputs(config_for({**CSV, "adrs": str(tmp_path / "adrs.csv")}))
    messages = [w.message for w in validated.warnings]
    assert (
        "patient '01-701-1118', visit 2014-07-01: 'CHECK' is not a RECIST 1.1 overall response; "
        "record left out of the derivation"
    ) in messages
    assert (
        "patient '01-701-1118', visit 2014-06-04: two responses on one date (PR, PD); PD is used"
    ) in messages
    assert (
        "patient '01-701-1130', visit 2014-02-01: before the reference date 2014-02-15; not used"
    ) in messages


def test_visits_table_route(tmp_path: Path) -> None:
    """The clinical-table route: a per-visit table (patient_id, date, overall_response)."""
    example = Path("resources/example")
    shutil.copy(example / "clinical.tsv", tmp_path / "clinical.tsv")
    (tmp_path / "visits.tsv").write_text(
        "patient_id\tdate\toverall_response\n"
        "P02\t2022-03-16\tPR\n"
        "P02\t2022-04-27\tPR\n"
        "P04\t2022-05-01\tPR\n"
        "P04\t2022-05-20\tPR\n"
        "P04\t2022-07-24\tPD\n"
        "P09\t02/30/2022\tSD\n"
    )
    raw = {
        "clinical": {
            "table": str(tmp_path / "clinical.tsv"),
            "visits": str(tmp_path / "visits.tsv"),
            "source": "dates",
            "date_format": "%Y-%m-%d",
            "columns": {"treatment_start": "treatment_start_date"},
        },
        "recist": {"reference_date": "treatment_start_date"},
    }
    with pytest.raises(InputError) as caught:
        validate_inputs(validate_config(raw))
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'visits.tsv'}, line 7, column 'date': patient 'P09': '02/30/2022' is not "
        "a date (fix: write dates as %Y-%m-%d (clinical.date_format))"
    ]
    text = (tmp_path / "visits.tsv").read_text().replace("P09\t02/30/2022\tSD\n", "")
    (tmp_path / "visits.tsv").write_text(text)
    config = validate_config(raw)
    table = validate_inputs(config).clinical
    endpoints, warnings = derive(table, config)
    assert warnings == []
    # P02: PR day 42 confirmed by PR day 84. P04: PR 19 days apart, then PD: the PR is not
    # confirmed and, 42 days after the start, falls back to SD.
    assert endpoints.loc["P02", ["best_response", "best_response_unconfirmed"]].tolist() == [
        "PR",
        "PR",
    ]
    assert endpoints.loc["P04", ["best_response", "best_response_unconfirmed"]].tolist() == [
        "SD",
        "PR",
    ]
    assert endpoints.loc["P01", "response_excluded"] == "no tumour assessment"


def test_example_adam_rendering_gives_the_same_endpoints(tmp_path: Path) -> None:
    """The bundled trial through clinical.table + clinical.visits and through clinical.adam:
    identical endpoints (resources/example/adam is written by tests/example_cohort.py)."""
    base = Path("config/config.yaml")
    import yaml

    raw = yaml.safe_load(base.read_text())
    table_config = validate_config(raw)
    folder = "resources/example/adam"
    adam_raw = {
        **raw,
        "clinical": {"adam": {n: f"{folder}/{n.upper()}.csv" for n in ("adsl", "adtte", "adrs")}},
        "recist": {**raw["recist"], "reference_date": "RANDDT"},
        "adverse_events": None,
    }
    adam_raw["clinical"]["adam"]["adae"] = f"{folder}/ADAE.csv"
    adam_raw["clinical"]["adam"]["adtr"] = f"{folder}/ADTR.csv"
    adam_config = validate_config(adam_raw)
    outputs = {}
    for name, config in (("table", table_config), ("adam", adam_config)):
        clinical = tmp_path / f"{name}_clinical.tsv"
        validate_inputs(config).clinical.to_csv(clinical, sep="\t", index=False)
        run_clinical(
            config,
            clinical,
            tmp_path / f"{name}.tsv",
            tmp_path / f"{name}_ae.tsv",
            tmp_path / f"{name}_tumour.tsv",
        )
        outputs[name] = pd.read_csv(tmp_path / f"{name}.tsv", sep="\t")
    pd.testing.assert_frame_equal(outputs["table"], outputs["adam"])
    assert (
        outputs["table"]["best_response"] != outputs["table"]["best_response_unconfirmed"]
    ).sum() == 4
    ae_table = pd.read_csv(tmp_path / "table_ae.tsv", sep="\t")
    ae_adam = pd.read_csv(tmp_path / "adam_ae.tsv", sep="\t")
    pd.testing.assert_frame_equal(ae_table, ae_adam)
    assert outputs["table"]["best_pct_change"].notna().sum() == 29  # all but P05 (withdrew)
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "table_tumour.tsv", sep="\t"),
        pd.read_csv(tmp_path / "adam_tumour.tsv", sep="\t"),
    )


def test_population_selects_by_adsl_flag(tmp_path: Path) -> None:
    """`population: {SAFFL: [Y]}` works on an ADaM study: ADSL's columns are in the clinical
    table; the two pilot subjects without SAFFL are excluded with the reason."""
    from her2resist.population import select_population

    config = config_for(CSV, population={"SAFFL": ["Y"]})
    validated = validate_inputs(config)
    samples = pd.DataFrame(
        {"patient_id": ["01-701-1015"], "sample_id": ["S1"], "specimen": ["tissue"]}
        | {"timepoint": ["baseline"]}
    )
    clinical, kept, excluded = select_population(config, validated.clinical, samples)
    assert len(clinical) == 18 and list(kept["sample_id"]) == ["S1"]
    adsl = pd.read_csv(CSV["adsl"], keep_default_na=False)
    missing_flag = sorted(adsl.loc[adsl["SAFFL"] == "NA", "USUBJID"])
    assert sorted(excluded.loc[excluded["level"] == "patient", "id"]) == missing_flag
    assert excluded["reason"].str.contains("SAFFL").all()


def test_variable_labels_from_xpt_reach_the_tables() -> None:
    """Issue 19: labels from ADaM where the data carry them (an .xpt's variable labels; a CSV
    has none), below the config's own labels."""
    from her2resist.report.labels import Labels, data_labels

    carried = data_labels({"clinical": {"adam": XPT}})
    assert carried["AGE"] == "Age" and carried["SAFFL"] == "Safety Population Flag"
    assert adam.variable_labels(DATA / "ADSL.csv") == {}
    labels = Labels.from_config({"labels": {"SEX": "Sex at birth"}}, carried)
    assert labels("RANDDT") == "Date of Randomization"
    assert labels("SEX") == "Sex at birth"  # the config wins over the data's label


def test_cbioportal_attribute_names_are_labels() -> None:
    """A cBioPortal clinical file's first # row names each attribute (METABRIC: HER2_STATUS
    is 'HER2 Status', OS_MONTHS 'Overall Survival (Months)')."""
    from her2resist.report.labels import data_labels

    carried = data_labels({"cbioportal_study": "../shared/data/cohorts/brca_metabric"})
    assert carried["HER2_STATUS"] == "HER2 Status"
    assert carried["OS_MONTHS"] == "Overall Survival (Months)"
    assert "PATIENT_ID" in carried and "SAMPLE_ID" in carried
