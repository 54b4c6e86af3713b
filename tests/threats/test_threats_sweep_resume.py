"""Cancelling and resuming sweeps: checkpoints per part, no hit twice, a resumed sweep finds
exactly what an uninterrupted one does; and who may cancel or resume."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from incidentroom.core.errors import Conflict, Forbidden
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import Incident
from incidentroom.threats import actions, sweeps, tasks
from incidentroom.threats.models import Sweep, SweepHit, SweepPart, SweepStatus
from incidentroom.threats.sweep.parts import Part, plan
from incidentroom.threats.sweep.sigma import RuleSet
from tests.helpers.clients import ApiClient


class WorkerKilled(BaseException):
    """Raised where the worker process would die: nothing in the task catches it, so every
    line after it is skipped exactly as if the process were killed there."""


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.fixture
def lbhf_incident(lbhf_gold: User, lbhf_responder: User) -> Incident:
    """An incident LBHF is in, with the indicators the corpus contains."""
    incident = incident_actions.open_incident(
        actor=lbhf_gold,
        title="Follow-on activity at LBHF",
        detected_at=timezone.now() - dt.timedelta(hours=1),
        origin=_org("LBHF"),
        organisations=[_org("LBHF"), _org("RBKC")],
    )
    for kind, value in [
        ("ipv4", "23.94.153.202"),
        ("ipv4", "203.0.113.0/24"),
        ("ipv4", "185.220.101.0/24"),
        ("domain", "evil-updates.example"),
        ("user_account", "administrator"),
    ]:
        actions.create_indicator(
            incident, actor=lbhf_responder, organisation=_org("LBHF"), type=kind, value=value, tlp="amber"
        )
    return incident


@pytest.fixture
def upload(
    folders: Path,
    lbhf_incident: Incident,
    lbhf_responder: User,
    write_log_corpus: Callable[[Path], Path],
    settings: Settings,
) -> Callable[[], Sweep]:
    """Starts a sweep of the same eight uploaded files each time it is called; the large
    line-based log among them is swept in byte ranges."""
    corpus = write_log_corpus(folders / "corpus")
    settings.THREAT_SWEEP_SPLIT_BYTES = 100 * 1024

    def start() -> Sweep:
        files = [(p.name, [p.read_bytes()]) for p in sorted(corpus.iterdir())]
        return sweeps.start_upload_sweep(
            lbhf_incident, actor=lbhf_responder, organisation=_org("LBHF"), files=files
        )

    return start


def planned(sweep: Sweep) -> list[str]:
    """The keys of the sweep's parts (files, and the ranges of the large log)."""
    root = Path(sweep.paths[0])
    keys = [p.key for p in plan([root], root, rules=RuleSet.load(), split_bytes=100 * 1024)]
    assert len(keys) > 8  # the proxy log is in ranges
    return keys


def hits_of(sweep: Sweep) -> list[tuple[Any, ...]]:
    """Everything a hit records about what was found, in a stable order."""
    return sorted(
        (
            (h.kind, h.indicator_id, h.rule_id, h.log, h.line, h.matched, h.host, h.account, h.occurred_at)
            + (h.excerpt, h.system_id, h.proposal)
            for h in SweepHit.objects.filter(sweep=sweep)
        ),
        key=repr,
    )


@pytest.fixture
def reference(upload: Callable[[], Sweep]) -> list[tuple[Any, ...]]:
    """The hits of an uninterrupted sweep of the corpus."""
    sweep = upload()
    assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "succeeded"
    hits = hits_of(sweep)
    kinds = {h[0] for h in hits}
    assert len(hits) > 10 and kinds == {"indicator", "rule"}
    return hits


