"""Checking and normalising indicator values, one rule per type.

Normalising makes the same indicator from two feeds one record (``Evil.COM.`` and
``evil.com``), and makes sweeps match what analysts mean: case-insensitive where case is
noise (domains, hashes, accounts), exact where it is not (command-line fragments keep case
but are matched case-insensitively anyway, as Windows does).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from incidentroom.core.errors import InvalidInput
from incidentroom.threats.models import IndicatorType

_HEX = {IndicatorType.MD5: 32, IndicatorType.SHA1: 40, IndicatorType.SHA256: 64}
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_LENGTH = 2000


def _domain(raw: str, field: str) -> str:
    value = raw.strip().rstrip(".").lower()
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidInput(f"{raw!r} is not a domain name.", field=field) from exc
    labels = value.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidInput(f"{raw!r} is not a domain name (like evil.example).", field=field)
    return value


def ip_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network an address, CIDR range or ``first-last`` range covers (None if not one)."""
    try:
        if "-" in value:
            first, last = (ipaddress.ip_address(p.strip()) for p in value.split("-", 1))
            nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = list(
                ipaddress.summarize_address_range(first, last)
            )
            return nets[0] if len(nets) == 1 else None
        return ipaddress.ip_network(value.strip(), strict=False)
    except (ValueError, TypeError):
        return None


def _ip(raw: str, version: int, field: str) -> str:
    text = raw.strip()
    try:
        if "-" in text:
            first, last = (ipaddress.ip_address(p.strip()) for p in text.split("-", 1))
            if first.version != version or last.version != version or int(first) > int(last):
                raise ValueError("range")
            nets = list(ipaddress.summarize_address_range(first, last))
            if len(nets) != 1:
                # One indicator is one CIDR block, so STIX, MISP and CSV can all carry it.
                blocks = ", ".join(str(n) for n in nets[:8]) + (" ..." if len(nets) > 8 else "")
                raise InvalidInput(
                    f"{raw!r} is not one CIDR block; enter it as these blocks: {blocks}.", field=field
                )
            return str(nets[0])
        net = ipaddress.ip_network(text, strict=False)
        if net.version != version:
            raise ValueError("version")
        return str(net.network_address) if net.num_addresses == 1 else str(net)
    except InvalidInput:
        raise
    except ValueError as exc:
        kind = "IPv4" if version == 4 else "IPv6"
        raise InvalidInput(
            f"{raw!r} is not an {kind} address, CIDR range (a.b.c.d/nn) or first-last range.", field=field
        ) from exc


def normalise(type_: str, raw: str, *, field: str = "value") -> str:
    """The canonical form of ``raw`` as an indicator of ``type_``; InvalidInput if it is not one."""
    if type_ not in IndicatorType.values:
        raise InvalidInput(
            f"type must be one of {', '.join(IndicatorType.values)}; got {type_!r}.", field="type"
        )
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("The value is empty.", field=field)
    if len(raw) > MAX_LENGTH:
        raise InvalidInput(f"The value is longer than {MAX_LENGTH} characters.", field=field)
    if any(ord(c) < 32 and c != "\t" for c in raw):
        raise InvalidInput("The value contains control characters.", field=field)
    t = IndicatorType(type_)
    if t is IndicatorType.IPV4:
        return _ip(raw, 4, field)
    if t is IndicatorType.IPV6:
        return _ip(raw, 6, field)
    if t is IndicatorType.DOMAIN:
        return _domain(raw, field)
    if t is IndicatorType.URL:
        text = raw.strip()
        try:
            parts = urlsplit(text)
            hostname, port = parts.hostname, parts.port
        except ValueError as exc:  # an unclosed [ or a port out of range
            raise InvalidInput(f"{raw!r} is not a URL: {exc}.", field=field) from exc
        if (
            parts.scheme.lower() not in ("http", "https", "ftp")
            or not hostname
            or any(c.isspace() for c in text)
        ):
            raise InvalidInput(f"{raw!r} is not a URL (http, https or ftp with a host).", field=field)
        host = _domain(hostname, field) if not ip_network(hostname) else hostname
        netloc = host + (f":{port}" if port else "")
        rest = text.split(parts.netloc, 1)[1] if parts.netloc else ""
        return f"{parts.scheme.lower()}://{netloc}{rest}"
    if t is IndicatorType.EMAIL_SENDER:
        text = raw.strip().lower()
        if not _EMAIL.match(text):
            raise InvalidInput(f"{raw!r} is not an email address.", field=field)
        local, domain = text.rsplit("@", 1)
        return f"{local}@{_domain(domain, field)}"
    if t in _HEX:
        text = raw.strip().lower()
        if len(text) != _HEX[t] or not re.fullmatch(r"[0-9a-f]+", text):
            raise InvalidInput(f"A {t.label} is {_HEX[t]} hexadecimal characters; got {raw!r}.", field=field)
        return text
    if t in (IndicatorType.USER_ACCOUNT, IndicatorType.HOST_NAME):
        text = raw.strip().lower()
        if any(c.isspace() for c in text):
            raise InvalidInput(f"A {t.label.lower()} has no spaces; got {raw!r}.", field=field)
        return text
    if t is IndicatorType.REGISTRY_KEY:
        text = raw.strip()
        if "\\" not in text:
            raise InvalidInput(f"{raw!r} is not a registry key (like HKLM\\Software\\...).", field=field)
        return text
    # Subjects, file names and command-line fragments are kept as written (trimmed).
    return raw.strip()


def hash_type_for_length(value: str) -> str | None:
    """MD5, SHA-1 or SHA-256 by the length of a hexadecimal digest."""
    text = value.strip().lower()
    if not re.fullmatch(r"[0-9a-f]+", text):
        return None
    return {32: "md5", 40: "sha1", 64: "sha256"}.get(len(text))
