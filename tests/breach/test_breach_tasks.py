"""The scan as a background task: the real scanner on a generated archive, run by the worker."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from incidentroom.breach import actions, jobs, tasks
from incidentroom.breach.models import Breach, Individual, ScanJob, ScanStatus
from incidentroom.core.errors import Conflict
from tests.helpers.scangen import generate_archive

FORMATS = {"csv", "xlsx", "docx", "eml", "pdf"}


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated council archive (shared by the tests here)."""
    root = tmp_path_factory.mktemp("evidence") / "rbkc" / "rbkc-archive"
    generate_archive(root, n_people=24, seed=5, formats=FORMATS, containers=False)
    return root


def _run_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real worker loop, in-process, until the queue is empty. Its connection housekeeping
    # would drop the test's open transaction (on PostgreSQL), so only that is switched off.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    # It also installs its own SIGINT/SIGTERM handlers; put pytest's back afterwards.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


# Two workers: the task worker forks a scanning process while it holds an open database
# connection and transaction; the results are then imported over that same connection.
@pytest.mark.parametrize("workers", [1, 2])
def test_worker_runs_the_real_scanner_and_imports_its_results(
    breach: Breach,
    rbkc_dpo: User,
    small_archive: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
) -> None:
    settings.BREACH_SCAN_ROOTS = [str(small_archive.parent.parent)]
    settings.BREACH_SCAN_WORKERS = workers
    monkeypatch.setenv("INCIDENTROOM_SCAN_START", "fork")
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(small_archive))])
    _run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == ScanStatus.SUCCEEDED, job.error
    assert job.files_total > 0 and job.files_done == job.files_total and job.percent == 100
    assert job.summary["complete"] is True and job.summary["workers"] == workers
    people = Individual.objects.filter(scan=job)
    assert people.count() == job.individuals_imported == job.summary["individuals"] > 0
    assert job.manifest["by_status"]["scanned"] > 0
    assert all([o.code for o in p.organisations.all()] == ["RBKC"] for p in people)
    assert all(p.appearances.exists() for p in people)
    high = people.filter(risk="high").count()
    assert high == job.summary["individuals_by_risk"]["high"]
    report = actions.draft_report(breach, actor=rbkc_dpo, kind="ico")
    assert report.facts["scan"]["individuals"] == people.count()
    assert report.facts["scan"]["records"] == job.summary["records"]


def test_cancel_requested_mid_scan_stops_it(
    breach: Breach, rbkc_dpo: User, small_archive: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BREACH_SCAN_ROOTS = [str(small_archive.parent.parent)]
    job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(small_archive))])
    seen: list[int] = []
    real_progress = jobs.scan_progress

    def progress_then_cancel(job_id: int, token: str, **kw: int) -> bool:
        seen.append(kw["files_done"])
        if len(seen) == 1:
            # The DPO presses Cancel while the first files are being read.
            actions.cancel_scan(job, actor=rbkc_dpo)
        return real_progress(job_id, token, **kw)

    monkeypatch.setattr(jobs, "scan_progress", progress_then_cancel)
    monkeypatch.setattr(tasks, "PROGRESS_INTERVAL", 0.0)
    assert tasks.run_scan_job.call(job.pk, job.run_token) == "cancelled"
    job.refresh_from_db()
    assert job.status == ScanStatus.CANCELLED and job.cancel_requested
    assert job.files_done < job.files_total
    assert not Individual.objects.filter(scan=job).exists()

    # Resume: the scanner's checkpoints let it skip what was done; the result is complete.
    monkeypatch.setattr(jobs, "scan_progress", real_progress)
    resumed = actions.resume_scan(job, actor=rbkc_dpo)
    assert resumed.run_token != job.run_token
    assert tasks.run_scan_job.call(job.pk, job.run_token) == "skipped"  # the old run may not come back
    assert tasks.run_scan_job.call(job.pk, resumed.run_token, True) == "succeeded"
    resumed.refresh_from_db()
    assert resumed.status == ScanStatus.SUCCEEDED and resumed.summary["complete"] is True
    assert resumed.files_done == resumed.files_total
    assert Individual.objects.filter(scan=job).count() == resumed.summary["individuals"] > 0
    with pytest.raises(Conflict):
        actions.resume_scan(resumed, actor=rbkc_dpo)


def test_a_stalled_scan_can_be_resumed_and_its_old_run_is_retired(
    breach: Breach, rbkc_dpo: User, media: Path, settings: Settings
) -> None:
    (media / "archive").mkdir()
    job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(media / "archive"))])
    old = job.run_token
    assert actions.scan_started(job.pk, old) is not None
    with pytest.raises(Conflict):  # alive and well: nothing to resume
        actions.resume_scan(job, actor=rbkc_dpo)
    settings.BREACH_SCAN_STALE_SECONDS = -1  # its worker went silent (no waiting: the threshold moves)
    job.refresh_from_db()
    assert job.is_stale
    resumed = actions.resume_scan(job, actor=rbkc_dpo)
    assert resumed.status == ScanStatus.QUEUED
    # The old run, if it were still alive, is told to stop and cannot import or end the job.
    assert (
        actions.scan_progress(job.pk, old, files_done=1, files_total=2, bytes_done=1, bytes_total=2) is True
    )
    actions.end_scan(job.pk, old, status=ScanStatus.FAILED, error="late")
    resumed.refresh_from_db()
    assert resumed.status == ScanStatus.QUEUED and resumed.error == ""
    stale_job = ScanJob.objects.get(pk=job.pk)
    stale_job.run_token = old
    with pytest.raises(Conflict):
        actions.complete_scan(stale_job, media)


def test_a_scan_of_a_vanished_folder_fails_with_the_reason(
    breach: Breach, rbkc_dpo: User, media: Path
) -> None:
    folder = media / "gone"
    folder.mkdir()
    job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(folder))])
    folder.rmdir()
    assert tasks.run_scan_job.call(job.pk, job.run_token) == "failed"
    job.refresh_from_db()
    assert job.status == ScanStatus.FAILED and job.error


def test_queued_work_nobody_listens_for_is_refused_not_lost() -> None:
    """Actions announce work instead of importing the tasks; if the tasks were not connected
    the work would never run, so announcing it fails loudly."""
    from incidentroom.breach import enqueue

    enqueue.work_queued.disconnect(dispatch_uid="breach.tasks.work_queued")
    try:
        with pytest.raises(RuntimeError, match="not connected"):
            enqueue.enqueue(enqueue.LetterRender(1))
    finally:
        tasks.connect()
    assert enqueue.work_queued.has_listeners(enqueue.LetterRender)
