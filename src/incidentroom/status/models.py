"""What residents are told: confirmed service statuses, dated updates, and who asked to hear.

A system change only ever creates a :class:`StatusProposal`; the public page reads
:class:`ServiceStatus` and :class:`StatusUpdate`, which only action functions driven by a
person (a comms officer or Gold) write. That split is what keeps unconfirmed guesses off
the public page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidentroom.core import times
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import ScopedQuerySet
from incidentroom.estate.models import Service, System


class PublicStatus(models.TextChoices):
    """A service's state as residents see it."""

    WORKING = "working", "Working"
    DISRUPTED = "disrupted", "Disrupted"
    UNAVAILABLE = "unavailable", "Unavailable"
    RESTORED = "restored", "Restored"


class StatusPageQuerySet(ScopedQuerySet["StatusPage"]):
    """Scoped reads for status page settings."""

    def for_user(self, user: Any) -> StatusPageQuerySet:
        """Pages of the user's organisations."""
        return self.via_parent("organisation", user)

    def public(self) -> StatusPageQuerySet:
        """Pages that are switched on for the public."""
        return self.filter(enabled=True)


class StatusPage(models.Model):
    """One organisation's public page: its banner and where residents can get help instead."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="status_page")
    enabled = models.BooleanField(default=True)
    headline = models.TextField(blank=True, help_text="Banner, e.g. 'We are responding to a cyber incident'")
    help_text = models.TextField(
        blank=True, help_text="Emergency numbers and in-person help, shown on every page"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = StatusPageQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__code"]

    def __str__(self) -> str:
        return f"Status page for {self.organisation.code}"


class ServiceStatusQuerySet(ScopedQuerySet["ServiceStatus"]):
    """Scoped reads for confirmed statuses."""

    def for_user(self, user: Any) -> ServiceStatusQuerySet:
        """Statuses of the user's organisations' services."""
        return self.via_parent("service", user)


class ServiceStatus(models.Model):
    """The confirmed, public status of one service; absent means 'working'."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="public_status")
    status = models.CharField(max_length=12, choices=PublicStatus.choices, default=PublicStatus.WORKING)
    advice = models.TextField(blank=True, help_text="What to do instead, in plain English")
    # The continuity board's workaround is internal wording (staff mobiles, case lists); this is
    # what comms chose to tell residents about it, and only this is ever public.
    workaround = models.TextField(
        blank=True, help_text="The workaround in place, in words for residents (confirmed by comms)"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by_label = models.CharField(max_length=150, blank=True)

    objects = ServiceStatusQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.service}: {self.status}"


class ProposalState(models.TextChoices):
    """Where a proposal stands."""

    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed and published"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded by a later proposal"


class StatusProposalQuerySet(ScopedQuerySet["StatusProposal"]):
    """Scoped reads for proposals."""

    def for_user(self, user: Any) -> StatusProposalQuerySet:
        """Proposals for the user's organisations' services."""
        return self.via_parent("service", user)

    def pending(self) -> StatusProposalQuerySet:
        """Still waiting for a person."""
        return self.filter(state=ProposalState.PENDING)


class StatusProposal(models.Model):
    """A suggested public status, derived from the estate; never public until confirmed."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="status_proposals")
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_status = models.CharField(max_length=12, choices=PublicStatus.choices)
    reason = models.TextField(help_text="Why: the dependency path from the service to the system")
    suggested_advice = models.TextField(blank=True)
    state = models.CharField(max_length=12, choices=ProposalState.choices, default=ProposalState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    objects = StatusProposalQuerySet.as_manager()

    class Meta:
        ordering = ["service__organisation__code", "-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.service} -> {self.proposed_status} ({self.state})"


class StatusUpdateQuerySet(ScopedQuerySet["StatusUpdate"]):
    """Scoped and public reads for dated updates."""

    def for_user(self, user: Any) -> StatusUpdateQuerySet:
        """Updates of the user's organisations."""
        return self.via_parent("organisation", user)

    def public(self) -> StatusUpdateQuerySet:
        """Updates of organisations whose page is switched on."""
        return self.filter(organisation__status_page__enabled=True)


class StatusUpdate(models.Model):
    """A dated public update: an entry on the page, in the Atom feed and in subscribers' mail."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="status_updates")
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150)
    services = models.ManyToManyField(Service, blank=True, related_name="+")

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation.code} {times.uk_time(self.published_at, 'short')}"


class Subscriber(models.Model):
    """A resident's email subscription to one organisation's updates (or all, scope 'all').

    Pending until the address owner clicks the confirmation link (double opt-in); the
    links are signed, so no token is stored.
    """

    ALL = "all"

    email = models.EmailField()
    scope = models.CharField(max_length=16, help_text="An organisation code, or 'all'")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "scope"], name="one_subscription_per_scope")]

    def __str__(self) -> str:
        return f"subscriber #{self.pk} ({self.scope})"

    @property
    def active(self) -> bool:
        """Confirmed and not unsubscribed."""
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SubscriptionAttempt(models.Model):
    """One subscribe request, kept (as keyed hashes, not the address or IP) to rate limit."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    email_hash = models.CharField(max_length=64, db_index=True)
    ip_hash = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"attempt at {times.uk_time(self.at, 'short')}"


class Publication(models.Model):
    """How the last writes of one part of the static site went: a council's page, or the group files.

    Each part is written on its own, so one council's failure never stops another's page;
    a failing part is shown to comms on the status page and retried by the worker.
    """

    GROUP = "all"

    scope = models.CharField(max_length=16, unique=True, help_text="An organisation code, or 'all'")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the last write failed (empty once it works again)")
    failures = models.PositiveIntegerField(default=0, help_text="Failed writes in a row")
    retry_at = models.DateTimeField(null=True, blank=True, help_text="When the worker tries again")

    class Meta:
        ordering = ["scope"]

    def __str__(self) -> str:
        return f"static site {self.scope}: {'failing' if self.failures else 'ok'}"

    @property
    def failing(self) -> bool:
        """Whether the last write of this part failed."""
        return self.failures > 0
