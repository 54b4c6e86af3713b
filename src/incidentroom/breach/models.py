"""Breach records, scan jobs, the individuals found, reports, letters, emails and notices.

Every scoped model has a ``for_user`` queryset that admits only the DPO and Gold of the
controller organisation (see ``breach.access``); views and the API read through it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidentroom.breach.access import controller_org_ids
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import ScopedQuerySet
from incidentroom.incidents.models import Incident, Obligation

# -- breaches ----------------------------------------------------------------------------


class PeopleCategory(models.TextChoices):
    """Categories of data subjects the ICO form asks about."""

    RESIDENTS = "residents", "Residents and service users"
    CHILDREN = "children", "Children"
    VULNERABLE_ADULTS = "vulnerable_adults", "Vulnerable adults"
    STAFF = "staff", "Staff and former staff"
    CUSTOMERS = "customers", "Customers and payers (council tax, parking, business rates)"


class BreachQuerySet(ScopedQuerySet["Breach"]):
    """Scoped reads for breaches."""

    def for_user(self, user: Any) -> BreachQuerySet:
        """Breaches of organisations where the user is DPO or Gold."""
        return self.filter(organisation_id__in=controller_org_ids(user))


class Breach(models.Model):
    """One controller's personal data breach within an incident (the Art 33 facts)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="breaches")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="breaches")
    description = models.TextField(help_text="What happened, in plain words")
    data_sets = models.TextField(blank=True, help_text="Data sets involved, one per line")
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="When the breach happened, if known")
    became_aware_at = models.DateTimeField(help_text="Mirrors the involvement: starts the ICO 72-hour clock")
    discovery = models.TextField(blank=True, help_text="How the breach was discovered")
    cyber_incident = models.BooleanField(default=True)
    confidentiality = models.BooleanField(
        default=True, help_text="Data disclosed or accessed without authority"
    )
    integrity = models.BooleanField(default=False, help_text="Data altered without authority")
    availability = models.BooleanField(default=False, help_text="Data lost or made unavailable")
    people_categories = models.JSONField(default=list, blank=True)
    likely_consequences = models.TextField(blank=True)
    measures_taken = models.TextField(blank=True)
    measures_proposed = models.TextField(blank=True)
    delay_reason = models.TextField(
        blank=True, help_text="Why the ICO report is later than 72 hours, if it is"
    )
    # What residents read (letters, emails, the public notice), written for them by the DPO.
    # The fields above are the internal record (for the ICO, police, insurer): they name
    # systems, data sets and root causes, and are never pasted into anything a resident reads.
    resident_what_happened = models.TextField(blank=True, help_text="What happened, for residents")
    resident_what_it_means = models.TextField(blank=True, help_text="What this means for you, for residents")
    resident_what_we_are_doing = models.TextField(blank=True, help_text="What we are doing, for residents")
    resident_what_you_can_do = models.TextField(blank=True, help_text="What you can do, for residents")
    resident_text_approved_at = models.DateTimeField(null=True, blank=True)
    resident_text_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resident_text_approved_hash = models.CharField(
        max_length=64, blank=True, help_text="What was approved: changing the wording withdraws the approval"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "organisation__code"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "organisation"], name="one_breach_per_controller")
        ]

    def __str__(self) -> str:
        return f"Breach at {self.organisation.code} in {self.incident.reference}"

    def data_set_list(self) -> list[str]:
        """The data sets, one per non-empty line."""
        return [line.strip() for line in self.data_sets.splitlines() if line.strip()]

    def obligation(self, code: str) -> Obligation | None:
        """This controller's obligation with ``code`` in the incident, if the rules created one."""
        return Obligation.objects.filter(
            incident_id=self.incident_id, organisation_id=self.organisation_id, code=code
        ).first()


# -- scans -----------------------------------------------------------------------------


