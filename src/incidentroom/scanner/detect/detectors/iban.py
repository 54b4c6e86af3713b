"""International bank account numbers (ISO 13616, modulus 97)."""

from __future__ import annotations

from typing import ClassVar

from stdnum import iban

from .base import Candidate, Detector, Hit

# The SWIFT IBAN registry's shortest (Norway, 15) and longest (Russia, 33; 34 allowed) IBANs.
SHORTEST, LONGEST = 15, 34


def find_iban(value: str) -> tuple[str, int] | None:
    """(compact IBAN, characters of ``value`` it spans) for the longest valid IBAN at its start.

    The expression takes as many groups as it can, so a word after an IBAN written in
    groups ('ES91 2100 0418 4502 0005 1332 EUR') becomes part of the candidate; the
    IBAN inside is the longest prefix, ending at the end of a group, that passes.
    """
    compact = value.replace(" ", "")
    if iban.is_valid(compact):
        return compact, len(value)
    ends = [i for i, ch in enumerate(value) if ch == " "]
    for end in reversed(ends):
        prefix = value[:end].replace(" ", "")
        if len(prefix) >= SHORTEST and iban.is_valid(prefix):
            return prefix, end
    return None


class IbanDetector(Detector):
    """International bank account numbers, grouped in fours or not.

    The rules followed are ISO 13616 and the SWIFT IBAN registry: a country code,
    two check digits making the whole number 1 modulo 97, and the country's BBAN
    format and length (15 to 34 characters; python-stdnum carries the registry).
    """

    name = "iban"
    context_free = True
    category = "bank_account"
    patterns: ClassVar[tuple[str, ...]] = (r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",)
    header_words = ("iban",)

    def validate(self, cand: Candidate) -> Hit | None:
        """Accept only IBANs whose country format and mod-97 check pass (the longest such prefix)."""
        found = find_iban(cand.value)
        if found is None:
            return None
        compact, length = found
        if length == len(cand.value):
            return Hit(cand.value, compact, 0.95)
        return Hit(cand.value[:length], compact, 0.95, start=cand.start, end=cand.start + length)
