"""Queue the breach app's background work (called from ``transaction.on_commit``)."""

from __future__ import annotations

import datetime as dt

from incidentroom.breach.models import ScanJob


def enqueue_scan(job_id: int, token: str, *, resume: bool) -> None:
    """Queue run ``token`` of a scan and remember its task id."""
    from incidentroom.breach.tasks import run_scan_job

    result = run_scan_job.enqueue(job_id, token, resume)
    ScanJob.objects.filter(pk=job_id, run_token=token).update(task_id=str(result.id))


def enqueue_sending(notice_id: int, token: str, run_after: dt.datetime | None = None) -> None:
    """Queue run ``token`` of an email notice, now or once ``run_after`` has passed."""
    from incidentroom.breach.tasks import send_email_notice

    task = send_email_notice.using(run_after=run_after) if run_after else send_email_notice
    task.enqueue(notice_id, token)


def enqueue_letters(batch_id: int) -> None:
    """Queue the rendering of a letter batch."""
    from incidentroom.breach.tasks import render_letter_batch

    render_letter_batch.enqueue(batch_id)
