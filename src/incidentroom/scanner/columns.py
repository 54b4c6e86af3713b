"""What a table column holds, judged from its header, and which person it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .detectors import all_detectors
from .terms import TermDetector

# A second person described in the same row: 'Next of kin name', 'Emergency contact phone'.
_SECOND_PERSON = re.compile(
    r"next of kin|\bnok\b|emergency contact|\bkin\b|parent|guardian|partner|spouse|carer"
)
_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("first", re.compile(r"first ?name|forename|given ?name|christian name")),
    ("surname", re.compile(r"surname|last ?name|family ?name")),
    ("title", re.compile(r"^(?:[a-z ]+ )?title$|^salutation$")),
    ("postcode", re.compile(r"post ?code|postal ?code|\bzip\b")),
    ("dob", re.compile(r"\bdob\b|date of birth|birth ?date|d\.o\.b")),
    ("account", re.compile(r"account (?:number|no)|acc(?:ount)? no|bank account")),
    ("address", re.compile(r"address|street|\btown\b|\bcity\b|\baddr\b|\bhouse\b|\bflat\b")),
    ("email", re.compile(r"e-?mail")),
    ("phone", re.compile(r"phone|\btel\b|telephone|mobile|\bfax\b")),
    (
        "name",
        re.compile(
            r"\bname\b|^client$|^tenant$|^applicant$|^claimant$|^resident$|holder$|^customer$|^patient$|^contact$|^pupil$|^employee$"
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
    }
)


@dataclass(frozen=True)
class Column:
    """The field a column holds (``name``, ``address``, a category...) and whose it is."""

    field: str
    person: int


@cache
def _special_detectors() -> tuple[TermDetector, ...]:
    return tuple(d for d in all_detectors() if isinstance(d, TermDetector))


@cache
def classify(header: str) -> Column:
    """Classify one lower-cased header. ``person`` is 0 for the row's subject, 1 for kin."""
    person = 1 if _SECOND_PERSON.search(header) else 0
    for detector in _special_detectors():
        if detector.header_matches(header):
            return Column(detector.category, person)
    for field, pattern in _FIELDS:
        if pattern.search(header):
            return Column(field, person)
    return Column("", person)
