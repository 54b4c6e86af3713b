"""National Insurance numbers under HMRC's prefix rules."""

from __future__ import annotations

from typing import ClassVar

from .base import Candidate, Detector, Hit

# HMRC never issues these prefixes (administrative or reserved).
_BANNED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def is_valid_nino(value: str) -> bool:
    """True for a NINO whose letters obey HMRC's allocation rules."""
    compact = value.replace(" ", "").replace("-", "").upper()
    if len(compact) != 9 or not compact[2:8].isdigit() or compact[8] not in "ABCD":
        return False
    first, second = compact[0], compact[1]
    if first in "DFIQUV" or second in "DFIOQUV":
        return False
    return compact[:2] not in _BANNED_PREFIXES


class NationalInsuranceDetector(Detector):
    """Two prefix letters, six digits, suffix A-D, any case, with optional spaces or hyphens."""

    name = "uk_nino"
    context_free = True
    category = "national_insurance_number"
    kernel = "national_insurance"
    patterns: ClassVar[tuple[str, ...]] = (
        # Typed in lower case ('jk493021b') or hyphenated ('JK-49-30-21-D') as well.
        r"(?i)\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D]\b",
    )
    header_words = ("national insurance", "ni number", "nino", "ni no")

    def validate(self, cand: Candidate) -> Hit | None:
        """Reject banned prefixes; everything else is structurally valid."""
        if not is_valid_nino(cand.value):
            return None
        return Hit(cand.value, cand.value.replace(" ", "").replace("-", "").upper(), 0.95)