def test_cancel_then_resume_gives_exactly_the_uninterrupted_hits(
    upload: Callable[[], Sweep],
    reference: list[tuple[Any, ...]],
    lbhf_responder: User,
    api: Callable[[User], ApiClient],
    settings: Settings,
) -> None:
    settings.THREAT_SWEEP_WORKERS = 1
    sweep = upload()
    first_token = sweep.run_token

    def cancel_after_three(part: Part) -> None:
        if SweepPart.objects.filter(sweep=sweep).count() == 3:
            sweeps.cancel_sweep(sweep, actor=lbhf_responder)

    assert tasks.sweep_in_worker(sweep.pk, first_token, after_part=cancel_after_three) == "cancelled"
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.CANCELLED and sweep.finished_at is not None
    done = list(SweepPart.objects.filter(sweep=sweep).values_list("key", flat=True))
    assert len(done) == 3 and not SweepHit.objects.filter(sweep=sweep).exists()
    assert sweep.bytes_done < sweep.bytes_total
    cancel = AuditEntry.objects.get(action="sweep.cancel", object_id=str(sweep.pk))
    assert cancel.actor == lbhf_responder and cancel.after is not None and cancel.after["parts_done"] == 3

    response = api(lbhf_responder).post(f"/threats/sweeps/{sweep.pk}/resume")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued" and response.json()["parts_done"] == 3
    sweep.refresh_from_db()
    assert sweep.run_token != first_token
    swept: list[str] = []
    assert (
        tasks.sweep_in_worker(sweep.pk, sweep.run_token, after_part=lambda p: swept.append(p.key))
        == "succeeded"
    )
    # Only the parts not checkpointed were swept again.
    assert sorted(swept) == sorted(set(planned(sweep)) - set(done))
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.SUCCEEDED and sweep.percent == 100
    assert hits_of(sweep) == reference
    assert not SweepPart.objects.filter(sweep=sweep).exists()
    assert AuditEntry.objects.filter(action="sweep.resume", object_id=str(sweep.pk)).count() == 1
    # The first run's token is dead: it can neither write a part nor run again.
    assert tasks.run_sweep_job.call(sweep.pk, first_token) == "skipped"
    assert not sweeps.record_part(sweep.pk, first_token, key="000000", path="x", fingerprint="", result={})


def test_a_killed_worker_is_resumed_without_duplicating_hits(
    upload: Callable[[], Sweep],
    reference: list[tuple[Any, ...]],
    lbhf_responder: User,
    api: Callable[[User], ApiClient],
    settings: Settings,
) -> None:
    settings.THREAT_SWEEP_WORKERS = 2  # the local process pool
    sweep = upload()

    def die_after_two(part: Part) -> None:
        if SweepPart.objects.filter(sweep=sweep).count() >= 2:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        tasks.sweep_in_worker(sweep.pk, sweep.run_token, after_part=die_after_two)
    sweep.refresh_from_db()
    # What a dead worker leaves: still "running", some parts checkpointed, no hits recorded.
    assert sweep.status == SweepStatus.RUNNING and SweepPart.objects.filter(sweep=sweep).count() == 2
    assert not SweepHit.objects.filter(sweep=sweep).exists()
    # While the worker could still be alive, a resume is refused.
    assert not sweeps.can_resume(sweep)
    assert api(lbhf_responder).post(f"/threats/sweeps/{sweep.pk}/resume").status_code == 409
    settings.THREAT_SWEEP_STALE_SECONDS = 0
    assert sweeps.can_resume(sweep)
    assert api(lbhf_responder).post(f"/threats/sweeps/{sweep.pk}/resume").status_code == 202
    sweep.refresh_from_db()
    assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "succeeded"
    assert hits_of(sweep) == reference


def test_checkpoints_made_with_other_indicators_are_swept_again(
    upload: Callable[[], Sweep],
    reference: list[tuple[Any, ...]],
    lbhf_incident: Incident,
    lbhf_responder: User,
    settings: Settings,
) -> None:
    settings.THREAT_SWEEP_WORKERS = 1
    sweep = upload()

    def cancel_after_two(part: Part) -> None:
        if SweepPart.objects.filter(sweep=sweep).count() == 2:
            sweeps.cancel_sweep(sweep, actor=lbhf_responder)

    tasks.sweep_in_worker(sweep.pk, sweep.run_token, after_part=cancel_after_two)
    extra = actions.create_indicator(
        lbhf_incident,
        actor=lbhf_responder,
        organisation=_org("LBHF"),
        type="domain",
        value="rbkc.example.gov.uk",
    )
    sweep = sweeps.resume_sweep(sweep, actor=lbhf_responder)
    swept: list[str] = []
    assert (
        tasks.sweep_in_worker(sweep.pk, sweep.run_token, after_part=lambda p: swept.append(p.key))
        == "succeeded"
    )
    assert sorted(swept) == planned(sweep)  # the indicators changed, so nothing old was reused
    found = {h.log for h in SweepHit.objects.filter(sweep=sweep, indicator=extra)}
    # The new indicator was looked for in the two parts swept before it existed, too.
    assert {"a-audit.csv", "b-audit.csv", "f-proxy.log"} <= found
    assert set(reference) < set(hits_of(sweep))


