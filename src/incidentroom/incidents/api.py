"""API: incidents, organisations' involvement, system states, the log, actions, obligations."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from incidentroom.core.bounds import Id
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.core.schemas import InputSchema
from incidentroom.core.scoping import get_scoped
from incidentroom.core.text import Code, Search
from incidentroom.core.times import BoundedDatetime
from incidentroom.estate.models import Service
from incidentroom.incidents import actions, logchain, queries
from incidentroom.incidents.models import (
    Action,
    ActionStatus,
    Containment,
    EntryKind,
    Incident,
    LogEntry,
    NcscCategory,
    Obligation,
    ObligationStatus,
    Phase,
    Severity,
    SystemState,
)

router = Router(tags=["incidents"])


# -- schemas ---------------------------------------------------------------------------


class InvolvementOut(Schema):
    """One organisation's part in the incident."""

    organisation: str
    organisation_name: str
    became_aware_at: dt.datetime | None
    containment: str
    containment_changed_at: dt.datetime | None
    personal_data_breach: bool


class IncidentOut(Schema):
    """An incident."""

    reference: str
    title: str
    summary: str
    ncsc_category: str
    severity: str
    phase: str
    detected_at: dt.datetime
    origin: str
    organisations: list[InvolvementOut]


class IncidentIn(InputSchema):
    """A new incident."""

    title: str = Field(min_length=1, max_length=200)
    origin: str = Field(min_length=1, max_length=16, description="Organisation code where it began")
    detected_at: BoundedDatetime
    organisations: list[str] = Field(default_factory=list, description="Other organisations involved")
    ncsc_category: NcscCategory = NcscCategory.C4
    severity: Severity = Severity.HIGH
    summary: str = Field(default="", max_length=20000)


class IncidentPatch(InputSchema):
    """Fields that may change."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    summary: str | None = Field(default=None, max_length=20000)
    ncsc_category: NcscCategory | None = None
    severity: Severity | None = None
    phase: Phase | None = None


class InvolveIn(InputSchema):
    """Bring an organisation in."""

    organisation: str = Field(min_length=1, max_length=16)
    became_aware_at: BoundedDatetime | None = None


class InvolvementPatch(InputSchema):
    """Change an organisation's awareness time or containment."""

    became_aware_at: BoundedDatetime | None = None
    containment: Containment | None = None
    containment_at: BoundedDatetime | None = None


class BreachFlagIn(InputSchema):
    """Declare a personal data breach for a controller."""

    became_aware_at: BoundedDatetime


class SystemStateOut(Schema):
    """A system's state in the incident."""

    system: str
    system_name: str
    owner: str
    state: str
    first_reported_at: dt.datetime
    state_changed_at: dt.datetime


class SystemStateIn(InputSchema):
    """Set a system's state."""

    state: SystemState
    at: BoundedDatetime | None = None
    note: str = Field(default="", max_length=2000)


class AffectedServiceOut(Schema):
    """A service lost in the incident, and why."""

    organisation: str
    service: str
    service_name: str
    priority: int
    path: list[str]
    because: str


class LogEntryOut(Schema):
    """A log entry."""

    sequence: int
    kind: str
    author: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    text: str
    organisations: list[str]
    systems: list[str]
    services: list[int]
    corrects: int | None
    entry_hash: str


class LogEntryIn(InputSchema):
    """A new log entry (a correction names the sequence it corrects)."""

    kind: EntryKind
    text: str = Field(min_length=1, max_length=20000)
    occurred_at: BoundedDatetime | None = None
    organisations: list[str] = []
    systems: list[str] = []
    services: list[Id] = Field(default=[], max_length=1000)
    corrects: Id | None = None


class BreakOut(Schema):
    """One broken entry."""

    sequence: int
    problem: str


class VerifyOut(Schema):
    """Result of checking the hash chain and its signed head: every broken entry."""

    incident: str
    entries: int
    ok: bool
    first_broken_sequence: int | None
    problem: str
    broken_sequences: list[int]
    breaks: list[BreakOut]


