"""Pages: the estate (systems, services, dependency graph, what-if blast radius)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from incidentroom.core.access import org_ids
from incidentroom.estate import svg
from incidentroom.estate.models import Service, System
from incidentroom.estate.queries import affected_services
from incidentroom.incidents.models import DOWN_STATES, SystemState
from incidentroom.incidents.queries import incident_for


@login_required
def estate(request: HttpRequest) -> HttpResponse:
    """Systems and services the user can see, drawn as a graph; lost ones highlighted.

    ``?incident=REF`` highlights what that incident has taken down; ``?down=code,code``
    asks 'what if these systems went down?'.
    """
    systems = list(
        System.objects.for_user(request.user).select_related("owner").prefetch_related("depends_on", "served")
    )
    services = list(
        Service.objects.for_user(request.user).select_related("organisation").prefetch_related("systems")
    )
    visible_codes = {s.code for s in systems}
    incident = None
    states: dict[str, str] = {}
    if request.GET.get("incident"):
        incident = incident_for(request.user, request.GET["incident"])
        for a in incident.affected_systems.select_related("system"):
            states[a.system.code] = a.state
    elif request.GET.get("down"):
        for code in request.GET["down"].split(","):
            if code.strip() in visible_codes:
                states[code.strip()] = SystemState.SWITCHED_OFF
    down_ids = [s.pk for s in systems if states.get(s.code) in DOWN_STATES]
    impacts = affected_services(down_ids, organisation_ids=org_ids(request.user))
    lost_services = {a.service.pk for a in impacts}
    lost_systems = {s.pk for a in impacts for s in a.path}

    def system_state(s: System) -> str:
        if states.get(s.code) in DOWN_STATES:
            return "root"
        if s.pk in lost_systems:
            return "down"
        return "suspected" if states.get(s.code) == SystemState.SUSPECTED else ""

    picture = svg.render(
        systems=[svg.Node(s.code, s.name, s.owner.code, system_state(s)) for s in systems],
        services=[
            svg.Node(
                f"svc-{s.pk}",
                f"{s.organisation.code}: {s.name}",
                s.organisation.code,
                "down" if s.pk in lost_services else "",
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
    return render(
        request,
        "estate/estate.html",
        {
            "systems": systems,
            "services": services,
            "impacts": impacts,
            "incident": incident,
            "graph": mark_safe(picture),  # noqa: S308 - built by svg.render, which escapes every label
            "down": request.GET.get("down", ""),
        },
    )
