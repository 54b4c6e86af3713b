"""The hash chain that makes the decision log tamper-evident, as the application uses it.

The arithmetic (what is hashed, how, how a run of entries is checked) is in ``hashchain``,
which has no database and is shared with the offline check of a CSV export. This module reads
entries from the database, keeps the signed checkpoint of the chain head, and reports every
broken entry, not only the first.

Two kinds of tampering the chain cannot show by itself, because a chain that was cut short
or recomputed is still a valid chain: a deleted last entry, and an entry rewritten with every
hash after it recomputed. The checkpoint catches both: it signs the head's sequence and hash
with a key kept outside the database, and verification compares the head against it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from incidentroom.incidents import hashchain
from incidentroom.incidents.hashchain import Break, Record, utc_text
from incidentroom.incidents.models import Incident, LogCheckpoint, LogEntry


def genesis_hash(incident: Incident) -> str:
    """The 'previous hash' of an incident's first entry."""
    return hashchain.genesis_hash(incident.reference)


def _key() -> bytes:
    key: bytes = settings.LOG_CHECKPOINT_KEY
    return key


def _links(entry_ids: list[int]) -> dict[str, dict[int, list[int]]]:
    """Link ids per entry, read from the through tables (as stored, which is canonical)."""
    out: dict[str, dict[int, list[int]]] = {}
    for name, column in (
        ("organisations", "organisation_id"),
        ("systems", "system_id"),
        ("services", "service_id"),
    ):
        through = getattr(LogEntry, name).through
        per_entry: dict[int, list[int]] = defaultdict(list)
        for entry_id, target in through.objects.filter(logentry_id__in=entry_ids).values_list(
            "logentry_id", column
        ):
            per_entry[entry_id].append(target)
        out[name] = per_entry
    return out


def records(incident: Incident) -> list[Record]:
    """Every entry of the incident as it is hashed, in sequence order."""
    rows = list(
        LogEntry.objects.filter(incident=incident)
        .order_by("sequence")
        .values(
            "id",
            "sequence",
            "kind",
            "author_label",
            "occurred_at",
            "recorded_at",
            "text",
            "corrects_id",
            "previous_hash",
            "entry_hash",
        )
    )
    links = _links([r["id"] for r in rows])
    return [
        Record(
            incident=incident.reference,
            sequence=r["sequence"],
            kind=r["kind"],
            author=r["author_label"],
            occurred_at=utc_text(r["occurred_at"]),
            recorded_at=utc_text(r["recorded_at"]),
            text=r["text"],
            # Not canonicalised here: a duplicated link row (possible only behind the
            # application's back) must show up as a mismatch, not be silently folded.
            organisations=tuple(sorted(links["organisations"].get(r["id"], []))),
            systems=tuple(sorted(links["systems"].get(r["id"], []))),
            services=tuple(sorted(links["services"].get(r["id"], []))),
            corrects=r["corrects_id"],
            previous_hash=r["previous_hash"],
            entry_hash=r["entry_hash"],
            entry_id=r["id"],
        )
        for r in rows
    ]


def record_for(entry: LogEntry) -> Record:
    """One stored entry as it is hashed (for exports)."""
    return Record(
        incident=entry.incident.reference,
        sequence=entry.sequence,
        kind=entry.kind,
        author=entry.author_label,
        occurred_at=utc_text(entry.occurred_at),
        recorded_at=utc_text(entry.recorded_at),
        text=entry.text,
        organisations=tuple(sorted(o.pk for o in entry.organisations.all())),
        systems=tuple(sorted(s.pk for s in entry.systems.all())),
        services=tuple(sorted(s.pk for s in entry.services.all())),
        corrects=entry.corrects_id,
        previous_hash=entry.previous_hash,
        entry_hash=entry.entry_hash,
        entry_id=entry.pk,
    )


def sign_head(incident: Incident, entry: LogEntry) -> LogCheckpoint:
    """Move the incident's signed checkpoint to ``entry`` (call in the entry's transaction)."""
    signature = hashchain.sign_checkpoint(_key(), incident.reference, entry.sequence, entry.entry_hash)
    checkpoint, _ = LogCheckpoint.objects.update_or_create(
        incident=incident,
        defaults={
            "sequence": entry.sequence,
            "entry_hash": entry.entry_hash,
            "signature": signature,
            "signed_at": timezone.now(),
        },
    )
    return checkpoint


def _checkpoint_breaks(incident: Incident, chain: list[Record]) -> list[Break]:
    """Compare the head of the chain with the signed checkpoint."""
    checkpoint = LogCheckpoint.objects.filter(incident=incident).first()
    head = chain[-1] if chain else None
    if checkpoint is None:
        if head is None:
            return []
        return [
            Break(
                head.sequence, head.entry_id, "the log has no signed checkpoint (its head cannot be checked)"
            )
        ]
    if not hashchain.checkpoint_valid(
        _key(), incident.reference, checkpoint.sequence, checkpoint.entry_hash, checkpoint.signature
    ):
        return [
            Break(
                checkpoint.sequence,
                None,
                "the signed checkpoint's signature is not valid (forged, or the log key changed)",
            )
        ]
    by_sequence = {r.sequence: r for r in chain}
    anchored = by_sequence.get(checkpoint.sequence)
    breaks: list[Break] = []
    if anchored is None:
        breaks.append(
            Break(
                checkpoint.sequence,
                None,
                f"is missing: the signed checkpoint says the log runs to #{checkpoint.sequence} (deleted)",
            )
        )
    elif anchored.entry_hash != checkpoint.entry_hash:
        breaks.append(
            Break(
                anchored.sequence,
                anchored.entry_id,
                "differs from the signed checkpoint (the log was rewritten and its hashes recomputed)",
            )
        )
    for record in chain:
        if record.sequence > checkpoint.sequence:
            breaks.append(
                Break(
                    record.sequence,
                    record.entry_id,
                    f"was added outside the application, after the signed head #{checkpoint.sequence}",
                )
            )
    return breaks


@dataclass(frozen=True)
class ChainReport:
    """Result of checking one incident's log: every broken entry, in sequence order."""

    incident: str
    entries: int
    breaks: tuple[Break, ...] = field(default_factory=tuple)
    checkpoint_sequence: int | None = None

    @property
    def ok(self) -> bool:
        """No break anywhere, and the head matches the signed checkpoint."""
        return not self.breaks

    @property
    def first_broken_sequence(self) -> int | None:
        """The first broken entry's sequence (None when intact)."""
        return self.breaks[0].sequence if self.breaks else None

    @property
    def first_broken_id(self) -> int | None:
        """The first broken entry's id, when it still exists."""
        return self.breaks[0].entry_id if self.breaks else None

    @property
    def problem(self) -> str:
        """What is wrong with the first broken entry."""
        return self.breaks[0].problem if self.breaks else ""

    @property
    def broken_sequences(self) -> list[int]:
        """Each broken entry once, in order."""
        return sorted({b.sequence for b in self.breaks})


def verify(incident: Incident) -> ChainReport:
    """Recompute every hash, check every link and the signed head; report every break."""
    chain = records(incident)
    breaks = hashchain.check(chain) + _checkpoint_breaks(incident, chain)
    breaks.sort(key=lambda b: b.sequence)
    checkpoint = LogCheckpoint.objects.filter(incident=incident).values_list("sequence", flat=True).first()
    return ChainReport(incident.reference, len(chain), tuple(breaks), checkpoint)
