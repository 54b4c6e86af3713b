"""Listen to the incident app's signals (sent on commit) and turn them into proposals."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_delete, post_save

from incidentroom.breach.models import PublicNotice
from incidentroom.estate.models import Service
from incidentroom.incidents import signals
from incidentroom.status import actions, tasks
from incidentroom.status import signals as status_signals
from incidentroom.status.models import StatusUpdate, Subscriber

logger = logging.getLogger(__name__)


def on_system_state_changed(sender: Any, *, event: signals.SystemStateChanged, **_: Any) -> None:
    """Propose public statuses for the services behind a system that changed state."""
    try:
        actions.propose_for_system_change(
            incident=event.incident, system=event.system, state=event.state, actor=event.actor
        )
    except Exception:
        # The incident change is already committed; a fault here must not turn the
        # responder's successful request into an error. Comms can still publish by hand.
        logger.exception("Could not propose status changes for %s", event.system)


def on_containment_changed(sender: Any, *, event: signals.ContainmentChanged, **_: Any) -> None:
    """Propose statuses when a council shuts its network down or returns to normal."""
    try:
        actions.propose_for_containment(
            incident=event.incident, organisation=event.organisation, state=event.state, actor=event.actor
        )
    except Exception:
        # As above: the containment change is committed; never fail the responder's request.
        logger.exception("Could not propose status changes for %s", event.organisation)


def on_service_saved(sender: Any, **_: Any) -> None:
    """A service renamed, added, removed or made internal, or a public notice about stolen
    data published or withdrawn, changes the public site."""
    from incidentroom.status.site import schedule_publish

    schedule_publish()


def on_update_published(sender: Any, *, event: status_signals.UpdatePublished, **_: Any) -> None:
    """Email the update to its subscribers, from the worker (a page never waits on SMTP)."""
    tasks.notify_subscribers.enqueue(event.update_id)


def on_subscription_requested(sender: Any, *, event: status_signals.SubscriptionRequested, **_: Any) -> None:
    """Send the double opt-in link, from the worker."""
    tasks.send_confirmation.enqueue(event.subscriber_id)


def connect() -> None:
    """Connect the receivers (called once from the app's ready())."""
    # The public pages are files written on change; estate edits are changes too.
    post_save.connect(on_service_saved, sender=Service, dispatch_uid="status.service_saved")
    post_delete.connect(on_service_saved, sender=Service, dispatch_uid="status.service_deleted")
    # A public notice about stolen data published, refreshed or withdrawn changes what the
    # status page tells residents about it.
    post_save.connect(on_service_saved, sender=PublicNotice, dispatch_uid="status.public_notice_saved")
    signals.system_state_changed.connect(on_system_state_changed, dispatch_uid="status.system_state_changed")
    signals.containment_changed.connect(on_containment_changed, dispatch_uid="status.containment_changed")
    status_signals.update_published.connect(
        on_update_published, sender=StatusUpdate, dispatch_uid="status.update_published"
    )
    status_signals.subscription_requested.connect(
        on_subscription_requested, sender=Subscriber, dispatch_uid="status.subscription_requested"
    )
