"""One canonical form for an email address (issue 18.7)."""

from __future__ import annotations

import pytest

from incidentroom.core.emailaddr import normalise_domain, normalise_email, normalise_or_keep
from incidentroom.core.errors import InvalidInput

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize(
    "raw",
    [
        "anna@bücher.example",
        "anna@xn--bcher-kva.example",
        "Anna@BÜCHER.EXAMPLE",
        "  ANNA@XN--BCHER-KVA.EXAMPLE.  ",
        "anna@bu\u0308cher.example",  # decomposed u + combining diaeresis
        "anna@ｂüｃｈｅｒ.example",  # full-width letters
    ],
)
def test_every_spelling_of_one_mailbox_is_one_address(raw: str) -> None:
    assert normalise_email(raw) == "anna@xn--bcher-kva.example"


@pytest.mark.parametrize("raw", ["", "anna", "anna@", "@bücher.example", "anna@bü cher.example", "anna@a..b"])
def test_what_is_not_an_address_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalise_email(raw, field="email")
    assert err.value.field == "email"


def test_imported_text_that_is_not_an_address_is_kept_as_found() -> None:
    assert normalise_or_keep("  not an address ") == "not an address"
    assert normalise_or_keep("Zoe@Bücher.Example") == "zoe@xn--bcher-kva.example"
    # Non-ASCII local parts need SMTPUTF8, which the product does not send: kept as found.
    assert normalise_or_keep("Zoë@Bücher.Example") == "Zoë@Bücher.Example"


def test_domains_take_the_same_form() -> None:
    assert normalise_domain("Bücher.Example.") == "xn--bcher-kva.example"
