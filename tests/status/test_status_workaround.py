"""A workaround reaches the public page only in the words comms publish for residents; the
continuity board's internal text never does."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from incidentroom.estate.models import Service
from incidentroom.status.models import ServiceStatus

INTERNAL = "Paper referral forms at Kensington Town Hall"
PUBLIC = "Call the duty team on 020 7946 0124; referrals are taken on paper."


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _adult_social_care() -> Service:
    return Service.objects.get(organisation__code="RBKC", code="adult-social-care")


def test_the_public_page_shows_only_the_workaround_comms_published(
    rbkc_comms: User,
    web: Callable[[Any], Client],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    service = _adult_social_care()
    comms = web(rbkc_comms)
    # Comms see the internal workaround beside the published status, marked as internal.
    with django_capture_on_commit_callbacks(execute=True):
        comms.post("/comms/status/services/", {"service": service.pk, "status": "unavailable", "advice": ""})
    manage = _text(comms.get("/comms/status/"))
    assert f"Continuity board (internal, not public): workaround in place: {INTERNAL}" in manage
    assert "Residents are not told of a workaround" in manage
    page = _text(Client().get("/status/rbkc/"))
    # The demo's other services carry the workarounds comms published; this row has none now.
    row = page.split("Adult social care", 1)[1].split("</tr>", 1)[0]
    assert INTERNAL not in page and "workaround in place" not in row
    # Published in words for residents: shown as "Unavailable — workaround in place: ...".
    with django_capture_on_commit_callbacks(execute=True):
        response = comms.post(
            "/comms/status/services/",
            {"service": service.pk, "status": "unavailable", "advice": "", "workaround": PUBLIC},
        )
    assert response.status_code == 302
    page = _text(Client().get("/status/rbkc/"))
    assert f"Unavailable</strong> — workaround in place: {PUBLIC}" in page and INTERNAL not in page
    assert PUBLIC in Client().get("/status/rbkc/status.json").content.decode()
    assert INTERNAL not in Client().get("/status/status.json").content.decode()


def test_a_workaround_for_a_working_service_is_refused_naming_the_field(
    rbkc_comms: User, web: Callable[[Any], Client]
) -> None:
    service = _adult_social_care()
    response = web(rbkc_comms).post(
        "/comms/status/services/",
        {"service": service.pk, "status": "working", "advice": "", "workaround": PUBLIC},
    )
    assert response.status_code == 422
    body = _text(response)
    assert "A workaround can only be published for a disrupted or unavailable service" in body
    assert 'href="#set-workaround"' in body and PUBLIC in body  # the typed words are kept
    assert not ServiceStatus.objects.filter(service=service, workaround=PUBLIC).exists()


def test_another_council_cannot_publish_a_workaround_for_rbkc(
    wcc_comms: User, web: Callable[[Any], Client]
) -> None:
    service = _adult_social_care()
    response = web(wcc_comms).post(
        "/comms/status/services/",
        {"service": service.pk, "status": "unavailable", "advice": "", "workaround": PUBLIC},
    )
    assert response.status_code == 404
    assert not ServiceStatus.objects.filter(service=service, workaround=PUBLIC).exists()


def test_back_to_working_drops_the_workaround(
    rbkc_comms: User,
    web: Callable[[Any], Client],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    service = _adult_social_care()
    comms = web(rbkc_comms)
    with django_capture_on_commit_callbacks(execute=True):
        comms.post(
            "/comms/status/services/", {"service": service.pk, "status": "unavailable", "workaround": PUBLIC}
        )
        comms.post("/comms/status/services/", {"service": service.pk, "status": "restored"})
    assert ServiceStatus.objects.get(service=service).workaround == ""
    # The dated update that told residents stays in the history; the service row no longer says it.
    page = _text(Client().get("/status/rbkc/"))
    assert PUBLIC not in page[: page.index("Latest updates")]
