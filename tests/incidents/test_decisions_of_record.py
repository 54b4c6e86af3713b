"""Two decisions that must stay on the record.

* A submitted report keeps its submission time; changing it is an explicit correction, logged.
* Adding an organisation to an incident (it then sees the whole incident) is a Gold decision
  of an organisation already involved, and is logged; every other writer is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from incidentroom.core import people
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.incidents import actions, logchain
from incidentroom.incidents.models import EntryKind, Incident, Involvement, Obligation, ObligationStatus
from tests.helpers.clients import ApiClient
from tests.helpers.db import first
from tests.helpers.personas import PersonaFactory


def _submitted(incident: Any, actor: Any, code: str = "police") -> Obligation:
    ob = Obligation.objects.get(incident=incident, organisation__code="RBKC", code=code)
    at = timezone.now() - dt.timedelta(hours=3)
    actions.update_obligation(
        ob, actor=actor, status=ObligationStatus.SUBMITTED, submitted_at=at, external_reference="NFRC-1"
    )
    ob.refresh_from_db()
    assert ob.submitted_at == at
    return ob


# -- obligations ------------------------------------------------------------------------------


def test_submitting_again_keeps_the_submission_time(incident: Incident, rbkc_gold: User) -> None:
    ob = _submitted(incident, rbkc_gold)
    first = ob.submitted_at
    entries = incident.log_entries.count()
    again = actions.update_obligation(ob, actor=rbkc_gold, status=ObligationStatus.SUBMITTED)
    assert again.submitted_at == first
    ob.refresh_from_db()
    assert ob.submitted_at == first and ob.external_reference == "NFRC-1"
    assert incident.log_entries.count() == entries  # nothing happened, nothing logged


def test_changing_the_time_or_reference_in_passing_is_refused(incident: Incident, rbkc_gold: User) -> None:
    ob = _submitted(incident, rbkc_gold)
    first = ob.submitted_at
    with pytest.raises(Conflict) as moved:
        actions.update_obligation(
            ob, actor=rbkc_gold, status=ObligationStatus.SUBMITTED, submitted_at=timezone.now()
        )
    assert moved.value.field == "submitted_at"
    with pytest.raises(Conflict):
        actions.update_obligation(
            ob, actor=rbkc_gold, status=ObligationStatus.SUBMITTED, external_reference="OTHER"
        )
    ob.refresh_from_db()
    assert ob.submitted_at == first and ob.external_reference == "NFRC-1"


def test_a_correction_is_explicit_logged_and_audited(incident: Incident, rbkc_gold: User) -> None:
    ob = _submitted(incident, rbkc_gold)
    corrected_at = timezone.now() - dt.timedelta(hours=5)
    actions.correct_submission(
        ob,
        actor=rbkc_gold,
        submitted_at=corrected_at,
        external_reference="NFRC-2",
        reason="Typed the time the email was drafted, not sent",
    )
    ob.refresh_from_db()
    assert ob.submitted_at == corrected_at and ob.external_reference == "NFRC-2"
    entry = first(incident.log_entries.order_by("-sequence"))
    assert entry.text.startswith("Correction to the")
    assert "NFRC-1 → NFRC-2" in entry.text and "Reason: Typed the time" in entry.text
    audit = AuditEntry.objects.filter(action="obligation.correct", object_id=str(ob.pk)).get()
    assert audit.before is not None and audit.after is not None
    assert audit.before["external_reference"] == "NFRC-1" and audit.after["external_reference"] == "NFRC-2"
    assert logchain.verify(incident).ok


def test_a_correction_needs_a_reason_a_change_and_a_submitted_report(
    incident: Incident, rbkc_gold: User
) -> None:
    ob = _submitted(incident, rbkc_gold)
    with pytest.raises(InvalidInput) as no_reason:
        actions.correct_submission(ob, actor=rbkc_gold, reason="  ", external_reference="X")
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput):
        actions.correct_submission(ob, actor=rbkc_gold, reason="why", external_reference="NFRC-1")
    due = Obligation.objects.get(incident=incident, organisation__code="RBKC", code="ncsc")
    if due.status != ObligationStatus.SUBMITTED:
        with pytest.raises(Conflict):
            actions.correct_submission(due, actor=rbkc_gold, reason="why", external_reference="X")


def test_correction_api_and_its_refusals(
    incident: Incident,
    api: Callable[[User], ApiClient],
    rbkc_gold: User,
    lbhf_viewer: User,
    wcc_gold: User,
    outsider_gold: User,
) -> None:
    ob = _submitted(incident, rbkc_gold)
    url = f"/incidents/{incident.reference}/obligations/{ob.pk}/correction"
    resubmit = api(rbkc_gold).patch(
        f"/incidents/{incident.reference}/obligations/{ob.pk}",
        {"status": "submitted", "submitted_at": "2025-11-24T12:00:00+00:00"},
    )
    assert resubmit.status_code == 409 and resubmit.json()["field"] == "submitted_at"
    # Another council's Gold sees the incident but may not correct RBKC's report.
    assert api(wcc_gold).post(url, {"reason": "x", "external_reference": "Y"}).status_code == 403
    assert api(lbhf_viewer).post(url, {"reason": "x", "external_reference": "Y"}).status_code == 403
    assert api(outsider_gold).post(url, {"reason": "x", "external_reference": "Y"}).status_code == 404
    assert api(rbkc_gold).post(url, {"external_reference": "Y"}).status_code == 422
    done = api(rbkc_gold).post(url, {"reason": "Reference mistyped", "external_reference": "NFRC-9"})
    assert done.status_code == 200, done.content
    assert done.json()["external_reference"] == "NFRC-9"
    assert done.json()["submitted_at"] is not None


# -- involving another organisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "org"),
    [("silver", "RBKC"), ("dpo", "RBKC"), ("comms", "RBKC"), ("responder", "LBHF"), ("viewer", "LBHF")],
    ids=["rbkc.silver", "rbkc.dpo", "rbkc.comms", "lbhf.responder", "lbhf.viewer"],
)
def test_only_gold_of_an_involved_organisation_can_involve_another(
    incident: Incident, persona: PersonaFactory, role: str, org: str, api: Callable[[User], ApiClient]
) -> None:
    user = persona(role, org)
    ealing = Organisation.objects.get(code="LBE")
    with pytest.raises(Forbidden):
        actions.involve_organisation(incident, actor=user, organisation=ealing)
    refused = api(user).post(f"/incidents/{incident.reference}/organisations", {"organisation": "LBE"})
    assert refused.status_code == 403, refused.content
    assert not Involvement.objects.filter(incident=incident, organisation=ealing).exists()


def test_gold_outside_the_incident_cannot_involve_anyone(
    incident: Incident, api: Callable[[User], ApiClient], outsider_gold: User
) -> None:
    refused = api(outsider_gold).post(
        f"/incidents/{incident.reference}/organisations", {"organisation": "LBE"}
    )
    assert refused.status_code == 404
    with pytest.raises(Forbidden):
        actions.involve_organisation(
            incident, actor=outsider_gold, organisation=Organisation.objects.get(code="LBE")
        )


def test_a_gold_decision_to_involve_is_logged_and_audited(
    incident: Incident, api: Callable[[User], ApiClient], wcc_gold: User
) -> None:
    added = api(wcc_gold).post(f"/incidents/{incident.reference}/organisations", {"organisation": "LBE"})
    assert added.status_code == 201, added.content
    entry = first(incident.log_entries.order_by("-sequence"))
    assert entry.kind == EntryKind.DECISION
    assert f"Gold decision by {people.name_of(wcc_gold)} (WCC)" in entry.text
    assert wcc_gold.username not in entry.text  # by name, as colleagues know them
    assert set(entry.organisations.values_list("code", flat=True)) == {"LBE", "WCC"}
    assert AuditEntry.objects.filter(action="incident.involve", actor=wcc_gold, channel="api").exists()
    assert logchain.verify(incident).ok


def test_opening_an_incident_with_partners_is_a_gold_decision(
    api: Callable[[User], ApiClient], rbkc_silver: User, rbkc_gold: User
) -> None:
    body = {
        "title": "Spread",
        "origin": "RBKC",
        "detected_at": "2026-01-05T09:00:00+00:00",
        "organisations": ["WCC"],
    }
    assert api(rbkc_silver).post("/incidents", body).status_code == 403
    alone = api(rbkc_silver).post("/incidents", {**body, "organisations": []})
    assert alone.status_code == 201, alone.content
    opened = api(rbkc_gold).post("/incidents", body)
    assert opened.status_code == 201, opened.content
    incident = Incident.objects.get(reference=opened.json()["reference"])
    assert set(incident.organisations.values_list("code", flat=True)) == {"RBKC", "WCC"}
