"""UK telephone numbers validated against the numbering plan (phonenumbers, region GB)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

import phonenumbers

from .base import Candidate, Detector, Hit, digits

_UK_REGIONS = ("GB", "GG", "JE", "IM")


@lru_cache(maxsize=65536)
def normalise_uk_phone(raw: str) -> str | None:
    """E.164 form of a valid UK number, or ``None``. Cached: numbers recur a lot."""
    compact = digits(raw)
    if raw.lstrip().startswith("+") or compact.startswith("0044"):
        # International form: drop the 44 (and a '(0)' trunk prefix) for a national string.
        compact = "0" + compact.removeprefix("00").removeprefix("44").removeprefix("0")
    try:
        number = phonenumbers.parse(compact, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44:
        return None
    # is_valid_number() first works out the region by trying every region that shares
    # +44; asking about GB (then the Crown dependencies) directly is several times faster.
    if not any(phonenumbers.is_valid_number_for_region(number, region) for region in _UK_REGIONS):
        return None
    return f"+44{number.national_number}"


class UkPhoneDetector(Detector):
    """National (0...), international (+44 / 0044) and bracketed area-code forms."""

    name = "uk_phone"
    context_free = True
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
        normalised = normalise_uk_phone(raw)
        if normalised is None:
            return None
        return Hit(raw, normalised, 0.9)
