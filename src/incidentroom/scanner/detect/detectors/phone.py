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


# An extension joined on ('x123', 'ext.123', '#123'): not part of the number.
_EXTENSION = r"(?:[ ]?(?:[xX]|[eE][xX][tT]\.?|#)[ ]?\d{1,6})?"
_EXTENSION_START = re.compile(r"[xXeE#]")


@lru_cache(maxsize=65536)
def normalise_uk_phone(raw: str) -> str | None:
    """E.164 form of a valid UK number (any extension dropped), or ``None``. Cached: numbers recur a lot."""
    cut = _EXTENSION_START.search(raw)
    number = raw[: cut.start()] if cut else raw
    compact = digits(number)
    if raw.lstrip().startswith("+") or compact.startswith("0044"):
        # International form: drop the 44 (and a '(0)' trunk prefix).
        national = compact.removeprefix("00").removeprefix("44").removeprefix("0")
    elif compact.startswith("0"):
        national = compact[1:]
    elif compact.startswith("44") and len(compact) in (11, 12) and number == compact:
        # '447700900123': the international form without its '+', as SMS gateways and
        # telephony exports write it (one run of digits only).
        national = compact[2:]
    else:
        return None
    if not 7 <= len(national) <= 10 or uk_number_pattern().fullmatch(national) is None:
        return None
    return f"+44{national}"


class UkPhoneDetector(Detector):
    """UK telephone numbers as people and systems write them.

    The rule followed is Ofcom's National Telephone Numbering Plan, through
    phonenumbers' metadata for GB and the Crown dependencies (valid ranges and lengths
    per number type). Written nationally (``020 7946 0958``, ``(020) 7946 0958``),
    internationally (``+44 20 7946 0958``, ``+44-20-7946-0958``, ``+44 (0)20 ...``,
    ``+44 (20) ...``, ``0044 ...``), as one run of digits with no plus
    (``447700900123``), inside ``tel:`` links, with an extension joined on
    (``x123``, ``ext.123``, ``#123``; dropped from the normalised number).
    """

    name = "uk_phone"
    context_free = True
    kernel = "phone"
    category = "phone"
    patterns: ClassVar[tuple[str, ...]] = (
        rf"(?:\+|\b00)44[ -]?(?:\(0\)[ -]?)?(?:\(\d{{1,5}}\)[ -]?)?\d(?:[ -]?\d){{5,9}}{_EXTENSION}\b",
        rf"\b0\d(?:[ -]?\d){{8,9}}{_EXTENSION}\b",
        rf"\(0\d{{2,4}}\)[ ]?\d{{3,4}}[ -]?\d{{3,4}}{_EXTENSION}\b",
        r"\b44[1-9]\d{8,9}\b",
    )
    header_words = ("phone", "tel", "mobile", "telephone", "contact number")

    def validate(self, cand: Candidate) -> Hit | None:
        """Accept numbers the UK numbering plan says are valid."""
        raw = cand.value
        normalised = normalise_uk_phone(raw)
        if normalised is None:
            return None
        return Hit(raw, normalised, 0.9)
