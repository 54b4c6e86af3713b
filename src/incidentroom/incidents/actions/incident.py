"""Every state change to an incident. Views, API, tasks and commands only call these.

Each action is atomic, checks the actor's role, writes its audit entry and, where the
change matters to the record, a log entry; side effects for other apps go out through
signals on commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from incidentroom.core import audit, people, times
from incidentroom.core.access import has_role, require_role, require_writer
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.core.models import (
    BREACH_ROLES,
    RESPONSE_ROLES,
    Organisation,
    Role,
)
from incidentroom.estate.models import Service, System
from incidentroom.estate.queries import affected_services
from incidentroom.incidents import hashchain, logchain, signals
from incidentroom.incidents.models import (
    DOWN_STATES,
    AffectedSystem,
    Containment,
    EntryKind,
    Incident,
    Involvement,
    LogEntry,
    NcscCategory,
    Obligation,
    Phase,
    Severity,
    SystemState,
)
from incidentroom.incidents.rules import Rule, load_rules


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(f"{field} must be one of {', '.join(choices.values)}; got {value!r}.", field=field)
    return value


def _involved(incident: Incident) -> list[Organisation]:
    return [i.organisation for i in incident.involvements.select_related("organisation")]


REFERENCE_PATTERN = re.compile(r"^IR-(\d{4})-(\d{4,})$")


def opened_year(detected_at: dt.datetime) -> int:
    """The year the incident was opened, read in UK local time like every date on the pages,
    so the reference and the shown opening date never disagree about the year."""
    return detected_at.astimezone(times.UK).year


def next_reference(detected_at: dt.datetime) -> str:
    """IR-YYYY-NNNN, numbered within the year the incident was opened."""
    prefix = f"IR-{opened_year(detected_at)}-"
    last = (
        Incident.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


# -- obligations -----------------------------------------------------------------------


def _anchor_time(rule: Rule, incident: Incident, involvement: Involvement) -> dt.datetime:
    if rule.anchor == "became_aware_at" and involvement.became_aware_at is not None:
        return involvement.became_aware_at
    return incident.detected_at


def _create_obligations(
    incident: Incident, involvement: Involvement, trigger: str, actor: Any
) -> list[Obligation]:
    created = []
    org = involvement.organisation
    for rule in load_rules():
        if rule.trigger != trigger or not rule.applies_if.match(org):
            continue
        anchor_at = _anchor_time(rule, incident, involvement)
        obligation, was_created = Obligation.objects.get_or_create(
            incident=incident,
            organisation=org,
            code=rule.code,
            defaults={
                "title": rule.title,
                "recipient": rule.recipient,
                "basis": rule.basis,
                "how_to_report": rule.how_to_report,
                "reference_label": rule.reference_label,
                "anchor": rule.anchor,
                "anchor_at": anchor_at,
                "deadline_at": times.after(anchor_at, rule.period(org)),
            },
        )
        if was_created:
            audit.record(
                actor=actor,
                action="obligation.create",
                obj=obligation,
                after=audit.snapshot(obligation),
                organisations=[org],
            )
            created.append(obligation)
    return created


def _reanchor_obligations(incident: Incident, involvement: Involvement, actor: Any) -> None:
    """A controller's awareness time moved: move the clocks that start from it (unless filed)."""
    rules = {r.code: r for r in load_rules()}
    for obligation in Obligation.objects.filter(
        incident=incident, organisation=involvement.organisation, anchor="became_aware_at"
    ).running():
        rule = rules.get(obligation.code)
        if rule is None:
            continue
        before = audit.snapshot(obligation, ["anchor_at", "deadline_at"])
        obligation.anchor_at = _anchor_time(rule, incident, involvement)
        obligation.deadline_at = times.after(obligation.anchor_at, rule.period(involvement.organisation))
        obligation.save(update_fields=["anchor_at", "deadline_at"])
        audit.record(
            actor=actor,
            action="obligation.reanchor",
            obj=obligation,
            before=before,
            after=audit.snapshot(obligation, ["anchor_at", "deadline_at"]),
            organisations=[involvement.organisation],
        )


# -- the log ---------------------------------------------------------------------------

_M = TypeVar("_M", bound=models.Model)


def _unique(objects: Iterable[_M]) -> list[_M]:
    """Each object once, in primary-key order: the canonical form of a log entry's links."""
    return sorted({o.pk: o for o in objects}.values(), key=lambda o: o.pk)


