"""The resident wording: the DPO writes it and approves it after reading the preview.

See ``breach.resident`` for why residents read only these fields."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.breach.access import require_controller_role
from incidentroom.breach.models import Breach
from incidentroom.breach.resident import LABELS, MAX_LENGTH, RESIDENT_FIELDS, wording_hash
from incidentroom.core import audit
from incidentroom.core.errors import Conflict, InvalidInput


@transaction.atomic
def save_wording(breach: Breach, *, actor: Any, **changes: str) -> Breach:
    """Save the resident wording; any change withdraws an earlier approval."""
    require_controller_role(actor, [breach.organisation], "write what residents are told")
    unknown = set(changes) - set(RESIDENT_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    before = {f: getattr(breach, f) for f in RESIDENT_FIELDS}
    for name, value in changes.items():
        value = (value or "").replace("\r\n", "\n").strip()
        if len(value) > MAX_LENGTH:
            raise InvalidInput(f"{LABELS[name]}: at most {MAX_LENGTH} characters.", field=name)
        setattr(breach, name, value)
    after = {f: getattr(breach, f) for f in RESIDENT_FIELDS}
    if after == before:
        return breach
    withdrawn = breach.resident_text_approved_at is not None
    breach.resident_text_approved_at = None
    breach.resident_text_approved_by = None
    breach.resident_text_approved_hash = ""
    breach.updated_at = timezone.now()
    breach.save(
        update_fields=[
            *RESIDENT_FIELDS,
            "resident_text_approved_at",
            "resident_text_approved_by",
            "resident_text_approved_hash",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        action="breach.resident_text",
        obj=breach,
        before={k: v for k, v in before.items() if after[k] != v},
        after={**{k: v for k, v in after.items() if before[k] != v}, "approval_withdrawn": withdrawn},
        organisations=[breach.organisation],
    )
    return breach


@transaction.atomic
def approve_wording(breach: Breach, *, actor: Any, wording: str) -> Breach:
    """The DPO has read the preview and approves the wording it showed.

    ``wording`` is the fingerprint the preview page was built from: if someone changed the
    wording in between, this approval would cover words the DPO never saw, so it is refused.
    """
    require_controller_role(actor, [breach.organisation], "approve what residents are told")
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if not breach.resident_what_happened.strip():
        raise InvalidInput(
            "Write what happened, for residents, before approving.", field="resident_what_happened"
        )
    current = wording_hash(breach)
    if wording != current:
        raise Conflict(
            "The wording changed after this preview was shown. Read the new preview and approve it again.",
            field="wording",
        )
    breach.resident_text_approved_at = timezone.now()
    breach.resident_text_approved_by = actor
    breach.resident_text_approved_hash = current
    breach.save(
        update_fields=[
            "resident_text_approved_at",
            "resident_text_approved_by",
            "resident_text_approved_hash",
        ]
    )
    audit.record(
        actor=actor,
        action="breach.resident_text_approved",
        obj=breach,
        after={"wording": current},
        organisations=[breach.organisation],
    )
    return breach
