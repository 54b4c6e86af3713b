"""API: indicators (with STIX, MISP and CSV import/export), host names, sweeps and their
hits, and evidence with its chain of custody."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from incidentroom.core.bounds import Id
from incidentroom.core.errors import InvalidInput
from incidentroom.core.schemas import InputSchema
from incidentroom.core.scoping import get_scoped
from incidentroom.core.times import BoundedDatetime
from incidentroom.estate.models import System
from incidentroom.threats import actions, evidence, queries, sweeps
from incidentroom.threats.exchange import csvio, misp, stix
from incidentroom.threats.models import (
    CustodyEntry,
    EvidenceItem,
    EvidenceKind,
    HashCheck,
    Indicator,
    IndicatorType,
    SourceKind,
    Sweep,
    SweepHit,
    Tlp,
)

router = Router(tags=["threats"])
MAX_IMPORT_BYTES = 50 * 1024 * 1024


class IndicatorOut(Schema):
    """An indicator as its reader may see it."""

    id: int
    incident: str
    organisation: str
    type: str
    value: str
    source_kind: str
    source_name: str
    confidence: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    tlp: str
    description: str
    staff_watch: bool
    systems: list[str]
    stix_id: str

    @staticmethod
    def of(i: Indicator) -> IndicatorOut:
        """Build from a row with its incident, organisation and systems."""
        return IndicatorOut(
            id=i.pk,
            incident=i.incident.reference,
            organisation=i.organisation.code,
            type=i.type,
            value=i.value,
            source_kind=i.source_kind,
            source_name=i.source_name,
            confidence=i.confidence,
            first_seen=i.first_seen,
            last_seen=i.last_seen,
            tlp=i.tlp,
            description=i.description,
            staff_watch=i.staff_watch,
            systems=sorted(s.code for s in i.systems.all()),
            stix_id=i.stix_id,
        )


class IndicatorIn(InputSchema):
    """A new indicator."""

    organisation: str | None = Field(
        default=None, max_length=16, description="Who enters it (default: your only one)"
    )
    type: IndicatorType
    value: str = Field(min_length=1, max_length=2000)
    tlp: Tlp = Tlp.AMBER
    source_kind: SourceKind = SourceKind.OWN
    source_name: str = Field(default="", max_length=200)
    confidence: int = Field(default=50, ge=0, le=100)
    first_seen: BoundedDatetime | None = None
    last_seen: BoundedDatetime | None = None
    description: str = Field(default="", max_length=5000)
    staff_watch: bool = False
    systems: list[str] = Field(default_factory=list, max_length=200)


class IndicatorPatch(InputSchema):
    """What may change on an indicator."""

    tlp: Tlp | None = None
    source_name: str | None = Field(default=None, max_length=200)
    confidence: int | None = Field(default=None, ge=0, le=100)
    first_seen: BoundedDatetime | None = None
    last_seen: BoundedDatetime | None = None
    description: str | None = Field(default=None, max_length=5000)
    staff_watch: bool | None = None
    systems: list[str] | None = Field(default=None, max_length=200)


class SkippedOut(Schema):
    """An item an import did not take, and why."""

    item: str
    reason: str


class ImportOut(Schema):
    """What an import did."""

    created: int
    widened: int
    unchanged: int
    skipped: list[SkippedOut]


@router.get("/incidents/{reference}/indicators", response=list[IndicatorOut])
def list_indicators(request: HttpRequest, reference: str) -> list[IndicatorOut]:
    """The incident's indicators you may see under their TLP markings."""
    incident = queries.incident_for(request.user, reference)
    return [IndicatorOut.of(i) for i in queries.indicators_in(request.user, incident)]


