"""Sweep actions: start (upload or server folder), the worker's progress and results, and a
responder's decision on a hit's proposal to mark its system suspected.

A sweep only ever *proposes*: the system's state changes when a responder confirms,
through the incident's own ``set_system_state`` action, which writes the log and moves
the blast radius like any other change.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from incidentroom.core import audit
from incidentroom.core.access import require_writer
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.estate.models import System
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import EntryKind, Incident, SystemState
from incidentroom.incidents.queries import check_involved
from incidentroom.threats.models import (
    HitKind,
    HostAlias,
    Indicator,
    ProposalStatus,
    Sweep,
    SweepHit,
    SweepPart,
    SweepStatus,
)

# A sweep over a noisy log can match millions of times; the first ones are kept, the rest counted.
MAX_KEPT_HITS = 20000


def sweep_root(organisation: Organisation) -> Path:
    """The server folder an organisation's log exports are read from: ``<root>/<code>``."""
    return (Path(settings.THREAT_SWEEP_ROOT) / organisation.code.lower()).resolve()


def uploads_dir() -> Path:
    """Where uploaded log exports are kept (under MEDIA_ROOT, never served)."""
    return Path(settings.MEDIA_ROOT) / "threats" / "uploads"


def _check_folder(organisation: Organisation, raw: str) -> Path:
    root = sweep_root(organisation)
    if not raw or not raw.strip():
        raise InvalidInput("Give a file or folder to sweep.", field="path")
    if len(raw) > 1000:
        raise InvalidInput("A path is at most 1,000 characters.", field="path")
    try:
        candidate = Path(raw.strip())
        path = (candidate if candidate.is_absolute() else root / candidate).resolve()
        # Resolved first, so '..' and symbolic links cannot lead out of the organisation's folder.
        if path != root and not path.is_relative_to(root):
            raise InvalidInput(f"{raw} is outside {organisation.code}'s log folder ({root}).", field="path")
        exists = path.exists()
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{raw[:100]} is not a usable path: {exc}.", field="path") from exc
    if not exists:
        raise InvalidInput(f"{raw} does not exist in {organisation.code}'s log folder.", field="path")
    return path


def _create(
    incident: Incident, actor: Any, organisation: Organisation, source: str, paths: list[str]
) -> Sweep:
    sweep = Sweep.objects.create(
        incident=incident,
        organisation=organisation,
        source=source,
        paths=paths,
        created_by=actor,
        run_token=Sweep.new_token(),
    )
    audit.record(
        actor=actor,
        action="sweep.start",
        obj=sweep,
        after={"source": source, "paths": paths, "organisation": organisation.code},
        organisations=[organisation],
    )
    transaction.on_commit(lambda: _enqueue(sweep.pk, sweep.run_token))
    return sweep


def _enqueue(sweep_id: int, token: str) -> None:
    from incidentroom.threats.tasks import run_sweep_job

    result = run_sweep_job.enqueue(sweep_id, token)
    Sweep.objects.filter(pk=sweep_id, run_token=token).update(task_id=str(result.id))


@transaction.atomic
def start_sweep(incident: Incident, *, actor: Any, organisation: Organisation, paths: Sequence[str]) -> Sweep:
    """Sweep files or folders already on the server, inside the organisation's log folder."""
    require_writer(actor, [organisation], "sweep this organisation's logs")
    check_involved(incident, organisation)
    if not paths:
        raise InvalidInput("Give at least one file or folder to sweep.", field="path")
    clean = [str(_check_folder(organisation, p)) for p in paths]
    return _create(incident, actor, organisation, "folder", clean)


@transaction.atomic
def start_upload_sweep(
    incident: Incident,
    *,
    actor: Any,
    organisation: Organisation,
    files: Iterable[tuple[str, Iterable[bytes]]],
) -> Sweep:
    """Keep uploaded log exports on the server and sweep them."""
    require_writer(actor, [organisation], "sweep this organisation's logs")
    check_involved(incident, organisation)
    target = uploads_dir() / f"{incident.pk}-{organisation.code.lower()}-{Sweep.new_token()}"
    target.mkdir(parents=True, exist_ok=True)
    total = 0
    count = 0
    try:
        for name, chunks in files:
            clean = get_valid_filename(Path(name or "log").name) or "log"
            path = target / clean
            suffix = 1
            while path.exists():
                path = target / f"{suffix}-{clean}"
                suffix += 1
            with path.open("wb") as out:
                for chunk in chunks:
                    total += len(chunk)
                    if total > settings.THREAT_UPLOAD_MAX_BYTES:
                        raise InvalidInput(
                            f"The uploads are larger than {settings.THREAT_UPLOAD_MAX_BYTES:,} bytes; copy them "
                            f"to {organisation.code}'s log folder on the server and sweep it there.",
                            field="files",
                        )
                    out.write(chunk)
            count += 1
        if count == 0 or total == 0:
            raise InvalidInput("Upload at least one non-empty log file.", field="files")
        return _create(incident, actor, organisation, "upload", [str(target)])
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise


