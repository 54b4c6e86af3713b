"""Email addresses, excluding role mailboxes and test domains (not a person)."""

from __future__ import annotations

from typing import ClassVar

from .base import Candidate, Detector, Hit

ROLE_LOCAL_PARTS = frozenset(
    """info enquiries enquiry contact admin administrator noreply no-reply donotreply do-not-reply
    support help office reception customerservices customer.services parking counciltax council.tax
    housing foi dpo dataprotection data.protection complaints webmaster postmaster hr payroll accounts
    finance sales team mail feedback press media news licensing planning benefits revenues""".split()
)
TEST_DOMAINS = ("example.com", "example.org", "example.net", "test.com", "test", "invalid", "localhost")


def is_role_or_test(address: str) -> bool:
    """True for role mailboxes (info@, noreply@...) and reserved test domains."""
    local, _, domain = address.lower().partition("@")
    if local in ROLE_LOCAL_PARTS or local.startswith("test"):
        return True
    return any(domain == d or domain.endswith("." + d) for d in TEST_DOMAINS)


class EmailDetector(Detector):
    """RFC-ish address with a dotted domain and an alphabetic TLD."""

    name = "email"
    context_free = True
    category = "email"
    patterns: ClassVar[tuple[str, ...]] = (
        r"\b[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    )
    header_words = ("email", "e-mail")

    def validate(self, cand: Candidate) -> Hit | None:
        """Accept personal-looking addresses; reject role mailboxes and test domains."""
        value = cand.value.strip(".")
        if cand.start > 0 and chr(cand.data[cand.start - 1]) in "._%+'-":
            return None
        if is_role_or_test(value):
            return None
        return Hit(value, value.lower(), 0.95)