class ActionOut(Schema):
    """An action (task)."""

    id: int
    title: str
    owner: str | None
    organisation: str
    due_at: dt.datetime | None
    status: str
    overdue: bool


class ActionIn(InputSchema):
    """A new action."""

    title: str = Field(min_length=1, max_length=300)
    organisation: str = Field(min_length=1, max_length=16)
    owner: str | None = Field(default=None, max_length=150)
    due_at: BoundedDatetime | None = None


class ActionPatch(InputSchema):
    """Change an action."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    status: ActionStatus | None = None
    due_at: BoundedDatetime | None = None
    owner: str | None = Field(default=None, max_length=150)


class ObligationOut(Schema):
    """A reporting clock."""

    id: int
    organisation: str
    code: str
    title: str
    recipient: str
    basis: str
    how_to_report: str
    anchor: str
    anchor_at: dt.datetime
    deadline_at: dt.datetime
    seconds_left: int
    overdue: bool
    status: str
    not_required_reason: str
    submitted_at: dt.datetime | None
    reference_label: str
    external_reference: str


class ObligationPatch(InputSchema):
    """Move a reporting obligation on."""

    status: ObligationStatus
    reason: str = Field(default="", max_length=2000)
    submitted_at: BoundedDatetime | None = None
    external_reference: str = Field(default="", max_length=100)


class SubmissionCorrectionIn(InputSchema):
    """Correct a submitted report's record: its submission time and/or reference, with why."""

    reason: str = Field(min_length=1, max_length=2000)
    submitted_at: BoundedDatetime | None = None
    external_reference: str | None = Field(default=None, max_length=100)


# -- helpers ---------------------------------------------------------------------------


def _incident_out(incident: Incident) -> IncidentOut:
    return IncidentOut(
        reference=incident.reference,
        title=incident.title,
        summary=incident.summary,
        ncsc_category=incident.ncsc_category,
        severity=incident.severity,
        phase=incident.phase,
        detected_at=incident.detected_at,
        origin=incident.origin.code,
        organisations=[
            InvolvementOut(
                organisation=i.organisation.code,
                organisation_name=i.organisation.name,
                became_aware_at=i.became_aware_at,
                containment=i.containment,
                containment_changed_at=i.containment_changed_at,
                personal_data_breach=i.personal_data_breach,
            )
            for i in incident.involvements.select_related("organisation")
        ],
    )


def _orgs(codes: list[str], field: str, within: list[Organisation] | None = None) -> list[Organisation]:
    pool = (
        within
        if within is not None
        else list(Organisation.objects.filter(code__in=[c.upper() for c in codes]))
    )
    by_code = {o.code: o for o in pool}
    missing = [c for c in codes if c.upper() not in by_code]
    if missing:
        raise InvalidInput(f"Unknown organisation(s): {', '.join(missing)}.", field=field)
    return [by_code[c.upper()] for c in codes]


def _user(username: str | None, field: str) -> object | None:
    if username is None:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(f"Unknown user {username!r}.", field=field)
    return user


def _entry_out(e: LogEntry) -> LogEntryOut:
    return LogEntryOut(
        sequence=e.sequence,
        kind=e.kind,
        author=e.author_label,
        occurred_at=e.occurred_at,
        recorded_at=e.recorded_at,
        text=e.text,
        organisations=[o.code for o in e.organisations.all()],
        systems=[s.code for s in e.systems.all()],
        services=[s.pk for s in e.services.all()],
        corrects=e.corrects.sequence if e.corrects else None,
        entry_hash=e.entry_hash,
    )


def _action_out(a: Action) -> ActionOut:
    return ActionOut(
        id=a.pk,
        title=a.title,
        owner=a.owner.get_username() if a.owner else None,
        organisation=a.organisation.code,
        due_at=a.due_at,
        status=a.status,
        overdue=a.is_overdue(),
    )


