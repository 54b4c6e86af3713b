"""Plain CSV indicator lists, for the "send us your IOCs" emails: read and write."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from incidentroom import csvfile
from incidentroom.threats.exchange import Parsed, ReadResult, Skipped
from incidentroom.threats.exchange import tlp as tlpdefs
from incidentroom.threats.values import hash_type_for_length

COLUMNS = ["type", "value", "tlp", "confidence", "source", "first_seen", "last_seen", "description"]
_TYPE_ALIASES = {
    "ip": None,
    "ip-src": None,
    "ip-dst": None,
    "ipv4-addr": "ipv4",
    "ipv6-addr": "ipv6",
    "domain-name": "domain",
    "hostname": "host_name",
    "host": "host_name",
    "email": "email_sender",
    "sender": "email_sender",
    "subject": "email_subject",
    "filename": "file_name",
    "hash": None,
    "user": "user_account",
    "account": "user_account",
    "regkey": "registry_key",
    "commandline": "command_line",
    "command-line": "command_line",
}


def guess_type(value: str) -> str | None:
    """The likely type of an untyped value (address, URL, email, hash, domain)."""
    from incidentroom.threats.values import ip_network

    text = value.strip()
    net = ip_network(text)
    if net is not None:
        return "ipv4" if net.version == 4 else "ipv6"
    if "://" in text:
        return "url"
    if "@" in text and " " not in text:
        return "email_sender"
    kind = hash_type_for_length(text)
    if kind:
        return kind
    if "." in text and " " not in text and "\\" not in text and "/" not in text:
        return "domain"
    return None


def _time(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def read_csv(text: str | bytes) -> ReadResult:
    """Rows with at least a ``value`` column (``type`` guessed when absent); a file without a
    header is read as one value per line."""
    result = ReadResult()
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        result.skipped.append(Skipped("file", "empty"))
        return result
    header = [h.strip().lower() for h in rows[0]]
    if "value" in header:
        body = rows[1:]
        first_line = 2
    else:
        header = ["value"]
        body = rows
        first_line = 1
    for number, row in enumerate(body, start=first_line):
        where = f"line {number}"
        if not any(cell.strip() for cell in row):
            continue
        record = {k: csvfile.unguard(v) for k, v in zip(header, (c.strip() for c in row), strict=False)}
        value = record.get("value", "")
        if not value:
            result.skipped.append(Skipped(where, "no value"))
            continue
        raw_type = record.get("type", "").strip().lower()
        kind: str | None = _TYPE_ALIASES.get(raw_type, raw_type) if raw_type else None
        if kind is None:
            kind = guess_type(value)
            if kind is None:
                result.skipped.append(
                    Skipped(where, f"cannot tell what {value[:60]!r} is; give a type column")
                )
                continue
        level = None
        if record.get("tlp"):
            level = tlpdefs.from_name(record["tlp"])
            if level is None:
                result.skipped.append(Skipped(where, f"TLP {record['tlp']!r} is not a TLP 2.0 marking"))
                continue
        try:
            confidence = int(record["confidence"]) if record.get("confidence") else None
            first_seen = _time(record.get("first_seen", ""))
            last_seen = _time(record.get("last_seen", ""))
        except ValueError as exc:
            result.skipped.append(Skipped(where, f"bad confidence or date: {exc}"))
            continue
        result.indicators.append(
            Parsed(
                type=kind,
                value=value,
                where=where,
                tlp=level,
                confidence=confidence,
                first_seen=first_seen,
                last_seen=last_seen,
                source_name=record.get("source") or None,
                description=record.get("description", ""),
            )
        )
    return result


def export_csv(indicators: Iterable[Any]) -> str:
    """The indicators as CSV with the columns ``read_csv`` reads back (the product's one CSV
    writer: byte order mark for Excel, reversible formula guard)."""
    return csvfile.to_text(
        COLUMNS,
        (
            [
                ind.type,
                ind.value,
                ind.tlp,
                str(ind.confidence),
                ind.source_name or ind.get_source_kind_display(),
                ind.first_seen.isoformat() if ind.first_seen else "",
                ind.last_seen.isoformat() if ind.last_seen else "",
                ind.description,
            ]
            for ind in indicators
        ),
    )
