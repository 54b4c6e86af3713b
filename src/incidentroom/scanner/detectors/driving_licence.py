"""DVLA driving licence numbers (16 characters encoding surname, birth date and initials)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from .base import Candidate, Detector, Hit


def licence_birth_fields(number: str) -> tuple[int, int, int] | None:
    """(decade+year digits, month, day) encoded in a licence, or ``None`` if impossible.

    Characters 6-11 are: decade digit, month (plus 50 for women), day, year digit.
    """
    body = number[5:11]
    if not body.isdigit():
        return None
    month = int(body[1:3])
    if month > 50:
        month -= 50
    day = int(body[3:5])
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return int(body[0] + body[5]), month, day


def licence_matches(number: str, surname: str, dob: dt.date | None) -> bool:
    """Cross-check a licence with a person's surname and date of birth where known."""
    letters = "".join(ch for ch in surname.upper() if ch.isalpha())
    expected = (letters[:5] + "99999")[:5]
    if letters and number[:5] != expected:
        return False
    fields = licence_birth_fields(number)
    if fields is None:
        return False
    if dob is not None:
        year2, month, day = fields
        if (year2, month, day) != (dob.year % 100, dob.month, dob.day):
            return False
    return True


class DrivingLicenceDetector(Detector):
    """Structure check here; the surname/date-of-birth cross-check runs per record."""

    name = "uk_driving_licence"
    context_free = True
    category = "driving_licence_number"
    patterns: ClassVar[tuple[str, ...]] = (r"\b[A-Z9]{5}\d[0156]\d[0-3]\d\d[A-Z9]{2}\d[A-Z]{2}\b",)
    header_words = ("licence", "license", "dvla")

    def validate(self, cand: Candidate) -> Hit | None:
        """Surname field must start with a letter and the birth fields must be a date."""
        value = cand.value.upper()
        if not value[0].isalpha() or licence_birth_fields(value) is None:
            return None
        return Hit(value, value, 0.9)
