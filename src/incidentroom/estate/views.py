"""Pages: the estate (systems, services, dependency graph, what-if blast radius)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from incidentroom.continuity.queries import continuity_notes
from incidentroom.core.access import org_ids
from incidentroom.estate import svg
from incidentroom.estate.blast import lost_systems
from incidentroom.estate.models import Service, System
from incidentroom.estate.queries import AffectedService, affected_services, load_graph, partner_impacts
from incidentroom.incidents.models import Containment, Incident, Phase, SystemState
from incidentroom.incidents.queries import affected_service_rows, down_system_ids, incident_for, systems_in


@dataclass(frozen=True)
class ImpactRow:
    """A lost service in the table: why it is lost, and how it is kept going if it is."""

    service: Service
    because: str
    continuity: str


def _picked_codes(request: HttpRequest) -> list[str]:
    """Systems ticked in the what-if list (``?down=a&down=b``; ``?down=a,b`` still works)."""
    return [c.strip() for value in request.GET.getlist("down") for c in value.split(",") if c.strip()]


@login_required
def estate(request: HttpRequest) -> HttpResponse:
    """Systems and services the user can see, drawn as a graph; lost ones highlighted.

    ``?incident=REF`` shows what that incident has taken down, across every council involved,
    with the same figure as the incident's dashboard; ``?down=code`` (repeated) asks 'what if
    these systems went down?' for the user's own councils.
    """
    incident = None
    if request.GET.get("incident"):
        incident = incident_for(request.user, request.GET["incident"])
        # Whoever can see the incident sees every involved council's losses on its dashboard;
        # the estate page shows the same services so the two figures agree.
        orgs = incident.organisations.all()
        system_qs = systems_in(incident)
        service_qs = Service.objects.filter(organisation__in=orgs)
    else:
        system_qs = System.objects.for_user(request.user)
        service_qs = Service.objects.for_user(request.user)
    systems = list(system_qs.select_related("owner").prefetch_related("depends_on", "served"))
    services = list(service_qs.select_related("organisation").prefetch_related("systems"))
    visible_codes = {s.code for s in systems}
    states: dict[str, str] = {}
    picked: list[str] = []
    partner_rows: list[AffectedService] = []
    if incident is not None:
        for a in incident.affected_systems.select_related("system"):
            states[a.system.code] = a.state
        down_ids = down_system_ids(incident)
        impacts = affected_service_rows(incident)
    else:
        picked = [c for c in _picked_codes(request) if c in visible_codes]
        for code in picked:
            states[code] = SystemState.SWITCHED_OFF
        down_ids = [s.pk for s in systems if s.code in picked]
        mine = org_ids(request.user)
        impacts = affected_services(down_ids, organisation_ids=mine)
        partner_rows = partner_impacts(
            [s for s in systems if s.pk in down_ids], mine, [s.pk for s in systems]
        )
        impacts = impacts + partner_rows
        # Partners' lost services are drawn too, so the graph counts what the table lists.
        shown = {s.pk for s in services}
        services += [a.service for a in partner_rows if a.service.pk not in shown]
    lost_service_reason = {a.service.pk: a.because for a in impacts}
    # Lost, but kept going: the council's own workarounds, as on the dashboard.
    continuity = continuity_notes(request.user, lost_service_reason)
    lost = lost_systems(load_graph(), down_ids) if down_ids else set()

    def system_state(s: System) -> str:
        if s.pk in down_ids:
            return "root"
        if s.pk in lost:
            return "down"
        return "suspected" if states.get(s.code) == SystemState.SUSPECTED else ""

    picture = svg.render(
        systems=[svg.Node(s.code, s.name, s.owner.code, system_state(s)) for s in systems],
        services=[
            svg.Node(
                f"svc-{s.pk}",
                f"{s.organisation.code}: {s.name}",
                s.organisation.code,
                "down" if s.pk in lost_service_reason else "",
                note=lost_service_reason.get(s.pk, ""),
            )
            for s in services
        ],
        system_deps={
            s.code: [d.code for d in s.depends_on.all() if d.code in visible_codes] for s in systems
        },
        service_deps={
            f"svc-{s.pk}": [x.code for x in s.systems.all() if x.code in visible_codes] for s in services
        },
    )
    by_owner = sorted(systems, key=lambda s: (s.owner.name, s.name))
    # In an incident the Systems table says what each system's state is (a reader found
    # no state column there, issue 15): as reported, lost through a dependency, or cut off
    # because its council shut its network down.
    shut = (
        set(
            incident.involvements.filter(containment=Containment.SHUT_DOWN).values_list(
                "organisation_id", flat=True
            )
        )
        if incident is not None
        else set()
    )

    def state_in_incident(s: System) -> str:
        if s.pk in down_ids or (s.code in states and s.pk not in lost):
            return str(SystemState(states[s.code]).label) if s.code in states else "Down"
        if s.pk in lost:
            return "Lost: needs a system that is down"
        if s.owner_id in shut:
            return f"Unreachable: {s.owner.code} has shut its network down"
        return "Not reported"

    return render(
        request,
        "estate/estate.html",
        {
            "systems": systems,
            "system_rows": [(s, state_in_incident(s) if incident is not None else "") for s in systems],
            "services": services,
            "impacts": [ImpactRow(a.service, a.because, continuity.get(a.service.pk, "")) for a in impacts],
            "partner_codes": sorted({a.service.organisation.code for a in partner_rows}),
            "partner_count": len(partner_rows),
            "incident": incident,
            "graph": mark_safe(picture),  # noqa: S308 - built by svg.render, which escapes every label
            "picked": set(picked),
            "picked_systems": [s for s in systems if s.code in picked],
            "systems_by_owner": [
                (owner, list(group)) for owner, group in groupby(by_owner, key=lambda s: s.owner)
            ],
            "lost_systems_count": sum(1 for s in systems if s.pk in lost),
            # Opened from the menu mid-incident, a graph with nothing lost would read as "all
            # is well": name the open incidents and link to what each has taken down.
            "open_incidents": (
                list(
                    Incident.objects.for_user(request.user)
                    .exclude(phase=Phase.CLOSED)
                    .order_by("-detected_at")
                )
                if incident is None and not picked
                else []
            ),
        },
    )
