"""The real server (``incidentroom serve``, granian) in front of the status pages: the headers
Django sets, 404 for anything not published, paths sent over the wire unnormalised, forms
still reaching the app, and X-Forwarded-For honoured as STATUS_PROXY_HOPS says."""

from __future__ import annotations

import http.client
import urllib.parse

import pytest

from tests.helpers.live import LiveApp

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_app_env() -> dict[str, str]:
    """One proxy in front, and a per-IP limit small enough to reach."""
    return {
        "STATUS_PROXY_HOPS": "1",
        "STATUS_SUBSCRIBE_PER_IP": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def _request(
    app: LiveApp, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    # http.client sends the path byte for byte: no client-side normalisation of "..".
    host, port = urllib.parse.urlsplit(app.url).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_the_status_page_carries_the_apps_security_headers(live_app: LiveApp) -> None:
    for path in ("/status/", "/status/rbkc/", "/status/feed.atom", "/status/status.json"):
        status, headers, body = _request(live_app, "GET", path)
        assert status == 200, path
        assert headers["cache-control"] == "public, max-age=30", path
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["server"] == "granian", path
    status, headers, body = _request(live_app, "GET", "/status/")
    assert headers["content-type"] == "text/html; charset=utf-8" and b"020 7946 0123" in body
    status, headers, body = _request(live_app, "HEAD", "/status/")
    assert status == 200 and body == b""


@pytest.mark.parametrize(
    "path",
    [
        "/status/../../etc/passwd",
        "/status/%2e%2e/%2e%2e/etc/passwd",
        "/status/..%2f..%2fetc%2fpasswd",
        "/status/%252e%252e%252fetc%252fpasswd",
        "/status/assets/..%2f..%2f..%2fsettings.py",
        "/status/nope/",
        "/status/published.json",
        "/status/.publish.lock",
    ],
)
def test_unpublished_paths_over_the_wire_are_404(live_app: LiveApp, path: str) -> None:
    status, _, body = _request(live_app, "GET", path)
    assert status == 404, (path, status)
    assert b"root:" not in body


def test_other_methods_and_forms_still_reach_the_app(live_app: LiveApp) -> None:
    # A published page is only ever read: other methods go to Django, which refuses them.
    status, _, body = _request(live_app, "DELETE", "/status/")
    assert status in (403, 405) and b"020 7946 0123" not in body
    status, headers, _ = _request(live_app, "GET", "/status/subscribe/")
    assert status == 302 and headers["location"] == "/status/"
    status, _, _ = _request(live_app, "GET", "/login/")
    assert status == 200
    status, headers, _ = _request(live_app, "GET", "/static/govuk/govuk-frontend.min.css")
    assert status == 200 and headers["content-type"].startswith("text/css")


def test_behind_one_proxy_the_subscribe_limit_follows_x_forwarded_for(live_app: LiveApp) -> None:
    def subscribe(n: int, forwarded: str) -> int:
        form = urllib.parse.urlencode({"email": f"r{n}@example.org", "scope": "RBKC"})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": forwarded}
        return _request(live_app, "POST", "/status/subscribe/", form, headers)[0]

    # The proxy appends the resident's address; the client's own leftmost claim is ignored.
    assert [subscribe(n, f"203.0.113.{n}, 198.51.100.20") for n in range(3)] == [200, 200, 429]
    # Another resident behind the same proxy is not held back by the first.
    assert subscribe(9, "198.51.100.21") == 200
