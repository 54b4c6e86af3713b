"""The breach forms (record, edit the assessment) show errors on the same page: 422 (or the
action's 4xx), an error summary linking to the field, the message beside the field, and what
was typed kept; not the separate "There is a problem / Go back" page (issue 15, item 5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidentroom.breach.models import Breach
from incidentroom.incidents.models import Incident


def test_recording_with_a_missing_year_keeps_everything_typed(
    web: Callable[[User], Client], wcc_dpo: User, incident: Incident, media: Any
) -> None:
    response = web(wcc_dpo).post(
        f"/incidents/{incident.reference}/data-breach/",
        {
            "organisation": "WCC",
            "description": "The licensing archive was copied out.",
            "data_sets": "Licensing files",
            "became_aware_at-day": "24",
            "became_aware_at-month": "11",
            "became_aware_at-year": "",
            "became_aware_at-hour": "14",
            "became_aware_at-minute": "30",
            "people_categories": ["residents"],
            "confidentiality": "on",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: Record a breach" in body and "Go back" not in body
    assert '<a href="#id_became_aware_at-day">Became aware at must include a year.</a>' in body
    assert "The licensing archive was copied out.</textarea>" in body
    assert (
        'id="id_became_aware_at-day" name="became_aware_at-day" type="text" inputmode="numeric" value="24"'
        in body
    )
    assert 'value="residents" class="govuk-checkboxes__input" id="id_people_categories_0" checked' in body
    assert not Breach.objects.filter(organisation__code="WCC").exists()


def test_a_blank_description_is_named_beside_its_field(
    web: Callable[[User], Client], wcc_dpo: User, incident: Incident, media: Any
) -> None:
    aware = timezone.localtime(timezone.now() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = web(wcc_dpo).post(
        f"/incidents/{incident.reference}/data-breach/",
        {"organisation": "WCC", "description": "", "data_sets": "Housing register", "became_aware_at": aware},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert '<a href="#id_description">What happened: This field is required.</a>' in body
    assert 'id="id_description-error"' in body and "Housing register</textarea>" in body


def test_editing_the_assessment_with_an_error_reopens_it_on_the_breach_page(
    web: Callable[[User], Client], rbkc_dpo: User, breach: Breach
) -> None:
    before = breach.description
    response = web(rbkc_dpo).post(
        f"/breaches/{breach.pk}/edit/",
        {
            "description": "Updated account of what was taken.",
            "became_aware_at-day": "31",
            "became_aware_at-month": "2",
            "became_aware_at-year": str(timezone.now().year),
            "became_aware_at-hour": "09",
            "became_aware_at-minute": "00",
            "measures_proposed": "Credit monitoring.",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: Breach - RBKC" in body
    assert '<a href="#id_became_aware_at-day">Became aware at must be a real date.</a>' in body
    assert '<details class="govuk-details" id="assessment" open>' in body
    assert "Updated account of what was taken.</textarea>" in body and "Credit monitoring.</textarea>" in body
    breach.refresh_from_db()
    assert breach.description == before


def test_a_report_submitted_with_a_bad_time_comes_back_on_its_page(
    web: Callable[[User], Client], rbkc_dpo: User, breach: Breach
) -> None:
    from incidentroom.breach import actions

    report = actions.draft_report(breach, actor=rbkc_dpo, kind="ico")
    response = web(rbkc_dpo).post(
        f"/reports/{report.pk}/submit/",
        {
            "external_reference": "ICO-123456",
            "submitted_at-day": "12",
            "submitted_at-month": "",
            "submitted_at-year": str(timezone.now().year),
            "submitted_at-hour": "10",
            "submitted_at-minute": "00",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: " in body and "Go back" not in body
    assert '<a href="#id_submitted_at-day">Submitted at must include a month.</a>' in body
    assert 'value="ICO-123456"' in body
    report.refresh_from_db()
    assert report.submitted_at is None
