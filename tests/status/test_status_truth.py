"""The public page never says a service works when nobody knows, and leads with what each
council has confirmed; comms decide one root cause across many services at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from incidentroom.core.models import Organisation
from incidentroom.estate.models import Service, System
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import Incident, SystemState
from incidentroom.status import actions, site
from incidentroom.status.models import (
    ProposalState,
    PublicStatus,
    ServiceStatus,
    StatusProposal,
    StatusUpdate,
)


def _rows(html: str) -> dict[str, str]:
    """Service name -> status label, from the services tables of a public page."""
    found = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td class="govuk-table__cell">'
        r'<strong class="sp-status sp-status--[a-z]+">([^<]+)</strong>',
        html,
    )
    return {name.replace("&#x27;", "'"): label for name, label in found}


def test_the_demo_leads_with_each_councils_confirmed_statement(db: None) -> None:
    public = Client()
    group = public.get("/status/").content.decode()
    assert "no service disruptions" not in group.lower()
    for name in ("Kensington and Chelsea", "Westminster", "Hammersmith and Fulham"):
        assert name in group
    assert group.count("We are dealing with a cyber incident") == 3
    assert group.count("Last confirmed") == 3
    # The emergency numbers, My Account suspended, and the weekend in-person centre.
    for text in ("020 7946 0123", "020 7946 0456", "020 7946 0789", "My Account is suspended"):
        assert text in group
    rbkc = public.get("/status/rbkc/").content.decode()
    assert "Kensington Town Hall" in rbkc and "10am to 4pm" in rbkc


def test_each_councils_public_page_gives_only_its_own_numbers_and_buildings(db: None) -> None:
    # Each council's emergency numbers (from its continuity plan) and its own town hall.
    own = {
        "rbkc": {"020 7946 0123", "020 7946 0124", "Kensington Town Hall"},
        "wcc": {"020 7946 0456", "020 7946 0457", "City Hall"},
        "lbhf": {"020 7946 0789", "020 7946 0790", "Hammersmith Town Hall"},
    }
    for code, mine in own.items():
        page = Client().get(f"/status/{code}/").content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        assert any(text in main for text in mine), code
        for other, theirs in own.items():
            if other != code:
                for text in theirs:
                    assert text not in main, (code, text)


def test_no_service_is_shown_working_unless_someone_confirmed_it(db: None) -> None:
    rbkc = Client().get("/status/rbkc/").content.decode()
    rows = _rows(rbkc)
    assert rows["Contact centre telephone lines"] == "Unavailable"
    # Confirmed by comms as open at the weekend.
    assert rows["Customer Service Centre (Kensington Town Hall)"] == "Working"
    confirmed = set(
        ServiceStatus.objects.filter(service__organisation__code="RBKC").values_list(
            "service__name", flat=True
        )
    )
    for name, label in rows.items():
        if name not in confirmed:
            assert label == "Not yet confirmed", name
    assert rows["Online payments"] == "Not yet confirmed"
    assert "Not yet confirmed" in rbkc and "Do not assume they are working" in rbkc


def test_internal_services_are_never_public(db: None, rbkc_comms: User, published: Path) -> None:
    payroll = Service.objects.get(organisation__code="RBKC", code="staff-payroll")
    assert payroll.public is False
    actions.set_service_status(payroll, actor=rbkc_comms, status=PublicStatus.UNAVAILABLE, advice="Paid late")
    site.publish()
    everything = "".join(
        p.read_text(encoding="utf-8") for p in published.rglob("*") if p.suffix in (".html", ".json", ".atom")
    )
    for name in ("Staff payroll", "Supplier payments", "Staff email and Teams"):
        assert name not in _rows(everything) and f'"name": "{name}"' not in everything


def test_a_compromised_payment_gateway_is_proposed_never_published_as_working(
    incident: Incident,
    shared_responder: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    payments = System.objects.get(code="shared-payments")
    with django_capture_on_commit_callbacks(execute=True):
        incident_actions.set_system_state(
            incident, actor=shared_responder, system=payments, state=SystemState.COMPROMISED
        )
    online = Service.objects.get(organisation__code="RBKC", code="online-payments")
    assert StatusProposal.objects.pending().filter(service=online).exists()
    assert _rows(Client().get("/status/rbkc/").content.decode())["Online payments"] == "Not yet confirmed"


def test_the_public_pages_do_no_database_work_per_request(
    db: None, django_assert_num_queries: DjangoAssertNumQueries, published: Path
) -> None:
    site.publish()
    public = Client()
    with django_assert_num_queries(0):
        for path in ("/status/", "/status/rbkc/", "/status/wcc/feed.atom", "/status/lbhf/status.json"):
            response = public.get(path)
            assert response.status_code == 200, path
            assert response["Cache-Control"] == "public, max-age=30"
            # Served ahead of the CSP middleware, yet under the same policy as every page.
            assert "default-src 'self'" in response["Content-Security-Policy"], path
            assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
    # A page that was never published is a 404, and asking for it renders nothing.
    with django_assert_num_queries(0):
        assert public.get("/status/ealing/").status_code == 404
        assert public.get("/status/nope/feed.atom").status_code == 404


def _telephony_group(user: Any) -> list[StatusProposal]:
    return list(
        StatusProposal.objects.for_user(user)
        .pending()
        .filter(system__code="shared-telephony")
        .select_related("service__organisation")
    )


def test_one_decision_confirms_a_root_cause_and_posts_one_update_per_council(
    before_comms: None,
    rbkc_comms: User,
    web: Callable[[User], Client],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    group = _telephony_group(rbkc_comms)
    assert len(group) >= 4 and {p.service.organisation.code for p in group} == {"RBKC"}
    page = web(rbkc_comms).get("/comms/status/").content.decode()
    assert (
        "Contact-centre telephony platform: proposed disrupted" in page
        and "Confirm and publish the ticked services" in page
    )
    updates_before = StatusUpdate.objects.filter(organisation__code="RBKC").count()
    with django_capture_on_commit_callbacks(execute=True):
        response = web(rbkc_comms).post(
            "/comms/status/proposals/bulk/",
            {
                "proposal": [str(p.pk) for p in group],
                "decision": "confirm",
                "status": "disrupted",
                "advice": "Phone lines are down. In an emergency call 020 7946 0123.",
            },
        )
    assert response.status_code == 302
    assert all(StatusProposal.objects.get(pk=p.pk).state == ProposalState.CONFIRMED for p in group)
    assert StatusUpdate.objects.filter(organisation__code="RBKC").count() == updates_before + 1
    rows = _rows(Client().get("/status/rbkc/").content.decode())
    for p in group:
        assert rows[p.service.name] == "Disrupted"


def test_a_batch_with_another_councils_service_is_refused_whole(
    before_comms: None, rbkc_comms: User, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    mine = _telephony_group(rbkc_comms)
    theirs = StatusProposal.objects.pending().filter(
        system__code="shared-telephony", service__organisation__code="WCC"
    )
    ids = [str(p.pk) for p in mine] + [str(theirs.first().pk)]  # type: ignore[union-attr]
    response = web(rbkc_comms).post(
        "/comms/status/proposals/bulk/", {"proposal": ids, "decision": "confirm", "status": "disrupted"}
    )
    assert response.status_code == 404  # another council's proposal is not even visible
    assert not ServiceStatus.objects.filter(
        service__organisation__code="RBKC", service__code="libraries"
    ).exists()
    assert all(StatusProposal.objects.get(pk=p.pk).state == ProposalState.PENDING for p in mine)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"decision": "confirm", "status": "disrupted"}, "Tick at least one service"),
        ({"proposal": ["abc"], "decision": "confirm", "status": "disrupted"}, "Tick at least one service"),
        ({"proposal": ["9" * 40], "decision": "confirm", "status": "disrupted"}, "Tick at least one service"),
        ({"decision": "maybe"}, "Choose confirm or reject"),
        ({"decision": "confirm", "status": "on fire"}, "Choose a status"),
    ],
)
def test_bad_bulk_input_is_refused_with_the_field_named(
    before_comms: None, rbkc_comms: User, web: Callable[[User], Client], form: dict[str, Any], message: str
) -> None:
    group = _telephony_group(rbkc_comms)
    if "proposal" not in form and not message.startswith("Tick"):
        form = {**form, "proposal": [str(group[0].pk)]}
    response = web(rbkc_comms).post("/comms/status/proposals/bulk/", form)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert all(StatusProposal.objects.get(pk=p.pk).state == ProposalState.PENDING for p in group)


def test_viewers_and_responders_cannot_decide_in_bulk(
    before_comms: None, lbhf_viewer: User, lbhf_responder: User, web: Callable[[User], Client]
) -> None:
    group = _telephony_group(lbhf_viewer)
    assert group
    for user in (lbhf_viewer, lbhf_responder):
        response = web(user).post(
            "/comms/status/proposals/bulk/",
            {"proposal": [str(p.pk) for p in group], "decision": "confirm", "status": "disrupted"},
        )
        assert response.status_code == 403
    assert web(lbhf_viewer).post("/comms/status/proposals/bulk/", {}).status_code in (403, 422)
    assert all(StatusProposal.objects.get(pk=p.pk).state == ProposalState.PENDING for p in group)


def test_scenario_refuses_a_status_for_a_service_the_council_does_not_have() -> None:
    from incidentroom.core.errors import InvalidInput
    from incidentroom.scenario import parse

    text = (Path(__file__).resolve().parents[2] / "scenarios" / "west_london.yaml").read_text(
        encoding="utf-8"
    )
    broken = text.replace("{service: customer-service-centre,", "{service: no-such-service,")
    with pytest.raises(InvalidInput) as raised:
        parse(broken, source="x.yaml")
    assert "status_pages.0.services.1.service" in str(raised.value)
    assert "no-such-service" in str(raised.value)
    assert Organisation.objects.none().count() == 0


def _wsgi_get(app: Any, path: str) -> tuple[str, dict[str, str], bytes]:
    import io

    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # The real WSGI handler closes the database connection as a request starts and ends; inside the
    # test's transaction that would close PostgreSQL's connection under the test (Django's
    # own test client disconnects the same handler for the same reason).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = app(environ, start_response)
        body = b"".join(response)
        if hasattr(response, "close"):
            response.close()  # a Django response sends request_finished here
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"], body


def test_the_wsgi_front_replays_djangos_answer_until_the_file_changes(
    db: None,
    published: Path,
    rbkc_comms: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from django.core.wsgi import get_wsgi_application

    from incidentroom.status.wsgi import PublishedStatusApp

    site.publish()
    app = PublishedStatusApp(get_wsgi_application())
    first = _wsgi_get(app, "/status/rbkc/")
    assert first[0].startswith("200") and first[1]["X-Content-Type-Options"] == "nosniff"
    with django_assert_num_queries(0):
        again = _wsgi_get(app, "/status/rbkc/")
    assert again == first
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_service_status(
            Service.objects.get(organisation__code="RBKC", code="libraries"),
            actor=rbkc_comms,
            status=PublicStatus.DISRUPTED,
            advice="Libraries open with paper loans only.",
        )
    changed = _wsgi_get(app, "/status/rbkc/")
    assert b"paper loans only" in changed[2] and b"paper loans only" not in first[2]
    # Forms, unknown pages and staff pages always reach Django.
    assert _wsgi_get(app, "/status/ealing/")[0].startswith("404")
    assert _wsgi_get(app, "/comms/status/")[0].startswith("302")


def test_recent_decisions_show_the_confirmations_in_the_table_above(
    rbkc_comms: User, web: Callable[[Any], Client]
) -> None:
    page = web(rbkc_comms).get("/comms/status/").content.decode()
    recent = page[page.index("Recent decisions") :]
    recent = recent[: recent.index("</ul>")]
    assert "None yet" not in recent
    assert (
        "Contact centre telephone lines (RBKC) confirmed as unavailable by Lucy Fenwick (Communications officer, RBKC)"
        in recent
    )
    assert "(WCC)" not in recent and "(LBHF)" not in recent


def test_last_confirmed_is_never_older_than_a_row_below_it(
    db: None, rbkc_comms: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_service_status(
            Service.objects.get(organisation__code="RBKC", code="libraries"),
            actor=rbkc_comms,
            status="disrupted",
            advice="Libraries are open but cannot lend books.",
        )
    for view in site.organisations():
        rows = [s.changed_at for s in view.services if s.changed_at]
        assert view.confirmed_at is not None and rows, view.code
        assert view.confirmed_at >= max(rows), view.code


def test_unticking_every_service_comes_back_on_the_page(
    before_comms: None, rbkc_comms: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_comms).post(
        "/comms/status/proposals/bulk/", {"decision": "confirm", "status": "disrupted"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: " in body and "Go back" not in body
    assert '<a href="#proposals">Tick at least one service to confirm or reject.</a>' in body
    assert 'id="proposals"' in body


def test_the_public_pages_use_words_a_resident_knows_and_the_feeds_still_work(db: None) -> None:
    public = Client()
    for path in ("/status/", "/status/rbkc/", "/status/accessibility/"):
        page = public.get(path).content.decode()
        links = re.findall(r"<a [^>]*>(.*?)</a>", page, flags=re.S)
        # No link is bare jargon: "Atom" and "JSON" only ever come with plain words.
        assert not [t for t in links if re.fullmatch(r"[^a-z]*(Atom|JSON)[^a-z]*", t.strip())], path
        assert "JSON" not in re.sub(r"<[^>]+>", " ", page), path
        assert "Get updates in a news reader (Atom feed)" in page, path
        assert "Machine-readable version for developers" in page, path
    feed = public.get("/status/feed.atom")
    assert feed.status_code == 200 and b"<feed" in feed.content
    data = public.get("/status/status.json")
    assert data.status_code == 200 and b'"organisations"' in data.content
