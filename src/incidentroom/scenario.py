"""Load a scenario file: organisations, people, the estate and incidents as they stood.

The file is validated in full before anything is written, and written in one transaction,
so a bad file loads nothing. Errors name the line and the field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from incidentroom.continuity import actions as continuity_actions
from incidentroom.core import actions as core_actions
from incidentroom.core.access import has_role
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import CONTINUITY_ROLES, WRITER_ROLES, Organisation, Role
from incidentroom.core.text import clean_text
from incidentroom.core.times import BoundedDatetime
from incidentroom.estate import actions as estate_actions
from incidentroom.estate.models import Criticality, Service, System, SystemKind
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import (
    ActionStatus,
    Containment,
    EntryKind,
    Incident,
    NcscCategory,
    Phase,
    Severity,
    SystemState,
)
from incidentroom.status import actions as status_actions
from incidentroom.status.models import PublicStatus

DEMO_PASSWORD = "West-London-demo-2025"  # noqa: S105 - demo personas only; printed by make run


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DpoIn(_Strict):
    """A DPO's contact details."""

    name: str
    email: str
    phone: str = ""


class SignatoryIn(_Strict):
    """Who signs the council's letters to residents."""

    name: str
    title: str = ""


class OrganisationIn(_Strict):
    """An organisation in the scenario (``address`` is its postal address, one line each)."""

    code: str = Field(pattern=r"^[A-Z0-9-]{2,16}$")
    name: str
    dpo: DpoIn | None = None
    ico_registration: str = ""
    english_council: bool = True
    insurer: str = ""
    insurer_notice_hours: int = Field(default=48, ge=1, le=24 * 60)
    networks: list[str] = []
    address: list[str] = []
    phone: str = ""
    helpline: str = ""
    website: str = ""
    signatory: SignatoryIn | None = None
    notices_from: str = ""


class PersonIn(_Strict):
    """A persona: login plus a role per organisation."""

    username: str = Field(pattern=r"^[a-z0-9._-]{3,150}$")
    name: str
    email: str = ""
    password: str | None = None
    memberships: dict[str, Role]


class SystemIn(_Strict):
    """An IT system."""

    code: str = Field(pattern=r"^[a-z0-9-]{2,60}$")
    name: str
    owner: str
    serves: list[str] = []
    kind: SystemKind = SystemKind.APPLICATION
    criticality: Literal["low", "medium", "high", "critical"] = "medium"
    depends_on: list[str] = []
    description: str = ""


class ServiceIn(_Strict):
    """A resident-facing service."""

    organisation: str
    code: str = Field(pattern=r"^[a-z0-9-]{2,60}$")
    name: str
    priority: int = Field(default=3, ge=1, le=9)
    rto_hours: int = Field(default=72, ge=0)
    vulnerable: bool = False
    public: bool = True
    needs: list[str] = []
    description: str = ""


class BreachIn(_Strict):
    """A personal data breach declared for a controller."""

    became_aware_at: BoundedDatetime
    by: str


class InvolvementIn(_Strict):
    """An organisation's part in an incident."""

    code: str
    became_aware_at: BoundedDatetime | None = None
    containment: Containment = Containment.NORMAL
    containment_at: BoundedDatetime | None = None
    containment_by: str | None = None
    # Why, written into the containment's own log entry (a separate log line would record
    # the same decision twice).
    containment_note: str = ""
    personal_data_breach: BreachIn | None = None


class SystemStateIn(_Strict):
    """A system's state in an incident."""

    code: str
    state: SystemState
    at: BoundedDatetime
    by: str
    note: str = ""


class LogIn(_Strict):
    """A log entry."""

    kind: EntryKind
    at: BoundedDatetime
    by: str
    text: str
    organisations: list[str] = []


class ActionIn(_Strict):
    """An action."""

    title: str
    organisation: str
    owner: str
    due_at: BoundedDatetime | None = None
    status: ActionStatus = ActionStatus.OPEN


class IncidentIn(_Strict):
    """An incident as it stood."""

    reference: str = Field(pattern=r"^[A-Z0-9-]{3,30}$")
    title: str
    summary: str = ""
    origin: str
    detected_at: BoundedDatetime
    ncsc_category: NcscCategory = NcscCategory.C4
    severity: Severity = Severity.HIGH
    phase: Phase = Phase.DETECT
    opened_by: str
    organisations: list[InvolvementIn]
    systems: list[SystemStateIn] = []
    log: list[LogIn] = []
    actions: list[ActionIn] = []