class ScanStatus(models.TextChoices):
    """Where a scan job stands."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    IMPORTING = "importing", "Importing results"
    SUCCEEDED = "succeeded", "Finished"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"
    DISCARDED = "discarded", "Results discarded"


FINISHED_SCAN_STATES = frozenset(
    {
        ScanStatus.SUCCEEDED.value,
        ScanStatus.CANCELLED.value,
        ScanStatus.FAILED.value,
        ScanStatus.DISCARDED.value,
    }
)


class ScanJobQuerySet(ScopedQuerySet["ScanJob"]):
    """Scoped reads for scan jobs."""

    def for_user(self, user: Any) -> ScanJobQuerySet:
        """Scans of breaches the user may see."""
        return self.via_parent("breach", user)


class ScanJob(models.Model):
    """A background scan of the stolen copy, with live progress and a cancel flag.

    ``sources`` is a list of ``{"path": ..., "organisation": code}``: the organisation is the
    controller whose data that folder or archive holds, so individuals can be attributed.
    """

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="scans")
    sources = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    task_id = models.CharField(max_length=64, blank=True, help_text="django-tasks result id")
    out_dir = models.CharField(max_length=500, blank=True)
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    run_token = models.CharField(
        max_length=32, blank=True, help_text="The run currently allowed to work on the job"
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the running scan"
    )
    error = models.TextField(blank=True)
    discard_reason = models.TextField(
        blank=True, help_text="Why the results no longer count (a rescan, a wrong folder)"
    )
    summary = models.JSONField(default=dict, blank=True, help_text="The scanner's summary.json")
    manifest = models.JSONField(
        default=dict, blank=True, help_text="Files by status and every file not scanned"
    )
    individuals_imported = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScanJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Scan #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """No further progress will come."""
        return self.status in FINISHED_SCAN_STATES

    @property
    def is_stale(self) -> bool:
        """Running, but silent for longer than BREACH_SCAN_STALE_SECONDS: its worker has
        probably died (a killed worker cannot mark its job failed)."""
        if self.status != ScanStatus.RUNNING:
            return False
        last = self.heartbeat_at or self.started_at or self.created_at
        return timezone.now() - last > dt.timedelta(seconds=settings.BREACH_SCAN_STALE_SECONDS)

    @property
    def can_resume(self) -> bool:
        """A failed, cancelled or abandoned scan can carry on from its checkpoints."""
        return self.status in (ScanStatus.FAILED, ScanStatus.CANCELLED) or self.is_stale

    @property
    def percent(self) -> int:
        """Progress by bytes (files when sizes are unknown), 0-100."""
        if self.bytes_total:
            return min(100, int(100 * self.bytes_done / self.bytes_total))
        if self.files_total:
            return min(100, int(100 * self.files_done / self.files_total))
        return 100 if self.status == ScanStatus.SUCCEEDED else 0


# -- individuals -----------------------------------------------------------------------


class Risk(models.TextChoices):
    """The scanner's risk level for one individual."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ContactStatus(models.TextChoices):
    """Whether a person still needs telling."""

    TO_NOTIFY = "to_notify", "Not yet notified"
    NOTIFIED = "notified", "Notified"
    DO_NOT_CONTACT = "do_not_contact", "Do not contact"
    MERGED = "merged", "Merged into another record"


class IndividualQuerySet(ScopedQuerySet["Individual"]):
    """Scoped reads for individuals."""

    def for_user(self, user: Any) -> IndividualQuerySet:
        """Individuals attributed to an organisation where the user is DPO or Gold."""
        return self.filter(organisations__in=controller_org_ids(user)).distinct()

    def active(self) -> IndividualQuerySet:
        """Records still standing (not merged into another)."""
        return self.exclude(contact_status=ContactStatus.MERGED)


