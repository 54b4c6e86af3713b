"""Every breach endpoint and page, tried by personas who must be refused.

Only the DPO and Gold of the controller organisation may reach individuals, reports and
letters. The routes are read from the OpenAPI schema and the URL map, so a route added
later is covered without anyone remembering to list it here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern

from incidentroom.api import api as ninja_api
from incidentroom.breach import actions
from incidentroom.breach import urls as breach_urls
from incidentroom.breach.models import Breach, EmailDelivery, Individual
from incidentroom.incidents.models import Incident
from tests.helpers.breachhelp import PEOPLE, close_response, make_letters
from tests.helpers.clients import ApiClient
from tests.helpers.db import first

REFUSED = ["rbkc_silver", "rbkc_comms", "wcc_dpo", "lbhf_viewer", "outsider_gold"]
ALLOWED = ["rbkc_dpo", "rbkc_gold"]
# What must never appear in a refused response.
SECRETS = ["Alice", "Ashdown", "Bello", "Abbey Road", "alice@example.org", "Document archive", "W8 4AA"]


@pytest.fixture
def world(scanned: Breach, rbkc_dpo: User, incident: Incident) -> dict[str, str]:
    """One of everything for RBKC's breach, by path parameter name."""
    report = actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    batch = make_letters(scanned, rbkc_dpo)
    notice = actions.create_email_notice(scanned, actor=rbkc_dpo)
    notice = actions.start_sending(notice, actor=rbkc_dpo)
    EmailDelivery.objects.filter(notice=notice).update(status="uncertain")
    public = actions.publish_public_notice(scanned, actor=rbkc_dpo)
    person = Individual.objects.get(person_id="P0001")
    return {
        "reference": incident.reference,
        "breach_id": str(scanned.pk),
        "scan_id": str(scanned.scans.get().pk),
        "individual_id": str(person.pk),
        "report_id": str(report.pk),
        "batch_id": str(batch.pk),
        "letter_id": str(first(batch.letters.all()).pk),
        "notice_id": str(notice.pk),
        "delivery_id": str(first(notice.deliveries.all()).pk),
        "name": "print-file.pdf",
        "fmt": "pdf",
        "what": "notified",
        "slug": public.slug,
    }


BODIES: dict[str, dict[str, Any]] = {
    "/breach/incidents/{reference}/breaches": {
        "organisation": "RBKC",
        "description": "x",
        "became_aware_at": "2025-11-24T09:00:00+00:00",
    },
    "/breach/breaches/{breach_id}": {"measures_taken": "changed"},
    "/breach/breaches/{breach_id}/scans": {"sources": [{"path": "/tmp"}]},
    "/breach/individuals/{individual_id}/notified": {"how": "letter"},
    "/breach/individuals/{individual_id}/do-not-contact": {"reason": "deceased"},
    "/breach/individuals/{individual_id}/merge": {"others": [1]},
    "/breach/individuals/{individual_id}/split": {"appearance_ids": [1], "full_name": "X"},
    "/breach/breaches/{breach_id}/reports": {"kind": "ico"},
    "/breach/reports/{report_id}/submit": {"external_reference": "X"},
    "/breach/scans/{scan_id}/discard": {"reason": "x"},
    "/breach/breaches/{breach_id}/letters": {"risks": ["high", "low"]},
    "/breach/breaches/{breach_id}/email-notices": {"risks": ["low"]},
    "/breach/email-notices/{notice_id}/deliveries/{delivery_id}/resolve": {"resend": True},
    "/breach/evidence-roots/consents": {"path": "/srv/shared", "organisation": "RBKC"},
    "/breach/evidence-roots/consents/withdraw": {"path": "/srv/shared", "organisation": "RBKC"},
}
# Lists of the caller's own organisations' evidence folders: never RBKC's, but not empty.
OWN_LISTS = {"/breach/evidence-roots"}


def _operations() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return [
        (method, path.removeprefix("/api"))
        for path, item in schema["paths"].items()
        if path.startswith("/api/breach/")
        for method in item
        if method in {"get", "post", "patch", "delete", "put"}
    ]


def _fill(path: str, world: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: world[m.group(1)], path)


