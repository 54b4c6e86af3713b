"""API: systems, services, dependency edges and the blast radius."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from incidentroom.core.access import org_ids
from incidentroom.core.bounds import Id
from incidentroom.core.errors import InvalidInput, NotFound
from incidentroom.core.models import Organisation
from incidentroom.core.schemas import InputSchema
from incidentroom.core.scoping import get_scoped
from incidentroom.core.text import Code
from incidentroom.estate import actions
from incidentroom.estate.models import Criticality, Service, System, SystemKind
from incidentroom.estate.queries import affected_services, hidden_system, partner_impacts

router = Router(tags=["estate"])


class SystemOut(Schema):
    """An IT system."""

    id: int
    code: str
    name: str
    owner: str
    served: list[str]
    kind: str
    criticality: int
    depends_on: list[str]

    @staticmethod
    def of(s: System) -> SystemOut:
        """Build from a model with prefetches."""
        return SystemOut(
            id=s.pk,
            code=s.code,
            name=s.name,
            owner=s.owner.code,
            served=[o.code for o in s.served.all()],
            kind=s.kind,
            criticality=s.criticality,
            depends_on=[d.code for d in s.depends_on.all()],
        )


class SystemIn(InputSchema):
    """A new IT system."""

    code: str = Field(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=16)
    served: list[str] = []
    kind: SystemKind = SystemKind.APPLICATION
    criticality: Criticality = Criticality.MEDIUM
    depends_on: list[str] = []


class SystemPatch(InputSchema):
    """Fields of a system that may change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: SystemKind | None = None
    criticality: Criticality | None = None
    description: str | None = Field(default=None, max_length=5000)


