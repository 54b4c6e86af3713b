"""Reads about one incident: which incident a user means, who and what is in it, what is down.

Pages, the API and other apps (threats, breach, status) ask these questions here, so each
rule is written once. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incidentroom.core.access import org_ids
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.estate.blast import every_cause
from incidentroom.estate.models import Service, System, SystemQuerySet
from incidentroom.estate.queries import AffectedService, affected_services, load_graph
from incidentroom.incidents.models import DOWN_STATES, Containment, Incident


def incident_for(user: Any, reference: str) -> Incident:
    """The incident with ``reference`` if the user can see it (404 otherwise, never saying which)."""
    return get_scoped(
        Incident.objects.for_user(user).select_related("origin"), "incident", reference=reference
    )


def involved_organisation(incident: Incident, code: str, field: str = "organisation") -> Organisation:
    """The organisation with ``code`` (any case) if it is involved in ``incident``, else InvalidInput."""
    org = incident.organisations.filter(code=code.upper()).first()
    if org is None:
        raise InvalidInput(f"{code} is not involved in {incident.reference}.", field=field)
    return org


def my_involved_organisations(user: Any, incident: Incident) -> list[Organisation]:
    """The incident's organisations the user belongs to (their memberships read once)."""
    mine = org_ids(user)
    return [
        i.organisation
        for i in incident.involvements.select_related("organisation")
        if i.organisation_id in mine
    ]


def check_involved(incident: Incident, organisation: Organisation) -> Organisation:
    """``organisation`` if it is involved in ``incident``, else InvalidInput."""
    if not incident.involvements.filter(organisation=organisation).exists():
        raise InvalidInput(
            f"{organisation.code} is not involved in {incident.reference}.", field="organisation"
        )
    return organisation


def systems_in(incident: Incident) -> SystemQuerySet:
    """The incident's estate: systems owned by, or serving, an organisation involved in it."""
    return System.objects.for_organisations(incident.organisations.all())


def systems_by_code(incident: Incident, codes: Iterable[str], field: str = "systems") -> list[System]:
    """The systems named by ``codes`` (in that order, each once), all in the incident's estate."""
    wanted = list(dict.fromkeys(codes))
    found = {s.code: s for s in systems_in(incident).filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidInput(f"No system in this incident's estate: {', '.join(missing)}.", field=field)
    return [found[c] for c in wanted]


def down_system_ids(incident: Incident) -> list[int]:
    """Systems currently lost in this incident."""
    return list(incident.affected_systems.filter(state__in=DOWN_STATES).values_list("system_id", flat=True))


def contained_systems(incident: Incident) -> dict[int, str]:
    """Systems lost through containment, each with the reason: a system is switched off for
    everyone when every council that uses it (its owner and the councils it serves) has shut
    its network down. WCC's own network, website and waste system are lost the moment WCC
    shuts down; a shared system WCC hosts for RBKC and LBHF is not, as they still reach it
    (the model has no hosting detail beyond that, so the shared system stays as it was)."""
    shut = {
        inv.organisation_id: inv.organisation.name
        for inv in incident.involvements.select_related("organisation")
        if inv.containment == Containment.SHUT_DOWN
    }
    if not shut:
        return {}
    lost: dict[int, str] = {}
    for system in systems_in(incident).filter(owner_id__in=list(shut)).prefetch_related("served"):
        users = {system.owner_id, *(o.pk for o in system.served.all())}
        if users <= set(shut):
            lost[system.pk] = f"{shut[system.owner_id]} has shut down its network"
    return lost


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
    # A partner's service that needs a system switched off by another council's shutdown is
    # lost too, so the graph (which draws those systems as lost) and this figure agree.
    contained = contained_systems(incident)
    for row in affected_services(list(contained), organisation_ids=list(involved)):
        if row.service.pk not in seen:
            seen.add(row.service.pk)
            why = contained[row.path[-1].pk] if row.path else ""
            rows.append(AffectedService(service=row.service, path=row.path, reason=f"{row.because} ({why})"))
    rows.sort(key=lambda a: (a.service.organisation.code, a.service.priority, a.service.name))
    return rows


def causes_by_service(incident: Incident) -> dict[int, list[AffectedService]]:
    """Every reason each service is lost in the incident: one row per route from a system it
    needs to a down system (the chain), plus its council's network shutdown.

    ``affected_service_rows`` gives each service its one shortest reason; a comms officer
    confirming one root cause ("phones down") for many services needs all of them, or a
    service whose own system is also down is published as if only the phones were out.
    """
    causes: dict[int, list[AffectedService]] = {}
    impacts = every_cause(load_graph(), sorted(down_system_ids(incident)))
    services = Service.objects.select_related("organisation").in_bulk({i.service_id for i in impacts})
    systems = System.objects.in_bulk({s for i in impacts for s in i.path})
    for impact in impacts:
        service = services[impact.service_id]
        causes.setdefault(service.pk, []).append(
            AffectedService(service=service, path=tuple(systems[s] for s in impact.path))
        )
    for inv in incident.involvements.select_related("organisation"):
        if inv.containment != Containment.SHUT_DOWN:
            continue
        for service in Service.objects.filter(organisation_id=inv.organisation_id).select_related(
            "organisation"
        ):
            causes.setdefault(service.pk, []).append(
                AffectedService(
                    service=service, path=(), reason=f"{inv.organisation.name} has shut down its network"
                )
            )
    return causes
