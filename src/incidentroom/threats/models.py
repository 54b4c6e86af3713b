"""Indicators of compromise, log sweeps and their hits, evidence and its chain of custody.

Sharing follows TLP 2.0 (https://www.first.org/tlp/): an indicator is seen by the
organisation that entered it and, when its marking allows, by the other organisations
in the same incident. RED and AMBER+STRICT never leave the entering organisation.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidentroom.core.models import Organisation
from incidentroom.core.scoping import ScopedQuerySet
from incidentroom.estate.models import System
from incidentroom.incidents.models import Incident


class IndicatorType(models.TextChoices):
    """What an indicator is; the value's syntax and how sweeps match it follow from this."""

    IPV4 = "ipv4", "IPv4 address or range"
    IPV6 = "ipv6", "IPv6 address or range"
    DOMAIN = "domain", "Domain"
    URL = "url", "URL"
    EMAIL_SENDER = "email_sender", "Email sender"
    EMAIL_SUBJECT = "email_subject", "Email subject"
    MD5 = "md5", "File hash (MD5)"
    SHA1 = "sha1", "File hash (SHA-1)"
    SHA256 = "sha256", "File hash (SHA-256)"
    FILE_NAME = "file_name", "File name"
    USER_ACCOUNT = "user_account", "User account"
    HOST_NAME = "host_name", "Host name"
    REGISTRY_KEY = "registry_key", "Registry key"
    COMMAND_LINE = "command_line", "Process command-line fragment"


class SourceKind(models.TextChoices):
    """Where an indicator came from."""

    NCSC = "ncsc", "NCSC"
    PARTNER = "partner", "Partner council"
    OWN = "own", "Own analysis"
    SUPPLIER = "supplier", "Supplier"


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0 markings."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


# Markings that may travel to the incident's other organisations. AMBER+STRICT restricts
# sharing to the recipient organisation only, and RED to named individuals: both stay home.
SHAREABLE_TLP = frozenset({Tlp.CLEAR.value, Tlp.GREEN.value, Tlp.AMBER.value})
# Staff advisories reach every member of staff, a community wider than need-to-know.
STAFF_TLP = frozenset({Tlp.CLEAR.value, Tlp.GREEN.value})


class IndicatorQuerySet(ScopedQuerySet["Indicator"]):
    """Scoped reads for indicators, by organisation and TLP marking."""

    def for_user(self, user: Any) -> IndicatorQuerySet:
        """Indicators the user's organisations entered, plus shareable ones of their incidents."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        orgs = Organisation.objects.for_user(user)
        return self.filter(
            models.Q(organisation__in=orgs)
            | models.Q(tlp__in=SHAREABLE_TLP, incident__involvements__organisation__in=orgs)
        ).distinct()

    def for_organisation(self, organisation: Organisation, incident: Incident) -> IndicatorQuerySet:
        """What one organisation may use in ``incident`` (a sweep of its logs matches these)."""
        involved = incident.involvements.filter(organisation=organisation).exists()
        own = models.Q(organisation=organisation)
        shared = models.Q(tlp__in=SHAREABLE_TLP) if involved else models.Q(pk__in=[])
        return self.filter(incident=incident).filter(own | shared)


class Indicator(models.Model):
    """One indicator of compromise within an incident, entered by one organisation."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="indicators")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="The organisation that entered it"
    )
    type = models.CharField(max_length=20, choices=IndicatorType.choices)
    value = models.CharField(max_length=2000, help_text="Normalised value (lower case where case is noise)")
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices, default=SourceKind.OWN)
    source_name = models.CharField(
        max_length=200, blank=True, help_text="e.g. NCSC, WCC, the supplier's name"
    )
    confidence = models.PositiveSmallIntegerField(default=50, help_text="0 to 100")
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    tlp = models.CharField(max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    description = models.TextField(blank=True)
    staff_watch = models.BooleanField(
        default=False, help_text="Show on staff advisories (only CLEAR or GREEN senders and link domains)"
    )
    systems = models.ManyToManyField(System, blank=True, related_name="indicators")
    stix_id = models.CharField(
        max_length=80, help_text="STIX 2.1 indicator id, kept across export and import"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "type", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organisation", "type", "value"], name="one_indicator_per_value"
            ),
            models.CheckConstraint(condition=models.Q(confidence__lte=100), name="confidence_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.value}"

    @property
    def shareable(self) -> bool:
        """Whether the marking lets it reach the incident's other organisations."""
        return self.tlp in SHAREABLE_TLP


class HostAlias(models.Model):
    """A host name that belongs to an estate system, so a sweep hit on it links to the system."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="host_aliases")
    hostname = models.CharField(max_length=255, unique=True, help_text="Lower case, short or fully qualified")

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return f"{self.hostname} -> {self.system.code}"


# -- sweeps ------------------------------------------------------------------------------


class SweepStatus(models.TextChoices):
    """Where a sweep stands."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class SweepQuerySet(ScopedQuerySet["Sweep"]):
    """Scoped reads for sweeps."""

    def for_user(self, user: Any) -> SweepQuerySet:
        """Sweeps of the user's organisations' logs (the logs are theirs alone)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.via_parent("organisation", user)


class Sweep(models.Model):
    """One pass of every indicator and Sigma rule over an organisation's log exports."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="sweeps")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, help_text="upload or folder")
    paths = models.JSONField(default=list, help_text="Files or folders read, on the server")
    status = models.CharField(max_length=10, choices=SweepStatus.choices, default=SweepStatus.QUEUED)
    bytes_total = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    events_done = models.BigIntegerField(default=0)
    files = models.JSONField(default=list, help_text="Per file: name, format, events, status, reason")
    hits_not_kept = models.BigIntegerField(
        default=0, help_text="Hits beyond the per-sweep limit (counted only)"
    )
    indicator_count = models.PositiveIntegerField(default=0)
    rule_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    run_token = models.CharField(max_length=32, default="")
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the worker (a stale one can be resumed)"
    )

    objects = SweepQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Sweep #{self.pk} of {self.organisation.code} logs"

    @property
    def percent(self) -> int:
        """Progress through the bytes to read."""
        if self.status == SweepStatus.SUCCEEDED:
            return 100
        return min(99, int(100 * self.bytes_done / self.bytes_total)) if self.bytes_total else 0

    @property
    def is_finished(self) -> bool:
        """No longer queued or running."""
        return self.status in (SweepStatus.SUCCEEDED, SweepStatus.FAILED, SweepStatus.CANCELLED)

    @staticmethod
    def new_token() -> str:
        """A run token: a stale worker's progress cannot overwrite a newer run."""
        return secrets.token_hex(8)


class SweepPart(models.Model):
    """A checkpoint: one finished part (input file) of a sweep and what it found, so a
    cancelled or interrupted sweep resumes without sweeping it again or duplicating hits."""

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="parts")
    key = models.CharField(max_length=60, help_text="The part's place in the sweep's plan (and byte range)")
    path = models.CharField(max_length=4000)
    fingerprint = models.CharField(max_length=64, help_text="The indicators and rules it was swept with")
    result = models.JSONField(help_text="Hits, file reports, record count, correlation observations")
    run_token = models.CharField(max_length=32, help_text="The run that swept it")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sweep_id", "key"]
        constraints = [models.UniqueConstraint(fields=["sweep", "key"], name="threats_sweeppart_once")]

    def __str__(self) -> str:
        return f"Part {self.key} of sweep #{self.sweep_id}"


