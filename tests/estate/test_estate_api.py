"""The estate API: scoped lists, create and update, what-if blast radius."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User

from incidentroom.core.models import AuditEntry
from tests.helpers.clients import ApiClient


def test_systems_are_scoped_and_updatable(
    api: Callable[[User], ApiClient], rbkc_gold: User, lbhf_responder: User, outsider_gold: User
) -> None:
    codes = {s["code"] for s in api(lbhf_responder).get("/estate/systems").json()}
    assert "shared-ad" in codes and "lbhf-parking" in codes and "rbkc-parking" not in codes
    assert api(outsider_gold).get("/estate/systems/shared-ad").status_code == 404
    changed = api(rbkc_gold).patch("/estate/systems/shared-ad", {"criticality": 4, "description": "Tier 0"})
    assert changed.status_code == 200 and changed.json()["criticality"] == 4
    audit = AuditEntry.objects.get(action="system.update")
    assert audit.after is not None and audit.after["description"] == "Tier 0" and audit.channel == "api"
    # LBHF is served by the shared directory but does not own it: it may not change it.
    assert api(lbhf_responder).patch("/estate/systems/shared-ad", {"name": "x"}).status_code == 403


def test_create_service_with_dependencies_and_what_if(
    api: Callable[[User], ApiClient], lbhf_responder: User
) -> None:
    client = api(lbhf_responder)
    made = client.post(
        "/estate/services",
        {"organisation": "LBHF", "code": "pest-control", "name": "Pest control", "systems": ["lbhf-crm"]},
    )
    assert made.status_code == 201 and made.json()["systems"] == ["lbhf-crm"]
    impacts = client.get("/estate/blast-radius", {"down": ["shared-telephony"]}).json()
    pest = next(i for i in impacts if i["service"] == "pest-control")
    assert pest["path"] == ["lbhf-crm", "shared-telephony"]
    # The caller's own services, and those of the partner councils sharing the telephony
    # platform; a partner's own system is not named to another council.
    assert {i["organisation"] for i in impacts} == {"LBHF", "RBKC", "WCC"}
    crm = next(i for i in impacts if i["organisation"] == "RBKC" and i["path"][0].endswith(" system"))
    assert crm["path"][0] == "an RBKC system" and "RBKC customer relationship" not in crm["because"]
    dup = client.post("/estate/services", {"organisation": "LBHF", "code": "pest-control", "name": "Again"})
    assert dup.status_code == 409 and dup.json()["field"] == "code"
    patched = client.patch(f"/estate/services/{made.json()['id']}", {"priority": 2, "rto_hours": 24})
    assert patched.json()["priority"] == 2 and patched.json()["rto_hours"] == 24


def test_what_if_for_an_uninvolved_council_shows_nothing_of_the_others(
    api: Callable[[User], ApiClient], outsider_gold: User
) -> None:
    client = api(outsider_gold)
    # Another council's system is refused by name; its own shares nothing with anyone.
    assert client.get("/estate/blast-radius", {"down": ["shared-telephony"]}).status_code in (404, 422)
    impacts = client.get("/estate/blast-radius", {"down": ["lbe-network"]}).json()
    assert impacts and {i["organisation"] for i in impacts} == {"LBE"}
