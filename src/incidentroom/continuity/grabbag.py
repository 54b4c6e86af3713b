"""The grab bag: a printable PDF of who to call, the continuity plans and where things stand,
for when the systems (and the screens) are down."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from incidentroom.continuity.models import ContinuityPlan, Supplier
from incidentroom.continuity.queries import (
    BoardRow,
    Contact,
    board,
    continuity_note,
    national_contacts,
    partner_contacts,
)
from incidentroom.core import times
from incidentroom.core.models import Membership, Organisation, Role
from incidentroom.core.pdf import pdf_text, render_pdf_template
from incidentroom.incidents.models import Incident, Obligation, Phase
from incidentroom.incidents.queries import affected_service_rows

NO_LINE = "No public line: report online (see web)"
NO_EMAIL = "None published: report online (see web)"
ADD_YOURS = "Add yours: ____________________"


def _contact_rows(contacts: list[Contact]) -> list[list[object]]:
    # A blank cell in a printed grab bag reads as "we forgot"; say what to do instead.
    return [
        [
            c.name,
            c.purpose,
            c.phone or (NO_LINE if c.web else ADD_YOURS),
            c.email or (NO_EMAIL if c.web else ADD_YOURS),
            c.web or ADD_YOURS,
        ]
        for c in contacts
    ]


def _own_team(organisation: Organisation) -> list[list[object]]:
    """The council's own people to call, senior first (the partner table lists the others)."""
    order = {r.value: i for i, r in enumerate(OWN_TEAM_ROLES)}
    members = sorted(
        Membership.objects.filter(organisation=organisation, role__in=OWN_TEAM_ROLES).select_related("user"),
        key=lambda m: (order[m.role], m.user.get_full_name() or m.user.get_username()),
    )
    rows: list[list[object]] = [
        [
            m.user.get_full_name() or m.user.get_username(),
            m.get_role_display(),
            organisation.dpo_phone if m.role == Role.DPO and organisation.dpo_phone else ADD_YOURS,
            m.user.email or ADD_YOURS,
        ]
        for m in members
    ]
    return rows


def _clock_rows(organisation: Organisation, now: dt.datetime) -> list[list[object]]:
    """Reports this council still owes, the most urgent first."""
    running = (
        Obligation.objects.filter(organisation=organisation)
        .running()
        .exclude(incident__phase=Phase.CLOSED)
        .select_related("incident")
        .order_by("deadline_at")
    )
    return [
        [
            o.incident.reference,
            o.title,
            o.recipient,
            _when(o.deadline_at),
            times.countdown(o.deadline_at, now)
            .replace("s left", "s left at printing")
            .replace("s overdue", "s OVERDUE at printing"),
            o.how_to_report,
        ]
        for o in running
    ]


def _affected_rows(organisation: Organisation) -> tuple[list[list[object]], list[list[object]]]:
    """Systems reported in the council's open incidents, and the council's services lost."""
    systems: list[list[object]] = []
    services: list[list[object]] = []
    incidents = Incident.objects.filter(involvements__organisation=organisation).exclude(phase=Phase.CLOSED)
    for incident in incidents.order_by("detected_at"):
        for a in incident.affected_systems.select_related("system__owner").order_by("system__name"):
            systems.append(
                [
                    incident.reference,
                    a.system.name,
                    a.system.owner.code,
                    a.get_state_display(),
                    _when(a.state_changed_at),
                ]
            )
        rows = affected_service_rows(incident, organisation_ids=[organisation.pk])
        plans = {
            p.service_id: p for p in ContinuityPlan.objects.filter(service__in=[r.service for r in rows])
        }
        for row in rows:
            plan = plans.get(row.service.pk)
            note = continuity_note(plan) if plan else ""
            name = row.service.name + (f"\nUnavailable — {note}" if note else "")
            services.append([incident.reference, name, row.because])
    return systems, services


OWN_TEAM_ROLES = (
    Role.GOLD,
    Role.SILVER,
    Role.BRONZE,
    Role.DPO,
    Role.COMMS,
    Role.SERVICE_MANAGER,
    Role.RESPONDER,
)


def _when(value: dt.datetime | None) -> str:
    return times.uk_time(value, "short") if value else ""