# -- the worker's side ------------------------------------------------------------------


@transaction.atomic
def sweep_started(sweep_id: int, token: str) -> Sweep | None:
    """Mark the sweep running for run ``token`` (None if it is not queued for that run)."""
    sweep = Sweep.objects.select_for_update().filter(pk=sweep_id).first()
    if sweep is None or sweep.status != SweepStatus.QUEUED or sweep.run_token != token:
        return None
    sweep.status = SweepStatus.RUNNING
    sweep.started_at = sweep.started_at or timezone.now()
    sweep.heartbeat_at = timezone.now()
    sweep.save(update_fields=["status", "started_at", "heartbeat_at"])
    return sweep


def sweep_progress(sweep_id: int, token: str, *, bytes_done: int, bytes_total: int, events: int) -> None:
    """Store progress (no audit entry: it is not a decision, and it comes many times a second)."""
    Sweep.objects.filter(pk=sweep_id, run_token=token, status=SweepStatus.RUNNING).update(
        bytes_done=bytes_done, bytes_total=bytes_total, events_done=events, heartbeat_at=timezone.now()
    )


def still_running(sweep_id: int, token: str) -> bool:
    """Whether run ``token`` should go on (False once the sweep is cancelled or resumed
    elsewhere); asking is also the worker's sign of life."""
    return bool(
        Sweep.objects.filter(pk=sweep_id, run_token=token, status=SweepStatus.RUNNING).update(
            heartbeat_at=timezone.now()
        )
    )


@transaction.atomic
def record_part(sweep_id: int, token: str, *, key: str, path: str, fingerprint: str, result: Any) -> bool:
    """Keep one finished part as a checkpoint (False, and nothing kept, if the run is stale).

    Not audited: it is the worker's bookkeeping, like progress; the sweep's start, cancel,
    resume and completion are.
    """
    sweep = Sweep.objects.select_for_update().filter(pk=sweep_id).first()
    if sweep is None or sweep.run_token != token or sweep.status != SweepStatus.RUNNING:
        return False
    SweepPart.objects.update_or_create(
        sweep=sweep,
        key=key,
        defaults={"path": path[:4000], "fingerprint": fingerprint, "result": result, "run_token": token},
    )
    Sweep.objects.filter(pk=sweep_id).update(heartbeat_at=timezone.now())
    return True


def _stale(sweep: Sweep) -> bool:
    beat = sweep.heartbeat_at or sweep.started_at or sweep.created_at
    return timezone.now() - beat >= dt.timedelta(seconds=settings.THREAT_SWEEP_STALE_SECONDS)


@transaction.atomic
def cancel_sweep(sweep: Sweep, *, actor: Any) -> Sweep:
    """Stop a queued or running sweep; the worker stops at its next part. Finished parts stay
    as checkpoints, so the sweep can be resumed later."""
    require_writer(actor, [sweep.organisation], "cancel this organisation's sweep")
    sweep = Sweep.objects.select_for_update().get(pk=sweep.pk)
    if sweep.status not in (SweepStatus.QUEUED, SweepStatus.RUNNING):
        raise Conflict(
            f"Sweep #{sweep.pk} is {sweep.get_status_display().lower()}; only a queued or running sweep can be cancelled."
        )
    before = sweep.status
    sweep.status = SweepStatus.CANCELLED
    sweep.finished_at = timezone.now()
    sweep.save(update_fields=["status", "finished_at"])
    audit.record(
        actor=actor,
        action="sweep.cancel",
        obj=sweep,
        before={"status": before},
        after={"status": sweep.status, "parts_done": sweep.parts.count()},
        organisations=[sweep.organisation],
    )
    return sweep


