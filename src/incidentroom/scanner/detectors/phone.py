"""UK telephone numbers validated against the numbering plan (phonenumbers' GB metadata)."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import ClassVar

from phonenumbers import PhoneMetadata

from .base import Candidate, Detector, Hit, digits

_UK_REGIONS = ("GB", "GG", "JE", "IM")


@cache
def uk_number_pattern() -> re.Pattern[str]:
    """One regex for every valid UK national significant number, from phonenumbers' metadata.

    ``phonenumbers.is_valid_number`` checks a number against the same per-type patterns
    (fixed line, mobile, VoIP, ...) one by one through several layers of Python; joining
    them for GB and the Crown dependencies gives the same answer in one regex match.
    """
    parts: list[str] = []
    for region in _UK_REGIONS:
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            raise RuntimeError(f"phonenumbers has no metadata for {region}")
        for desc in (
            metadata.fixed_line, metadata.mobile, metadata.toll_free, metadata.premium_rate, metadata.shared_cost,
            metadata.personal_number, metadata.voip, metadata.pager, metadata.uan, metadata.voicemail,
        ):  # fmt: skip
            if desc is not None and desc.national_number_pattern:
                parts.append(f"(?:{desc.national_number_pattern})")
    return re.compile("|".join(parts))


@lru_cache(maxsize=65536)
def normalise_uk_phone(raw: str) -> str | None:
    """E.164 form of a valid UK number, or ``None``. Cached: numbers recur a lot."""
    compact = digits(raw)
    if raw.lstrip().startswith("+") or compact.startswith("0044"):
        # International form: drop the 44 (and a '(0)' trunk prefix).
        national = compact.removeprefix("00").removeprefix("44").removeprefix("0")
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        return None
    if not 7 <= len(national) <= 10 or uk_number_pattern().fullmatch(national) is None:
        return None
    return f"+44{national}"


class UkPhoneDetector(Detector):
    """National (0...), international (+44 / 0044) and bracketed area-code forms."""

    name = "uk_phone"
    context_free = True
    kernel = "phone"
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
