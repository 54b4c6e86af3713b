"""What the status actions announce, for the worker side to act on.

The actions never reach into ``tasks`` (the tasks import the actions for their tokens): an
action sends one of these on commit, and :mod:`incidentroom.status.receivers` enqueues the
email task. Each payload is a frozen dataclass, passed as ``event``, so a receiver is typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class UpdatePublished:
    """A status update is live: its organisation's subscribers are to be emailed."""

    update_id: int


@dataclass(frozen=True)
class SubscriptionRequested:
    """Someone asked for updates: the double opt-in link is to be emailed."""

    subscriber_id: int


# sender=StatusUpdate, event=UpdatePublished
update_published = Signal()
# sender=Subscriber, event=SubscriptionRequested
subscription_requested = Signal()
