"""UK telephone numbers validated against the numbering plan (phonenumbers, region GB)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

import phonenumbers

from .base import Candidate, Detector, Hit, digits

_UK_REGIONS = frozenset({"GB", "GG", "JE", "IM"})


@lru_cache(maxsize=65536)
def normalise_uk_phone(raw: str) -> str | None:
    """E.164 form of a valid UK number, or ``None``. Cached: numbers recur a lot."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.region_code_for_number(number) not in _UK_REGIONS:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class UkPhoneDetector(Detector):
    """National (0...), international (+44 / 0044) and bracketed area-code forms."""

    name = "uk_phone"
    category = "phone"
    patterns: ClassVar[tuple[str, ...]] = (
        r"(?:\+|\b00)44[ ]?(?:\(0\)[ ]?)?\d(?:[ -]?\d){8,9}\b",
        r"\b0\d(?:[ -]?\d){8,9}\b",
        r"\(0\d{2,4}\)[ ]?\d{3,4}[ -]?\d{3,4}\b",
    )
    header_words = ("phone", "tel", "mobile", "telephone", "contact number")

    def validate(self, cand: Candidate) -> Hit | None:
        """Accept numbers the GB numbering plan says are valid."""
        raw = cand.value
        if len(digits(raw)) < 10:
            return None
        normalised = normalise_uk_phone(raw)
        if normalised is None:
            return None
        return Hit(raw, normalised, 0.9)
