"""Incident actions: system states drive the affected services; rules on input; audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from incidentroom.core.errors import Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.estate.models import System
from incidentroom.incidents import actions
from incidentroom.incidents.models import Containment, EntryKind, Incident, SystemState
from incidentroom.incidents.queries import affected_service_rows
from tests.helpers.db import first


def test_marking_a_shared_system_compromised_affects_all_three_councils(
    incident: Incident, shared_responder: User
) -> None:
    rows_before = {(r.service.organisation.code, r.service.code): r for r in affected_service_rows(incident)}
    revs = System.objects.get(code="shared-payments")
    actions.set_system_state(incident, actor=shared_responder, system=revs, state=SystemState.COMPROMISED)
    rows_after = {(r.service.organisation.code, r.service.code): r for r in affected_service_rows(incident)}
    new = set(rows_after) - set(rows_before)
    assert {("RBKC", "online-payments"), ("LBHF", "online-payments")} <= new
    # WCC had already lost every service when it shut its network down; its online payments
    # now also need the compromised gateway, and that is the reason shown.
    assert (
        rows_before["WCC", "online-payments"].because == "Westminster City Council has shut down its network"
    )
    assert rows_after["WCC", "online-payments"].because == "Payments gateway"
    entry = first(incident.log_entries.order_by("-sequence"))
    assert "Payments gateway marked compromised" in entry.text
    assert AuditEntry.objects.filter(
        action="affected_system.state",
        object_id=str(incident.affected_systems.get(system=revs).pk),
        channel="system",
    ).exists()


def test_restoring_a_system_brings_services_back(incident: Incident, shared_responder: User) -> None:
    telephony = System.objects.get(code="shared-telephony")
    assert any(r.service.code == "emergency-out-of-hours" for r in affected_service_rows(incident))
    actions.set_system_state(incident, actor=shared_responder, system=telephony, state=SystemState.RESTORED)
    # Still lost: telephony itself needs the compromised shared directory.
    assert any(r.service.code == "emergency-out-of-hours" for r in affected_service_rows(incident))
    actions.set_system_state(
        incident,
        actor=shared_responder,
        system=System.objects.get(code="shared-ad"),
        state=SystemState.RESTORED,
    )
    lines = [r for r in affected_service_rows(incident) if r.service.code == "emergency-out-of-hours"]
    # Back for RBKC and LBHF; WCC has shut its own network down, so its line stays lost.
    assert [(r.service.organisation.code, r.because) for r in lines] == [
        ("WCC", "Westminster City Council has shut down its network")
    ]


def test_system_outside_the_incident_is_refused(incident: Incident, shared_responder: User) -> None:
    with pytest.raises(InvalidInput, match="neither belongs to nor serves"):
        actions.set_system_state(
            incident,
            actor=shared_responder,
            system=System.objects.get(code="lbe-crm"),
            state=SystemState.COMPROMISED,
        )


def test_viewers_and_outsiders_cannot_write(
    incident: Incident, lbhf_viewer: User, outsider_gold: User
) -> None:
    for actor in (lbhf_viewer, outsider_gold):
        with pytest.raises(Forbidden):
            actions.add_log_entry(incident, actor=actor, kind=EntryKind.NOTE, text="hello")


def test_log_entry_rules(incident: Incident, rbkc_gold: User) -> None:
    with pytest.raises(InvalidInput, match="cannot be in the future"):
        actions.add_log_entry(
            incident,
            actor=rbkc_gold,
            kind=EntryKind.NOTE,
            text="x",
            occurred_at=timezone.now() + dt.timedelta(days=1),
        )
    with pytest.raises(InvalidInput, match="needs some text"):
        actions.add_log_entry(incident, actor=rbkc_gold, kind=EntryKind.NOTE, text="   ")
    with pytest.raises(InvalidInput, match="kind must be one of"):
        actions.add_log_entry(incident, actor=rbkc_gold, kind="gossip", text="x")
    with pytest.raises(InvalidInput, match="Not involved in this incident: LBE"):
        actions.add_log_entry(
            incident,
            actor=rbkc_gold,
            kind=EntryKind.NOTE,
            text="x",
            organisations=[Organisation.objects.get(code="LBE")],
        )


def test_a_correction_is_a_new_entry(incident: Incident, rbkc_gold: User) -> None:
    original = actions.add_log_entry(
        incident, actor=rbkc_gold, kind=EntryKind.DECISION, text="Open CSC 9am-5pm"
    )
    fix = actions.add_log_entry(
        incident, actor=rbkc_gold, kind=EntryKind.DECISION, text="Open CSC 10am-4pm", corrects=original
    )
    assert fix.sequence == original.sequence + 1 and fix.corrects == original
    original.refresh_from_db()
    assert original.text == "Open CSC 9am-5pm"


def test_containment_change_is_logged_with_time(incident: Incident, wcc_gold: User) -> None:
    wcc = Organisation.objects.get(code="WCC")
    at = timezone.now() - dt.timedelta(minutes=10)
    inv = actions.set_containment(
        incident, actor=wcc_gold, organisation=wcc, state=Containment.ISOLATED, at=at
    )
    assert inv.containment == Containment.ISOLATED and inv.containment_changed_at == at
    audit = first(AuditEntry.objects.filter(action="involvement.containment"))
    assert audit.before is not None and audit.after is not None
    assert audit.before["containment"] == "shut_down" and audit.after["containment"] == "isolated"


def test_open_incident_numbers_and_involves(rbkc_gold: User) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    wcc = Organisation.objects.get(code="WCC")
    now = timezone.now()
    # The demo incident was opened this year too (the loader moves it to now), so numbering
    # carries on after whatever this year already holds.
    taken = Incident.objects.filter(reference__startswith=f"IR-{now.year}-").count()
    inc = actions.open_incident(
        actor=rbkc_gold, title="Phishing wave", origin=rbkc, detected_at=now, organisations=[wcc]
    )
    assert inc.reference == f"IR-{now.year}-{taken + 1:04d}"
    second = actions.open_incident(actor=rbkc_gold, title="Second", origin=rbkc, detected_at=now)
    assert second.reference == f"IR-{now.year}-{taken + 2:04d}"
    assert Incident.objects.filter(reference__startswith=f"IR-{now.year}-").count() == taken + 2
    assert set(inc.organisations.values_list("code", flat=True)) == {"RBKC", "WCC"}
    with pytest.raises(InvalidInput, match="time zone"):
        actions.open_incident(actor=rbkc_gold, title="x", origin=rbkc, detected_at=dt.datetime(2025, 1, 1))
    with pytest.raises(Forbidden):
        actions.open_incident(
            actor=rbkc_gold, title="x", origin=Organisation.objects.get(code="LBE"), detected_at=now
        )


def test_involving_another_council_starts_its_clocks_and_opens_its_view(
    incident: Incident, rbkc_gold: User, outsider_viewer: User
) -> None:
    ealing = Organisation.objects.get(code="LBE")
    assert not Incident.objects.for_user(outsider_viewer).exists()
    actions.involve_organisation(incident, actor=rbkc_gold, organisation=ealing)
    codes = set(incident.obligations.filter(organisation=ealing).values_list("code", flat=True))
    assert codes == {"ncsc", "police", "nca", "mhclg", "insurer", "psn"}
    assert list(Incident.objects.for_user(outsider_viewer)) == [incident]
    assert incident.log_entries.filter(text__contains="London Borough of Ealing is now involved").exists()


def test_an_action_in_the_log_names_its_owner_as_colleagues_know_them(
    incident: Incident, rbkc_gold: User, rbkc_silver: User
) -> None:
    # The log is read by people: "(owner Daniel Cho (Silver, RBKC))", never the login name.
    rbkc_silver.first_name, rbkc_silver.last_name = "Daniel", "Cho"
    rbkc_silver.save()
    actions.create_action(
        incident,
        actor=rbkc_gold,
        title="Obtain a crime reference",
        organisation=Organisation.objects.get(code="RBKC"),
        owner=rbkc_silver,
    )
    entry = incident.log_entries.filter(kind=EntryKind.ACTION).latest("sequence")
    assert entry.text == "Action: Obtain a crime reference (owner Daniel Cho (Silver, RBKC))"
    assert rbkc_silver.username not in entry.text