def lock_incident(incident: Incident) -> None:
    """Take the incident's write lock: the FIRST lock of every action that writes to it.

    Every incident action takes this before it reads or writes anything else of the
    incident, so two writers queue here instead of each holding locks the other needs
    (PostgreSQL deadlocked when row locks were taken in different orders). ``no_key`` asks
    for FOR NO KEY UPDATE, which does not conflict with the FOR KEY SHARE locks that inserts
    of child rows (log entries, states, audit links) take on the incident. SQLite serialises
    writers with IMMEDIATE transactions and ignores the lock.
    """
    list(Incident.objects.select_for_update(no_key=True).filter(pk=incident.pk).values_list("pk", flat=True))


def _append_log(
    *,
    incident: Incident,
    actor: Any,
    kind: str,
    text: str,
    occurred_at: dt.datetime | None = None,
    organisations: Iterable[Organisation] = (),
    systems: Iterable[System] = (),
    services: Iterable[Service] = (),
    corrects: LogEntry | None = None,
) -> LogEntry:
    lock_incident(incident)
    last = LogEntry.objects.filter(incident=incident).order_by("-sequence").first()
    sequence = last.sequence + 1 if last else 1
    previous = last.entry_hash if last else logchain.genesis_hash(incident)
    recorded_at = timezone.now()
    occurred = occurred_at or recorded_at
    # Links are canonical (each once, in id order) before they are hashed and as they are
    # stored, so a link listed twice can never make the stored entry differ from its hash.
    orgs = _unique(organisations)
    syss = _unique(systems)
    svcs = _unique(services)
    author_label = str(getattr(actor, "username", None) or "system")
    body = hashchain.canonical(
        incident=incident.reference,
        sequence=sequence,
        kind=kind,
        author=author_label,
        occurred_at=hashchain.utc_text(occurred),
        recorded_at=hashchain.utc_text(recorded_at),
        text=text,
        organisations=[o.pk for o in orgs],
        systems=[s.pk for s in syss],
        services=[s.pk for s in svcs],
        corrects=corrects.pk if corrects else None,
    )
    entry = LogEntry.objects.create(
        incident=incident,
        sequence=sequence,
        kind=kind,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        author_label=author_label,
        occurred_at=occurred,
        recorded_at=recorded_at,
        text=text,
        corrects=corrects,
        previous_hash=previous,
        entry_hash=hashchain.chain_hash(previous, body),
    )
    if orgs:
        entry.organisations.set(orgs)
    if syss:
        entry.systems.set(syss)
    if svcs:
        entry.services.set(svcs)
    logchain.sign_head(incident, entry)
    return entry


@transaction.atomic
def add_log_entry(
    incident: Incident,
    *,
    actor: Any,
    kind: str,
    text: str,
    occurred_at: dt.datetime | None = None,
    organisations: Iterable[Organisation] = (),
    systems: Iterable[System] = (),
    services: Iterable[Service] = (),
    corrects: LogEntry | None = None,
) -> LogEntry:
    """Append a decision, event, action, communication or note; corrections point at the original."""
    lock_incident(incident)
    involved = _involved(incident)
    require_writer(actor, involved, "write to this incident's log")
    _choice(kind, EntryKind, "kind")
    text = text.strip()
    if not text:
        raise InvalidInput("A log entry needs some text.", field="text")
    if len(text) > 20000:
        raise InvalidInput("A log entry is at most 20,000 characters.", field="text")
    if occurred_at is not None:
        occurred_at = times.not_future(occurred_at, "occurred_at")
    orgs = _unique(organisations)
    stray = [o.code for o in orgs if o not in involved]
    if stray:
        raise InvalidInput(f"Not involved in this incident: {', '.join(stray)}.", field="organisations")
    if corrects is not None and corrects.incident_id != incident.pk:
        raise InvalidInput("A correction must refer to an entry of the same incident.", field="corrects")
    entry = _append_log(
        incident=incident,
        actor=actor,
        kind=kind,
        text=text,
        occurred_at=occurred_at,
        organisations=orgs,
        systems=systems,
        services=services,
        corrects=corrects,
    )
    audit.record(
        actor=actor,
        action="log.append",
        obj=entry,
        after={
            "sequence": entry.sequence,
            "kind": kind,
            "text": text,
            "corrects": corrects.sequence if corrects else None,
        },
        organisations=orgs or involved,
    )
    return entry


# -- incidents -------------------------------------------------------------------------


