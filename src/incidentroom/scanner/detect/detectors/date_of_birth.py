"""Dates of birth: a date only counts when context says it is a birth date."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar, Final

from .base import Candidate, Context, Detector, Hit, context, scan_date

_CONTEXT = context(r"\bdob\b|d\.o\.b|date of birth|birth ?date|\bborn\b|birthday|\bd/o/b\b")
# Other dates a record carries beside the birth date: when one of these is named after
# the last birth word before a date, the date is that one ('DOB 1/2/1931, died 3/4/2020').
_NOT_BIRTH = context(
    r"death|\bdied\b|deceased|\bdod\b|d\.o\.d|passed away|appointment|\bappt\b|booked|\bvisit|admitted"
    r"|discharged|\bissued|expir|start date|end date|renewal|\bdue\b"
)
# Context after the date, on the same line: '1985-01-01 is my birthday'.
_AFTER = context(r"birthday|\bdob\b|d\.o\.b|date of birth|birth ?date|\bborn\b")
AFTER_WIDTH = 30
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")
_WORDY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]{3})[a-z]*\.?,?[ -](\d{4}|\d{2})$", re.IGNORECASE)
_MONTH_FIRST = re.compile(r"([a-z]{3})[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$", re.IGNORECASE)
# Whole month names or their abbreviations: an open-ended '[a-z]*' after the month makes
# hyperscan's start-of-match tracking some 20 times slower on running text.
_MONTH_NAMES = (
    "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
EARLIEST = dt.date(1900, 1, 1)


def _year(text: str, month: int, day: int, today: dt.date) -> int:
    """A four-digit year; two digits take the century that does not put the date after ``today``."""
    year = int(text)
    if len(text) == 2:
        year += 2000
        try:
            if dt.date(year, month, day) > today:
                year -= 100
        except ValueError:
            pass
    return year


def parse_uk_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """Parse a written date; ``None`` if it is not one.

    Day first as UK practice is (``22/11/1972``, ``22.11.72``); month first only when
    the day-first reading is impossible (``11/22/1972``); ISO (``1972-11-22``); month
    names in any case, abbreviated or not (``22 Nov 1972``, Excel's ``22-Nov-1972``,
    ``3rd march 1975``, ``November 22, 1972``). A two-digit year takes the century
    that does not put the date after ``today`` (default: the day the scan runs).
    """
    text = text.strip()
    today = today or scan_date()
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.match(text):
            first, second = int(m[1]), int(m[2])
            day, month = (first, second) if second <= 12 else (second, first)
            return dt.date(_year(m[3], month, day, today), month, day)
        if m := _WORDY.match(text):
            named = _MONTHS.get(m[2].lower())
            return dt.date(_year(m[3], named, int(m[1]), today), named, int(m[1])) if named else None
        if m := _MONTH_FIRST.match(text):
            named = _MONTHS.get(m[1].lower())
            return dt.date(int(m[3]), named, int(m[2])) if named else None
    except ValueError:
        return None
    return None


def plausible_birth_date(date: dt.date, today: dt.date | None = None) -> bool:
    """From 1900 up to ``today`` (default: the day the scan runs); nobody is born in the future."""
    return EARLIEST <= date <= (today or scan_date())


def _last(pattern: re.Pattern[bytes], window: bytes) -> int:
    """Where the last match of ``pattern`` in ``window`` starts, or -1."""
    last = -1
    for match in pattern.finditer(window):
        last = match.start()
    return last


def birth_context(cand: Candidate) -> bool:
    """True when the date at ``cand`` is said to be a birth date.

    A date-of-birth column says so. Otherwise the last birth word in the 30 bytes
    before the date must come after any word naming another kind of date (death,
    appointment...); with no word of either kind before it, a birth word after it on
    the same line ('1985-01-01 is my birthday') says so.
    """
    if _CONTEXT.header.search(cand.header):
        return True
    before = cand.before(30)
    birth = _last(_CONTEXT.text, before)
    other = _last(_NOT_BIRTH.text, before)
    if birth > other:
        return True
    if other >= 0:
        return False
    return _AFTER.text.search(after_window(cand.data, cand.end)) is not None


def after_window(data: bytes, end: int) -> bytes:
    """The :data:`AFTER_WIDTH` bytes after a date up to the end of its line or cell, lower case."""
    window = data[end : end + AFTER_WIDTH]
    for stop in (b"\n", b"\x1e"):
        cut = window.find(stop)
        if cut != -1:
            window = window[:cut]
    return window.lower()


class DateOfBirthDetector(Detector):
    """Dates of birth: a real date, not in the future, that context says is a birth date.

    The rule followed: UK dates are written day first (BS EN 28601 for ISO dates;
    day-month-year otherwise, month first only when nothing else is possible); a date
    counts as a birth date only beside 'DOB', 'born', 'date of birth' (before it, or
    after it on its line) or in a date-of-birth column, and never when a date of death,
    an appointment or another dated event is named nearer to it.
    """

    # The rule's constants, public for other modules and the tests.
    CONTEXT: Final[Context] = _CONTEXT
    NOT_BIRTH: Final[Context] = _NOT_BIRTH
    AFTER: Final[Context] = _AFTER

    name = "date_of_birth"
    category = "date_of_birth"
    kernel = "date_of_birth"
    patterns: ClassVar[tuple[str, ...]] = (
        r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b",
        r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b",
        rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?[ -]{_MONTH_NAMES}\.?,?[ -](?:19|20)?\d{{2}}\b",
        rf"(?i)\b{_MONTH_NAMES}\.? \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}\b",
    )
    header_words = ("dob", "date of birth", "birth date", "birthdate", "d.o.b")

    def validate(self, cand: Candidate) -> Hit | None:
        """Only with birth context, and only a real, plausible date."""
        if not birth_context(cand):
            return None
        date = parse_uk_date(cand.value)
        if date is None or not plausible_birth_date(date):
            return None
        return Hit(cand.value, date.isoformat(), 0.95)