def _obligation_out(o: Obligation) -> ObligationOut:
    return ObligationOut(
        id=o.pk,
        organisation=o.organisation.code,
        code=o.code,
        title=o.title,
        recipient=o.recipient,
        basis=o.basis,
        how_to_report=o.how_to_report,
        anchor=o.anchor,
        anchor_at=o.anchor_at,
        deadline_at=o.deadline_at,
        seconds_left=o.seconds_left(),
        overdue=o.is_overdue(),
        status=o.status,
        not_required_reason=o.not_required_reason,
        submitted_at=o.submitted_at,
        reference_label=o.reference_label,
        external_reference=o.external_reference,
    )


# -- endpoints -------------------------------------------------------------------------


@router.get("", response=list[IncidentOut])
def list_incidents(request: HttpRequest) -> list[IncidentOut]:
    """Incidents involving your organisations."""
    return [_incident_out(i) for i in Incident.objects.for_user(request.user).select_related("origin")]


@router.post("", response={201: IncidentOut})
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status[IncidentOut]:
    """Open an incident; the reporting clocks start."""
    origin = _orgs([payload.origin], "origin")[0]
    others = _orgs(payload.organisations, "organisations")
    incident = actions.open_incident(
        actor=request.user,
        title=payload.title,
        origin=origin,
        detected_at=payload.detected_at,
        organisations=others,
        ncsc_category=payload.ncsc_category,
        severity=payload.severity,
        summary=payload.summary,
    )
    return Status(201, _incident_out(incident))


@router.get("/{reference}", response=IncidentOut)
def get_incident(request: HttpRequest, reference: str) -> IncidentOut:
    """One incident."""
    return _incident_out(queries.incident_for(request.user, reference))


@router.patch("/{reference}", response=IncidentOut)
def update_incident(request: HttpRequest, reference: str, payload: IncidentPatch) -> IncidentOut:
    """Change title, summary, category, severity or phase."""
    incident = queries.incident_for(request.user, reference)
    changes = payload.model_dump(exclude_none=True)
    incident = actions.update_incident(incident, actor=request.user, **changes)
    return _incident_out(incident)


@router.post("/{reference}/organisations", response={201: IncidentOut})
def involve(request: HttpRequest, reference: str, payload: InvolveIn) -> Status[IncidentOut]:
    """Bring another organisation into the incident."""
    incident = queries.incident_for(request.user, reference)
    org = _orgs([payload.organisation], "organisation")[0]
    actions.involve_organisation(
        incident, actor=request.user, organisation=org, became_aware_at=payload.became_aware_at
    )
    return Status(201, _incident_out(incident))


@router.patch("/{reference}/organisations/{code}", response=IncidentOut)
def update_involvement(
    request: HttpRequest, reference: str, code: str, payload: InvolvementPatch
) -> IncidentOut:
    """Set an organisation's awareness time or containment state."""
    incident = queries.incident_for(request.user, reference)
    org = queries.involved_organisation(incident, code)
    if payload.became_aware_at is not None:
        actions.set_became_aware(
            incident, actor=request.user, organisation=org, became_aware_at=payload.became_aware_at
        )
    if payload.containment is not None:
        actions.set_containment(
            incident,
            actor=request.user,
            organisation=org,
            state=payload.containment,
            at=payload.containment_at,
        )
    return _incident_out(incident)


@router.post("/{reference}/organisations/{code}/breach", response={201: IncidentOut})
def flag_breach(
    request: HttpRequest, reference: str, code: str, payload: BreachFlagIn
) -> Status[IncidentOut]:
    """Declare a personal data breach for a controller (DPO or Gold): starts its ICO clock."""
    incident = queries.incident_for(request.user, reference)
    org = queries.involved_organisation(incident, code)
    actions.flag_personal_data_breach(
        incident, actor=request.user, organisation=org, became_aware_at=payload.became_aware_at
    )
    return Status(201, _incident_out(incident))


