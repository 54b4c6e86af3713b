"""The hash chain's arithmetic, with no database: what is hashed, how, and how it is checked.

The application (``logchain``) and the offline check of a CSV export (``logcsv``) both use
this module, so an export is verified by exactly the code that wrote the hashes. It imports
only the standard library.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON form of the
entry. Everything in that form is canonical before it is hashed *and* stored the same way:
link ids are sorted and de-duplicated (a link listed twice is one link), times are UTC to
the microsecond with a ``Z``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def genesis_hash(incident_reference: str) -> str:
    """The 'previous hash' of an incident's first entry."""
    return hashlib.sha256(f"incidentroom-log:{incident_reference}".encode()).hexdigest()


def utc_text(value: dt.datetime) -> str:
    """A time as it is hashed: UTC, microseconds, ``Z``."""
    return value.astimezone(dt.UTC).strftime(TIME_FORMAT)


def canonical_ids(ids: Iterable[int]) -> tuple[int, ...]:
    """Link ids as hashed and stored: sorted, each once."""
    return tuple(sorted({int(i) for i in ids}))


@dataclass(frozen=True)
class Record:
    """One log entry exactly as it is hashed, plus its stored hashes."""

    incident: str
    sequence: int
    kind: str
    author: str
    occurred_at: str
    recorded_at: str
    text: str
    organisations: tuple[int, ...]
    systems: tuple[int, ...]
    services: tuple[int, ...]
    corrects: int | None
    previous_hash: str
    entry_hash: str
    entry_id: int | None = None

    def body(self) -> bytes:
        """The canonical bytes that are hashed."""
        return canonical(
            incident=self.incident,
            sequence=self.sequence,
            kind=self.kind,
            author=self.author,
            occurred_at=self.occurred_at,
            recorded_at=self.recorded_at,
            text=self.text,
            organisations=self.organisations,
            systems=self.systems,
            services=self.services,
            corrects=self.corrects,
        )


def canonical(
    *,
    incident: str,
    sequence: int,
    kind: str,
    author: str,
    occurred_at: str,
    recorded_at: str,
    text: str,
    organisations: Iterable[int],
    systems: Iterable[int],
    services: Iterable[int],
    corrects: int | None,
) -> bytes:
    """The bytes that are hashed: sorted keys, canonical link ids, UTC time texts."""
    payload: dict[str, Any] = {
        "incident": incident,
        "sequence": sequence,
        "kind": kind,
        "author": author,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "text": text,
        "organisations": list(canonical_ids(organisations)),
        "systems": list(canonical_ids(systems)),
        "services": list(canonical_ids(services)),
        "corrects": corrects,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_hash(previous_hash: str, body: bytes) -> str:
    """Hash of this entry given the previous one."""
    return hashlib.sha256(previous_hash.encode("ascii") + b"\n" + body).hexdigest()


@dataclass(frozen=True)
class Break:
    """One broken entry: which, and what is wrong with it."""

    sequence: int
    entry_id: int | None
    problem: str


def check(records: Sequence[Record], *, complete: bool = True) -> list[Break]:
    """Every break in a run of entries in sequence order (never stops at the first).

    Each entry is checked on its own (its stored hash against its content and its stored
    previous hash) and against its neighbour (its previous hash against the stored hash of
    the entry before it). Using the stored hashes for the link means one altered entry is
    reported once, and a later, separate alteration is still reported.

    ``complete`` says the records should be the whole log from #1; a filtered export is
    checked with ``complete=False``, where gaps are expected and the first row need not be #1.
    """
    breaks: list[Break] = []
    before: Record | None = None
    for record in records:
        expected = before.sequence + 1 if before is not None else 1
        if before is not None and record.sequence <= before.sequence:
            breaks.append(Break(record.sequence, record.entry_id, "is out of order or repeated"))
        elif complete and record.sequence != expected:
            gap = (
                f"entries #{expected} to #{record.sequence - 1} are missing"
                if record.sequence - 1 > expected
                else f"entry #{expected} is missing"
            )
            breaks.append(Break(record.sequence, record.entry_id, gap))
        if record.sequence == 1:
            link: str | None = genesis_hash(record.incident)
        elif before is not None and before.sequence == record.sequence - 1:
            link = before.entry_hash
        else:
            link = None  # the entry before it is not here (a filtered export or a gap reported above)
        if link is not None and record.previous_hash != link:
            breaks.append(Break(record.sequence, record.entry_id, "does not chain to the entry before it"))
        if chain_hash(record.previous_hash, record.body()) != record.entry_hash:
            breaks.append(
                Break(
                    record.sequence,
                    record.entry_id,
                    "content does not match its hash (altered after it was recorded)",
                )
            )
        before = record
    return breaks


# -- the signed checkpoint of the chain head --------------------------------------------------


def checkpoint_message(incident: str, sequence: int, entry_hash: str) -> bytes:
    """What a checkpoint signs: the incident, the head's sequence and the head's hash."""
    return f"incidentroom-log-checkpoint\n{incident}\n{sequence}\n{entry_hash}".encode()


def sign_checkpoint(key: bytes, incident: str, sequence: int, entry_hash: str) -> str:
    """HMAC-SHA256 of the checkpoint under the deployment's log key."""
    return hmac.new(key, checkpoint_message(incident, sequence, entry_hash), hashlib.sha256).hexdigest()


def checkpoint_valid(key: bytes, incident: str, sequence: int, entry_hash: str, signature: str) -> bool:
    """Whether ``signature`` was made with ``key`` over exactly these values."""
    return hmac.compare_digest(sign_checkpoint(key, incident, sequence, entry_hash), signature)
