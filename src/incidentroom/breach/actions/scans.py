"""Every change to breach data. Views, the API and tasks only parse input and call these.

Each action is atomic, checks that the actor is DPO or Gold of the controller, writes an
audit entry, and schedules background work with ``transaction.on_commit`` so a worker
never picks up a job whose row is not yet committed.

Audit entries about individuals carry ids and statuses, never names or addresses: the
audit trail is readable by Silver, who may not see the notification list.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from incidentroom.breach import evidence, importer, letters
from incidentroom.breach.access import controller_org_ids, require_controller_role
from incidentroom.breach.models import (
    Appearance,
    BatchStatus,
    Breach,
    ContactStatus,
    DeliveryStatus,
    EmailDelivery,
    EmailNotice,
    Individual,
    Letter,
    LetterBatch,
    PeopleCategory,
    PublicNotice,
    Report,
    ReportKind,
    Risk,
    ScanJob,
    ScanStatus,
)
from incidentroom.breach.reports.facts import counted_individuals, gather
from incidentroom.core import audit, times
from incidentroom.core.emailaddr import normalise_email
from incidentroom.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import EntryKind, Incident, Involvement, ObligationStatus
from incidentroom.scanner.policy import RiskPolicy
from incidentroom.scanner.vocab import CATEGORIES

FUTURE_SKEW = dt.timedelta(minutes=5)
BREACH_FIELDS = (
    "description",
    "data_sets",
    "occurred_at",
    "became_aware_at",
    "discovery",
    "cyber_incident",
    "confidentiality",
    "integrity",
    "availability",
    "people_categories",
    "likely_consequences",
    "measures_taken",
    "measures_proposed",
    "delay_reason",
)
TEXT_FIELDS = (
    "description",
    "data_sets",
    "discovery",
    "likely_consequences",
    "measures_taken",
    "measures_proposed",
    "delay_reason",
)
# What the audit trail may hold about a person (no names, addresses or contact details).
INDIVIDUAL_AUDIT_FIELDS = (
    "person_id",
    "risk",
    "categories",
    "document_count",
    "contact_status",
    "notified_at",
    "notified_how",
    "do_not_contact_reason",
    "merged_into_id",
)
RISK_ORDER = {Risk.LOW.value: 0, Risk.MEDIUM.value: 1, Risk.HIGH.value: 2}


def _aware_past(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    value = times.check_datetime(value, field)
    if value > timezone.now() + FUTURE_SKEW:
        raise InvalidInput(f"{field} cannot be in the future.", field=field)
    return value


def _log(
    incident: Incident, actor: Any, text: str, organisation: Organisation, kind: str = EntryKind.NOTE
) -> None:
    # The incident log is read by everyone in the incident: only counts and facts, never people.
    incident_actions.add_log_entry(incident, actor=actor, kind=kind, text=text, organisations=[organisation])


# -- the breach record -------------------------------------------------------------------


def _clean_breach_fields(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(BREACH_FIELDS)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    clean = dict(changes)
    for field in TEXT_FIELDS:
        if field in clean:
            clean[field] = str(clean[field] or "").strip()
            if len(clean[field]) > 20000:
                raise InvalidInput(f"{field} is at most 20,000 characters.", field=field)
    if "description" in clean and not clean["description"]:
        raise InvalidInput("Say what happened: the description is required.", field="description")
    for field in ("occurred_at", "became_aware_at"):
        if field in clean:
            clean[field] = _aware_past(clean[field], field)
    if "became_aware_at" in clean and clean["became_aware_at"] is None:
        raise InvalidInput("became_aware_at is required: it starts the ICO clock.", field="became_aware_at")
    if "people_categories" in clean:
        cats = list(dict.fromkeys(clean["people_categories"] or []))
        bad = [c for c in cats if c not in PeopleCategory.values]
        if bad:
            raise InvalidInput(
                f"Unknown categories of people: {', '.join(bad)}; use {', '.join(PeopleCategory.values)}.",
                field="people_categories",
            )
        clean["people_categories"] = cats
    return clean


@transaction.atomic
def record_breach(
    incident: Incident,
    *,
    actor: Any,
    organisation: Organisation,
    description: str,
    became_aware_at: dt.datetime,
    **details: Any,
) -> Breach:
    """Record a controller's personal data breach; declares it on the incident (starting the
    ICO clock) if that has not been done, or moves the clock to the awareness time given."""
    require_controller_role(actor, [organisation], "record a personal data breach")
    inv = Involvement.objects.filter(incident=incident, organisation=organisation).first()
    if inv is None:
        raise InvalidInput(
            f"{organisation.code} is not involved in {incident.reference}.", field="organisation"
        )
    if Breach.objects.filter(incident=incident, organisation=organisation).exists():
        raise Conflict(
            f"A breach is already recorded for {organisation.code} in this incident; update it instead."
        )
    fields = _clean_breach_fields({"description": description, "became_aware_at": became_aware_at, **details})
    occurred = fields.get("occurred_at")
    if occurred is not None and occurred > fields["became_aware_at"]:
        raise InvalidInput(
            "The breach cannot have happened after you became aware of it.", field="occurred_at"
        )
    if not inv.personal_data_breach:
        incident_actions.flag_personal_data_breach(
            incident, actor=actor, organisation=organisation, became_aware_at=fields["became_aware_at"]
        )
    elif inv.became_aware_at != fields["became_aware_at"]:
        incident_actions.set_became_aware(
            incident, actor=actor, organisation=organisation, became_aware_at=fields["became_aware_at"]
        )
    breach = Breach.objects.create(incident=incident, organisation=organisation, created_by=actor, **fields)
    audit.record(
        actor=actor,
        action="breach.record",
        obj=breach,
        after=audit.snapshot(breach),
        organisations=[organisation],
    )
    data_sets = breach.data_set_list()
    _log(
        incident,
        actor,
        f"Breach assessment recorded for {organisation.code}"
        + (f"; data sets: {', '.join(data_sets)}." if data_sets else "."),
        organisation,
    )
    return breach


@transaction.atomic
def update_breach(breach: Breach, *, actor: Any, **changes: Any) -> Breach:
    """Change the assessment; a new awareness time moves the ICO clock (unless already reported)."""
    require_controller_role(actor, [breach.organisation], "update this breach")
    fields = _clean_breach_fields(changes)
    occurred = fields.get("occurred_at", breach.occurred_at)
    aware = fields.get("became_aware_at", breach.became_aware_at)
    if occurred is not None and occurred > aware:
        raise InvalidInput(
            "The breach cannot have happened after you became aware of it.", field="occurred_at"
        )
    before = audit.snapshot(breach, BREACH_FIELDS)
    if "became_aware_at" in fields and fields["became_aware_at"] != breach.became_aware_at:
        incident_actions.set_became_aware(
            breach.incident,
            actor=actor,
            organisation=breach.organisation,
            became_aware_at=fields["became_aware_at"],
        )
    for name, value in fields.items():
        setattr(breach, name, value)
    breach.updated_at = timezone.now()
    breach.save()
    audit.record(
        actor=actor,
        action="breach.update",
        obj=breach,
        before=before,
        after=audit.snapshot(breach, BREACH_FIELDS),
        organisations=[breach.organisation],
    )
    return breach


# -- scans -----------------------------------------------------------------------------


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
    _log(
        breach.incident,
        actor,
        f"Scan #{job.pk} of the stolen data started for {breach.organisation.code}.",
        breach.organisation,
        kind=EntryKind.ACTION,
    )

    transaction.on_commit(lambda: _enqueue_scan(job.pk, job.run_token, resume=False))
    return job


def _involved(breach: Breach, organisation: Organisation | None) -> Organisation:
    """The controller a source's people are attributed to: the breach's own by default."""
    org = organisation or breach.organisation
    if not breach.incident.involvements.filter(organisation=org).exists():
        raise InvalidInput(f"{org.code} is not involved in this incident.", field="organisation")
    return org


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


def _enqueue_scan(job_id: int, token: str, *, resume: bool) -> None:
    from incidentroom.breach.tasks import run_scan_job

    result = run_scan_job.enqueue(job_id, token, resume)
    ScanJob.objects.filter(pk=job_id, run_token=token).update(task_id=str(result.id))


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
    _log(
        breach.incident,
        actor,
        f"Scan #{job.pk} resumed from where it stopped.",
        breach.organisation,
        kind=EntryKind.ACTION,
    )
    token = job.run_token
    transaction.on_commit(lambda: _enqueue_scan(job.pk, token, resume=True))
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
    _log(breach.incident, actor, f"Scan #{job.pk} cancelled.", breach.organisation, kind=EntryKind.ACTION)
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
    _log(
        breach.incident,
        actor,
        f"Results of scan #{job.pk} ({job.individuals_imported} people) discarded "
        f"for {breach.organisation.code}: {job.discard_reason}",
        breach.organisation,
        kind=EntryKind.DECISION,
    )
    return job


# The functions below are called by the worker (actor 'system'); the permission check
# happened when the job was started.


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


# -- individuals ---------------------------------------------------------------------------


def _orgs(individual: Individual) -> list[Organisation]:
    return list(individual.organisations.all())


def _require_person(actor: Any, individual: Individual, doing: str) -> None:
    require_controller_role(actor, _orgs(individual), doing)
    if individual.contact_status == ContactStatus.MERGED:
        raise Conflict("This record was merged into another; change that one instead.")


@transaction.atomic
def mark_notified(
    individual: Individual, *, actor: Any, how: str = "letter", at: dt.datetime | None = None
) -> Individual:
    """Record that the person has been told (letter, email, phone, in person)."""
    _require_person(actor, individual, "record that this person was notified")
    how = (how or "").strip()[:100]
    if not how:
        raise InvalidInput("Say how the person was told (letter, email, phone...).", field="how")
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    individual.contact_status = ContactStatus.NOTIFIED
    individual.notified_at = _aware_past(at, "at") or timezone.now()
    individual.notified_how = how
    individual.do_not_contact_reason = ""
    individual.save()
    audit.record(
        actor=actor,
        action="individual.notified",
        obj=individual,
        before=before,
        after=audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS),
        organisations=_orgs(individual),
    )
    return individual


@transaction.atomic
def set_do_not_contact(individual: Individual, *, actor: Any, reason: str) -> Individual:
    """Exclude the person from letters and emails, with the reason (deceased, already informed...)."""
    _require_person(actor, individual, "change whether this person is contacted")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Give the reason not to contact this person; it is kept for the record.", field="reason"
        )
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    individual.contact_status = ContactStatus.DO_NOT_CONTACT
    individual.do_not_contact_reason = reason[:300]
    individual.save()
    audit.record(
        actor=actor,
        action="individual.do_not_contact",
        obj=individual,
        before=before,
        after=audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS),
        organisations=_orgs(individual),
    )
    return individual


@transaction.atomic
def reset_contact(individual: Individual, *, actor: Any) -> Individual:
    """Put the person back on the list to notify (a do-not-contact decision reversed)."""
    _require_person(actor, individual, "change whether this person is contacted")
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    individual.contact_status = ContactStatus.TO_NOTIFY
    individual.do_not_contact_reason = ""
    individual.notified_at = None
    individual.notified_how = ""
    individual.save()
    audit.record(
        actor=actor,
        action="individual.reset_contact",
        obj=individual,
        before=before,
        after=audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS),
        organisations=_orgs(individual),
    )
    return individual


def _recount(individual: Individual) -> None:
    individual.document_count = individual.appearances.values("path").distinct().count()


@transaction.atomic
def merge_individuals(keep: Individual, *, actor: Any, others: Sequence[Individual]) -> Individual:
    """Merge records of the same person by hand: ``keep`` gains their documents, categories and
    organisations; the others stay (marked merged) so the change can be traced."""
    _require_person(actor, keep, "merge records")
    others = [o for o in others if o.pk != keep.pk]
    if not others:
        raise InvalidInput("Choose at least one other record to merge into this one.", field="others")
    for other in others:
        _require_person(actor, other, "merge records")
        if other.breach_id != keep.breach_id:
            raise InvalidInput("Only records found for the same breach can be merged.", field="others")
    before = audit.snapshot(keep, INDIVIDUAL_AUDIT_FIELDS)
    cats = set(keep.category_list())
    for other in others:
        other_before = audit.snapshot(other, INDIVIDUAL_AUDIT_FIELDS)
        cats |= set(other.category_list())
        keep.organisations.add(*other.organisations.all())
        Appearance.objects.filter(individual=other).update(individual=keep)
        if RISK_ORDER.get(other.risk, 0) > RISK_ORDER.get(keep.risk, 0):
            keep.risk = other.risk
        for field in ("date_of_birth", "address", "postcode", "email", "phone"):
            if not getattr(keep, field) and getattr(other, field):
                setattr(keep, field, getattr(other, field))
        other.contact_status = ContactStatus.MERGED
        other.merged_into = keep
        other.save(update_fields=["contact_status", "merged_into"])
        audit.record(
            actor=actor,
            action="individual.merged_into",
            obj=other,
            before=other_before,
            after=audit.snapshot(other, INDIVIDUAL_AUDIT_FIELDS),
            organisations=_orgs(other),
        )
    keep.set_categories([c for c in CATEGORIES if c in cats])
    _recount(keep)
    keep.save()
    audit.record(
        actor=actor,
        action="individual.merge",
        obj=keep,
        before=before,
        after={**audit.snapshot(keep, INDIVIDUAL_AUDIT_FIELDS), "merged": [o.pk for o in others]},
        organisations=_orgs(keep),
    )
    return keep


@transaction.atomic
def split_individual(
    individual: Individual,
    *,
    actor: Any,
    appearance_ids: Sequence[int],
    full_name: str,
    categories: Sequence[str] | None = None,
) -> Individual:
    """Split a record the scanner joined wrongly: the chosen documents go to a new record."""
    _require_person(actor, individual, "split records")
    full_name = (full_name or "").strip()
    if not full_name:
        raise InvalidInput("Give the name of the person the chosen documents are about.", field="full_name")
    moving = list(individual.appearances.filter(pk__in=list(appearance_ids)))
    if not moving or len(moving) != len(set(appearance_ids)):
        raise InvalidInput("Choose documents of this record to move to the new one.", field="appearance_ids")
    if len(moving) == individual.appearances.count():
        raise InvalidInput("Leave at least one document with the original record.", field="appearance_ids")
    cats = list(categories) if categories is not None else individual.category_list()
    bad = [c for c in cats if c not in CATEGORIES]
    if bad:
        raise InvalidInput(f"Unknown categories: {', '.join(bad)}.", field="categories")
    cats = [c for c in CATEGORIES if c in set(cats)]
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    n = Individual.objects.filter(
        scan=individual.scan, person_id__startswith=f"{individual.person_id}-split-"
    ).count()
    new = Individual.objects.create(
        scan=individual.scan,
        breach=individual.breach,
        person_id=f"{individual.person_id}-split-{n + 1}"[:64],
        full_name=full_name[:300],
        categories=cats,
        risk=RiskPolicy().level(cats),  # save() indexes categories
    )
    new.organisations.set(individual.organisations.all())
    Appearance.objects.filter(pk__in=[a.pk for a in moving]).update(individual=new)
    _recount(new)
    new.save(update_fields=["document_count"])
    _recount(individual)
    individual.save(update_fields=["document_count"])
    audit.record(
        actor=actor,
        action="individual.split",
        obj=individual,
        before=before,
        after={
            **audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS),
            "new_record": new.pk,
            "moved_documents": len(moving),
        },
        organisations=_orgs(individual),
    )
    audit.record(
        actor=actor,
        action="individual.split_from",
        obj=new,
        after={**audit.snapshot(new, INDIVIDUAL_AUDIT_FIELDS), "split_from": individual.pk},
        organisations=_orgs(new),
    )
    return new


# -- reports -----------------------------------------------------------------------------


@transaction.atomic
def draft_report(breach: Breach, *, actor: Any, kind: str) -> Report:
    """Draft the next version of a report from the current facts; its clock shows 'drafted'."""
    require_controller_role(actor, [breach.organisation], "draft reports for this breach")
    if kind not in ReportKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(ReportKind.values)}; got {kind!r}.", field="kind")
    last = Report.objects.select_for_update().filter(breach=breach, kind=kind).order_by("-version").first()
    if last is not None and last.submitted_at is None:
        # Replace an unsent draft's facts rather than piling up versions nobody filed.
        before = {"version": last.version, "generated_at": last.facts.get("generated_at")}
        last.facts = gather(breach, kind)
        last.created_by = actor
        last.created_at = timezone.now()
        last.save()
        report = last
    else:
        before = None
        report = Report.objects.create(
            breach=breach,
            kind=kind,
            version=(last.version + 1) if last else 1,
            facts=gather(breach, kind),
            created_by=actor,
        )
    audit.record(
        actor=actor,
        action="report.draft",
        obj=report,
        before=before,
        after={"kind": kind, "version": report.version, "follow_up": report.is_follow_up},
        organisations=[breach.organisation],
    )
    obligation = breach.obligation(kind)
    if obligation is not None and obligation.status == ObligationStatus.DUE:
        incident_actions.update_obligation(obligation, actor=actor, status=ObligationStatus.DRAFTED)
    return report


@transaction.atomic
def submit_report(
    report: Report, *, actor: Any, external_reference: str = "", submitted_at: dt.datetime | None = None
) -> Report:
    """Record that a report was filed; the first filing stops that obligation's clock."""
    breach = report.breach
    require_controller_role(actor, [breach.organisation], "submit reports for this breach")
    if report.submitted_at is not None:
        raise Conflict(f"Version {report.version} was already submitted; draft a follow-up instead.")
    latest = Report.objects.filter(breach=breach, kind=report.kind).order_by("-version").first()
    if latest is not None and latest.pk != report.pk:
        raise Conflict("A later version of this report exists; submit that one.")
    submitted_at = _aware_past(submitted_at, "submitted_at") or timezone.now()
    reference = (external_reference or "").strip()[:100]
    report.submitted_at = submitted_at
    report.external_reference = reference or report.facts.get("case_reference", "")
    report.save(update_fields=["submitted_at", "external_reference"])
    audit.record(
        actor=actor,
        action="report.submit",
        obj=report,
        after={
            "version": report.version,
            "submitted_at": submitted_at,
            "external_reference": report.external_reference,
        },
        organisations=[breach.organisation],
    )
    obligation = breach.obligation(report.kind)
    if obligation is not None and obligation.status != ObligationStatus.SUBMITTED:
        incident_actions.update_obligation(
            obligation,
            actor=actor,
            status=ObligationStatus.SUBMITTED,
            submitted_at=submitted_at,
            external_reference=reference,
        )
    elif obligation is not None:
        # A follow-up: the clock stopped at the first filing; the log still records it.
        if reference and not obligation.external_reference:
            incident_actions.update_obligation(
                obligation,
                actor=actor,
                status=ObligationStatus.SUBMITTED,
                submitted_at=obligation.submitted_at,
                external_reference=reference,
            )
        _log(
            breach.incident,
            actor,
            f"{report.get_kind_display()} follow-up (version {report.version}) submitted "
            f"for {breach.organisation.code}.",
            breach.organisation,
            kind=EntryKind.COMMUNICATION,
        )
    return report