class ServiceStatusIn(_Strict):
    """A service's public status as a council had confirmed it."""

    service: str
    status: PublicStatus
    advice: str = ""
    # The workaround comms published, worded for residents (never the continuity board's text).
    workaround: str = ""


class StatusPageIn(_Strict):
    """What a council had confirmed on its public status page, and when."""

    organisation: str
    by: str
    at: BoundedDatetime
    statement: str
    help: str = ""
    services: list[ServiceStatusIn] = []


class ContinuityIn(_Strict):
    """A service's continuity plan, its owner and the workaround in use."""

    organisation: str
    service: str
    owner: str
    rto_hours: int = Field(ge=1, le=24 * 365)
    mtpd_hours: int = Field(ge=1, le=24 * 365)
    minimum_service_level: str = ""
    plan: str = ""
    workaround: str = ""
    state: Literal["normal", "workaround", "minimum", "suspended", "recovered"] = "normal"
    update: str = ""
    update_interval_hours: int = Field(default=4, ge=1, le=24 * 365)


class SupplierIn(_Strict):
    """A supplier a council calls when its systems are down."""

    organisation: str
    name: str
    supplies: str
    phone: str = ""
    email: str = ""
    contract_reference: str = ""
    notes: str = ""


class ScenarioIn(_Strict):
    """The whole file."""

    scenario: str
    description: str = ""
    as_of: BoundedDatetime
    organisations: list[OrganisationIn]
    people: list[PersonIn]
    systems: list[SystemIn]
    services: list[ServiceIn]
    incidents: list[IncidentIn] = []
    status_pages: list[StatusPageIn] = []
    continuity: list[ContinuityIn] = []
    suppliers: list[SupplierIn] = []


# -- parsing with line numbers -------------------------------------------------------------


def _line_index(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _line_index(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*path, i), out)


def _line_for(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), None)


def _clean_strings(value: Any, loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int], source: str) -> Any:
    """Every string in the file cleaned as the web routes clean theirs (core.text): pasted
    line breaks become newlines, other control characters are refused with the line."""
    if isinstance(value, str):
        field = ".".join(str(p) for p in loc)
        try:
            return clean_text(value, field)
        except InvalidInput as exc:
            raise InvalidInput(
                f"{source} line {_line_for(lines, loc)}, field {field}: {exc.message}", field=field
            ) from exc
    if isinstance(value, list):
        return [_clean_strings(v, (*loc, i), lines, source) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _clean_strings(v, (*loc, k), lines, source) for k, v in value.items()}
    return value


