"""Dates of birth: every way a birth date is written, and never another kind of date."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from incidentroom.scanner.detect.detectors.base import scan_date
from incidentroom.scanner.detect.detectors.date_of_birth import DateOfBirthDetector, parse_uk_date
from tests.helpers.detector_vectors import assert_found_in_every_spelling, found_in_text

CATEGORY = "date_of_birth"
BORN = dt.date(1972, 11, 22)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


def written_forms(date: dt.date) -> list[str]:
    """Day first with / . -; ISO; month names whole or short in any case; Excel's default."""
    d, m, y = date.day, date.month, date.year
    name = MONTHS[m - 1]
    short = name[:3]
    forms = [
        f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d:02d}-{m:02d}-{y}",
        date.isoformat(),
    ]
    forms += [f"{d} {name} {y}", f"{d} {short} {y}", f"{d:02d}-{short}-{y}", f"{d}-{short.lower()}-{y}",
              f"{d} {name.lower()} {y}", f"{d} {name.upper()} {y}", f"{d} {short}. {y}", f"{name} {d}, {y}"]  # fmt: skip
    return forms


def test_the_docstring_names_the_rule() -> None:
    doc = DateOfBirthDetector.__doc__ or ""
    assert "day first" in doc and "date of death" in doc


@pytest.mark.parametrize("date", [BORN, dt.date(1931, 12, 19), dt.date(2001, 2, 3), dt.date(1999, 12, 31)])
def test_every_written_form_beside_birth_context_in_every_spelling(date: dt.date) -> None:
    for written in written_forms(date):
        assert_found_in_every_spelling(written, CATEGORY, date.isoformat(), label="DOB", header="Date of birth",
                                       bare=False)  # fmt: skip


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("11/22/1972", "1972-11-22"),  # month first: the only possible reading
        ("22-Nov-72", "1972-11-22"),  # Excel's default with a two-digit year
        ("22/11/72", "1972-11-22"),
        ("03/04/05", "2005-04-03"),  # 2005 is not in the future: that century
        ("1 jan 99", "1999-01-01"),
    ],
)
def test_month_first_and_two_digit_years(written: str, expected: str) -> None:
    got = found_in_text(f"DOB {written}", CATEGORY)
    assert [f.normalised for f in got] == [expected]


def test_a_two_digit_year_takes_the_century_that_is_not_in_the_future() -> None:
    today = dt.date(2026, 11, 30)
    assert parse_uk_date("30/11/26", today) == dt.date(2026, 11, 30)
    assert parse_uk_date("01/12/26", today) == dt.date(1926, 12, 1)
    assert parse_uk_date("01/01/27", today) == dt.date(1927, 1, 1)
    # And from the day the scan runs, not a fixed year.
    next_year = scan_date().year + 1
    assert parse_uk_date(f"01/01/{next_year % 100:02d}") == dt.date(next_year - 100, 1, 1)


def test_the_scan_date_is_today_in_the_uk_and_moves_on_at_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    from zoneinfo import ZoneInfo

    from incidentroom.scanner.detect.detectors import base

    assert scan_date() == dt.datetime.now(ZoneInfo("Europe/London")).date()
    # Remembered until the UK midnight that ends the day, then read again.
    monkeypatch.setattr(base, "_TODAY", [(dt.date(1999, 12, 31), time.time() + 60)])
    assert scan_date() == dt.date(1999, 12, 31)
    monkeypatch.setattr(base, "_TODAY", [(dt.date(1999, 12, 31), time.time() - 1)])
    assert scan_date() == dt.datetime.now(ZoneInfo("Europe/London")).date()
    today, until = base._TODAY[0]
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo("Europe/London"))
    assert until == midnight.timestamp()


@pytest.mark.parametrize(
    "text",
    [
        "1985-01-01 is my birthday",
        "22/11/1972 (date of birth)",
        "22 Nov 1972 - DOB",
        "He was 22.11.1972 born",
    ],
)
def test_context_after_the_date(text: str) -> None:
    assert len(found_in_text(text, CATEGORY)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Date of death: 02/03/2024",
        "DOB 19/12/1931. Date of death 02/03/2024",  # the second date is the death
        "DOB 19/12/1931, died 02/03/2024",
        "Born 1931; deceased 02/03/2024",
        "DOB checked at appointment on 12/03/2024",
        "date of birth verified, appointment 14 Feb 2024",
        "Appt booked 01/02/2023 (DOB on file)",
        "visit on 01-02-2023 re DOB",
        "issued 01/02/2019, DOB unknown",
        "Letter sent 12/05/2021",  # no birth context at all
        "Payment of 12.05.21 received",
        "Invoice 2024-01-31 is overdue",
        "DOB 31/02/1980",  # no such day
        "DOB 01/01/1899",  # before 1900
        "DOB 01/01/2099",  # in the future
        "born 13/13/1980",
    ],
)
def test_other_dates_are_never_a_date_of_birth(text: str) -> None:
    assert [f.normalised for f in found_in_text(text, CATEGORY)] in ([], ["1931-12-19"]), text
    if "1931" not in text:
        assert found_in_text(text, CATEGORY) == [], text


def test_the_birth_date_beside_a_death_date_is_still_found() -> None:
    got = found_in_text("Deceased: Emrys Lloyd, DOB 19/12/1931, date of death 02/03/2024", CATEGORY)
    assert [f.normalised for f in got] == ["1931-12-19"]
