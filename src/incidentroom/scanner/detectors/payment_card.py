"""Payment card numbers: Luhn plus issuer ranges, excluding published test cards."""

from __future__ import annotations

from typing import ClassVar

from stdnum import luhn

from .base import Candidate, Detector, Hit, digits

# Card schemes' own published test numbers: they appear in documentation and test data,
# never on a real person's card.
TEST_PANS = frozenset(
    {
        "4111111111111111",
        "4242424242424242",
        "4000056655665556",
        "4012888888881881",
        "5555555555554444",
        "5105105105105100",
        "2223003122003222",
        "378282246310005",
        "371449635398431",
        "6011111111111117",
        "6759649826438453",
        "4444333322221111",
    }
)


def issuer(number: str) -> str | None:
    """The card scheme for a PAN by its IIN range and length, or ``None``."""
    n = len(number)
    two, four = int(number[:2]), int(number[:4])
    if number[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= two <= 55 or 2221 <= four <= 2720) and n == 16:
        return "mastercard"
    if two in (34, 37) and n == 15:
        return "amex"
    if (two == 50 or 56 <= two <= 69) and 12 <= n <= 19:
        return "maestro"
    return None


class PaymentCardDetector(Detector):
    """13-19 digits with optional single spaces or hyphens."""

    name = "payment_card"
    context_free = True
    category = "payment_card"
    kernel = "payment_card"
    patterns: ClassVar[tuple[str, ...]] = (r"\b\d(?:[ -]?\d){11,18}\b",)
    header_words = ("card number", "card no", "pan")

    def validate(self, cand: Candidate) -> Hit | None:
        """Luhn, a known issuer range, and not a scheme test number."""
        number = digits(cand.value)
        if not 12 <= len(number) <= 19 or number in TEST_PANS:
            return None
        # luhn.checksum on the digits already extracted (is_valid() re-cleans the string).
        if issuer(number) is None or luhn.checksum(number) != 0:
            return None
        return Hit(cand.value, number, 0.9)
