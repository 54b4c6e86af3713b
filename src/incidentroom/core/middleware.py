"""Clean the text every request carries, map domain exceptions raised under a page view to
a friendly error page, and mark the audit channel as 'web' for everything a page request writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render

from incidentroom.core import audit, text
from incidentroom.core.errors import DomainError, InvalidInput


def _clean_querydict(data: QueryDict) -> QueryDict | None:
    """A copy with every value cleaned, or None when nothing changed (refuses what cannot be)."""
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    changed = False
    for key, values in data.lists():
        clean_key = text.clean_line(key, key)
        new = [text.clean_text(v, key) if isinstance(v, str) else v for v in values]
        changed |= clean_key != key or new != values
        cleaned.setlist(clean_key, new)
    if not changed:
        return None
    cleaned._mutable = False
    return cleaned


def _clean_json(value: Any, where: str) -> Any:
    if isinstance(value, str):
        return text.clean_text(value, where or "body")
    if isinstance(value, list):
        return [_clean_json(v, f"{where}.{i}" if where else str(i)) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            name = f"{where}.{key}" if where else str(key)
            out[text.clean_line(str(key), name)] = _clean_json(v, name)
        return out
    return value


def clean_request(request: HttpRequest) -> None:
    """Clean every text value a request carries, on every route (pages, forms, the API).

    Line-break look-alikes (CRLF, CR, U+000B from PowerPoint...) become ``\\n``; any other
    C0 or C1 control character is refused with a 422 naming the field. One-line fields refuse
    line breaks later, where the model knows which fields are one line (core.signals).
    """
    bad = text.find_control(request.path)
    if bad:
        raise text.ControlCharacterError("The address contains a control character.", field="path")
    cleaned = _clean_querydict(request.GET)
    if cleaned is not None:
        request.GET = cleaned  # type: ignore[assignment]
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        cleaned = _clean_querydict(request.POST)
        if cleaned is not None:
            request.POST = cleaned  # type: ignore[assignment]
        return
    body = request.body
    if not body:
        return
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        if b"\x00" in body:
            raise text.ControlCharacterError("The request contains a NUL character.", field="body") from None
        return  # not JSON: the API refuses it with its own 400/422
    new = _clean_json(data, "")
    if new != data:
        request._body = json.dumps(new).encode()


class DomainErrorMiddleware:
    """Pages: a DomainError becomes its HTTP status with the message shown, never a traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # PostgreSQL cannot store NUL characters in text; refuse them at the door with a
        # clear message rather than fail deep inside a query with a server error.
        try:
            clean_request(request)
        except InvalidInput as error:
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
