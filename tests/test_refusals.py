"""Every API endpoint and every page, tried by personas who must be refused.

The API routes are read from the OpenAPI schema itself, so an endpoint added later is
covered without anyone remembering to add it here. Path parameters are filled with real
objects belonging to the West London incident, which an Ealing persona must never reach.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from incidentroom.api import api as ninja_api

# Endpoints that answer every signed-in user about *themselves* (never other organisations).
SELF_SERVICE = {"/api/me", "/api/organisations", "/api/tokens", "/api/audit", "/api/tokens/{token_id}"}
# Public by design (the residents' status page and its feeds): listed by the apps that own them.
PUBLIC_PREFIXES = ("/api/public/", "/status/", "/api/status/public")
SECRETS = ("IR-2025-0001", "RBKC", "WCC", "LBHF", "Kensington", "Westminster", "Hammersmith")


def _fill(path: str, objects: dict[str, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        return objects.get(m.group(1), "1")

    return re.sub(r"\{(\w+)\}", repl, path)


@pytest.fixture
def objects(incident: Any) -> dict[str, str]:
    """Real identifiers of West London objects for every kind of path parameter."""
    from incidentroom.estate.models import Service

    return {
        "reference": incident.reference,
        "code": "RBKC",
        "action_id": str(incident.actions.first().pk),
        "obligation_id": str(incident.obligations.first().pk),
        "service_id": str(Service.objects.filter(organisation__code="RBKC").first().pk),
    }


def _operations() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    ops = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                ops.append((method, path))
    return ops


@pytest.mark.parametrize(("method", "path"), _operations())
def test_outsider_is_refused_every_api_operation(
    method: str, path: str, api: Any, outsider_gold: Any, objects: dict[str, str]
) -> None:
    client = api(outsider_gold)
    url = _fill(path.removeprefix("/api"), objects)
    response = (
        getattr(client, method)(url) if method in {"get", "delete"} else getattr(client, method)(url, {})
    )
    full = "/api" + url
    if any(full.startswith(p) for p in PUBLIC_PREFIXES):
        return
    body = response.content.decode()
    if path in SELF_SERVICE or (method == "get" and response.status_code == 200):
        # Lists answer, but with nothing from the councils the outsider does not belong to.
        assert response.status_code in (200, 201, 404, 422), (method, path, response.status_code)
        for secret in SECRETS:
            assert secret not in body, f"{method.upper()} {path} leaked {secret!r}"
    else:
        assert response.status_code in (403, 404, 422), (method, path, response.status_code, body[:200])
        for secret in ("IR-2025-0001",):
            assert secret not in body or response.status_code == 422


def test_unauthenticated_api_is_refused(client: Any, incident: Any) -> None:
    for url in ("/api/incidents", f"/api/incidents/{incident.reference}", "/api/estate/systems"):
        assert client.get(url).status_code == 401


def _page_patterns() -> list[str]:
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
    return found


def _page_url(pattern: str, objects: dict[str, str]) -> str:
    names = {"reference": "reference", "action_id": "action_id", "obligation_id": "obligation_id"}
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: objects.get(names.get(m.group(1), m.group(1)), "1"), pattern)
    return url.replace("^", "").replace("$", "")


@pytest.mark.parametrize("pattern", [p for p in _page_patterns() if "<" in p])
def test_outsider_is_refused_every_incident_page(
    pattern: str, web: Any, outsider_gold: Any, objects: dict[str, str]
) -> None:
    client = web(outsider_gold)
    url = _page_url(pattern, objects)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if any(url.startswith(p) for p in PUBLIC_PREFIXES):
            continue
        assert response.status_code in (403, 404, 405), (method, url, response.status_code)
        assert "IR-2025-0001" not in response.content.decode() or response.status_code == 405


def test_outsider_sees_no_incident_in_lists(web: Any, outsider_gold: Any) -> None:
    client = web(outsider_gold)
    body = client.get("/incidents/").content.decode()
    assert "IR-2025-0001" not in body and "No incidents involve your organisations" in body
    estate = client.get("/estate/").content.decode()
    assert "Shared directory" not in estate and "Ealing contact centre CRM" in estate


def test_pages_need_login(client: Any, incident: Any) -> None:
    for url in ("/incidents/", f"/incidents/{incident.reference}/", "/estate/", "/tokens/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_viewer_can_read_but_not_write(web: Any, lbhf_viewer: Any, incident: Any) -> None:
    client = web(lbhf_viewer)
    assert client.get(f"/incidents/{incident.reference}/").status_code == 200
    response = client.post(f"/incidents/{incident.reference}/log/add/", {"kind": "note", "text": "hi"})
    assert response.status_code == 403
    assert not incident.log_entries.filter(text="hi").exists()
