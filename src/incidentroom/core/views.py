"""Pages: sign in and out, the home redirect, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from incidentroom.core import actions
from incidentroom.core.bounds import parse_id, parse_int
from incidentroom.core.errors import DomainError
from incidentroom.core.models import ApiToken
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


def lockout(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    """Shown by axes after too many failed sign-ins."""
    return render(request, "core/lockout.html", status=429)