def _involve(
    incident: Incident, org: Organisation, actor: Any, became_aware_at: dt.datetime | None = None
) -> Involvement:
    """Add one organisation to the incident and start its clocks (caller holds the transaction)."""
    involvement = Involvement.objects.create(
        incident=incident, organisation=org, became_aware_at=became_aware_at
    )
    audit.record(
        actor=actor,
        action="incident.involve",
        obj=involvement,
        after=audit.snapshot(involvement),
        organisations=[org],
    )
    _create_obligations(incident, involvement, "incident_opened", actor)
    return involvement


@transaction.atomic
def open_incident(
    *,
    actor: Any,
    title: str,
    origin: Organisation,
    detected_at: dt.datetime,
    organisations: Iterable[Organisation] = (),
    ncsc_category: str = NcscCategory.C4,
    severity: str = Severity.HIGH,
    summary: str = "",
    reference: str | None = None,
) -> Incident:
    """Open an incident at ``origin``, involving ``organisations`` too, and start the clocks."""
    require_writer(actor, [origin], "open an incident for this organisation")
    organisations = _unique(organisations)
    if any(o != origin for o in organisations):
        # Naming other organisations shows them the incident: a Gold decision at the origin.
        require_role(actor, [origin], [Role.GOLD], "involve other organisations (a Gold decision)")
    title = title.strip()
    if not title:
        raise InvalidInput("An incident needs a title.", field="title")
    detected_at = times.not_future(detected_at, "detected_at")
    _choice(ncsc_category, NcscCategory, "ncsc_category")
    _choice(severity, Severity, "severity")
    reference = reference or next_reference(detected_at)
    year = REFERENCE_PATTERN.match(reference)
    if year is not None and int(year.group(1)) != opened_year(detected_at):
        # The year in a reference is read as the year the incident was opened; a mismatch
        # would send a regulator looking in the wrong year's records.
        raise InvalidInput(
            f"Incident reference {reference} names {year.group(1)}, but the incident was opened "
            f"in {opened_year(detected_at)}.",
            field="reference",
        )
    if Incident.objects.filter(reference=reference).exists():
        raise Conflict(f"Incident reference {reference} is already in use.", field="reference")
    incident = Incident.objects.create(
        reference=reference,
        title=title,
        summary=summary,
        ncsc_category=ncsc_category,
        severity=severity,
        detected_at=detected_at,
        origin=origin,
    )
    orgs = [origin, *[o for o in organisations if o != origin]]
    audit.record(
        actor=actor, action="incident.open", obj=incident, after=audit.snapshot(incident), organisations=orgs
    )
    for org in orgs:
        _involve(incident, org, actor)
    _append_log(
        incident=incident,
        actor=actor,
        kind=EntryKind.EVENT,
        occurred_at=detected_at,
        organisations=orgs,
        text=f"Incident opened: {title}. Organisations involved: {', '.join(o.code for o in orgs)}.",
    )
    return incident


@transaction.atomic
def involve_organisation(
    incident: Incident, *, actor: Any, organisation: Organisation, became_aware_at: dt.datetime | None = None
) -> Involvement:
    """Bring another organisation into the incident (the attack spread to it)."""
    lock_incident(incident)
    # Involving an organisation shows it the whole incident, so it is a Gold decision of an
    # organisation already involved, never something any writer can do.
    require_role(
        actor, _involved(incident), [Role.GOLD], "add an organisation to this incident (a Gold decision)"
    )
    if Involvement.objects.filter(incident=incident, organisation=organisation).exists():
        raise Conflict(f"{organisation.code} is already involved.", field="organisation")
    if became_aware_at is not None:
        became_aware_at = times.not_future(became_aware_at, "became_aware_at")
    involvement = _involve(incident, organisation, actor, became_aware_at)
    deciding = [o for o in _involved(incident) if has_role(actor, o, [Role.GOLD])]
    _append_log(
        incident=incident,
        actor=actor,
        kind=EntryKind.DECISION,
        organisations=[organisation, *deciding],
        text=f"{organisation.name} is now involved in the incident: Gold decision by "
        f"{people.name_of(actor)} ({', '.join(o.code for o in deciding)}). "
        f"{organisation.code} can now see the whole incident.",
    )
    return involvement


INCIDENT_FIELDS = ("title", "summary", "ncsc_category", "severity", "phase")


_FIELD_WORDS = {
    "title": "Title",
    "summary": "Summary",
    "ncsc_category": "NCSC category",
    "severity": "Severity",
    "phase": "Phase",
}
_CHOICES: dict[str, type[models.TextChoices]] = {
    "ncsc_category": NcscCategory,
    "severity": Severity,
    "phase": Phase,
}


