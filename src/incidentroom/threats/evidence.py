"""Evidence and its chain of custody: register an item by hash, hand it over, re-verify it.

The product never stores the item (a disk image is hundreds of gigabytes and belongs in an
evidence store): it keeps the SHA-256, who collected it, when and where, where it is kept,
every hand-over and every re-verification, pass or fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from incidentroom.core import audit
from incidentroom.core.access import require_writer
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.core.times import not_future
from incidentroom.incidents.models import Incident
from incidentroom.incidents.queries import check_involved
from incidentroom.threats.models import CustodyEntry, EvidenceItem, EvidenceKind, HashCheck

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _sha(value: str, field: str) -> str:
    text = (value or "").strip().lower()
    if not _SHA256.match(text):
        raise InvalidInput("A SHA-256 is 64 hexadecimal characters.", field=field)
    return text


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{field} is required.", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{field} is at most {limit} characters.", field=field)
    if any(ord(c) < 32 and c not in "\t\n" for c in text):
        raise InvalidInput(f"{field} contains control characters.", field=field)
    return text


def _next_reference(incident: Incident, organisation: Organisation) -> str:
    count = EvidenceItem.objects.filter(incident=incident, organisation=organisation).count()
    while True:
        count += 1
        ref = f"{incident.reference}-{organisation.code}-E{count:03d}"
        if not EvidenceItem.objects.filter(reference=ref).exists():
            return ref


@transaction.atomic
def register_evidence(
    incident: Incident,
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    description: str,
    sha256: str,
    collected_by: str,
    collected_at: dt.datetime,
    collected_where: str,
    storage_location: str,
    size_bytes: int | None = None,
) -> EvidenceItem:
    """Register an item of evidence by its hash (the item itself stays in the evidence store)."""
    require_writer(actor, [organisation], "register evidence for this organisation")
    check_involved(incident, organisation)
    if kind not in EvidenceKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(EvidenceKind.values)}.", field="kind")
    if size_bytes is not None and not 0 <= size_bytes <= 2**62:
        raise InvalidInput("size_bytes is out of range.", field="size_bytes")
    item = EvidenceItem.objects.create(
        incident=incident,
        organisation=organisation,
        reference=_next_reference(incident, organisation),
        kind=kind,
        description=_text(description, "description", 5000),
        sha256=_sha(sha256, "sha256"),
        size_bytes=size_bytes,
        collected_by=_text(collected_by, "collected_by", 200),
        collected_at=not_future(collected_at, "collected_at"),
        collected_where=_text(collected_where, "collected_where", 300),
        storage_location=_text(storage_location, "storage_location", 500),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="evidence.register",
        obj=item,
        after=audit.snapshot(item),
        organisations=[organisation],
    )
    return item


@transaction.atomic
def hand_over(
    item: EvidenceItem,
    *,
    actor: Any,
    to_party: str,
    at: dt.datetime,
    purpose: str = "",
    from_party: str | None = None,
) -> CustodyEntry:
    """Record a hand-over (to the NCA, the police, the insurer's forensics firm...)."""
    require_writer(actor, [item.organisation], "record custody of this item")
    at = not_future(at, "at")
    last = item.custody.order_by("-at", "-id").first()
    if last is not None and at < last.at:
        raise InvalidInput("A hand-over cannot be earlier than the previous one.", field="at")
    if at < item.collected_at:
        raise InvalidInput("A hand-over cannot be earlier than the collection.", field="at")
    entry = CustodyEntry.objects.create(
        item=item,
        at=at,
        from_party=_text(from_party or item.custodian, "from_party", 200),
        to_party=_text(to_party, "to_party", 200),
        purpose=_text(purpose, "purpose", 500, required=False),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="evidence.custody",
        obj=entry,
        after={"item": item.reference, "from": entry.from_party, "to": entry.to_party, "at": at},
        organisations=[item.organisation],
    )
    return entry


def evidence_root(organisation: Organisation) -> Path:
    """The server folder whose files the server may hash for re-verification."""
    return (Path(settings.THREAT_EVIDENCE_ROOT) / organisation.code.lower()).resolve()


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(4 * 1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def verify_hash(item: EvidenceItem, *, actor: Any, path: str = "", observed_sha256: str = "") -> HashCheck:
    """Re-verify an item: hash a copy on the server (under the organisation's evidence
    folder) or take a hash computed elsewhere; the result is logged whether or not it matches."""
    require_writer(actor, [item.organisation], "re-verify this item")
    if bool(path.strip()) == bool(observed_sha256.strip()):
        raise InvalidInput("Give either a path on the server or the hash you computed.", field="path")
    if path.strip():
        root = evidence_root(item.organisation)
        try:
            candidate = Path(path.strip())
            target = (candidate if candidate.is_absolute() else root / candidate).resolve()
            inside = target == root or target.is_relative_to(root)
            is_file = inside and target.is_file()
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"{path[:100]} is not a usable path: {exc}.", field="path") from exc
        if not inside:
            raise InvalidInput(
                f"{path} is outside {item.organisation.code}'s evidence folder ({root}).", field="path"
            )
        if not is_file:
            raise InvalidInput(f"{path} is not a file in the evidence folder.", field="path")
        observed = _hash_file(target)
        method = f"SHA-256 computed by the server from {target}"
    else:
        observed = _sha(observed_sha256, "observed_sha256")
        method = "SHA-256 entered by the checker"
    check = HashCheck.objects.create(
        item=item,
        observed_sha256=observed,
        matches=observed == item.sha256,
        method=method[:300],
        checked_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="evidence.verify",
        obj=check,
        after={"item": item.reference, "observed": observed, "matches": check.matches, "method": method},
        organisations=[item.organisation],
    )
    return check