def test_who_may_cancel_and_resume(
    upload: Callable[[], Sweep],
    lbhf_responder: User,
    lbhf_viewer: User,
    rbkc_gold: User,
    wcc_gold: User,
    outsider_gold: User,
    api: Callable[[User], ApiClient],
    web: Callable[[User], Client],
) -> None:
    sweep = upload()
    # A viewer of the organisation sees the sweep but may neither cancel nor resume it.
    assert api(lbhf_viewer).get(f"/threats/sweeps/{sweep.pk}").status_code == 200
    assert api(lbhf_viewer).post(f"/threats/sweeps/{sweep.pk}/cancel").status_code == 403
    assert web(lbhf_viewer).post(f"/threats/sweeps/{sweep.pk}/cancel/").status_code == 403
    with pytest.raises(Forbidden):
        sweeps.cancel_sweep(sweep, actor=lbhf_viewer)
    assert "sweep-cancel" not in web(lbhf_viewer).get(f"/threats/sweeps/{sweep.pk}/").content.decode()
    # Other councils, even in the same incident, and outsiders do not see it at all.
    for user in (rbkc_gold, wcc_gold, outsider_gold):
        assert api(user).post(f"/threats/sweeps/{sweep.pk}/cancel").status_code == 404
        assert api(user).post(f"/threats/sweeps/{sweep.pk}/resume").status_code == 404
        assert web(user).post(f"/threats/sweeps/{sweep.pk}/cancel/").status_code == 404
        assert web(user).post(f"/threats/sweeps/{sweep.pk}/resume/").status_code == 404
    with pytest.raises(Forbidden):
        sweeps.cancel_sweep(sweep, actor=rbkc_gold)
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.QUEUED
    assert not AuditEntry.objects.filter(action__in=["sweep.cancel", "sweep.resume"]).exists()

    # The responder cancels from the page, and resumes from it.
    responder = web(lbhf_responder)
    assert "sweep-cancel" in responder.get(f"/threats/sweeps/{sweep.pk}/").content.decode()
    assert responder.post(f"/threats/sweeps/{sweep.pk}/cancel/").status_code == 302
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.CANCELLED
    page = responder.get(f"/threats/sweeps/{sweep.pk}/").content.decode()
    assert "sweep-resume" in page and "sweep-cancel" not in page
    assert "sweep-resume" not in web(lbhf_viewer).get(f"/threats/sweeps/{sweep.pk}/").content.decode()
    assert api(lbhf_viewer).post(f"/threats/sweeps/{sweep.pk}/resume").status_code == 403
    assert api(lbhf_responder).post(f"/threats/sweeps/{sweep.pk}/cancel").status_code == 409
    assert responder.post(f"/threats/sweeps/{sweep.pk}/resume/").status_code == 302
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.QUEUED
    assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "succeeded"
    # A finished sweep can be neither cancelled nor resumed.
    assert api(lbhf_responder).post(f"/threats/sweeps/{sweep.pk}/cancel").status_code == 409
    assert api(lbhf_responder).post(f"/threats/sweeps/{sweep.pk}/resume").status_code == 409
    with pytest.raises(Conflict):
        sweeps.resume_sweep(sweep, actor=lbhf_responder)
    assert api(lbhf_responder).post("/threats/sweeps/999999/cancel").status_code == 404


def test_a_sweep_on_a_dask_cluster_records_the_same_hits(
    upload: Callable[[], Sweep], reference: list[tuple[Any, ...]], settings: Settings
) -> None:
    import distributed

    sweep = upload()
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]  # distributed is unannotated
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
    ) as cluster:
        settings.THREAT_SWEEP_CLUSTER = cluster.scheduler_address
        assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "succeeded"
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.SUCCEEDED and sweep.bytes_done == sweep.bytes_total > 0
    assert hits_of(sweep) == reference
