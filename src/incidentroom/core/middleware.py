"""Map domain exceptions raised under a page view to a friendly error page, and mark the
audit channel as 'web' for everything a page request writes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from incidentroom.core import audit
from incidentroom.core.errors import DomainError


class DomainErrorMiddleware:
    """Pages: a DomainError becomes its HTTP status with the message shown, never a traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # One middleware marks the route for both pages and the API.
        with audit.channel("api" if request.path.startswith("/api/") else "web"):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Render domain errors; leave everything else to Django."""
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.status)
        return None
