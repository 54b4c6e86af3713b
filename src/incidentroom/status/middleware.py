"""Serve the public status pages from the files the last publish wrote, ahead of the app.

During an incident every resident checks the page at once. Placed just after Django's
SecurityMiddleware (as whitenoise is), this answers ``GET /status/...`` from memory before
sessions, CSRF, authentication and URL routing run: a request costs one ``stat()`` and no
database work. Anything it does not recognise, or a file not published yet, falls through to
the ordinary views, which render and serve the same files.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from csp.utils import build_policy
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from incidentroom.status import site

HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
JSON = "application/json"
CSS = "text/css"
# Browsers and proxies may keep a page for half a minute: a newly confirmed status still
# shows quickly, and a surge is absorbed by every cache on the way.
PAGE_CACHE = "public, max-age=30"
ASSET_CACHE = "public, max-age=3600"

# Paths under /status/ that are forms or links with tokens, never files.
_NOT_PAGES = {"subscribe", "unsubscribe", "assets", "accessibility"}
_ORG_FILE = re.compile(r"^/status/([a-zA-Z0-9-]{1,16})/(|status\.json|feed\.atom)$")
_TOP = {
    "/status/": ("index.html", HTML, PAGE_CACHE),
    "/status/status.json": ("status.json", JSON, PAGE_CACHE),
    "/status/feed.atom": ("feed.atom", ATOM, PAGE_CACHE),
    "/status/accessibility/": ("accessibility/index.html", HTML, PAGE_CACHE),
}
_BY_NAME = {"": ("index.html", HTML), "status.json": ("status.json", JSON), "feed.atom": ("feed.atom", ATOM)}


def published_path(path: str) -> tuple[str, str, str] | None:
    """The published file behind a public URL path: (relative file, content type, cache)."""
    if path in _TOP:
        return _TOP[path]
    if path.startswith("/status/assets/"):
        name = path.removeprefix("/status/assets/")
        return (f"assets/{name}", CSS, ASSET_CACHE) if name in site.ASSETS else None
    match = _ORG_FILE.match(path)
    if match is None or match.group(1).lower() in _NOT_PAGES:
        return None
    name, content_type = _BY_NAME[match.group(2)]
    return f"{match.group(1).lower()}/{name}", content_type, PAGE_CACHE


def file_response(path: str) -> HttpResponse | None:
    """The response for a public status URL from its published file, or None."""
    found = published_path(path)
    body = site.published_file(found[0]) if found else None
    if found is None or body is None:
        return None
    response = HttpResponse(body, content_type=found[1])
    response["Cache-Control"] = found[2]
    # Set here because the clickjacking and CSP middleware further in are skipped. The
    # published files carry no inline script, so the site's policy applies without a nonce.
    response["X-Frame-Options"] = "DENY"
    response["Content-Security-Policy"] = build_policy()
    return response


class PublishedStatusMiddleware:
    """Answer public status URLs from the published files; pass everything else on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in ("GET", "HEAD"):
            response = file_response(request.path_info)
            if response is not None:
                return response
        return self.get_response(request)
