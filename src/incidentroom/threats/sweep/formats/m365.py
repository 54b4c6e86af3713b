"""Microsoft 365 unified audit log: the Purview CSV export (AuditData column) and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from incidentroom.threats.sweep.formats.base import (
    LogFormat,
    csv_header,
    csv_rows,
    flatten,
    json_records,
    parse_time,
    text_head,
)
from incidentroom.threats.sweep.model import Event


def _event(log: str, line: int, record: dict[str, Any], text: str) -> Event:
    fields = flatten(record)
    return Event(
        log=log,
        line=line,
        text=text,
        time=parse_time(record.get("CreationTime")),
        host=str(record.get("ClientMachineName") or ""),
        account=str(record.get("UserId") or ""),
        fields=fields,
        logsource={"product": "m365", "service": "audit"},
    )


class M365AuditCsv(LogFormat):
    """The Purview audit search export: CreationDate, UserIds, Operations, AuditData (JSON)."""

    name = "m365-audit-csv"
    label = "Microsoft 365 unified audit log (CSV)"
    priority = 20

    def sniff(self, filename: str, head: bytes) -> bool:
        """A CSV with an AuditData column."""
        return "auditdata" in csv_header(head)

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per row, its fields from the AuditData JSON."""
        for line, row, text in csv_rows(path):
            try:
                record = json.loads(row.get("auditdata") or "{}")
            except json.JSONDecodeError:
                record = {}
            if not isinstance(record, dict):
                record = {}
            record.setdefault("Operation", row.get("operations", ""))
            record.setdefault("UserId", row.get("userids", ""))
            record.setdefault("CreationTime", row.get("creationdate", ""))
            yield _event(log, line, record, text)


class M365AuditJson(LogFormat):
    """The audit log as JSON (Management Activity API, or a JSON export): one record per object."""

    name = "m365-audit-json"
    label = "Microsoft 365 unified audit log (JSON)"
    priority = 20

    def sniff(self, filename: str, head: bytes) -> bool:
        """JSON whose records carry Operation and Workload or RecordType."""
        text = text_head(head).lstrip()
        return (
            text[:1] in ("[", "{")
            and '"Operation"' in text
            and ('"Workload"' in text or '"RecordType"' in text)
        )

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per record."""
        for line, record, text in json_records(path):
            if isinstance(record, dict):
                yield _event(log, line, record, text)
