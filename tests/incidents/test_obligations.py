"""Reporting clocks: created from the rules file, with deadlines from the right event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents import actions
from incidentroom.incidents.models import Incident, Obligation, ObligationStatus
from incidentroom.incidents.rules import parse_rules


def _codes(incident: Any, org: str) -> set[str]:
    return set(
        Obligation.objects.filter(incident=incident, organisation__code=org).values_list("code", flat=True)
    )


def test_opening_creates_the_applicable_obligations(incident: Incident) -> None:
    # RBKC and WCC are on PSN, HSCN and DWP; LBHF on PSN and DWP only.
    assert _codes(incident, "RBKC") == {
        "ncsc",
        "police",
        "nca",
        "mhclg",
        "insurer",
        "psn",
        "hscn",
        "dwp",
        "ico",
    }
    assert _codes(incident, "WCC") == {"ncsc", "police", "nca", "mhclg", "insurer", "psn", "hscn", "dwp"}
    assert _codes(incident, "LBHF") == {"ncsc", "police", "nca", "mhclg", "insurer", "psn", "dwp"}


def test_ico_deadline_is_72_hours_after_the_controller_became_aware(incident: Incident) -> None:
    rbkc = incident.involvements.get(organisation__code="RBKC")
    ico = Obligation.objects.get(incident=incident, organisation__code="RBKC", code="ico")
    assert ico.anchor_at == rbkc.became_aware_at
    assert ico.deadline_at - rbkc.became_aware_at == dt.timedelta(hours=72)


def test_insurer_notice_period_comes_from_the_organisation(incident: Incident) -> None:
    for code, hours in (("RBKC", 48), ("WCC", 72), ("LBHF", 24)):
        ob = Obligation.objects.get(incident=incident, organisation__code=code, code="insurer")
        assert ob.deadline_at - incident.detected_at == dt.timedelta(hours=hours)


def test_flagging_a_breach_starts_the_ico_clock(incident: Incident, wcc_dpo: User) -> None:
    wcc = Organisation.objects.get(code="WCC")
    aware = timezone.now() - dt.timedelta(hours=2)
    actions.flag_personal_data_breach(incident, actor=wcc_dpo, organisation=wcc, became_aware_at=aware)
    ico = Obligation.objects.get(incident=incident, organisation=wcc, code="ico")
    assert ico.deadline_at == aware + dt.timedelta(hours=72)
    assert ico.status == ObligationStatus.DUE
    with pytest.raises(Conflict):
        actions.flag_personal_data_breach(incident, actor=wcc_dpo, organisation=wcc, became_aware_at=aware)


def test_only_dpo_or_gold_of_that_controller_may_flag(
    incident: Incident, rbkc_dpo: User, lbhf_responder: User
) -> None:
    wcc = Organisation.objects.get(code="WCC")
    for actor in (rbkc_dpo, lbhf_responder):
        with pytest.raises(Forbidden):
            actions.flag_personal_data_breach(
                incident, actor=actor, organisation=wcc, became_aware_at=timezone.now()
            )


def test_moving_awareness_moves_an_unsubmitted_ico_clock(incident: Incident, rbkc_gold: User) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    earlier = incident.detected_at + dt.timedelta(minutes=5)
    actions.set_became_aware(incident, actor=rbkc_gold, organisation=rbkc, became_aware_at=earlier)
    assert Obligation.objects.get(
        incident=incident, organisation=rbkc, code="ico"
    ).deadline_at == earlier + dt.timedelta(hours=72)


def test_not_required_needs_a_reason_and_submission_stops_the_clock(
    incident: Incident, rbkc_gold: User
) -> None:
    hscn = Obligation.objects.get(incident=incident, organisation__code="RBKC", code="hscn")
    with pytest.raises(InvalidInput) as err:
        actions.update_obligation(hscn, actor=rbkc_gold, status=ObligationStatus.NOT_REQUIRED)
    assert err.value.field == "reason"
    actions.update_obligation(
        hscn,
        actor=rbkc_gold,
        status=ObligationStatus.NOT_REQUIRED,
        reason="No health data crosses HSCN from the affected systems",
    )
    police = Obligation.objects.get(incident=incident, organisation__code="RBKC", code="police")
    actions.update_obligation(
        police, actor=rbkc_gold, status=ObligationStatus.SUBMITTED, external_reference="NFRC251124001"
    )
    police.refresh_from_db()
    assert police.submitted_at is not None and not police.is_overdue(timezone.now() + dt.timedelta(days=30))
    assert incident.log_entries.filter(text__contains="NFRC251124001").exists()
    with pytest.raises(Conflict):
        actions.update_obligation(police, actor=rbkc_gold, status=ObligationStatus.DUE)


def test_viewer_cannot_update_obligations(incident: Incident, lbhf_viewer: User) -> None:
    ob = Obligation.objects.get(incident=incident, organisation__code="LBHF", code="ncsc")
    with pytest.raises(Forbidden):
        actions.update_obligation(ob, actor=lbhf_viewer, status=ObligationStatus.DRAFTED)


def test_rules_file_errors_name_the_rule_and_field() -> None:
    with pytest.raises(InvalidInput, match=r"rules\.0\.trigger"):
        parse_rules(
            "rules:\n  - {code: x, title: t, recipient: r, trigger: sometime, anchor: detected_at, deadline_hours: 1}\n"
        )
    with pytest.raises(InvalidInput, match="exactly one of deadline_hours or deadline_from"):
        parse_rules(
            "rules:\n  - {code: x, title: t, recipient: r, trigger: incident_opened, anchor: detected_at}\n"
        )
    with pytest.raises(InvalidInput, match="duplicate rule codes: x"):
        parse_rules(
            "rules:\n"
            + "  - {code: x, title: t, recipient: r, trigger: incident_opened, anchor: detected_at, deadline_hours: 1}\n"
            * 2
        )