class Individual(models.Model):
    """A person found in the stolen data: the notification list's row.

    Names and addresses are kept because letters need them (house style rule 6); other
    identifiers are never stored, only which categories were exposed and where.
    """

    scan = models.ForeignKey(ScanJob, on_delete=models.PROTECT, related_name="individuals")
    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="individuals")
    person_id = models.CharField(max_length=64, help_text="The scanner's id (a manual split gets a new one)")
    full_name = models.CharField(max_length=300, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    categories = models.JSONField(default=list)
    # ';health;email;' - lets every database filter by category with a plain LIKE
    # (SQLite has no JSON containment lookup).
    category_index = models.CharField(max_length=400, blank=True, editable=False)
    risk = models.CharField(max_length=6, choices=Risk.choices, db_index=True)
    document_count = models.PositiveIntegerField(default=0)
    organisations = models.ManyToManyField(Organisation, related_name="+")
    contact_status = models.CharField(
        max_length=15, choices=ContactStatus.choices, default=ContactStatus.TO_NOTIFY
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_how = models.CharField(max_length=100, blank=True)
    do_not_contact_reason = models.CharField(max_length=300, blank=True)
    deceased = models.BooleanField(
        default=False, help_text="The scan found this person has died (a date of death, 'Deceased:')"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    objects = IndividualQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["scan", "person_id"], name="one_person_id_per_scan")]

    def __str__(self) -> str:
        # Not the name: str() lands in audit entries, which roles without access to the
        # notification list can read.
        return f"Person {self.pk} (scan id {self.person_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the category index in step with the categories."""
        self.set_categories(self.category_list())
        if kwargs.get("update_fields") is not None and "categories" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "category_index"}
        super().save(*args, **kwargs)

    def category_list(self) -> list[str]:
        """Categories as a list of strings (JSON may hold anything)."""
        return [str(c) for c in self.categories]

    def set_categories(self, categories: list[str]) -> None:
        """Set the categories and their search index together."""
        self.categories = list(categories)
        self.category_index = "".join(f";{c}" for c in self.categories) + ";" if self.categories else ""


class Appearance(models.Model):
    """A document (and where in it) an individual appears: a path, never the content."""

    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="appearances")
    path = models.CharField(max_length=1000)
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["path", "id"]

    def __str__(self) -> str:
        return self.path + (f" ({self.location})" if self.location else "")


# -- reports ---------------------------------------------------------------------------


class ReportKind(models.TextChoices):
    """Which report; the value is the obligation code whose clock it stops."""

    ICO = "ico", "ICO personal data breach report"
    NCSC = "ncsc", "NCSC incident report"
    POLICE = "police", "Police report summary (Report Fraud)"
    INSURER = "insurer", "Notice to the cyber insurer"


class ReportQuerySet(ScopedQuerySet["Report"]):
    """Scoped reads for reports."""

    def for_user(self, user: Any) -> ReportQuerySet:
        """Reports of breaches the user may see."""
        return self.via_parent("breach", user)


class Report(models.Model):
    """One version of a report; ``facts`` freezes what it said, so follow-ups can show changes."""

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    version = models.PositiveIntegerField()
    facts = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    external_reference = models.CharField(max_length=100, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["breach_id", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["breach", "kind", "version"], name="one_report_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.breach.organisation.code})"

    @property
    def is_follow_up(self) -> bool:
        """A later report that updates one already submitted."""
        return bool(self.facts.get("follow_up"))


# -- letters, emails and the public notice -------------------------------------------


class LetterBatchQuerySet(ScopedQuerySet["LetterBatch"]):
    """Scoped reads for letter batches."""

    def for_user(self, user: Any) -> LetterBatchQuerySet:
        """Batches of breaches the user may see."""
        return self.via_parent("breach", user)


class BatchStatus(models.TextChoices):
    """Whether a letter batch's files are ready (they are rendered by the worker)."""

    QUEUED = "queued", "Waiting for the worker"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class LetterBatch(models.Model):
    """One mail merge: a PDF per person, a combined print file by postcode, a print-house CSV.

    The people are fixed when the batch is created; the files are rendered in the background
    (tens of thousands of letters take minutes, longer than any web request may).
    """

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="letter_batches")
    risks = models.JSONField(default=list, help_text="Risk levels included")
    directory = models.CharField(max_length=500)
    letter_count = models.PositiveIntegerField(default=0)
    without_address = models.PositiveIntegerField(default=0, help_text="People left out: no postal address")
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LetterBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Letters #{self.pk} ({self.letter_count})"


class Letter(models.Model):
    """One person's letter within a batch."""

    batch = models.ForeignKey(LetterBatch, on_delete=models.CASCADE, related_name="letters")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="letters")
    filename = models.CharField(max_length=200)

    class Meta:
        ordering = ["batch_id", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "individual"], name="one_letter_each")]

    def __str__(self) -> str:
        return self.filename