@router.post("/incidents/{reference}/indicators", response={201: IndicatorOut})
def create_indicator(request: HttpRequest, reference: str, payload: IndicatorIn) -> Status[IndicatorOut]:
    """Record an indicator for your organisation."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, payload.organisation)
    data = payload.dict()
    data.pop("organisation")
    indicator = actions.create_indicator(incident, actor=request.user, organisation=org, **data)
    return Status(201, IndicatorOut.of(indicator))


@router.get("/indicators/{indicator_id}", response=IndicatorOut)
def get_indicator(request: HttpRequest, indicator_id: Id) -> IndicatorOut:
    """One indicator (404 if its marking keeps it from you)."""
    return IndicatorOut.of(queries.indicator_for(request.user, indicator_id))


@router.patch("/indicators/{indicator_id}", response=IndicatorOut)
def update_indicator(request: HttpRequest, indicator_id: Id, payload: IndicatorPatch) -> IndicatorOut:
    """Change marking, confidence, times, notes or linked systems (the entering organisation only)."""
    indicator = queries.indicator_for(request.user, indicator_id)
    changes = payload.dict(exclude_unset=True)
    systems = changes.pop("systems", None)
    return IndicatorOut.of(
        actions.update_indicator(indicator, actor=request.user, systems=systems, **changes)
    )


def _read(file: UploadedFile) -> bytes:
    if (file.size or 0) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"An indicator file is at most {MAX_IMPORT_BYTES:,} bytes.", field="file")
    return bytes(file.read())


@router.post("/incidents/{reference}/indicators/import", response=ImportOut)
def import_indicators(
    request: HttpRequest,
    reference: str,
    file: File[UploadedFile],
    format: Form[Literal["stix", "misp", "csv"]] = "stix",  # noqa: A002 - the API's word
    organisation: Form[str] = "",
    source_kind: Form[SourceKind] = SourceKind.OWN,
    source_name: Form[str] = "",
    tlp: Form[Tlp] = Tlp.AMBER,
) -> ImportOut:
    """Import a STIX 2.1 bundle, a MISP event or a CSV list; the report lists what was skipped and why."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, organisation or None)
    data = _read(file)
    reader = {"stix": stix.read_bundle, "misp": misp.read_event, "csv": csvio.read_csv}[format]
    result = reader(data)
    report = actions.import_indicators(
        incident,
        actor=request.user,
        organisation=org,
        parsed=result.indicators,
        skipped=result.skipped,
        source_kind=source_kind,
        source_name=(source_name or result.source_name)[:200],
        default_tlp=tlp,
        format_name={"stix": "STIX 2.1", "misp": "MISP", "csv": "CSV"}[format],
    )
    return ImportOut(**report.as_dict())


@router.get("/incidents/{reference}/indicators/export")
def export_indicators(
    request: HttpRequest,
    reference: str,
    format: Literal["stix", "misp", "csv"] = "stix",  # noqa: A002
) -> HttpResponse:
    """Export the indicators you may see: STIX 2.1 bundle, MISP event JSON or CSV."""
    incident = queries.incident_for(request.user, reference)
    rows = list(queries.indicators_in(request.user, incident))
    return export_response(incident.reference, rows, format)


def export_response(reference: str, rows: list[Indicator], fmt: str) -> HttpResponse:
    """The download for one export format (shared with the pages)."""
    if fmt == "csv":
        body, kind, ext = csvio.export_csv(rows), "text/csv; charset=utf-8", "csv"
    elif fmt == "misp":
        body = misp.export_event(rows, info=f"Incident Room {reference} indicators", org_name="Incident Room")
        kind, ext = "application/json", "misp.json"
    else:
        body, kind, ext = stix.export_bundle(rows), "application/stix+json;version=2.1", "stix.json"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{reference}-indicators.{ext}"'
    return response


# -- host names ------------------------------------------------------------------------


class HostIn(InputSchema):
    """A host name that belongs to a system."""

    hostname: str = Field(min_length=1, max_length=255)


class HostOut(Schema):
    """A host name and its system."""

    hostname: str
    system: str


