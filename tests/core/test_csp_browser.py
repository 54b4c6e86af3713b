"""Every kind of page passes the Content-Security-Policy in Chromium, and /api/docs works offline.

Pages are read from the URL configuration (so a page added later is visited too), filled
with the West London incident's reference, and loaded as Gold and as the DPO. Chromium
reports each CSP violation as a ``securitypolicyviolation`` event; the test collects them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import Page, Route

from tests.helpers.live import LiveApp
from tests.helpers.scenario import live_reference

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


def _pages(reference: str) -> list[str]:
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "/")
    urls = []
    for pattern in found:
        if any(
            x in pattern for x in ("logout", "confirm/", "unsubscribe/", "<int:", "<path:", "<token", "^")
        ):
            continue
        url = re.sub(r"<(?:\w+:)?reference>", reference, pattern)
        url = re.sub(r"<(?:\w+:)?code>", "rbkc", url)
        if "<" not in url:
            urls.append(url)
    return sorted(set(urls))


def _violations(page: Any, url: str, visited: list[str]) -> list[str]:
    # Addresses that answer this persona with no page (POST-only, 403) have nothing to check.
    head = page.request.get(url, max_redirects=0)
    if head.status != 200 or not head.headers.get("content-type", "").startswith("text/html"):
        return []  # downloads (PDF, CSV, Atom) are not pages
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response is not None and response.status == 200, url
    assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), url
    visited.append(url)
    return [str(v) for v in page.evaluate("window.__csp")]


def _refuse_outside(page: Any) -> list[str]:
    """Abort every request that leaves the app on the loopback; the list collects their URLs."""
    outside: list[str] = []

    def refuse(route: Route) -> None:
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), refuse)
    return outside


@pytest.mark.parametrize("role", ["gold", "dpo"], ids=["rbkc.gold", "rbkc.dpo"])
def test_every_page_passes_the_csp(page: Page, live_app: LiveApp, login: Any, role: str) -> None:
    outside = _refuse_outside(page)
    page.add_init_script(LISTEN)
    login(page, live_app, role, "RBKC")
    urls = _pages(live_reference(live_app))
    assert len(urls) > 10
    problems = {}
    visited: list[str] = []
    for path in [*urls, "/api/docs"]:
        found = _violations(page, live_app.url + path, visited)
        if found:
            problems[path] = found
    assert problems == {}
    assert len(visited) > 10
    # The listener works: an inline style attribute added now is reported as a violation.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__csp.length > 0")
    assert "style-src" in page.evaluate("window.__csp")[0]
    assert outside == []


def test_api_docs_work_offline(page: Page, live_app: LiveApp, login: Any) -> None:
    outside = _refuse_outside(page)
    page.add_init_script(LISTEN)
    login(page, live_app, "gold", "RBKC")
    page.goto(live_app.url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Incident Room API" in page.locator(".swagger-ui .info .title").inner_text()
    # The operations are listed from the schema, so the page is working, not just drawn.
    assert page.locator(".opblock").count() > 50
    assert outside == []
    assert page.evaluate("window.__csp") == []
