"""The GOV.UK date input's messages name the field once, in words, as GOV.UK's do ("In force
until must be a real date"), never "In force until: In force until must ..." nor a code name
such as ``expires_at`` (issue 15, item 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client

from incidentroom.core import times
from incidentroom.core.errors import InvalidInput, labelled
from incidentroom.incidents.forms import ActionForm
from incidentroom.incidents.models import Incident


def _boxes(
    name: str, day: str, month: str, year: str, hour: str = "10", minute: str = "30"
) -> dict[str, str]:
    return {
        f"{name}-day": day,
        f"{name}-month": month,
        f"{name}-year": year,
        f"{name}-hour": hour,
        f"{name}-minute": minute,
    }


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (("", "7", "2026"), "In force until must include a day."),
        (("15", "", ""), "In force until must include a month and year."),
        (("31", "2", "2026"), "In force until must be a real date."),
        (("3", "13", "2026"), "In force until must be a real date."),
        (("x", "7", "2026"), "In force until must be a real date."),
        (("15", "7", "99999999999999999999"), "In force until must be a real date."),
        (("15", "7", "-2026"), "In force until must be a real date."),
    ],
)
def test_the_boxes_say_what_is_wrong_naming_the_field_once(boxes: tuple[str, str, str], message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        times.joined_parts(_boxes("expires_at", *boxes), "expires_at", "In force until")
    assert err.value.message == message and err.value.field == "expires_at"


def test_a_time_out_of_range_is_a_real_time_problem() -> None:
    with pytest.raises(InvalidInput, match=r"^In force until must be a real time\.$"):
        times.joined_parts(
            _boxes("expires_at", "15", "7", "2026", "25", "00"), "expires_at", "In force until"
        )
    with pytest.raises(InvalidInput, match=r"^In force until must include a time"):
        times.joined_parts(_boxes("expires_at", "15", "7", "2026", "", ""), "expires_at", "In force until")


def test_without_a_label_the_field_name_reads_as_words() -> None:
    with pytest.raises(InvalidInput, match=r"^Next update due must include a year\.$"):
        times.joined_parts(_boxes("next_update_due", "1", "2", ""), "next_update_due")


def test_labelled_puts_the_label_in_place_of_a_code_name_once() -> None:
    rule = "expires_at must be between 1 January 1990 and 31 December 2099."
    assert labelled(rule, "In force until", "expires_at") == (
        "In force until must be between 1 January 1990 and 31 December 2099."
    )
    assert labelled("expires at cannot be in the future.", "In force until", "expires_at") == (
        "In force until cannot be in the future."
    )
    # Already named: kept; a message that names nothing: after the label, or as it is.
    assert labelled("In force until must include a year.", "In force until", "expires_at") == (
        "In force until must include a year."
    )
    assert labelled("This field is required.", "Title", "title") == "Title: This field is required."
    assert labelled("Give it a title.", "Title", "title", prefix=False) == "Give it a title."


def test_the_widget_shows_the_message_once_beside_the_boxes() -> None:
    html = Template(
        '{% load ir_forms %}{% datetime_input "expires_at" "In force until" id="adv-expires" error=message %}'
    ).render(Context({"message": "expires_at must be between 1 January 1990 and 31 December 2099."}))
    assert "In force until must be between 1 January 1990 and 31 December 2099." in html
    assert (
        "In force until: " not in html
        and "expires_at" not in html.split('id="adv-expires-error"')[1].split("</p>")[0]
    )


def test_a_django_form_field_names_itself_by_its_label() -> None:
    form = ActionForm(
        {"title": "Check the backups", **_boxes("due_at", "31", "2", "2026")}, org_choices=[("RBKC", "RBKC")]
    )
    assert not form.is_valid()
    assert form.errors["due_at"] == ["Due must be a real date."]
    form = ActionForm(
        {"title": "Check the backups", **_boxes("due_at", "1", "2", "1850")}, org_choices=[("RBKC", "RBKC")]
    )
    assert not form.is_valid()
    assert form.errors["due_at"] == ["Due must be between 1 January 1990 and 31 December 2099."]
    form = ActionForm({"title": "Check the backups", "due_at": "29/02/2026"}, org_choices=[("RBKC", "RBKC")])
    assert not form.is_valid()
    assert str(form.errors["due_at"][0]).startswith("Due must be a date and time like ")


def test_a_clock_change_message_names_the_field_once() -> None:
    form = ActionForm(
        {"title": "Check the backups", **_boxes("due_at", "29", "3", "2026", "01", "30")},
        org_choices=[("RBKC", "RBKC")],
    )
    assert not form.is_valid()
    (message,) = form.errors["due_at"]
    assert str(message).startswith(
        "Due must be a time that happened: 01:30 on 29 March 2026 does not exist in UK time"
    )


@pytest.mark.parametrize(
    ("url", "name", "label", "anchor"),
    [
        ("/advisories/new/", "expires_at", "In force until", "#adv-expires-day"),
    ],
)
def test_pages_show_each_date_message_once(
    rbkc_comms: User, web: Callable[[User], Client], url: str, name: str, label: str, anchor: str
) -> None:
    response = web(rbkc_comms).post(
        url,
        {
            "title": "Phishing",
            "body": "Do not click.",
            "severity": "warning",
            "organisations": ["RBKC"],
            **_boxes(name, "30", "2", "2026"),
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert f'<a href="{anchor}">{label} must be a real date.</a>' in body
    assert f"</span> {label} must be a real date." in body  # beside the boxes
    assert f"{label}: {label}" not in body and f"{label}: " not in body


def test_the_incident_pages_date_fields_read_the_same_way(
    rbkc_gold: User, web: Callable[[User], Client], incident: Incident
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/actions/",
        {"organisation": "RBKC", "title": "Check the backups", **_boxes("due_at", "31", "2", "2026")},
    )
    assert response.status_code == 422, response.status_code
    body = response.content.decode()
    assert '<a href="#id_due_at-day">Due must be a real date.</a>' in body
    assert "Due: Due" not in body and "Due: must" not in body


def test_an_awareness_time_in_the_future_reads_in_words(
    rbkc_gold: User, web: Callable[[User], Client], incident: Incident
) -> None:
    from django.utils import timezone

    next_year = str(timezone.now().year + 1)
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/awareness/",
        {"organisation": "RBKC", **_boxes("became_aware_at", "1", "6", next_year)},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert '<a href="#became-aware-RBKC-day">RBKC: Became aware at cannot be in the future.</a>' in body
    assert "</span> Became aware at cannot be in the future." in body
    assert "became_aware_at" not in body.split('id="error-summary"')[1].split("</div>")[0]
    missing = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/awareness/",
        {"organisation": "RBKC", **_boxes("became_aware_at", "1", "", next_year)},
    )
    assert missing.status_code == 422
    assert "RBKC: Became aware at must include a month.</a>" in missing.content.decode()
