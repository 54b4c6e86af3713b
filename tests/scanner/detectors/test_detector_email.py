"""Email addresses by RFC 5322 (local part), with punycode domains and spelled-out forms."""

from __future__ import annotations

import pytest

from incidentroom.scanner.detect.detectors.email import EmailDetector
from tests.helpers.detector_vectors import SPACES, assert_found_everywhere, found_in_text

CATEGORY = "email"
# RFC 5322 atext in the local part; dotted domains; internationalised domains as punycode.
VALID = [
    "jane.smith@rbkc.gov.uk", "r&d@acme.co.uk", "abc#def@mail.org", "o'neil@mail.org", "a+b@mail.co.uk",
    "x!y$z*w@mail.org", "q?u^e`r{y}~@mail.org", "anna@xn--bcher-kva.de", "ivan@xn--80ak6aa92e.xn--p1ai",
    "J.Smith@RBKC.GOV.UK",
]  # fmt: skip


def test_the_docstring_names_the_rfc() -> None:
    assert "RFC 5322" in (EmailDetector.__doc__ or "")


@pytest.mark.parametrize("address", VALID)
def test_the_whole_address_is_found(address: str) -> None:
    assert_found_everywhere(address, CATEGORY, address.lower(), label="email", header="Email")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("jane.smith at example dot co dot uk", "jane.smith@example.co.uk"),
        ("jane.smith (at) rbkc (dot) gov (dot) uk", "jane.smith@rbkc.gov.uk"),
        ("jsmith [at] mail [dot] com", "jsmith@mail.com"),
        ("j_smith AT mail DOT org", "j_smith@mail.org"),
    ],
)
def test_spelled_out_addresses(written: str, expected: str) -> None:
    for space in SPACES.values():
        text = f"Write to {written.replace(' ', space)} before Friday"
        got = found_in_text(text, CATEGORY)
        assert [f.normalised for f in got] == [expected], text
        assert text.encode()[got[0].start : got[0].end].decode() == written.replace(" ", space)


@pytest.mark.parametrize(
    "text",
    [
        "info@rbkc.gov.uk",  # a role mailbox
        # Placeholders: a form's sample address, and a reserved top-level domain no mailbox
        # has. (A resident's address at example.com counts: test and anonymised archives
        # use it, see detectors/email.py.)
        "your.name@example.com",
        "jane@mail.invalid",
        "we met at lunch dot point",
        "see you at home dot",
        "parking at example dot com",  # a role mailbox spelled out
        "user=jane",
        "@mention only",
    ],
)
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []


def test_field_separators_are_not_part_of_the_local_part() -> None:
    for text, expected in (("Smith|jo@mail.org", "jo@mail.org"), ("user=jo@mail.org", "jo@mail.org")):
        assert [f.normalised for f in found_in_text(text, CATEGORY)] == [expected]
