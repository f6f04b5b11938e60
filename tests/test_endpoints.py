import pandas as pd
import pytest

from her2resist.clinical.adverse_events import summarise, validate_grades
from her2resist.clinical.endpoints import (
    DAYS_PER_MONTH,
    compute_endpoints,
    delayed_entry_statement,
    parse_clinical,
)
from her2resist.errors import InputError

DATE_SETTINGS = {
    "source": "dates",
    "columns": {
        "patient_id": "pid",
        "treatment_start": "start",
        "progression_date": "prog",
        "death_date": "death",
        "last_assessment_date": "last_scan",
        "last_contact_date": "last_contact",
        "best_response": "bor",
        "sd_duration_weeks": "sd_weeks",
    },
}


def frame(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows).astype(object)
    return table.where(table.notna(), None)


def test_pfs_and_os_from_dates() -> None:
    table = frame(
        [
            # progression, then death
            {
                "pid": "A",
                "start": "2022-01-01",
                "prog": "2022-04-01",
                "death": "2023-01-01",
                "last_scan": "2022-04-01",
                "last_contact": "2023-01-01",
                "bor": "PR",
                "sd_weeks": None,
            },
            # death without progression: a PFS event at death
            {
                "pid": "B",
                "start": "2022-01-01",
                "prog": None,
                "death": "2022-03-01",
                "last_scan": "2022-02-01",
                "last_contact": "2022-03-01",
                "bor": "SD",
                "sd_weeks": "8",
            },
            # no event: PFS censored at last scan, OS at last contact
            {
                "pid": "C",
                "start": "2022-01-01",
                "prog": None,
                "death": None,
                "last_scan": "2022-12-01",
                "last_contact": "2023-06-01",
                "bor": "SD",
                "sd_weeks": "30",
            },
            # withdrew before any assessment: censored at day 0, NE
            {
                "pid": "D",
                "start": "2022-01-01",
                "prog": None,
                "death": None,
                "last_scan": None,
                "last_contact": "2022-02-01",
                "bor": "NE",
                "sd_weeks": None,
            },
        ]
    )
    result = compute_endpoints(table, DATE_SETTINGS, cbr_min_sd_weeks=24).set_index("patient_id")
    assert result.loc["A", "pfs_months"] == pytest.approx(90 / DAYS_PER_MONTH)
    assert result.loc["A", "os_months"] == pytest.approx(365 / DAYS_PER_MONTH)
    assert result.loc["B", ["pfs_event", "os_event"]].tolist() == [1, 1]
    assert result.loc["B", "pfs_months"] == pytest.approx(59 / DAYS_PER_MONTH)
    assert result.loc["C", ["pfs_event", "os_event"]].tolist() == [0, 0]
    assert result.loc["C", "pfs_months"] == pytest.approx(334 / DAYS_PER_MONTH)
    assert result.loc["D", "pfs_months"] == 0
    # ORR: CR/PR; CBR adds SD >= 24 weeks; DCR any disease control; NE is a non-responder (ITT)
    assert result["orr"].tolist() == [1, 0, 0, 0]
    assert result["cbr"].tolist() == [1, 0, 1, 0]
    assert result["dcr"].tolist() == [1, 1, 1, 0]
    assert result["response_evaluable"].tolist() == [True, True, True, False]


def test_precomputed_times_units_and_event_codes() -> None:
    table = frame(
        [
            {"id": "A", "os_days": "304.375", "status": "Dead"},
            {"id": "B", "os_days": "-Inf", "status": "Alive"},
            {"id": "C", "os_days": "-5", "status": "Alive"},
            {"id": "D", "os_days": "100", "status": None},
        ]
    )
    settings = {
        "source": "times",
        "time_unit": "days",
        "columns": {"patient_id": "id", "os_time": "os_days", "os_event": "status"},
    }
    result = compute_endpoints(table, settings, 24).set_index("patient_id")
    assert result.loc["A", "os_months"] == pytest.approx(10.0)
    assert result.loc["A", "os_event"] == 1
    assert result["os_excluded"].tolist() == [
        "",
        "time not finite",
        "negative time",
        "event status missing",
    ]
    assert result["pfs_excluded"].eq("time missing").all()


