"""NHS numbers (modulus 11), grouped 3-3-4 or labelled."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar, Final

from stdnum.gb import nhs

from .base import Candidate, Context, Detector, Hit, context, digits, has_context

_CONTEXT = context(r"\bnhs\b|health service|chi no")
_GROUPED = re.compile(r"^\d{3}[ -]\d{3}[ -]\d{4}$")
# '+44 161 496 0000' and '+44 (0)161 496 0000' are phone numbers in NHS-like groups.
_PHONE_PREFIX = re.compile(rb"(?:\+|\b00)44[ -]?(?:\(0\)[ -]?)?$")
_PHONE_HEADER = re.compile(r"phone|tel|mobile|fax")


@lru_cache(maxsize=65536)
def judge_number(value: str) -> tuple[str, bool] | None:
    """(ten digits, grouped 3-3-4?) for a number passing modulus 11, else ``None``; memoised."""
    number = digits(value)
    # stdnum's checksum directly: is_valid() first re-cleans the string, which costs
    # more than everything else here together.
    if len(number) != 10 or len(set(number)) == 1 or nhs.checksum(number) != 0:
        return None
    return number, bool(_GROUPED.match(value))


class NhsNumberDetector(Detector):
    """Ten digits passing the NHS modulus 11 check.

    The rule followed is the NHS Data Dictionary's (NHS NUMBER): weights 10 down to 2
    on the first nine digits, 11 minus the remainder modulo 11 is the check digit (11
    becomes 0; 10 means the number is never issued). Written 3-3-4 with spaces or
    hyphens (any Unicode space; full-width digits folded), or ungrouped with context.
    One random ten-digit string in eleven passes the check, so an ungrouped number
    needs 'NHS' nearby or an NHS column; the 3-3-4 grouping is itself the NHS style.
    """

    # The rule's constants, public for other modules and the tests.
    CONTEXT: Final[Context] = _CONTEXT
    PHONE_PREFIX: Final[re.Pattern[bytes]] = _PHONE_PREFIX
    PHONE_HEADER: Final[re.Pattern[str]] = _PHONE_HEADER

    name = "nhs_number"
    category = "nhs_number"
    kernel = "nhs_number"
    patterns: ClassVar[tuple[str, ...]] = (r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b",)
    header_words = ("nhs",)

    def validate(self, cand: Candidate) -> Hit | None:
        """Modulus 11, not a repeated digit, and the NHS grouping or context."""
        judged = judge_number(cand.value)
        if judged is None:
            return None
        number, grouped = judged
        if _PHONE_PREFIX.search(cand.before(8)) or _PHONE_HEADER.search(cand.header):
            return None
        if not (grouped or has_context(cand, _CONTEXT)):
            return None
        return Hit(cand.value, number, 0.95)
