"""MISP event JSON (the format of MISP's event export and of feeds): read and write.

Attribute types map to ours (``ip-src``/``ip-dst`` to addresses, ``email-src`` to sender,
``filename|md5`` to two indicators...); ``tlp:*`` tags on the event apply to every attribute
unless the attribute carries its own.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

from incidentroom.threats.exchange import Parsed, ReadResult, Skipped
from incidentroom.threats.exchange import tlp as tlpdefs

_SIMPLE = {
    "ip-src": "ip",
    "ip-dst": "ip",
    "domain": "domain",
    "hostname": "host_name",
    "url": "url",
    "link": "url",
    "email-src": "email_sender",
    "email": "email_sender",
    "email-subject": "email_subject",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "filename": "file_name",
    "target-user": "user_account",
    "regkey": "registry_key",
}
_TO_MISP = {
    "ipv4": "ip-dst",
    "ipv6": "ip-dst",
    "domain": "domain",
    "host_name": "hostname",
    "url": "url",
    "email_sender": "email-src",
    "email_subject": "email-subject",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "file_name": "filename",
    "user_account": "target-user",
    "registry_key": "regkey",
    "command_line": "text",
}
_CATEGORY = {
    "ip-dst": "Network activity",
    "domain": "Network activity",
    "hostname": "Network activity",
    "url": "Network activity",
    "email-src": "Payload delivery",
    "email-subject": "Payload delivery",
    "md5": "Payload delivery",
    "sha1": "Payload delivery",
    "sha256": "Payload delivery",
    "filename": "Payload delivery",
    "target-user": "Targeting data",
    "regkey": "Persistence mechanism",
    "text": "Other",
}


def _tlp(tags: Any) -> str | None:
    levels = []
    for tag in tags or []:
        name = tag.get("name", "") if isinstance(tag, dict) else str(tag)
        if name.lower().startswith("tlp:"):
            level = tlpdefs.from_name(name)
            if level:
                levels.append(level)
    return tlpdefs.strictest(levels)


def _time(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        if str(value).isdigit():
            return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _ip_type(value: str) -> str:
    return "ipv6" if ":" in value.split("/")[0] else "ipv4"


def read_event(text: str | bytes) -> ReadResult:
    """Indicators from a MISP event (``{"Event": {...}}``, a bare event, or a list of them)."""
    result = ReadResult()
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        result.skipped.append(Skipped("event", f"not JSON: {exc}"))
        return result
    events = doc if isinstance(doc, list) else [doc]
    for number, item in enumerate(events, start=1):
        event = item.get("Event", item) if isinstance(item, dict) else None
        if not isinstance(event, dict) or ("Attribute" not in event and "Object" not in event):
            result.skipped.append(
                Skipped(f"event {number}", "not a MISP event (no Attribute or Object list)")
            )
            continue
        org = (event.get("Orgc") or event.get("Org") or {}).get("name", "")
        result.source_name = result.source_name or org
        event_tlp = _tlp(event.get("Tag"))
        attributes = list(event.get("Attribute") or [])
        for obj in event.get("Object") or []:
            attributes.extend(obj.get("Attribute") or [])
        for index, attr in enumerate(attributes, start=1):
            where = f"event {number} attribute {attr.get('uuid') or index}"
            _attribute(attr, where, event_tlp, org, result)
    return result


def _attribute(attr: dict[str, Any], where: str, event_tlp: str | None, org: str, result: ReadResult) -> None:
    kind = str(attr.get("type", ""))
    value = str(attr.get("value", ""))
    if attr.get("deleted"):
        result.skipped.append(Skipped(where, "deleted in MISP"))
        return
    pairs: list[tuple[str, str]] = []
    if "|" in kind:
        left, right = kind.split("|", 1)
        parts = value.split("|", 1)
        if len(parts) != 2:
            result.skipped.append(Skipped(where, f"{kind} value has no '|'"))
            return
        if left in ("ip-src", "ip-dst") and right == "port":
            pairs.append((_ip_type(parts[0]), parts[0]))
        elif left == "filename" and right in ("md5", "sha1", "sha256"):
            pairs += [("file_name", parts[0]), (right, parts[1])]
        elif left == "regkey" and right == "value":
            pairs.append(("registry_key", parts[0]))
        elif left == "domain" and right == "ip":
            pairs += [("domain", parts[0]), (_ip_type(parts[1]), parts[1])]
        else:
            result.skipped.append(Skipped(where, f"MISP type {kind} is not an indicator type we hold"))
            return
    elif kind in _SIMPLE:
        ours = _SIMPLE[kind]
        pairs.append((_ip_type(value) if ours == "ip" else ours, value))
    elif kind == "text" and str(attr.get("comment", "")).lower().startswith("command line"):
        pairs.append(("command_line", value))
    else:
        result.skipped.append(
            Skipped(where, f"MISP type {kind or '(none)'} is not an indicator type we hold")
        )
        return
    for ours, v in pairs:
        result.indicators.append(
            Parsed(
                type=ours,
                value=v,
                where=where,
                tlp=_tlp(attr.get("Tag")) or event_tlp,
                first_seen=_time(attr.get("first_seen")),
                last_seen=_time(attr.get("last_seen")),
                source_name=org or None,
                description=str(attr.get("comment") or ""),
            )
        )


def export_event(indicators: Iterable[Any], *, info: str, org_name: str) -> str:
    """One MISP event holding ``indicators``; the event's TLP tag is the strictest of theirs."""
    attributes = []
    levels = []
    for ind in indicators:
        kind = _TO_MISP[ind.type]
        levels.append(ind.tlp)
        attributes.append(
            {
                "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, ind.stix_id)),
                "type": kind,
                "category": _CATEGORY[kind],
                "value": ind.value,
                "to_ids": True,
                "comment": ("Command line: " if ind.type == "command_line" else "") + (ind.description or ""),
                "first_seen": ind.first_seen.isoformat() if ind.first_seen else None,
                "last_seen": ind.last_seen.isoformat() if ind.last_seen else None,
                "Tag": [{"name": f"tlp:{ind.tlp}"}],
            }
        )
    event = {
        "Event": {
            "info": info,
            "date": dt.datetime.now(dt.UTC).date().isoformat(),
            "threat_level_id": "2",
            "analysis": "1",
            "distribution": "0",
            "Orgc": {"name": org_name},
            "Tag": [{"name": f"tlp:{tlpdefs.strictest(levels) or 'amber'}"}],
            "Attribute": attributes,
        }
    }
    return json.dumps(event, indent=2, ensure_ascii=False)
