"""Actions (the incident's task list): create and update, each logged and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.core import audit, people, times
from incidentroom.core.access import require_writer
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import (
    Organisation,
)
from incidentroom.incidents.actions.incident import (
    _append_log,
    _choice,
    _involved,
    _involvement,
    lock_incident,
)
from incidentroom.incidents.models import (
    Action,
    ActionStatus,
    EntryKind,
    Incident,
)

# -- actions (tasks) ---------------------------------------------------------------------


@transaction.atomic
def create_action(
    incident: Incident,
    *,
    actor: Any,
    title: str,
    organisation: Organisation,
    owner: Any = None,
    due_at: dt.datetime | None = None,
) -> Action:
    """Give someone a task in the incident."""
    lock_incident(incident)
    require_writer(actor, [organisation], "create actions for this organisation")
    _involvement(incident, organisation)
    title = title.strip()
    if not title:
        raise InvalidInput("An action needs a title.", field="title")
    due_at = times.check_optional(due_at, "due_at")
    if owner is not None and not owner.memberships.filter(organisation__in=_involved(incident)).exists():
        raise InvalidInput(
            "The owner must belong to an organisation involved in the incident.", field="owner"
        )
    action = Action.objects.create(
        incident=incident, title=title, organisation=organisation, owner=owner, due_at=due_at
    )
    audit.record(
        actor=actor,
        action="action.create",
        obj=action,
        after=audit.snapshot(action),
        organisations=[organisation],
    )
    _append_log(
        incident=incident,
        actor=actor,
        kind=EntryKind.ACTION,
        organisations=[organisation],
        # The owner as colleagues know them: the log is read by people, not by login name.
        text=f"Action: {title}" + (f" (owner {people.name_of(owner)})" if owner else ""),
    )
    return action


@transaction.atomic
def update_action(
    action: Action,
    *,
    actor: Any,
    status: str | None = None,
    due_at: dt.datetime | None = None,
    owner: Any = None,
    title: str | None = None,
) -> Action:
    """Move an action on (status, due time, owner, title)."""
    lock_incident(action.incident)
    action.refresh_from_db()
    require_writer(actor, [action.organisation], "update this action")
    before = audit.snapshot(action, ["title", "status", "due_at", "owner_id", "completed_at"])
    if status is not None:
        action.status = _choice(status, ActionStatus, "status")
        action.completed_at = timezone.now() if status == ActionStatus.DONE else None
    if due_at is not None:
        action.due_at = times.check_datetime(due_at, "due_at")
    if owner is not None:
        action.owner = owner
    if title is not None:
        if not title.strip():
            raise InvalidInput("An action needs a title.", field="title")
        action.title = title.strip()
    action.save()
    audit.record(
        actor=actor,
        action="action.update",
        obj=action,
        before=before,
        after=audit.snapshot(action, ["title", "status", "due_at", "owner_id", "completed_at"]),
        organisations=[action.organisation],
    )
    return action