class ServicePatch(InputSchema):
    """Fields of a service that may change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    priority: int | None = Field(default=None, ge=1, le=9)
    rto_hours: int | None = Field(default=None, ge=0, le=100000)
    vulnerable_residents: bool | None = None
    public: bool | None = None
    description: str | None = Field(default=None, max_length=5000)


class ServiceOut(Schema):
    """A resident-facing service."""

    id: int
    organisation: str
    code: str
    name: str
    priority: int
    rto_hours: int
    vulnerable_residents: bool
    public: bool
    systems: list[str]

    @staticmethod
    def of(s: Service) -> ServiceOut:
        """Build from a model with prefetches."""
        return ServiceOut(
            id=s.pk,
            organisation=s.organisation.code,
            code=s.code,
            name=s.name,
            priority=s.priority,
            rto_hours=s.rto_hours,
            vulnerable_residents=s.vulnerable_residents,
            public=s.public,
            systems=[x.code for x in s.systems.all()],
        )


class ServiceIn(InputSchema):
    """A new service."""

    organisation: str = Field(min_length=1, max_length=16)
    code: str = Field(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)
    priority: int = Field(default=3, ge=1, le=9)
    rto_hours: int = Field(default=72, ge=0, le=100000)
    vulnerable_residents: bool = False
    public: bool = True
    systems: list[str] = []


class BlastQuery(InputSchema):
    """Which systems to treat as lost."""

    down: list[str] = Field(default_factory=list, description="System codes that are compromised or off")


class ImpactOut(Schema):
    """One affected service and the dependency path explaining why."""

    service: str
    service_name: str
    organisation: str
    path: list[str]
    because: str


def _org(request: HttpRequest, code: str, field: str) -> Organisation:
    org = Organisation.objects.for_user(request.user).filter(code=code.upper()).first()
    if org is None:
        # Absent and not-yours look the same, and both are a refusal (404), not bad input.
        raise NotFound(f"No organisation {code!r} that you belong to.", field=field)
    return org


def _visible_systems(request: HttpRequest, codes: list[str], field: str) -> list[System]:
    found = {s.code: s for s in System.objects.for_user(request.user).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(f"Unknown system(s): {', '.join(missing)}.", field=field)
    return [found[c] for c in codes]


@router.get("/systems", response=list[SystemOut])
def list_systems(request: HttpRequest) -> list[SystemOut]:
    """Systems owned by or serving your organisations."""
    qs = (
        System.objects.for_user(request.user).select_related("owner").prefetch_related("served", "depends_on")
    )
    return [SystemOut.of(s) for s in qs]


@router.get("/systems/{code}", response=SystemOut)
def get_system(request: HttpRequest, code: str) -> SystemOut:
    """One system."""
    qs = (
        System.objects.for_user(request.user).select_related("owner").prefetch_related("served", "depends_on")
    )
    return SystemOut.of(get_scoped(qs, "system", code=code))


@router.post("/systems", response={201: SystemOut})
def create_system(request: HttpRequest, payload: SystemIn) -> Status[SystemOut]:
    """Register a system and its dependencies."""
    owner = _org(request, payload.owner, "owner")
    served = [Organisation.objects.filter(code=c.upper()).first() for c in payload.served]
    if any(o is None for o in served):
        raise InvalidInput("Unknown organisation in served.", field="served")
    deps = _visible_systems(request, payload.depends_on, "depends_on")
    system = actions.create_system(
        actor=request.user,
        owner=owner,
        code=payload.code,
        name=payload.name,
        served=[o for o in served if o],
        kind=payload.kind,
        criticality=payload.criticality,
    )
    for dep in deps:
        actions.add_system_dependency(actor=request.user, system=system, depends_on=dep)
    return Status(201, get_system(request, system.code))


@router.patch("/systems/{code}", response=SystemOut)
def update_system(request: HttpRequest, code: str, payload: SystemPatch) -> SystemOut:
    """Change a system's details (its owner's writers only)."""
    system = get_scoped(System.objects.for_user(request.user).select_related("owner"), "system", code=code)
    actions.update_system(system, actor=request.user, **payload.model_dump(exclude_none=True))
    return get_system(request, code)


@router.get("/services", response=list[ServiceOut])
def list_services(request: HttpRequest, organisation: Code | None = None) -> list[ServiceOut]:
    """Services of your organisations."""
    qs = Service.objects.for_user(request.user).select_related("organisation").prefetch_related("systems")
    if organisation:
        qs = qs.filter(organisation__code=organisation.upper())
    return [ServiceOut.of(s) for s in qs]


@router.get("/services/{service_id}", response=ServiceOut)
def get_service(request: HttpRequest, service_id: Id) -> ServiceOut:
    """One service."""
    qs = Service.objects.for_user(request.user).select_related("organisation").prefetch_related("systems")
    return ServiceOut.of(get_scoped(qs, "service", pk=service_id))


@router.post("/services", response={201: ServiceOut})
def create_service(request: HttpRequest, payload: ServiceIn) -> Status[ServiceOut]:
    """Register a service and the systems it needs."""
    org = _org(request, payload.organisation, "organisation")
    systems = _visible_systems(request, payload.systems, "systems")
    service = actions.create_service(
        actor=request.user,
        organisation=org,
        code=payload.code,
        name=payload.name,
        priority=payload.priority,
        rto_hours=payload.rto_hours,
        vulnerable_residents=payload.vulnerable_residents,
        public=payload.public,
    )
    for system in systems:
        actions.add_service_dependency(actor=request.user, service=service, system=system)
    return Status(201, get_service(request, service.pk))


@router.patch("/services/{service_id}", response=ServiceOut)
def update_service(request: HttpRequest, service_id: Id, payload: ServicePatch) -> ServiceOut:
    """Change a service's details (its organisation's writers only)."""
    service = get_scoped(
        Service.objects.for_user(request.user).select_related("organisation"), "service", pk=service_id
    )
    actions.update_service(service, actor=request.user, **payload.model_dump(exclude_none=True))
    return get_service(request, service_id)


@router.get("/blast-radius", response=list[ImpactOut])
def blast_radius(request: HttpRequest, query: Query[BlastQuery]) -> list[ImpactOut]:
    """What-if: the services lost if these systems went down, yours and those of the partner
    councils that share them; a partner's own system in a path is given as "a WCC system"."""
    systems = _visible_systems(request, query.down, "down")
    mine = org_ids(request.user)
    visible = set(System.objects.for_user(request.user).values_list("pk", flat=True))
    impacts = affected_services([s.pk for s in systems], organisation_ids=mine) + partner_impacts(
        list(System.objects.filter(pk__in=[s.pk for s in systems]).prefetch_related("served")), mine, visible
    )
    return [
        ImpactOut(
            service=a.service.code,
            service_name=a.service.name,
            organisation=a.service.organisation.code,
            path=[s.code if s.pk in visible else hidden_system(s.owner.code) for s in a.path],
            because=a.because,
        )
        for a in impacts
    ]
