"""Scans of the stolen copy: start (from a server folder or an upload), resume, cancel, discard.

The worker's side of a scan (running, progress, import) is in ``breach.jobs``."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from incidentroom.breach import enqueue, evidence
from incidentroom.breach.access import controller_org_ids, require_controller_role
from incidentroom.breach.actions._common import log
from incidentroom.breach.models import Breach, ScanJob, ScanStatus
from incidentroom.core import audit
from incidentroom.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents.models import EntryKind
from incidentroom.incidents.queries import check_involved


@dataclass(frozen=True)
class ScanSource:
    """A folder or archive on the server, and the controller whose data it holds (default: the breach's)."""

    path: str
    organisation: Organisation | None = None


@transaction.atomic
def start_scan(breach: Breach, *, actor: Any, sources: Sequence[ScanSource]) -> ScanJob:
    """Queue a scan of the stolen copy; a worker runs it and imports the results."""
    require_controller_role(actor, [breach.organisation], "start a scan for this breach")
    if not sources:
        raise InvalidInput("Give at least one folder or archive to scan.", field="path")
    clean = []
    for source in sources:
        org = _involved(breach, source.organisation)
        if _may_add_people(breach, org, actor):
            path, _ = evidence.check_source(source.path, org)
        else:
            # People from a folder shared with the breach's organisation may still go on a
            # co-owner's list: every owner has agreed to that folder being scanned.
            try:
                path, root = evidence.check_source(source.path, org)
            except DomainError:
                root = None
            if root is None or not (root.shared and breach.organisation.code in root.owners):
                raise _not_your_list(org)
        clean.append({"path": str(path), "organisation": org.code})
    if breach.scans.filter(status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING, ScanStatus.IMPORTING]).exists():
        raise Conflict("A scan of this breach is already running; wait for it or cancel it.")
    job = ScanJob.objects.create(
        breach=breach, sources=clean, created_by=actor, run_token=secrets.token_hex(8)
    )
    job.out_dir = str(Path(settings.MEDIA_ROOT) / "breach" / "scans" / str(job.pk))
    job.save(update_fields=["out_dir"])
    audit.record(
        actor=actor,
        action="scan.start",
        obj=job,
        after=audit.snapshot(job, ["sources", "status"]),
        organisations=[breach.organisation],
    )
    log(
        breach.incident,
        actor,
        f"Scan #{job.pk} of the stolen data started for {breach.organisation.code}.",
        breach.organisation,
        kind=EntryKind.ACTION,
    )

    transaction.on_commit(lambda: enqueue.enqueue(enqueue.ScanRun(job.pk, job.run_token, resume=False)))
    return job


def _involved(breach: Breach, organisation: Organisation | None) -> Organisation:
    """The controller a source's people are attributed to: the breach's own by default."""
    return check_involved(breach.incident, organisation or breach.organisation)


def _may_add_people(breach: Breach, org: Organisation, actor: Any) -> bool:
    """Adding people to another organisation's list is that organisation's decision: it
    needs its DPO or Gold (staff of a shared service may hold both roles)."""
    return org.pk == breach.organisation_id or org.pk in controller_org_ids(actor)


def _not_your_list(org: Organisation) -> Forbidden:
    return Forbidden(
        f"Only {org.code}'s DPO or Gold may add people to {org.code}'s list, except from a "
        f"shared folder every owner has agreed to have scanned.",
        field="organisation",
    )


@transaction.atomic
def resume_scan(job: ScanJob, *, actor: Any) -> ScanJob:
    """Carry on a failed, cancelled or abandoned scan from its checkpoints (files already
    scanned are skipped). A new run token retires any run that is somehow still alive."""
    breach = job.breach
    require_controller_role(actor, [breach.organisation], "resume this scan")
    job = ScanJob.objects.select_for_update().get(pk=job.pk)
    if not job.can_resume:
        raise Conflict(
            f"Scan #{job.pk} is {job.get_status_display().lower()}; only a failed, cancelled or "
            "stalled scan can be resumed."
        )
    others = breach.scans.exclude(pk=job.pk).filter(
        status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING, ScanStatus.IMPORTING]
    )
    if others.exists():
        raise Conflict("Another scan of this breach is running; wait for it or cancel it.")
    before = audit.snapshot(job, ["status", "run_token", "error"])
    job.status = ScanStatus.QUEUED
    job.run_token = secrets.token_hex(8)
    job.cancel_requested = False
    job.error = ""
    job.finished_at = None
    job.save(update_fields=["status", "run_token", "cancel_requested", "error", "finished_at"])
    audit.record(
        actor=actor,
        action="scan.resume",
        obj=job,
        before=before,
        after=audit.snapshot(job, ["status", "run_token", "error"]),
        organisations=[breach.organisation],
    )
    log(
        breach.incident,
        actor,
        f"Scan #{job.pk} resumed from where it stopped.",
        breach.organisation,
        kind=EntryKind.ACTION,
    )
    token = job.run_token
    transaction.on_commit(lambda: enqueue.enqueue(enqueue.ScanRun(job.pk, token, resume=True)))
    return job


