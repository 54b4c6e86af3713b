"""The publish form on the advisories page: the GOV.UK date input for the expiry (with the
single ISO value still accepted from scripts), and errors on the same page with an error
summary and the typed input kept (issue 15, item 5)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidentroom.advisories.models import Advisory

UK = zoneinfo.ZoneInfo("Europe/London")
# Three days ahead (an advisory lasts at most MAX_DAYS), as the council's calendar reads it.
SOON = (timezone.now() + dt.timedelta(days=3)).astimezone(UK).date()


def _post(title: str = "Phishing from a fake payroll address", **extra: str) -> dict[str, object]:
    return {
        "title": title,
        "body": "Do not open attachments from payroll-update@ addresses.",
        "severity": "critical",
        "organisations": ["RBKC"],
        "partner_domains": "westminster.gov.uk",
        **extra,
    }


def _boxes(day: str, month: str, year: str, hour: str, minute: str) -> dict[str, str]:
    return {
        "expires_at-day": day,
        "expires_at-month": month,
        "expires_at-year": year,
        "expires_at-hour": hour,
        "expires_at-minute": minute,
    }


def test_the_expiry_is_typed_in_day_month_year_boxes(rbkc_comms: User, web: Callable[[User], Client]) -> None:
    body = web(rbkc_comms).get("/advisories/").content.decode()
    assert "datetime-local" not in body
    for part in ("day", "month", "year", "hour", "minute"):
        assert f'name="expires_at-{part}"' in body
    # Pre-filled with a week from now, in UK time.
    week = (timezone.now() + dt.timedelta(days=7)).astimezone(UK)
    assert (
        f'id="adv-expires-year" name="expires_at-year" type="text" inputmode="numeric" value="{week.year}"'
        in body
    )


def test_the_boxes_are_read_as_uk_local_time(rbkc_comms: User, web: Callable[[User], Client]) -> None:
    boxes = _boxes(str(SOON.day), str(SOON.month), str(SOON.year), "10", "30")
    response = web(rbkc_comms).post("/advisories/new/", _post(**boxes))
    assert response.status_code == 302, response.content[:500]
    advisory = Advisory.objects.get(title="Phishing from a fake payroll address")
    # 10:30 on the wall clock in London (GMT or BST, whichever that day has).
    local = dt.datetime(SOON.year, SOON.month, SOON.day, 10, 30, tzinfo=UK)
    assert advisory.expires_at == local.astimezone(dt.UTC)
    assert advisory.expires_at.astimezone(UK).hour == 10


def test_one_iso_value_is_still_accepted(rbkc_comms: User, web: Callable[[User], Client]) -> None:
    response = web(rbkc_comms).post("/advisories/new/", _post(expires_at=f"{SOON.isoformat()}T17:00"))
    assert response.status_code == 302, response.content[:500]
    advisory = Advisory.objects.get(title="Phishing from a fake payroll address")
    local = dt.datetime(SOON.year, SOON.month, SOON.day, 17, 0, tzinfo=UK)
    assert advisory.expires_at == local.astimezone(dt.UTC)


def test_a_missing_year_is_shown_on_the_same_page_with_the_input_kept(
    rbkc_comms: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_comms).post("/advisories/new/", _post(**_boxes("15", "7", "", "10", "30")))
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: Staff advisories" in body
    assert 'class="govuk-error-summary"' in body
    assert '<a href="#adv-expires-day">In force until must include a year.</a>' in body
    assert "govuk-form-group--error" in body and 'id="adv-expires-error"' in body
    # What was typed comes back: the other fields, the boxes filled in, the choices made.
    assert 'value="Phishing from a fake payroll address"' in body
    assert "Do not open attachments from payroll-update@ addresses.</textarea>" in body
    assert '<option value="critical" selected>' in body
    assert 'id="adv-expires-day" name="expires_at-day" type="text" inputmode="numeric" value="15"' in body
    assert 'id="adv-expires-year" name="expires_at-year" type="text" inputmode="numeric" value=""' in body
    assert 'value="westminster.gov.uk"' in body
    assert "There is a problem</h2>" in body and "Go back" not in body
    assert not Advisory.objects.filter(title="Phishing from a fake payroll address").exists()


def test_an_action_refusal_links_to_its_field(rbkc_comms: User, web: Callable[[User], Client]) -> None:
    response = web(rbkc_comms).post(
        "/advisories/new/", _post(title="", **_boxes("15", "7", str(SOON.year), "10", "30"))
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert '<a href="#adv-title">Give the advisory a title of up to 200 characters.</a>' in body
    assert 'id="adv-title-error"' in body
    # The expiry boxes keep the typed time, not the default a week ahead.
    assert (
        f'id="adv-expires-year" name="expires_at-year" type="text" inputmode="numeric" value="{SOON.year}"'
        in body
    )
    assert (
        'id="adv-expires-minute" name="expires_at-minute" type="text" inputmode="numeric" value="30"' in body
    )
    # An organisation left unticked stays unticked.
    posted = _post(title="", expires_at=f"{SOON.isoformat()}T17:00")
    posted["organisations"] = []
    body = web(rbkc_comms).post("/advisories/new/", posted).content.decode()
    assert 'value="RBKC" checked' not in body


def test_another_councils_code_is_answered_beside_the_boxes(
    rbkc_comms: User, web: Callable[[User], Client]
) -> None:
    posted = _post(expires_at=f"{SOON.isoformat()}T17:00")
    posted["organisations"] = ["RBKC", "WCC"]
    response = web(rbkc_comms).post("/advisories/new/", posted)
    assert response.status_code == 404
    body = response.content.decode()
    assert "<title>Error: Staff advisories" in body
    assert '<a href="#adv-organisations">Choose organisations you belong to.</a>' in body
    assert 'value="Phishing from a fake payroll address"' in body
    assert not Advisory.objects.filter(title="Phishing from a fake payroll address").exists()


def test_an_expiry_out_of_range_names_the_field_in_words(
    rbkc_comms: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_comms).post("/advisories/new/", _post(expires_at="2150-01-01T10:00"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "expires_at" not in body.split('class="govuk-error-summary"')[1].split("</div>")[0]
    assert '<a href="#adv-expires-day">In force until must be between' in body
