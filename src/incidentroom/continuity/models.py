"""Continuity plans per service (ISO 22301 terms), their dated updates, and suppliers.

ISO 22301 vocabulary: the recovery time objective (RTO) is when the service must be back,
the maximum tolerable period of disruption (MTPD) is when not having it becomes
unacceptable, and the minimum business continuity objective (here 'minimum service
level') is what must be delivered meanwhile.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidentroom.core import times
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import ScopedQuerySet
from incidentroom.estate.models import Service


class ContinuityState(models.TextChoices):
    """How a service is being delivered right now."""

    NORMAL = "normal", "Operating normally"
    WORKAROUND = "workaround", "Workaround in use"
    MINIMUM = "minimum", "Minimum service only"
    SUSPENDED = "suspended", "Suspended"
    RECOVERED = "recovered", "Recovered"


# States in which the service is not running as usual: its clocks run and updates are due.
DISRUPTED_STATES = frozenset({ContinuityState.WORKAROUND, ContinuityState.MINIMUM, ContinuityState.SUSPENDED})


class ContinuityPlanQuerySet(ScopedQuerySet["ContinuityPlan"]):
    """Scoped reads for plans."""

    def for_user(self, user: Any) -> ContinuityPlanQuerySet:
        """Plans of the user's organisations' services."""
        return self.via_parent("service", user)


class ContinuityPlan(models.Model):
    """How one service keeps going when its systems do not."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="continuity_plan")
    rto_hours = models.PositiveIntegerField(help_text="Recovery time objective, hours")
    mtpd_hours = models.PositiveIntegerField(help_text="Maximum tolerable period of disruption, hours")
    minimum_service_level = models.TextField(blank=True, help_text="What must still be delivered meanwhile")
    plan = models.TextField(
        blank=True, help_text="The continuity plan: manual procedures, fallbacks, contacts"
    )
    workaround = models.TextField(
        blank=True, help_text="The workaround in use now (paper forms, manual payments...)"
    )
    state = models.CharField(max_length=12, choices=ContinuityState.choices, default=ContinuityState.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    update_interval_hours = models.PositiveIntegerField(
        default=4, help_text="How often the owner reports while disrupted"
    )
    disrupted_since = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)

    objects = ContinuityPlanQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Continuity plan for {self.service}"

    def is_disrupted(self) -> bool:
        """Running on a workaround, at minimum level, or suspended."""
        return self.state in DISRUPTED_STATES

    def update_overdue(self, now: dt.datetime | None = None) -> bool:
        """Disrupted and the owner's next update is late."""
        now = now or timezone.now()
        return self.is_disrupted() and self.next_update_due is not None and self.next_update_due < now

    def rto_breached(self, now: dt.datetime | None = None) -> bool:
        """Disrupted for longer than the recovery time objective."""
        now = now or timezone.now()
        return (
            self.is_disrupted()
            and self.disrupted_since is not None
            and (now - self.disrupted_since > dt.timedelta(hours=self.rto_hours))
        )

    def mtpd_breached(self, now: dt.datetime | None = None) -> bool:
        """Disrupted for longer than is tolerable."""
        now = now or timezone.now()
        return (
            self.is_disrupted()
            and self.disrupted_since is not None
            and (now - self.disrupted_since > dt.timedelta(hours=self.mtpd_hours))
        )


class ContinuityUpdate(models.Model):
    """A dated report on how a service is coping."""

    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150)
    state = models.CharField(max_length=12, choices=ContinuityState.choices)
    note = models.TextField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan.service} {self.state} at {times.uk_time(self.at, 'short')}"


class SupplierQuerySet(ScopedQuerySet["Supplier"]):
    """Scoped reads for suppliers."""

    def for_user(self, user: Any) -> SupplierQuerySet:
        """Suppliers of the user's organisations."""
        return self.via_parent("organisation", user)


class Supplier(models.Model):
    """A supplier to call when the systems are down (the grab bag lists them)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(max_length=200)
    supplies = models.CharField(
        max_length=300, help_text="What they provide, e.g. 'Telephony platform support'"
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    contract_reference = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__code", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.code})"
