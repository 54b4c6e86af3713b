"""Art 34 letters: prepare a batch (the worker renders it, see ``breach.jobs``) and record the posting."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incidentroom.breach import enqueue, letters, resident
from incidentroom.breach.access import require_controller_role
from incidentroom.breach.actions._common import chosen_risks, log
from incidentroom.breach.models import BatchStatus, Breach, ContactStatus, Individual, Letter, LetterBatch
from incidentroom.breach.queries import people_to_tell
from incidentroom.core import audit
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.incidents.models import EntryKind


@transaction.atomic
def generate_letters(breach: Breach, *, actor: Any, risks: Sequence[str] | None = None) -> LetterBatch:
    """Mail-merge Art 34 letters for everyone at the chosen risk levels not yet told.

    The batch's people are fixed now; the worker renders the files (see ``render_letters``).
    """
    require_controller_role(actor, [breach.organisation], "generate letters for this breach")
    resident.require_approved(breach, "generate letters")
    chosen = chosen_risks(risks)
    waiting = list(people_to_tell(breach, chosen))
    # A letter needs somewhere to go: people with no postal address are counted, not written
    # to, so the DPO can reach them by email or the public notice instead.
    people = letters.sort_for_post(p for p in waiting if p.address.strip() or p.postcode.strip())
    if not people:
        raise InvalidInput(
            f"No one at {' or '.join(chosen)} risk with a postal address is waiting for a letter.",
            field="risks",
        )
    batch = LetterBatch.objects.create(
        breach=breach,
        risks=chosen,
        directory="",
        created_by=actor,
        letter_count=len(people),
        without_address=len(waiting) - len(people),
    )
    batch.directory = str(Path(settings.MEDIA_ROOT) / "breach" / "letters" / str(batch.pk))
    batch.save(update_fields=["directory"])
    Letter.objects.bulk_create(
        [Letter(batch=batch, individual=p, filename=letters.letter_filename(breach, p)) for p in people]
    )
    audit.record(
        actor=actor,
        action="letters.generate",
        obj=batch,
        after={"risks": chosen, "letters": len(people), "without_address": batch.without_address},
        organisations=[breach.organisation],
    )
    log(
        breach.incident,
        actor,
        f"{len(people)} Art 34 letters prepared for {breach.organisation.code} ({', '.join(chosen)} risk).",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )

    transaction.on_commit(lambda: enqueue.enqueue(enqueue.LetterRender(batch.pk)))
    return batch


@transaction.atomic
def mark_letters_posted(batch: LetterBatch, *, actor: Any) -> int:
    """The print run went out: everyone in it still waiting is now notified by letter."""
    breach = batch.breach
    require_controller_role(actor, [breach.organisation], "record letters as posted")
    if batch.status != BatchStatus.READY:
        raise Conflict("These letters are not ready yet; wait for the print file before posting.")
    now = timezone.now()
    waiting = Individual.objects.filter(letters__batch=batch, contact_status=ContactStatus.TO_NOTIFY)
    count = waiting.update(contact_status=ContactStatus.NOTIFIED, notified_at=now, notified_how="letter")
    audit.record(
        actor=actor,
        action="letters.posted",
        obj=batch,
        after={"notified": count},
        organisations=[breach.organisation],
    )
    log(
        breach.incident,
        actor,
        f"{count} Art 34 letters posted for {breach.organisation.code}.",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )
    return count