def _shown(field: str, value: Any) -> str:
    """A stored value as people read it: a choice's label, anything else as it is."""
    choices = _CHOICES.get(field)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


@transaction.atomic
def update_incident(incident: Incident, *, actor: Any, **changes: Any) -> Incident:
    """Change title, summary, NCSC category, severity or phase; each change is logged."""
    lock_incident(incident)
    require_role(
        actor,
        _involved(incident),
        RESPONSE_ROLES,
        "change the incident's details",
    )
    unknown = set(changes) - set(INCIDENT_FIELDS)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    if "ncsc_category" in changes:
        _choice(changes["ncsc_category"], NcscCategory, "ncsc_category")
    if "severity" in changes:
        _choice(changes["severity"], Severity, "severity")
    if "phase" in changes:
        _choice(changes["phase"], Phase, "phase")
    if "title" in changes and not str(changes["title"]).strip():
        raise InvalidInput("An incident needs a title.", field="title")
    before = audit.snapshot(incident, INCIDENT_FIELDS)
    for field, value in changes.items():
        setattr(incident, field, value)
    incident.save(update_fields=list(changes) or None)
    after = audit.snapshot(incident, INCIDENT_FIELDS)
    # In the words the dashboard uses ("Phase: Detect → Contain"), not the stored codes: the
    # log is read by an inquiry, not by the database.
    diff = [
        f"{_FIELD_WORDS[k]}: {_shown(k, before[k])} → {_shown(k, after[k])}"
        for k in INCIDENT_FIELDS
        if before[k] != after[k] and k != "summary"
    ]
    audit.record(
        actor=actor,
        action="incident.update",
        obj=incident,
        before=before,
        after=after,
        organisations=_involved(incident),
    )
    if diff:
        _append_log(
            incident=incident,
            actor=actor,
            kind=EntryKind.DECISION,
            text="Incident updated: " + "; ".join(diff),
        )
    return incident


def _involvement(incident: Incident, organisation: Organisation) -> Involvement:
    inv = (
        Involvement.objects.filter(incident=incident, organisation=organisation)
        .select_related("organisation")
        .first()
    )
    if inv is None:
        raise InvalidInput(
            f"{organisation.code} is not involved in {incident.reference}.", field="organisation"
        )
    return inv


@transaction.atomic
def set_became_aware(
    incident: Incident, *, actor: Any, organisation: Organisation, became_aware_at: dt.datetime
) -> Involvement:
    """Record when a controller became aware; moves its ICO clock if not yet reported."""
    lock_incident(incident)
    require_writer(actor, [organisation], "set this organisation's awareness time")
    became_aware_at = times.not_future(became_aware_at, "became_aware_at")
    inv = _involvement(incident, organisation)
    if became_aware_at < incident.detected_at - dt.timedelta(days=365):
        raise InvalidInput(
            "became_aware_at is more than a year before detection; check the date.", field="became_aware_at"
        )
    before = audit.snapshot(inv, ["became_aware_at"])
    inv.became_aware_at = became_aware_at
    inv.save(update_fields=["became_aware_at"])
    audit.record(
        actor=actor,
        action="involvement.aware",
        obj=inv,
        before=before,
        after=audit.snapshot(inv, ["became_aware_at"]),
        organisations=[organisation],
    )
    _reanchor_obligations(incident, inv, actor)
    _append_log(
        incident=incident,
        actor=actor,
        kind=EntryKind.EVENT,
        organisations=[organisation],
        occurred_at=became_aware_at,
        text=f"{organisation.code} became aware of the incident.",
    )
    return inv


@transaction.atomic
def set_containment(
    incident: Incident,
    *,
    actor: Any,
    organisation: Organisation,
    state: str,
    at: dt.datetime | None = None,
    note: str = "",
) -> Involvement:
    """Record that an organisation isolated itself, shut its network, or returned to normal.

    ``note`` (why, on whose advice) goes into the one log entry this writes, so the decision
    is not logged a second time by hand to say why."""
    lock_incident(incident)
    require_writer(actor, [organisation], "change this organisation's containment state")
    _choice(state, Containment, "containment")
    at = times.not_future(at, "at") if at is not None else timezone.now()
    inv = _involvement(incident, organisation)
    before = audit.snapshot(inv, ["containment", "containment_changed_at"])
    inv.containment = state
    inv.containment_changed_at = at
    inv.save(update_fields=["containment", "containment_changed_at"])
    audit.record(
        actor=actor,
        action="involvement.containment",
        obj=inv,
        before=before,
        after=audit.snapshot(inv, ["containment", "containment_changed_at"]),
        organisations=[organisation],
    )
    _append_log(
        incident=incident,
        actor=actor,
        kind=EntryKind.DECISION,
        organisations=[organisation],
        occurred_at=at,
        text=f"{organisation.code} containment: {Containment(state).label}."
        + (f" {note.strip()}" if note.strip() else ""),
    )
    transaction.on_commit(
        lambda: signals.containment_changed.send(
            sender=Incident,
            event=signals.ContainmentChanged(
                incident=incident, organisation=organisation, state=state, actor=actor
            ),
        )
    )
    return inv


