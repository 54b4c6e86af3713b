"""API: proposals, confirmed statuses and updates of the user's organisations.

The public status itself needs no API: the published ``status.json`` is the public API.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from incidentroom.core.bounds import Id
from incidentroom.core.models import Organisation
from incidentroom.core.schemas import InputSchema
from incidentroom.core.scoping import get_scoped
from incidentroom.estate.models import Service
from incidentroom.status import actions
from incidentroom.status.models import ProposalState, PublicStatus, StatusProposal, StatusUpdate

router = Router(tags=["status page"])


class ProposalOut(Schema):
    """A proposed public status."""

    id: int
    organisation: str
    service_id: Id
    service: str
    proposed_status: str
    reason: str
    suggested_advice: str
    state: str
    incident: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ConfirmIn(InputSchema):
    """Confirm a proposal, optionally changing the status and the advice."""

    status: PublicStatus | None = None
    advice: str | None = Field(default=None, max_length=actions.ADVICE_MAX)
    update_text: str = Field(default="", max_length=actions.UPDATE_MAX)


class RejectIn(InputSchema):
    """Reject a proposal."""

    reason: str = Field(default="", max_length=actions.ADVICE_MAX)


class ServiceStatusOut(Schema):
    """A service with the status the public sees."""

    service_id: Id
    organisation: str
    service: str
    status: str
    advice: str
    workaround: str
    changed_at: dt.datetime | None


class ServiceStatusIn(InputSchema):
    """Publish a service's status directly."""

    status: PublicStatus
    advice: str = Field(default="", max_length=actions.ADVICE_MAX)
    update_text: str = Field(default="", max_length=actions.UPDATE_MAX)
    workaround: str = Field(default="", max_length=actions.ADVICE_MAX)


class UpdateIn(InputSchema):
    """A dated public update."""

    organisation: str = Field(min_length=1, max_length=16)
    text: str = Field(min_length=1, max_length=actions.UPDATE_MAX)


class UpdateOut(Schema):
    """A published update."""

    id: int
    organisation: str
    text: str
    published_at: dt.datetime
    author: str


def _proposal_out(p: StatusProposal) -> ProposalOut:
    return ProposalOut(
        id=p.pk,
        organisation=p.service.organisation.code,
        service_id=p.service_id,
        service=p.service.name,
        proposed_status=p.proposed_status,
        reason=p.reason,
        suggested_advice=p.suggested_advice,
        state=p.state,
        incident=p.incident.reference if p.incident else None,
        created_at=p.created_at,
        decided_at=p.decided_at,
    )


def _status_out(service: Service) -> ServiceStatusOut:
    current = getattr(service, "public_status", None)
    return ServiceStatusOut(
        service_id=service.pk,
        organisation=service.organisation.code,
        service=service.name,
        status=current.status if current else PublicStatus.WORKING.value,
        advice=current.advice if current else "",
        workaround=current.workaround if current else "",
        changed_at=current.changed_at if current else None,
    )


def _update_out(u: StatusUpdate) -> UpdateOut:
    return UpdateOut(
        id=u.pk,
        organisation=u.organisation.code,
        text=u.text,
        published_at=u.published_at,
        author=u.author_label,
    )


@router.get("/proposals", response=list[ProposalOut])
def list_proposals(
    request: HttpRequest, state: ProposalState | None = ProposalState.PENDING
) -> list[ProposalOut]:
    """Proposals for your organisations' services (pending by default)."""
    qs = StatusProposal.objects.for_user(request.user).select_related("service__organisation", "incident")
    if state is not None:
        qs = qs.filter(state=state)
    return [_proposal_out(p) for p in qs[:500]]


@router.post("/proposals/{proposal_id}/confirm", response=ProposalOut)
def confirm_proposal(request: HttpRequest, proposal_id: Id, payload: ConfirmIn) -> ProposalOut:
    """Confirm a proposal: it is published at once."""
    qs = StatusProposal.objects.for_user(request.user).select_related("service__organisation", "incident")
    proposal = get_scoped(qs, "proposal", pk=proposal_id)
    actions.confirm_proposal(
        proposal,
        actor=request.user,
        status=payload.status.value if payload.status else None,
        advice=payload.advice,
        update_text=payload.update_text,
    )
    return _proposal_out(get_scoped(qs, "proposal", pk=proposal_id))


@router.post("/proposals/{proposal_id}/reject", response=ProposalOut)
def reject_proposal(request: HttpRequest, proposal_id: Id, payload: RejectIn) -> ProposalOut:
    """Reject a proposal; nothing is published."""
    qs = StatusProposal.objects.for_user(request.user).select_related("service__organisation", "incident")
    proposal = get_scoped(qs, "proposal", pk=proposal_id)
    actions.reject_proposal(proposal, actor=request.user, reason=payload.reason)
    return _proposal_out(get_scoped(qs, "proposal", pk=proposal_id))


@router.get("/services", response=list[ServiceStatusOut])
def list_statuses(request: HttpRequest) -> list[ServiceStatusOut]:
    """Your organisations' services with the status the public sees."""
    services = Service.objects.for_user(request.user).select_related("organisation", "public_status")
    return [_status_out(s) for s in services]


@router.put("/services/{service_id}", response=ServiceStatusOut)
def set_status(request: HttpRequest, service_id: Id, payload: ServiceStatusIn) -> ServiceStatusOut:
    """Publish a service's status directly."""
    qs = Service.objects.for_user(request.user).select_related("organisation")
    service = get_scoped(qs, "service", pk=service_id)
    actions.set_service_status(
        service,
        actor=request.user,
        status=payload.status.value,
        advice=payload.advice,
        update_text=payload.update_text,
        workaround=payload.workaround,
    )
    return _status_out(get_scoped(qs.select_related("public_status"), "service", pk=service_id))


@router.get("/updates", response=list[UpdateOut])
def list_updates(request: HttpRequest) -> list[UpdateOut]:
    """Updates published for your organisations, newest first."""
    return [
        _update_out(u)
        for u in StatusUpdate.objects.for_user(request.user).select_related("organisation")[:200]
    ]


@router.post("/updates", response={201: UpdateOut})
def create_update(request: HttpRequest, payload: UpdateIn) -> Status[UpdateOut]:
    """Publish a dated update for one of your organisations."""
    org = get_scoped(
        Organisation.objects.for_user(request.user), "organisation", code=payload.organisation.upper()
    )
    update = actions.post_update(org, actor=request.user, text=payload.text)
    return Status(201, _update_out(update))
