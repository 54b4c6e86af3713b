"""The public status pages at the speed of a static file server, in front of Django.

:class:`PublishedStatusMiddleware` already answers ``/status/`` from the published files
without sessions or the database, but a request still costs Django's request set-up,
signals and middleware (about 0.3 ms). During an incident every resident checks the page at
once, so this WSGI wrapper replays the response Django gave for a public status URL, headers
and all (security headers, CSP, caching), for as long as the file behind it is unchanged:
one ``stat()`` per request. Anything else, and the first request after each publish, goes
to Django as usual, so what is served is always what Django itself would answer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from incidentroom.status.middleware import published_path

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _Recorded:
    """One response as Django gave it, and the file version it was made from."""

    __slots__ = ("body", "headers", "status", "version")

    def __init__(
        self, version: tuple[int, int, int], status: str, headers: list[tuple[str, str]], body: bytes
    ):
        self.version, self.status, self.headers, self.body = version, status, headers, body


class PublishedStatusApp:
    """Wrap a WSGI application; replay its answers for unchanged public status files."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._recorded: dict[str, _Recorded] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        path = environ.get("PATH_INFO", "")
        found = published_path(path) if method in ("GET", "HEAD") else None
        if found is None:
            return self.app(environ, start_response)
        try:
            stat = os.stat(os.path.join(os.fspath(settings.STATUS_PUBLISH_DIR), found[0]))
        except OSError:
            return self.app(environ, start_response)
        # Every publish writes a new file and renames it into place: a new inode.
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        hit = self._recorded.get(path)
        if hit is not None and hit.version == version:
            start_response(hit.status, list(hit.headers))
            return [] if method == "HEAD" else [hit.body]
        return self._record(path, version, environ, start_response)

    def _record(
        self, path: str, version: tuple[int, int, int], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers: list[tuple[str, str]] = seen.get("headers", [])
        # Only a plain, cookie-free success is shared between residents.
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and str(seen.get("status", "")).startswith("200")
            and not any(name.lower() in ("set-cookie", "vary") for name, _ in headers)
        ):
            with self._lock:
                if len(self._recorded) > 512:
                    # Only public status URLs are recorded, but a scan for made-up council
                    # slugs must not grow this without bound.
                    self._recorded.clear()
                self._recorded[path] = _Recorded(version, seen["status"], list(headers), body)
        return [body]
