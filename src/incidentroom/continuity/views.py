"""Pages: the continuity board per organisation, plan editing, updates, suppliers, grab bag."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from incidentroom.continuity import actions, grabbag
from incidentroom.continuity.models import ContinuityPlan, ContinuityState, Supplier
from incidentroom.continuity.queries import board
from incidentroom.core import times
from incidentroom.core.access import has_role
from incidentroom.core.errors import DomainError, InvalidInput
from incidentroom.core.formpage import FieldSpec, Refusal, correctable, no_refusal, refusal
from incidentroom.core.models import CONTINUITY_ROLES, Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.estate.models import Service


def _org(request: HttpRequest, code: str) -> Organisation:
    return get_scoped(Organisation.objects.for_user(request.user), "organisation", code=code.upper())


@login_required
@require_GET
def continuity_home(request: HttpRequest) -> HttpResponse:
    """Straight to the board of the user's first organisation (or a choice when several)."""
    orgs = list(Organisation.objects.for_user(request.user))
    if len(orgs) == 1:
        return redirect("continuity-board", orgs[0].code)
    return render(request, "continuity/choose.html", {"orgs": orgs})


@login_required
@require_GET
def continuity_board(request: HttpRequest, code: str) -> HttpResponse:
    """Prioritised services, vulnerable residents first, overdue updates flagged."""
    return _board_page(request, _org(request, code))


# Where the error summary sends the reader for each field of a service's two forms (``{}``
# is the service's id; a date input links to its first box, as the GOV.UK pattern does).
_FIELD_HREF = {
    "state": "#state-{}",
    "note": "#note-{}",
    "workaround": "#wa-{}",
    "next_update_due": "#next-{}-day",
    "rto_hours": "#rto-{}",
    "mtpd_hours": "#mtpd-{}",
    "update_interval_hours": "#int-{}",
    "minimum_service_level": "#msl-{}",
    "plan": "#plan-{}",
    "owner": "#owner-{}",
}


def _board_page(
    request: HttpRequest,
    org: Organisation,
    *,
    service: Service | None = None,
    form: str = "",
    failed: InvalidInput | None = None,
    supplier_refused: Refusal | None = None,
) -> HttpResponse:
    """The board; after a refused update or plan, the same board with the error summary, the
    service's form open with the message beside its field, and what was typed kept."""
    rows = board(org)
    bad: dict[str, Any] | None = None
    summary = []
    if failed is not None and service is not None:
        field = failed.field or ""
        bad = {
            "service": service.pk,
            "form": form,
            "field": field,
            "message": failed.message,
            "data": request.POST,
        }
        href = _FIELD_HREF.get(field, "#service-form-{}").format(service.pk)
        summary.append({"href": href, "text": f"{service.name}: {failed.message}"})
    return render(
        request,
        "continuity/board.html",
        {
            "org": org,
            "rows": rows,
            # Each row with the refused input that belongs to it (None for every other row).
            "entries": [(r, bad if bad and bad["service"] == r.service.pk else None) for r in rows],
            "overdue": sum(1 for r in rows if r.update_overdue),
            "past_rto": sum(1 for r in rows if r.rto_breached),
            "can_edit": has_role(request.user, org, CONTINUITY_ROLES),
            "suppliers": Supplier.objects.filter(organisation=org),
            "states": ContinuityState.choices,
            "staff": get_user_model().objects.filter(memberships__organisation=org).order_by("username"),
            "orgs": Organisation.objects.for_user(request.user),
            "error_summary": summary,
            **(supplier_refused.context() if supplier_refused is not None else _no_supplier_refusal()),
        },
        status=supplier_refused.status
        if supplier_refused is not None
        else failed.status
        if failed is not None
        else 200,
    )


def _no_supplier_refusal() -> dict[str, Any]:
    """The supplier form's template keys when it was not refused (the summary is the board's)."""
    return {k: v for k, v in no_refusal().items() if k != "error_summary"}


# The supplier form's fields as the board labels them.
_SUPPLIER_FIELDS = {
    "name": FieldSpec("Name", "#sup-name"),
    "supplies": FieldSpec("Provides", "#sup-supplies"),
    "phone": FieldSpec("Phone", "#sup-phone"),
    "email": FieldSpec("Email", "#sup-email"),
    "contract_reference": FieldSpec("Contract reference", "#sup-ref"),
}


