"""One way to write an email address, used before every duplicate check and every store.

``anna@bücher.example``, ``Anna@XN--BCHER-KVA.example`` and ``anna@xn--bcher-kva.example``
are one mailbox. Comparing the strings makes them three subscriptions and three emails, so
every place that stores an address or checks for a duplicate (status subscriptions,
residents' emails, staff accounts, supplier contacts, partner domains) first writes it here:

- the domain is converted to its IDNA (punycode) form with UTS #46 mapping, which also
  lower-cases it and folds full-width and other compatibility forms;
- the local part is NFC-normalised and lower-cased. RFC 5321 lets a server treat it as
  case-sensitive, but no mail provider a council writes to does, and two rows that differ
  only in case are the same person every time it has been checked.
"""

from __future__ import annotations

import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from incidentroom.core.errors import InvalidInput

MAX_LENGTH = 254


def normalise_domain(raw: str, field: str = "domain") -> str:
    """A mail domain in IDNA form, lower case, without a trailing dot; InvalidInput if it is not one."""
    domain = unicodedata.normalize("NFC", (raw or "").strip()).rstrip(".")
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidInput(f"{field}: {raw.strip()!r} is not a valid mail domain.", field=field) from exc


def normalise_email(raw: str, field: str = "email") -> str:
    """The canonical form of an address (see the module docstring), or InvalidInput naming ``field``."""
    text = unicodedata.normalize("NFC", (raw or "").strip())
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidInput(
            "Enter an email address in the correct format, like name@example.com.", field=field
        )
    try:
        address = f"{local.lower()}@{normalise_domain(domain, field)}"
        validate_email(address)
    except (InvalidInput, ValidationError) as exc:
        raise InvalidInput(
            "Enter an email address in the correct format, like name@example.com.", field=field
        ) from exc
    if len(address) > MAX_LENGTH:
        raise InvalidInput(f"An email address is at most {MAX_LENGTH} characters.", field=field)
    return address


def normalise_or_keep(raw: str) -> str:
    """For data imported as found (a scan's ``individuals.csv``): the canonical form when it is
    an address, else the trimmed text unchanged, so nothing found is silently dropped."""
    try:
        return normalise_email(raw)
    except InvalidInput:
        return (raw or "").strip()
