"""Payment card numbers: Luhn plus issuer ranges, excluding published test cards."""

from __future__ import annotations

from typing import ClassVar

from stdnum import luhn

from .base import Candidate, Detector, Hit, digits

# Card schemes' and their acquirers' published test numbers: they appear in
# documentation and test data, never on a real person's card.
TEST_PANS = frozenset(
    {
        # Visa
        "4111111111111111", "4242424242424242", "4000056655665556", "4012888888881881", "4222222222222",
        "4444333322221111", "4917610000000000", "4462030000000000", "4917300800000000", "4484070000000000",
        "4000000000000002", "4000000000000077", "4000002500003155", "4000000000003220",
        "4005519200000004", "4009348888881881", "4035501000000008", "4111111111111111003",
        # Mastercard
        "5555555555554444", "5105105105105100", "2223003122003222", "2222400070000005", "5200828282828210",
        "5454545454545454", "2223000048400011", "5425233430109903", "2222420000001113", "5431111111111111",
        # American Express
        "378282246310005", "371449635398431", "378734493671000", "370000000000002", "340000000000009",
        "343434343434343", "374245455400126", "374200000000004",
        # Discover
        "6011111111111117", "6011000990139424", "6011000400000000", "6011601160116611", "6445644564456445",
        "6011981111111113", "6011000000000004",
        # Diners Club
        "30569309025904", "38520000023237", "36227206271667", "3056930009020004", "36006666333344",
        "36700102000000", "36148900647913",
        # JCB
        "3530111333300000", "3566002020360505", "3566111111111113", "3569990010095841", "3528000700000000",
        # UnionPay
        "6200000000000005", "6205500000000000004", "6250941006528599", "6222821234560017",
        # Maestro
        "6759649826438453", "6799990100000000019", "6304000000000000", "5000550000000029",
        "6771798021000008",
    }
)  # fmt: skip


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
        # Maestro (50, 56-69), with Discover (6011, 644-649, 65) and UnionPay (62) inside it.
        return "maestro"
    if 3528 <= four <= 3589 and 16 <= n <= 19:
        return "jcb"
    if (300 <= four // 10 <= 305 or four == 3095 or two in (36, 38, 39)) and 14 <= n <= 19:
        return "diners"
    return None


class PaymentCardDetector(Detector):
    """Payment card numbers (12-19 digits, optional single spaces or hyphens).

    The rules followed are ISO/IEC 7812 (the Luhn check digit) and the card schemes'
    issuer ranges and lengths: Visa 4; Mastercard 51-55 and 2221-2720; American Express
    34, 37; Maestro 50, 56-69 (with Discover 6011, 644-649, 65 and UnionPay 62); JCB
    3528-3589; Diners Club 300-305, 3095, 36, 38, 39. The schemes' published test
    numbers (:data:`TEST_PANS`) are never a person's card.
    """

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
