"""Reporting obligations: record a draft, a submission or "not required", and correct a
submission already recorded (a logged correction, never an edit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.core import audit, times
from incidentroom.core.access import require_role
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.core.models import (
    ICO_REPORT_ROLES,
    OBLIGATION_ROLES,
)
from incidentroom.incidents.actions.incident import (
    _append_log,
    _choice,
    lock_incident,
)
from incidentroom.incidents.models import (
    EntryKind,
    Obligation,
    ObligationStatus,
)


def _obligation_roles(obligation: Obligation) -> frozenset[str]:
    return ICO_REPORT_ROLES if obligation.code == "ico" else OBLIGATION_ROLES


# -- obligations -------------------------------------------------------------------------


@transaction.atomic
def update_obligation(
    obligation: Obligation,
    *,
    actor: Any,
    status: str,
    reason: str = "",
    submitted_at: dt.datetime | None = None,
    external_reference: str = "",
) -> Obligation:
    """Draft, submit (stops the clock) or mark not required (with the reason) one obligation."""
    lock_incident(obligation.incident)
    obligation.refresh_from_db()  # its status as it stands now we hold the lock
    roles = _obligation_roles(obligation)
    require_role(actor, [obligation.organisation], roles, f"update the {obligation.title.lower()}")
    _choice(status, ObligationStatus, "status")
    if obligation.status == ObligationStatus.SUBMITTED and status != ObligationStatus.SUBMITTED:
        raise Conflict(
            "This report has been submitted; record a follow-up instead of reopening it.", field="status"
        )
    before = audit.snapshot(
        obligation, ["status", "not_required_reason", "submitted_at", "external_reference"]
    )
    if status == ObligationStatus.NOT_REQUIRED:
        if not reason.strip():
            raise InvalidInput(
                "Say why this report is not required; the reason is kept for the record.", field="reason"
            )
        obligation.not_required_reason = reason.strip()
    if obligation.status == ObligationStatus.SUBMITTED:
        # A submitted report keeps the time it was submitted: saying "submitted" again is
        # a no-op, and a different time or reference is a correction, made explicitly (and
        # logged) through correct_submission, never overwritten in passing.
        new_reference = external_reference.strip()
        if (submitted_at is not None and submitted_at != obligation.submitted_at) or (
            new_reference and new_reference != obligation.external_reference
        ):
            raise Conflict(
                "This report was already submitted; correct its submission time or reference "
                "with a correction, which is logged.",
                field="submitted_at" if submitted_at is not None else "external_reference",
            )
        return obligation
    if status == ObligationStatus.SUBMITTED:
        obligation.submitted_at = (
            times.not_future(submitted_at, "submitted_at") if submitted_at else timezone.now()
        )
    obligation.external_reference = external_reference.strip() or obligation.external_reference
    obligation.status = status
    obligation.save()
    after = audit.snapshot(
        obligation, ["status", "not_required_reason", "submitted_at", "external_reference"]
    )
    audit.record(
        actor=actor,
        action="obligation.update",
        obj=obligation,
        before=before,
        after=after,
        organisations=[obligation.organisation],
    )
    if before["status"] != status:
        text = (
            f"{obligation.title} ({obligation.organisation.code}): {ObligationStatus(status).label.lower()}"
        )
        if status == ObligationStatus.SUBMITTED and obligation.external_reference:
            text += f", {obligation.reference_label.lower()} {obligation.external_reference}"
        if status == ObligationStatus.NOT_REQUIRED:
            text += f" - {obligation.not_required_reason}"
        _append_log(
            incident=obligation.incident,
            actor=actor,
            kind=EntryKind.COMMUNICATION,
            organisations=[obligation.organisation],
            text=text + ".",
        )
    return obligation


@transaction.atomic
def correct_submission(
    obligation: Obligation,
    *,
    actor: Any,
    reason: str,
    submitted_at: dt.datetime | None = None,
    external_reference: str | None = None,
) -> Obligation:
    """Correct a submitted report's submission time or reference, with the reason, in the log."""
    lock_incident(obligation.incident)
    obligation.refresh_from_db()
    roles = _obligation_roles(obligation)
    require_role(actor, [obligation.organisation], roles, f"correct the {obligation.title.lower()}")
    if obligation.status != ObligationStatus.SUBMITTED:
        raise Conflict("Only a submitted report's submission can be corrected.", field="status")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the submission record is being corrected.", field="reason")
    fields = ["submitted_at", "external_reference"]
    before = audit.snapshot(obligation, fields)
    changes: list[str] = []
    if submitted_at is not None:
        times.not_future(submitted_at, "submitted_at")
        if submitted_at < obligation.anchor_at - dt.timedelta(days=365):
            raise InvalidInput(
                "submitted_at is long before the clock started; check the date.", field="submitted_at"
            )
        if submitted_at != obligation.submitted_at:
            old = obligation.submitted_at
            changes.append(
                "submitted at "
                + (times.uk_time(old, "short") if old else "(not recorded)")
                + f" → {times.uk_time(submitted_at, 'short')}"
            )
            obligation.submitted_at = submitted_at
    if external_reference is not None and external_reference.strip() != obligation.external_reference:
        changes.append(
            f"{obligation.reference_label.lower()} {obligation.external_reference or '(none)'}"
            f" → {external_reference.strip() or '(none)'}"
        )
        obligation.external_reference = external_reference.strip()
    if not changes:
        raise InvalidInput("The correction changes nothing.", field="submitted_at")
    obligation.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="obligation.correct",
        obj=obligation,
        before={**before, "reason": reason},
        after=audit.snapshot(obligation, fields),
        organisations=[obligation.organisation],
    )
    _append_log(
        incident=obligation.incident,
        actor=actor,
        kind=EntryKind.COMMUNICATION,
        organisations=[obligation.organisation],
        text=f"Correction to the {obligation.title} ({obligation.organisation.code}) submission record: "
        + "; ".join(changes)
        + f". Reason: {reason}",
    )
    return obligation
