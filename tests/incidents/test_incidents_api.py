"""The incidents API: happy paths, field-level 422s, and the log export pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.core.models import ApiToken, AuditEntry, hash_token
from incidentroom.incidents.models import Incident
from tests.helpers import personas
from tests.helpers.clients import ApiClient
from tests.helpers.personas import PersonaFactory


def test_open_an_incident_and_work_it_through_the_api(
    api: Callable[[User], ApiClient], rbkc_gold: User
) -> None:
    client = api(rbkc_gold)
    created = client.post(
        "/incidents",
        {
            "title": "Ransomware on payroll",
            "origin": "RBKC",
            "detected_at": "2026-01-05T09:00:00+00:00",
            "organisations": ["WCC"],
        },
    )
    assert created.status_code == 201, created.content
    ref = created.json()["reference"]
    assert {o["organisation"] for o in created.json()["organisations"]} == {"RBKC", "WCC"}
    state = client.put(f"/incidents/{ref}/systems/shared-hr-payroll", {"state": "switched_off"})
    assert state.status_code == 200 and state.json()["state"] == "switched_off"
    affected = client.get(f"/incidents/{ref}/affected-services").json()
    assert {(a["organisation"], a["service"]) for a in affected} >= {
        ("RBKC", "staff-payroll"),
        ("WCC", "staff-payroll"),
    }
    entry = client.post(
        f"/incidents/{ref}/log", {"kind": "decision", "text": "Pay staff from last month's file"}
    )
    assert entry.status_code == 201 and entry.json()["sequence"] > 1
    fix = client.post(
        f"/incidents/{ref}/log",
        {"kind": "decision", "text": "Pay from November file", "corrects": entry.json()["sequence"]},
    )
    assert fix.json()["corrects"] == entry.json()["sequence"]
    assert client.get(f"/incidents/{ref}/log/verify").json()["ok"] is True
    obligations = client.get(f"/incidents/{ref}/obligations").json()
    ncsc = next(o for o in obligations if o["code"] == "ncsc" and o["organisation"] == "RBKC")
    done = client.patch(
        f"/incidents/{ref}/obligations/{ncsc['id']}",
        {"status": "submitted", "external_reference": "NCSC-123"},
    )
    assert done.json()["status"] == "submitted" and done.json()["external_reference"] == "NCSC-123"
    assert AuditEntry.objects.filter(action="obligation.update", channel="api").exists()


def test_bad_input_gets_field_level_422(
    api: Callable[[User], ApiClient], rbkc_gold: User, incident: Incident
) -> None:
    client = api(rbkc_gold)
    naive = client.post("/incidents", {"title": "x", "origin": "RBKC", "detected_at": "2026-01-05T09:00:00"})
    assert naive.status_code == 422
    assert "detected_at" in str(naive.json())
    future = client.post(
        "/incidents", {"title": "x", "origin": "RBKC", "detected_at": "2099-01-05T09:00:00+00:00"}
    )
    assert future.status_code == 422 and future.json() == {
        "code": "invalid",
        "message": "detected_at cannot be in the future.",
        "field": "detected_at",
    }
    unknown = client.put(f"/incidents/{incident.reference}/systems/no-such-system", {"state": "compromised"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "system"
    not_required = client.patch(
        f"/incidents/{incident.reference}/obligations/"
        f"{incident.obligations.get(organisation__code='RBKC', code='nca').pk}",
        {"status": "not_required"},
    )
    assert not_required.status_code == 422 and not_required.json()["field"] == "reason"
    nul = client.post(f"/incidents/{incident.reference}/log", {"kind": "note", "text": "bad\u0000byte"})
    assert nul.status_code == 422 and "U+0000" in nul.json()["message"] and nul.json()["field"] == "text"


def test_tokens_are_hashed_at_rest_and_revocable(
    api: Callable[[User], ApiClient], web: Callable[[User], Client], rbkc_gold: User, client: Client
) -> None:
    client_api = api(rbkc_gold)
    # Tokens are minted by a signed-in person, never by another token.
    made = web(rbkc_gold).post("/api/tokens", {"name": "script"}, content_type="application/json").json()
    stored = ApiToken.objects.get(pk=made["id"])
    assert stored.token_hash == hash_token(made["token"]) and made["token"] not in stored.token_hash
    assert client.get("/api/me", headers={"Authorization": f"Bearer {made['token']}"}).status_code == 200
    client_api.delete(f"/tokens/{made['id']}")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {made['token']}"}).status_code == 401


def test_log_page_filters_and_exports(
    web: Callable[[User], Client], shared_responder: User, incident: Incident
) -> None:
    client = web(shared_responder)
    page = client.get(f"/incidents/{incident.reference}/log/", {"kind": "decision"}).content.decode()
    assert "Hash chain intact" in page and "Gold group convened" in page and "NCSC informed" not in page
    exported = client.get(f"/incidents/{incident.reference}/log.csv", {"kind": "communication"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert rows and {r["kind"] for r in rows} == {"communication"}
    assert all(len(r["entry_hash"]) == 64 for r in rows)
    pdf = client.get(f"/incidents/{incident.reference}/log.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf.content)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Hash chain: intact" in text and "Gold group convened" in text


def test_csv_export_neutralises_formulas(
    web: Callable[[User], Client], rbkc_gold: User, incident: Incident
) -> None:
    client = web(rbkc_gold)
    client.post(
        f"/incidents/{incident.reference}/log/add/", {"kind": "note", "text": '=HYPERLINK("http://x")'}
    )
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/incidents/{incident.reference}/log.csv").content.decode()))
    )
    assert rows[-1]["text"].startswith("'=")


def test_login_is_throttled(client: Client, persona: PersonaFactory) -> None:
    gold = persona("gold", "RBKC", password=personas.PASSWORD).username
    for _ in range(4):
        assert client.post("/login/", {"username": gold, "password": "wrong"}).status_code == 200
    # The fifth failure locks the account from this address; then even the right password is refused.
    assert client.post("/login/", {"username": gold, "password": "wrong"}).status_code == 429
    locked = client.post("/login/", {"username": gold, "password": personas.PASSWORD})
    assert locked.status_code == 429


def test_dashboard_awareness_form_moves_the_ico_clock(
    web: Callable[[User], Client], rbkc_gold: User, incident: Incident
) -> None:
    import datetime as dt

    from django.utils import timezone

    from incidentroom.incidents.models import Obligation

    client = web(rbkc_gold)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert 'id="became-aware-RBKC"' in page
    aware = timezone.localtime(incident.detected_at + dt.timedelta(minutes=20)).replace(
        second=0, microsecond=0
    )
    response = client.post(
        f"/incidents/{incident.reference}/awareness/",
        {"organisation": "RBKC", "became_aware_at": aware.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    ico = Obligation.objects.get(incident=incident, organisation__code="RBKC", code="ico")
    assert ico.deadline_at == aware + dt.timedelta(hours=72)
