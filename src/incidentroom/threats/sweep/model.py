"""The sweep engine's value types: a parsed log record and a hit in it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Event:
    """One log record: the raw text matched by indicators, and the fields Sigma rules read.

    ``text`` is the record as it was exported (one CSV row, JSON object or syslog line) so
    offsets mean something to whoever opens the file; ``fields`` holds the decoded values
    under the names Sigma rules use (EventID, CommandLine, Operation, ipAddress...).
    """

    log: str
    line: int
    text: str
    time: dt.datetime | None = None
    host: str = ""
    account: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    # Sigma logsource keys this record answers to, e.g. {"product": "windows", "service": "security"}.
    logsource: dict[str, str] = field(default_factory=dict)
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """An indicator or rule that matched one event."""

    log: str
    line: int
    log_format: str
    time: dt.datetime | None
    host: str
    account: str
    excerpt: str
    matched: str
    indicator_id: int | None = None
    rule_id: str = ""
    rule_title: str = ""
    rule_level: str = ""
    rule_author: str = ""
