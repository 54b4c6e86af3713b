"""Reads over the estate that need the whole graph (blast radius across organisations)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from incidentroom.estate.blast import EstateGraph, blast_radius
from incidentroom.estate.models import Service, ServiceDependency, System, SystemDependency


def load_graph() -> EstateGraph:
    """The whole dependency graph as id adjacency lists, in two queries."""
    system_deps: dict[int, list[int]] = {}
    for system_id, dep_id in SystemDependency.objects.values_list("system_id", "depends_on_id"):
        system_deps.setdefault(system_id, []).append(dep_id)
    service_deps: dict[int, list[int]] = {}
    for service_id, system_id in ServiceDependency.objects.values_list("service_id", "system_id"):
        service_deps.setdefault(service_id, []).append(system_id)
    return EstateGraph(system_deps=system_deps, service_deps=service_deps)


@dataclass(frozen=True)
class AffectedService:
    """A service that is down, with the chain of systems explaining why."""

    service: Service
    path: tuple[System, ...]
    # Set when the service is lost for a reason outside the graph (its council shut its
    # network down); the path is then empty.
    reason: str = ""

    @property
    def because(self) -> str:
        """Plain-English explanation, e.g. 'needs Parking system -> needs Data centre (down)'."""
        return self.reason or " → ".join(s.name for s in self.path)


def affected_services(
    down_system_ids: Iterable[int], organisation_ids: Iterable[int] | None = None
) -> list[AffectedService]:
    """Services affected by the down systems, optionally limited to some organisations."""
    down = list(down_system_ids)
    if not down:
        return []
    impacts = blast_radius(load_graph(), down)
    services = Service.objects.select_related("organisation").in_bulk([i.service_id for i in impacts])
    system_ids = {s for i in impacts for s in i.path}
    systems = System.objects.select_related("owner").in_bulk(list(system_ids))
    allowed = set(organisation_ids) if organisation_ids is not None else None
    result = [
        AffectedService(service=services[i.service_id], path=tuple(systems[s] for s in i.path))
        for i in impacts
        if allowed is None or services[i.service_id].organisation_id in allowed
    ]
    result.sort(key=lambda a: (a.service.organisation.code, a.service.priority, a.service.name))
    return result


def partner_impacts(
    down: list[System], own_organisation_ids: Iterable[int], visible_system_ids: Iterable[int]
) -> list[AffectedService]:
    """What the down systems would take from the partner councils that share them.

    A council asking "what if our shared directory went down?" must see that Westminster and
    Hammersmith and Fulham lose services too. Partners are the councils that own or are served
    by one of the down systems (which the asker can see, so they already know they are shared),
    never a council with nothing in common. A link in the chain the asker cannot see (a
    partner's own system) is named only as "a <council> system".
    """
    own = set(own_organisation_ids)
    partners: set[int] = set()
    for system in down:
        partners.add(system.owner_id)
        partners.update(o.pk for o in system.served.all())
    partners -= own
    if not partners:
        return []
    visible = set(visible_system_ids)
    result = []
    for a in affected_services([s.pk for s in down], organisation_ids=partners):
        links: list[str] = []
        for s in a.path:
            link = s.name if s.pk in visible else hidden_system(s.owner.code)
            if not links or links[-1] != link:  # "an LBHF system → an LBHF system" says nothing more
                links.append(link)
        result.append(AffectedService(service=a.service, path=a.path, reason=" → ".join(links)))
    return result


def hidden_system(owner_code: str) -> str:
    """How a system the reader may not see is named: 'a WCC system', 'an LBHF system'."""
    # Said letter by letter: A, E, F, H, I, L, M, N, O, R, S and X start with a vowel sound.
    article = "an" if owner_code[:1].upper() in set("AEFHILMNORSX") else "a"
    return f"{article} {owner_code} system"
