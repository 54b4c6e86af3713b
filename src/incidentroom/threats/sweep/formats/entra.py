"""Entra ID (Azure AD) sign-in logs as JSON (portal download or Graph signIns pages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from incidentroom.threats.sweep.formats.base import LogFormat, flatten, json_records, parse_time, text_head
from incidentroom.threats.sweep.model import Event


class EntraSignIns(LogFormat):
    """Sign-ins: user, address, location, device, result, under Graph's field names."""

    name = "entra-signins"
    label = "Entra ID sign-in log (JSON)"
    priority = 15

    def sniff(self, filename: str, head: bytes) -> bool:
        """JSON with userPrincipalName and createdDateTime."""
        text = text_head(head).lstrip()
        return text[:1] in ("[", "{") and '"userPrincipalName"' in text and '"createdDateTime"' in text

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per sign-in."""
        for line, record, text in json_records(path):
            if not isinstance(record, dict):
                continue
            fields = flatten(record)
            yield Event(
                log=log,
                line=line,
                text=text,
                time=parse_time(record.get("createdDateTime")),
                host=str(fields.get("deviceDetail.displayName") or ""),
                account=str(record.get("userPrincipalName") or ""),
                fields=fields,
                logsource={"product": "azure", "service": "signinlogs"},
            )
