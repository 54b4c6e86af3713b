"""NHS numbers (modulus 11), grouped 3-3-4 or labelled."""

from __future__ import annotations

import re
from typing import ClassVar

from stdnum.gb import nhs

from .base import Candidate, Detector, Hit, context, digits, has_context

_CONTEXT = context(r"\bnhs\b|health service|chi no")
_GROUPED = re.compile(r"^\d{3}[ -]\d{3}[ -]\d{4}$")
# '+44 161 496 0000' and '+44 (0)161 496 0000' are phone numbers in NHS-like groups.
_PHONE_PREFIX = re.compile(rb"(?:\+|\b00)44[ ]?(?:\(0\)[ ]?)?$")
_PHONE_HEADER = re.compile(r"phone|tel|mobile|fax")


class NhsNumberDetector(Detector):
    """Ten digits passing the NHS modulus-11 check.

    One random ten-digit string in eleven passes the check, so an ungrouped number
    needs 'NHS' nearby or an NHS column; the 3-3-4 grouping is itself the NHS style.
    """

    name = "nhs_number"
    category = "nhs_number"
    patterns: ClassVar[tuple[str, ...]] = (r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b",)
    header_words = ("nhs",)

    def validate(self, cand: Candidate) -> Hit | None:
        """Modulus 11, not a repeated digit, and the NHS grouping or context."""
        number = digits(cand.value)
        if len(set(number)) == 1 or not nhs.is_valid(number):
            return None
        if _PHONE_PREFIX.search(cand.before(8)) or _PHONE_HEADER.search(cand.header):
            return None
        if not (_GROUPED.match(cand.value) or has_context(cand, _CONTEXT)):
            return None
        return Hit(cand.value, number, 0.95)
