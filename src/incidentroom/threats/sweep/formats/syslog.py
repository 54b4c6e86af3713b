"""Syslog (RFC 3164 and RFC 5424) and ArcSight CEF, with or without a syslog header."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from incidentroom.threats.sweep.formats.base import LogFormat, parse_time, text_head
from incidentroom.threats.sweep.model import Event

_RFC5424 = re.compile(r"^(?:<\d{1,3}>)\d{1,2} (\S+) (\S+) (\S+) (\S+) (\S+) ")
_RFC3164 = re.compile(
    r"^(?:<\d{1,3}>)?([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) ([^:\[\s]+)(?:\[\d+\])?: ?"
)
_ISO_HOST = re.compile(r"^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\dT\S+) (\S+) ([^:\[\s]+)(?:\[\d+\])?: ?")
# CEF extension keys are single words; a value runs until the next ' key='.
_CEF_PAIR = re.compile(r"(\w+)=((?:[^=\\]|\\.)*?)(?=\s+\w+=|\s*$)")
_CEF_HEADER = ("Version", "DeviceVendor", "DeviceProduct", "DeviceVersion", "SignatureID", "Name", "Severity")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}


@functools.lru_cache(maxsize=4096)
def _bsd_time(text: str, year: int) -> dt.datetime | None:
    # RFC 3164 has no year or zone: the export's year is assumed and the time taken as UTC.
    try:
        month = _MONTHS[text[:3]]
        day = int(text[4:6])
        hour, minute, second = (int(p) for p in text[7:15].split(":"))
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except (KeyError, ValueError):
        return None


def _cef(message: str) -> dict[str, Any]:
    body = message[message.index("CEF:") + 4 :]
    parts: list[str] = []
    current = ""
    escaped = False
    for ch in body:
        if len(parts) == 7:
            break
        if escaped:
            current += ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            parts.append(current)
            current = ""
        else:
            current += ch
    fields: dict[str, Any] = dict(zip(_CEF_HEADER, parts, strict=False))
    extension = body.split("|", 7)[7] if body.count("|") >= 7 else ""
    for key, value in _CEF_PAIR.findall(extension):
        fields[key] = value.replace("\\=", "=").replace("\\\\", "\\")
    return fields


class SyslogFormat(LogFormat):
    """Syslog lines; a line carrying ``CEF:`` has its header and extension parsed too."""

    name = "syslog"
    label = "Syslog or CEF"
    priority = 80

    def sniff(self, filename: str, head: bytes) -> bool:
        """A syslog header on the first line, a CEF record, or a .log/.syslog text file."""
        if b"\x00" in head[:4096]:
            return False
        first = text_head(head).split("\n", 1)[0]
        if "CEF:" in first or _RFC5424.match(first) or _RFC3164.match(first) or _ISO_HOST.match(first):
            return True
        return filename.lower().endswith((".syslog", "syslog", ".log", "messages", ".txt"))

    # Sigma products these records can carry; when no loaded rule is for them the engine
    # scans the file in large blocks and parses only the lines that hit (see engine).
    line_products: ClassVar[frozenset[str]] = frozenset({"linux", "cef"})

    def line_context(self, path: Path) -> int:
        """The year assumed for RFC 3164 stamps: the export file's own."""
        return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).year

    def parse_line(self, log: str, number: int, line: str, year: Any) -> Event | None:
        """One syslog or CEF line as an event (None for a blank line)."""
        if not line.strip():
            return None
        fields: dict[str, Any] = {}
        time = None
        host = ""
        message = line
        m = _RFC5424.match(line)
        if m:
            time, host, fields["AppName"] = parse_time(m.group(1)), m.group(2), m.group(3)
            message = line[m.end() :]
        else:
            m = _RFC3164.match(line) or _ISO_HOST.match(line)
            if m:
                stamp = m.group(1)
                time = parse_time(stamp) if stamp[:1].isdigit() else _bsd_time(stamp, int(year))
                host, fields["AppName"] = m.group(2), m.group(3)
                message = line[m.end() :]
        if "CEF:" in line and "CEF:" not in message:
            # A syslog header whose 'app' is CEF itself: the record starts at "CEF:".
            message = line[line.index("CEF:") :]
        fields["Message"] = message
        account = ""
        logsource = {"product": "linux", "service": "syslog"}
        is_cef = "CEF:" in message
        if is_cef:
            fields.update(_cef(message))
            host = str(fields.get("dhost") or fields.get("shost") or host)
            account = str(fields.get("suser") or fields.get("duser") or "")
            cef_time = fields.get("rt")
            if cef_time:
                time = _cef_time(str(cef_time)) or time
            logsource = {"product": "cef", "service": str(fields.get("DeviceProduct", "")).lower()}
        fields.setdefault("Hostname", host)
        return Event(
            log=log,
            line=number,
            text=line,
            time=time,
            host=host,
            account=account,
            fields=fields,
            logsource=logsource,
            categories=("firewall",) if is_cef else (),
        )

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per line."""
        year = self.line_context(path)
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            for number, raw in enumerate(handle, start=1):
                event = self.parse_line(log, number, raw.rstrip("\r\n"), year)
                if event is not None:
                    yield event


def _cef_time(value: str) -> dt.datetime | None:
    if value.isdigit():
        return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)
    for fmt in ("%b %d %Y %H:%M:%S", "%b %d %H:%M:%S %Y"):
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return parse_time(value)
