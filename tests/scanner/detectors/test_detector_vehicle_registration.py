"""Vehicle registration marks by DVLA's formats (INF104), in every spelling."""

from __future__ import annotations

import datetime as dt

import pytest

from incidentroom.scanner.detect import _fastdetect
from incidentroom.scanner.detect.detectors.base import scan_date
from incidentroom.scanner.detect.detectors.vehicle_registration import (
    CURRENT,
    VehicleRegistrationDetector,
    age_issue,
    judge_mark,
    latest_age_issue,
)
from tests.helpers.detector_vectors import assert_found_in_every_spelling, assert_nowhere, found_in_text

CATEGORY = "vehicle_registration"


def issued_codes(today: dt.date) -> list[int]:
    """The age identifiers DVLA has issued by ``today``: 51 (Sept 2001), 02 (March 2002), ..."""
    codes = []
    for year in range(2001, today.year + 1):
        if year > 2001 and dt.date(year, 3, 1) <= today:
            codes.append(year - 2000)
        if dt.date(year, 9, 1) <= today:
            codes.append(year - 2000 + 50)
    return codes


def test_the_docstring_names_dvlas_rule() -> None:
    assert "DVLA" in (VehicleRegistrationDetector.__doc__ or "") + (judge_mark.__module__ and __doc__ or "")
    import incidentroom.scanner.detect.detectors.vehicle_registration as module

    assert "INF104" in (module.__doc__ or "")


def test_age_identifiers_are_valid_up_to_the_scan_date() -> None:
    # The rule, checked on fixed dates: a March plate from 1 March, a September plate from 1 September.
    for today in (dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 8, 31), dt.date(2026, 9, 1),
                  dt.date(2027, 3, 1), dt.date(2049, 9, 1), dt.date(2050, 9, 1)):  # fmt: skip
        latest = latest_age_issue(today)
        issued = (
            set(issued_codes(today))
            | ({0} if today >= dt.date(2050, 3, 1) else set())
            | ({50} if today >= dt.date(2050, 9, 1) else set())
        )
        for code in range(100):
            mark = f"AB{code:02d}CDE"
            expected = (mark, CURRENT) if code in issued else None
            assert judge_mark(mark, latest) == expected, (today, code)
            assert _fastdetect.judge_mark(mark.encode(), latest) == expected, (today, code)
    assert age_issue(1) is None  # 01 was never issued


def test_this_years_plates_are_found_today_and_next_years_are_not() -> None:
    # Computed from the day the test runs, as the detector computes from the day the scan runs.
    today = scan_date()
    for code in issued_codes(today)[-2:]:
        assert [f.normalised for f in found_in_text(f"plate AB{code:02d} CDE seen", CATEGORY)] == [
            f"AB{code:02d}CDE"
        ]
    upcoming = (today.year + 1 - 2000) if today.month >= 3 else today.year - 2000
    assert found_in_text(f"plate AB{upcoming:02d} CDE seen", CATEGORY) == []
    if today >= dt.date(2026, 9, 1):
        assert found_in_text("AB26 CDE and AB76 CDE", CATEGORY) != []
        assert len(found_in_text("AB26 CDE and AB76 CDE", CATEGORY)) == 2


CURRENT_MARKS = ["LN14 HGT", "BD51 SMR", "AB02 CDE", "YA19 XYZ", "GX65 WLM", "KM25 NXP"]


@pytest.mark.parametrize("mark", CURRENT_MARKS)
def test_current_marks_are_found_in_every_case_separator_and_spelling(mark: str) -> None:
    compact = mark.replace(" ", "")
    for written in (
        mark,
        compact,
        mark.replace(" ", "-"),
        mark.lower(),
        compact.lower(),
        mark[:4] + mark[4:].lower(),
    ):
        assert_found_in_every_spelling(
            written, CATEGORY, compact, label="vehicle", header="Vehicle registration"
        )


@pytest.mark.parametrize(
    "mark", ["A123 BCD", "P7 KLM", "ABC 123D", "PXW 9A", "IB 1234", "AZ 123", "CIZ 4521"]
)
def test_older_and_northern_ireland_marks_need_vehicle_context(mark: str) -> None:
    compact = mark.replace(" ", "")
    forms = [mark, compact] + ([mark.replace(" ", "-")] if not mark[1:3].isalpha() or mark[2] == " " else [])
    for written in forms:
        if "-" in written and ("I" in written[:3] or "Z" in written[:3]) and written[3:4].isdigit():
            continue  # Northern Ireland marks are written with a space or none
        assert_found_in_every_spelling(
            written, CATEGORY, compact, label="vehicle reg", header="Vehicle registration", bare=False
        )
        assert found_in_text(f"form {written} attached", CATEGORY) == []


@pytest.mark.parametrize(
    "text",
    [
        "vehicle IB51 ABC",  # a malformed current mark: not also a Northern Ireland mark 'IB51'
        "car reg IB51-ABC",
        "vehicle AB01 CDE",  # 01 was never issued
        "vehicle AB51 ABI",  # I never among the random letters
        "vehicle AB51 QBC",
        "vehicle ZB51 ABC",  # Z never an area letter
        "invoice 2024 total 51.25",
        "in 2020 the car was sold",
    ],
)
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []


def test_a_mark_in_a_table_cell_and_prose() -> None:
    assert_nowhere("AB01 CDE", CATEGORY, label="vehicle", header="Vehicle registration")
