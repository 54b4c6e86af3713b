"""National Insurance numbers under HMRC's prefix rules (HMRC National Insurance Manual NIM39110)."""

from __future__ import annotations

from typing import ClassVar, Final

from .base import Candidate, Detector, Hit

# HMRC never issues these prefixes (administrative or reserved).
_BANNED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
# Lower-case prefixes that are English words: 'on 12-03-19 a' is a date in a sentence.
_WORD_PREFIXES = frozenset(
    {"am", "an", "as", "at", "be", "by", "go", "he", "me", "my", "ok", "on", "or", "so", "to", "we"}
)


def is_valid_nino(value: str) -> bool:
    """True for a NINO whose letters obey HMRC's allocation rules (spaces and hyphens ignored)."""
    compact = value.replace(" ", "").replace("-", "").upper()
    if len(compact) != 9 or not compact[2:8].isdigit() or compact[8] not in "ABCD":
        return False
    first, second = compact[0], compact[1]
    if first in "DFIQUV" or second in "DFIOQUV":
        return False
    return compact[:2] not in _BANNED_PREFIXES


class NationalInsuranceDetector(Detector):
    """HMRC's format: two prefix letters, six digits, a suffix letter A-D.

    The rule followed is HMRC's National Insurance Manual (NIM39110): the first letter
    is never D, F, I, Q, U or V; the second never D, F, I, O, Q, U or V; the prefixes
    BG, GB, KN, NK, NT, TN and ZZ are never allocated; the suffix is A, B, C or D.
    Any letter case, and the groupings people write: pairs (``JK 49 30 21 D``), one
    block (``JK 493021 D``), threes (``AZ 123 456 A``), with spaces or hyphens.
    """

    # The rule's constants, public for other modules and the tests.
    BANNED_PREFIXES: Final[frozenset[str]] = _BANNED_PREFIXES

    name = "uk_nino"
    context_free = True
    category = "national_insurance_number"
    kernel = "national_insurance"
    patterns: ClassVar[tuple[str, ...]] = (
        r"(?i)\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ -]?(?:\d{2}[ -]?\d{2}[ -]?\d{2}|\d{3}[ -]?\d{3})[ -]?[A-D]\b",
    )
    header_words = ("national insurance", "ni number", "nino", "ni no")

    def validate(self, cand: Candidate) -> Hit | None:
        """Reject banned prefixes; everything else is structurally valid."""
        if not is_valid_nino(cand.value) or cand.value[:2] in _WORD_PREFIXES:
            return None
        return Hit(cand.value, cand.value.replace(" ", "").replace("-", "").upper(), 0.95)
