"""International bank account numbers (ISO 13616, modulus 97)."""

from __future__ import annotations

from typing import ClassVar

from stdnum import iban

from .base import Candidate, Detector, Hit


class IbanDetector(Detector):
    """Country code, check digits and BBAN, grouped in fours or not."""

    name = "iban"
    context_free = True
    category = "bank_account"
    patterns: ClassVar[tuple[str, ...]] = (r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b",)
    header_words = ("iban",)

    def validate(self, cand: Candidate) -> Hit | None:
        """Accept only IBANs whose country format and mod-97 check pass."""
        compact = cand.value.replace(" ", "")
        if not iban.is_valid(compact):
            return None
        return Hit(cand.value, compact, 0.95)
