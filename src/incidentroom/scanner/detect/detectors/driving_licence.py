"""DVLA driving licence numbers (16 characters encoding surname, birth date and initials)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import ClassVar

from .base import WORD_BYTES, Candidate, Detector, Hit


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
    # DVLA writes the surname in A-Z only: accents dropped ('Brontë' -> BRONT), and a
    # leading MAC written MC.
    folded = unicodedata.normalize("NFKD", surname.upper())
    letters = "".join(ch for ch in folded if "A" <= ch <= "Z")
    if letters.startswith("MAC"):
        letters = "MC" + letters[3:]
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


# Characters 1-5: the surname's first five letters, padded with 9s only at the end
# ('MO999' for Mo); 12-13: the initials, the second a 9 when there is none; 14: a digit;
# 15-16: two check letters.
_SURNAME_FIELD = re.compile(r"[A-Z]{5}|[A-Z]{4}9|[A-Z]{3}99|[A-Z]{2}999|[A-Z]9999")
_TAIL_FIELDS = re.compile(r"[A-Z][A-Z9]\d[A-Z]{2}")


def compact_licence(value: str) -> str | None:
    """The 16-character licence number in ``value`` (spaces and the issue number dropped), if valid."""
    compact = value.replace(" ", "").upper()
    if len(compact) == 18:
        compact = compact[:16]  # the two-digit issue number printed after it on the card
    if len(compact) != 16 or not _SURNAME_FIELD.fullmatch(compact[:5]):
        return None
    if licence_birth_fields(compact) is None or not _TAIL_FIELDS.fullmatch(compact[11:]):
        return None
    return compact


class DrivingLicenceDetector(Detector):
    """DVLA driving licence numbers; the surname/date-of-birth cross-check runs per record.

    The rule followed is DVLA's driver number format (16 characters): the surname's
    first five letters padded with 9s at the end only, the decade digit, the birth
    month (plus 50 for women), the day, the year digit, two initials (9 for none), a
    digit and two check letters. Any letter case; as printed on the card, in groups
    (``MORGA 753116 SM9IJ 35``), with or without the two-digit issue number.
    """

    name = "uk_driving_licence"
    category = "driving_licence_number"
    kernel = "driving_licence"
    # Anchored at the birth digits, which are rare; the surname field is read backwards
    # in validate(). An expression starting with the five letters, in any case, keeps
    # hyperscan busy on every word of running text (it made the whole pass a fifth slower).
    patterns: ClassVar[tuple[str, ...]] = (r"(?i)\d[0156]\d[0-3]\d\d ?[A-Z9]{2}\d[A-Z]{2}(?: ?\d{2})?\b",)
    header_words = ("licence", "license", "dvla")

    def validate(self, cand: Candidate) -> Hit | None:
        """The surname field before the digits, the birth fields as a date, the initials and check fields."""
        data, start = cand.data, cand.start
        if start and data[start - 1] == 0x20:
            start -= 1  # the card prints a space after the surname field
        start -= 5
        if start < 0 or (start and data[start - 1] in WORD_BYTES):
            return None
        written = data[start : cand.end].decode("ascii", "replace")
        compact = compact_licence(written)
        if compact is None:
            return None
        return Hit(written, compact, 0.9, start=start, end=cand.end)
