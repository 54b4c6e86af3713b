"""Incident, per-organisation involvement, affected systems, the log, actions and obligations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidentroom.core import people
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import ScopedQuerySet
from incidentroom.estate.models import Service, System


class NcscCategory(models.TextChoices):
    """NCSC cyber incident categorisation (C1 national emergency ... C6 localised)."""

    C1 = "C1", "C1 - National cyber emergency"
    C2 = "C2", "C2 - Highly significant incident"
    C3 = "C3", "C3 - Significant incident"
    C4 = "C4", "C4 - Substantial incident"
    C5 = "C5", "C5 - Moderate incident"
    C6 = "C6", "C6 - Localised incident"


class Severity(models.TextChoices):
    """The incident team's own severity, independent of NCSC's category."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Phase(models.TextChoices):
    """Where the response stands."""

    DETECT = "detect", "Detect"
    CONTAIN = "contain", "Contain"
    ERADICATE = "eradicate", "Eradicate"
    RECOVER = "recover", "Recover"
    CLOSED = "closed", "Closed"


class Containment(models.TextChoices):
    """What an organisation has done to its own network."""

    NORMAL = "normal", "Normal operation"
    ISOLATED = "isolated", "Isolated from partners"
    SHUT_DOWN = "shut_down", "Network shut down"


class SystemState(models.TextChoices):
    """A system's state within an incident."""

    SUSPECTED = "suspected", "Suspected"
    COMPROMISED = "compromised", "Compromised"
    SWITCHED_OFF = "switched_off", "Switched off"
    RESTORED = "restored", "Restored"


# States in which the services that depend on a system are lost. A suspected system is
# still running (watch it); a restored one is back.
DOWN_STATES = frozenset({SystemState.COMPROMISED.value, SystemState.SWITCHED_OFF.value})


class IncidentQuerySet(ScopedQuerySet["Incident"]):
    """Scoped reads for incidents."""

    def for_user(self, user: Any) -> IncidentQuerySet:
        """Incidents involving at least one of the user's organisations."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(involvements__organisation__in=Organisation.objects.for_user(user)).distinct()


class Incident(models.Model):
    """One cyber incident, spanning every organisation it reaches."""

    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    ncsc_category = models.CharField(max_length=2, choices=NcscCategory.choices, default=NcscCategory.C4)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.HIGH)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.DETECT)
    detected_at = models.DateTimeField()
    origin = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="originated_incidents")
    created_at = models.DateTimeField(default=timezone.now)
    organisations = models.ManyToManyField(Organisation, through="Involvement", related_name="incidents")

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Involvement(models.Model):
    """One organisation's part in an incident: its ICO clock and its containment state."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="involvements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="involvements")
    became_aware_at = models.DateTimeField(
        null=True, blank=True, help_text="When this controller became aware: starts its ICO 72-hour clock"
    )
    containment = models.CharField(max_length=10, choices=Containment.choices, default=Containment.NORMAL)
    containment_changed_at = models.DateTimeField(null=True, blank=True)
    personal_data_breach = models.BooleanField(default=False)
    breach_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__code"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "organisation"], name="one_involvement_each")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} in {self.incident.reference}"


