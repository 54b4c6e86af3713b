"""Advisories to the staff of chosen organisations, and who has acknowledged them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidentroom.core.models import Organisation
from incidentroom.core.scoping import ScopedQuerySet


class AdvisorySeverity(models.TextChoices):
    """How loudly the advisory is shown."""

    INFO = "info", "Information"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class AdvisoryQuerySet(ScopedQuerySet["Advisory"]):
    """Scoped reads for advisories."""

    def for_user(self, user: Any) -> AdvisoryQuerySet:
        """Advisories addressed to at least one of the user's organisations."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(organisations__in=Organisation.objects.for_user(user)).distinct()

    def active(self, now: dt.datetime | None = None) -> AdvisoryQuerySet:
        """Not withdrawn and not expired."""
        return self.filter(withdrawn_at=None, expires_at__gt=now or timezone.now())


class Advisory(models.Model):
    """An instruction to staff ('do not click links from colleagues at RBKC or WCC')."""

    title = models.CharField(max_length=200)
    body = models.TextField()
    severity = models.CharField(
        max_length=10, choices=AdvisorySeverity.choices, default=AdvisorySeverity.WARNING
    )
    organisations = models.ManyToManyField(Organisation, related_name="advisories")
    partner_domains = models.JSONField(
        default=list, blank=True, help_text="Mail domains for the suggested warning-banner and Teams controls"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "advisories"

    def __str__(self) -> str:
        return self.title

    def is_active(self, now: dt.datetime | None = None) -> bool:
        """Still in force."""
        return self.withdrawn_at is None and self.expires_at > (now or timezone.now())


class Acknowledgement(models.Model):
    """One person confirmed they have read an advisory."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["advisory", "user"], name="one_acknowledgement_each")]

    def __str__(self) -> str:
        return f"{self.user} read {self.advisory}"
