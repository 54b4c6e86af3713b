"""The council's own details (letterhead, signatory, sender address, DPO contact): read by its
members, changed by its Gold or DPO on the page or through the API, audited, refused whole
when one field is wrong, and never visible to or changeable by another council."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape

from incidentroom.breach.letters import signoff
from incidentroom.core.models import AuditEntry, Organisation
from tests.helpers.clients import ApiClient
from tests.helpers.personas import PersonaFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "postal_address": "The Town Hall\r\nHornton Street\r\n\r\nLondon W8 7NX",
    "main_phone": "020 7361 3000",
    "resident_helpline": "0800 028 2222",
    "website": "www.rbkc.gov.uk",
    "signatory_name": "Ana O’Neill-Smith",
    "signatory_title": "Director of Law",
    "notices_from_email": "Incident.Notices@RBKC.example.gov.uk",
    "dpo_name": "Priya Raman",
    "dpo_email": "dpo@rbkc.example.gov.uk",
    "dpo_phone": "020 7361 0001",
    "ico_registration": "za 123456",
}


def rbkc() -> Organisation:
    return Organisation.objects.get(code="RBKC")


def test_gold_saves_the_details_and_letters_use_them(web: Callable[[Any], Client], rbkc_gold: User) -> None:
    page = web(rbkc_gold).get("/organisations/rbkc/")
    assert page.status_code == 200
    assert b'id="details-form"' in page.content
    done = web(rbkc_gold).post("/organisations/RBKC/", GOOD)
    assert done.status_code == 302
    org = rbkc()
    # Stored as letters need them: the address's blank line dropped, the email canonical,
    # the ICO number in its register form; curly apostrophes and hyphens kept.
    assert org.postal_address == "The Town Hall\nHornton Street\nLondon W8 7NX"
    assert org.notices_from_email == "incident.notices@rbkc.example.gov.uk"
    assert org.ico_registration == "ZA123456"
    assert signoff(org)[2:4] == ["Ana O’Neill-Smith", "Director of Law"]
    entry = AuditEntry.objects.filter(action="organisation.details", object_id=str(org.pk)).latest("at")
    assert entry.actor_id == rbkc_gold.pk
    assert entry.before is not None and entry.after is not None
    assert entry.after["signatory_name"] == "Ana O’Neill-Smith"
    assert entry.before["signatory_name"] == "Priya Raman"
    # Only what moved is recorded, and saving the same again records nothing.
    assert "dpo_name" not in entry.after
    count = AuditEntry.objects.filter(action="organisation.details").count()
    assert web(rbkc_gold).post("/organisations/RBKC/", GOOD).status_code == 302
    assert AuditEntry.objects.filter(action="organisation.details").count() == count


def test_dpo_changes_one_field_through_the_api(api: Callable[[Any], ApiClient], rbkc_dpo: User) -> None:
    before = rbkc()
    response = api(rbkc_dpo).patch("/organisations/rbkc", {"resident_helpline": "0800 028 1111"})
    assert response.status_code == 200, response.content
    assert response.json()["resident_helpline"] == "0800 028 1111"
    after = rbkc()
    assert after.resident_helpline == "0800 028 1111"
    assert after.signatory_name == before.signatory_name  # a field left out stays as it is


@pytest.mark.parametrize("role", ["viewer", "comms", "silver", "responder"])
def test_other_roles_read_but_cannot_change(
    role: str, persona: PersonaFactory, web: Callable[[Any], Client], api: Callable[[Any], ApiClient]
) -> None:
    user = persona(role, "RBKC")
    page = web(user).get("/organisations/RBKC/")
    assert page.status_code == 200
    assert b'id="details-form"' not in page.content  # no form they would be refused on
    assert b"Priya Raman" in page.content
    assert web(user).post("/organisations/RBKC/", {"signatory_name": "Mallory"}).status_code == 403
    assert api(user).patch("/organisations/RBKC", {"signatory_name": "Mallory"}).status_code == 403
    assert rbkc().signatory_name == "Priya Raman"


def test_another_council_sees_nothing_and_changes_nothing(
    web: Callable[[Any], Client], api: Callable[[Any], ApiClient], wcc_gold: User
) -> None:
    for path in ("/organisations/RBKC/", "/organisations/rbkc/", "/organisations/NOPE/"):
        assert web(wcc_gold).get(path).status_code == 404
        assert web(wcc_gold).post(path, {"signatory_name": "Mallory"}).status_code == 404
    assert api(wcc_gold).patch("/organisations/RBKC", {"signatory_name": "Mallory"}).status_code == 404
    assert b"Priya Raman" not in web(wcc_gold).get("/organisations/RBKC/").content
    assert rbkc().signatory_name == "Priya Raman"
    # Their own council's list does not offer RBKC.
    assert web(wcc_gold).get("/organisations/").status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        (
            "signatory_name",
            "Ana\r\nBcc: someone@example.com",
            "Who signs letters to residents must be on one line",
        ),
        ("signatory_title", "Director\u200b\u2028of Law", "Their job title must be on one line"),
        ("notices_from_email", "not an address", "Email address notices are sent from"),
        ("dpo_email", "a@b@c", "Enter an email address"),
        ("main_phone", "12345", "Switchboard telephone number must be a telephone number"),
        ("resident_helpline", "9" * 40, "Residents' helpline for the incident must be a telephone number"),
        ("ico_registration", "123456789", "ICO registration number must be the ICO's register number"),
        ("website", "javascript:alert(1)", "Website must be a web address"),
        ("signatory_name", "x" * 201, "200 characters or fewer"),
        ("postal_address", "Line\n" * 400, "1000 characters or fewer"),
    ],
)
def test_bad_input_comes_back_on_the_same_page(
    field: str, value: str, words: str, web: Callable[[Any], Client], rbkc_gold: User
) -> None:
    data = {**GOOD, field: value}
    response = web(rbkc_gold).post("/organisations/RBKC/", data)
    assert response.status_code == 422
    text = response.content.decode()
    assert "There is a problem" in text
    assert f'href="#{field}"' in text  # the summary links to the field
    assert words in text.replace("&#x27;", "'")
    if value.isascii() and "\n" not in value:
        assert f'value="{escape(value)}"' in text  # and the refused value, to correct
    kept = "signatory_title" if field != "signatory_title" else "website"
    assert f'value="{GOOD[kept]}"' in text  # what was typed in the other fields is kept
    org = rbkc()
    assert org.signatory_name == "Priya Raman"  # nothing is half-saved
    assert org.ico_registration != "ZA123456"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (["signatory_name", "x"], 422, None),  # not an object
        ("hello", 400, None),  # not JSON at all
        ({"signatory_name": 42}, 422, "signatory_name"),
        ({"signatory_name": None}, 422, "signatory_name"),
        ({"name": "Renamed Council"}, 422, "name"),  # the name and code are not edited here
        ({"insurer_notice_hours": 10**30}, 422, "insurer_notice_hours"),
        ({"dpo_phone": "0" * 41}, 422, "dpo_phone"),
        ({"website": "http://exa mple.com"}, 422, "website"),
    ],
)
def test_api_names_the_field_it_refuses(
    body: Any, status: int, field: str | None, api: Callable[[Any], ApiClient], rbkc_gold: User
) -> None:
    response = api(rbkc_gold).patch("/organisations/RBKC", body)
    assert response.status_code == status, response.content
    if field is not None:
        assert field in response.content.decode()
    org = rbkc()
    assert org.name == "Royal Borough of Kensington and Chelsea"
    assert org.signatory_name == "Priya Raman"