# -- letters -----------------------------------------------------------------------------


def _risks(risks: Sequence[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(risks if risks is not None else settings.BREACH_NOTIFY_RISKS))
    bad = [r for r in chosen if r not in Risk.values]
    if bad or not chosen:
        raise InvalidInput(f"risks must be some of {', '.join(Risk.values)}.", field="risks")
    return chosen


def people_to_tell(breach: Breach, risks: Sequence[str]) -> Any:
    """Counted individuals at the chosen risk levels still waiting to be told."""
    return counted_individuals(breach).filter(risk__in=list(risks), contact_status=ContactStatus.TO_NOTIFY)


@transaction.atomic
def generate_letters(breach: Breach, *, actor: Any, risks: Sequence[str] | None = None) -> LetterBatch:
    """Mail-merge Art 34 letters for everyone at the chosen risk levels not yet told.

    The batch's people are fixed now; the worker renders the files (see ``render_letters``).
    """
    require_controller_role(actor, [breach.organisation], "generate letters for this breach")
    chosen = _risks(risks)
    waiting = list(people_to_tell(breach, chosen))
    # A letter needs somewhere to go: people with no postal address are counted, not written
    # to, so the DPO can reach them by email or the public notice instead.
    people = letters.sort_for_post(p for p in waiting if p.address.strip() or p.postcode.strip())
    if not people:
        raise InvalidInput(
            f"No one at {' or '.join(chosen)} risk with a postal address is waiting for a letter.",
            field="risks",
        )
    batch = LetterBatch.objects.create(
        breach=breach,
        risks=chosen,
        directory="",
        created_by=actor,
        letter_count=len(people),
        without_address=len(waiting) - len(people),
    )
    batch.directory = str(Path(settings.MEDIA_ROOT) / "breach" / "letters" / str(batch.pk))
    batch.save(update_fields=["directory"])
    Letter.objects.bulk_create(
        [Letter(batch=batch, individual=p, filename=letters.letter_filename(breach, p)) for p in people]
    )
    audit.record(
        actor=actor,
        action="letters.generate",
        obj=batch,
        after={"risks": chosen, "letters": len(people), "without_address": batch.without_address},
        organisations=[breach.organisation],
    )
    _log(
        breach.incident,
        actor,
        f"{len(people)} Art 34 letters prepared for {breach.organisation.code} ({', '.join(chosen)} risk).",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )

    def enqueue() -> None:
        from incidentroom.breach.tasks import render_letter_batch

        render_letter_batch.enqueue(batch.pk)

    transaction.on_commit(enqueue)
    return batch


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


@transaction.atomic
def mark_letters_posted(batch: LetterBatch, *, actor: Any) -> int:
    """The print run went out: everyone in it still waiting is now notified by letter."""
    breach = batch.breach
    require_controller_role(actor, [breach.organisation], "record letters as posted")
    if batch.status != BatchStatus.READY:
        raise Conflict("These letters are not ready yet; wait for the print file before posting.")
    now = timezone.now()
    waiting = Individual.objects.filter(letters__batch=batch, contact_status=ContactStatus.TO_NOTIFY)
    count = waiting.update(contact_status=ContactStatus.NOTIFIED, notified_at=now, notified_how="letter")
    audit.record(
        actor=actor,
        action="letters.posted",
        obj=batch,
        after={"notified": count},
        organisations=[breach.organisation],
    )
    _log(
        breach.incident,
        actor,
        f"{count} Art 34 letters posted for {breach.organisation.code}.",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )
    return count


# -- emails ------------------------------------------------------------------------------


def _mailbox(address: str) -> str | None:
    """The canonical address, or None if it is not one we can send to."""
    try:
        return normalise_email(address)
    except InvalidInput:
        return None


def _same_person_key(person: Individual) -> str:
    return " ".join(person.full_name.casefold().split())


def _one_per_mailbox(people: Iterable[Individual]) -> list[tuple[Individual, str]]:
    """Each person once per mailbox: two records of one person whose address was written two
    ways (``anna@bücher.example`` / ``anna@xn--bcher-kva.example``) get one email, not two.
    Different people who share a mailbox (a family) still each get their own letter."""
    seen: set[tuple[str, str]] = set()
    out = []
    for person in people:
        address = _mailbox(person.email) if person.email else None
        if address is None:
            continue
        key = (address, _same_person_key(person))
        if key in seen:
            continue
        seen.add(key)
        out.append((person, address))
    return out


@transaction.atomic
def create_email_notice(
    breach: Breach, *, actor: Any, risks: Sequence[str] | None = None, subject: str = ""
) -> EmailNotice:
    """Prepare an email to everyone at the chosen risk levels with a usable address, not yet told."""
    require_controller_role(actor, [breach.organisation], "send emails for this breach")
    chosen = _risks(risks)
    subject = (
        subject or ""
    ).strip() or f"Important: your information and the {breach.organisation.name} cyber attack"
    if len(subject) > 200 or "\n" in subject or "\r" in subject:
        raise InvalidInput("The subject must be one line of at most 200 characters.", field="subject")
    people = _one_per_mailbox(people_to_tell(breach, chosen))
    if not people:
        raise InvalidInput(
            f"No one at {' or '.join(chosen)} risk with a usable email address is waiting.", field="risks"
        )
    notice = EmailNotice.objects.create(breach=breach, subject=subject, risks=chosen, created_by=actor)
    EmailDelivery.objects.bulk_create(
        [EmailDelivery(notice=notice, individual=p, address=address) for p, address in people]
    )
    audit.record(
        actor=actor,
        action="email_notice.create",
        obj=notice,
        after={"risks": chosen, "recipients": len(people), "subject": subject},
        organisations=[breach.organisation],
    )
    return notice


@transaction.atomic
def start_sending(notice: EmailNotice, *, actor: Any) -> EmailNotice:
    """Start (or resume) sending. A new run takes over; emails a dead run had claimed become
    'uncertain' and are never re-sent automatically (they may have gone out)."""
    breach = notice.breach
    require_controller_role(actor, [breach.organisation], "send emails for this breach")
    notice = EmailNotice.objects.select_for_update().get(pk=notice.pk)
    token = secrets.token_hex(8)
    orphaned = notice.deliveries.filter(status=DeliveryStatus.SENDING).update(status=DeliveryStatus.UNCERTAIN)
    notice.run_token = token
    notice.started_at = notice.started_at or timezone.now()
    notice.save(update_fields=["run_token", "started_at"])
    waiting = notice.deliveries.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).count()
    audit.record(
        actor=actor,
        action="email_notice.send",
        obj=notice,
        after={"run": token, "waiting": waiting, "interrupted": orphaned},
        organisations=[breach.organisation],
    )
    _log(
        breach.incident,
        actor,
        f"Art 34 emails for {breach.organisation.code}: sending to {waiting} people"
        + (f"; {orphaned} interrupted by a restart held for checking" if orphaned else "")
        + ".",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )
    transaction.on_commit(lambda: _enqueue_sending(notice.pk, token))
    return notice


