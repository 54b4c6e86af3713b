"""What a table column holds, judged from its header, and which person it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..detect.detectors import all_detectors
from ..detect.terms import TermDetector
from .premises import place_label

# Other people described in the same row, one person per role: 'Next of kin name',
# 'Emergency contact phone', 'Informant', 'Joint tenant'. Each role is its own person.
_OTHER_PEOPLE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"next of kin|\bnok\b|\bkin\b",
        r"emergency contact|\bemergency\b",
        r"informant",
        r"joint tenant|second tenant|tenant 2|joint (?:account )?holder|joint applicant|joint claimant",
        r"\bpartner\b|spouse|husband|wife",
        r"guarantor",
        r"appointee|attorney|deputy|representative|advocate",
        r"parent|guardian|\bmother\b|\bfather\b",
        r"\bcarer\b",
        r"landlord|\bagent\b",
        r"referrer|referred by",
        r"witness",
        r"gp name|\bgp\b|doctor|social worker|key worker|caseworker|case officer",
    )
)
_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("first", re.compile(r"first ?name|forename|given ?name|christian name")),
    ("surname", re.compile(r"surname|last ?name|family ?name")),
    ("title", re.compile(r"^(?:[a-z ]+ )?title$|^salutation$")),
    ("postcode", re.compile(r"post ?code|postal ?code|\bzip\b|\bp ?code\b")),
    ("dob", re.compile(r"\bdob\b|date of birth|birth ?date|d\.o\.b")),
    (
        "account",
        re.compile(
            r"account (?:number|no)|acc(?:ount)? no|bank account|\bdd account|direct debit account|\bacct\b"
            r"|^(?:dd |bank )?acc$"
        ),
    ),
    (
        "address",
        re.compile(r"address|street|\btown\b|\bcity\b|\baddr\b|\bhouse\b|\bflat\b|^property$"),
    ),
    ("email", re.compile(r"e-?mail")),
    ("phone", re.compile(r"phone|\btel\b|telephone|mobile|\bfax\b")),
    (
        "name",
        re.compile(
            r"\bname\b|^client$|tenant$|applicant$|claimant$|^resident$|holder$|^customer$|^patient$|^contact$|^pupil$"
            r"|^employee$|^(?:ratepayer|liable party|service user|payee|householder|occupier)$|^member$"
            r"|^(?:elector|voter)$"
        ),
    ),
)
NEGATIVE_CELLS = frozenset(
    {
        "",
        "none",
        "no",
        "n/a",
        "na",
        "nil",
        "not known",
        "unknown",
        "prefer not to say",
        "not stated",
        "-",
        "0",
        "false",
        "none known",
        "none declared",
        "not declared",
        "nothing declared",
        "declined",
        "declined to say",
        "prefer not to answer",
        "not applicable",
        "n/k",
        "nk",
        "not disclosed",
    }
)


# Roles who live at the subject's address: joint tenants and joint claimants, partners,
# and numbered parties ('LIABLE_PARTY_2'). Next of kin, carers and the like live elsewhere.
_HOUSEHOLD_ROLES = (3, 4)


def same_household(person: int) -> bool:
    """True when the person of a row's role column lives at the row subject's address."""
    return person > len(_OTHER_PEOPLE) or person - 1 in _HOUSEHOLD_ROLES


@dataclass(frozen=True)
class Column:
    """The field a column holds (``name``, ``address``, a category...) and whose it is.

    ``place`` is a place of business's address ('Premises address'): nobody's.

    ``deceased`` marks a column about a dead person ('Deceased name', 'Date of death').
    """

    field: str
    person: int
    deceased: bool = False


@cache
def _special_detectors() -> tuple[TermDetector, ...]:
    return tuple(d for d in all_detectors() if isinstance(d, TermDetector))


_PHONE = re.compile(r"phone|mobile|\btel\b|telephone|contact (?:number|no)\b|landline|\bmob\b")
_DEATH = re.compile(r"date of death|\bdod\b|\bdied\b|deceased|\bdeath\b")
_NAME_OF = re.compile(r"\bname\b")
_IDENTIFIER = re.compile(r"\bnino\b|\bni\b|national insurance|\bnhs\b|\bref\b|\bid\b|number|\bno\b|\bdob\b")
# Export headers spell words with underscores ('LIABLE_PARTY_1', 'PROP_PCODE', 'DD_NAME').
_JOINERS = re.compile(r"[_\s]+")
# A numbered repeat of a name column ('Liable party 2', 'Claimant 2'): a second person.
_NUMBERED = re.compile(r"(.*?\D)\s*(\d{1,2})")


@cache
def classify(header: str) -> Column:
    """Classify one lower-cased header.

    ``person`` is 0 for the row's subject and 1, 2... for each other role (next of kin,
    informant...). A role header with no field word ('Next of kin', 'Informant') holds
    that person's name. A date of death is never a date of birth. Underscores count as
    spaces, and a name column numbered 2 or more ('LIABLE_PARTY_2') is another person,
    while its other numbered columns ('PROP_ADDR_2') are lines of the same field.
    """
    header = _JOINERS.sub(" ", header).strip()
    numbered = _NUMBERED.fullmatch(header)
    if numbered:
        base = classify(numbered.group(1).strip())
        if base.field == "name" and not base.person and int(numbered.group(2)) >= 2:
            return Column("name", len(_OTHER_PEOPLE) + int(numbered.group(2)), base.deceased)
        if base.field:
            return base
    if place_label(header):
        # 'Premises address', 'Business postcode', 'Employer': a place's, nobody's home.
        return Column("place", 0)
    person = next((i + 1 for i, p in enumerate(_OTHER_PEOPLE) if p.search(header)), 0)
    if _DEATH.search(header):
        # 'Date of death', 'Deceased name', 'Deceased's next of kin' (the kin is alive).
        if person:
            return Column("name" if not _PHONE.search(header) else "phone", person)
        return Column("name" if _NAME_OF.search(header) else "death", 0, deceased=True)
    if _PHONE.search(header):
        return Column("phone", person)
    for detector in _special_detectors():
        if detector.header_matches(header):
            return Column(detector.category, person)
    for field, pattern in _FIELDS:
        if pattern.search(header):
            return Column(field, person)
    if person and _IDENTIFIER.search(header):
        # 'PARTNER_NINO', 'Next of kin ref': that person's identifier, not their name.
        return Column("identifier", person)
    return Column("name" if person else "", person)