class EmailNoticeQuerySet(ScopedQuerySet["EmailNotice"]):
    """Scoped reads for email notices."""

    def for_user(self, user: Any) -> EmailNoticeQuerySet:
        """Notices of breaches the user may see."""
        return self.via_parent("breach", user)


class EmailNotice(models.Model):
    """An Art 34 email campaign: one delivery row per person, so nobody gets it twice."""

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="email_notices")
    subject = models.CharField(max_length=200)
    risks = models.JSONField(default=list)
    run_token = models.CharField(
        max_length=32, blank=True, help_text="The batch run currently allowed to send"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    test_sent_to = models.CharField(max_length=254, blank=True, help_text="Where the last test copy went")
    test_sent_at = models.DateTimeField(null=True, blank=True)

    objects = EmailNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Email notice #{self.pk}"

    def counts(self) -> dict[str, int]:
        """Deliveries per status."""
        found = dict(
            self.deliveries.values_list("status").annotate(n=models.Count("id")).values_list("status", "n")
        )
        return {status: found.get(status, 0) for status in DeliveryStatus.values}


class DeliveryStatus(models.TextChoices):
    """One email's state. ``sending`` is claimed; if its run dies it becomes ``uncertain``."""

    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Failed (no more retries)"
    UNCERTAIN = "uncertain", "Interrupted: may have been sent, check before resending"


class EmailDelivery(models.Model):
    """One person's email for one notice, claimed in a transaction before it is sent."""

    notice = models.ForeignKey(EmailNotice, on_delete=models.CASCADE, related_name="deliveries")
    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="email_deliveries")
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["notice_id", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "individual"], name="one_email_per_person")]

    def __str__(self) -> str:
        # Not the address: str() lands in audit entries (see Individual.__str__).
        return f"Email {self.pk} to person {self.individual_id} ({self.status})"


def _slug() -> str:
    return secrets.token_urlsafe(12)


class PublicNoticeQuerySet(ScopedQuerySet["PublicNotice"]):
    """Scoped reads for editing notices (the published page itself is public)."""

    def for_user(self, user: Any) -> PublicNoticeQuerySet:
        """Notices of breaches the user may see."""
        return self.via_parent("breach", user)


class PublicNotice(models.Model):
    """The Art 34(3)(c) public communication, generated from the breach facts (no one's data)."""

    breach = models.OneToOneField(Breach, on_delete=models.PROTECT, related_name="public_notice")
    slug = models.CharField(max_length=32, unique=True, default=_slug)
    title = models.CharField(max_length=200)
    content = models.JSONField(default=dict)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PublicNoticeQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        """Published and not withdrawn."""
        return self.published_at is not None and self.withdrawn_at is None


# -- shared evidence roots ---------------------------------------------------------------


class SharedRootConsentQuerySet(ScopedQuerySet["SharedRootConsent"]):
    """Scoped reads for consents to scan a shared evidence root."""

    def for_user(self, user: Any) -> SharedRootConsentQuerySet:
        """Consents on roots shared by an organisation where the user is DPO or Gold: every
        co-owner's DPO needs to see who has (and has not) agreed."""
        from incidentroom.breach.evidence import roots_for_orgs

        orgs = Organisation.objects.filter(pk__in=controller_org_ids(user))
        paths = [str(r.path) for r in roots_for_orgs(orgs) if r.shared]
        return self.filter(path__in=paths)


class SharedRootConsent(models.Model):
    """One owner organisation's agreement that a shared evidence root may be scanned.

    A root configured for several organisations (``RBKC+WCC=/srv/shared``) holds data of
    each of them; it is scanned only while every owner has an active consent. Withdrawing
    keeps the row (with who and when) so the record shows what was agreed at any time.
    """

    path = models.CharField(max_length=1000, help_text="The shared root, resolved")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = SharedRootConsentQuerySet.as_manager()

    class Meta:
        ordering = ["path", "organisation__code", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["path", "organisation"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_active_consent_per_root_and_organisation",
            )
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "active"
        return f"{self.organisation.code} consent to scan {self.path} ({state})"

    @property
    def active(self) -> bool:
        """Whether this consent still stands."""
        return self.withdrawn_at is None