def test_delayed_entry_time_in_the_study_unit() -> None:
    """OS from diagnosis, observed from sequencing: entry_months, and who cannot be analysed."""
    table = frame(
        [
            {"id": "A", "os_days": "304.375", "status": "Dead", "seq_days": "60.875"},
            {"id": "B", "os_days": "100", "status": "Alive", "seq_days": "100"},  # at exit
            {"id": "C", "os_days": "100", "status": "Alive", "seq_days": "150"},  # after exit
            {"id": "D", "os_days": "100", "status": "Alive", "seq_days": None},
            {"id": "E", "os_days": "100", "status": "Dead", "seq_days": "-3"},  # before diagnosis
            {"id": "F", "os_days": "-5", "status": "Alive", "seq_days": "1"},
        ]
    )
    settings = {
        "source": "times",
        "time_unit": "days",
        "columns": {"patient_id": "id", "os_time": "os_days", "os_event": "status",
                    "entry_time": "seq_days"},
    }  # fmt: skip
    result = compute_endpoints(table, settings, 24).set_index("patient_id")
    assert result.loc["A", "entry_months"] == pytest.approx(2.0)
    no_time_at_risk = "entry not before the end of follow-up (no time at risk)"
    assert result["os_excluded"].tolist() == [
        "", no_time_at_risk, no_time_at_risk, "entry time missing", "", "negative time",
    ]  # fmt: skip
    assert result.loc[["B", "C", "D"], "os_months"].isna().all()
    assert result.loc["E", "os_months"] == pytest.approx(100 / DAYS_PER_MONTH)
    assert delayed_entry_statement(settings).startswith("applied: left-truncated")
    del settings["columns"]["entry_time"]
    untruncated = compute_endpoints(table, settings, 24)
    assert untruncated["entry_months"].isna().all()
    assert untruncated["os_excluded"].tolist()[:3] == ["", "", ""]
    assert delayed_entry_statement(settings).startswith("not applied")


def test_delayed_entry_date_counts_from_treatment_start() -> None:
    table = frame(
        [
            {"pid": "A", "start": "2022-01-01", "death": "2022-07-01", "seq": "2022-01-31"},
            {"pid": "B", "start": "2022-01-01", "death": "2022-03-01", "seq": "2022-05-01"},
        ]
    )
    settings = {
        "source": "dates",
        "columns": {"patient_id": "pid", "treatment_start": "start", "death_date": "death",
                    "last_contact_date": "death", "entry_date": "seq"},
    }  # fmt: skip
    result = compute_endpoints(table, settings, 24).set_index("patient_id")
    assert result.loc["A", "entry_months"] == pytest.approx(30 / DAYS_PER_MONTH)
    assert result.loc["A", "os_excluded"] == ""
    assert result.loc["B", "os_excluded"].startswith("entry not before the end of follow-up")


def test_unknown_event_code_names_line_and_fix() -> None:
    table = frame([{"id": "A", "t": "3", "e": "1"}, {"id": "B", "t": "4", "e": "maybe"}])
    settings = {"columns": {"patient_id": "id", "pfs_time": "t", "pfs_event": "e"}}
    table.attrs["path"] = "clinical.tsv"
    with pytest.raises(InputError) as caught:
        compute_endpoints(table, settings, 24)
    message = str(caught.value)
    assert "clinical.tsv, line 3, column 'e': patient 'B': unknown event code 'maybe'" in message
    assert "clinical.event_values" in message


def test_user_event_and_response_codes_are_mapped() -> None:
    table = frame([{"id": "A", "t": "3", "e": "PROG", "r": "Partial Response"}])
    settings = {
        "columns": {"patient_id": "id", "pfs_time": "t", "pfs_event": "e", "best_response": "r"},
        "event_values": {"e": {"PROG": 1}},
    }
    result = compute_endpoints(table, settings, 24)
    assert result.loc[0, "pfs_event"] == 1
    assert result.loc[0, "best_response"] == "PR"


def test_progression_before_start_is_an_error() -> None:
    row = {
        "pid": "A",
        "start": "2022-05-01",
        "prog": "2022-04-01",
        "death": None,
        "last_scan": None,
        "last_contact": "2022-06-01",
        "bor": "PD",
        "sd_weeks": None,
    }
    with pytest.raises(InputError, match="progression date 2022-04-01 is before treatment start"):
        compute_endpoints(frame([row]), DATE_SETTINGS, 24)


def test_unparseable_start_is_an_error_and_a_missing_one_a_warning() -> None:
    """One parse for validator and endpoints: a bad cell is one error (not also 'missing')."""
    base = {"prog": None, "death": None, "last_scan": None, "last_contact": "2022-06-01"}
    rows = [{"pid": "A", "start": "2022/13/01", **base}, {"pid": "B", "start": None, **base}]
    values, found = parse_clinical(frame(rows), DATE_SETTINGS, "clinical.tsv")
    assert [str(p) for p in found.problems] == [
        "clinical.tsv, line 2, column 'start': patient 'A': '2022/13/01' is not a date in the "
        "format YYYY-MM-DD (ISO 8601) (fix: write every date in one format and set "
        "clinical.date_format to it)"
    ]
    assert [p.message for p in found.warnings] == [
        "patient 'B': treatment start is missing; excluded from PFS and OS"
    ]
    assert values["treatment_start"].isna().all()
    with pytest.raises(InputError, match="patient 'A': '2022/13/01' is not a date"):
        compute_endpoints(frame(rows), DATE_SETTINGS, 24)


