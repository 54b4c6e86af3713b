"""The continuity board's forms: the next update time in the GOV.UK date input, and errors
shown on the board itself (422, an error summary linking to the field, the service's form
open with what was typed), not on a separate "There is a problem" page (issue 15, item 5)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidentroom.continuity import actions
from incidentroom.continuity.models import ContinuityPlan, ContinuityState
from incidentroom.estate.models import Service

UK = zoneinfo.ZoneInfo("Europe/London")


def _care() -> Service:
    return Service.objects.get(organisation__code="RBKC", code="adult-social-care")


def test_the_next_update_is_typed_in_date_boxes(rbkc_silver: User, web: Callable[[User], Client]) -> None:
    care = _care()
    plan = actions.save_plan(care, actor=rbkc_silver, rto_hours=4, mtpd_hours=24)
    board = web(rbkc_silver).get("/continuity/RBKC/").content.decode()
    assert f'id="next-{care.pk}-day" name="next_update_due-day"' in board and "datetime-local" not in board
    tomorrow = (timezone.now() + dt.timedelta(days=1)).astimezone(UK).date()
    response = web(rbkc_silver).post(
        f"/continuity/services/{care.pk}/update/",
        {
            "state": "workaround",
            "note": "Paper referrals",
            "next_update_due-day": str(tomorrow.day),
            "next_update_due-month": str(tomorrow.month),
            "next_update_due-year": str(tomorrow.year),
            "next_update_due-hour": "09",
            "next_update_due-minute": "00",
        },
    )
    assert response.status_code == 302, response.content[:500]
    plan.refresh_from_db()
    local = dt.datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=UK)
    assert plan.next_update_due == local.astimezone(dt.UTC)


def test_a_refused_update_comes_back_on_the_board_with_the_input_kept(
    rbkc_silver: User, web: Callable[[User], Client]
) -> None:
    care = _care()
    plan = actions.save_plan(care, actor=rbkc_silver, rto_hours=4, mtpd_hours=24)
    response = web(rbkc_silver).post(
        f"/continuity/services/{care.pk}/update/",
        {
            "state": "suspended",
            "note": "Phones down; visits by car",
            "workaround": "Duty social worker rings from a mobile",
            "next_update_due-day": "3",
            "next_update_due-month": "13",
            "next_update_due-year": "2026",
            "next_update_due-hour": "10",
            "next_update_due-minute": "00",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: Continuity board: RBKC" in body and "Go back" not in body
    assert (
        f'<a href="#next-{care.pk}-day">Adult social care: Next update due must be a real date.</a>' in body
    )
    assert f'id="service-form-{care.pk}" open' in body
    assert f'id="next-{care.pk}-error"' in body
    assert "Phones down; visits by car</textarea>" in body
    assert "Duty social worker rings from a mobile</textarea>" in body
    assert '<option value="suspended" selected>' in body
    assert (
        f'id="next-{care.pk}-month" name="next_update_due-month" type="text" inputmode="numeric" value="13"'
        in body
    )
    plan.refresh_from_db()
    assert plan.state != ContinuityState.SUSPENDED  # nothing was recorded

    # An action's own refusal (a blank note) links to that field.
    body = (
        web(rbkc_silver)
        .post(f"/continuity/services/{care.pk}/update/", {"state": "workaround", "note": ""})
        .content.decode()
    )
    assert (
        f'<a href="#note-{care.pk}">Adult social care: Say what has changed, even if it is &#x27;no change&#x27;.</a>'
        in body
    )
    assert f'id="note-{care.pk}-error"' in body


def test_a_refused_plan_comes_back_on_the_board_with_the_input_kept(
    rbkc_silver: User, web: Callable[[User], Client]
) -> None:
    care = _care()
    before = list(ContinuityPlan.objects.filter(service=care).values())
    response = web(rbkc_silver).post(
        f"/continuity/services/{care.pk}/plan/",
        {
            "rto_hours": "48",
            "mtpd_hours": "24",
            "update_interval_hours": "2",
            "minimum_service_level": "Safeguarding visits continue",
            "plan": "Paper case notes from the grab bag",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert f'<a href="#mtpd-{care.pk}">Adult social care: ' in body
    assert f'id="mtpd-{care.pk}-error"' in body and "govuk-form-group--error" in body
    assert f'id="rto-{care.pk}" name="rto_hours" type="text" inputmode="numeric" value="48"' in body
    assert (
        "Safeguarding visits continue</textarea>" in body
        and "Paper case notes from the grab bag</textarea>" in body
    )
    assert list(ContinuityPlan.objects.filter(service=care).values()) == before  # nothing saved
    # Not a whole number: named, on the board.
    body = (
        web(rbkc_silver)
        .post(f"/continuity/services/{care.pk}/plan/", {"rto_hours": "four", "mtpd_hours": "24"})
        .content.decode()
    )
    assert (
        f'<a href="#rto-{care.pk}">Adult social care: Recovery time objective must be a whole number of hours, for example 4.</a>'
        in body
    )


def test_a_refused_supplier_comes_back_on_the_board_with_what_was_typed(
    rbkc_silver: User, web: Callable[[User], Client]
) -> None:
    from incidentroom.continuity.models import Supplier

    client = web(rbkc_silver)
    fields = {
        "name": "Acme Couriers",
        "supplies": "",
        "phone": "020 7946 0000",
        "email": "dispatch@acme.example",
        "contract_reference": "C-2291",
    }
    response = client.post("/continuity/RBKC/suppliers/", fields)
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: Continuity board: RBKC" in body and "Go back" not in body
    assert '<a href="#sup-supplies">Say what the supplier provides (up to 300 characters).</a>' in body
    assert 'id="sup-supplies-error"' in body and 'id="suppliers-add" open' in body
    for value in ("Acme Couriers", "020 7946 0000", "dispatch@acme.example", "C-2291"):
        assert f'value="{value}"' in body
    bad_email = client.post(
        "/continuity/RBKC/suppliers/", {**fields, "supplies": "Vans", "email": "not an address"}
    )
    assert bad_email.status_code == 422
    assert '<a href="#sup-email">' in bad_email.content.decode()
    assert not Supplier.objects.filter(name="Acme Couriers").exists()


def test_a_supplier_for_another_council_is_still_refused_outright(
    rbkc_silver: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_silver).post("/continuity/WCC/suppliers/", {"name": "Acme", "supplies": "Vans"})
    assert response.status_code in (403, 404)
    assert "govuk-error-summary" not in response.content.decode()


def test_plan_and_update_refusals_name_the_field_in_words(
    rbkc_silver: User, lbhf_viewer: User, web: Callable[[User], Client]
) -> None:
    care = _care()
    actions.save_plan(care, actor=rbkc_silver, rto_hours=4, mtpd_hours=24)
    client = web(rbkc_silver)
    plan_url = f"/continuity/services/{care.pk}/plan/"
    body = client.post(plan_url, {"rto_hours": "4", "mtpd_hours": "0"}).content.decode()
    assert "Maximum tolerable period of disruption must be a whole number of hours from 1" in body
    body = client.post(
        plan_url, {"rto_hours": "4", "mtpd_hours": "24", "update_interval_hours": "x"}
    ).content.decode()
    assert "How often to report while disrupted must be a whole number of hours, for example 4." in body
    body = client.post(
        plan_url, {"rto_hours": "4", "mtpd_hours": "24", "owner": "nobody.here"}
    ).content.decode()
    assert "Choose an owner from the list." in body
    update = client.post(f"/continuity/services/{care.pk}/update/", {"state": "on fire", "note": "x"})
    assert update.status_code == 422
    assert "Choose the service&#x27;s state (Operating normally," in update.content.decode()
    for code_word in ("rto hours", "mtpd hours", "update interval hours", "No user called"):
        assert code_word not in body
    # Refusal: a viewer of another council cannot change the plan at all.
    assert web(lbhf_viewer).post(plan_url, {"rto_hours": "4", "mtpd_hours": "24"}).status_code in (403, 404)
