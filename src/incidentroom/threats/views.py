"""Pages: an incident's indicators, sweeps and hits, and its evidence with custody records.

Views only parse the form and call the action functions; reads go through ``queries``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from incidentroom.core.access import has_role, org_ids
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import WRITER_ROLES
from incidentroom.core.scoping import get_scoped
from incidentroom.core.times import joined_parts, parse_input
from incidentroom.estate.models import System
from incidentroom.estate.queries import affected_services
from incidentroom.incidents import queries as incident_queries
from incidentroom.threats import actions, evidence, queries, sweeps
from incidentroom.threats.api import export_response
from incidentroom.threats.custody_pdf import custody_record_pdf
from incidentroom.threats.exchange import csvio, misp, stix
from incidentroom.threats.models import (
    EvidenceItem,
    EvidenceKind,
    IndicatorType,
    ProposalStatus,
    SourceKind,
    Sweep,
    SweepStatus,
    Tlp,
)

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def _local_time(data: Any, field: str, label: str, *, required: bool = False) -> dt.datetime | None:
    """A time typed in the GOV.UK date input boxes (``<field>-day`` ... ``<field>-minute``), or
    one ISO value posted as ``<field>`` by scripts, read as UK time by the shared rules
    (core/times.py): range checked, a skipped hour refused, a repeated hour read as its first
    occurrence."""
    value = parse_input(joined_parts(data, field, label), field)
    if value is None and required:
        raise InvalidInput(f"Enter {label.lower()}.", field=field)
    return value


def _int(raw: str, field: str, default: int) -> int:
    text = (raw or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a whole number.", field=field) from exc


def _choice(raw: str, choices: Any, field: str, default: str) -> str:
    value = (raw or "").strip() or default
    if value not in choices.values:
        raise InvalidInput(f"{field} must be one of {', '.join(choices.values)}.", field=field)
    return value


@login_required
@require_GET
def threats_home(request: HttpRequest, reference: str) -> HttpResponse:
    """Indicators, imports and exports, sweeps, and host names for one incident."""
    incident = queries.incident_for(request.user, reference)
    mine = [
        i.organisation
        for i in incident.involvements.select_related("organisation")
        if i.organisation_id in org_ids(request.user)
    ]
    return render(
        request,
        "threats/home.html",
        {
            "incident": incident,
            "indicators": queries.indicators_in(request.user, incident),
            "sweeps": Sweep.objects.for_user(request.user)
            .filter(incident=incident)
            .select_related("organisation"),
            "my_orgs": mine,
            "types": IndicatorType.choices,
            "tlps": Tlp.choices,
            "sources": SourceKind.choices,
            "systems": incident_queries.systems_in(incident).order_by("name").select_related("owner"),
            "roots": {o.code: sweeps.sweep_root(o) for o in mine},
        },
    )


@login_required
@require_POST
def indicator_create(request: HttpRequest, reference: str) -> HttpResponse:
    """Record one indicator from the form."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
    indicator = actions.create_indicator(
        incident,
        actor=request.user,
        organisation=org,
        type=_choice(request.POST.get("type", ""), IndicatorType, "type", ""),
        value=request.POST.get("value", ""),
        tlp=_choice(request.POST.get("tlp", ""), Tlp, "tlp", Tlp.AMBER),
        source_kind=_choice(request.POST.get("source_kind", ""), SourceKind, "source_kind", SourceKind.OWN),
        source_name=request.POST.get("source_name", ""),
        confidence=_int(request.POST.get("confidence", ""), "confidence", 50),
        first_seen=_local_time(request.POST, "first_seen", "First seen"),
        last_seen=_local_time(request.POST, "last_seen", "Last seen"),
        description=request.POST.get("description", ""),
        staff_watch=request.POST.get("staff_watch") == "on",
        systems=[c for c in request.POST.getlist("systems") if c],
    )
    messages.success(request, f"Indicator recorded: {indicator}.")
    return redirect("threats-home", incident.reference)