@router.post("/systems/{code}/hosts", response={201: HostOut})
def add_host(request: HttpRequest, code: str, payload: HostIn) -> Status[HostOut]:
    """Say that a host name is part of a system, so sweep hits on it link to the system."""
    system = get_scoped(System.objects.for_user(request.user), "system", code=code)
    alias = actions.add_host_alias(system, actor=request.user, hostname=payload.hostname)
    return Status(201, HostOut(hostname=alias.hostname, system=system.code))


# -- sweeps ------------------------------------------------------------------------------


class SweepIn(InputSchema):
    """A sweep of files or folders already on the server, in the organisation's log folder."""

    organisation: str | None = Field(default=None, max_length=16)
    paths: list[str] = Field(min_length=1, max_length=50)


class SweepOut(Schema):
    """A sweep and its progress (poll this)."""

    id: int
    incident: str
    organisation: str
    status: str
    percent: int
    bytes_done: int
    bytes_total: int
    events_done: int
    indicator_count: int
    rule_count: int
    hits: int
    hits_not_kept: int
    files: list[dict[str, object]]
    parts_done: int
    error: str

    @staticmethod
    def of(s: Sweep) -> SweepOut:
        """Build from a row."""
        return SweepOut(
            id=s.pk,
            incident=s.incident.reference,
            organisation=s.organisation.code,
            status=s.status,
            percent=s.percent,
            bytes_done=s.bytes_done,
            bytes_total=s.bytes_total,
            events_done=s.events_done,
            indicator_count=s.indicator_count,
            rule_count=s.rule_count,
            hits=s.hits.count(),
            hits_not_kept=s.hits_not_kept,
            files=list(s.files),
            parts_done=s.parts.count(),
            error=s.error,
        )


class HitOut(Schema):
    """One hit: where, when, on what, and what matched."""

    id: int
    kind: str
    indicator: int | None
    indicator_value: str
    rule_id: str
    rule_title: str
    rule_level: str
    rule_author: str
    matched: str
    log: str
    line: int
    log_format: str
    occurred_at: dt.datetime | None
    host: str
    account: str
    excerpt: str
    system: str | None
    proposal: str

    @staticmethod
    def of(h: SweepHit) -> HitOut:
        """Build from a row with its indicator and system."""
        return HitOut(
            id=h.pk,
            kind=h.kind,
            indicator=h.indicator_id,
            indicator_value=h.indicator.value if h.indicator else "",
            rule_id=h.rule_id,
            rule_title=h.rule_title,
            rule_level=h.rule_level,
            rule_author=h.rule_author,
            matched=h.matched,
            log=h.log,
            line=h.line,
            log_format=h.log_format,
            occurred_at=h.occurred_at,
            host=h.host,
            account=h.account,
            excerpt=h.excerpt,
            system=h.system.code if h.system else None,
            proposal=h.proposal,
        )


@router.post("/incidents/{reference}/sweeps", response={202: SweepOut})
def start_sweep(request: HttpRequest, reference: str, payload: SweepIn) -> Status[SweepOut]:
    """Sweep log exports already on the server (inside the organisation's log folder)."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, payload.organisation)
    return Status(
        202,
        SweepOut.of(sweeps.start_sweep(incident, actor=request.user, organisation=org, paths=payload.paths)),
    )


@router.post("/incidents/{reference}/sweeps/upload", response={202: SweepOut})
def upload_sweep(
    request: HttpRequest, reference: str, files: File[list[UploadedFile]], organisation: Form[str] = ""
) -> Status[SweepOut]:
    """Upload log exports (EVTX, M365, Exchange trace, Entra, syslog/CEF, firewall/proxy CSV,
    or gz/zip of them) and sweep them."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, organisation or None)
    sweep = sweeps.start_upload_sweep(
        incident, actor=request.user, organisation=org, files=[(f.name or "log", f.chunks()) for f in files]
    )
    return Status(202, SweepOut.of(sweep))


