"""Listen to the incident app's signals (sent on commit) and turn them into proposals."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_delete, post_save

from incidentroom.estate.models import Service
from incidentroom.incidents import signals

logger = logging.getLogger(__name__)


def on_system_state_changed(sender: Any, *, event: signals.SystemStateChanged, **_: Any) -> None:
    """Propose public statuses for the services behind a system that changed state."""
    from incidentroom.status.actions import propose_for_system_change

    try:
        propose_for_system_change(
            incident=event.incident, system=event.system, state=event.state, actor=event.actor
        )
    except Exception:
        # The incident change is already committed; a fault here must not turn the
        # responder's successful request into an error. Comms can still publish by hand.
        logger.exception("Could not propose status changes for %s", event.system)


def on_containment_changed(sender: Any, *, event: signals.ContainmentChanged, **_: Any) -> None:
    """Propose statuses when a council shuts its network down or returns to normal."""
    from incidentroom.status.actions import propose_for_containment

    try:
        propose_for_containment(
            incident=event.incident, organisation=event.organisation, state=event.state, actor=event.actor
        )
    except Exception:
        # As above: the containment change is committed; never fail the responder's request.
        logger.exception("Could not propose status changes for %s", event.organisation)


def on_service_saved(sender: Any, **_: Any) -> None:
    """A service renamed, added, removed or made internal changes the public site."""
    from incidentroom.status.site import schedule_publish

    schedule_publish()


def connect() -> None:
    """Connect the receivers (called once from the app's ready())."""
    # The public pages are files written on change; estate edits are changes too.
    post_save.connect(on_service_saved, sender=Service, dispatch_uid="status.service_saved")
    post_delete.connect(on_service_saved, sender=Service, dispatch_uid="status.service_deleted")
    signals.system_state_changed.connect(on_system_state_changed, dispatch_uid="status.system_state_changed")
    signals.containment_changed.connect(on_containment_changed, dispatch_uid="status.containment_changed")