def test_adverse_events_worst_grade_per_patient() -> None:
    events = pd.DataFrame(
        {
            "patient_id": ["A", "A", "B", "C", "C"],
            "term": ["Diarrhea", "Diarrhea", "Diarrhea", "Anemia", "Diarrhea"],
            "grade": ["1", "3", "2", "4", "1"],
        }
    )
    summary = summarise(validate_grades(events, "ae.tsv"), n_treated=4)
    terms = summary[summary["level"] == "term"].set_index("term")
    assert terms.loc["Diarrhea", "any_grade_n"] == 3
    assert terms.loc["Diarrhea", "grade3plus_n"] == 1
    assert terms.loc["Diarrhea", "any_grade_pct"] == 75
    assert terms.index.tolist() == ["Diarrhea", "Anemia"]


def test_adverse_events_by_soc_grade_band_and_attribution() -> None:
    """Worst grade per patient per term, per system organ class and over all AEs (C: grade 4
    anemia and grade 1 diarrhea counts once, at grade 4, in the any-AE row); the
    treatment-related section counts only related events."""
    events = pd.DataFrame(
        {
            "patient_id": ["A", "A", "B", "C", "C", "D"],
            "term": ["Diarrhea", "Diarrhea", "Nausea", "Anemia", "Diarrhea", "Fatigue"],
            "grade": ["1", "3", "2", "4", "1", "5"],
            "related": ["yes", "yes", "no", "yes", "no", "no"],
            "soc": ["GI", "GI", "GI", "Blood", "GI", None],
        }
    )
    summary = summarise(validate_grades(events, "ae.tsv"), n_treated=5)
    key = summary.set_index(["attribution", "level", "soc", "term"])
    bands = ["any_grade_n", "grade1_2_n", "grade3_n", "grade4_n", "grade5_n", "grade3plus_n"]
    assert key.loc[
        ("all", "any", "All system organ classes", "Any adverse event"), bands
    ].tolist() == [
        4,
        1,
        1,
        1,
        1,
        3,
    ]
    assert key.loc[("all", "soc", "GI", "All terms"), bands].tolist() == [3, 2, 1, 0, 0, 1]
    assert key.loc[("all", "term", "GI", "Diarrhea"), bands].tolist() == [2, 1, 1, 0, 0, 1]
    assert key.loc[("all", "term", "Not coded", "Fatigue"), "grade5_pct"] == 20
    related = summary[summary["attribution"] == "treatment_related"]
    assert related["term"].tolist() == [
        "Any adverse event",
        "All terms",
        "Anemia",
        "All terms",
        "Diarrhea",
    ]
    assert related.iloc[0]["any_grade_n"] == 2 and related.iloc[0]["grade4_n"] == 1
    # SOCs in order of frequency, then their terms in order of frequency
    everything = summary[summary["attribution"] == "all"]
    assert everything["soc"].tolist()[1:] == ["GI", "GI", "GI", "Blood", "Blood"] + 2 * [
        "Not coded"
    ]


def test_adverse_event_grade_outside_ctcae_is_reported() -> None:
    events = pd.DataFrame({"patient_id": ["A"], "term": ["Rash"], "grade": ["6"]})
    with pytest.raises(InputError, match=r"grade '6' is not a CTCAE v5\.0 grade"):
        validate_grades(events, "ae.tsv")


def test_adverse_event_table_layout() -> None:
    """Table 5 shows SOC rows with their terms indented, all and treatment-related AEs as
    column groups; a term without related events shows 0 there, not a dash."""
    from her2resist.report.layout import render
    from her2resist.report.trial_tables import adverse_event_spec

    events = pd.DataFrame(
        {
            "patient_id": ["A", "B"],
            "term": ["Diarrhea", "Fatigue"],
            "grade": ["3", "1"],
            "related": ["yes", "no"],
            "soc": ["Gastrointestinal disorders", "General disorders"],
        }
    )
    rendered = render(adverse_event_spec(summarise(validate_grades(events, "ae.tsv"), 4)))
    assert rendered.header_rows[0][1] == "All adverse events, n (%)"
    assert rendered.header_rows[0][7] == "Treatment-related, n (%)"
    assert [row[0] for row in rendered.body] == [
        "Any adverse event",
        "Gastrointestinal disorders",
        "Diarrhea",
        "General disorders",
        "Fatigue",
    ]
    assert rendered.indents == [0, 0, 1, 0, 1]
    fatigue = rendered.body[4]
    assert fatigue[1] == "1 (25.0)" and fatigue[7] == "0 (0.0)"  # any grade: all vs related
    assert rendered.body[2][6] == "1 (25.0)" and rendered.body[2][12] == "1 (25.0)"  # grade >= 3
