"""Pages: advisories for me, the sign-in gate, publishing, who has read it, reminders, CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from incidentroom.advisories import actions
from incidentroom.advisories.controls import suggested_controls
from incidentroom.advisories.models import Advisory, AdvisorySeverity
from incidentroom.core import times
from incidentroom.core.access import has_role
from incidentroom.core.csvhttp import csv_response
from incidentroom.core.errors import DomainError, Forbidden, InvalidInput, NotFound, labelled
from incidentroom.core.formpage import correctable
from incidentroom.core.models import OVERSEE_ROLES, PUBLISH_ROLES, Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.threats.queries import staff_watch_list


def _advisory(request: HttpRequest, advisory_id: int) -> Advisory:
    return get_scoped(Advisory.objects.for_user(request.user), "advisory", pk=advisory_id)


def _publishable(request: HttpRequest) -> list[Organisation]:
    return [
        o for o in Organisation.objects.for_user(request.user) if has_role(request.user, o, PUBLISH_ROLES)
    ]


# Where the error summary sends the reader for each field of the publish form (the date
# input links to its first box, as the GOV.UK pattern does).
_FIELD_HREF = {
    "title": "#adv-title",
    "body": "#adv-body",
    "severity": "#adv-severity",
    "expires_at": "#adv-expires-day",
    "organisations": "#adv-organisations",
    "partner_domains": "#adv-domains",
}


# The publish form's fields as the page labels them.
_LABELS = {
    "title": "Title",
    "body": "Message to staff",
    "severity": "Severity",
    "expires_at": "In force until",
    "organisations": "Send to the staff of",
    "partner_domains": "Partner mail domains",
}


def _list_page(request: HttpRequest, *, failed: DomainError | None = None) -> HttpResponse:
    """The list with its publish form; after a refused publish, the same page with the error
    summary, the field's message beside it and everything typed kept."""
    advisories = Advisory.objects.for_user(request.user).prefetch_related("organisations")
    acked = set(
        Advisory.objects.filter(acknowledgements__user_id=int(request.user.pk or 0)).values_list(
            "pk", flat=True
        )
    )
    default_expiry = times.after(timezone.now(), dt.timedelta(days=7))
    field = (failed.field or "") if failed else ""
    # The message names the field in the page's words ("In force until must be ..."), not
    # by its code name, as the shared time rules write it.
    message = (
        labelled(failed.message, _LABELS[field], field, prefix=False) if failed and field in _LABELS else ""
    )
    message = message or (failed.message if failed else "")
    return render(
        request,
        "advisories/list.html",
        {
            "advisories": advisories,
            "acked": acked,
            "now": timezone.now(),
            "publish_orgs": _publishable(request),
            "severities": AdvisorySeverity.choices,
            "default_expiry": default_expiry,
            "posted": request.POST if failed else None,
            "chosen": set(request.POST.getlist("organisations")) if failed else None,
            "errors": {field: message} if failed else {},
            "error_summary": [{"href": _FIELD_HREF.get(field, "#publish"), "text": message}]
            if failed
            else [],
        },
        status=failed.status if failed else 200,
    )


@login_required
@require_GET
def advisory_list(request: HttpRequest) -> HttpResponse:
    """Advisories addressed to my organisations, and a form to publish one."""
    return _list_page(request)


def _parse_expiry(data: Any) -> dt.datetime:
    """The expiry from the date input boxes, or one ISO value posted as ``expires_at``."""
    raw = times.joined_parts(data, "expires_at", "In force until")
    value = times.parse_input(raw, "expires_at", example="2026-12-01T17:00")
    if value is None:
        raise InvalidInput("Enter the date and time the advisory is in force until.", field="expires_at")
    return value


@login_required
@require_POST
def advisory_create(request: HttpRequest) -> HttpResponse:
    """Publish an advisory from the list page's form."""
    codes = request.POST.getlist("organisations")
    orgs = list(Organisation.objects.for_user(request.user).filter(code__in=codes))
    try:
        if len(orgs) != len(set(codes)):
            # Another council's code: answered beside the boxes, which list only the reader's own.
            raise NotFound("Choose organisations you belong to.", field="organisations")
        advisory = actions.publish_advisory(
            actor=request.user,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            severity=request.POST.get("severity", ""),
            expires_at=_parse_expiry(request.POST),
            organisations=orgs,
            partner_domains=request.POST.get("partner_domains", ""),
        )
    except DomainError as exc:
        # Input the person can correct: the same page, not a separate error page. Refusals
        # naming no field (a role that may not publish) still go to the error page.
        if not correctable(exc):
            raise
        return _list_page(request, failed=exc)
    messages.success(request, "Advisory published: staff will see it at sign-in and by email.")
    return redirect("advisory-detail", advisory.pk)


