"""Reads that combine an incident with the estate."""

from __future__ import annotations

from collections.abc import Iterable

from incidentroom.estate.models import Service
from incidentroom.estate.queries import AffectedService, affected_services
from incidentroom.incidents.actions import down_system_ids
from incidentroom.incidents.models import Containment, Incident


def affected_service_rows(
    incident: Incident, organisation_ids: Iterable[int] | None = None
) -> list[AffectedService]:
    """Services lost in the organisations involved in the incident, each with its reason.

    The one "affected" figure of the product: the dashboard, the estate page and its graph all
    count these rows. A service is lost when a system it depends on is down, and also when
    its council has shut its own network down (WCC on the Monday): staff cannot reach any
    system then, whatever state the shared systems are in.
    """
    involved = {
        inv.organisation_id: inv
        for inv in incident.involvements.select_related("organisation")
        if organisation_ids is None or inv.organisation_id in set(organisation_ids)
    }
    rows = affected_services(down_system_ids(incident), organisation_ids=list(involved))
    seen = {row.service.pk for row in rows}
    shut = [inv for inv in involved.values() if inv.containment == Containment.SHUT_DOWN]
    for inv in shut:
        for service in Service.objects.filter(organisation_id=inv.organisation_id).select_related(
            "organisation"
        ):
            if service.pk not in seen:
                seen.add(service.pk)
                rows.append(
                    AffectedService(
                        service=service, path=(), reason=f"{inv.organisation.name} has shut down its network"
                    )
                )
    rows.sort(key=lambda a: (a.service.organisation.code, a.service.priority, a.service.name))
    return rows
