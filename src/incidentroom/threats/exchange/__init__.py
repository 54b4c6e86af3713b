"""Indicator exchange formats: STIX 2.1 (stix2), MISP event JSON and plain CSV.

Each reader turns a document into ``Parsed`` indicators plus ``Skipped`` items with a
reason; nothing is written here. ``threats.actions.import_indicators`` merges them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Parsed:
    """One indicator read from a document, before it is checked and merged."""

    type: str
    value: str
    where: str
    tlp: str | None = None
    confidence: int | None = None
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    source_kind: str | None = None
    source_name: str | None = None
    description: str = ""
    stix_id: str | None = None
    systems: list[str] = field(default_factory=list)
    staff_watch: bool | None = None


@dataclass
class Skipped:
    """Something in the document that did not become an indicator, and why."""

    where: str
    reason: str


@dataclass
class ReadResult:
    """What a reader found."""

    indicators: list[Parsed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    source_name: str = ""
