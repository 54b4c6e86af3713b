"""The hash chain that makes the decision log tamper-evident.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON form of
the entry (including its links), so altering, deleting or re-ordering any entry breaks
every hash after it. The first entry chains from a per-incident genesis value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from incidentroom.incidents.models import Incident, LogEntry


def genesis_hash(incident: Incident) -> str:
    """The 'previous hash' of an incident's first entry."""
    return hashlib.sha256(f"incidentroom-log:{incident.reference}".encode()).hexdigest()


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    *,
    incident_reference: str,
    sequence: int,
    kind: str,
    author_label: str,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    text: str,
    organisation_ids: list[int],
    system_ids: list[int],
    service_ids: list[int],
    corrects_id: int | None,
) -> bytes:
    """The bytes that are hashed: sorted keys, sorted link ids, UTC times to the microsecond."""
    payload: dict[str, Any] = {
        "incident": incident_reference,
        "sequence": sequence,
        "kind": kind,
        "author": author_label,
        "occurred_at": _utc(occurred_at),
        "recorded_at": _utc(recorded_at),
        "text": text,
        "organisations": sorted(organisation_ids),
        "systems": sorted(system_ids),
        "services": sorted(service_ids),
        "corrects": corrects_id,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_hash(previous_hash: str, body: bytes) -> str:
    """Hash of this entry given the previous one."""
    return hashlib.sha256(previous_hash.encode("ascii") + b"\n" + body).hexdigest()


def entry_body(entry: LogEntry) -> bytes:
    """Recompute the canonical bytes of a stored entry."""
    return canonical(
        incident_reference=entry.incident.reference,
        sequence=entry.sequence,
        kind=entry.kind,
        author_label=entry.author_label,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        text=entry.text,
        organisation_ids=[o.pk for o in entry.organisations.all()],
        system_ids=[s.pk for s in entry.systems.all()],
        service_ids=[s.pk for s in entry.services.all()],
        corrects_id=entry.corrects_id,
    )


@dataclass(frozen=True)
class ChainReport:
    """Result of checking one incident's log."""

    incident: str
    entries: int
    ok: bool
    first_broken_sequence: int | None = None
    first_broken_id: int | None = None
    problem: str = ""


def verify(incident: Incident) -> ChainReport:
    """Walk the log in order, recomputing every hash; stop at the first mismatch."""
    entries = (
        LogEntry.objects.filter(incident=incident)
        .select_related("incident")
        .prefetch_related("organisations", "systems", "services")
        .order_by("sequence")
    )
    previous = genesis_hash(incident)
    count = 0
    for expected_seq, entry in enumerate(entries, start=1):
        count += 1
        if entry.sequence != expected_seq:
            return ChainReport(
                incident.reference,
                count,
                False,
                entry.sequence,
                entry.pk,
                f"entry #{expected_seq} is missing (next found is #{entry.sequence})",
            )
        if entry.previous_hash != previous:
            return ChainReport(
                incident.reference,
                count,
                False,
                entry.sequence,
                entry.pk,
                "does not chain to the entry before it",
            )
        if chain_hash(previous, entry_body(entry)) != entry.entry_hash:
            return ChainReport(
                incident.reference,
                count,
                False,
                entry.sequence,
                entry.pk,
                "content does not match its hash (altered after it was recorded)",
            )
        previous = entry.entry_hash
    return ChainReport(incident.reference, count, True)