def can_resume(sweep: Sweep) -> bool:
    """Cancelled or failed, or running with a worker that has gone quiet (killed)."""
    if sweep.status in (SweepStatus.CANCELLED, SweepStatus.FAILED):
        return True
    return sweep.status == SweepStatus.RUNNING and _stale(sweep)


@transaction.atomic
def resume_sweep(sweep: Sweep, *, actor: Any) -> Sweep:
    """Queue a cancelled, failed or interrupted sweep again under a new run token: the parts
    already checkpointed are read back, the rest swept, and no hit is recorded twice."""
    require_writer(actor, [sweep.organisation], "resume this organisation's sweep")
    sweep = Sweep.objects.select_for_update().get(pk=sweep.pk)
    if not can_resume(sweep):
        raise Conflict(
            f"Sweep #{sweep.pk} is {sweep.get_status_display().lower()}; only a cancelled, failed or "
            f"interrupted sweep (no progress for {settings.THREAT_SWEEP_STALE_SECONDS}s) can be resumed."
        )
    before = sweep.status
    # A new token: should the old worker still be alive, nothing it writes is kept.
    sweep.run_token = Sweep.new_token()
    sweep.status = SweepStatus.QUEUED
    sweep.error = ""
    sweep.finished_at = None
    sweep.save(update_fields=["run_token", "status", "error", "finished_at"])
    audit.record(
        actor=actor,
        action="sweep.resume",
        obj=sweep,
        before={"status": before},
        after={"status": sweep.status, "parts_done": sweep.parts.count()},
        organisations=[sweep.organisation],
    )
    token = sweep.run_token
    transaction.on_commit(lambda: _enqueue(sweep.pk, token))
    return sweep


def _system_for_host(host: str, organisation: Organisation) -> System | None:
    name = host.strip().lower()
    if not name:
        return None
    short = name.split(".", 1)[0]
    candidates = [name, short] if short != name else [name]
    mine = System.objects.filter(owner=organisation) | System.objects.filter(served=organisation)
    alias = (
        HostAlias.objects.filter(hostname__in=candidates, system__in=mine.distinct())
        .select_related("system")
        .first()
    )
    if alias is not None:
        return alias.system
    return mine.distinct().filter(code__in=candidates).first()


@transaction.atomic
def complete_sweep(sweep_id: int, token: str, result: Any) -> Sweep | None:
    """Record a finished sweep's hits, link each to its system when the host is known, and
    propose *suspected* for systems not already marked in the incident."""
    sweep = (
        Sweep.objects.select_for_update()
        .select_related("incident", "organisation")
        .filter(pk=sweep_id)
        .first()
    )
    if sweep is None or sweep.run_token != token or sweep.status != SweepStatus.RUNNING:
        return None
    incident = sweep.incident
    marked = dict(incident.affected_systems.values_list("system_id", "state"))
    systems: dict[str, System | None] = {}
    indicator_ids = {i for i in Indicator.objects.filter(incident=incident).values_list("pk", flat=True)}
    rows = []
    for hit in result.hits[:MAX_KEPT_HITS]:
        if hit.host not in systems:
            systems[hit.host] = _system_for_host(hit.host, sweep.organisation)
        system = systems[hit.host]
        proposal = ProposalStatus.NONE
        if system is not None and system.pk not in marked:
            proposal = ProposalStatus.PROPOSED
        rows.append(
            SweepHit(
                sweep=sweep,
                kind=HitKind.INDICATOR if hit.indicator_id else HitKind.RULE,
                indicator_id=hit.indicator_id if hit.indicator_id in indicator_ids else None,
                rule_id=hit.rule_id[:80],
                rule_title=hit.rule_title[:300],
                rule_level=hit.rule_level[:20],
                rule_author=hit.rule_author[:300],
                matched=hit.matched[:2000],
                log=hit.log[:1000],
                line=max(0, min(int(hit.line), 2**31 - 1)),
                log_format=hit.log_format[:30],
                occurred_at=hit.time,
                host=hit.host[:255],
                account=hit.account[:255],
                excerpt=hit.excerpt[:2000],
                system=system,
                proposal=proposal,
            )
        )
    SweepHit.objects.bulk_create(rows, batch_size=1000)
    sweep.hits_not_kept = max(0, len(result.hits) - MAX_KEPT_HITS)
    sweep.files = [vars(f) for f in result.files] + [
        {"name": title, "format": "sigma", "events": 0, "hits": 0, "status": "skipped", "reason": reason}
        for title, reason in result.rules_skipped
    ]
    sweep.events_done = result.events
    sweep.bytes_done = sweep.bytes_total = max(result.bytes_read, sweep.bytes_total)
    sweep.status = SweepStatus.SUCCEEDED
    sweep.finished_at = timezone.now()
    sweep.save()
    # The hits are recorded now; the checkpoints have served their purpose.
    sweep.parts.all().delete()
    audit.record(
        actor=None,
        action="sweep.complete",
        obj=sweep,
        after={"hits": len(result.hits), "events": result.events, "files": len(result.files)},
        organisations=[sweep.organisation],
    )
    proposed = sorted(
        {r.system.name for r in rows if r.system is not None and r.proposal == ProposalStatus.PROPOSED}
    )
    text = (
        f"Sweep #{sweep.pk} of {sweep.organisation.code} logs finished: {result.events:,} records, "
        f"{len(result.hits):,} hits."
    )
    if proposed:
        text += " Proposed as suspected, for a responder to confirm: " + ", ".join(proposed) + "."
    incident_actions._append_log(
        incident=incident, actor=None, kind=EntryKind.EVENT, text=text, organisations=[sweep.organisation]
    )
    return sweep