@router.get("/{reference}/systems", response=list[SystemStateOut])
def list_system_states(request: HttpRequest, reference: str) -> list[SystemStateOut]:
    """Systems reported in the incident and their states."""
    incident = queries.incident_for(request.user, reference)
    return [
        SystemStateOut(
            system=a.system.code,
            system_name=a.system.name,
            owner=a.system.owner.code,
            state=a.state,
            first_reported_at=a.first_reported_at,
            state_changed_at=a.state_changed_at,
        )
        for a in incident.affected_systems.select_related("system__owner")
    ]


@router.put("/{reference}/systems/{code}", response=SystemStateOut)
def set_system_state(
    request: HttpRequest, reference: str, code: str, payload: SystemStateIn
) -> SystemStateOut:
    """Mark a system suspected, compromised, switched off or restored."""
    incident = queries.incident_for(request.user, reference)
    system = queries.systems_by_code(incident, [code], "system")[0]
    a = actions.set_system_state(
        incident, actor=request.user, system=system, state=payload.state, at=payload.at, note=payload.note
    )
    return SystemStateOut(
        system=system.code,
        system_name=system.name,
        owner=system.owner.code,
        state=a.state,
        first_reported_at=a.first_reported_at,
        state_changed_at=a.state_changed_at,
    )


@router.get("/{reference}/affected-services", response=list[AffectedServiceOut])
def list_affected_services(request: HttpRequest, reference: str) -> list[AffectedServiceOut]:
    """Every service lost in every involved organisation, with the dependency path."""
    incident = queries.incident_for(request.user, reference)
    return [
        AffectedServiceOut(
            organisation=r.service.organisation.code,
            service=r.service.code,
            service_name=r.service.name,
            priority=r.service.priority,
            path=[s.code for s in r.path],
            because=r.because,
        )
        for r in queries.affected_service_rows(incident)
    ]


@router.get("/{reference}/log", response=list[LogEntryOut])
def list_log(
    request: HttpRequest,
    reference: str,
    kind: EntryKind | None = None,
    organisation: Code | None = None,
    q: Search | None = None,
) -> list[LogEntryOut]:
    """The decision and event log, oldest first, with optional filters."""
    incident = queries.incident_for(request.user, reference)
    entries = incident.log_entries.select_related("corrects").prefetch_related(
        "organisations", "systems", "services"
    )
    if kind:
        entries = entries.filter(kind=kind)
    if organisation:
        entries = entries.filter(organisations__code=organisation.upper())
    if q:
        entries = entries.filter(text__icontains=q)
    return [_entry_out(e) for e in entries.order_by("sequence")]


@router.post("/{reference}/log", response={201: LogEntryOut})
def add_log_entry(request: HttpRequest, reference: str, payload: LogEntryIn) -> Status[LogEntryOut]:
    """Append to the log (entries are never edited: correct by appending with ``corrects``)."""
    incident = queries.incident_for(request.user, reference)
    involved = list(incident.organisations.all())
    orgs = _orgs(payload.organisations, "organisations", within=involved)
    systems = queries.systems_by_code(incident, payload.systems, "systems")
    services = list(Service.objects.filter(pk__in=payload.services, organisation__in=involved))
    if len(services) != len(set(payload.services)):
        raise InvalidInput("Unknown service id for this incident.", field="services")
    corrects = None
    if payload.corrects is not None:
        corrects = incident.log_entries.filter(sequence=payload.corrects).first()
        if corrects is None:
            raise InvalidInput(f"There is no entry #{payload.corrects} to correct.", field="corrects")
    entry = actions.add_log_entry(
        incident,
        actor=request.user,
        kind=payload.kind,
        text=payload.text,
        occurred_at=payload.occurred_at,
        organisations=orgs,
        systems=systems,
        services=services,
        corrects=corrects,
    )
    return Status(201, _entry_out(entry))


