"""Windows event logs (.evtx), read with the maintained ``evtx`` parser (Rust, MIT)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from incidentroom.threats.sweep.formats.base import LogFormat, flatten, parse_time
from incidentroom.threats.sweep.model import Event

# Channel -> Sigma service name.
_SERVICES = {
    "security": "security",
    "system": "system",
    "application": "application",
    "microsoft-windows-sysmon/operational": "sysmon",
    "microsoft-windows-powershell/operational": "powershell",
    "microsoft-windows-terminalservices-localsessionmanager/operational": "terminalservices-localsessionmanager",
}


def _text(value: Any) -> Any:
    # The parser renders an element with attributes as {"#text": ..., "#attributes": {...}}.
    if isinstance(value, dict) and "#text" in value:
        return value["#text"]
    return value


class EvtxFormat(LogFormat):
    """EVTX: each record's System and EventData fields, under the names Sigma rules use."""

    name = "evtx"
    label = "Windows event log (EVTX)"
    priority = 10

    def sniff(self, filename: str, head: bytes) -> bool:
        """EVTX files start with the 'ElfFile' signature."""
        return head.startswith(b"ElfFile\x00")

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per record; the line is the record's EventRecordID."""
        import json

        import evtx

        parser = evtx.PyEvtxParser(str(path))
        for record in parser.records_json():
            if record is None:
                continue
            data = str(record["data"])
            doc = json.loads(data).get("Event") or {}
            system = doc.get("System", {}) or {}
            fields: dict[str, Any] = {}
            for key, value in system.items():
                attributes = (value.get("#attributes") or {}) if isinstance(value, dict) else {}
                if key == "Provider":
                    fields["Provider_Name"] = attributes.get("Name", "")
                elif key == "TimeCreated":
                    fields["TimeCreated"] = attributes.get("SystemTime", "")
                elif key == "Security":
                    fields["UserID"] = attributes.get("UserID", "")
                elif not isinstance(value, dict) or "#text" in value:
                    fields[key] = _text(value)
            for section in ("EventData", "UserData"):
                payload = doc.get(section)
                if isinstance(payload, dict):
                    flat = flatten(payload)
                    for key, value in flat.items():
                        short = key.rsplit(".", 1)[-1]
                        fields.setdefault(short, value)
            event_id = fields.get("EventID")
            try:
                fields["EventID"] = int(str(event_id))
            except (TypeError, ValueError):
                pass
            channel = str(fields.get("Channel", "")).lower()
            service = _SERVICES.get(channel, channel)
            categories: list[str] = []
            if (service == "security" and fields.get("EventID") == 4688) or (
                service == "sysmon" and fields.get("EventID") == 1
            ):
                categories.append("process_creation")
                fields.setdefault("Image", fields.get("NewProcessName", ""))
            host = str(fields.get("Computer", "") or "")
            account = str(
                fields.get("TargetUserName") or fields.get("SubjectUserName") or fields.get("User") or ""
            )
            yield Event(
                log=log,
                line=int(record.get("event_record_id") or 0),
                text=data,
                time=parse_time(record.get("timestamp")) or parse_time(fields.get("TimeCreated")),
                host=host,
                account=account,
                fields=fields,
                logsource={"product": "windows", "service": service},
                categories=tuple(categories),
            )
