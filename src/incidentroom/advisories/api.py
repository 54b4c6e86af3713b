"""API: advisories addressed to my organisations, acknowledging, reminders, who has read it."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from incidentroom.advisories import actions
from incidentroom.advisories.controls import suggested_controls
from incidentroom.advisories.models import Advisory, AdvisorySeverity
from incidentroom.core.access import has_role
from incidentroom.core.bounds import Id
from incidentroom.core.errors import Forbidden, NotFound
from incidentroom.core.models import OVERSEE_ROLES, Organisation
from incidentroom.core.schemas import InputSchema
from incidentroom.core.scoping import get_scoped
from incidentroom.core.times import BoundedDatetime

router = Router(tags=["staff advisories"])


class AdvisoryIn(InputSchema):
    """A new advisory."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10000)
    severity: AdvisorySeverity = AdvisorySeverity.WARNING
    expires_at: BoundedDatetime
    organisations: list[str] = Field(min_length=1, max_length=50)
    partner_domains: list[str] = Field(default_factory=list, max_length=50)


class AdvisoryOut(Schema):
    """An advisory."""

    id: int
    title: str
    body: str
    severity: str
    organisations: list[str]
    partner_domains: list[str]
    suggested_controls: str
    created_at: dt.datetime
    expires_at: dt.datetime
    withdrawn_at: dt.datetime | None
    acknowledged_by_me: bool


class AcknowledgementOut(Schema):
    """One recipient and whether they have read it."""

    username: str
    organisations: list[str]
    acknowledged_at: dt.datetime | None


class RemindOut(Schema):
    """How many people a reminder went to."""

    reminded: int


def _out(advisory: Advisory, request: HttpRequest) -> AdvisoryOut:
    return AdvisoryOut(
        id=advisory.pk,
        title=advisory.title,
        body=advisory.body,
        severity=advisory.severity,
        organisations=[o.code for o in advisory.organisations.all()],
        partner_domains=list(advisory.partner_domains),
        suggested_controls=suggested_controls(list(advisory.partner_domains)),
        created_at=advisory.created_at,
        expires_at=advisory.expires_at,
        withdrawn_at=advisory.withdrawn_at,
        acknowledged_by_me=advisory.acknowledgements.filter(user_id=int(request.user.pk or 0)).exists(),
    )


def _get(request: HttpRequest, advisory_id: Id) -> Advisory:
    return get_scoped(Advisory.objects.for_user(request.user), "advisory", pk=advisory_id)


@router.get("", response=list[AdvisoryOut])
def list_advisories(request: HttpRequest, pending: bool = False) -> list[AdvisoryOut]:
    """Advisories addressed to your organisations (only those you have not read with pending=true)."""
    qs = actions.pending_for(request.user) if pending else Advisory.objects.for_user(request.user)
    return [_out(a, request) for a in qs.prefetch_related("organisations")[:200]]


@router.post("", response={201: AdvisoryOut})
def create_advisory(request: HttpRequest, payload: AdvisoryIn) -> Status[AdvisoryOut]:
    """Publish an advisory to the staff of the chosen organisations (comms or Gold in each)."""
    codes = {c.upper() for c in payload.organisations}
    orgs = list(Organisation.objects.for_user(request.user).filter(code__in=codes))
    if len(orgs) != len(codes):
        raise NotFound("Choose organisations you belong to.", field="organisations")
    advisory = actions.publish_advisory(
        actor=request.user,
        title=payload.title,
        body=payload.body,
        severity=payload.severity.value,
        expires_at=payload.expires_at,
        organisations=orgs,
        partner_domains=payload.partner_domains,
    )
    return Status(201, _out(advisory, request))


@router.get("/{advisory_id}", response=AdvisoryOut)
def get_advisory(request: HttpRequest, advisory_id: Id) -> AdvisoryOut:
    """One advisory."""
    return _out(_get(request, advisory_id), request)


@router.post("/{advisory_id}/acknowledge", response=AdvisoryOut)
def acknowledge(request: HttpRequest, advisory_id: Id) -> AdvisoryOut:
    """Record that you have read it."""
    advisory = _get(request, advisory_id)
    actions.acknowledge(advisory, actor=request.user)
    return _out(advisory, request)


@router.get("/{advisory_id}/acknowledgements", response=list[AcknowledgementOut])
def acknowledgements(request: HttpRequest, advisory_id: Id) -> list[AcknowledgementOut]:
    """Who has and has not read it, in the organisations where you are comms, Gold or Silver."""
    advisory = _get(request, advisory_id)
    if not any(has_role(request.user, o, OVERSEE_ROLES) for o in advisory.organisations.all()):
        raise Forbidden("Only communications officers, Gold and Silver can see who has read an advisory.")
    acks = {a.user_id: a.at for a in advisory.acknowledgements.all()}
    codes = {o.pk: o.code for o in advisory.organisations.all()}
    return [
        AcknowledgementOut(
            username=u.get_username(),
            acknowledged_at=acks.get(u.pk),
            organisations=sorted(
                codes[m.organisation_id] for m in u.memberships.all() if m.organisation_id in codes
            ),
        )
        for u in actions.overseen_recipients(advisory, request.user).prefetch_related("memberships")
    ]


@router.post("/{advisory_id}/remind", response=RemindOut)
def remind(request: HttpRequest, advisory_id: Id) -> RemindOut:
    """Email everyone who has not read it yet."""
    return RemindOut(reminded=actions.send_reminders(_get(request, advisory_id), actor=request.user))


@router.post("/{advisory_id}/withdraw", response=AdvisoryOut)
def withdraw(request: HttpRequest, advisory_id: Id) -> AdvisoryOut:
    """Withdraw the advisory."""
    return _out(actions.withdraw_advisory(_get(request, advisory_id), actor=request.user), request)
