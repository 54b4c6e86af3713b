"""The comms status page's forms show a refused input on the same page (the action's 4xx, an
error summary linking to the field, the typed input kept), not a separate "There is a
problem / Go back" page (issue 15, item 5)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.estate.models import Service
from incidentroom.status.models import ServiceStatus, StatusPage, StatusUpdate


def test_a_refused_status_keeps_the_choices_and_the_advice(
    rbkc_comms: User, web: Callable[[User], Client]
) -> None:
    service = Service.objects.filter(organisation__code="RBKC").order_by("pk").first()
    assert service is not None
    response = web(rbkc_comms).post(
        "/comms/status/services/",
        {"service": service.pk, "status": "on fire", "advice": "Ring 020 7361 3000 instead"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: Public status page" in body and "Go back" not in body
    assert '<a href="#set-status">Choose a status (Working, Disrupted, Unavailable, Restored).' in body
    assert 'id="set-status-error"' in body
    assert f'<option value="{service.pk}" selected>' in body
    assert "Ring 020 7361 3000 instead</textarea>" in body


def test_an_empty_update_is_named_on_the_same_page(rbkc_comms: User, web: Callable[[User], Client]) -> None:
    before = StatusUpdate.objects.count()
    response = web(rbkc_comms).post("/comms/status/updates/", {"organisation": "RBKC", "text": "   "})
    assert response.status_code == 422
    body = response.content.decode()
    assert '<a href="#upd-text">Enter the update.</a>' in body
    assert 'id="upd-text-error"' in body and "govuk-form-group--error" in body
    assert StatusUpdate.objects.count() == before


def test_an_overlong_statement_keeps_what_was_typed(rbkc_comms: User, web: Callable[[User], Client]) -> None:
    long = "We are dealing with a cyber incident. " * 200
    response = web(rbkc_comms).post("/comms/status/pages/RBKC/", {"headline": long, "help_text": "Call 999"})
    assert response.status_code == 422
    body = response.content.decode()
    assert '<a href="#headline-RBKC">The statement must be' in body
    assert 'id="headline-RBKC-error"' in body
    assert long.strip() in body and "Call 999</textarea>" in body
    page = StatusPage.objects.filter(organisation__code="RBKC").first()
    assert page is None or page.headline != long.strip()


def test_the_status_form_has_no_default_and_refuses_a_missing_choice(
    rbkc_comms: User, web: Callable[[User], Client]
) -> None:
    # An officer who forgets to choose must not publish "Working" for a service nobody checked.
    client = web(rbkc_comms)
    page = client.get("/comms/status/").content.decode()
    select = page.split('id="set-status"', 1)[1].split("</select>", 1)[0]
    assert select.index('<option value="">Choose a status</option>') < select.index('value="working"')
    assert " selected" not in select
    service = Service.objects.get(organisation__code="RBKC", code="libraries")
    response = client.post("/comms/status/services/", {"service": service.pk, "advice": "Call 020 7946 0124"})
    assert response.status_code == 422
    body = response.content.decode()
    assert '<a href="#set-status">Choose a status to publish.</a>' in body
    assert 'id="set-status-error"' in body and "Call 020 7946 0124</textarea>" in body
    assert not ServiceStatus.objects.filter(service=service).exists()
