"""Organisations, memberships (a role per organisation), API tokens and the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidentroom.core import times
from incidentroom.core.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


class Role(models.TextChoices):
    """Roles a person holds within one organisation (Gold/Silver/Bronze command and specialists)."""

    GOLD = "gold", "Gold (strategic)"
    SILVER = "silver", "Silver (tactical)"
    BRONZE = "bronze", "Bronze (operational)"
    RESPONDER = "responder", "IT / security responder"
    DPO = "dpo", "Data Protection Officer"
    COMMS = "comms", "Communications officer"
    SERVICE_MANAGER = "service_manager", "Service manager"
    VIEWER = "viewer", "Viewer (read only)"


# Every role set lives here, once: an app that checks "may this role do X" imports its set
# from this module rather than spelling the roles out again.
#
# Roles that may change incident state. Viewers only read; every other role may write
# within its organisations (the DPO and comms roles gain their own powers in their apps).
WRITER_ROLES = frozenset(r.value for r in Role if r is not Role.VIEWER)
AUDIT_ROLES = frozenset({Role.GOLD.value, Role.SILVER.value, Role.DPO.value})
# Who runs the response and may change an incident's details: the command chain and responders.
RESPONSE_ROLES = frozenset({Role.GOLD.value, Role.SILVER.value, Role.BRONZE.value, Role.RESPONDER.value})
# Who may draft and submit a reporting obligation (the DPO owns the data-protection ones)...
OBLIGATION_ROLES = RESPONSE_ROLES | {Role.DPO.value}
# ...except the ICO report, a statement for the whole organisation: Gold, Silver or the DPO.
ICO_REPORT_ROLES = frozenset({Role.GOLD.value, Role.SILVER.value, Role.DPO.value})
# Personal data breaches: declared, assessed and reported by the DPO, or by Gold.
BREACH_ROLES = frozenset({Role.DPO.value, Role.GOLD.value})
# What the public or all staff are told (status page, advisories) is a comms or Gold call.
PUBLISH_ROLES = frozenset({Role.COMMS.value, Role.GOLD.value})
# Who follows up an advisory (acknowledgements, reminders): the publishers and Silver.
OVERSEE_ROLES = frozenset({Role.COMMS.value, Role.GOLD.value, Role.SILVER.value})
# Who keeps the council's own details (letterhead, signatory, sender address, DPO contact):
# what residents and regulators read about the council is Gold's or the DPO's to change.
DETAILS_ROLES = frozenset({Role.GOLD.value, Role.DPO.value})
# Who runs business continuity (service workarounds, suppliers) for an organisation.
CONTINUITY_ROLES = frozenset(
    {Role.GOLD.value, Role.SILVER.value, Role.BRONZE.value, Role.SERVICE_MANAGER.value}
)


class OrganisationQuerySet(ScopedQuerySet["Organisation"]):
    """Scoped reads for organisations."""

    def for_user(self, user: AnyUser) -> OrganisationQuerySet:
        """Organisations the user is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user_id=user.pk).distinct()


