"""RECIST 1.1 derivation: every case of admiralonco's tests (pharmaverse/admiralonco,
tests/testthat/test-derive_param_{bor,confirmed_bor,confirmed_resp,clinbenefit}.R and
test-filter_pd.R), with their data and expected results, plus the workflow's own rules
(reference date, one response per date, unknown codes)."""

from __future__ import annotations

import pandas as pd
import pytest

from her2resist.clinical.recist import (
    MISSING,
    RecistSettings,
    best_overall_response,
    clinical_benefit_date,
    confirmed_best_overall_response,
    confirmed_response_date,
    filter_pd,
    first_response_date,
    prepare_visits,
)

# admiralonco's shared test ADSL (TRTSDT) and ADRS (PARAMCD OVR) of the BOR/CBOR/CRSP tests.
ADSL = pd.Series(
    pd.to_datetime(
        [
            "2020-01-01",
            "2019-12-12",
            "2019-11-11",
            "2019-12-30",
            "2020-01-01",
            "2020-02-02",
            "2020-02-02",
            "2020-04-01",
            "2020-02-01",
        ]
    ),
    index=[str(n) for n in range(1, 10)],
)
ADRS_ROWS = [
    ("1", "2020-01-01", "PR"),
    ("1", "2020-02-01", "CR"),
    ("1", "2020-02-16", "NE"),
    ("1", "2020-03-01", "CR"),
    ("1", "2020-04-01", "SD"),
    ("2", "2020-01-01", "SD"),
    ("2", "2020-02-01", "PR"),
    ("2", "2020-03-01", "SD"),
    ("2", "2020-03-13", "CR"),
    ("3", "2019-11-12", "CR"),
    ("3", "2019-12-02", "CR"),
    ("3", "2020-01-01", "SD"),
    ("4", "2020-01-01", "PR"),
    ("4", "2020-03-01", "SD"),
    ("4", "2020-04-01", "SD"),
    ("4", "2020-05-01", "PR"),
    ("4", "2020-05-15", "NON-CR/NON-PD"),
    ("5", "2020-01-01", "PR"),
    ("5", "2020-01-10", "SD"),
    ("5", "2020-01-20", "PR"),
    ("5", "2020-05-15", "NON-CR/NON-PD"),
    ("6", "2020-02-06", "PR"),
    ("6", "2020-02-16", "CR"),
    ("6", "2020-03-30", "PR"),
    ("7", "2020-02-06", "PR"),
    ("7", "2020-02-16", "CR"),
    ("7", "2020-04-01", "NE"),
    ("9", "2020-02-16", "PD"),
    ("9", "2020-03-06", "SD"),
]
# The PD parameter of the CBOR/CRSP tests (source_pd): subject 9 progressed 2020-02-16.
PD_DATES = pd.Series(pd.to_datetime(["2020-02-16"]), index=["9"])