@login_required
@require_POST
def indicator_import(request: HttpRequest, reference: str) -> HttpResponse:
    """Import a STIX bundle, MISP event or CSV list and show what was taken and skipped."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput("Choose a file to import.", field="file")
    if (upload.size or 0) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"An indicator file is at most {MAX_IMPORT_BYTES:,} bytes.", field="file")
    fmt = request.POST.get("format", "stix")
    readers = {"stix": stix.read_bundle, "misp": misp.read_event, "csv": csvio.read_csv}
    if fmt not in readers:
        raise InvalidInput("format must be stix, misp or csv.", field="format")
    result = readers[fmt](upload.read())
    source_name = (request.POST.get("source_name", "") or result.source_name)[:200]
    report = actions.import_indicators(
        incident,
        actor=request.user,
        organisation=org,
        parsed=result.indicators,
        skipped=result.skipped,
        source_kind=_choice(request.POST.get("source_kind", ""), SourceKind, "source_kind", SourceKind.OWN),
        source_name=source_name,
        default_tlp=_choice(request.POST.get("tlp", ""), Tlp, "tlp", Tlp.AMBER),
        format_name={"stix": "STIX 2.1", "misp": "MISP", "csv": "CSV"}[fmt],
    )
    return render(
        request, "threats/import_report.html", {"incident": incident, "report": report, "source": source_name}
    )


@login_required
@require_GET
def indicator_export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    """Download the indicators the user may see."""
    incident = queries.incident_for(request.user, reference)
    if fmt not in ("stix", "misp", "csv"):
        raise InvalidInput("format must be stix, misp or csv.", field="format")
    return export_response(incident.reference, list(queries.indicators_in(request.user, incident)), fmt)


@login_required
@require_POST
def host_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Name a host as part of a system."""
    incident = queries.incident_for(request.user, reference)
    system = get_scoped(
        incident_queries.systems_in(incident)
        .order_by("name")
        .filter(pk__in=System.objects.for_user(request.user)),
        "system",
        code=request.POST.get("system", ""),
    )
    alias = actions.add_host_alias(system, actor=request.user, hostname=request.POST.get("hostname", ""))
    messages.success(request, f"Host {alias.hostname} is now known as part of {system.name}.")
    return redirect("threats-home", incident.reference)


@login_required
@require_POST
def sweep_upload(request: HttpRequest, reference: str) -> HttpResponse:
    """Upload log exports and start a sweep."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
    files = request.FILES.getlist("files")
    sweep = sweeps.start_upload_sweep(
        incident, actor=request.user, organisation=org, files=[(f.name or "log", f.chunks()) for f in files]
    )
    messages.success(request, f"Sweep #{sweep.pk} queued.")
    return redirect("threats-sweep", sweep.pk)


@login_required
@require_POST
def sweep_folder(request: HttpRequest, reference: str) -> HttpResponse:
    """Start a sweep of files already in the organisation's log folder."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
    paths = [p for p in request.POST.get("paths", "").splitlines() if p.strip()]
    sweep = sweeps.start_sweep(incident, actor=request.user, organisation=org, paths=paths)
    messages.success(request, f"Sweep #{sweep.pk} queued.")
    return redirect("threats-sweep", sweep.pk)


def _sweep_context(request: HttpRequest, sweep: Sweep) -> dict[str, Any]:
    hits = list(sweep.hits.select_related("indicator", "system"))
    proposed = {
        h.system_id: h.system for h in hits if h.system is not None and h.proposal == ProposalStatus.PROPOSED
    }
    # What the proposed systems would take down if they turn out to be compromised.
    at_risk = {
        system.code: affected_services([system.pk], organisation_ids=org_ids(request.user))
        for system in proposed.values()
        if system is not None
    }
    can_write = has_role(request.user, sweep.organisation, WRITER_ROLES)
    return {
        "sweep": sweep,
        "incident": sweep.incident,
        "hits": hits,
        "at_risk": at_risk,
        "can_cancel": can_write and sweep.status in (SweepStatus.QUEUED, SweepStatus.RUNNING),
        "can_resume": can_write and sweeps.can_resume(sweep),
    }


@login_required
@require_GET
def sweep_detail(request: HttpRequest, sweep_id: int) -> HttpResponse:
    """A sweep's progress and hits, with the proposals to confirm."""
    sweep = queries.sweep_for(request.user, sweep_id)
    return render(request, "threats/sweep.html", _sweep_context(request, sweep))


@login_required
@require_GET
def sweep_live(request: HttpRequest, sweep_id: int) -> HttpResponse:
    """The sweep's progress and hits, polled by htmx while it runs."""
    sweep = queries.sweep_for(request.user, sweep_id)
    return render(request, "threats/_sweep_live.html", _sweep_context(request, sweep))


@login_required
@require_POST
def sweep_cancel(request: HttpRequest, sweep_id: int) -> HttpResponse:
    """Cancel a queued or running sweep."""
    sweep = sweeps.cancel_sweep(queries.sweep_for(request.user, sweep_id), actor=request.user)
    messages.success(request, f"Sweep #{sweep.pk} cancelled; the files already swept are kept for a resume.")
    return redirect("threats-sweep", sweep.pk)


@login_required
@require_POST
def sweep_resume(request: HttpRequest, sweep_id: int) -> HttpResponse:
    """Resume a cancelled, failed or interrupted sweep from its checkpoints."""
    sweep = sweeps.resume_sweep(queries.sweep_for(request.user, sweep_id), actor=request.user)
    messages.success(request, f"Sweep #{sweep.pk} queued to resume.")
    return redirect("threats-sweep", sweep.pk)