def fail_sweep(sweep_id: int, token: str, error: str) -> None:
    """Record that a sweep's run failed (the reason is shown on its page)."""
    with transaction.atomic():
        updated = Sweep.objects.filter(pk=sweep_id, run_token=token, status=SweepStatus.RUNNING).update(
            status=SweepStatus.FAILED, error=error[:2000], finished_at=timezone.now()
        )
        sweep = Sweep.objects.select_related("organisation").filter(pk=sweep_id).first()
        if updated and sweep is not None:
            audit.record(
                actor=None,
                action="sweep.fail",
                obj=sweep,
                after={"error": error[:500]},
                organisations=[sweep.organisation],
            )


# -- a responder's decision ---------------------------------------------------------------


@transaction.atomic
def confirm_proposal(hit: SweepHit, *, actor: Any) -> SweepHit:
    """Mark the hit's system suspected in the incident (through the incident's own action,
    so the log and blast radius follow) and close every open proposal for that system."""
    incident = hit.sweep.incident
    require_writer(actor, list(incident.organisations.all()), "confirm a proposal in this incident")
    # Lock the hit row only ("self"): PostgreSQL cannot lock the nullable side of the joins.
    hit = (
        SweepHit.objects.select_for_update(of=("self",))
        .select_related("system", "sweep", "indicator")
        .get(pk=hit.pk)
    )
    if hit.proposal != ProposalStatus.PROPOSED or hit.system is None:
        raise Conflict("This hit has no open proposal to confirm.")
    what = str(hit.indicator) if hit.indicator_id else f"Sigma rule '{hit.rule_title}'"
    incident_actions.set_system_state(
        incident,
        actor=actor,
        system=hit.system,
        state=SystemState.SUSPECTED,
        note=f"Confirmed from sweep #{hit.sweep_id}: {what} on {hit.host or hit.account} ({hit.log} line {hit.line}).",
    )
    now = timezone.now()
    SweepHit.objects.filter(
        sweep__incident=incident, system=hit.system, proposal=ProposalStatus.PROPOSED
    ).update(proposal=ProposalStatus.CONFIRMED, decided_by=actor, decided_at=now)
    hit.refresh_from_db()
    audit.record(
        actor=actor,
        action="sweep_hit.confirm",
        obj=hit,
        after={"system": hit.system.code, "state": SystemState.SUSPECTED.value},
        organisations=[hit.sweep.organisation],
    )
    return hit


@transaction.atomic
def dismiss_proposal(hit: SweepHit, *, actor: Any) -> SweepHit:
    """Decline a hit's proposal (a false positive); the hit itself is kept."""
    require_writer(actor, [hit.sweep.organisation], "dismiss this proposal")
    hit = SweepHit.objects.select_for_update().get(pk=hit.pk)
    if hit.proposal != ProposalStatus.PROPOSED:
        raise Conflict("This hit has no open proposal to dismiss.")
    hit.proposal = ProposalStatus.DISMISSED
    hit.decided_by = actor
    hit.decided_at = timezone.now()
    hit.save(update_fields=["proposal", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="sweep_hit.dismiss",
        obj=hit,
        after={"proposal": hit.proposal},
        organisations=[hit.sweep.organisation],
    )
    return hit
