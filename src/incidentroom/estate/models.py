"""IT systems (owned by one organisation, serving several), services, and dependency edges."""

from __future__ import annotations

from typing import Any

from django.db import models

from incidentroom.core.models import Organisation
from incidentroom.core.scoping import ScopedQuerySet


class SystemKind(models.TextChoices):
    """Broad kinds of IT system, for grouping on the estate page."""

    IDENTITY = "identity", "Directory and identity"
    EMAIL = "email", "Email and collaboration"
    TELEPHONY = "telephony", "Telephony"
    INFRASTRUCTURE = "infrastructure", "Infrastructure and hosting"
    NETWORK = "network", "Network"
    STORAGE = "storage", "Storage, archive and backup"
    APPLICATION = "application", "Line-of-business application"
    PORTAL = "portal", "Resident portal"
    PAYMENTS = "payments", "Payments"
    OTHER = "other", "Other"


class Criticality(models.IntegerChoices):
    """How much the councils lean on the system (4 is the most)."""

    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Critical"


class SystemQuerySet(ScopedQuerySet["System"]):
    """Scoped reads for systems."""

    def for_user(self, user: Any) -> SystemQuerySet:
        """Systems owned by, or serving, one of the user's organisations."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.for_organisations(Organisation.objects.for_user(user))

    def for_organisations(self, organisations: Any) -> SystemQuerySet:
        """Systems owned by, or serving, one of ``organisations``: the one rule for whose
        estate a system is in (a user's, through their organisations; an incident's, through
        the organisations involved)."""
        return self.filter(models.Q(owner__in=organisations) | models.Q(served__in=organisations)).distinct()


class System(models.Model):
    """An IT system, owned by one organisation and possibly shared with others."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_systems")
    served = models.ManyToManyField(Organisation, related_name="served_by_systems", blank=True)
    kind = models.CharField(max_length=20, choices=SystemKind.choices, default=SystemKind.APPLICATION)
    criticality = models.IntegerField(choices=Criticality.choices, default=Criticality.MEDIUM)
    description = models.TextField(blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, related_name="dependants", blank=True, through="SystemDependency"
    )

    objects = SystemQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SystemDependency(models.Model):
    """``system`` needs ``depends_on`` to work (an edge in the estate graph)."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="dependency_edges")
    depends_on = models.ForeignKey(System, on_delete=models.CASCADE, related_name="dependant_edges")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "depends_on"], name="unique_system_edge")]

    def __str__(self) -> str:
        return f"{self.system} -> {self.depends_on}"


class ServiceQuerySet(ScopedQuerySet["Service"]):
    """Scoped reads for services."""

    def for_user(self, user: Any) -> ServiceQuerySet:
        """Services of the user's organisations."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.via_parent("organisation", user)


class Service(models.Model):
    """A resident-facing service one organisation provides (parking permits, council tax...)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    priority = models.PositiveSmallIntegerField(default=3, help_text="1 is the most urgent to keep running")
    rto_hours = models.PositiveIntegerField(default=72, help_text="Recovery time objective, hours")
    vulnerable_residents = models.BooleanField(
        default=False, help_text="Serves the most vulnerable residents"
    )
    description = models.TextField(blank=True)
    # Staff payroll or supplier payments matter to the incident team but are not the
    # public's business: the status page lists only services residents use.
    public = models.BooleanField(default=True, help_text="Shown on the public status page")
    systems = models.ManyToManyField(System, related_name="services", blank=True, through="ServiceDependency")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__code", "priority", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="unique_service_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.code})" if self.organisation_id else self.name


class ServiceDependency(models.Model):
    """``service`` needs ``system`` to work."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependency_edges")
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="service_edges")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "system"], name="unique_service_edge")]

    def __str__(self) -> str:
        return f"{self.service} -> {self.system}"
