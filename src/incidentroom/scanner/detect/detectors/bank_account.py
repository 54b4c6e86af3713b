"""UK sort code with its account number, reported together as one bank account."""

from __future__ import annotations

import re
from typing import ClassVar, Final

from .base import Candidate, Context, Detector, Hit, context, has_context

_CONTEXT = context(r"sort ?code|s/c|bank")
_ACCOUNT_AFTER = re.compile(r"^\D{0,30}?\b(\d{8})\b")


class SortCodeAccountDetector(Detector):
    """A sort code is only a bank account when an account number comes with it.

    The rule followed is Pay.UK's: a sort code is six digits written in three pairs
    (``20-00-00``, or ``20 00 00`` where a sort code is named), and a UK account number
    eight digits (``sort code 20-00-00, account 12345678``, ``20-00-00 12345678``,
    ``s/c 20 00 00 a/c 12345678``).
    """

    # The rule's constants, public for other modules and the tests.
    CONTEXT: Final[Context] = _CONTEXT

    name = "uk_sort_code_account"
    category = "bank_account"
    kernel = "sort_code"
    patterns: ClassVar[tuple[str, ...]] = (r"\b\d{2}-\d{2}-\d{2}\b", r"\b\d{2} \d{2} \d{2}\b")
    header_words = ("sort code", "sortcode", "account number", "bank account", "account no")

    def validate(self, cand: Candidate) -> Hit | None:
        """Pair with an eight-digit account number just after, or trust a sort-code column."""
        if " " in cand.value and not has_context(cand, _CONTEXT):
            return None  # '20 00 00' is a sort code only where one is named
        sort_code = cand.value.replace("-", "").replace(" ", "")
        after = cand.after(45)
        match = _ACCOUNT_AFTER.match(after)
        if match:
            account = match.group(1)
            end = cand.end + len(after[: match.end(1)].encode())
            written = cand.data[cand.start : end].decode("utf-8", "replace")
            return Hit(written, f"{sort_code}/{account}", 0.9, end=end)
        if has_context(cand, _CONTEXT):
            return Hit(cand.value, sort_code, 0.7)
        return None
