"""The estate proposes, a person confirms, and only then does the public page change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.estate.models import Service, System
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import Incident, SystemState
from incidentroom.status import actions, site
from incidentroom.status.models import (
    ProposalState,
    PublicStatus,
    ServiceStatus,
    StatusProposal,
    StatusUpdate,
)

ADVICE = "Phone lines are down. In an emergency call 020 7946 0123."


def test_switching_off_telephony_proposes_for_all_three_councils_and_publishes_nothing(
    phone_proposal: Any, telephony_off: Any, published: Path
) -> None:
    telephony_off()
    for code in ("RBKC", "WCC", "LBHF"):
        proposal = phone_proposal(code)
        assert proposal.proposed_status == PublicStatus.DISRUPTED
        assert proposal.reason.startswith("Depends on ") and proposal.incident is not None
    assert not ServiceStatus.objects.exists()
    assert not StatusUpdate.objects.exists()
    # Nothing is published from a proposal: the folder is not even written.
    assert not (published / "index.html").exists()
    site.publish()
    for path in published.rglob("*.html"):
        assert "Depends on" not in path.read_text()
    data = json.loads((published / "status.json").read_text())
    assert all(s["status"] == "working" for o in data["organisations"] for s in o["services"])


def test_confirming_publishes_html_json_and_atom(
    phone_proposal: Any,
    telephony_off: Any,
    rbkc_comms: User,
    published: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    telephony_off()
    proposal = phone_proposal("RBKC")
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_proposal(proposal, actor=rbkc_comms, status=PublicStatus.UNAVAILABLE, advice=ADVICE)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.CONFIRMED and proposal.decided_by == rbkc_comms
    status = ServiceStatus.objects.get(service=proposal.service)
    assert (status.status, status.advice, status.confirmed_by_label) == (
        "unavailable",
        ADVICE,
        f"{rbkc_comms.get_full_name()} (Communications officer, RBKC)",
    )
    page = (published / "rbkc" / "index.html").read_text()
    assert "Contact centre telephone lines" in page and ADVICE in page and "Unavailable" in page
    group = (published / "index.html").read_text()
    assert ADVICE in group
    feed = (published / "rbkc" / "feed.atom").read_text()
    assert feed.startswith('<?xml version="1.0" encoding="utf-8"?>') and ADVICE in feed
    rbkc = json.loads((published / "rbkc" / "status.json").read_text())["organisations"][0]
    phones = next(s for s in rbkc["services"] if s["name"] == "Contact centre telephone lines")
    assert phones["status"] == "unavailable"
    # The other councils' proposals are still waiting, so their pages say nothing about phones.
    wcc = json.loads((published / "status.json").read_text())
    assert all(
        s["status"] == "working" for o in wcc["organisations"] if o["code"] == "WCC" for s in o["services"]
    )
    assert AuditEntry.objects.filter(
        action="status.proposal.confirm", object_id=str(proposal.pk), actor=rbkc_comms
    ).exists()
    assert AuditEntry.objects.filter(action="status.service", after__status="unavailable").exists()


def test_only_comms_or_gold_of_the_services_council_may_confirm(
    phone_proposal: Any,
    telephony_off: Any,
    wcc_comms: User,
    shared_responder: User,
    lbhf_viewer: User,
    outsider_gold: User,
    rbkc_gold: User,
) -> None:
    telephony_off()
    proposal = phone_proposal("RBKC")
    for actor in (wcc_comms, shared_responder, lbhf_viewer, outsider_gold):
        with pytest.raises(Forbidden):
            actions.confirm_proposal(proposal, actor=actor)
        with pytest.raises(Forbidden):
            actions.reject_proposal(proposal, actor=actor)
    assert StatusProposal.objects.get(pk=proposal.pk).state == ProposalState.PENDING
    actions.confirm_proposal(proposal, actor=rbkc_gold)
    with pytest.raises(Conflict):
        actions.confirm_proposal(proposal, actor=rbkc_gold)


def test_rejected_proposal_never_reaches_the_page(
    phone_proposal: Any,
    telephony_off: Any,
    lbhf_comms: User,
    published: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    telephony_off()
    proposal = phone_proposal("LBHF")
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject_proposal(proposal, actor=lbhf_comms, reason="Calls diverted to the Ealing platform")
    assert not ServiceStatus.objects.filter(service=proposal.service).exists()
    site.publish()
    lbhf = (
        json.loads((published / "lbhf" / "status.json").read_text())
        if (published / "lbhf").exists()
        else None
    )
    assert lbhf is None or all(s["status"] == "working" for s in lbhf["organisations"][0]["services"])


def test_bad_input_is_refused_with_the_field_named(
    phone_proposal: Any, telephony_off: Any, rbkc_comms: User
) -> None:
    telephony_off()
    proposal = phone_proposal("RBKC")
    with pytest.raises(InvalidInput) as err:
        actions.confirm_proposal(proposal, actor=rbkc_comms, status="on fire")
    assert err.value.field == "status"
    with pytest.raises(InvalidInput) as err:
        actions.confirm_proposal(proposal, actor=rbkc_comms, advice="x" * 5000)
    assert err.value.field == "advice"
    rbkc = Organisation.objects.get(code="RBKC")
    with pytest.raises(InvalidInput):
        actions.post_update(rbkc, actor=rbkc_comms, text="   ")
    wcc_service = Service.objects.filter(organisation__code="WCC").first()
    assert wcc_service is not None
    with pytest.raises(InvalidInput):
        actions.post_update(rbkc, actor=rbkc_comms, text="Update", services=[wcc_service])


def test_restoring_the_estate_proposes_restored_once_residents_were_told(
    phone_proposal: Any,
    telephony_off: Any,
    incident: Incident,
    rbkc_comms: User,
    shared_responder: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    telephony_off()
    proposal = phone_proposal("RBKC")
    actions.confirm_proposal(proposal, actor=rbkc_comms, status=PublicStatus.UNAVAILABLE, advice=ADVICE)
    # Telephony back, but it still needs the compromised directory: nothing is proposed yet.
    with django_capture_on_commit_callbacks(execute=True):
        incident_actions.set_system_state(
            incident,
            actor=shared_responder,
            system=System.objects.get(code="shared-telephony"),
            state=SystemState.RESTORED,
        )
    assert (
        not StatusProposal.objects.pending()
        .filter(service=proposal.service, proposed_status=PublicStatus.RESTORED)
        .exists()
    )
    with django_capture_on_commit_callbacks(execute=True):
        incident_actions.set_system_state(
            incident,
            actor=shared_responder,
            system=System.objects.get(code="shared-ad"),
            state=SystemState.RESTORED,
        )
    restored = StatusProposal.objects.pending().get(service=proposal.service)
    assert restored.proposed_status == PublicStatus.RESTORED
    # Services residents were never told about get no 'restored' proposal.
    wcc_phones = Service.objects.get(organisation__code="WCC", code="contact-centre")
    assert not StatusProposal.objects.pending().filter(service=wcc_phones).exists()


def test_direct_status_and_page_settings(
    before_comms: None,
    rbkc_comms: User,
    published: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    myaccount = Service.objects.filter(organisation=rbkc).order_by("name").first()
    assert myaccount is not None
    with django_capture_on_commit_callbacks(execute=True):
        actions.configure_page(
            rbkc,
            actor=rbkc_comms,
            headline="We are responding to a cyber incident",
            help_text="Customer Service Centre, Kensington Town Hall, Saturday and Sunday 10am to 4pm",
        )
        actions.set_service_status(
            myaccount, actor=rbkc_comms, status=PublicStatus.DISRUPTED, advice="Use paper forms"
        )
    page = (published / "rbkc" / "index.html").read_text()
    assert "Kensington Town Hall, Saturday and Sunday 10am to 4pm" in page and "Use paper forms" in page
    with django_capture_on_commit_callbacks(execute=True):
        actions.configure_page(rbkc, actor=rbkc_comms, headline="", help_text="", enabled=False)
    # Switched off: gone from the static copy, not left behind with stale news.
    assert not (published / "rbkc" / "index.html").exists()
    assert "Kensington and Chelsea" not in (published / "index.html").read_text()


def test_a_direct_decision_supersedes_pending_proposals(phone_proposal: Any, rbkc_comms: User) -> None:
    proposal = phone_proposal("RBKC")
    actions.set_service_status(
        proposal.service, actor=rbkc_comms, status=PublicStatus.UNAVAILABLE, advice="Call 020 7946 0123"
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUPERSEDED
    assert AuditEntry.objects.filter(action="status.proposal.supersede", object_id=str(proposal.pk)).exists()


def test_a_network_shut_down_proposes_every_service_of_that_council(
    before_comms: None,
    incident: Incident,
    lbhf_gold: User,
    lbhf_comms: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    lbhf = Organisation.objects.get(code="LBHF")
    # A public service: internal ones (staff payroll) are never proposed for the public page.
    parking = (
        Service.objects.filter(organisation=lbhf, public=True)
        .exclude(pk__in=StatusProposal.objects.pending().values("service_id"))
        .first()
    )
    assert parking is not None  # a service the estate had not already proposed
    with django_capture_on_commit_callbacks(execute=True):
        incident_actions.set_containment(incident, actor=lbhf_gold, organisation=lbhf, state="shut_down")
    proposal = StatusProposal.objects.pending().get(service=parking)
    assert proposal.reason == "London Borough of Hammersmith and Fulham has shut down its network."
    actions.confirm_proposal(proposal, actor=lbhf_comms)
    with django_capture_on_commit_callbacks(execute=True):
        incident_actions.set_containment(incident, actor=lbhf_gold, organisation=lbhf, state="normal")
    assert StatusProposal.objects.pending().get(service=parking).proposed_status == PublicStatus.RESTORED
    # Only LBHF's own services: the other councils' proposals do not mention its network.
    assert (
        not StatusProposal.objects.exclude(service__organisation=lbhf)
        .filter(reason__contains="Hammersmith")
        .exists()
    )


def test_one_decision_across_councils_gives_each_council_its_own_advice(
    telephony_off: Any,
    phone_proposal: Any,
    rbkc_comms: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from incidentroom.core.models import Membership

    own = {"RBKC": "In an emergency, call 020 7946 0123.", "WCC": "In an emergency, call 020 7946 0456."}
    for code in own:
        org = Organisation.objects.get(code=code)
        Membership.objects.update_or_create(user=rbkc_comms, organisation=org, defaults={"role": "comms"})
    # A fresh instance: roles are cached on the user object.
    rbkc_comms = User.objects.get(pk=rbkc_comms.pk)
    for code, words in own.items():
        org = Organisation.objects.get(code=code)
        actions.configure_page(org, actor=rbkc_comms, headline="", help_text=words, enabled=True)
    # Proposed afresh now the pages exist, so each carries its own council's help text.
    StatusProposal.objects.all().delete()
    telephony_off()
    batch = [phone_proposal("RBKC"), phone_proposal("WCC")]
    # Typed advice would carry one council's number to the other council's residents.
    with pytest.raises(InvalidInput) as refused:
        actions.confirm_proposals(batch, actor=rbkc_comms, status="disrupted", advice=own["RBKC"])
    assert refused.value.field == "advice"
    assert not ServiceStatus.objects.exists()
    # Left empty, each council's service gets that council's own help text.
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm_proposals(batch, actor=rbkc_comms, status="disrupted")
    for code, words in own.items():
        status = ServiceStatus.objects.get(service__organisation__code=code, service__code="contact-centre")
        assert status.advice == words
        update = StatusUpdate.objects.get(organisation__code=code)
        assert words in update.text and all(w not in update.text for c, w in own.items() if c != code)


def test_the_bulk_confirm_card_shows_how_each_service_was_lost_and_what_else_has_it_down(
    before_comms: None, rbkc_comms: User, web: Any
) -> None:
    # One root cause (the shared directory) lumps services whose own system is down with
    # those that lost their phones: each ticked service says which, so comms can tell.
    body: str = web(rbkc_comms).get("/comms/status/").content.decode()
    cards = body.split('id="proposals"', 1)[1].split("What the public sees now", 1)[0]

    def hint(name: str) -> str:
        label = cards.split(f'">{name} (RBKC)', 1)[1].split("</label>", 1)[1]
        return label.split('govuk-checkboxes__hint"', 1)[1].split("</div>", 1)[0]

    my_account = hint("My Account online services")
    assert "Lost through: RBKC My Account portal → Single sign-on → Shared directory" in my_account
    assert "Also down" not in my_account
    planning = hint("Planning applications")
    assert "Lost through: RBKC planning and building control → Electronic records management" in planning
    assert (
        "Also down: RBKC planning and building control → Electronic records management → Single sign-on"
        in planning
    )
    # Only the phones: the directory behind the telephony is the same route, not another reason...
    line = hint("Out-of-hours emergency line")
    assert "Lost through: Contact-centre telephony platform" in line and "Also down" not in line
    # ...but adult social care has lost its own case system as well as its phones.
    adults = hint("Adult social care")
    assert "Also down: RBKC social care case management → Single sign-on → Shared directory" in adults
    assert 'aria-describedby="pick-' in cards


def test_the_comms_page_refuses_anyone_outside_the_councils_staff(web: Any, outsider_viewer: User) -> None:
    # Another council's viewer sees no RBKC proposal and no way to publish one.
    body = web(outsider_viewer).get("/comms/status/").content.decode()
    assert "(RBKC)" not in body and "Confirm and publish the ticked services" not in body
