"""Advisories: publish to chosen councils' staff, the sign-in gate, who has read it, reminders, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from incidentroom.advisories import actions
from incidentroom.advisories.controls import clean_domains, suggested_controls
from incidentroom.advisories.models import Acknowledgement, Advisory
from incidentroom.core.errors import Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from tests.helpers.clients import ApiClient

TITLE = "Do not click links from colleagues at RBKC or WCC"


def _publish(actor: Any, codes: list[str], **kw: Any) -> Advisory:
    return actions.publish_advisory(
        actor=actor,
        title=TITLE,
        body="Do not click links in Outlook or Teams messages from colleagues at RBKC or WCC until further notice.",
        severity="critical",
        expires_at=timezone.now() + dt.timedelta(days=3),
        organisations=Organisation.objects.filter(code__in=codes),
        **kw,
    )


def _staff(code: str) -> set[str]:
    return set(
        get_user_model().objects.filter(memberships__organisation__code=code).values_list("email", flat=True)
    )


def test_publish_emails_the_chosen_councils_staff(
    mail: Any, lbhf_comms: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        advisory = _publish(lbhf_comms, ["LBHF"], partner_domains="rbkc.gov.uk, westminster.gov.uk")
    sent_to = {rcpt for _, rcpts in mail.envelopes for rcpt in rcpts}
    # Everyone at LBHF but the author, who has read it (and is not held at the gate by it).
    assert sent_to == _staff("LBHF") - {"", lbhf_comms.email}
    assert advisory.acknowledgements.get().user == lbhf_comms
    assert all(TITLE in str(m["Subject"]) for m in mail.messages)
    assert advisory.partner_domains == ["rbkc.gov.uk", "westminster.gov.uk"]
    assert AuditEntry.objects.filter(action="advisory.publish", object_id=str(advisory.pk)).exists()


def test_publishing_needs_comms_or_gold_in_every_chosen_council(
    rbkc_comms: User, lbhf_viewer: User, lbhf_responder: User, outsider_gold: User
) -> None:
    for actor, codes in (
        (rbkc_comms, ["RBKC", "WCC"]),
        (lbhf_viewer, ["LBHF"]),
        (lbhf_responder, ["LBHF"]),
        (outsider_gold, ["RBKC"]),
    ):
        with pytest.raises(Forbidden):
            _publish(actor, codes)
    assert not Advisory.objects.exists()


def test_bad_input_is_named(rbkc_comms: User) -> None:
    rbkc = Organisation.objects.filter(code="RBKC")
    cases: list[tuple[dict[str, object], str]] = [
        ({"title": ""}, "title"),
        ({"expires_at": timezone.now() - dt.timedelta(hours=1)}, "expires_at"),
        ({"expires_at": dt.datetime(2030, 1, 1)}, "expires_at"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"partner_domains": "rbkc.gov.uk; $(Remove-Item C:)"}, "partner_domains"),
    ]
    for override, field in cases:
        kw: dict[str, Any] = {
            "actor": rbkc_comms,
            "title": TITLE,
            "body": "Body",
            "severity": "warning",
            "expires_at": timezone.now() + dt.timedelta(days=1),
            "organisations": rbkc,
        }
        kw.update(override)
        with pytest.raises(InvalidInput) as err:
            actions.publish_advisory(**kw)
        assert err.value.field == field


def test_suggested_controls_are_text_with_only_validated_domains() -> None:
    domains = clean_domains("RBKC.gov.uk, @westminster.gov.uk rbkc.gov.uk")
    assert domains == ["rbkc.gov.uk", "westminster.gov.uk"]
    text = suggested_controls(domains)
    assert '-SenderDomainIs "rbkc.gov.uk","westminster.gov.uk"' in text
    assert 'New-CsEdgeDomainPattern -Domain "westminster.gov.uk"' in text
    assert "never applies them" in text
    assert suggested_controls([]) == ""


def test_gate_at_sign_in_until_acknowledged(
    web: Callable[[User], Client], rbkc_comms: User, rbkc_dpo: User, lbhf_gold: User
) -> None:
    advisory = _publish(rbkc_comms, ["RBKC"])
    client = web(rbkc_dpo)
    response = client.get("/incidents/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/advisories/pending/?next=%2Fincidents%2F"
    )
    # The API, form posts and HTMX polls are not gated: nothing in flight is lost.
    assert client.get("/incidents/", headers={"HX-Request": "true"}).status_code == 200
    pending = client.get(response["Location"]).content.decode()
    assert TITLE in pending
    done = client.post(f"/advisories/{advisory.pk}/acknowledge/", {"next": "/incidents/"})
    assert done.status_code == 302
    assert client.get(done["Location"])["Location"] == "/incidents/"
    assert client.get("/incidents/").status_code == 200
    # Not addressed to LBHF: its Gold is not gated and cannot see it.
    other = web(lbhf_gold)
    assert other.get("/incidents/").status_code == 200
    assert other.get(f"/advisories/{advisory.pk}/").status_code == 404
    assert other.post(f"/advisories/{advisory.pk}/acknowledge/").status_code == 404


def test_gate_ignores_expired_and_withdrawn(
    web: Callable[[User], Client], rbkc_comms: User, rbkc_dpo: User
) -> None:
    advisory = _publish(rbkc_comms, ["RBKC"])
    Advisory.objects.filter(pk=advisory.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert web(rbkc_dpo).get("/incidents/").status_code == 200
    second = _publish(rbkc_comms, ["RBKC"])
    actions.withdraw_advisory(second, actor=rbkc_comms)
    assert web(rbkc_dpo).get("/incidents/").status_code == 200


def test_open_redirect_through_next_is_refused(
    web: Callable[[User], Client], rbkc_comms: User, rbkc_dpo: User
) -> None:
    advisory = _publish(rbkc_comms, ["RBKC"])
    client = web(rbkc_dpo)
    client.post(f"/advisories/{advisory.pk}/acknowledge/")
    assert client.get("/advisories/pending/?next=https://evil.example/")["Location"] == "/"


def test_who_has_read_it_reminders_and_csv(
    mail: Any,
    web: Callable[[User], Client],
    rbkc_comms: User,
    rbkc_dpo: User,
    rbkc_silver: User,
    wcc_comms: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    advisory = _publish(rbkc_comms, ["RBKC"])
    actions.acknowledge(advisory, actor=rbkc_dpo)
    page = web(rbkc_comms).get(f"/advisories/{advisory.pk}/").content.decode()
    staff = _staff("RBKC")
    # The author and the DPO.
    assert '<strong id="read-count">2</strong>' in page
    assert f'<strong id="unread-count">{len(staff) - 2}</strong>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = web(rbkc_comms).post(f"/advisories/{advisory.pk}/remind/")
    assert response.status_code == 302
    reminded = {r for _, rcpts in mail.envelopes for r in rcpts}
    assert reminded == staff - {rbkc_dpo.email, rbkc_comms.email, ""}
    assert all(str(m["Subject"]).startswith("Reminder: ") for m in mail.messages)
    exported = web(rbkc_silver).get(f"/advisories/{advisory.pk}/acknowledgements.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert {r["username"]: r["acknowledged"] for r in rows}[rbkc_dpo.username] == "yes"
    assert sum(r["acknowledged"] == "no" for r in rows) == len(staff) - 2
    # A DPO (not comms, Gold or Silver) sees the advisory but not the list.
    assert "read-count" not in web(rbkc_dpo).get(f"/advisories/{advisory.pk}/").content.decode()
    assert web(rbkc_dpo).get(f"/advisories/{advisory.pk}/acknowledgements.csv").status_code == 403
    assert web(rbkc_dpo).post(f"/advisories/{advisory.pk}/remind/").status_code == 403
    assert web(wcc_comms).get(f"/advisories/{advisory.pk}/acknowledgements.csv").status_code == 404


def test_csv_cells_cannot_run_as_formulas(
    web: Callable[[User], Client], rbkc_comms: User, rbkc_dpo: User
) -> None:
    user = rbkc_dpo
    user.first_name, user.last_name = '=HYPERLINK("http://evil")', ""
    user.save()
    advisory = _publish(rbkc_comms, ["RBKC"])
    body = web(rbkc_comms).get(f"/advisories/{advisory.pk}/acknowledgements.csv").content.decode()
    assert "'=HYPERLINK" in body


def test_api_acknowledge_and_scope(
    api: Callable[[User], ApiClient], rbkc_comms: User, rbkc_dpo: User, wcc_dpo: User, outsider_gold: User
) -> None:
    created = api(rbkc_comms).post(
        "/advisories",
        {
            "title": TITLE,
            "body": "Body",
            "severity": "warning",
            "expires_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
            "organisations": ["rbkc"],
            "partner_domains": ["westminster.gov.uk"],
        },
    )
    assert created.status_code == 201, created.content
    advisory_id = created.json()["id"]
    assert "westminster.gov.uk" in created.json()["suggested_controls"]
    assert [a["id"] for a in api(rbkc_dpo).get("/advisories?pending=true").json()] == [advisory_id]
    assert api(rbkc_dpo).post(f"/advisories/{advisory_id}/acknowledge").json()["acknowledged_by_me"] is True
    assert api(rbkc_dpo).get("/advisories?pending=true").json() == []
    assert Acknowledgement.objects.filter(advisory_id=advisory_id, user=rbkc_dpo).count() == 1
    assert api(rbkc_dpo).get(f"/advisories/{advisory_id}/acknowledgements").status_code == 403
    listing = api(rbkc_comms).get(f"/advisories/{advisory_id}/acknowledgements").json()
    assert {r["username"] for r in listing if r["acknowledged_at"]} == {
        rbkc_dpo.username,
        rbkc_comms.username,
    }
    for user in (wcc_dpo, outsider_gold):
        assert api(user).get(f"/advisories/{advisory_id}").status_code == 404
        assert api(user).post(f"/advisories/{advisory_id}/acknowledge").status_code == 404
        assert api(user).get("/advisories").json() == []
    naive = api(rbkc_comms).post(
        "/advisories",
        {"title": "t", "body": "b", "expires_at": "2030-01-01T00:00:00", "organisations": ["RBKC"]},
    )
    assert naive.status_code == 422
