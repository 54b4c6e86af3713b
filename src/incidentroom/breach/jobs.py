"""Worker-side state changes: no actor, the permission check happened when the work was queued.

Called by ``breach.tasks`` and ``breach.emails`` with ids and run tokens; each change is its own
transaction, audited with actor None (shown as 'system'). A run whose token no longer matches
has been taken over by a resumed run and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from incidentroom.breach import enqueue, importer, letters, resident
from incidentroom.breach.models import (
    BatchStatus,
    Breach,
    ContactStatus,
    DeliveryStatus,
    EmailDelivery,
    EmailNotice,
    Individual,
    LetterBatch,
    ScanJob,
    ScanStatus,
)
from incidentroom.core import audit
from incidentroom.core.errors import Conflict

# -- scans ---------------------------------------------------------------------------------


@transaction.atomic
def scan_started(job_id: int, token: str) -> ScanJob | None:
    """Mark the job running for run ``token``, or return None if it was cancelled while
    queued or another run has taken it over."""
    job = ScanJob.objects.select_for_update().select_related("breach__organisation").filter(pk=job_id).first()
    if job is None or job.status != ScanStatus.QUEUED or job.run_token != token:
        return None
    job.status = ScanStatus.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "started_at", "heartbeat_at"])
    audit.record(
        actor=None,
        action="scan.running",
        obj=job,
        after={"status": job.status},
        organisations=[job.breach.organisation],
    )
    return job


def scan_queued(job_id: int, token: str, task_id: str) -> None:
    """Remember which queued task runs ``token`` of the job (a later run has its own)."""
    ScanJob.objects.filter(pk=job_id, run_token=token).update(task_id=task_id)


def scan_progress(
    job_id: int, token: str, *, files_done: int, files_total: int, bytes_done: int, bytes_total: int
) -> bool:
    """Store progress and a heartbeat; return True when the run should stop: a cancel was
    requested, or a resumed run has taken the job over."""
    mine = ScanJob.objects.filter(pk=job_id, run_token=token)
    updated = mine.update(
        files_done=files_done,
        files_total=files_total,
        bytes_done=bytes_done,
        bytes_total=bytes_total,
        heartbeat_at=timezone.now(),
    )
    return not updated or mine.filter(cancel_requested=True).exists()


@transaction.atomic
def complete_scan(job: ScanJob, out_dir: Path) -> ScanJob:
    """Import the scanner's outputs and link them to the breach: all of it or none of it.

    ``job`` carries the run token of the caller; a run that was taken over imports nothing.
    """
    token = job.run_token
    job = (
        ScanJob.objects.select_for_update()
        .select_related("breach__organisation", "breach__incident")
        .get(pk=job.pk)
    )
    if job.run_token != token:
        raise Conflict(f"Scan #{job.pk} was taken over by a resumed run; this run's results are discarded.")
    result = importer.import_results(job, out_dir)
    job.summary = importer.read_summary(out_dir)
    job.manifest = importer.import_manifest(out_dir)
    if result.unknown_categories:
        job.manifest["unknown_categories"] = result.unknown_categories
    job.individuals_imported = result.individuals
    job.status = ScanStatus.SUCCEEDED
    job.finished_at = timezone.now()
    job.save()
    audit.record(
        actor=None,
        action="scan.import",
        obj=job,
        after={"status": job.status, "individuals": result.individuals, "appearances": result.appearances},
        organisations=[job.breach.organisation],
    )
    return job


@transaction.atomic
def end_scan(job_id: int, token: str, *, status: str, error: str = "") -> None:
    """Record that run ``token`` of a scan failed or stopped after a cancel."""
    job = ScanJob.objects.select_for_update().select_related("breach__organisation").get(pk=job_id)
    if job.run_token != token:
        return  # a resumed run owns the job now; this run's ending is not news
    job.status = status
    job.error = error[:5000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    audit.record(
        actor=None,
        action=f"scan.{status}",
        obj=job,
        after={"status": status, "error": job.error},
        organisations=[job.breach.organisation],
    )


# -- letters -------------------------------------------------------------------------------


def render_letters(batch_id: int) -> LetterBatch | None:
    """Worker side: write the batch's files. Rendering happens outside any transaction (it is
    slow); only the status changes are written, each in its own."""
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().filter(pk=batch_id, status=BatchStatus.QUEUED).first()
        if batch is None:
            return None
        batch.status = BatchStatus.RENDERING
        batch.save(update_fields=["status"])
    breach = Breach.objects.select_related("organisation", "incident").get(pk=batch.breach_id)
    if not resident.is_approved(breach):
        # The wording changed after the batch was asked for: letters are printed from the
        # wording as it is now, so nothing is printed until the DPO approves it again.
        reason = "The resident wording changed after it was approved: approve it again, then generate the letters again."
        LetterBatch.objects.filter(pk=batch_id).update(
            status=BatchStatus.FAILED, error=reason, finished_at=timezone.now()
        )
        audit.record(
            actor=None,
            action="letters.refused",
            obj=batch,
            after={"reason": reason},
            organisations=[breach.organisation],
        )
        return None
    people = Individual.objects.filter(letters__batch_id=batch.pk)
    try:
        count = letters.write_batch(breach, people, Path(batch.directory))
    except Exception as exc:
        LetterBatch.objects.filter(pk=batch_id).update(
            status=BatchStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        LetterBatch.objects.filter(pk=batch_id).update(status=BatchStatus.READY, finished_at=timezone.now())
        audit.record(
            actor=None,
            action="letters.rendered",
            obj=batch,
            after={"letters": count},
            organisations=[breach.organisation],
        )
    batch.refresh_from_db()
    return batch


# -- emails --------------------------------------------------------------------------------


def same_person_key(person: Individual) -> str:
    return " ".join(person.full_name.casefold().split())


def notified_by_email(delivery: EmailDelivery) -> None:
    person = Individual.objects.filter(pk=delivery.individual_id).only("breach_id", "full_name").first()
    if person is None:
        return
    # The other records of the same person at the same mailbox were folded into this email.
    same = [
        p.pk
        for p in Individual.objects.filter(
            breach_id=person.breach_id, email=delivery.address, contact_status=ContactStatus.TO_NOTIFY
        ).only("full_name")
        if same_person_key(p) == same_person_key(person)
    ]
    Individual.objects.filter(
        pk__in=[delivery.individual_id, *same], contact_status=ContactStatus.TO_NOTIFY
    ).update(
        contact_status=ContactStatus.NOTIFIED,
        notified_at=delivery.sent_at or timezone.now(),
        notified_how="email",
    )


# Worker side of sending: claim one row, send, record. Each step is its own transaction so
# a restart between them leaves a row 'sending' (claimed, maybe sent) - never 'pending'.


@transaction.atomic
def claim_delivery(notice_id: int, token: str, now: dt.datetime | None = None) -> EmailDelivery | None:
    """Claim the next email to send for this run, or None when done (or another run took over)."""
    now = now or timezone.now()
    notice = EmailNotice.objects.select_for_update().filter(pk=notice_id, run_token=token).first()
    if notice is None:
        return None
    breach = Breach.objects.get(pk=notice.breach_id)
    if not resident.is_approved(breach):
        # The wording changed while sending: stop this run before another email goes out.
        # Resume (actions.start_sending) asks for the approval again.
        EmailNotice.objects.filter(pk=notice_id).update(run_token="")
        audit.record(
            actor=None,
            action="email_notice.stopped",
            obj=notice,
            after={"reason": "resident wording changed after approval"},
            organisations=[breach.organisation],
        )
        return None
    due = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
    delivery = (
        EmailDelivery.objects.select_for_update()
        .filter(due, notice_id=notice_id)
        .select_related("individual", "notice__breach__organisation", "notice__breach__incident")
        .order_by("id")
        .first()
    )
    if delivery is None:
        return None
    delivery.status = DeliveryStatus.SENDING
    delivery.claimed_by = token
    delivery.claimed_at = now
    delivery.attempts = F("attempts") + 1
    delivery.save(update_fields=["status", "claimed_by", "claimed_at", "attempts"])
    delivery.refresh_from_db(fields=["attempts"])
    return delivery


@transaction.atomic
def delivery_sent(delivery: EmailDelivery, *, message_id: str) -> None:
    """Record a successful send (even if a newer run marked the row uncertain meanwhile)."""
    now = timezone.now()
    updated = EmailDelivery.objects.filter(
        pk=delivery.pk,
        claimed_by=delivery.claimed_by,
        status__in=[DeliveryStatus.SENDING, DeliveryStatus.UNCERTAIN],
    ).update(status=DeliveryStatus.SENT, sent_at=now, message_id=message_id[:200], last_error="")
    if updated:
        delivery.sent_at = now
        notified_by_email(delivery)
        audit.record(
            actor=None,
            action="email_delivery.sent",
            obj=delivery,
            after={"status": "sent", "attempts": delivery.attempts, "message_id": message_id},
            organisations=[delivery.notice.breach.organisation],
        )


@transaction.atomic
def delivery_failed(delivery: EmailDelivery, *, error: str) -> None:
    """Record a refused send; retried later until the attempts run out."""
    gave_up = delivery.attempts >= settings.BREACH_EMAIL_MAX_ATTEMPTS
    retry_at = timezone.now() + dt.timedelta(seconds=settings.BREACH_EMAIL_RETRY_SECONDS * delivery.attempts)
    EmailDelivery.objects.filter(pk=delivery.pk, claimed_by=delivery.claimed_by).update(
        status=DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.FAILED,
        next_attempt_at=None if gave_up else retry_at,
        last_error=error[:2000],
    )
    audit.record(
        actor=None,
        action="email_delivery.failed",
        obj=delivery,
        after={"attempts": delivery.attempts, "gave_up": gave_up, "error": error[:500]},
        organisations=[delivery.notice.breach.organisation],
    )


def schedule_retry(notice_id: int, token: str) -> dt.datetime | None:
    """After a run, queue the next one for when the earliest failed email may be retried."""
    nxt = (
        EmailDelivery.objects.filter(notice_id=notice_id, status=DeliveryStatus.FAILED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if nxt is not None and EmailNotice.objects.filter(pk=notice_id, run_token=token).exists():
        enqueue.enqueue(enqueue.EmailRun(notice_id, token, run_after=nxt))
    return nxt
