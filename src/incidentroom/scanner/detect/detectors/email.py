"""Email addresses, excluding role mailboxes and placeholders (not a person).

The reserved documentation domains (example.com, example.org, example.net, RFC 2606)
are NOT excluded: anonymised and synthetic exports, and test archives, give residents
addresses there, and an address written in a resident's record is that record's email
whatever its domain. A placeholder is told by its local part ('test...', 'name',
'your.name', 'joe.bloggs') or by a top-level domain no real mailbox can have (.test,
.example, .invalid, .localhost, RFC 6761), and a role mailbox by its local part.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from .base import Candidate, Detector, Hit

ROLE_LOCAL_PARTS = frozenset(
    """info enquiries enquiry contact admin administrator noreply no-reply donotreply do-not-reply
    support help office reception customerservices customer.services parking counciltax council.tax
    housing foi dpo dataprotection data.protection complaints webmaster postmaster hr payroll accounts
    finance sales team mail feedback press media news licensing planning benefits revenues
    name yourname your.name firstname.lastname first.last forename.surname user username someone
    somebody email youremail your.email joe.bloggs jane.doe john.doe j.bloggs""".split()
)
# Domains no real mailbox has: reserved top-level domains (RFC 6761) and test.com.
TEST_DOMAINS = ("test.com", "test", "example", "invalid", "localhost")


@lru_cache(maxsize=65536)
def is_role_or_test(address: str) -> bool:
    """True for role mailboxes (info@, noreply@...), placeholders (name@, joe.bloggs@) and
    reserved top-level domains (.test, .example, .invalid, .localhost)."""
    local, _, domain = address.lower().partition("@")
    if local in ROLE_LOCAL_PARTS or local.startswith("test"):
        return True
    return any(domain == d or domain.endswith("." + d) for d in TEST_DOMAINS)


# RFC 5322's atext and dots, except '|', '/' and '=': in exports and logs those separate
# fields ('Smith|jane@...', 'user=jane@...') far more often than they sit in an address.
LOCAL_PART_BYTES = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+'-!#$&*?^`{}~"
)
_ALNUM = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def local_part_start(data: bytes, at: int) -> int | None:
    """Start of the local part ending at the '@' at ``at``, or ``None`` if it is not one.

    The run of local-part characters before the '@' must begin with a letter or digit:
    '.john@' or '-x@' are fragments of something else.
    """
    start = at
    while start > 0 and data[start - 1] in LOCAL_PART_BYTES:
        start -= 1
    if start == at or data[start] not in _ALNUM:
        return None
    return start


class EmailDetector(Detector):
    """Email addresses by RFC 5322: the whole local part (``r&d@``, ``abc#def@``), a dotted
    domain, an alphabetic or punycode top-level domain (internationalised domains as
    ``xn--`` labels).

    The expression starts at the '@' and the local part is found by walking back from
    it: a leading unbounded character class makes hyperscan's start-of-match tracking
    several times slower for the whole database.
    """

    name = "email"
    category = "email"
    kernel = "email"
    patterns: ClassVar[tuple[str, ...]] = (
        r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]{2,})\b",
    )
    header_words = ("email", "e-mail")

    def validate(self, cand: Candidate) -> Hit | None:
        """Accept personal-looking addresses; reject role mailboxes and test domains."""
        start = local_part_start(cand.data, cand.start)
        if start is None:
            return None
        value = cand.data[start : cand.end].decode("ascii")
        if is_role_or_test(value):
            return None
        return Hit(value, value.lower(), 0.95, start=start)
