"""STIX 2.1 bundles, read and written with the OASIS ``stix2`` library.

Export writes one ``indicator`` per record with a pattern on the standard cyber-observable
(``[ipv4-addr:value = '203.0.113.0/24']``, ``[file:hashes.'SHA-256' = ...]``), the TLP 2.0
marking, the source as ``created_by_ref`` identity, and what STIX has no property for
(first and last seen, the source kind, the linked systems, the exact indicator type) as
``x_incidentroom_*`` custom properties, so that importing an export changes nothing.
Import reads any producer's bundle: patterns of one or several ``=`` comparisons joined by
OR become indicators; anything else is skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

import stix2
from stix2.exceptions import STIXError
from stix2patterns.pattern import Pattern

from incidentroom.threats.exchange import Parsed, ReadResult, Skipped
from incidentroom.threats.exchange import tlp as tlpdefs

# Our type -> (STIX object path, operator). Host names have no cyber-observable of their
# own: they travel as domain-name with x_incidentroom_type saying what they are.
_PATTERNS: dict[str, tuple[str, str]] = {
    "ipv4": ("ipv4-addr:value", "="),
    "ipv6": ("ipv6-addr:value", "="),
    "domain": ("domain-name:value", "="),
    "url": ("url:value", "="),
    "email_sender": ("email-message:from_ref.value", "="),
    "email_subject": ("email-message:subject", "="),
    "md5": ("file:hashes.MD5", "="),
    "sha1": ("file:hashes.'SHA-1'", "="),
    "sha256": ("file:hashes.'SHA-256'", "="),
    "file_name": ("file:name", "="),
    "user_account": ("user-account:account_login", "="),
    "host_name": ("domain-name:value", "="),
    "registry_key": ("windows-registry-key:key", "="),
    "command_line": ("process:command_line", "LIKE"),
}
# (object type, property path) -> our type, for import.
_FROM_PATH: dict[tuple[str, str], str] = {
    ("ipv4-addr", "value"): "ipv4",
    ("ipv6-addr", "value"): "ipv6",
    ("domain-name", "value"): "domain",
    ("url", "value"): "url",
    ("email-addr", "value"): "email_sender",
    ("email-message", "from_ref.value"): "email_sender",
    ("email-message", "sender_ref.value"): "email_sender",
    ("email-message", "subject"): "email_subject",
    ("file", "hashes.MD5"): "md5",
    ("file", "hashes.SHA-1"): "sha1",
    ("file", "hashes.SHA1"): "sha1",
    ("file", "hashes.SHA-256"): "sha256",
    ("file", "hashes.SHA256"): "sha256",
    ("file", "name"): "file_name",
    ("user-account", "account_login"): "user_account",
    ("user-account", "user_id"): "user_account",
    ("windows-registry-key", "key"): "registry_key",
    ("process", "command_line"): "command_line",
    ("x-incidentroom-host", "name"): "host_name",
}
_NAMESPACE = uuid.UUID("4a7b2a3e-5f3c-4e6b-9a55-0c4d1b7e2f10")


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unquote(value: str) -> str:
    text = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else value
    out, escaped = [], False
    for ch in text:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(ch)
    return "".join(out)


def pattern_for(type_: str, value: str) -> str:
    """The STIX pattern for one of our indicators."""
    path, op = _PATTERNS[type_]
    if op == "LIKE":
        escaped = value.replace("%", "\\%").replace("_", "\\_")
        return f"[{path} LIKE {_quote('%' + escaped + '%')}]"
    return f"[{path} = {_quote(value)}]"


def identity_id(name: str) -> str:
    """A stable identity id per source name (the same NCSC across exports)."""
    return f"identity--{uuid.uuid5(_NAMESPACE, name.strip().lower())}"


def _stamp(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def export_bundle(indicators: Iterable[Any]) -> str:
    """A STIX 2.1 bundle (JSON) of ``indicators`` (Indicator model rows, systems prefetched)."""
    objects: list[Any] = []
    identities: dict[str, Any] = {}
    markings: set[str] = set()
    for ind in indicators:
        source = ind.source_name or ind.get_source_kind_display()
        ident = identities.get(source)
        if ident is None:
            ident = identities[source] = stix2.Identity(
                id=identity_id(source),
                name=source,
                identity_class="organization",
                created="2020-01-01T00:00:00.000Z",
                modified="2020-01-01T00:00:00.000Z",
            )
        markings.add(ind.tlp)
        created = ind.created_at
        objects.append(
            stix2.Indicator(
                id=ind.stix_id,
                created=created,
                modified=created,
                name=ind.value[:250],
                description=ind.description or None,
                pattern=pattern_for(ind.type, ind.value),
                pattern_type="stix",
                valid_from=ind.first_seen or created,
                indicator_types=["malicious-activity"],
                confidence=ind.confidence,
                created_by_ref=ident.id,
                object_marking_refs=[tlpdefs.TLP2_IDS[ind.tlp]],
                allow_custom=True,
                x_incidentroom_type=ind.type,
                x_incidentroom_source_kind=ind.source_kind,
                x_incidentroom_first_seen=_stamp(ind.first_seen),
                x_incidentroom_last_seen=_stamp(ind.last_seen),
                x_incidentroom_incident=ind.incident.reference,
                x_incidentroom_systems=sorted(s.code for s in ind.systems.all()),
                x_incidentroom_staff_watch=ind.staff_watch,
            )
        )
    marking_objects = [
        stix2.parse(tlpdefs.marking_object(level), allow_custom=True) for level in sorted(markings)
    ]
    bundle = stix2.Bundle(objects=[*marking_objects, *identities.values(), *objects], allow_custom=True)
    return str(bundle.serialize(pretty=True))


def _time(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def read_bundle(text: str | bytes) -> ReadResult:
    """Indicators in a STIX 2.1 bundle, and what was skipped and why."""
    result = ReadResult()
    try:
        raw = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        result.skipped.append(Skipped("bundle", f"not JSON: {exc}"))
        return result
    if not isinstance(raw, dict) or raw.get("type") != "bundle":
        result.skipped.append(Skipped("bundle", "not a STIX bundle (no top-level type 'bundle')"))
        return result
    identities: dict[str, str] = {}
    markings: dict[str, str] = dict(tlpdefs.BY_ID)
    items = raw.get("objects") or []
    if not isinstance(items, list):
        result.skipped.append(Skipped("bundle", "objects is not a list"))
        return result
    # Each object is parsed on its own, so one invalid object is skipped, not the bundle.
    parsed_objects: list[tuple[int, Any]] = []
    for index, obj in enumerate(items):
        where = f"object {index + 1}"
        if isinstance(obj, dict) and obj.get("id"):
            where = str(obj["id"])
        try:
            parsed = stix2.parse(obj, allow_custom=True)
        except (STIXError, ValueError, TypeError, KeyError) as exc:
            result.skipped.append(Skipped(where, f"invalid STIX: {exc}"))
            continue
        kind = parsed.get("type") if hasattr(parsed, "get") else None
        if kind == "identity":
            identities[parsed["id"]] = parsed["name"]
        elif kind == "marking-definition":
            name = parsed.get("name") or ""
            level = tlpdefs.from_name(name) if name else None
            ext = (parsed.get("extensions") or {}).get(tlpdefs.TLP2_EXTENSION)
            if ext is not None and ext.get("tlp_2_0"):
                level = tlpdefs.from_name(str(ext.get("tlp_2_0")))
            if level:
                markings[parsed["id"]] = level
        parsed_objects.append((index, parsed))
    for index, obj in parsed_objects:
        kind = obj.get("type")
        if kind in ("identity", "marking-definition", "extension-definition"):
            continue
        where = str(obj.get("id") or f"object {index + 1}")
        if kind != "indicator":
            result.skipped.append(Skipped(where, f"{kind} objects are not indicators"))
            continue
        if obj.get("revoked"):
            result.skipped.append(Skipped(where, "revoked by its producer"))
            continue
        if obj.get("pattern_type") != "stix":
            result.skipped.append(Skipped(where, f"pattern type {obj.get('pattern_type')} is not STIX"))
            continue
        levels = [markings[m] for m in obj.get("object_marking_refs") or [] if m in markings]
        level = tlpdefs.strictest(levels)
        try:
            comparisons = _comparisons(str(obj["pattern"]))
        except ValueError as exc:
            result.skipped.append(Skipped(where, str(exc)))
            continue
        custom_type = obj.get("x_incidentroom_type")
        for object_type, path, op, value in comparisons:
            our = _FROM_PATH.get((object_type, path))
            if custom_type in _PATTERNS and (
                our == custom_type or (our == "domain" and custom_type == "host_name")
            ):
                our = custom_type
            if our is None:
                result.skipped.append(
                    Skipped(where, f"{object_type}:{path} is not an indicator type we hold")
                )
                continue
            if op == "LIKE":
                if our != "command_line" or not (value.startswith("%") and value.endswith("%")):
                    result.skipped.append(
                        Skipped(where, f"LIKE is only read as a command-line fragment ({value!r})")
                    )
                    continue
                value = value[1:-1].replace("\\%", "%").replace("\\_", "_")
            elif op != "=":
                result.skipped.append(Skipped(where, f"operator {op} is not read (only = and LIKE)"))
                continue
            source = identities.get(str(obj.get("created_by_ref") or ""), "")
            result.indicators.append(
                Parsed(
                    type=our,
                    value=value,
                    where=where,
                    tlp=level,
                    confidence=obj.get("confidence"),
                    first_seen=_time(obj.get("x_incidentroom_first_seen")) or _time(obj.get("valid_from")),
                    last_seen=_time(obj.get("x_incidentroom_last_seen")),
                    source_kind=obj.get("x_incidentroom_source_kind"),
                    source_name=source or None,
                    description=str(obj.get("description") or ""),
                    stix_id=str(obj["id"]) if len(comparisons) == 1 else None,
                    systems=list(obj.get("x_incidentroom_systems") or []),
                    staff_watch=obj.get("x_incidentroom_staff_watch"),
                )
            )
    return result


def _comparisons(pattern: str) -> list[tuple[str, str, str, str]]:
    """(object type, property path, operator, value) of a pattern made of comparisons joined
    by OR within one observation, or ValueError naming what is not read."""
    try:
        data = Pattern(pattern).inspect()
    except Exception as exc:  # noqa: BLE001 - the pattern library raises its parser's own errors
        raise ValueError(f"pattern does not parse: {exc}") from exc
    if data.observation_ops or data.qualifiers:
        raise ValueError(
            "pattern joins observations or has qualifiers ("
            + ", ".join(sorted(set(data.observation_ops) | {str(q) for q in data.qualifiers}))
            + "); only single observations are read"
        )
    if " AND " in pattern.upper().replace("'", " ' "):
        raise ValueError("pattern has AND within the observation; only OR of comparisons is read")
    out: list[tuple[str, str, str, str]] = []
    for object_type, comparisons in data.comparisons.items():
        for path, op, value in comparisons:
            keys = ".".join(str(p) for p in path)
            out.append((object_type, keys, op.upper(), _unquote(value)))
    return out
