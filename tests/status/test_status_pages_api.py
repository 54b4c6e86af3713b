"""Public pages need no sign-in; the comms page and API are scoped and role-checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from incidentroom.core.models import Organisation
from incidentroom.status import actions
from incidentroom.status.models import ProposalState, PublicStatus, ServiceStatus, StatusProposal
from tests.helpers.clients import ApiClient


def test_public_pages_need_no_login_and_show_only_confirmed(
    phone_proposal: Any, rbkc_comms: User, lbhf_comms: User
) -> None:
    actions.confirm_proposal(
        phone_proposal("RBKC"),
        actor=rbkc_comms,
        status=PublicStatus.UNAVAILABLE,
        advice="In an emergency call 020 7946 0123.",
    )
    actions.configure_page(Organisation.objects.get(code="LBHF"), actor=lbhf_comms, headline="", help_text="")
    public = Client()
    group = public.get("/status/")
    assert group.status_code == 200 and group["Cache-Control"] == "public, max-age=30"
    html = group.content.decode()
    assert "020 7946 0123" in html and "Depends on" not in html
    lbhf = public.get("/status/lbhf/").content.decode()
    # LBHF's phone proposal is still pending: its page says nobody has confirmed the lines,
    # never that they work.
    assert "Contact centre telephone lines" in lbhf and "Unavailable" not in lbhf
    assert "Not yet confirmed" in lbhf and ">Working<" not in lbhf
    assert public.get("/status/rbkc/feed.atom")["Content-Type"].startswith("application/atom+xml")
    assert public.get("/status/rbkc/status.json").json()["organisations"][0]["code"] == "RBKC"
    assert public.get("/status/wcc/").status_code == 404  # no confirmed content, no page
    assert public.get("/status/accessibility/").status_code == 200
    assert public.get("/status/assets/status.css").status_code == 200
    assert public.get("/status/assets/settings.py").status_code == 404


def test_comms_page_confirms_and_is_scoped(
    phone_proposal: Any, web: Callable[[User], Client], rbkc_comms: User, outsider_gold: User
) -> None:
    rbkc, wcc = phone_proposal("RBKC"), phone_proposal("WCC")
    page = web(rbkc_comms).get("/comms/status/").content.decode()
    assert f'id="proposal-{rbkc.pk}"' in page and f'id="proposal-{wcc.pk}"' not in page
    response = web(rbkc_comms).post(
        f"/comms/status/proposals/{rbkc.pk}/",
        {"decision": "confirm", "status": "unavailable", "advice": "Call 020 7946 0123", "update_text": ""},
    )
    assert response.status_code == 302
    assert ServiceStatus.objects.get(service=rbkc.service).status == "unavailable"
    # Another council's proposal, and any proposal for an outsider: not found, not confirmed.
    assert (
        web(rbkc_comms).post(f"/comms/status/proposals/{wcc.pk}/", {"decision": "confirm"}).status_code == 404
    )
    outsider = web(outsider_gold).get("/comms/status/").content.decode()
    assert "Contact centre telephone lines (RBKC)" not in outsider and "Kensington" not in outsider
    assert StatusProposal.objects.get(pk=wcc.pk).state == ProposalState.PENDING


def test_roles_without_publishing_power_are_refused_on_pages(
    phone_proposal: Any, web: Callable[[User], Client], lbhf_viewer: User, lbhf_responder: User
) -> None:
    proposal = phone_proposal("LBHF")
    for user in (lbhf_viewer, lbhf_responder):
        client = web(user)
        assert (
            "A communications officer or Gold at LBHF decides"
            in client.get("/comms/status/").content.decode()
        )
        assert (
            client.post(f"/comms/status/proposals/{proposal.pk}/", {"decision": "confirm"}).status_code == 403
        )
        service = proposal.service
        assert (
            client.post(
                "/comms/status/services/", {"service": service.pk, "status": "unavailable"}
            ).status_code
            == 403
        )
        assert client.post("/comms/status/updates/", {"organisation": "LBHF", "text": "x"}).status_code == 403
        assert client.post("/comms/status/pages/LBHF/", {"headline": "x"}).status_code == 403
        assert client.post("/comms/status/republish/").status_code == 403
    assert not ServiceStatus.objects.exists()


def test_api_scoped_and_role_checked(
    phone_proposal: Any,
    api: Callable[[User], ApiClient],
    wcc_comms: User,
    lbhf_viewer: User,
    outsider_gold: User,
) -> None:
    wcc, lbhf = phone_proposal("WCC"), phone_proposal("LBHF")
    listed = api(wcc_comms).get("/status/proposals").json()
    assert {p["organisation"] for p in listed} == {"WCC"}
    assert api(outsider_gold).get("/status/proposals").json() == []
    assert api(wcc_comms).post(f"/status/proposals/{lbhf.pk}/confirm", {}).status_code == 404
    assert api(lbhf_viewer).post(f"/status/proposals/{lbhf.pk}/confirm", {}).status_code == 403
    response = api(wcc_comms).post(
        f"/status/proposals/{wcc.pk}/confirm", {"status": "unavailable", "advice": "Call 020 7946 0456"}
    )
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    bad = api(wcc_comms).post(f"/status/proposals/{wcc.pk}/reject", {})
    assert bad.status_code == 409 and bad.json()["code"] == "conflict"
    wrong = api(wcc_comms).put(f"/status/services/{wcc.service_id}", {"status": "on fire"})
    assert wrong.status_code == 422
    statuses = {s["service_id"]: s for s in api(wcc_comms).get("/status/services").json()}
    assert statuses[wcc.service_id]["status"] == "unavailable" and lbhf.service_id not in statuses
    created = api(wcc_comms).post("/status/updates", {"organisation": "wcc", "text": "Phones down"})
    assert created.status_code == 201
    assert api(lbhf_viewer).get("/status/updates").json() == []
    assert api(outsider_gold).post("/status/updates", {"organisation": "WCC", "text": "x"}).status_code == 404


def test_the_apps_page_changes_as_soon_as_a_status_is_confirmed(
    phone_proposal: Any, rbkc_comms: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    with django_capture_on_commit_callbacks(execute=True):
        actions.configure_page(rbkc, actor=rbkc_comms, headline="", help_text="")
    public = Client()
    before = public.get("/status/rbkc/").content.decode()
    assert public.get("/status/rbkc/").content.decode() == before  # reused while nothing changed
    assert "020 7946 0123" not in before
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_proposal(
            phone_proposal("RBKC"),
            actor=rbkc_comms,
            status=PublicStatus.UNAVAILABLE,
            advice="In an emergency call 020 7946 0123.",
        )
    assert "020 7946 0123" in public.get("/status/rbkc/").content.decode()
    assert "020 7946 0123" in public.get("/status/rbkc/feed.atom").content.decode()
