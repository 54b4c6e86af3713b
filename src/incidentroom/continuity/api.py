"""API: continuity boards, plans, updates and suppliers of the user's organisations."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from incidentroom.continuity import actions, grabbag
from incidentroom.continuity.models import ContinuityPlan, ContinuityState, Supplier
from incidentroom.continuity.queries import BoardRow, board
from incidentroom.core.bounds import Id
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.core.schemas import InputSchema
from incidentroom.core.scoping import get_scoped
from incidentroom.core.times import BoundedDatetime
from incidentroom.estate.models import Service

router = Router(tags=["business continuity"])


class BoardRowOut(Schema):
    """One service on the continuity board."""

    service_id: Id
    service: str
    priority: int
    vulnerable_residents: bool
    public_status: str
    has_plan: bool
    state: str | None
    rto_hours: int
    mtpd_hours: int | None
    minimum_service_level: str
    workaround: str
    owner: str | None
    next_update_due: dt.datetime | None
    update_overdue: bool
    rto_breached: bool
    mtpd_breached: bool
    # When the service was lost in an open incident or reported disrupted (None: not down).
    down_since: dt.datetime | None = None


class PlanIn(InputSchema):
    """Fields of a continuity plan; omitted fields keep their value."""

    rto_hours: int | None = Field(default=None, ge=1, le=actions.HOURS_MAX)
    mtpd_hours: int | None = Field(default=None, ge=1, le=actions.HOURS_MAX)
    update_interval_hours: int | None = Field(default=None, ge=1, le=actions.HOURS_MAX)
    minimum_service_level: str | None = Field(default=None, max_length=actions.TEXT_MAX)
    plan: str | None = Field(default=None, max_length=actions.TEXT_MAX)
    workaround: str | None = Field(default=None, max_length=actions.TEXT_MAX)
    owner: str | None = Field(default=None, max_length=150, description="Username; empty string for nobody")


class ContinuityUpdateIn(InputSchema):
    """A continuity update."""

    state: ContinuityState
    note: str = Field(min_length=1, max_length=actions.TEXT_MAX)
    workaround: str | None = Field(default=None, max_length=actions.TEXT_MAX)
    next_update_due: BoundedDatetime | None = None


class SupplierIn(InputSchema):
    """A supplier."""

    name: str = Field(min_length=1, max_length=200)
    supplies: str = Field(min_length=1, max_length=300)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    contract_reference: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=actions.TEXT_MAX)


class SupplierOut(Schema):
    """A supplier as listed."""

    id: int
    organisation: str
    name: str
    supplies: str
    phone: str
    email: str
    contract_reference: str


def _row(r: BoardRow) -> BoardRowOut:
    p = r.plan
    return BoardRowOut(
        service_id=r.service.pk,
        service=r.service.name,
        priority=r.service.priority,
        vulnerable_residents=r.service.vulnerable_residents,
        public_status=r.public_status,
        has_plan=p is not None,
        state=p.state if p else None,
        rto_hours=p.rto_hours if p else r.service.rto_hours,
        mtpd_hours=p.mtpd_hours if p else None,
        minimum_service_level=p.minimum_service_level if p else "",
        workaround=p.workaround if p else "",
        owner=p.owner.get_username() if p and p.owner else None,
        next_update_due=p.next_update_due if p else None,
        update_overdue=r.update_overdue,
        rto_breached=r.rto_breached,
        mtpd_breached=r.mtpd_breached,
        down_since=r.down_since,
    )


def _supplier(s: Supplier) -> SupplierOut:
    return SupplierOut(
        id=s.pk,
        organisation=s.organisation.code,
        name=s.name,
        supplies=s.supplies,
        phone=s.phone,
        email=s.email,
        contract_reference=s.contract_reference,
    )


def _org(request: HttpRequest, code: str) -> Organisation:
    return get_scoped(Organisation.objects.for_user(request.user), "organisation", code=code.upper())


def _service(request: HttpRequest, service_id: Id) -> Service:
    return get_scoped(
        Service.objects.for_user(request.user).select_related("organisation"), "service", pk=service_id
    )


def _board_row(service: Service) -> BoardRowOut:
    return _row(next(r for r in board(service.organisation) if r.service.pk == service.pk))


@router.get("/boards/{code}", response=list[BoardRowOut])
def get_board(request: HttpRequest, code: str) -> list[BoardRowOut]:
    """An organisation's services, vulnerable residents first, with their continuity."""
    return [_row(r) for r in board(_org(request, code))]


@router.put("/services/{service_id}/plan", response=BoardRowOut)
def save_plan(request: HttpRequest, service_id: Id, payload: PlanIn) -> BoardRowOut:
    """Create or change a service's continuity plan."""
    service = _service(request, service_id)
    fields: dict[str, object] = {k: v for k, v in payload.dict().items() if v is not None and k != "owner"}
    if payload.owner is not None:
        owner = get_user_model().objects.filter(username=payload.owner).first() if payload.owner else None
        if payload.owner and owner is None:
            raise InvalidInput(f"No user called {payload.owner!r}.", field="owner")
        fields["owner"] = owner
    actions.save_plan(service, actor=request.user, **fields)
    return _board_row(service)


@router.post("/services/{service_id}/updates", response={201: BoardRowOut})
def record_update(request: HttpRequest, service_id: Id, payload: ContinuityUpdateIn) -> Status[BoardRowOut]:
    """Report how a service is coping."""
    service = _service(request, service_id)
    plan = get_scoped(ContinuityPlan.objects.for_user(request.user), "continuity plan", service=service)
    actions.record_update(
        plan,
        actor=request.user,
        state=payload.state.value,
        note=payload.note,
        workaround=payload.workaround,
        next_update_due=payload.next_update_due,
    )
    return Status(201, _board_row(service))


@router.get("/suppliers", response=list[SupplierOut])
def list_suppliers(request: HttpRequest) -> list[SupplierOut]:
    """Suppliers of your organisations."""
    return [_supplier(s) for s in Supplier.objects.for_user(request.user).select_related("organisation")]


@router.post("/boards/{code}/suppliers", response={201: SupplierOut})
def add_supplier(request: HttpRequest, code: str, payload: SupplierIn) -> Status[SupplierOut]:
    """Add a supplier to an organisation's grab bag."""
    supplier = actions.add_supplier(_org(request, code), actor=request.user, **payload.dict())
    return Status(201, _supplier(supplier))


@router.delete("/suppliers/{supplier_id}", response={204: None})
def remove_supplier(request: HttpRequest, supplier_id: Id) -> Status[None]:
    """Remove a supplier."""
    supplier = get_scoped(
        Supplier.objects.for_user(request.user).select_related("organisation"), "supplier", pk=supplier_id
    )
    actions.remove_supplier(supplier, actor=request.user)
    return Status(204, None)


@router.get("/boards/{code}/grab-bag.pdf", response={200: bytes})
def grab_bag(request: HttpRequest, code: str) -> HttpResponse:
    """The printable grab-bag PDF."""
    org = _org(request, code)
    response = HttpResponse(grabbag.render(org), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="grab-bag-{org.code}.pdf"'
    return response
