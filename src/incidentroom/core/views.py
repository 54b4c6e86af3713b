"""Pages: sign in and out, the home redirect, API tokens, the council's own details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from incidentroom.core import actions
from incidentroom.core.access import has_role
from incidentroom.core.bounds import parse_id, parse_int
from incidentroom.core.errors import DomainError, InvalidInput
from incidentroom.core.models import DETAILS_ROLES, ApiToken, Organisation
from incidentroom.core.scoping import get_scoped


class LoginView(auth_views.LoginView):
    """Django's login with the GOV.UK-styled template; axes throttles failures."""

    template_name = "core/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The incident list is where everyone starts."""
    return redirect("incident-list")


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List, create and revoke your API tokens."""
    new_token = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                token = get_scoped(
                    ApiToken.objects.for_user(request.user),
                    "token",
                    pk=parse_id(request.POST["revoke"], "revoke"),
                )
                actions.revoke_api_token(actor=request.user, token=token)
                messages.success(request, f"Token {token.name} revoked.")
                return redirect("tokens")
            days = request.POST.get("expires_in_days", "").strip()
            _, new_token = actions.issue_api_token(
                actor=request.user,
                name=request.POST.get("name", ""),
                expires_in_days=(
                    parse_int(days, "expires_in_days", low=1, high=actions.TOKEN_MAX_DAYS) if days else None
                ),
            )
        except DomainError as exc:
            return render(
                request,
                "core/tokens.html",
                {"tokens": ApiToken.objects.for_user(request.user).order_by("-created_at"), "error": exc},
                status=exc.status,
            )
    return render(
        request,
        "core/tokens.html",
        {
            "tokens": ApiToken.objects.for_user(request.user).order_by("-created_at"),
            "new_token": new_token,
        },
    )


# What each field's box says under its label: the shape wanted, and where residents meet it.
_DETAILS_HINTS = {
    "postal_address": "One line per line, ending with the postcode. Letters to residents carry it.",
    "main_phone": "The public switchboard, as it is printed on letters.",
    "resident_helpline": "A line for this incident apart from the switchboard, which an attack may take down.",
    "website": "For example www.rbkc.gov.uk",
    "signatory_name": "Letters to residents are signed by this person.",
    "notices_from_email": "Emails to residents are sent from this address.",
    "ico_registration": "Z and seven letters or digits, from the ICO's data protection fee register.",
}


@login_required
@require_http_methods(["GET"])
def organisations(request: HttpRequest) -> HttpResponse:
    """Straight to the details of the user's council (or a choice when they have several)."""
    orgs = list(Organisation.objects.for_user(request.user))
    if len(orgs) == 1:
        return redirect("organisation-details", orgs[0].code)
    return render(request, "core/organisations.html", {"orgs": orgs})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_details(request: HttpRequest, code: str) -> HttpResponse:
    """The council's letterhead, signatory, sender address and DPO contact: read by every
    member, changed by its Gold or DPO. A refused change comes back on the same page with
    the error summary and everything typed kept."""
    org = get_scoped(Organisation.objects.for_user(request.user), "organisation", code=code.upper())
    can_edit = has_role(request.user, org, DETAILS_ROLES)
    failed: InvalidInput | None = None
    if request.method == "POST":
        try:
            actions.update_organisation_details(
                actor=request.user,
                organisation=org,
                changes={f: request.POST.get(f, "") for f in actions.DETAILS_LABELS},
            )
        except InvalidInput as exc:
            failed = exc
        else:
            messages.success(request, f"{org.name}'s details are saved.")
            return redirect("organisation-details", org.code)
    values = request.POST if failed is not None else {f: getattr(org, f) for f in actions.DETAILS_LABELS}
    fields = [
        {
            "name": f,
            "label": label,
            "hint": _DETAILS_HINTS.get(f, ""),
            "value": values.get(f, ""),
            "error": failed.message if failed is not None and failed.field == f else "",
        }
        for f, label in actions.DETAILS_LABELS.items()
    ]
    summary = []
    if failed is not None:
        summary.append({"href": f"#{failed.field or 'details-form'}", "text": failed.message})
    return render(
        request,
        "core/organisation.html",
        {"org": org, "fields": fields, "can_edit": can_edit, "error_summary": summary},
        status=failed.status if failed is not None else 200,
    )


def lockout(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    """Shown by axes after too many failed sign-ins."""
    return render(request, "core/lockout.html", status=429)