def start_upload_scan(
    breach: Breach,
    *,
    actor: Any,
    filename: str,
    chunks: Iterable[bytes],
    organisation: Organisation | None = None,
) -> ScanJob:
    """Keep an uploaded archive on the server and queue a scan of it."""
    require_controller_role(actor, [breach.organisation], "start a scan for this breach")
    # Refused before a byte is written: the upload lands in the attributed organisation's area.
    org = _involved(breach, organisation)
    if not _may_add_people(breach, org, actor):
        raise _not_your_list(org)
    name = get_valid_filename(Path(filename or "upload").name) or "upload"
    target = evidence.upload_area(org) / str(breach.pk) / secrets.token_hex(8) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > settings.BREACH_UPLOAD_MAX_BYTES:
                out.close()
                shutil.rmtree(target.parent, ignore_errors=True)
                raise InvalidInput(
                    f"The upload is larger than {settings.BREACH_UPLOAD_MAX_BYTES:,} bytes; "
                    "copy it to the server's evidence folder and scan it there.",
                    field="file",
                )
            out.write(chunk)
    if size == 0:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise InvalidInput("The uploaded file is empty.", field="file")
    try:
        return start_scan(breach, actor=actor, sources=[ScanSource(str(target), org)])
    except Exception:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise


@transaction.atomic
def cancel_scan(job: ScanJob, *, actor: Any) -> ScanJob:
    """Ask a running scan to stop (it stops between files); a queued one is cancelled at once."""
    breach = job.breach
    require_controller_role(actor, [breach.organisation], "cancel this scan")
    job = ScanJob.objects.select_for_update().get(pk=job.pk)
    if job.is_finished or job.status == ScanStatus.IMPORTING:
        raise Conflict(f"Scan #{job.pk} has already {job.get_status_display().lower()}; nothing to cancel.")
    before = audit.snapshot(job, ["status", "cancel_requested"])
    job.cancel_requested = True
    if job.status == ScanStatus.QUEUED or job.is_stale:
        # Nobody is running it (not started yet, or its worker died): stop it here.
        job.status = ScanStatus.CANCELLED
        job.finished_at = timezone.now()
    job.save(update_fields=["cancel_requested", "status", "finished_at"])
    audit.record(
        actor=actor,
        action="scan.cancel",
        obj=job,
        before=before,
        after=audit.snapshot(job, ["status", "cancel_requested"]),
        organisations=[breach.organisation],
    )
    log(breach.incident, actor, f"Scan #{job.pk} cancelled.", breach.organisation, kind=EntryKind.ACTION)
    return job


@transaction.atomic
def discard_scan(job: ScanJob, *, actor: Any, reason: str) -> ScanJob:
    """Stop counting a finished scan's people (it was rescanned, or read the wrong folder).

    The records stay, with anything already done to them; they just leave the counts,
    the lists, letters and emails.
    """
    breach = job.breach
    require_controller_role(actor, [breach.organisation], "discard this scan's results")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Say why these results should no longer count; it is kept for the record.", field="reason"
        )
    job = ScanJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ScanStatus.SUCCEEDED:
        raise Conflict(
            f"Scan #{job.pk} is {job.get_status_display().lower()}; only finished results can be discarded."
        )
    before = audit.snapshot(job, ["status", "discard_reason"])
    job.status = ScanStatus.DISCARDED
    job.discard_reason = reason[:2000]
    job.save(update_fields=["status", "discard_reason"])
    audit.record(
        actor=actor,
        action="scan.discard",
        obj=job,
        before=before,
        after=audit.snapshot(job, ["status", "discard_reason"]),
        organisations=[breach.organisation],
    )
    log(
        breach.incident,
        actor,
        f"Results of scan #{job.pk} ({job.individuals_imported} people) discarded "
        f"for {breach.organisation.code}: {job.discard_reason}",
        breach.organisation,
        kind=EntryKind.DECISION,
    )
    return job
