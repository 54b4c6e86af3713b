"""Dates of birth: a date only counts when context says it is a birth date."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from .base import Candidate, Detector, Hit, context, has_context

_CONTEXT = context(r"\bdob\b|d\.o\.b|date of birth|birth ?date|\bborn\b|birthday|\bd/o/b\b")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")
_WORDY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]{3})[a-z]* (\d{4})$")
# Whole month names or their abbreviations: an open-ended '[a-z]*' after the month makes
# hyperscan's start-of-match tracking some 20 times slower on running text.
_MONTH_NAMES = (
    "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)


def parse_uk_date(text: str) -> dt.date | None:
    """Parse day-first numeric, ISO and '3 March 1980' dates; ``None`` if not a date."""
    text = text.strip()
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.match(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := _WORDY.match(text):
            month = _MONTHS.get(m[2].lower())
            return dt.date(int(m[3]), month, int(m[1])) if month else None
    except ValueError:
        return None
    return None


def plausible_birth_date(date: dt.date) -> bool:
    """Between 1900 and the end of 2025 (the archive predates the scan)."""
    return dt.date(1900, 1, 1) <= date <= dt.date(2025, 12, 31)


class DateOfBirthDetector(Detector):
    """Numeric, ISO and written dates next to DOB / born / a date-of-birth column."""

    name = "date_of_birth"
    category = "date_of_birth"
    kernel = "date_of_birth"
    patterns: ClassVar[tuple[str, ...]] = (
        r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}\b",
        r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b",
        rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH_NAMES} (?:19|20)\d{{2}}\b",
    )
    header_words = ("dob", "date of birth", "birth date", "birthdate", "d.o.b")

    def validate(self, cand: Candidate) -> Hit | None:
        """Only with birth context, and only a real, plausible date."""
        if not has_context(cand, _CONTEXT, 30):
            return None
        date = parse_uk_date(cand.value)
        if date is None or not plausible_birth_date(date):
            return None
        return Hit(cand.value, date.isoformat(), 0.95)