class Organisation(models.Model):
    """A public body: a separate data controller with its own DPO and ICO registration."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=16, unique=True, help_text="Short code such as RBKC, WCC, LBHF")
    dpo_name = models.CharField(max_length=200, blank=True)
    dpo_email = models.EmailField(blank=True)
    dpo_phone = models.CharField(max_length=40, blank=True)
    ico_registration = models.CharField(
        max_length=20, blank=True, help_text="ICO data protection fee registration number"
    )
    english_council = models.BooleanField(default=True, help_text="English local authorities report to MHCLG")
    insurer_name = models.CharField(max_length=200, blank=True)
    insurer_notice_hours = models.PositiveIntegerField(
        default=48, help_text="Notice period in the cyber insurance policy"
    )
    networks = models.JSONField(
        default=list, blank=True, help_text="Partner networks connected to: PSN, HSCN, DWP..."
    )
    # The council as residents see it on a letter or an email: its own letterhead, the
    # address replies go to, who signs, and the address notices are sent from. Resident-facing
    # documents use these, never the product's own name or a server's default sender.
    postal_address = models.TextField(
        blank=True, help_text="The council's postal address, one line per line, ending with the postcode"
    )
    main_phone = models.CharField(max_length=40, blank=True, help_text="The council's public switchboard")
    # The switchboard is often the first thing an attack takes down, so residents are given a
    # separate line for the incident (letters, emails, the public notice) when there is one.
    resident_helpline = models.CharField(
        max_length=40,
        blank=True,
        help_text="The residents' helpline for an incident, apart from the switchboard (which may be down)",
    )
    website = models.CharField(
        max_length=200, blank=True, help_text="The council's website, e.g. www.rbkc.gov.uk"
    )
    signatory_name = models.CharField(max_length=200, blank=True, help_text="Who signs letters to residents")
    signatory_title = models.CharField(max_length=200, blank=True, help_text="The signatory's job title")
    notices_from_email = models.EmailField(
        blank=True, help_text="The council's address that emails to residents are sent from"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    """A user's role within one organisation; shared-service staff have several memberships."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.role} at {self.organisation.code}"


def hash_token(raw: str) -> str:
    """Tokens are stored as SHA-256: high-entropy secrets need no slow hash, only no plaintext."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(ScopedQuerySet["ApiToken"]):
    """Scoped reads for API tokens."""

    def for_user(self, user: Any) -> ApiTokenQuerySet:
        """Only the user's own tokens."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=user.pk)


class ApiToken(models.Model):
    """A per-user bearer token for scripts; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to tell tokens apart")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="After this the token no longer authenticates; empty: no expiry"
    )

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @staticmethod
    def generate() -> str:
        """A new raw token, shown once to its owner."""
        return "ir_" + secrets.token_urlsafe(32)

    def is_usable(self, now: Any = None) -> bool:
        """Not revoked and not past its expiry."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


# Audit entries about some objects are as sensitive as the objects themselves: an entry about
# a breach holds its description, scan paths and email subjects. Apps register the roles
# that may see their objects (object_type prefix -> roles), and the audit trail applies the
# same scope, so the trail never shows what the object's own pages refuse.
_RESTRICTED_AUDIT: dict[str, frozenset[str]] = {}


def restrict_audit(object_type_prefix: str, roles: frozenset[str]) -> None:
    """Show audit entries whose object_type starts with the prefix only to ``roles`` in their organisations."""
    _RESTRICTED_AUDIT[object_type_prefix] = frozenset(roles)


class AuditEntryQuerySet(ScopedQuerySet["AuditEntry"]):
    """Scoped reads for the audit trail."""

    def for_user(self, user: AnyUser) -> AuditEntryQuerySet:
        """The user's own entries, plus those touching an organisation where they are Gold,
        Silver or DPO: before/after values can hold personal data, so not every role sees them.
        Entries about restricted objects (breaches) need the role that may see the object."""
        if not user.is_authenticated:
            return self.none()
        orgs = Organisation.objects.filter(memberships__user_id=user.pk, memberships__role__in=AUDIT_ROLES)
        visible = models.Q(organisations__in=orgs)
        for prefix, roles in _RESTRICTED_AUDIT.items():
            allowed = Organisation.objects.filter(memberships__user_id=user.pk, memberships__role__in=roles)
            # Entries about these objects: only through an organisation where the role fits.
            visible &= ~models.Q(object_type__startswith=prefix) | models.Q(organisations__in=allowed)
        return self.filter(visible | models.Q(actor=user)).distinct()


class AuditEntry(models.Model):
    """Who changed what, when, by which route, with the values before and after."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Username kept even if the account goes")
    channel = models.CharField(max_length=10, help_text="web, api, cli or system")
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{times.uk_time(self.at, 'short')} {self.actor_label} {self.action} {self.object_repr}"

    def changed_fields(self) -> dict[str, Any]:
        """Field -> (before, after) for the fields that differ."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}