@router.get("/{reference}/log/verify", response=VerifyOut)
def verify_log(request: HttpRequest, reference: str) -> VerifyOut:
    """Check the hash chain and its signed head; names every broken entry."""
    report = logchain.verify(queries.incident_for(request.user, reference))
    return VerifyOut(
        incident=report.incident,
        entries=report.entries,
        ok=report.ok,
        first_broken_sequence=report.first_broken_sequence,
        problem=report.problem,
        broken_sequences=report.broken_sequences,
        breaks=[BreakOut(sequence=b.sequence, problem=b.problem) for b in report.breaks],
    )


@router.get("/{reference}/actions", response=list[ActionOut])
def list_actions(request: HttpRequest, reference: str) -> list[ActionOut]:
    """Actions in the incident."""
    incident = queries.incident_for(request.user, reference)
    return [_action_out(a) for a in incident.actions.select_related("owner", "organisation")]


@router.post("/{reference}/actions", response={201: ActionOut})
def create_action(request: HttpRequest, reference: str, payload: ActionIn) -> Status[ActionOut]:
    """Give someone a task."""
    incident = queries.incident_for(request.user, reference)
    org = queries.involved_organisation(incident, payload.organisation)
    action = actions.create_action(
        incident,
        actor=request.user,
        title=payload.title,
        organisation=org,
        owner=_user(payload.owner, "owner"),
        due_at=payload.due_at,
    )
    return Status(201, _action_out(action))


@router.patch("/{reference}/actions/{action_id}", response=ActionOut)
def update_action(request: HttpRequest, reference: str, action_id: Id, payload: ActionPatch) -> ActionOut:
    """Move an action on."""
    incident = queries.incident_for(request.user, reference)
    action = get_scoped(incident.actions.select_related("organisation"), "action", pk=action_id)
    action = actions.update_action(
        action,
        actor=request.user,
        status=payload.status,
        due_at=payload.due_at,
        owner=_user(payload.owner, "owner"),
        title=payload.title,
    )
    return _action_out(action)


@router.get("/{reference}/obligations", response=list[ObligationOut])
def list_obligations(request: HttpRequest, reference: str) -> list[ObligationOut]:
    """The reporting clocks, soonest deadline first."""
    incident = queries.incident_for(request.user, reference)
    return [_obligation_out(o) for o in incident.obligations.select_related("organisation")]


@router.patch("/{reference}/obligations/{obligation_id}", response=ObligationOut)
def update_obligation(
    request: HttpRequest, reference: str, obligation_id: Id, payload: ObligationPatch
) -> ObligationOut:
    """Draft, submit (stops the clock) or mark not required with a reason."""
    incident = queries.incident_for(request.user, reference)
    obligation = get_scoped(
        incident.obligations.select_related("organisation", "incident"), "obligation", pk=obligation_id
    )
    obligation = actions.update_obligation(
        obligation,
        actor=request.user,
        status=payload.status,
        reason=payload.reason,
        submitted_at=payload.submitted_at,
        external_reference=payload.external_reference,
    )
    return _obligation_out(obligation)


@router.post("/{reference}/obligations/{obligation_id}/correction", response=ObligationOut)
def correct_obligation_submission(
    request: HttpRequest, reference: str, obligation_id: Id, payload: SubmissionCorrectionIn
) -> ObligationOut:
    """Correct when a submitted report was submitted, or its reference; the correction is logged."""
    incident = queries.incident_for(request.user, reference)
    obligation = get_scoped(
        incident.obligations.select_related("organisation", "incident"), "obligation", pk=obligation_id
    )
    obligation = actions.correct_submission(
        obligation,
        actor=request.user,
        reason=payload.reason,
        submitted_at=payload.submitted_at,
        external_reference=payload.external_reference,
    )
    return _obligation_out(obligation)
