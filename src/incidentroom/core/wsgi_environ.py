"""Keep the server's process environment out of each request's WSGI environ.

granian, like the standard library's wsgiref, starts every request's environ from a copy of
``os.environ`` and lays the request on top. Django keeps the environ as ``request.META``, so
``DATABASE_URL``, ``SECRET_KEY``, ``LOG_CHECKPOINT_KEY`` and the rest would travel with each
request into anything that prints META (Django's debug page under ``make run``, an error
report), and an ``HTTP_PROXY`` variable would look like a header the client sent (httpoxy).
gunicorn never did this; this wrapper restores that.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# What the server sets from the request itself: never taken from the process environment,
# so never removed (a request's own Host or Content-Type stays whatever the client sent).
FROM_REQUEST = frozenset(
    {
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "REMOTE_ADDR",
        "HTTP_HOST",
    }
)


class WithoutProcessEnvironment:
    """Wrap a WSGI application; drop environ entries that are copies of the process environment."""

    def __init__(self, app: WsgiApp, environment: Mapping[str, str] | None = None) -> None:
        self.app = app
        source = os.environ if environment is None else environment
        # A name the client could also send (HTTP_...) is removed only when it holds exactly
        # the process's value, so a real header of that name still reaches the app.
        self._copied = tuple((name, value) for name, value in source.items() if name not in FROM_REQUEST)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        for name, value in self._copied:
            if environ.get(name) == value:
                del environ[name]
        return self.app(environ, start_response)
