"""The HTTP API: one NinjaAPI, one router per app, errors mapped in one place.

Scripts authenticate with ``Authorization: Bearer <token>`` (per-user tokens, hashed at
rest); the pages' own JavaScript uses the session cookie with CSRF.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from incidentroom.core.errors import DomainError
from incidentroom.core.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    """Bearer tokens issued per user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Return the token's user, or None to refuse."""
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at=None)
            .first()
        )
        if found is None or not found.is_usable(now) or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        # Endpoints that a token must not reach on its own (minting tokens) look for this.
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


api = NinjaAPI(
    title="Incident Room API",
    version="1",
    description="Incident command, reporting clocks and the decision log for councils that share IT.",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "unauthenticated", "message": "Sign in or send a valid API token.", "field": None},
        status=401,
    )


def _register() -> None:
    # Imported here so each app's router module can import ``api`` helpers without cycles.
    from incidentroom.advisories.api import router as advisories_router
    from incidentroom.breach.api import router as breach_router
    from incidentroom.continuity.api import router as continuity_router
    from incidentroom.core.api import router as core_router
    from incidentroom.estate.api import router as estate_router
    from incidentroom.incidents.api import router as incidents_router
    from incidentroom.status.api import router as status_router
    from incidentroom.threats.api import router as threats_router

    api.add_router("/", core_router)
    api.add_router("/estate", estate_router)
    api.add_router("/incidents", incidents_router)
    api.add_router("/status", status_router)
    api.add_router("/advisories", advisories_router)
    api.add_router("/continuity", continuity_router)
    api.add_router("/breach", breach_router)
    api.add_router("/threats", threats_router)


_register()
