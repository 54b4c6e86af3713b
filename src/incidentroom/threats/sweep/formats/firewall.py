"""Firewall and web proxy exports: CSV with recognisable columns, and W3C extended logs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from incidentroom.threats.sweep.formats.base import (
    LogFormat,
    csv_header,
    csv_rows,
    first_of,
    parse_time,
    text_head,
)
from incidentroom.threats.sweep.model import Event

_SOURCE = ("src", "source", "src_ip", "srcip", "source_ip", "sourceip", "source address", "c-ip", "client_ip")
_DEST = (
    "dst",
    "destination",
    "dst_ip",
    "dstip",
    "destination_ip",
    "destinationip",
    "destination address",
    "s-ip",
)
_URL = ("url", "cs-uri", "request", "uri", "cs-host", "dest_host", "hostname")
_USER = ("user", "username", "cs-username", "src_user", "source user")
_HOST = ("src_host", "source_host", "device", "devname", "host")
_TIME = ("time", "timestamp", "date_time", "datetime", "receive time", "generated time", "_time", "eventtime")


class FirewallCsv(LogFormat):
    """A CSV with source or destination address columns (Palo Alto, Fortinet, Squid exports...)."""

    name = "firewall-csv"
    label = "Firewall or web proxy (CSV)"
    priority = 60

    def sniff(self, filename: str, head: bytes) -> bool:
        """Address columns under any of the usual names."""
        header = set(csv_header(head))
        return bool(header & set(_SOURCE + _DEST)) or bool(header & {"url", "cs-uri"})

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per connection or request."""
        for line, row, text in csv_rows(path):
            fields = {
                "src_ip": first_of(row, *_SOURCE),
                "dst_ip": first_of(row, *_DEST),
                "dst_port": first_of(row, "dst_port", "dport", "destination port", "dstport", "s-port"),
                "url": first_of(row, *_URL),
                "action": first_of(row, "action", "sc-status"),
                "user": first_of(row, *_USER),
            }
            when = first_of(row, *_TIME)
            if "date" in row and "time" in row:
                when = f"{row['date']} {row['time']}"
            yield Event(
                log=log,
                line=line,
                text=text,
                time=parse_time(when),
                host=first_of(row, *_HOST),
                account=fields["user"],
                fields=fields,
                logsource={"product": "", "service": ""},
                categories=("proxy",) if fields["url"] else ("firewall",),
            )


class W3cLog(LogFormat):
    """W3C extended log format (IIS, many web proxies): a ``#Fields:`` line names the columns."""

    name = "w3c"
    label = "W3C extended log (web proxy, IIS)"
    priority = 30

    def sniff(self, filename: str, head: bytes) -> bool:
        """A ``#Fields:`` directive near the top."""
        return "#Fields:" in text_head(head)[:4096]

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per request line."""
        names: list[str] = []
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip("\r\n")
                if line.startswith("#Fields:"):
                    names = line[len("#Fields:") :].split()
                    continue
                if not line or line.startswith("#"):
                    continue
                row = dict(zip(names, line.split(" "), strict=False))
                fields = {
                    "src_ip": row.get("c-ip", ""),
                    "dst_ip": row.get("s-ip", ""),
                    "url": (row.get("cs-host", "") + row.get("cs-uri-stem", "")) or row.get("cs-uri", ""),
                    "user": row.get("cs-username", "").replace("-", ""),
                    "action": row.get("sc-status", ""),
                }
                yield Event(
                    log=log,
                    line=number,
                    text=line,
                    time=parse_time(f"{row.get('date', '')}T{row.get('time', '')}")
                    if row.get("date")
                    else None,
                    host=row.get("s-computername", ""),
                    account=fields["user"],
                    fields=fields,
                    categories=("proxy",),
                )