def _enqueue_sending(notice_id: int, token: str, run_after: dt.datetime | None = None) -> None:
    from incidentroom.breach.tasks import send_email_notice

    task = send_email_notice.using(run_after=run_after) if run_after else send_email_notice
    task.enqueue(notice_id, token)


@transaction.atomic
def resolve_uncertain(delivery: EmailDelivery, *, actor: Any, resend: bool) -> EmailDelivery:
    """A person checked the mail server's log for an interrupted email: resend it, or record it as sent."""
    breach = delivery.notice.breach
    require_controller_role(actor, [breach.organisation], "resolve interrupted emails")
    if delivery.status != DeliveryStatus.UNCERTAIN:
        raise Conflict("Only an interrupted email needs resolving.")
    before = {"status": delivery.status}
    if resend:
        delivery.status = DeliveryStatus.PENDING
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = delivery.claimed_at
        _notified_by_email(delivery)
    delivery.save()
    audit.record(
        actor=actor,
        action="email_delivery.resolve",
        obj=delivery,
        before=before,
        after={"status": delivery.status},
        organisations=[breach.organisation],
    )
    return delivery


def _notified_by_email(delivery: EmailDelivery) -> None:
    person = Individual.objects.filter(pk=delivery.individual_id).only("breach_id", "full_name").first()
    if person is None:
        return
    # The other records of the same person at the same mailbox were folded into this email.
    same = [
        p.pk
        for p in Individual.objects.filter(
            breach_id=person.breach_id, email=delivery.address, contact_status=ContactStatus.TO_NOTIFY
        ).only("full_name")
        if _same_person_key(p) == _same_person_key(person)
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
        _notified_by_email(delivery)
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
        _enqueue_sending(notice_id, token, run_after=nxt)
    return nxt


# -- the public notice ---------------------------------------------------------------------


@transaction.atomic
def publish_public_notice(breach: Breach, *, actor: Any) -> PublicNotice:
    """Publish (or refresh) the Art 34(3)(c) public notice from the breach facts."""
    require_controller_role(actor, [breach.organisation], "publish the public notice")
    from incidentroom.breach.public import notice_content

    content = notice_content(breach)
    notice = PublicNotice.objects.filter(breach=breach).first()
    before = {"published_at": notice.published_at, "withdrawn_at": notice.withdrawn_at} if notice else None
    if notice is None:
        notice = PublicNotice(breach=breach)
    notice.title = content["title"]
    notice.content = content
    notice.updated_at = timezone.now()
    notice.published_at = notice.published_at if notice.is_live else notice.updated_at
    notice.withdrawn_at = None
    notice.save()
    audit.record(
        actor=actor,
        action="public_notice.publish",
        obj=notice,
        before=before,
        after={"published_at": notice.published_at, "slug": notice.slug},
        organisations=[breach.organisation],
    )
    _log(
        breach.incident,
        actor,
        f"Public notice about the personal data breach published for {breach.organisation.code}.",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )
    return notice


@transaction.atomic
def withdraw_public_notice(notice: PublicNotice, *, actor: Any) -> PublicNotice:
    """Take the public notice down (it stays on record)."""
    breach = notice.breach
    require_controller_role(actor, [breach.organisation], "withdraw the public notice")
    if not notice.is_live:
        raise Conflict("The notice is not published.")
    notice.withdrawn_at = timezone.now()
    notice.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=actor,
        action="public_notice.withdraw",
        obj=notice,
        after={"withdrawn_at": notice.withdrawn_at},
        organisations=[breach.organisation],
    )
    return notice