@router.get("/incidents/{reference}/sweeps", response=list[SweepOut])
def list_sweeps(request: HttpRequest, reference: str) -> list[SweepOut]:
    """Sweeps of your organisations' logs in this incident, newest first."""
    incident = queries.incident_for(request.user, reference)
    return [SweepOut.of(s) for s in Sweep.objects.for_user(request.user).filter(incident=incident)]


@router.get("/sweeps/{sweep_id}", response=SweepOut)
def get_sweep(request: HttpRequest, sweep_id: Id) -> SweepOut:
    """A sweep's status and progress."""
    return SweepOut.of(queries.sweep_for(request.user, sweep_id))


@router.get("/sweeps/{sweep_id}/hits", response=list[HitOut])
def list_hits(request: HttpRequest, sweep_id: Id) -> list[HitOut]:
    """A sweep's hits, in time order."""
    sweep = queries.sweep_for(request.user, sweep_id)
    return [HitOut.of(h) for h in sweep.hits.select_related("indicator", "system")]


@router.post("/sweeps/{sweep_id}/cancel", response=SweepOut)
def cancel_sweep(request: HttpRequest, sweep_id: Id) -> SweepOut:
    """Cancel a queued or running sweep (409 once it has finished); finished parts are kept."""
    return SweepOut.of(sweeps.cancel_sweep(queries.sweep_for(request.user, sweep_id), actor=request.user))


@router.post("/sweeps/{sweep_id}/resume", response={202: SweepOut})
def resume_sweep(request: HttpRequest, sweep_id: Id) -> Status[SweepOut]:
    """Resume a cancelled, failed or interrupted sweep from its checkpoints (409 otherwise)."""
    sweep = sweeps.resume_sweep(queries.sweep_for(request.user, sweep_id), actor=request.user)
    return Status(202, SweepOut.of(sweep))


@router.post("/hits/{hit_id}/confirm", response=HitOut)
def confirm_hit(request: HttpRequest, hit_id: Id) -> HitOut:
    """Confirm a hit's proposal: its system becomes suspected in the incident."""
    return HitOut.of(sweeps.confirm_proposal(queries.hit_for(request.user, hit_id), actor=request.user))


@router.post("/hits/{hit_id}/dismiss", response=HitOut)
def dismiss_hit(request: HttpRequest, hit_id: Id) -> HitOut:
    """Dismiss a hit's proposal (the hit is kept)."""
    return HitOut.of(sweeps.dismiss_proposal(queries.hit_for(request.user, hit_id), actor=request.user))


# -- evidence ----------------------------------------------------------------------------


class EvidenceIn(InputSchema):
    """A new item of evidence, registered by its hash."""

    organisation: str | None = Field(default=None, max_length=16)
    kind: EvidenceKind
    description: str = Field(min_length=1, max_length=5000)
    sha256: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-fA-F]{64}$")
    size_bytes: int | None = Field(default=None, ge=0, le=2**62)
    collected_by: str = Field(min_length=1, max_length=200)
    collected_at: BoundedDatetime
    collected_where: str = Field(min_length=1, max_length=300)
    storage_location: str = Field(min_length=1, max_length=500)


class CustodyOut(Schema):
    """One hand-over."""

    at: dt.datetime
    from_party: str
    to_party: str
    purpose: str
    recorded_by: str

    @staticmethod
    def of(c: CustodyEntry) -> CustodyOut:
        """Build from a row."""
        return CustodyOut(
            at=c.at,
            from_party=c.from_party,
            to_party=c.to_party,
            purpose=c.purpose,
            recorded_by=c.recorded_by.username if c.recorded_by else "",
        )