def _rows(advisory: Advisory, viewer: Any) -> list[dict[str, Any]]:
    acks = {a.user_id: a.at for a in advisory.acknowledgements.all()}
    org_ids = {o.pk: o.code for o in advisory.organisations.all()}
    rows = []
    for user in actions.overseen_recipients(advisory, viewer).prefetch_related("memberships"):
        rows.append(
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "organisations": ", ".join(
                    sorted(
                        org_ids[m.organisation_id]
                        for m in user.memberships.all()
                        if m.organisation_id in org_ids
                    )
                ),
                "acknowledged_at": acks.get(user.pk),
            }
        )
    return rows


@login_required
@require_GET
def advisory_detail(request: HttpRequest, advisory_id: int) -> HttpResponse:
    """The advisory, my acknowledgement, and (for comms, Gold, Silver) who has read it."""
    advisory = _advisory(request, advisory_id)
    rows = _rows(advisory, request.user)
    return render(
        request,
        "advisories/detail.html",
        {
            "advisory": advisory,
            "acknowledged": advisory.acknowledgements.filter(user_id=int(request.user.pk or 0)).first(),
            "rows": rows,
            "read_count": sum(1 for r in rows if r["acknowledged_at"]),
            "unread_count": sum(1 for r in rows if not r["acknowledged_at"]),
            "can_publish": any(
                has_role(request.user, o, PUBLISH_ROLES) for o in advisory.organisations.all()
            ),
            "controls": suggested_controls(list(advisory.partner_domains)),
            "active": advisory.is_active(),
            # Indicators marked for staff (CLEAR or GREEN) in the organisations' incidents.
            "watch": staff_watch_list(advisory.organisations.all()),
        },
    )


def _safe_next(request: HttpRequest, raw: str) -> str:
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return "/"


@login_required
@require_GET
def advisory_pending(request: HttpRequest) -> HttpResponse:
    """The sign-in gate: unread advisories, each with an acknowledge button."""
    pending = actions.pending_for(request.user).prefetch_related("organisations")
    next_url = _safe_next(request, request.GET.get("next", ""))
    if not pending.exists():
        return redirect(next_url)
    return render(request, "advisories/pending.html", {"pending": pending, "next": next_url})


@login_required
@require_POST
def advisory_acknowledge(request: HttpRequest, advisory_id: int) -> HttpResponse:
    """I have read it."""
    advisory = _advisory(request, advisory_id)
    actions.acknowledge(advisory, actor=request.user)
    messages.success(request, f"Thank you: you have acknowledged '{advisory.title}'.")
    next_url = request.POST.get("next", "")
    if next_url:
        return redirect(reverse_pending(next_url))
    return redirect("advisory-detail", advisory.pk)


def reverse_pending(next_url: str) -> str:
    """Back through the gate, which lets the person on once nothing is left unread."""
    return reverse("advisory-pending") + "?" + urlencode({"next": next_url})


@login_required
@require_POST
def advisory_remind(request: HttpRequest, advisory_id: int) -> HttpResponse:
    """Email everyone who has not yet acknowledged."""
    advisory = _advisory(request, advisory_id)
    count = actions.send_reminders(advisory, actor=request.user)
    messages.success(request, f"Reminder sent to {count} {'person' if count == 1 else 'people'}.")
    return redirect("advisory-detail", advisory.pk)


@login_required
@require_POST
def advisory_withdraw(request: HttpRequest, advisory_id: int) -> HttpResponse:
    """Withdraw an advisory."""
    advisory = _advisory(request, advisory_id)
    actions.withdraw_advisory(advisory, actor=request.user)
    messages.success(request, "Advisory withdrawn; staff no longer see it.")
    return redirect("advisory-detail", advisory.pk)


@login_required
@require_GET
def advisory_export(request: HttpRequest, advisory_id: int) -> HttpResponse:
    """Who has and has not acknowledged, as CSV (comms, Gold and Silver only)."""
    advisory = _advisory(request, advisory_id)
    if not any(has_role(request.user, o, OVERSEE_ROLES) for o in advisory.organisations.all()):
        raise Forbidden("Only communications officers, Gold and Silver can export who has read an advisory.")
    rows = (
        [
            row["username"],
            row["name"],
            row["organisations"],
            "yes" if row["acknowledged_at"] else "no",
            times.uk_time(row["acknowledged_at"], "short") if row["acknowledged_at"] else "",
        ]
        for row in _rows(advisory, request.user)
    )
    response = csv_response(
        f"advisory-{advisory.pk}-acknowledgements.csv",
        ["username", "name", "organisations", "acknowledged", "acknowledged_at"],
        rows,
    )
    return response
