"""Every change to what residents are told. Views, the API and signal receivers only call these.

Only :func:`propose_for_system_change` runs without a person deciding, and it writes
proposals only; everything that reaches the public page goes through a function that
checks the actor is a comms officer or Gold of the service's organisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from incidentroom.core import audit, people
from incidentroom.core.access import require_role
from incidentroom.core.emailaddr import normalise_email, normalise_or_keep
from incidentroom.core.errors import Conflict, DomainError, InvalidInput, NotFound
from incidentroom.core.models import PUBLISH_ROLES, Organisation
from incidentroom.estate.models import Service, System
from incidentroom.estate.queries import affected_services
from incidentroom.incidents.models import DOWN_STATES, Containment, SystemState
from incidentroom.incidents.queries import down_system_ids
from incidentroom.status import signals, site
from incidentroom.status.models import (
    ProposalState,
    PublicStatus,
    ServiceStatus,
    StatusPage,
    StatusProposal,
    StatusUpdate,
    Subscriber,
    SubscriptionAttempt,
)

logger = logging.getLogger(__name__)

# Who may put words on the public page for an organisation.
ADVICE_MAX = 2000
UPDATE_MAX = 5000
# Only a service that is not working can have a workaround to tell residents about.
DOWN_STATUSES = frozenset({PublicStatus.UNAVAILABLE, PublicStatus.DISRUPTED})
CONFIRM_SALT = "incidentroom.status.confirm"
UNSUBSCRIBE_SALT = "incidentroom.status.unsubscribe"
CONFIRM_MAX_AGE = dt.timedelta(days=7)


class RateLimited(DomainError):
    """Too many requests from one address or one network address in the window."""

    code = "rate_limited"
    status = 429


def _status(value: str) -> str:
    if not value:
        # No default anywhere: an officer who forgot to choose must not publish "Working".
        raise InvalidInput("Choose a status to publish.", field="status")
    if value not in PublicStatus.values:
        raise InvalidInput(
            f"Choose a status ({', '.join(str(label) for label in PublicStatus.labels)}).", field="status"
        )
    return value


# Each text field as the comms forms label it, so a refusal names the box the officer typed in
# (GOV.UK error messages say what to do in the reader's words, never the field's code name).
_TEXT_LABELS = {
    "text": "the update",
    "update_text": "the public update",
    "advice": "what residents should do instead",
    "workaround": "the workaround",
    "reason": "the reason",
    "headline": "the statement",
    "help_text": "where to get help",
}


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    words = _TEXT_LABELS.get(field, field.replace("_", " "))
    if required and not value:
        raise InvalidInput(f"Enter {words}.", field=field)
    if len(value) > limit:
        raise InvalidInput(
            f"{words[0].upper()}{words[1:]} must be {limit:,} characters or fewer.", field=field
        )
    return value


def _after_change() -> None:
    """Republish the static site and tell subscribers once the change is committed."""
    site.schedule_publish()


def _notify(update: StatusUpdate) -> None:
    event = signals.UpdatePublished(update_id=update.pk)
    transaction.on_commit(lambda: signals.update_published.send(sender=StatusUpdate, event=event))


def _label(actor: Any) -> str:
    # Who confirmed, as colleagues know them ("Lucy Fenwick (Communications officer, RBKC)").
    if not getattr(actor, "is_authenticated", False):
        return "system"
    return people.describe(actor)[:150]


# -- proposals from the estate -----------------------------------------------------------


def _supersede_pending(service: Service) -> None:
    """Close proposals overtaken by events (a newer proposal, or a person's direct decision)."""
    pending = StatusProposal.objects.pending().filter(service=service)
    now = timezone.now()
    for proposal in pending.select_for_update():
        proposal.state = ProposalState.SUPERSEDED
        proposal.decided_at = now
        proposal.save(update_fields=["state", "decided_at"])
        audit.record(
            actor=None,
            action="status.proposal.supersede",
            obj=proposal,
            before={"state": ProposalState.PENDING},
            after={"state": proposal.state},
            organisations=[service.organisation],
        )


def _create_proposal(
    service: Service, *, status: str, reason: str, incident: Any, system: System | None, trigger: Any
) -> StatusProposal | None:
    current = ServiceStatus.objects.filter(service=service).first()
    current_status = current.status if current else PublicStatus.WORKING
    if status == PublicStatus.RESTORED and current_status not in (
        PublicStatus.DISRUPTED,
        PublicStatus.UNAVAILABLE,
    ):
        return None
    if status == PublicStatus.DISRUPTED and current_status in (
        PublicStatus.DISRUPTED,
        PublicStatus.UNAVAILABLE,
    ):
        # Residents have already been told; a second outage behind it changes nothing for them.
        return None
    if StatusProposal.objects.pending().filter(service=service, proposed_status=status).exists():
        return None
    _supersede_pending(service)
    page = StatusPage.objects.filter(organisation_id=service.organisation_id).first()
    proposal = StatusProposal.objects.create(
        service=service,
        incident=incident,
        system=system,
        proposed_status=status,
        reason=reason,
        suggested_advice=(page.help_text if page and status != PublicStatus.RESTORED else ""),
    )
    audit.record(
        actor=None,
        action="status.propose",
        obj=proposal,
        after={
            **audit.snapshot(proposal, ["service_id", "proposed_status", "reason"]),
            "triggered_by": _label(trigger),
        },
        organisations=[service.organisation],
    )
    return proposal


@transaction.atomic
def propose_for_system_change(
    *, incident: Any, system: System, state: str, actor: Any
) -> list[StatusProposal]:
    """Turn a system's new state into proposals for the services that depend on it.

    Down (compromised or switched off): each dependent service is proposed as disrupted.
    Restored: services no longer behind any down system of the incident are proposed as
    restored, if residents were told they were disrupted or unavailable.
    """
    created: list[StatusProposal] = []
    if state in DOWN_STATES:
        for item in affected_services([system.pk]):
            if not item.service.public:
                continue
            reason = "Depends on " + item.because + f" ({SystemState(state).label.lower()})."
            proposal = _create_proposal(
                item.service,
                status=PublicStatus.DISRUPTED,
                reason=reason,
                incident=incident,
                system=system,
                trigger=actor,
            )
            if proposal is not None:
                created.append(proposal)
    elif state == SystemState.RESTORED:
        still_down = {a.service.pk for a in affected_services(down_system_ids(incident))}
        for item in affected_services([system.pk]):
            if item.service.pk in still_down or not item.service.public:
                continue
            _supersede_pending(item.service)
            proposal = _create_proposal(
                item.service,
                status=PublicStatus.RESTORED,
                reason=f"{system.name} restored; nothing else it depends on is down.",
                incident=incident,
                system=system,
                trigger=actor,
            )
            if proposal is not None:
                created.append(proposal)
    return created


@transaction.atomic
def propose_for_containment(
    *, incident: Any, organisation: Organisation, state: str, actor: Any
) -> list[StatusProposal]:
    """A council that shuts its network down loses every service: propose them all as
    disrupted. Back to normal: propose 'restored' for those no down system still affects."""
    created: list[StatusProposal] = []
    # Internal services (payroll, supplier payments) never reach the public page.
    services = Service.objects.filter(organisation=organisation, public=True).select_related("organisation")
    if state == Containment.SHUT_DOWN:
        for service in services:
            proposal = _create_proposal(
                service,
                status=PublicStatus.DISRUPTED,
                incident=incident,
                system=None,
                reason=f"{organisation.name} has shut down its network.",
                trigger=actor,
            )
            if proposal is not None:
                created.append(proposal)
    elif state == Containment.NORMAL:
        still_down = {a.service.pk for a in affected_services(down_system_ids(incident))}
        for service in services:
            if service.pk in still_down:
                continue
            proposal = _create_proposal(
                service,
                status=PublicStatus.RESTORED,
                incident=incident,
                system=None,
                reason=f"{organisation.name} network back to normal; nothing the service depends on is down.",
                trigger=actor,
            )
            if proposal is not None:
                created.append(proposal)
    return created


# -- a person publishes ------------------------------------------------------------------


def _publish_status(
    service: Service,
    *,
    actor: Any,
    status: str,
    advice: str,
    update_text: str,
    at: dt.datetime | None = None,
    announce: bool = True,
    workaround: str | None = None,
) -> StatusUpdate | None:
    """Make ``status`` public for ``service``; with ``announce``, also post a dated update
    (a bulk confirmation posts one update per council instead, see confirm_proposals).

    ``workaround`` None keeps the workaround residents were already told about while the
    service is still down (a proposal confirmed again does not unsay it); a working or
    restored service has none."""
    when = at or timezone.now()
    existing = ServiceStatus.objects.filter(service=service).first()
    before = (
        audit.snapshot(existing, ["status", "advice", "workaround"])
        if existing
        else {"status": PublicStatus.WORKING, "advice": "", "workaround": ""}
    )
    if status not in DOWN_STATUSES:
        workaround = ""
    elif workaround is None:
        workaround = existing.workaround if existing and existing.status in DOWN_STATUSES else ""
    record, _ = ServiceStatus.objects.update_or_create(
        service=service,
        defaults={
            "status": status,
            "advice": advice,
            "workaround": workaround,
            "changed_at": when,
            "confirmed_by": actor if getattr(actor, "is_authenticated", False) else None,
            "confirmed_by_label": _label(actor),
        },
    )
    audit.record(
        actor=actor,
        action="status.service",
        obj=record,
        before=before,
        after=audit.snapshot(record, ["status", "advice", "workaround"]),
        organisations=[service.organisation],
    )
    StatusPage.objects.get_or_create(organisation=service.organisation)
    _after_change()
    if not announce:
        return None
    text = update_text or (
        f"{service.name}: {PublicStatus(status).label.lower()}."
        + (f" Workaround in place: {workaround}" if workaround else "")
        + (f" {advice}" if advice else "")
    )
    update = StatusUpdate.objects.create(
        organisation=service.organisation,
        text=text,
        published_at=when,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        author_label=_label(actor),
    )
    update.services.set([service])
    audit.record(
        actor=actor,
        action="status.update",
        obj=update,
        after={"text": text, "services": [service.pk]},
        organisations=[service.organisation],
    )
    _notify(update)
    return update


@transaction.atomic
def confirm_proposal(
    proposal: StatusProposal,
    *,
    actor: Any,
    status: str | None = None,
    advice: str | None = None,
    update_text: str = "",
) -> StatusProposal:
    """A comms officer or Gold confirms (optionally amending) a proposal: it goes public."""
    service = proposal.service
    require_role(
        actor, [service.organisation], PUBLISH_ROLES, f"publish status for {service.organisation.code}"
    )
    locked = StatusProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.PENDING:
        raise Conflict(
            f"This proposal is already {ProposalState(locked.state).label.lower()}.", field="state"
        )
    chosen = _status(status or locked.proposed_status)
    words = _text(locked.suggested_advice if advice is None else advice, "advice", ADVICE_MAX)
    text = _text(update_text, "update_text", UPDATE_MAX)
    _publish_status(service, actor=actor, status=chosen, advice=words, update_text=text)
    before = audit.snapshot(locked, ["state"])
    locked.state = ProposalState.CONFIRMED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_note = f"Published as {chosen}."
    locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    audit.record(
        actor=actor,
        action="status.proposal.confirm",
        obj=locked,
        before=before,
        after={"state": locked.state, "status": chosen, "advice": words},
        organisations=[service.organisation],
    )
    return locked


@transaction.atomic
def reject_proposal(proposal: StatusProposal, *, actor: Any, reason: str = "") -> StatusProposal:
    """Dismiss a proposal (the service has a fallback, the dependency is wrong...)."""
    service = proposal.service
    require_role(
        actor, [service.organisation], PUBLISH_ROLES, f"decide on status for {service.organisation.code}"
    )
    locked = StatusProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.PENDING:
        raise Conflict(
            f"This proposal is already {ProposalState(locked.state).label.lower()}.", field="state"
        )
    locked.state = ProposalState.REJECTED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_note = _text(reason, "reason", ADVICE_MAX)
    locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    audit.record(
        actor=actor,
        action="status.proposal.reject",
        obj=locked,
        before={"state": ProposalState.PENDING},
        after={"state": locked.state, "reason": locked.decision_note},
        organisations=[service.organisation],
    )
    return locked


@transaction.atomic
def confirm_proposals(
    proposals: Iterable[StatusProposal],
    *,
    actor: Any,
    status: str,
    advice: str = "",
    update_text: str = "",
) -> list[StatusProposal]:
    """Confirm many proposals with one root cause ("phones down") in one decision.

    Every service gets the same status, and each council posts one dated update listing its
    services, so subscribers get one email per council, not one per service. Advice carries a
    council's own numbers and buildings, so typed advice is refused for a batch spanning more
    than one council; empty advice gives each service its own council's suggested advice.
    All or nothing: a proposal this person may not publish, or one already decided, refuses
    the whole batch.
    """
    chosen = _status(status)
    words = _text(advice, "advice", ADVICE_MAX)
    text = _text(update_text, "update_text", UPDATE_MAX)
    ids = sorted({p.pk for p in proposals})
    if not ids:
        raise InvalidInput("Choose at least one service to confirm.", field="proposals")
    # Locked in id order, so two officers confirming overlapping batches cannot deadlock.
    locked = list(
        StatusProposal.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("service__organisation")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise NotFound("One of those proposals no longer exists.", field="proposals")
    organisations = {p.service.organisation_id: p.service.organisation for p in locked}
    for org in organisations.values():
        require_role(actor, [org], PUBLISH_ROLES, f"publish status for {org.code}")
    if words and len(organisations) > 1:
        # One council's emergency number or town hall must never reach another council's residents.
        codes = ", ".join(sorted(o.code for o in organisations.values()))
        raise InvalidInput(
            f"The advice would be shown to residents of {codes}. Confirm each council's services "
            "separately, or leave the advice empty to use each council's own.",
            field="advice",
        )
    for proposal in locked:
        if proposal.state != ProposalState.PENDING:
            raise Conflict(
                f"The proposal for {proposal.service.name} ({proposal.service.organisation.code}) is "
                f"already {ProposalState(proposal.state).label.lower()}.",
                field="proposals",
            )
    now = timezone.now()
    by_org: dict[int, list[Service]] = {}
    advice_by_org: dict[int, str] = {}
    for proposal in locked:
        own = words or (proposal.suggested_advice if chosen != PublicStatus.RESTORED else "")
        _publish_status(
            proposal.service, actor=actor, status=chosen, advice=own, update_text="", announce=False
        )
        before = audit.snapshot(proposal, ["state"])
        proposal.state = ProposalState.CONFIRMED
        proposal.decided_at = now
        proposal.decided_by = actor
        proposal.decision_note = f"Published as {chosen} (with {len(locked) - 1} others)."
        proposal.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
        audit.record(
            actor=actor,
            action="status.proposal.confirm",
            obj=proposal,
            before=before,
            after={"state": proposal.state, "status": chosen, "advice": own, "batch": ids},
            organisations=[proposal.service.organisation],
        )
        by_org.setdefault(proposal.service.organisation_id, []).append(proposal.service)
        if own:
            advice_by_org.setdefault(proposal.service.organisation_id, own)
    label = PublicStatus(chosen).label.lower()
    for org_id, services in by_org.items():
        names = ", ".join(sorted(s.name for s in services))
        advice = advice_by_org.get(org_id, "")
        body = text or (f"{names}: {label}." + (f" {advice}" if advice else ""))
        update = StatusUpdate.objects.create(
            organisation=organisations[org_id], text=body, author=actor, author_label=_label(actor)
        )
        update.services.set(services)
        audit.record(
            actor=actor,
            action="status.update",
            obj=update,
            after={"text": body, "services": [s.pk for s in services]},
            organisations=[organisations[org_id]],
        )
        _notify(update)
    return locked


@transaction.atomic
def reject_proposals(proposals: Iterable[StatusProposal], *, actor: Any, reason: str = "") -> None:
    """Reject several proposals in one decision (all or nothing), each audited."""
    for proposal in sorted(proposals, key=lambda p: p.pk):
        reject_proposal(proposal, actor=actor, reason=reason)


@transaction.atomic
def set_service_status(
    service: Service,
    *,
    actor: Any,
    status: str,
    advice: str = "",
    update_text: str = "",
    at: dt.datetime | None = None,
    workaround: str = "",
) -> ServiceStatus:
    """Publish a service's status directly (a comms officer's own judgement, no proposal).

    ``workaround`` is the workaround residents are told about, in the words comms confirm
    here (never the continuity board's internal text); only a disrupted or unavailable service
    can have one. ``at`` is for replaying a scenario as it stood; people confirm in the present.
    """
    require_role(
        actor, [service.organisation], PUBLISH_ROLES, f"publish status for {service.organisation.code}"
    )
    chosen = _status(status)
    words = _text(advice, "advice", ADVICE_MAX)
    said = _text(workaround, "workaround", ADVICE_MAX)
    if said and chosen not in DOWN_STATUSES:
        raise InvalidInput(
            "A workaround can only be published for a disrupted or unavailable service.", field="workaround"
        )
    _publish_status(
        service,
        actor=actor,
        status=chosen,
        advice=words,
        update_text=_text(update_text, "update_text", UPDATE_MAX),
        at=at,
        workaround=said,
    )
    _supersede_pending(service)
    return ServiceStatus.objects.get(service=service)


@transaction.atomic
def post_update(
    organisation: Organisation, *, actor: Any, text: str, services: Iterable[Service] = ()
) -> StatusUpdate:
    """Publish a dated update on an organisation's page (and to its subscribers)."""
    require_role(actor, [organisation], PUBLISH_ROLES, f"publish updates for {organisation.code}")
    body = _text(text, "text", UPDATE_MAX, required=True)
    linked = list(services)
    if any(s.organisation_id != organisation.pk for s in linked):
        raise InvalidInput("Link only this organisation's services to its update.", field="services")
    StatusPage.objects.get_or_create(organisation=organisation)
    update = StatusUpdate.objects.create(
        organisation=organisation, text=body, author=actor, author_label=_label(actor)
    )
    update.services.set(linked)
    audit.record(
        actor=actor,
        action="status.update",
        obj=update,
        after={"text": body, "services": [s.pk for s in linked]},
        organisations=[organisation],
    )
    _notify(update)
    _after_change()
    return update


@transaction.atomic
def configure_page(
    organisation: Organisation,
    *,
    actor: Any,
    headline: str,
    help_text: str,
    enabled: bool = True,
    at: dt.datetime | None = None,
) -> StatusPage:
    """Confirm the council's statement and the 'where to get help' text (emergency numbers,
    in-person centre); the public page shows when it was last confirmed. ``at`` is for
    replaying a scenario as it stood."""
    require_role(actor, [organisation], PUBLISH_ROLES, f"change the status page of {organisation.code}")
    page, _ = StatusPage.objects.get_or_create(organisation=organisation)
    before = audit.snapshot(page, ["enabled", "headline", "help_text"])
    page.headline = _text(headline, "headline", ADVICE_MAX)
    page.help_text = _text(help_text, "help_text", ADVICE_MAX)
    page.enabled = enabled
    page.updated_at = at or timezone.now()
    page.save()
    audit.record(
        actor=actor,
        action="status.page",
        obj=page,
        before=before,
        after=audit.snapshot(page, ["enabled", "headline", "help_text"]),
        organisations=[organisation],
    )
    _after_change()
    return page


def republish(*, actor: Any, organisations: Iterable[Organisation]) -> site.PublishReport:
    """Write the static site again now (after a failed write, or a wiped folder)."""
    require_role(actor, organisations, PUBLISH_ROLES, "republish the status page")
    return site.publish()


# -- residents' subscriptions ------------------------------------------------------------


def _keyed_hash(kind: str, value: str) -> str:
    # Keyed, so the attempt log cannot be reversed by hashing a list of addresses.
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _check_rate(email_hash: str, ip_hash: str) -> None:
    since = timezone.now() - dt.timedelta(seconds=settings.STATUS_SUBSCRIBE_WINDOW_SECONDS)
    recent = SubscriptionAttempt.objects.filter(at__gte=since)
    if recent.filter(email_hash=email_hash).count() >= settings.STATUS_SUBSCRIBE_PER_ADDRESS:
        raise RateLimited("Too many requests for this email address. Try again in an hour.", field="email")
    if recent.filter(ip_hash=ip_hash).count() >= settings.STATUS_SUBSCRIBE_PER_IP:
        raise RateLimited("Too many subscription requests from your network. Try again in an hour.")


@transaction.atomic
def subscribe(*, email: str, scope: str, ip: str) -> Subscriber:
    """Ask to receive updates; a confirmation email is sent and nothing more until it is clicked.

    The answer is the same whether or not the address was already subscribed, so the form
    cannot be used to find out who follows the page.
    """
    address = normalise_email(email)
    scope = (scope or Subscriber.ALL).strip()
    if scope.lower() == Subscriber.ALL:
        scope = Subscriber.ALL
    else:
        page = (
            StatusPage.objects.public()
            .filter(organisation__code__iexact=scope)
            .select_related("organisation")
            .first()
        )
        if page is None:
            raise InvalidInput("Choose a council to follow, or all of them.", field="scope")
        scope = page.organisation.code
    email_hash, ip_hash = _keyed_hash("email", address), _keyed_hash("ip", ip)
    _check_rate(email_hash, ip_hash)
    SubscriptionAttempt.objects.create(email_hash=email_hash, ip_hash=ip_hash)
    # Stored addresses are canonical (migration 0004 rewrote older rows), so the one
    # mailbox written two ways is found here and never subscribed twice.
    subscriber = Subscriber.objects.filter(email=address, scope=scope).first()
    if subscriber is not None and subscriber.active:
        return subscriber
    if subscriber is None:
        subscriber = Subscriber.objects.create(email=address, scope=scope)
    else:
        subscriber.unsubscribed_at = None
        subscriber.confirmed_at = None
        subscriber.save(update_fields=["unsubscribed_at", "confirmed_at"])
    audit.record(
        actor=None, action="status.subscribe", obj=subscriber, after={"scope": scope, "state": "pending"}
    )
    event = signals.SubscriptionRequested(subscriber_id=subscriber.pk)
    transaction.on_commit(lambda: signals.subscription_requested.send(sender=Subscriber, event=event))
    return subscriber


def confirm_token(subscriber: Subscriber) -> str:
    """The signed value in the confirmation link (valid for a week)."""
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    """The signed value in every email's unsubscribe link (does not expire)."""
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=UNSUBSCRIBE_SALT)


def _from_token(token: str, salt: str, max_age: dt.timedelta | None) -> Subscriber:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidInput("This link has expired. Subscribe again to get a new one.", field="token") from exc
    except signing.BadSignature as exc:
        raise NotFound("This link is not valid. Check it was copied in full.", field="token") from exc
    # Links sent before addresses were made canonical carry the address as it was then.
    email = normalise_or_keep(str(data.get("e", "")))
    subscriber = Subscriber.objects.filter(pk=data.get("s"), email=email).first()
    if subscriber is None:
        # Its row was folded into another spelling of the same mailbox (status migration 0002).
        same = list(Subscriber.objects.filter(email=email)[:2])
        subscriber = same[0] if len(same) == 1 else None
    if subscriber is None:
        raise NotFound("This subscription no longer exists.", field="token")
    return subscriber


@transaction.atomic
def confirm_subscription(token: str) -> Subscriber:
    """The address owner clicked the link: start sending updates."""
    subscriber = _from_token(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if subscriber.unsubscribed_at is not None:
        raise Conflict(
            "You unsubscribed after this link was sent. Subscribe again to restart.", field="token"
        )
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
        audit.record(
            actor=None, action="status.subscribe.confirm", obj=subscriber, after={"state": "confirmed"}
        )
    return subscriber


@transaction.atomic
def unsubscribe(token: str) -> Subscriber:
    """One click (or one POST from the mail client, RFC 8058) and no more mail."""
    subscriber = _from_token(token, UNSUBSCRIBE_SALT, None)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
        audit.record(actor=None, action="status.unsubscribe", obj=subscriber, after={"state": "unsubscribed"})
    return subscriber
