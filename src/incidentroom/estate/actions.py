"""State changes for the estate (systems, services, dependency edges). Atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from incidentroom.core import audit
from incidentroom.core.access import require_writer
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.estate.models import Service, ServiceDependency, System, SystemDependency


@transaction.atomic
def create_system(
    *,
    actor: Any,
    owner: Organisation,
    code: str,
    name: str,
    served: Iterable[Organisation] = (),
    check_access: bool = True,
    **fields: Any,
) -> System:
    """Register an IT system owned by ``owner`` and serving ``served`` (owner included)."""
    if check_access:
        require_writer(actor, [owner], "add systems to this organisation's estate")
    if System.objects.filter(code=code).exists():
        raise Conflict(f"There is already a system with code {code!r}.", field="code")
    system = System.objects.create(owner=owner, code=code, name=name, **fields)
    orgs = {owner, *served}
    system.served.set(orgs)
    audit.record(
        actor=actor, action="system.create", obj=system, after=audit.snapshot(system), organisations=orgs
    )
    return system


@transaction.atomic
def create_service(
    *, actor: Any, organisation: Organisation, code: str, name: str, check_access: bool = True, **fields: Any
) -> Service:
    """Register a resident-facing service of ``organisation``."""
    if check_access:
        require_writer(actor, [organisation], "add services to this organisation")
    if Service.objects.filter(organisation=organisation, code=code).exists():
        raise Conflict(f"{organisation.code} already has a service with code {code!r}.", field="code")
    service = Service.objects.create(organisation=organisation, code=code, name=name, **fields)
    audit.record(
        actor=actor,
        action="service.create",
        obj=service,
        after=audit.snapshot(service),
        organisations=[organisation],
    )
    return service


@transaction.atomic
def add_system_dependency(
    *, actor: Any, system: System, depends_on: System, check_access: bool = True
) -> SystemDependency:
    """Record that ``system`` needs ``depends_on``; cycles are allowed (blast radius copes)."""
    if check_access:
        require_writer(actor, [system.owner], "change this system's dependencies")
    if system.pk == depends_on.pk:
        raise InvalidInput("A system cannot depend on itself.", field="depends_on")
    edge, created = SystemDependency.objects.get_or_create(system=system, depends_on=depends_on)
    if created:
        audit.record(
            actor=actor,
            action="system.depend",
            obj=edge,
            after={"system": system.pk, "depends_on": depends_on.pk},
            organisations=[system.owner],
        )
    return edge


@transaction.atomic
def add_service_dependency(
    *, actor: Any, service: Service, system: System, check_access: bool = True
) -> ServiceDependency:
    """Record that ``service`` needs ``system``."""
    if check_access:
        require_writer(actor, [service.organisation], "change this service's dependencies")
    edge, created = ServiceDependency.objects.get_or_create(service=service, system=system)
    if created:
        audit.record(
            actor=actor,
            action="service.depend",
            obj=edge,
            after={"service": service.pk, "system": system.pk},
            organisations=[service.organisation],
        )
    return edge


SYSTEM_FIELDS = ("name", "kind", "criticality", "description")
SERVICE_FIELDS = ("name", "priority", "rto_hours", "vulnerable_residents", "public", "description")


@transaction.atomic
def update_system(system: System, *, actor: Any, **changes: Any) -> System:
    """Change a system's name, kind, criticality or description (owner's writers only)."""
    require_writer(actor, [system.owner], "change this system")
    unknown = set(changes) - set(SYSTEM_FIELDS)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    before = audit.snapshot(system, SYSTEM_FIELDS)
    for field, value in changes.items():
        setattr(system, field, value)
    system.save()
    audit.record(
        actor=actor,
        action="system.update",
        obj=system,
        before=before,
        after=audit.snapshot(system, SYSTEM_FIELDS),
        organisations=[system.owner],
    )
    return system


@transaction.atomic
def update_service(service: Service, *, actor: Any, **changes: Any) -> Service:
    """Change a service's name, priority, recovery time objective or vulnerability flag."""
    require_writer(actor, [service.organisation], "change this service")
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    before = audit.snapshot(service, SERVICE_FIELDS)
    for field, value in changes.items():
        setattr(service, field, value)
    service.save()
    audit.record(
        actor=actor,
        action="service.update",
        obj=service,
        before=before,
        after=audit.snapshot(service, SERVICE_FIELDS),
        organisations=[service.organisation],
    )
    return service