class CheckOut(Schema):
    """One re-verification."""

    at: dt.datetime
    observed_sha256: str
    matches: bool
    method: str
    checked_by: str

    @staticmethod
    def of(c: HashCheck) -> CheckOut:
        """Build from a row."""
        return CheckOut(
            at=c.at,
            observed_sha256=c.observed_sha256,
            matches=c.matches,
            method=c.method,
            checked_by=c.checked_by.username if c.checked_by else "",
        )


class EvidenceOut(Schema):
    """An item of evidence with its custody and checks."""

    id: int
    reference: str
    incident: str
    organisation: str
    kind: str
    description: str
    sha256: str
    size_bytes: int | None
    collected_by: str
    collected_at: dt.datetime
    collected_where: str
    storage_location: str
    custodian: str
    custody: list[CustodyOut]
    checks: list[CheckOut]

    @staticmethod
    def of(e: EvidenceItem) -> EvidenceOut:
        """Build from a row."""
        return EvidenceOut(
            id=e.pk,
            reference=e.reference,
            incident=e.incident.reference,
            organisation=e.organisation.code,
            kind=e.kind,
            description=e.description,
            sha256=e.sha256,
            size_bytes=e.size_bytes,
            collected_by=e.collected_by,
            collected_at=e.collected_at,
            collected_where=e.collected_where,
            storage_location=e.storage_location,
            custodian=e.custodian,
            custody=[CustodyOut.of(c) for c in e.custody.select_related("recorded_by")],
            checks=[CheckOut.of(c) for c in e.hash_checks.select_related("checked_by")],
        )


class CustodyIn(InputSchema):
    """A hand-over."""

    to_party: str = Field(min_length=1, max_length=200)
    at: BoundedDatetime
    purpose: str = Field(default="", max_length=500)
    from_party: str | None = Field(default=None, max_length=200)


class VerifyIn(InputSchema):
    """A re-verification: a path the server hashes, or a hash computed elsewhere."""

    path: str = Field(default="", max_length=1000)
    observed_sha256: str = Field(default="", max_length=64)


@router.get("/incidents/{reference}/evidence", response=list[EvidenceOut])
def list_evidence(request: HttpRequest, reference: str) -> list[EvidenceOut]:
    """Evidence your organisations registered in this incident."""
    incident = queries.incident_for(request.user, reference)
    items = (
        EvidenceItem.objects.for_user(request.user)
        .filter(incident=incident)
        .select_related("incident", "organisation")
    )
    return [EvidenceOut.of(e) for e in items]


@router.post("/incidents/{reference}/evidence", response={201: EvidenceOut})
def register_evidence(request: HttpRequest, reference: str, payload: EvidenceIn) -> Status[EvidenceOut]:
    """Register an item of evidence by its SHA-256 (the item itself is never uploaded)."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, payload.organisation)
    data = payload.dict()
    data.pop("organisation")
    return Status(
        201,
        EvidenceOut.of(evidence.register_evidence(incident, actor=request.user, organisation=org, **data)),
    )


@router.get("/evidence/{item_id}", response=EvidenceOut)
def get_evidence(request: HttpRequest, item_id: Id) -> EvidenceOut:
    """One item with its chain of custody."""
    return EvidenceOut.of(queries.evidence_for(request.user, item_id))


@router.post("/evidence/{item_id}/custody", response={201: CustodyOut})
def add_custody(request: HttpRequest, item_id: Id, payload: CustodyIn) -> Status[CustodyOut]:
    """Record a hand-over."""
    item = queries.evidence_for(request.user, item_id)
    entry = evidence.hand_over(item, actor=request.user, **payload.dict())
    return Status(201, CustodyOut.of(entry))


@router.post("/evidence/{item_id}/verify", response={201: CheckOut})
def verify_evidence(request: HttpRequest, item_id: Id, payload: VerifyIn) -> Status[CheckOut]:
    """Re-verify the item's hash; the result is logged whether or not it matches."""
    item = queries.evidence_for(request.user, item_id)
    return Status(201, CheckOut.of(evidence.verify_hash(item, actor=request.user, **payload.dict())))