def _service(request: HttpRequest, service_id: int) -> Service:
    return get_scoped(
        Service.objects.for_user(request.user).select_related("organisation"), "service", pk=service_id
    )


def _int(raw: str, field: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"{actions.FIELD_LABELS.get(field, field)} must be a whole number of hours, for example 4.",
            field=field,
        ) from exc


@login_required
@require_POST
def save_plan(request: HttpRequest, service_id: int) -> HttpResponse:
    """Create or change a service's plan."""
    service = _service(request, service_id)
    try:
        owner_name = request.POST.get("owner", "")
        owner = get_user_model().objects.filter(username=owner_name).first() if owner_name else None
        if owner_name and owner is None:
            raise InvalidInput("Choose an owner from the list.", field="owner")
        actions.save_plan(
            service,
            actor=request.user,
            rto_hours=_int(request.POST.get("rto_hours", ""), "rto_hours"),
            mtpd_hours=_int(request.POST.get("mtpd_hours", ""), "mtpd_hours"),
            update_interval_hours=_int(
                request.POST.get("update_interval_hours", "4"), "update_interval_hours"
            ),
            minimum_service_level=request.POST.get("minimum_service_level", ""),
            plan=request.POST.get("plan", ""),
            workaround=request.POST.get("workaround", ""),
            owner=owner,
        )
    except InvalidInput as exc:
        # Input the person can correct: the board again, not a separate error page.
        return _board_page(request, service.organisation, service=service, form="plan", failed=exc)
    messages.success(request, f"Continuity plan saved for {service.name}.")
    return redirect("continuity-board", service.organisation.code)


@login_required
@require_POST
def record_update(request: HttpRequest, service_id: int) -> HttpResponse:
    """Report on a service: state, what changed, the workaround in use."""
    service = _service(request, service_id)
    plan = get_scoped(ContinuityPlan.objects.for_user(request.user), "continuity plan", service=service)
    try:
        # The date input boxes, or one ISO value posted as next_update_due by a script.
        due_raw = times.joined_parts(request.POST, "next_update_due", "Next update due")
        due = times.parse_input(due_raw, "next_update_due", example="2026-11-24T18:00")
        actions.record_update(
            plan,
            actor=request.user,
            state=request.POST.get("state", ""),
            note=request.POST.get("note", ""),
            workaround=request.POST.get("workaround"),
            next_update_due=due,
        )
    except InvalidInput as exc:
        return _board_page(request, service.organisation, service=service, form="update", failed=exc)
    messages.success(request, f"Update recorded for {service.name}.")
    return redirect("continuity-board", service.organisation.code)


@login_required
@require_POST
def add_supplier(request: HttpRequest, code: str) -> HttpResponse:
    """Add a supplier to the organisation's grab bag."""
    org = _org(request, code)
    try:
        actions.add_supplier(
            org,
            actor=request.user,
            name=request.POST.get("name", ""),
            supplies=request.POST.get("supplies", ""),
            phone=request.POST.get("phone", ""),
            email=request.POST.get("email", ""),
            contract_reference=request.POST.get("contract_reference", ""),
        )
    except DomainError as exc:
        if not correctable(exc):
            raise
        refused = refusal(
            exc, form="supplier", fields=_SUPPLIER_FIELDS, default_href="#supplier-form", data=request.POST
        )
        return _board_page(request, org, supplier_refused=refused)
    messages.success(request, "Supplier added.")
    return redirect("continuity-board", org.code)


@login_required
@require_POST
def remove_supplier(request: HttpRequest, supplier_id: int) -> HttpResponse:
    """Remove a supplier."""
    supplier = get_scoped(
        Supplier.objects.for_user(request.user).select_related("organisation"), "supplier", pk=supplier_id
    )
    code = supplier.organisation.code
    actions.remove_supplier(supplier, actor=request.user)
    messages.success(request, "Supplier removed.")
    return redirect("continuity-board", code)


@login_required
@require_GET
def grab_bag(request: HttpRequest, code: str) -> HttpResponse:
    """The printable grab-bag PDF."""
    org = _org(request, code)
    response = HttpResponse(grabbag.render(org), content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="grab-bag-{org.code}-{stamp}.pdf"'
    return response
