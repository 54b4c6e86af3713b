"""DVLA driving licence numbers by DVLA's driver number format, in every spelling."""

from __future__ import annotations

import datetime as dt

import pytest

from incidentroom.scanner.detect.detectors.driving_licence import DrivingLicenceDetector, licence_matches
from tests.helpers.detector_vectors import assert_found_in_every_spelling, assert_nowhere, found_in_text

CATEGORY = "driving_licence_number"


def licence(surname: str, born: dt.date, female: bool, initials: str, check: str = "IJ") -> str:
    """DVLA's layout: surname (5, 9-padded at the end), decade, month (+50), day, year, initials, 9, check."""
    letters = (surname.upper() + "99999")[:5]
    month = born.month + (50 if female else 0)
    return f"{letters}{born.year % 100 // 10}{month:02d}{born.day:02d}{born.year % 10}{(initials + '9')[:2]}9{check}"


VALID = [
    licence("Morgan", dt.date(1976, 3, 11), True, "SM"),  # MORGA753116SM9IJ, the card
    licence("Mo", dt.date(1985, 12, 31), False, "J"),  # short surname: MO999
    licence("Li", dt.date(1990, 1, 1), True, "XY", "AB"),
    licence("Wu", dt.date(2001, 7, 4), False, "A"),
    licence("Fitzgerald", dt.date(1948, 10, 20), False, "PJ", "KL"),
]


def printed(number: str) -> list[str]:
    """As written: compact, in the card's groups, with the two-digit issue number joined or apart."""
    grouped = f"{number[:5]} {number[5:11]} {number[11:]}"
    return [number, grouped, f"{grouped} 35", f"{number}35", f"{number} 35"]


def test_the_docstring_names_dvlas_rule() -> None:
    assert "DVLA" in (DrivingLicenceDetector.__doc__ or "")
    assert VALID[0] == "MORGA753116SM9IJ"


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_are_found_as_printed_in_every_case_and_spelling(number: str) -> None:
    for written in printed(number):
        for cased in (written, written.lower()):
            assert_found_in_every_spelling(
                cased, CATEGORY, number, label="driving licence", header="Driving licence number"
            )


@pytest.mark.parametrize(
    "number",
    [
        "MO9G9753116SM9IJ",  # a padding 9 before a letter: 9s only at the end of the surname
        "M9999753116SM9IJ".replace("M9999", "99999"),  # no letter at all
        "9ORGA753116SM9IJ",
        "MORGA713116SM9IJ",  # month 13
        "MORGA763116SM9IJ",  # month 63 (13 + 50)
        "MORGA700006SM9IJ",  # day 00
        "MORGA753326SM9IJ",  # day 33
        "MORGA75311699SM9IJ"[:16],  # first initial a 9
        "MORGA753116SM9I1",  # a digit among the check letters
    ],
)
def test_numbers_breaking_the_format_are_never_found(number: str) -> None:
    for written in printed(number):
        assert_nowhere(written, CATEGORY, label="licence", header="Driving licence number")


def test_the_cross_check_folds_accents_and_mac() -> None:
    born = dt.date(1976, 3, 11)
    assert licence_matches(licence("Bronte", born, True, "Z"), "Brontë-Hughes", born)
    assert licence_matches(licence("Wisni", born, False, "L"), "Wiśniewski", born)
    assert licence_matches(licence("McDon", born, False, "A"), "MacDonald", born)
    assert not licence_matches(licence("Smith", born, False, "A"), "Jones", born)


@pytest.mark.parametrize("text", ["ref ABCDE123456AB1CD", "MORGA7531160SM9IJ", "code MORGA 7531 16SM9IJ"])
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []
