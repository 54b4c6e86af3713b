"""Which email addresses are people: documentation domains count, placeholders do not."""

from __future__ import annotations

from incidentroom.scanner.detect.detectors.email import is_role_or_test
from incidentroom.scanner.detect.matcher import detect, detect_python
from incidentroom.scanner.model import Location

LOCATION = Location()


def test_a_residents_address_at_a_documentation_domain_is_an_email() -> None:
    for address in ("d.dixon69@example.com", "amira.h@EXAMPLE.ORG", "k.okoro@mail.example.net"):
        assert not is_role_or_test(address), address
    data = b"Contact: Amira Haddad, amira.h@example.org, or d.dixon69@example.com"
    for found in (detect(data, LOCATION), detect_python(data, LOCATION)):
        assert {f.normalised for f in found if f.category == "email"} == {
            "amira.h@example.org",
            "d.dixon69@example.com",
        }


def test_placeholders_role_mailboxes_and_reserved_tlds_are_nobody() -> None:
    for address in ("test.user@example.com", "your.name@example.com", "name@example.org",
                    "joe.bloggs@example.com", "firstname.lastname@council.gov.uk", "info@example.com",
                    "amira@host.test", "amira@site.example", "k@x.invalid", "root@localhost.localhost"):  # fmt: skip
        assert is_role_or_test(address), address
    data = b"e.g. your.name@example.com or amira@host.test"
    assert not [f for f in detect(data, LOCATION) if f.category == "email"]