class HitKind(models.TextChoices):
    """What a hit matched."""

    INDICATOR = "indicator", "Indicator"
    RULE = "rule", "Sigma rule"


class ProposalStatus(models.TextChoices):
    """A hit's proposal to mark its system suspected; a responder decides."""

    NONE = "", "No proposal"
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class SweepHitQuerySet(ScopedQuerySet["SweepHit"]):
    """Scoped reads for sweep hits."""

    def for_user(self, user: Any) -> SweepHitQuerySet:
        """Hits of sweeps the user can see."""
        return self.via_parent("sweep", user)


class SweepHit(models.Model):
    """One match in one log record: where, when, on which host or account, and what matched."""

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="hits")
    kind = models.CharField(max_length=10, choices=HitKind.choices)
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="hits"
    )
    rule_id = models.CharField(max_length=80, blank=True)
    rule_title = models.CharField(max_length=300, blank=True)
    rule_level = models.CharField(max_length=20, blank=True)
    rule_author = models.CharField(max_length=300, blank=True, help_text="Kept with every rule hit (DRL 1.1)")
    matched = models.CharField(max_length=2000, blank=True, help_text="The text that matched")
    log = models.CharField(max_length=1000, help_text="The log file (and archive member)")
    line = models.PositiveIntegerField(help_text="Line, row or record number within the log")
    log_format = models.CharField(max_length=30)
    occurred_at = models.DateTimeField(null=True, blank=True)
    host = models.CharField(max_length=255, blank=True)
    account = models.CharField(max_length=255, blank=True)
    excerpt = models.TextField(blank=True, help_text="The record, cut to a readable length")
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposal = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.NONE, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = SweepHitQuerySet.as_manager()

    class Meta:
        ordering = ["sweep_id", "occurred_at", "id"]

    def __str__(self) -> str:
        what = str(self.indicator) if self.indicator_id else self.rule_title
        return f"{what} in {self.log} line {self.line}"


# -- evidence ------------------------------------------------------------------------------


class EvidenceKind(models.TextChoices):
    """Kinds of evidence item."""

    DISK_IMAGE = "disk_image", "Disk image"
    MEMORY_DUMP = "memory_dump", "Memory dump"
    LOG_EXPORT = "log_export", "Log export"
    EMAIL = "email", "Email"
    RANSOM_NOTE = "ransom_note", "Ransom note"
    OTHER = "other", "Other"


class EvidenceQuerySet(ScopedQuerySet["EvidenceItem"]):
    """Scoped reads for evidence."""

    def for_user(self, user: Any) -> EvidenceQuerySet:
        """Items registered by the user's organisations."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.via_parent("organisation", user)


class EvidenceItem(models.Model):
    """An item of evidence, registered by its SHA-256; the product never stores the item itself."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=15, choices=EvidenceKind.choices)
    description = models.TextField()
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    collected_by = models.CharField(max_length=200)
    collected_at = models.DateTimeField()
    collected_where = models.CharField(max_length=300, help_text="Host, site or mailbox it came from")
    storage_location = models.CharField(
        max_length=500, help_text="Where the item is kept (safe, share, bag no.)"
    )
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def custodian(self) -> str:
        """Who holds it now: the last hand-over's recipient, or the collector."""
        last = self.custody.order_by("-at", "-id").first()
        return last.to_party if last else self.collected_by


class CustodyEntry(models.Model):
    """One hand-over of an evidence item (to the NCA, the police, a forensics firm...)."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    at = models.DateTimeField()
    from_party = models.CharField(max_length=200)
    to_party = models.CharField(max_length=200)
    purpose = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item.reference}: {self.from_party} -> {self.to_party}"


class HashCheck(models.Model):
    """A re-verification of an item's SHA-256, kept whatever the result."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="hash_checks")
    at = models.DateTimeField(default=timezone.now)
    observed_sha256 = models.CharField(max_length=64)
    matches = models.BooleanField()
    method = models.CharField(max_length=300, help_text="Computed by the server from a path, or entered")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item.reference} {'match' if self.matches else 'MISMATCH'}"