def _call(client: Any, method: str, path: str, world: dict[str, str]) -> Any:
    url = _fill(path, world)
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    if path.endswith("/scans/upload"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.client.post("/api" + url, {"file": SimpleUploadedFile("a.zip", b"PK")})
    return getattr(client, method)(url, BODIES.get(path, {}))


def test_every_breach_route_is_covered() -> None:
    ops = _operations()
    assert len(ops) >= 30
    posts = {p for m, p in ops if m in {"post", "patch"} and "{" in p}
    assert posts - set(BODIES) <= {
        "/breach/breaches/{breach_id}/scans/upload",
        "/breach/individuals/{individual_id}/reset-contact",
        "/breach/scans/{scan_id}/cancel",
        "/breach/scans/{scan_id}/resume",
        "/breach/letters/{batch_id}/posted",
        "/breach/email-notices/{notice_id}/send",
        "/breach/breaches/{breach_id}/public-notice",
    }


@pytest.mark.parametrize("who", REFUSED)
def test_api_refuses_everyone_but_the_controllers_dpo_and_gold(
    who: str, request: pytest.FixtureRequest, world: dict[str, str], api: Callable[[User], ApiClient]
) -> None:
    client = api(request.getfixturevalue(who))
    before = Individual.objects.filter(contact_status="to_notify").count()
    for method, path in _operations():
        response = _call(client, method, path, world)
        body = response.content.decode(errors="replace")
        if path in OWN_LISTS and response.status_code == 200:
            assert "/rbkc" not in body and '"RBKC"' not in body, (who, path, body[:200])
        elif method == "get" and response.status_code == 200:
            # Only lists may answer, and they must be empty of RBKC's breach.
            assert body in ("[]",) or '"count": 0' in body or '"count":0' in body, (who, path, body[:200])
        else:
            assert response.status_code in (403, 404), (who, method, path, response.status_code, body[:200])
        for secret in SECRETS:
            assert secret not in body, (who, method, path, secret)
    assert Individual.objects.filter(contact_status="to_notify").count() == before


@pytest.mark.parametrize("who", ALLOWED)
def test_api_serves_the_controllers_dpo_and_gold(
    who: str, request: pytest.FixtureRequest, world: dict[str, str], api: Callable[[User], ApiClient]
) -> None:
    client = api(request.getfixturevalue(who))
    for method, path in _operations():
        if method != "get":
            continue
        response = client.get(_fill(path, world))
        close_response(response)  # file downloads stream from an open file
        assert response.status_code == 200, (who, path, response.status_code)
    people = client.get(f"/breach/breaches/{world['breach_id']}/individuals?category=health").json()
    assert [p["full_name"] for p in people["items"]] == ["Bashir Bello"]


def _pages() -> list[str]:
    return [str(p.pattern) for p in breach_urls.urlpatterns if isinstance(p, URLPattern)]


def _page(pattern: str, world: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: world[m.group(1)], pattern)


@pytest.mark.parametrize("who", REFUSED)
def test_pages_refuse_everyone_but_the_controllers_dpo_and_gold(
    who: str, request: pytest.FixtureRequest, world: dict[str, str], web: Callable[[User], Client]
) -> None:
    client = web(request.getfixturevalue(who))
    for pattern in _pages():
        url = _page(pattern, world)
        if url.startswith("/notices/"):
            continue  # the public notice is public by design
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            if url == "/breaches/" and method == "get":
                assert response.status_code == 200  # the list of what *you* handle
            elif url.endswith("/data-breach/") and method == "get":
                assert response.status_code in (200, 404)  # 404 when the incident itself is out of sight
            elif url.endswith("/data-breach/"):
                # WCC's DPO may record WCC's own breach: an empty form is a 422, anyone else a 403.
                allowed = (403, 404, 422) if who == "wcc_dpo" else (403, 404)
                assert response.status_code in allowed, (who, url, response.status_code)
            else:
                assert response.status_code in (403, 404, 405), (who, method, url, response.status_code)
            for secret in SECRETS:
                assert secret not in body, (who, method, url, secret)


@pytest.mark.parametrize("who", ALLOWED)
def test_pages_serve_the_controllers_dpo_and_gold(
    who: str, request: pytest.FixtureRequest, world: dict[str, str], web: Callable[[User], Client]
) -> None:
    client = web(request.getfixturevalue(who))
    for pattern in _pages():
        url = _page(pattern, world)
        response = client.get(url)
        close_response(response)
        if "edit/" in url or url.endswith(
            (
                "/scans/",
                "/reports/",
                "/letters/",
                "/emails/",
                "/public-notice/",
                "/cancel/",
                "/resume/",
                "/discard/",
                "/posted/",
                "/send/",
                "/submit/",
                "/notified/",
                "/telling/save/",
                "/telling/approve/",
                "/test/",
                "/confirm/",
            )
        ):
            assert response.status_code == 405, url
        elif re.search(r"/deliveries/\d+/$", url):
            assert response.status_code == 405, url
        else:
            assert response.status_code == 200, (url, response.status_code)
    assert "Alice Ashdown" in client.get(f"/breaches/{world['breach_id']}/individuals/").content.decode()


def test_pages_need_login(client: Client, world: dict[str, str]) -> None:
    for pattern in _pages():
        url = _page(pattern, world)
        if url.startswith("/notices/"):
            assert client.get(url).status_code == 200
            continue
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert "/login/" in response["Location"]


def test_another_controllers_dpo_sees_only_their_own_people_of_a_shared_archive(
    breach: Breach,
    rbkc_dpo: User,
    wcc_dpo: User,
    shared_root: Path,
    web: Callable[[User], Client],
    api: Callable[[User], ApiClient],
) -> None:
    from tests.helpers.breachhelp import import_people

    people = [dict(PEOPLE[0]), dict(PEOPLE[1])]
    roots = [str((shared_root / "rbkc").resolve()), str((shared_root / "wcc").resolve())]
    people[0]["source_roots"], people[1]["source_roots"] = roots
    import_people(breach, rbkc_dpo, shared_root, people, sources=[("rbkc", "RBKC"), ("wcc", "WCC")])
    bashir = Individual.objects.get(person_id="P0002")
    alice = Individual.objects.get(person_id="P0001")
    client = api(wcc_dpo)
    assert client.get(f"/breach/individuals/{bashir.pk}").status_code == 200
    assert client.get(f"/breach/individuals/{alice.pk}").status_code == 404
    assert client.get(f"/breach/breaches/{breach.pk}").status_code == 404
    page = web(wcc_dpo).get(f"/people/{bashir.pk}/")
    assert page.status_code == 200 and "Bashir Bello" in page.content.decode()