def parse(text: str, source: str = "scenario") -> ScenarioIn:
    """Validate the YAML; errors say '<source> line N, field a.b.c: problem'."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if node is None or not isinstance(data, dict):
        raise InvalidInput(
            f"{source}: expected a mapping with scenario, organisations, people, systems, services"
        )
    lines: dict[tuple[Any, ...], int] = {}
    _line_index(node, (), lines)
    data = _clean_strings(data, (), lines, source)
    try:
        scenario = ScenarioIn.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = _line_for(lines, loc)
        field = ".".join(str(p) for p in loc)
        raise InvalidInput(f"{source} line {line}, field {field}: {err['msg']}", field=field) from exc
    _cross_check(scenario, lines, source)
    return scenario


def _cross_check(s: ScenarioIn, lines: dict[tuple[Any, ...], int], source: str) -> None:
    """References between sections (an unknown organisation, system or person)."""
    orgs = {o.code for o in s.organisations}
    people = {p.username for p in s.people}
    systems = {x.code for x in s.systems}

    def fail(loc: tuple[Any, ...], msg: str) -> None:
        field = ".".join(str(p) for p in loc)
        raise InvalidInput(f"{source} line {_line_for(lines, loc)}, field {field}: {msg}", field=field)

    for i, p in enumerate(s.people):
        for code in p.memberships:
            if code not in orgs:
                fail(("people", i, "memberships", code), f"unknown organisation {code!r}")
    for i, x in enumerate(s.systems):
        for field, codes in (("owner", [x.owner]), ("serves", x.serves)):
            for code in codes:
                if code not in orgs:
                    fail(("systems", i, field), f"unknown organisation {code!r}")
        for code in x.depends_on:
            if code not in systems:
                fail(("systems", i, "depends_on"), f"unknown system {code!r}")
    for i, v in enumerate(s.services):
        if v.organisation not in orgs:
            fail(("services", i, "organisation"), f"unknown organisation {v.organisation!r}")
        for code in v.needs:
            if code not in systems:
                fail(("services", i, "needs"), f"unknown system {code!r}")
    for i, inc in enumerate(s.incidents):
        if inc.origin not in orgs:
            fail(("incidents", i, "origin"), f"unknown organisation {inc.origin!r}")
        if inc.opened_by not in people:
            fail(("incidents", i, "opened_by"), f"unknown person {inc.opened_by!r}")
        for j, inv in enumerate(inc.organisations):
            if inv.code not in orgs:
                fail(("incidents", i, "organisations", j, "code"), f"unknown organisation {inv.code!r}")
        for j, st in enumerate(inc.systems):
            if st.code not in systems:
                fail(("incidents", i, "systems", j, "code"), f"unknown system {st.code!r}")
            if st.by not in people:
                fail(("incidents", i, "systems", j, "by"), f"unknown person {st.by!r}")
        for j, entry in enumerate(inc.log):
            if entry.by not in people:
                fail(("incidents", i, "log", j, "by"), f"unknown person {entry.by!r}")
        for j, act in enumerate(inc.actions):
            if act.owner not in people:
                fail(("incidents", i, "actions", j, "owner"), f"unknown person {act.owner!r}")
    services = {(v.organisation, v.code) for v in s.services}
    for i, c in enumerate(s.continuity):
        if (c.organisation, c.service) not in services:
            fail(("continuity", i, "service"), f"{c.organisation} has no service {c.service!r}")
        if c.owner not in people:
            fail(("continuity", i, "owner"), f"unknown person {c.owner!r}")
        if c.mtpd_hours < c.rto_hours:
            fail(("continuity", i, "mtpd_hours"), "shorter than the recovery time objective")
    for i, sup in enumerate(s.suppliers):
        if sup.organisation not in orgs:
            fail(("suppliers", i, "organisation"), f"unknown organisation {sup.organisation!r}")
    for i, page in enumerate(s.status_pages):
        if page.organisation not in orgs:
            fail(("status_pages", i, "organisation"), f"unknown organisation {page.organisation!r}")
        if page.by not in people:
            fail(("status_pages", i, "by"), f"unknown person {page.by!r}")
        for j, confirmed in enumerate(page.services):
            if (page.organisation, confirmed.service) not in services:
                fail(
                    ("status_pages", i, "services", j, "service"),
                    f"{page.organisation} has no service {confirmed.service!r}",
                )


# -- loading -----------------------------------------------------------------------------------


CRITICALITY = {
    "low": Criticality.LOW,
    "medium": Criticality.MEDIUM,
    "high": Criticality.HIGH,
    "critical": Criticality.CRITICAL,
}


def _shift(value: dt.datetime | None, delta: dt.timedelta) -> dt.datetime | None:
    return value + delta if value is not None else None


def _reference(recorded: str, detected_at: dt.datetime) -> str:
    """The file's reference, with its year moved to the year the (shifted) incident was
    opened: the demo moved to now must not open a 2026 incident as IR-2025-0001."""
    match = incident_actions.REFERENCE_PATTERN.match(recorded)
    if match is None:
        return recorded
    return f"IR-{incident_actions.opened_year(detected_at)}-{match.group(2)}"


@transaction.atomic
def load(scenario: ScenarioIn, *, shift_to: dt.datetime | None = None) -> dict[str, int]:
    """Write the scenario; ``shift_to`` moves every time so that ``as_of`` becomes that moment
    (the demo's clocks then run live instead of being a year overdue)."""
    delta = (shift_to - scenario.as_of) if shift_to is not None else dt.timedelta(0)
    system_actor = None
    orgs: dict[str, Organisation] = {}
    for o in scenario.organisations:
        orgs[o.code] = core_actions.create_organisation(
            actor=system_actor,
            name=o.name,
            code=o.code,
            dpo_name=o.dpo.name if o.dpo else "",
            dpo_email=o.dpo.email if o.dpo else "",
            dpo_phone=o.dpo.phone if o.dpo else "",
            ico_registration=o.ico_registration,
            english_council=o.english_council,
            insurer_name=o.insurer,
            insurer_notice_hours=o.insurer_notice_hours,
            networks=o.networks,
            postal_address="\n".join(o.address),
            main_phone=o.phone,
            resident_helpline=o.helpline,
            website=o.website,
            signatory_name=o.signatory.name if o.signatory else "",
            signatory_title=o.signatory.title if o.signatory else "",
            notices_from_email=o.notices_from,
        )
    users: dict[str, Any] = {}
    for p in scenario.people:
        users[p.username] = core_actions.create_user(
            actor=system_actor,
            username=p.username,
            password=p.password or DEMO_PASSWORD,
            full_name=p.name,
            email=p.email,
        )
        for code, role in p.memberships.items():
            core_actions.set_membership(
                actor=system_actor, user=users[p.username], organisation=orgs[code], role=role
            )
    systems: dict[str, System] = {}
    for x in scenario.systems:
        systems[x.code] = estate_actions.create_system(
            actor=system_actor,
            owner=orgs[x.owner],
            code=x.code,
            name=x.name,
            served=[orgs[c] for c in x.serves],
            kind=x.kind,
            criticality=CRITICALITY[x.criticality],
            description=x.description,
            check_access=False,
        )
    for x in scenario.systems:
        for dep in x.depends_on:
            estate_actions.add_system_dependency(
                actor=system_actor, system=systems[x.code], depends_on=systems[dep], check_access=False
            )
    services: list[Service] = []
    for v in scenario.services:
        service = estate_actions.create_service(
            actor=system_actor,
            organisation=orgs[v.organisation],
            code=v.code,
            name=v.name,
            priority=v.priority,
            rto_hours=v.rto_hours,
            vulnerable_residents=v.vulnerable,
            public=v.public,
            description=v.description,
            check_access=False,
        )
        for code in v.needs:
            estate_actions.add_service_dependency(
                actor=system_actor, service=service, system=systems[code], check_access=False
            )
        services.append(service)
    for inc in scenario.incidents:
        _load_incident(inc, orgs, users, systems, delta)
    for page in scenario.status_pages:
        _load_status_page(page, orgs, users, delta)
    for plan in scenario.continuity:
        _load_continuity(plan, orgs, users)
    for sup in scenario.suppliers:
        owner_writer = next(
            u for u in users.values() if has_role(u, orgs[sup.organisation], CONTINUITY_ROLES)
        )
        continuity_actions.add_supplier(
            orgs[sup.organisation],
            actor=owner_writer,
            name=sup.name,
            supplies=sup.supplies,
            phone=sup.phone,
            email=sup.email,
            contract_reference=sup.contract_reference,
            notes=sup.notes,
        )
    return {
        "organisations": len(orgs),
        "people": len(users),
        "systems": len(systems),
        "services": len(services),
        "incidents": len(scenario.incidents),
    }


def _load_incident(
    inc: IncidentIn,
    orgs: dict[str, Organisation],
    users: dict[str, Any],
    systems: dict[str, System],
    delta: dt.timedelta,
) -> Incident:
    # Replay the incident through the action functions, in time order, so the log, the
    # clocks and the audit trail are exactly what the product would have recorded.
    opener = users[inc.opened_by]
    # Each organisation records its own awareness time, through one of its own people.
    local_writer = {
        code: next((u for u in users.values() if has_role(u, org, WRITER_ROLES)), opener)
        for code, org in orgs.items()
    }
    incident = incident_actions.open_incident(
        actor=opener,
        title=inc.title,
        origin=orgs[inc.origin],
        detected_at=inc.detected_at + delta,
        organisations=[orgs[i.code] for i in inc.organisations],
        ncsc_category=inc.ncsc_category,
        severity=inc.severity,
        summary=inc.summary,
        reference=_reference(inc.reference, inc.detected_at + delta),
    )
    events: list[tuple[dt.datetime, int, Any]] = []
    for inv in inc.organisations:
        if inv.became_aware_at is not None:
            events.append((inv.became_aware_at, 0, ("aware", inv)))
        if inv.containment != Containment.NORMAL:
            events.append((inv.containment_at or inc.detected_at, 1, ("contain", inv)))
        if inv.personal_data_breach is not None:
            events.append((inv.personal_data_breach.became_aware_at, 2, ("breach", inv)))
    for st in inc.systems:
        events.append((st.at, 1, ("system", st)))
    for entry in inc.log:
        events.append((entry.at, 3, ("log", entry)))
    events.sort(key=lambda e: (e[0], e[1]))
    for _, _, (what, item) in events:
        if what == "aware":
            incident_actions.set_became_aware(
                incident,
                actor=local_writer[item.code],
                organisation=orgs[item.code],
                became_aware_at=item.became_aware_at + delta,
            )
        elif what == "contain":
            by = users[item.containment_by] if item.containment_by else opener
            incident_actions.set_containment(
                incident,
                actor=by,
                organisation=orgs[item.code],
                state=item.containment,
                at=_shift(item.containment_at, delta),
                note=item.containment_note,
            )
        elif what == "breach":
            incident_actions.flag_personal_data_breach(
                incident,
                actor=users[item.personal_data_breach.by],
                organisation=orgs[item.code],
                became_aware_at=item.personal_data_breach.became_aware_at + delta,
            )
        elif what == "system":
            incident_actions.set_system_state(
                incident,
                actor=users[item.by],
                system=systems[item.code],
                state=item.state,
                at=item.at + delta,
                note=item.note,
            )
        else:
            incident_actions.add_log_entry(
                incident,
                actor=users[item.by],
                kind=item.kind,
                text=item.text,
                occurred_at=item.at + delta,
                organisations=[orgs[c] for c in item.organisations],
            )
    for act in inc.actions:
        action = incident_actions.create_action(
            incident,
            actor=users[act.owner],
            title=act.title,
            organisation=orgs[act.organisation],
            owner=users[act.owner],
            due_at=_shift(act.due_at, delta),
        )
        if act.status != ActionStatus.OPEN:
            incident_actions.update_action(action, actor=users[act.owner], status=act.status)
    if inc.phase != Phase.DETECT:
        incident_actions.update_incident(incident, actor=opener, phase=inc.phase)
    return incident


def _load_status_page(
    page: StatusPageIn, orgs: dict[str, Organisation], users: dict[str, Any], delta: dt.timedelta
) -> None:
    # Through the comms officer's own actions, after the incident, as it happened: the
    # statuses supersede the proposals the incident's outages raised for those services.
    org, actor, at = orgs[page.organisation], users[page.by], page.at + delta
    status_actions.configure_page(org, actor=actor, headline=page.statement, help_text=page.help, at=at)
    for st in page.services:
        status_actions.set_service_status(
            Service.objects.get(organisation=org, code=st.service),
            actor=actor,
            status=st.status,
            advice=st.advice,
            workaround=st.workaround,
            at=at,
        )


def _load_continuity(plan: ContinuityIn, orgs: dict[str, Organisation], users: dict[str, Any]) -> None:
    # Through the service owner's own actions: the plan, then (if the service is running on
    # a workaround) the update that says so, which starts its reporting clock.
    service = Service.objects.get(organisation=orgs[plan.organisation], code=plan.service)
    owner = users[plan.owner]
    saved = continuity_actions.save_plan(
        service,
        actor=owner,
        rto_hours=plan.rto_hours,
        mtpd_hours=plan.mtpd_hours,
        minimum_service_level=plan.minimum_service_level,
        plan=plan.plan,
        workaround=plan.workaround,
        owner=owner,
        update_interval_hours=plan.update_interval_hours,
    )
    if plan.state != "normal":
        continuity_actions.record_update(
            saved,
            actor=owner,
            state=plan.state,
            note=plan.update or "Plan invoked.",
            workaround=plan.workaround,
        )


def load_file(path: Path, *, shift_to: dt.datetime | None = None) -> dict[str, int]:
    """Parse and load a scenario file (all or nothing)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc})") from exc
    return load(parse(text, source=str(path)), shift_to=shift_to)


def already_loaded(path: Path) -> bool:
    """True when the scenario's organisations exist (make run is safe to repeat)."""
    scenario = parse(path.read_text(encoding="utf-8"), source=str(path))
    return (
        Organisation.objects.filter(code__in=[o.code for o in scenario.organisations]).exists()
        or get_user_model().objects.filter(username__in=[p.username for p in scenario.people]).exists()
    )
