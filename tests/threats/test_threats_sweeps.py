"""Sweeps through the task: upload and folder sources, hits with host and time, proposals a
responder confirms (never an automatic state change), and refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.estate.models import System
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import Incident, SystemState
from incidentroom.threats import actions, sweeps, tasks
from incidentroom.threats.models import ProposalStatus, Sweep, SweepHit, SweepStatus
from tests.helpers.clients import ApiClient

EVTX = Path(__file__).parent / "fixtures" / "Security_short_selected.evtx"


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def m365_csv(ip: str, user: str = "j.smith@rbkc.example.gov.uk") -> bytes:
    data = {
        "CreationTime": "2025-11-24T07:42:10",
        "Operation": "MailItemsAccessed",
        "UserId": user,
        "ClientIP": ip,
        "Workload": "Exchange",
    }
    quoted = json.dumps(data).replace('"', '""')
    return f'CreationDate,UserIds,Operations,AuditData\n2025-11-24T07:42:10,{user},MailItemsAccessed,"{quoted}"\n'.encode()


@pytest.fixture
def fresh_incident(rbkc_gold: User) -> Incident:
    """A follow-on incident with nothing marked yet, involving the three councils."""
    import datetime as dt

    from django.utils import timezone

    incident = incident_actions.open_incident(
        actor=rbkc_gold,
        title="Follow-on activity",
        detected_at=timezone.now() - dt.timedelta(hours=1),
        origin=_org("RBKC"),
        organisations=[_org("RBKC"), _org("WCC"), _org("LBHF")],
    )
    return incident


def test_upload_sweep_finds_both_hits_and_proposes_the_directory(
    folders: Path,
    fresh_incident: Incident,
    shared_responder: User,
    rbkc_gold: User,
    api: Callable[[User], ApiClient],
    web: Callable[[User], Client],
) -> None:
    rbkc = _org("RBKC")
    ip = actions.create_indicator(
        fresh_incident,
        actor=rbkc_gold,
        organisation=rbkc,
        type="ipv4",
        value="23.94.153.202",
        tlp="amber",
        source_kind="ncsc",
        source_name="NCSC",
    )
    proxy = actions.create_indicator(
        fresh_incident,
        actor=rbkc_gold,
        organisation=rbkc,
        type="ipv4",
        value="185.220.101.0/24",
        tlp="green",
        source_kind="ncsc",
        source_name="NCSC",
    )
    actions.add_host_alias(System.objects.get(code="shared-ad"), actor=rbkc_gold, hostname="TEMPORAL")
    client = web(shared_responder)
    response = client.post(
        f"/api/threats/incidents/{fresh_incident.reference}/sweeps/upload",
        {
            "organisation": "RBKC",
            "files": [
                SimpleUploadedFile("Security.evtx", EVTX.read_bytes()),
                SimpleUploadedFile("audit.csv", m365_csv("185.220.101.44")),
            ],
        },
    )
    assert response.status_code == 202, response.content
    sweep = Sweep.objects.get(pk=response.json()["id"])
    assert sweep.status == SweepStatus.QUEUED
    assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "succeeded"
    assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "skipped"  # never twice
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.SUCCEEDED and sweep.events_done == 8 and sweep.indicator_count == 2
    assert sweep.bytes_done == sweep.bytes_total > 0 and sweep.percent == 100 and sweep.rule_count == 7
    hits = {
        (h.indicator_id, h.log, h.line): h for h in SweepHit.objects.filter(sweep=sweep, kind="indicator")
    }
    assert set(hits) == {(ip.pk, "Security.evtx", 1), (ip.pk, "Security.evtx", 4), (proxy.pk, "audit.csv", 2)}
    evtx_hit = hits[(ip.pk, "Security.evtx", 1)]
    assert (
        evtx_hit.host == "temporal"
        and evtx_hit.occurred_at is not None
        and evtx_hit.occurred_at.isoformat().startswith("2016-06-29T15:24:34")
    )
    assert (
        evtx_hit.system is not None
        and evtx_hit.system.code == "shared-ad"
        and evtx_hit.proposal == ProposalStatus.PROPOSED
    )
    m365_hit = hits[(proxy.pk, "audit.csv", 2)]
    assert m365_hit.account == "j.smith@rbkc.example.gov.uk" and m365_hit.matched == "185.220.101.44"
    assert m365_hit.system is None and m365_hit.proposal == ProposalStatus.NONE
    # Proposed, not applied: the state changes only when a responder confirms.
    assert not fresh_incident.affected_systems.exists()
    listed = api(shared_responder).get(f"/threats/sweeps/{sweep.pk}/hits").json()
    assert {h["host"] for h in listed if h["kind"] == "indicator"} == {"temporal", ""}
    page = client.get(f"/threats/sweeps/{sweep.pk}/").content.decode()
    assert "Confirm suspected" in page and "29 Jun 2016 16:24 BST" in page  # shown in UK time (BST)

    confirmed = api(shared_responder).post(f"/threats/hits/{evtx_hit.pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["proposal"] == "confirmed"
    state = fresh_incident.affected_systems.get(system__code="shared-ad")
    assert state.state == SystemState.SUSPECTED
    assert fresh_incident.log_entries.filter(text__contains="Confirmed from sweep").exists()
    # Every open proposal for that system closed with it.
    assert not SweepHit.objects.filter(sweep=sweep, proposal=ProposalStatus.PROPOSED).exists()
    assert api(shared_responder).post(f"/threats/hits/{evtx_hit.pk}/confirm").status_code == 409


def test_no_proposal_for_a_system_already_marked(folders: Path, incident: Incident, rbkc_gold: User) -> None:
    # shared-ad is already compromised in the West London incident: never proposed down to suspected.
    actions.create_indicator(
        incident, actor=rbkc_gold, organisation=_org("RBKC"), type="host_name", value="temporal"
    )
    actions.add_host_alias(System.objects.get(code="shared-ad"), actor=rbkc_gold, hostname="temporal")
    (folders / "logs" / "rbkc" / "dc").mkdir()
    (folders / "logs" / "rbkc" / "dc" / "Security.evtx").write_bytes(EVTX.read_bytes())
    sweep = sweeps.start_sweep(incident, actor=rbkc_gold, organisation=_org("RBKC"), paths=["dc"])
    assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "succeeded"
    hits = list(SweepHit.objects.filter(sweep=sweep, kind="indicator"))
    assert len(hits) == 7 and {h.log for h in hits} == {"Security.evtx"}
    assert {h.proposal for h in hits} == {ProposalStatus.NONE} and {
        h.system.code for h in hits if h.system
    } == {"shared-ad"}
    assert incident.affected_systems.get(system__code="shared-ad").state == SystemState.COMPROMISED


def test_folder_sweeps_stay_inside_the_organisations_folder(
    folders: Path,
    incident: Incident,
    shared_responder: User,
    lbhf_responder: User,
    api: Callable[[User], ApiClient],
) -> None:
    (folders / "logs" / "wcc" / "fw.csv").write_text("time,src_ip,dst_ip\n")
    (folders / "logs" / "rbkc" / "link").symlink_to(folders / "logs" / "wcc")
    for path in [
        "../wcc/fw.csv",
        str(folders / "logs" / "wcc" / "fw.csv"),
        "link/fw.csv",
        "/etc/passwd",
        "missing.csv",
        "",
    ]:
        with pytest.raises(InvalidInput):
            sweeps.start_sweep(incident, actor=shared_responder, organisation=_org("RBKC"), paths=[path])
    response = api(lbhf_responder).post(
        f"/threats/incidents/{incident.reference}/sweeps", {"organisation": "RBKC", "paths": ["x"]}
    )
    assert response.status_code == 422 and response.json()["field"] == "organisation"
    ok = api(shared_responder).post(
        f"/threats/incidents/{incident.reference}/sweeps", {"organisation": "WCC", "paths": ["fw.csv"]}
    )
    assert ok.status_code == 202


def test_sweeps_and_hits_are_scoped_to_the_organisation(
    folders: Path,
    incident: Incident,
    rbkc_gold: User,
    api: Callable[[User], ApiClient],
    web: Callable[[User], Client],
    wcc_gold: User,
    lbhf_viewer: User,
    outsider_gold: User,
) -> None:
    (folders / "logs" / "rbkc" / "Security.evtx").write_bytes(EVTX.read_bytes())
    actions.create_indicator(
        incident, actor=rbkc_gold, organisation=_org("RBKC"), type="ipv4", value="23.94.153.202", tlp="red"
    )
    sweep = sweeps.start_sweep(incident, actor=rbkc_gold, organisation=_org("RBKC"), paths=["Security.evtx"])
    tasks.run_sweep_job.call(sweep.pk, sweep.run_token)
    hit = SweepHit.objects.filter(sweep=sweep).first()
    assert hit is not None
    for user in (wcc_gold, lbhf_viewer, outsider_gold):
        client = api(user)
        assert client.get(f"/threats/sweeps/{sweep.pk}").status_code == 404
        assert client.get(f"/threats/sweeps/{sweep.pk}/hits").status_code == 404
        assert client.post(f"/threats/hits/{hit.pk}/confirm").status_code == 404
        assert client.post(f"/threats/hits/{hit.pk}/dismiss").status_code == 404
        assert web(user).get(f"/threats/sweeps/{sweep.pk}/").status_code == 404
        assert web(user).post(f"/threats/hits/{hit.pk}/confirm/").status_code == 404
    with pytest.raises(Forbidden):
        sweeps.start_sweep(incident, actor=lbhf_viewer, organisation=_org("LBHF"), paths=["x"])


def test_a_sweep_of_wcc_logs_uses_only_what_wcc_may_see(
    folders: Path, incident: Incident, rbkc_gold: User, wcc_gold: User
) -> None:
    (folders / "logs" / "wcc" / "Security.evtx").write_bytes(EVTX.read_bytes())
    actions.create_indicator(
        incident,
        actor=rbkc_gold,
        organisation=_org("RBKC"),
        type="ipv4",
        value="23.94.153.202",
        tlp="amber+strict",
    )
    shared = actions.create_indicator(
        incident,
        actor=rbkc_gold,
        organisation=_org("RBKC"),
        type="user_account",
        value="administrator",
        tlp="amber",
    )
    sweep = sweeps.start_sweep(incident, actor=wcc_gold, organisation=_org("WCC"), paths=["Security.evtx"])
    tasks.run_sweep_job.call(sweep.pk, sweep.run_token)
    assert {h.indicator_id for h in SweepHit.objects.filter(sweep=sweep, kind="indicator")} == {shared.pk}


def test_dismiss_and_failures(
    folders: Path, fresh_incident: Incident, rbkc_gold: User, lbhf_viewer: User
) -> None:
    actions.create_indicator(
        fresh_incident, actor=rbkc_gold, organisation=_org("RBKC"), type="ipv4", value="23.94.153.202"
    )
    actions.add_host_alias(System.objects.get(code="shared-ad"), actor=rbkc_gold, hostname="temporal")
    with pytest.raises(Conflict):
        actions.add_host_alias(System.objects.get(code="shared-dc"), actor=rbkc_gold, hostname="temporal")
    sweep = sweeps.start_upload_sweep(
        fresh_incident,
        actor=rbkc_gold,
        organisation=_org("RBKC"),
        files=[("Security.evtx", [EVTX.read_bytes()]), ("junk.bin", [b"\x00\x01\x02binary"])],
    )
    tasks.run_sweep_job.call(sweep.pk, sweep.run_token)
    sweep.refresh_from_db()
    assert {f["name"]: f["status"] for f in sweep.files} == {"Security.evtx": "read", "junk.bin": "skipped"}
    hit = SweepHit.objects.filter(sweep=sweep, proposal=ProposalStatus.PROPOSED).first()
    assert hit is not None
    with pytest.raises(Forbidden):
        sweeps.dismiss_proposal(hit, actor=lbhf_viewer)
    sweeps.dismiss_proposal(hit, actor=rbkc_gold)
    assert not fresh_incident.affected_systems.exists()
    with pytest.raises(InvalidInput):
        sweeps.start_upload_sweep(
            fresh_incident, actor=rbkc_gold, organisation=_org("RBKC"), files=[("empty.log", [b""])]
        )
