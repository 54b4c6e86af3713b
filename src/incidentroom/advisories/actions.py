"""Every change to advisories. Views and the API only call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from incidentroom.advisories.controls import clean_domains
from incidentroom.advisories.models import Acknowledgement, Advisory, AdvisorySeverity
from incidentroom.core import audit, times
from incidentroom.core.access import has_role, require_role
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import OVERSEE_ROLES, PUBLISH_ROLES, Organisation

# Who may publish to an organisation's staff, and who may see who has read it.
MAX_DAYS = 90


def recipients(advisory: Advisory) -> models.QuerySet[Any]:
    """Active staff of the organisations the advisory is addressed to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organisation__in=advisory.organisations.all())
        .distinct()
        .order_by("username")
    )


def overseen_recipients(advisory: Advisory, viewer: Any) -> models.QuerySet[Any]:
    """Recipients in the organisations where ``viewer`` may see who has read it."""
    orgs = [o for o in advisory.organisations.all() if has_role(viewer, o, OVERSEE_ROLES)]
    return recipients(advisory).filter(memberships__organisation__in=orgs).distinct()


def pending_for(user: Any) -> models.QuerySet[Advisory]:
    """Advisories in force that the user has not yet acknowledged."""
    return Advisory.objects.for_user(user).active().exclude(acknowledgements__user=user)


def _email(advisory: Advisory, user_ids: list[int], *, reminder: bool) -> None:
    from incidentroom.advisories import tasks

    advisory_id = advisory.pk
    transaction.on_commit(lambda: tasks.email_advisory.enqueue(advisory_id, user_ids, reminder))


@transaction.atomic
def publish_advisory(
    *,
    actor: Any,
    title: str,
    body: str,
    severity: str,
    expires_at: dt.datetime,
    organisations: Iterable[Organisation],
    partner_domains: Iterable[str] | str = (),
) -> Advisory:
    """Send an advisory to the staff of the chosen organisations; emailed, and shown at sign-in."""
    orgs = list(dict.fromkeys(organisations))
    if not orgs:
        raise InvalidInput(
            "Choose at least one organisation whose staff should see this.", field="organisations"
        )
    for org in orgs:
        # Every council decides what its own staff are told: the role is needed in each one.
        require_role(actor, [org], PUBLISH_ROLES, f"send advisories to the staff of {org.code}")
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > 200:
        raise InvalidInput("Give the advisory a title of up to 200 characters.", field="title")
    if not body or len(body) > 10000:
        raise InvalidInput("The advisory needs a message of up to 10,000 characters.", field="body")
    if severity not in AdvisorySeverity.values:
        raise InvalidInput(f"severity must be one of {', '.join(AdvisorySeverity.values)}.", field="severity")
    expires_at = times.check_datetime(expires_at, "expires_at")
    now = timezone.now()
    if expires_at <= now:
        raise InvalidInput("The expiry must be in the future.", field="expires_at")
    if expires_at > now + dt.timedelta(days=MAX_DAYS):
        raise InvalidInput(
            f"An advisory lasts at most {MAX_DAYS} days; publish a new one after.", field="expires_at"
        )
    advisory = Advisory.objects.create(
        title=title,
        body=body,
        severity=severity,
        expires_at=expires_at,
        partner_domains=clean_domains(partner_domains),
        created_by=actor,
        created_by_label=actor.get_username(),
    )
    advisory.organisations.set(orgs)
    audit.record(
        actor=actor,
        action="advisory.publish",
        obj=advisory,
        after={
            **audit.snapshot(advisory, ["title", "body", "severity", "expires_at", "partner_domains"]),
            "organisations": [o.code for o in orgs],
        },
        organisations=orgs,
    )
    if recipients(advisory).filter(pk=actor.pk).exists():
        # The author has read it: they are not held at the sign-in gate by their own words.
        acknowledge(advisory, actor=actor)
    _email(
        advisory, list(recipients(advisory).exclude(pk=actor.pk).values_list("pk", flat=True)), reminder=False
    )
    return advisory


@transaction.atomic
def acknowledge(advisory: Advisory, *, actor: Any) -> Acknowledgement:
    """The signed-in person confirms they have read the advisory (again is harmless)."""
    if not recipients(advisory).filter(pk=actor.pk).exists():
        raise Forbidden("This advisory is not addressed to you.")
    existing = Acknowledgement.objects.filter(advisory=advisory, user=actor).first()
    if existing is not None:
        return existing
    ack = Acknowledgement.objects.create(advisory=advisory, user=actor)
    audit.record(
        actor=actor,
        action="advisory.acknowledge",
        obj=ack,
        after={"advisory": advisory.pk},
        organisations=list(advisory.organisations.filter(memberships__user=actor)),
    )
    return ack


@transaction.atomic
def send_reminders(advisory: Advisory, *, actor: Any) -> int:
    """Email again everyone who has not acknowledged, in the organisations the actor oversees."""
    orgs = list(advisory.organisations.all())
    require_role(actor, orgs, PUBLISH_ROLES, "send reminders for this advisory")
    if not advisory.is_active():
        raise Conflict("This advisory has expired or been withdrawn.", field="advisory")
    mine = [o for o in orgs if has_role(actor, o, PUBLISH_ROLES)]
    pending = (
        recipients(advisory)
        .filter(memberships__organisation__in=mine)
        .exclude(pk__in=advisory.acknowledgements.values("user_id"))
        .distinct()
    )
    ids = list(pending.values_list("pk", flat=True))
    advisory.last_reminded_at = timezone.now()
    advisory.save(update_fields=["last_reminded_at"])
    audit.record(
        actor=actor, action="advisory.remind", obj=advisory, after={"reminded": len(ids)}, organisations=mine
    )
    if ids:
        _email(advisory, ids, reminder=True)
    return len(ids)


@transaction.atomic
def withdraw_advisory(advisory: Advisory, *, actor: Any) -> Advisory:
    """Stop showing the advisory (the threat has passed or it was wrong)."""
    orgs = list(advisory.organisations.all())
    require_role(actor, orgs, PUBLISH_ROLES, "withdraw this advisory")
    if advisory.withdrawn_at is None:
        advisory.withdrawn_at = timezone.now()
        advisory.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=actor,
            action="advisory.withdraw",
            obj=advisory,
            after={"withdrawn_at": advisory.withdrawn_at},
            organisations=orgs,
        )
    return advisory