def _status_rows(rows: list[BoardRow]) -> list[list[object]]:
    out: list[list[object]] = []
    for r in rows:
        plan = r.plan
        flags = [
            f
            for f, on in (
                ("UPDATE OVERDUE", r.update_overdue),
                ("RTO passed", r.rto_breached),
                ("MTPD passed", r.mtpd_breached),
            )
            if on
        ]
        out.append(
            [
                r.service.name + (" (vulnerable residents)" if r.service.vulnerable_residents else ""),
                r.service.priority,
                # The service's own state first (as the board's "Service now"), then the plan's.
                (f"Down since {_when(r.down_since)}; " if r.down_since else "")
                + (plan.get_state_display() if plan else "No plan recorded"),
                r.public_status,
                f"{plan.rto_hours} h / {plan.mtpd_hours} h" if plan else f"{r.service.rto_hours} h / -",
                plan.minimum_service_level if plan else "",
                plan.workaround if plan else "",
                (plan.owner.get_full_name() or plan.owner.get_username()) if plan and plan.owner else "",
                # A lost service with no plan is still flagged past its RTO.
                " ".join(x for x in (_when(plan.next_update_due) if plan else "", *flags) if x),
            ]
        )
    return out


def _cells(rows: list[list[object]]) -> list[list[str]]:
    return [[pdf_text(str(c or "")) for c in row] for row in rows]


def _table(
    heading: str, header: list[tuple[str, int]], rows: list[list[object]], *, new_page: bool = False
) -> dict[str, object]:
    return {"heading": heading, "header": header, "rows": _cells(rows), "new_page": new_page}


def render(organisation: Organisation, now: dt.datetime | None = None) -> bytes:
    """The grab-bag PDF for one organisation."""
    now = now or timezone.now()
    rows = board(organisation, now)
    suppliers: list[list[object]] = [
        [s.name, s.supplies, s.phone, s.email, " ".join(x for x in (s.contract_reference, s.notes) if x)]
        for s in Supplier.objects.filter(organisation=organisation)
    ]
    affected_systems, lost_services = _affected_rows(organisation)
    tables = [
        _table(
            "Reporting clocks running (the most urgent first)",
            [("Incident", 10), ("Report", 22), ("To", 14), ("Deadline", 14), ("Time left", 14), ("How", 26)],
            _clock_rows(organisation, now),
        ),
        _table(
            "Systems reported in the incident",
            [("Incident", 12), ("System", 38), ("Owner", 10), ("State", 18), ("Since", 22)],
            affected_systems,
        ),
        _table(
            "Our services lost, and why",
            [("Incident", 12), ("Service", 30), ("Why it is lost", 58)],
            lost_services,
        ),
        _table(
            f"Our own team at {organisation.code}",
            [("Name", 25), ("Role", 25), ("Phone", 20), ("Email", 30)],
            _own_team(organisation),
            new_page=True,
        ),
        _table(
            "Regulators, police and government",
            [("Who", 20), ("Why", 30), ("Phone", 15), ("Email", 15), ("Web / notes", 20)],
            _contact_rows(national_contacts()),
        ),
        _table(
            "Partner councils",
            [("Council", 20), ("Why", 20), ("DPO phone", 12), ("DPO email", 18), ("Contacts", 30)],
            _contact_rows(partner_contacts(organisation)),
        ),
        _table(
            "Suppliers",
            [("Supplier", 20), ("Provides", 25), ("Phone", 15), ("Email", 18), ("Contract / notes", 22)],
            suppliers,
        ),
        _table(
            "Current status (vulnerable residents first)",
            [
                ("Service", 14),
                ("Priority", 6),
                ("Continuity state", 10),
                ("Public status", 8),
                ("RTO / MTPD", 8),
                ("Minimum service", 16),
                ("Workaround in use", 16),
                ("Owner", 10),
                ("Next update due", 12),
            ],
            _status_rows(rows),
            new_page=True,
        ),
    ]
    plans = [
        (pdf_text(r.service.name), pdf_text(r.plan.plan)) for r in rows if r.plan is not None and r.plan.plan
    ]
    return render_pdf_template(
        "continuity/pdf/grabbag.html",
        {
            "title": f"Grab bag - {organisation.name}",
            "organisation": organisation,
            "printed": _when(now),
            "tables": tables,
            "plans": plans,
            "numbered": True,
        },
    )
