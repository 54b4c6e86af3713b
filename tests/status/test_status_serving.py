"""The app's own /status/ serves only the files it published: no path, however spelt, and no
symlink planted in the published folder, reaches a file outside it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from incidentroom.core.wsgi_environ import WithoutProcessEnvironment
from incidentroom.status import site
from incidentroom.status.wsgi import PublishedStatusApp

SECRET = b"root:x:0:0:OUTSIDE-THE-PUBLISHED-FOLDER"

# PATH_INFO as a server hands it over: already percent-decoded once, so a doubly encoded
# request arrives with %2f and %2e still in it.
TRAVERSALS = [
    "/status/../../etc/passwd",
    "/status/../outside.html",
    "/status/..%2f..%2fetc%2fpasswd",
    "/status/%2e%2e/%2e%2e/etc/passwd",
    "/status/assets/../../outside.html",
    "/status/assets/..%2f..%2foutside.html",
    "/status/rbkc/../../outside.html",
    "/status/rbkc/..%2F..%2Foutside.html",
    "/status/..\\..\\outside.html",
    "/status//etc/passwd",
    "/status/.publish.lock",
    "/status/published.json",
]


@pytest.fixture
def app() -> Iterator[Any]:
    """The WSGI stack incidentroom.wsgi builds, on the test's database and settings."""
    # The real handler closes the connection at each request's start and end; inside the
    # test's transaction that would close it under the test (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PublishedStatusApp(WithoutProcessEnvironment(get_wsgi_application()))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _get(app: Any, path: str) -> tuple[str, bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = status

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    result = app(environ, start_response)
    body = b"".join(result)
    close = getattr(result, "close", None)
    if close is not None:
        close()
    return str(seen["status"]), body


@pytest.fixture
def outside(published: Path) -> Path:
    """A file and a folder next to the published folder, never meant to be served."""
    secret = published.parent / "outside.html"
    secret.write_bytes(SECRET)
    folder = published.parent / "elsewhere"
    folder.mkdir()
    (folder / "index.html").write_bytes(SECRET)
    return secret


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_spelling_of_a_path_leaves_the_published_folder(
    db: None, app: Any, outside: Path, path: str
) -> None:
    site.publish()
    status, body = _get(app, path)
    assert status.startswith("404"), (path, status)
    assert b"OUTSIDE-THE-PUBLISHED-FOLDER" not in body and b"root:" not in body


def test_a_symlink_planted_in_the_published_folder_is_never_followed(
    db: None, app: Any, published: Path, outside: Path
) -> None:
    site.publish()
    status, first = _get(app, "/status/rbkc/")
    assert status.startswith("200")  # now recorded by the WSGI front
    page = published / "rbkc" / "index.html"
    page.unlink()
    page.symlink_to(outside)
    (published / "evil").symlink_to(published.parent / "elsewhere", target_is_directory=True)
    for path in ("/status/rbkc/", "/status/evil/"):
        status, body = _get(app, path)
        assert status.startswith("404"), (path, status)
        assert b"OUTSIDE-THE-PUBLISHED-FOLDER" not in body
    # The next publish puts a real file back, and it is served again.
    site.publish()
    status, again = _get(app, "/status/rbkc/")
    assert status.startswith("200") and b"OUTSIDE" not in again
