"""Map domain exceptions raised under a page view to a friendly error page, and mark the
audit channel as 'web' for everything a page request writes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from incidentroom.core import audit
from incidentroom.core.errors import DomainError, InvalidInput


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in ("POST", "PUT", "PATCH") and not content_type.startswith("multipart/"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body or b"%00" in body
    return False


class DomainErrorMiddleware:
    """Pages: a DomainError becomes its HTTP status with the message shown, never a traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # PostgreSQL cannot store NUL characters in text; refuse them at the door with a
        # clear message rather than fail deep inside a query with a server error.
        if _has_nul(request):
            error = InvalidInput("The request contains a NUL character, which is not allowed in any field.")
            if request.path.startswith("/api/"):
                return JsonResponse(error.as_dict(), status=422)
            return render(request, "error.html", {"error": error}, status=422)
        # One middleware marks the route for both pages and the API.
        with audit.channel("api" if request.path.startswith("/api/") else "web"):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Render domain errors; leave everything else to Django."""
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.status)
        return None
