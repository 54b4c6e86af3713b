"""Background tasks (django-tasks, database backend): the scan and the email batches.

Tasks take ids, load fresh rows and call the worker-side functions in ``breach.jobs``; they
hold no logic of their own beyond wiring the scanner's callbacks to the job's progress and
cancel flag.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks import task

from incidentroom.breach import emails, enqueue, evidence, jobs
from incidentroom.breach.models import ScanStatus
from incidentroom.core.models import Organisation

logger = logging.getLogger(__name__)
# Progress reaches the database at most this often: a scan of many small files reports
# thousands of times a second, and the page polls every couple of seconds anyway.
PROGRESS_INTERVAL = 0.5


class _Progress:
    """Scanner callbacks bound to one job: store progress, and answer 'should I stop?'."""

    def __init__(self, job_id: int, token: str) -> None:
        self.job_id = job_id
        self.token = token
        self.cancelled = False
        self._last = 0.0
        self._latest: Any = None

    def __call__(self, progress: Any) -> None:
        self._latest = progress
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL:
            self.flush()
            self._last = now

    def flush(self) -> None:
        """Write the latest progress and pick up a cancel request."""
        p = self._latest
        if p is None:
            self.cancelled = self.cancelled or jobs.scan_progress(
                self.job_id, self.token, files_done=0, files_total=0, bytes_done=0, bytes_total=0
            )
            return
        self.cancelled = self.cancelled or jobs.scan_progress(
            self.job_id,
            self.token,
            files_done=int(p.files_done),
            files_total=int(p.files_total),
            bytes_done=int(p.bytes_done),
            bytes_total=int(p.bytes_total),
        )

    def should_stop(self) -> bool:
        """Checked by the scanner between files."""
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL:
            self.flush()
            self._last = now
        return self.cancelled


@task()
def run_scan_job(job_id: int, token: str, resume: bool = False) -> str:
    """Run the scanner over the job's sources (resuming from its checkpoints when asked),
    then import its outputs."""
    from incidentroom.scanner import run_scan

    job = jobs.scan_started(job_id, token)
    if job is None:
        return "skipped"
    out_dir = Path(job.out_dir)
    if out_dir.exists() and not resume:
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = _Progress(job_id, token)
    try:
        # Checked again as the run starts: a consent may have been withdrawn, or a folder
        # replaced by a link, since the scan was queued.
        paths = [
            evidence.check_source_path(s["path"], Organisation.objects.get(code=s["organisation"]))
            for s in job.sources
        ]
        summary = run_scan(
            paths,
            out_dir,
            workers=settings.BREACH_SCAN_WORKERS,
            cluster=settings.BREACH_SCAN_CLUSTER,
            resume=resume,
            progress=progress,
            should_stop=progress.should_stop,
        )
        progress.flush()
        if progress.cancelled or not summary.complete:
            jobs.end_scan(job_id, token, status=ScanStatus.CANCELLED)
            return "cancelled"
        jobs.complete_scan(job, out_dir)
    except Exception as exc:
        if progress.cancelled:
            # A scanner may stop by raising once should_stop() says so: that is a cancel, not a failure.
            jobs.end_scan(job_id, token, status=ScanStatus.CANCELLED)
            return "cancelled"
        logger.exception("Scan job %s failed", job_id)
        jobs.end_scan(job_id, token, status=ScanStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    return "succeeded"


@task()
def send_email_notice(notice_id: int, token: str) -> dict[str, int]:
    """Send a notice's due emails for one run (see ``breach.emails`` for the guarantee)."""
    result = emails.run_batch(notice_id, token)
    return {"sent": result.sent, "failed": result.failed}


@task()
def render_letter_batch(batch_id: int) -> str:
    """Render a letter batch's PDFs, print file, CSV and zip."""
    batch = jobs.render_letters(batch_id)
    return "skipped" if batch is None else batch.status


def on_work_queued(sender: Any, *, work: enqueue.Work, **_: Any) -> None:
    """Enqueue the task for a request announced by ``breach.enqueue``."""
    match work:
        case enqueue.ScanRun(job_id=job_id, token=token, resume=resume):
            result = run_scan_job.enqueue(job_id, token, resume)
            jobs.scan_queued(job_id, token, str(result.id))
        case enqueue.EmailRun(notice_id=notice_id, token=token, run_after=run_after):
            task = send_email_notice.using(run_after=run_after) if run_after else send_email_notice
            task.enqueue(notice_id, token)
        case enqueue.LetterRender(batch_id=batch_id):
            render_letter_batch.enqueue(batch_id)


def connect() -> None:
    """Listen for queued work (called once from the app's ready())."""
    enqueue.work_queued.connect(on_work_queued, dispatch_uid="breach.tasks.work_queued")