@transaction.atomic
def flag_personal_data_breach(
    incident: Incident, *, actor: Any, organisation: Organisation, became_aware_at: dt.datetime
) -> Involvement:
    """A controller's DPO (or Gold) declares a personal data breach: starts its ICO clock."""
    lock_incident(incident)
    require_role(actor, [organisation], BREACH_ROLES, "declare a personal data breach for this organisation")
    became_aware_at = times.not_future(became_aware_at, "became_aware_at")
    inv = _involvement(incident, organisation)
    if inv.personal_data_breach:
        raise Conflict(f"A personal data breach is already recorded for {organisation.code}.")
    before = audit.snapshot(inv, ["personal_data_breach", "became_aware_at"])
    inv.personal_data_breach = True
    inv.breach_flagged_at = timezone.now()
    inv.became_aware_at = became_aware_at
    inv.save(update_fields=["personal_data_breach", "breach_flagged_at", "became_aware_at"])
    audit.record(
        actor=actor,
        action="involvement.breach",
        obj=inv,
        before=before,
        after=audit.snapshot(inv, ["personal_data_breach", "became_aware_at"]),
        organisations=[organisation],
    )
    _reanchor_obligations(incident, inv, actor)
    _create_obligations(incident, inv, "breach_flagged", actor)
    _append_log(
        incident=incident,
        actor=actor,
        kind=EntryKind.DECISION,
        organisations=[organisation],
        occurred_at=became_aware_at,
        text=f"{organisation.code} declared a personal data breach; the ICO 72-hour clock runs from "
        f"{times.uk_time(became_aware_at, 'short')}.",
    )
    return inv


@transaction.atomic
def set_system_state(
    incident: Incident,
    *,
    actor: Any,
    system: System,
    state: str,
    at: dt.datetime | None = None,
    note: str = "",
) -> AffectedSystem:
    """Mark a system suspected, compromised, switched off or restored; services follow at once."""
    lock_incident(incident)
    involved = _involved(incident)
    require_writer(actor, involved, "change system states in this incident")
    _choice(state, SystemState, "state")
    at = times.not_future(at, "at") if at is not None else timezone.now()
    touched = {system.owner_id, *system.served.values_list("pk", flat=True)}
    if not touched & {o.pk for o in involved}:
        raise InvalidInput(
            f"{system.name} neither belongs to nor serves any organisation in this incident.", field="system"
        )
    existing = AffectedSystem.objects.filter(incident=incident, system=system).first()
    if existing is not None and existing.state == state:
        return existing
    before = audit.snapshot(existing, ["state", "state_changed_at"]) if existing else None
    if existing is None:
        affected = AffectedSystem.objects.create(
            incident=incident, system=system, state=state, first_reported_at=at, state_changed_at=at
        )
    else:
        affected = existing
        affected.state = state
        affected.state_changed_at = at
        affected.save(update_fields=["state", "state_changed_at"])
    audit.record(
        actor=actor,
        action="affected_system.state",
        obj=affected,
        before=before,
        after=audit.snapshot(affected, ["state", "state_changed_at"]),
        organisations=involved,
    )
    lost = affected_services([system.pk]) if state in DOWN_STATES else []
    text = f"{system.name} marked {SystemState(state).label.lower()}."
    if lost:
        per_org: dict[str, int] = {}
        for item in lost:
            per_org[item.service.organisation.code] = per_org.get(item.service.organisation.code, 0) + 1
        text += " Services affected: " + ", ".join(f"{code} {n}" for code, n in sorted(per_org.items())) + "."
    if note.strip():
        text += " " + note.strip()
    _append_log(
        incident=incident, actor=actor, kind=EntryKind.EVENT, occurred_at=at, systems=[system], text=text
    )
    transaction.on_commit(
        lambda: signals.system_state_changed.send(
            sender=Incident,
            event=signals.SystemStateChanged(incident=incident, system=system, state=state, actor=actor),
        )
    )
    return affected