@login_required
@require_POST
def hit_confirm(request: HttpRequest, hit_id: int) -> HttpResponse:
    """Confirm a proposal: the system becomes suspected in the incident."""
    hit = sweeps.confirm_proposal(queries.hit_for(request.user, hit_id), actor=request.user)
    messages.success(
        request,
        f"{hit.system.name if hit.system else 'The system'} is now suspected in {hit.sweep.incident.reference}.",
    )
    return redirect("threats-sweep", hit.sweep_id)


@login_required
@require_POST
def hit_dismiss(request: HttpRequest, hit_id: int) -> HttpResponse:
    """Dismiss a proposal."""
    hit = sweeps.dismiss_proposal(queries.hit_for(request.user, hit_id), actor=request.user)
    messages.success(request, "Proposal dismissed; the hit is kept.")
    return redirect("threats-sweep", hit.sweep_id)


# -- evidence ----------------------------------------------------------------------------


@login_required
@require_GET
def evidence_list(request: HttpRequest, reference: str) -> HttpResponse:
    """The incident's evidence registered by the user's organisations, and the register form."""
    incident = queries.incident_for(request.user, reference)
    mine = [
        i.organisation
        for i in incident.involvements.select_related("organisation")
        if i.organisation_id in org_ids(request.user)
    ]
    items = (
        EvidenceItem.objects.for_user(request.user).filter(incident=incident).select_related("organisation")
    )
    return render(
        request,
        "threats/evidence_list.html",
        {"incident": incident, "items": items, "my_orgs": mine, "kinds": EvidenceKind.choices},
    )


@login_required
@require_POST
def evidence_register(request: HttpRequest, reference: str) -> HttpResponse:
    """Register an item from the form."""
    incident = queries.incident_for(request.user, reference)
    org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
    size = request.POST.get("size_bytes", "").strip()
    item = evidence.register_evidence(
        incident,
        actor=request.user,
        organisation=org,
        kind=_choice(request.POST.get("kind", ""), EvidenceKind, "kind", ""),
        description=request.POST.get("description", ""),
        sha256=request.POST.get("sha256", ""),
        size_bytes=_int(size, "size_bytes", 0) if size else None,
        collected_by=request.POST.get("collected_by", ""),
        collected_at=_local_time(request.POST, "collected_at", "Collected at", required=True)
        or timezone.now(),
        collected_where=request.POST.get("collected_where", ""),
        storage_location=request.POST.get("storage_location", ""),
    )
    messages.success(request, f"Evidence {item.reference} registered.")
    return redirect("threats-evidence", item.pk)


@login_required
@require_GET
def evidence_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """One item with its custody and checks, and the hand-over and re-verify forms."""
    item = queries.evidence_for(request.user, item_id)
    return render(
        request,
        "threats/evidence.html",
        {
            "item": item,
            "incident": item.incident,
            "custody": item.custody.select_related("recorded_by"),
            "checks": item.hash_checks.select_related("checked_by"),
            "root": evidence.evidence_root(item.organisation),
        },
    )


@login_required
@require_POST
def evidence_custody(request: HttpRequest, item_id: int) -> HttpResponse:
    """Record a hand-over."""
    item = queries.evidence_for(request.user, item_id)
    evidence.hand_over(
        item,
        actor=request.user,
        to_party=request.POST.get("to_party", ""),
        at=_local_time(request.POST, "at", "When it was handed over", required=True) or timezone.now(),
        purpose=request.POST.get("purpose", ""),
    )
    messages.success(request, "Hand-over recorded.")
    return redirect("threats-evidence", item.pk)


@login_required
@require_POST
def evidence_verify(request: HttpRequest, item_id: int) -> HttpResponse:
    """Re-verify the hash (logged whatever the result)."""
    item = queries.evidence_for(request.user, item_id)
    check = evidence.verify_hash(
        item,
        actor=request.user,
        path=request.POST.get("path", ""),
        observed_sha256=request.POST.get("observed_sha256", ""),
    )
    if check.matches:
        messages.success(request, "The hash matches the registered SHA-256.")
    else:
        messages.error(request, "The hash does NOT match the registered SHA-256. The check is logged.")
    return redirect("threats-evidence", item.pk)


@login_required
@require_GET
def evidence_pdf(request: HttpRequest, item_id: int) -> HttpResponse:
    """The printable custody record."""
    item = queries.evidence_for(request.user, item_id)
    response = HttpResponse(custody_record_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{item.reference}-custody.pdf"'
    return response