class AffectedSystem(models.Model):
    """A system's state within one incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="affected_systems")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="incident_states")
    state = models.CharField(max_length=15, choices=SystemState.choices)
    first_reported_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["system__name"]
        constraints = [models.UniqueConstraint(fields=["incident", "system"], name="one_state_per_system")]

    def __str__(self) -> str:
        return f"{self.system} {self.state}"

    @property
    def is_down(self) -> bool:
        """Whether the services depending on it are lost."""
        return self.state in DOWN_STATES


class EntryKind(models.TextChoices):
    """Kinds of log entry."""

    EVENT = "event", "Event"
    DECISION = "decision", "Decision"
    ACTION = "action", "Action"
    COMMUNICATION = "communication", "Communication"
    NOTE = "note", "Note"


# What to prefetch to show many entries' authors (see LogEntry.author_display).
AUTHOR_PREFETCH = f"author__{people.MEMBERSHIPS}"


class LogEntryQuerySet(ScopedQuerySet["LogEntry"]):
    """Scoped reads for log entries."""

    def for_user(self, user: Any) -> LogEntryQuerySet:
        """Entries of incidents the user can see."""
        return self.via_parent("incident", user)


class LogEntry(models.Model):
    """An append-only, hash-chained decision and event log entry.

    Database triggers refuse UPDATE and DELETE (see the migration); a correction is a new
    entry pointing at the one it corrects. ``entry_hash`` covers the content and the previous
    entry's hash, so an edit made behind the triggers' back breaks the chain.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="log_entries")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=15, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    text = models.TextField()
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")
    systems = models.ManyToManyField(System, blank=True, related_name="+")
    services = models.ManyToManyField(Service, blank=True, related_name="+")
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["incident", "sequence"], name="log_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.incident.reference} #{self.sequence} {self.kind}"

    @property
    def author_display(self) -> str:
        """Who wrote it, as people read it (name, role, council); the hashed login name when
        the account is gone or the entry was written by the system itself. Prefetch
        ``AUTHOR_PREFETCH`` when reading many entries."""
        if self.author_id is None or self.author is None:
            return self.author_label
        return people.describe(self.author)


class LogCheckpoint(models.Model):
    """The signed head of one incident's log, kept outside the log table.

    Written in the same transaction as every entry, and signed with a key that is not in the
    database (``settings.LOG_CHECKPOINT_KEY``). The chain alone cannot show that its last
    entry was deleted, or that an entry was rewritten and every hash after it recomputed; the
    head no longer matches this signature in either case, and forging a new one needs the key.
    """

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="log_checkpoint")
    sequence = models.PositiveIntegerField()
    entry_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.incident.reference} head #{self.sequence}"


class ActionStatus(models.TextChoices):
    """Where a task stands."""

    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ActionQuerySet(ScopedQuerySet["Action"]):
    """Scoped reads for actions."""

    def for_user(self, user: Any) -> ActionQuerySet:
        """Actions of incidents the user can see."""
        return self.via_parent("incident", user)

    def open(self) -> ActionQuerySet:
        """Not done and not cancelled."""
        return self.filter(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])


class Action(models.Model):
    """A task someone owns within the incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """Open and past its due time."""
        now = now or timezone.now()
        return (
            self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
            and self.due_at is not None
            and self.due_at < now
        )


class ObligationStatus(models.TextChoices):
    """Where a report to a regulator or partner stands."""

    DUE = "due", "Due"
    DRAFTED = "drafted", "Drafted"
    SUBMITTED = "submitted", "Submitted"
    NOT_REQUIRED = "not_required", "Not required"


class ObligationQuerySet(ScopedQuerySet["Obligation"]):
    """Scoped reads for obligations."""

    def for_user(self, user: Any) -> ObligationQuerySet:
        """Obligations of incidents the user can see."""
        return self.via_parent("incident", user)

    def running(self) -> ObligationQuerySet:
        """Clocks that are still ticking."""
        return self.filter(status__in=[ObligationStatus.DUE, ObligationStatus.DRAFTED])


class Obligation(models.Model):
    """A reporting clock: one report one organisation owes one recipient, with a deadline."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="obligations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=30, help_text="Rule code from the obligations data file")
    title = models.CharField(max_length=200)
    recipient = models.CharField(max_length=200)
    basis = models.CharField(max_length=300, blank=True)
    how_to_report = models.TextField(blank=True)
    reference_label = models.CharField(max_length=80, default="External reference")
    anchor = models.CharField(max_length=40, help_text="Which event started the clock")
    anchor_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=ObligationStatus.choices, default=ObligationStatus.DUE)
    not_required_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    external_reference = models.CharField(max_length=100, blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["deadline_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "organisation", "code"], name="one_obligation_each"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation.code})"

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """Still owed and past the deadline."""
        now = now or timezone.now()
        return self.status in (ObligationStatus.DUE, ObligationStatus.DRAFTED) and self.deadline_at < now

    def seconds_left(self, now: dt.datetime | None = None) -> int:
        """Seconds until the deadline (negative when overdue)."""
        now = now or timezone.now()
        return int((self.deadline_at - now).total_seconds())