def visits(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["patient_id", "date", "response"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def as_expected(derived: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    return {
        p: (r, None if pd.isna(d) else f"{d:%Y-%m-%d}")
        for p, r, d in zip(derived.index, derived["response"], derived["date"], strict=True)
    }


ADRS = visits(ADRS_ROWS)
# admiralonco runs these with ref_start_window = 28 (the SD minimum) and ref_confirm = 28.
DEFAULT = RecistSettings(confirmation_min_days=28, sd_min_days=28)


def test_confirmed_bor_test_1_default() -> None:
    """derive_param_confirmed_bor Test 1: default confirmed BOR (source_pd given)."""
    derived = confirmed_best_overall_response(filter_pd(ADRS, PD_DATES), ADSL, DEFAULT)
    assert as_expected(derived) == {
        "1": ("CR", "2020-02-01"),
        "2": ("SD", "2020-02-01"),
        "3": ("SD", "2020-01-01"),
        "4": ("SD", "2020-03-01"),
        "5": ("NON-CR/NON-PD", "2020-05-15"),
        "6": ("SD", "2020-03-30"),
        "7": ("NE", "2020-02-06"),
        "8": (MISSING, None),
        "9": ("PD", "2020-02-16"),
    }


def test_confirmed_bor_test_2_accept_sd_and_not_done() -> None:
    """derive_param_confirmed_bor Test 2: accept SD, ND handling (missing_as_ne: the
    workflow reports MISSING as NE itself, see test_endpoints_from_visits)."""
    rows = [r for r in ADRS_ROWS if r[0] != "7"] + [("7", "2020-04-02", "ND")]
    settings = RecistSettings(confirmation_min_days=14, sd_min_days=28, max_ne=0, accept_sd=True)
    derived = confirmed_best_overall_response(filter_pd(visits(rows), PD_DATES), ADSL, settings)
    assert as_expected(derived) == {
        "1": ("PR", "2020-01-01"),
        "2": ("PR", "2020-02-01"),
        "3": ("CR", "2019-11-12"),
        "4": ("SD", "2020-03-01"),
        "5": ("PR", "2020-01-01"),
        "6": ("SD", "2020-03-30"),
        "7": ("ND", "2020-04-02"),
        "8": (MISSING, None),
        "9": ("PD", "2020-02-16"),
    }


def test_confirmed_bor_test_3_invalid_response_is_left_out_with_a_warning() -> None:
    """derive_param_confirmed_bor Test 3 (and confirmed_resp Test 3): 'iCR' is not a
    RECIST 1.1 response. admiralonco stops; the issue asks for a warning naming the record
    and the record left out, as its templates leave out records without a valid response."""
    rows = [
        ("1", "2020-01-01", "PR"),
        ("1", "2020-02-01", "CR"),
        ("1", "2020-02-16", "NE"),
        ("1", "2020-03-01", "iCR"),
        ("1", "2020-04-01", "SD"),
    ]
    clean, warnings = prepare_visits(visits(rows), ADSL, "adrs.csv")
    assert list(clean["response"]) == ["PR", "CR", "NE", "SD"]
    assert len(warnings) == 1
    assert "'iCR'" in warnings[0].message and "patient '1', visit 2020-03-01" in warnings[0].message
    assert warnings[0].where == 5  # the file line of the fourth data row
    derived = confirmed_best_overall_response(clean, ADSL[["1"]], DEFAULT)
    # The CR of 2020-02-01 has no confirming CR left, so is SD (late enough); the PR of
    # 2020-01-01 is followed by CR 2020-02-01 (31 days) with nothing between: confirmed PR.
    assert as_expected(derived) == {"1": ("PR", "2020-01-01")}


def test_confirmed_bor_test_4_without_source_pd() -> None:
    """derive_param_confirmed_bor Test 4: no source_pd, so subject 9's SD after PD counts.
    (The workflow always stops at the first PD, as prepare_visits does; this is the
    function on its own.)"""
    derived = confirmed_best_overall_response(ADRS, ADSL, DEFAULT)
    assert as_expected(derived)["9"] == ("SD", "2020-03-06")
    assert as_expected(derived)["1"] == ("CR", "2020-02-01")
    clean, _ = prepare_visits(ADRS, ADSL, "adrs.csv")
    assert as_expected(confirmed_best_overall_response(clean, ADSL, DEFAULT))["9"] == (
        "PD",
        "2020-02-16",
    )


BOR_ADSL = ADSL.drop("9")
BOR_ADRS = ADRS[ADRS["patient_id"] != "9"]
BOR_EXPECTED = {
    "1": ("CR", "2020-02-01"),
    "2": ("CR", "2020-03-13"),
    "3": ("CR", "2019-11-12"),
    "4": ("PR", "2020-01-01"),
    "5": ("PR", "2020-01-01"),
    "6": ("CR", "2020-02-16"),
    "7": ("CR", "2020-02-16"),
    "8": (MISSING, None),
}


def test_bor_test_1_no_source_pd() -> None:
    """derive_param_bor Test 1: default BOR, then subject 7 with only CR/PR records before
    the reference date (still counted by the function), then only SD ones (NE)."""
    assert as_expected(best_overall_response(BOR_ADRS, BOR_ADSL, 28)) == BOR_EXPECTED
    early = BOR_ADRS.copy()
    seven = early.index[early["patient_id"] == "7"]
    early.loc[seven, "date"] = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"])
    assert as_expected(best_overall_response(early, BOR_ADSL, 28))["7"] == ("CR", "2020-01-02")
    early.loc[seven, "response"] = "SD"
    assert as_expected(best_overall_response(early, BOR_ADSL, 28))["7"] == ("NE", "2020-01-01")
    # In the workflow those records lie before the reference date: left out, with warnings.
    clean, warnings = prepare_visits(early, BOR_ADSL, "adrs.csv")
    assert (clean["patient_id"] != "7").all()
    early_warnings = [w for w in warnings if "before the reference date" in w.message]
    assert len(early_warnings) == 3
    assert "patient '7', visit 2020-01-01: before the reference date 2020-02-02" in (
        early_warnings[0].message
    )
    # subject 6 (PR, CR, PR) also gets admiralonco's CR-followed-by-PR signal
    assert [w.message for w in warnings if w not in early_warnings] == [
        "patient '6', visit 2020-03-30: PR after the CR of 2020-02-16; check the record "
        "(used as PR)"
    ]
    assert as_expected(best_overall_response(clean, BOR_ADSL, 28))["7"] == (MISSING, None)


def test_bor_test_2_with_source_pd() -> None:
    """derive_param_bor Test 2: PD dates 2 -> 2020-03-01 (PR), 6 -> 2020-02-05 (MISSING)."""
    pd_dates = pd.Series(
        pd.to_datetime(["2020-02-16", "2020-03-01", "2020-02-05"]), ["9", "2", "6"]
    )
    derived = as_expected(best_overall_response(filter_pd(BOR_ADRS, pd_dates), BOR_ADSL, 28))
    assert derived == {**BOR_EXPECTED, "2": ("PR", "2020-02-01"), "6": (MISSING, None)}


def test_confirmed_resp_tests_1_and_2() -> None:
    """derive_param_confirmed_resp Test 1 (default) and Test 2 (accept SD, ref_confirm 14,
    max_nr_ne 0, subject 7 only ND)."""
    dates = confirmed_response_date(filter_pd(ADRS, PD_DATES), ADSL, DEFAULT)
    assert {p: f"{d:%Y-%m-%d}" for p, d in dates.dropna().items()} == {"1": "2020-01-01"}
    assert dates.isna().sum() == 8
    rows = [r for r in ADRS_ROWS if r[0] != "7"] + [("7", "2020-04-02", "ND")]
    settings = RecistSettings(confirmation_min_days=14, sd_min_days=28, max_ne=0, accept_sd=True)
    dates = confirmed_response_date(filter_pd(visits(rows), PD_DATES), ADSL, settings)
    assert {p: f"{d:%Y-%m-%d}" for p, d in dates.dropna().items()} == {
        "1": "2020-01-01",
        "2": "2020-02-01",
        "3": "2019-11-12",
        "5": "2020-01-01",
    }


CB_ADSL = pd.Series(
    pd.to_datetime(
        [
            "2020-12-06",
            "2021-01-16",
            "2021-01-09",
            "2021-04-21",
            "2021-06-10",
            "2021-07-04",
            "2021-07-01",
        ]
    ),
    index=["01", "02", "03", "04", "05", "06", "07"],
)
CB_OVR = [
    ("01", "2021-03-07", "SD"),
    ("01", "2021-04-08", "PR"),
    ("02", "2021-03-07", "SD"),
    ("02", "2021-04-07", None),
    ("02", "2021-05-07", "PD"),
    ("03", "2021-01-30", "SD"),
    ("04", "2021-05-21", "NE"),
    ("04", "2021-06-30", "NA"),
    ("04", "2021-07-24", "NE"),
    ("04", "2021-09-30", "ND"),
    ("06", "2021-08-20", "PD"),
    ("06", "2021-09-22", "SD"),
    ("07", "2021-12-05", "NON-CR/NON-PD"),
]
# The RSP parameter (source_resp): subject 01 responded on 2021-04-08.
CB_RESPONSE = pd.Series(pd.to_datetime(["2021-04-08"]), index=["01"])
# The PD parameter (source_pd): subjects 02 and 06.
CB_PD = pd.Series(pd.to_datetime(["2021-05-07", "2021-08-20"]), index=["02", "06"])


def test_clinbenefit_tests_1_and_2() -> None:
    """derive_param_clinbenefit Test 1 (source_pd; NON-CR/NON-PD not a benefit value) and
    Test 2 (no source_pd; NON-CR/NON-PD a benefit value). The OVR records without a
    response (NA, "NA") are left out with a warning by prepare_visits."""
    ovr = visits(CB_OVR)
    ovr = ovr[ovr["response"].map(lambda r: r is not None and r != "NA")]
    first = clinical_benefit_date(filter_pd(ovr, CB_PD), CB_ADSL, CB_RESPONSE, 28)
    assert {p: f"{d:%Y-%m-%d}" for p, d in first.dropna().items()} == {
        "01": "2021-03-07",
        "02": "2021-03-07",
    }
    second = clinical_benefit_date(
        ovr, CB_ADSL, CB_RESPONSE, 28, values=("CR", "PR", "SD", "NON-CR/NON-PD")
    )
    assert {p: f"{d:%Y-%m-%d}" for p, d in second.dropna().items()} == {
        "01": "2021-03-07",
        "02": "2021-03-07",
        "06": "2021-09-22",
        "07": "2021-12-05",
    }
    _, warnings = prepare_visits(visits(CB_OVR), CB_ADSL, "adrs.csv")
    assert [w.where for w in warnings] == [5, 9]
    assert all("left out of the derivation" in w.message for w in warnings)


def test_filter_pd_test_1() -> None:
    """filter_pd Test 1: records after the first PD date are removed (the PD record kept)."""
    ovr = visits(
        [
            ("01-701-1015", "2016-01-25", "CR"),
            ("01-701-1015", "2016-02-22", "PD"),
            ("01-701-1034", "2015-12-07", "SD"),
            ("01-701-1034", "2016-04-25", "PD"),
            ("01-701-1034", "2016-06-25", "PD"),
            ("01-701-1035", "2016-04-25", "SD"),
            ("01-701-1035", "2016-06-25", "PR"),
        ]
    )
    pd_dates = pd.Series(
        pd.to_datetime(["2016-02-22", "2016-04-25"]), ["01-701-1015", "01-701-1034"]
    )
    kept = filter_pd(ovr, pd_dates)
    assert list(kept.index) == [0, 1, 2, 3, 5, 6]


def test_worst_response_per_date_is_used_with_a_warning() -> None:
    rows = [("1", "2020-02-01", "PR"), ("1", "2020-02-01", "PD"), ("1", "2020-03-01", "PR")]
    clean, warnings = prepare_visits(visits(rows), ADSL, "visits.tsv")
    # PD wins the date, and nothing after the first PD is used.
    assert list(clean["response"]) == ["PD"]
    assert len(warnings) == 1 and "two responses on one date (PR, PD); PD is used" in (
        warnings[0].message
    )
    assert warnings[0].where == 2


def test_confirmation_needs_the_minimum_interval() -> None:
    """PR at day 42 and PR at day 69 (27 days): not confirmed; at day 70 (28 days): PR."""
    start = pd.Series(pd.to_datetime(["2022-01-01"]), index=["A"])
    for day, expected in ((69, "SD"), (70, "PR")):
        rows = [
            ("A", "2022-02-12", "PR"),
            ("A", f"{pd.Timestamp('2022-01-01') + pd.Timedelta(days=day):%Y-%m-%d}", "PR"),
        ]
        derived = confirmed_best_overall_response(visits(rows), start, RecistSettings())
        assert derived["response"]["A"] == expected


@pytest.mark.parametrize(("day", "expected"), [(41, "NE"), (42, "SD")])
def test_sd_needs_sd_min_days(day: int, expected: str) -> None:
    start = pd.Series(pd.to_datetime(["2022-01-01"]), index=["A"])
    date = pd.Timestamp("2022-01-01") + pd.Timedelta(days=day)
    derived = best_overall_response(visits([("A", f"{date:%Y-%m-%d}", "SD")]), start, 42)
    assert derived["response"]["A"] == expected


def test_sd_without_a_reference_date_is_ne_confirmed_or_not() -> None:
    """Its duration cannot be measured: both derivations say NE (the clinical reader stops on
    a missing reference date; this is the library's answer when called directly)."""
    start = pd.Series(pd.to_datetime([None]), index=["A"])
    rows = visits([("A", "2022-03-01", "SD")])
    assert best_overall_response(rows, start, 42)["response"]["A"] == "NE"
    assert confirmed_best_overall_response(rows, start, RecistSettings())["response"]["A"] == "NE"


def test_signal_crpr_test_1_pr_after_cr_is_a_warning() -> None:
    """signal_crpr Test 1 (test-check_crpr.R): subject 2 has a PR after a CR; subject 1's PR
    comes before its CR."""
    rows = [
        ("1", "2020-01-01", "PR"),
        ("1", "2020-02-01", "CR"),
        ("1", "2020-02-16", "NE"),
        ("1", "2020-03-01", "CR"),
        ("1", "2020-04-01", "SD"),
        ("2", "2020-02-06", "PR"),
        ("2", "2020-02-16", "CR"),
        ("2", "2020-03-30", "PR"),
    ]
    start = pd.Series(pd.to_datetime(["2019-12-01", "2020-02-01"]), index=["1", "2"])
    clean, warnings = prepare_visits(visits(rows), start, "adrs.csv")
    assert len(clean) == 8
    assert [(w.where, w.message) for w in warnings] == [
        (
            9,
            "patient '2', visit 2020-03-30: PR after the CR of 2020-02-16; check the record "
            "(used as PR)",
        )
    ]


def test_derive_param_response_tests_1_and_2() -> None:
    """derive_param_response Test 1 (source_pd: subject 3's CR after its PD does not count)
    and Test 2 (no source_pd: it does): the first CR/PR, unconfirmed."""
    rows = [
        ("1", "2020-01-02", "PR"),
        ("1", "2020-02-01", "CR"),
        ("1", "2020-03-01", "CR"),
        ("1", "2020-04-01", "SD"),
        ("2", "2021-06-15", "SD"),
        ("2", "2021-07-16", "PD"),
        ("2", "2021-09-14", "PD"),
        ("3", "2021-09-14", "SD"),
        ("3", "2021-10-30", "PD"),
        ("3", "2021-12-25", "CR"),
    ]
    subjects = ["1", "2", "3", "4"]
    pd_dates = pd.Series(pd.to_datetime(["2021-09-14", "2021-10-30"]), index=["2", "3"])
    with_pd = first_response_date(filter_pd(visits(rows), pd_dates), subjects)
    assert {p: f"{d:%Y-%m-%d}" for p, d in with_pd.dropna().items()} == {"1": "2020-01-02"}
    without = first_response_date(visits(rows), subjects)
    assert {p: f"{d:%Y-%m-%d}" for p, d in without.dropna().items()} == {
        "1": "2020-01-02",
        "3": "2021-12-25",
    }
