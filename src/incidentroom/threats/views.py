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
from incidentroom.core.errors import Conflict, DomainError, InvalidInput, NotFound
from incidentroom.core.formpage import FieldSpec, Refusal, correctable, no_refusal, refusal
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
        raise InvalidInput(f"{label} must include a date and time.", field=field)
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


# Each form of the threats page: its fields as the page labels them, and where the error
# summary sends the reader (a date input: its Day box).
_INDICATOR_FIELDS = {
    "organisation": FieldSpec("For", "#ind-org"),
    "type": FieldSpec("Type", "#ind-type"),
    "value": FieldSpec("Value", "#ind-value"),
    "tlp": FieldSpec("TLP", "#ind-tlp"),
    "source_kind": FieldSpec("Source", "#ind-source-kind"),
    "source_name": FieldSpec("Source name", "#ind-source-name"),
    "confidence": FieldSpec("Confidence", "#ind-confidence"),
    "first_seen": FieldSpec("First seen", "#ind-first-day"),
    "last_seen": FieldSpec("Last seen", "#ind-last-day"),
    "systems": FieldSpec("Seen on systems", "#ind-systems"),
    "description": FieldSpec("Notes", "#ind-description"),
}
_IMPORT_FIELDS = {
    "organisation": FieldSpec("For", "#import-org"),
    "format": FieldSpec("Format", "#import-format"),
    "source_kind": FieldSpec("Source", "#import-source-kind"),
    "source_name": FieldSpec("Source name", "#import-source-name"),
    "tlp": FieldSpec("TLP for items without a marking", "#import-tlp"),
    "file": FieldSpec("File", "#import-file"),
}
_UPLOAD_FIELDS = {
    "organisation": FieldSpec("Whose logs", "#sweep-org"),
    "files": FieldSpec("Log files", "#sweep-files"),
}
_FOLDER_FIELDS = {
    "organisation": FieldSpec("Whose logs", "#folder-org"),
    "path": FieldSpec("Files or folders", "#folder-paths"),
}
_HOST_FIELDS = {
    "system": FieldSpec("System", "#host-system"),
    "hostname": FieldSpec("Host name", "#host-name"),
}


def _home_page(request: HttpRequest, incident: Any, refused: Refusal | None = None) -> HttpResponse:
    """The threats page; after a refused form, the same page with the error summary, the
    message beside the field and what was typed in that form kept."""
    mine = incident_queries.my_involved_organisations(request.user, incident)
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
            # Host names go only on systems the person may see (host_add refuses the others).
            "host_systems": incident_queries.systems_in(incident)
            .filter(pk__in=System.objects.for_user(request.user))
            .order_by("name"),
            "roots": {o.code: sweeps.sweep_root(o) for o in mine},
            "formats": [("stix", "STIX 2.1 bundle"), ("misp", "MISP event JSON"), ("csv", "CSV list")],
            "chosen_systems": set(request.POST.getlist("systems")) if refused else set(),
            **(refused.context() if refused else no_refusal()),
        },
        status=refused.status if refused else 200,
    )


@login_required
@require_GET
def threats_home(request: HttpRequest, reference: str) -> HttpResponse:
    """Indicators, imports and exports, sweeps, and host names for one incident."""
    return _home_page(request, queries.incident_for(request.user, reference))


@login_required
@require_POST
def indicator_create(request: HttpRequest, reference: str) -> HttpResponse:
    """Record one indicator from the form."""
    incident = queries.incident_for(request.user, reference)
    try:
        org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
        indicator = actions.create_indicator(
            incident,
            actor=request.user,
            organisation=org,
            type=_choice(request.POST.get("type", ""), IndicatorType, "type", ""),
            value=request.POST.get("value", ""),
            tlp=_choice(request.POST.get("tlp", ""), Tlp, "tlp", Tlp.AMBER),
            source_kind=_choice(
                request.POST.get("source_kind", ""), SourceKind, "source_kind", SourceKind.OWN
            ),
            source_name=request.POST.get("source_name", ""),
            confidence=_int(request.POST.get("confidence", ""), "confidence", 50),
            first_seen=_local_time(request.POST, "first_seen", "First seen"),
            last_seen=_local_time(request.POST, "last_seen", "Last seen"),
            description=request.POST.get("description", ""),
            staff_watch=request.POST.get("staff_watch") == "on",
            systems=[c for c in request.POST.getlist("systems") if c],
        )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _home_page(
            request,
            incident,
            refusal(
                exc,
                form="indicator",
                fields=_INDICATOR_FIELDS,
                default_href="#indicator-form",
                data=request.POST,
            ),
        )
    messages.success(request, f"Indicator recorded: {indicator}.")
    return redirect("threats-home", incident.reference)


@login_required
@require_POST
def indicator_import(request: HttpRequest, reference: str) -> HttpResponse:
    """Import a STIX bundle, MISP event or CSV list and show what was taken and skipped."""
    incident = queries.incident_for(request.user, reference)
    try:
        report, source_name = _import(request, incident)
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _home_page(
            request,
            incident,
            refusal(
                exc, form="import", fields=_IMPORT_FIELDS, default_href="#import-form", data=request.POST
            ),
        )
    return render(
        request, "threats/import_report.html", {"incident": incident, "report": report, "source": source_name}
    )


def _import(request: HttpRequest, incident: Any) -> tuple[Any, str]:
    """Read the uploaded file and import what it holds (refusals name the field)."""
    org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput("Choose a file to import.", field="file")
    if (upload.size or 0) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"An indicator file is at most {MAX_IMPORT_BYTES:,} bytes.", field="file")
    fmt = request.POST.get("format", "stix")
    readers = {"stix": stix.read_bundle, "misp": misp.read_event, "csv": csvio.read_csv}
    if fmt not in readers:
        raise InvalidInput("Choose STIX 2.1, MISP or CSV as the format.", field="format")
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
    return report, source_name


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
    try:
        system = get_scoped(
            incident_queries.systems_in(incident)
            .order_by("name")
            .filter(pk__in=System.objects.for_user(request.user)),
            "system",
            code=request.POST.get("system", ""),
        )
    except NotFound:
        # Another council's system, or none: the same answer, beside the list to choose from.
        refused = refusal(
            NotFound("Choose one of the systems in the list.", field="system"),
            form="host",
            fields=_HOST_FIELDS,
            default_href="#host-form",
            data=request.POST,
        )
        return _home_page(request, incident, refused)
    try:
        alias = actions.add_host_alias(system, actor=request.user, hostname=request.POST.get("hostname", ""))
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _home_page(
            request,
            incident,
            refusal(exc, form="host", fields=_HOST_FIELDS, default_href="#host-form", data=request.POST),
        )
    messages.success(request, f"Host {alias.hostname} is now known as part of {system.name}.")
    return redirect("threats-home", incident.reference)


@login_required
@require_POST
def sweep_upload(request: HttpRequest, reference: str) -> HttpResponse:
    """Upload log exports and start a sweep."""
    incident = queries.incident_for(request.user, reference)
    try:
        org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
        files = request.FILES.getlist("files")
        sweep = sweeps.start_upload_sweep(
            incident,
            actor=request.user,
            organisation=org,
            files=[(f.name or "log", f.chunks()) for f in files],
        )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _home_page(
            request,
            incident,
            refusal(
                exc,
                form="upload",
                fields=_UPLOAD_FIELDS,
                default_href="#sweep-upload-form",
                data=request.POST,
            ),
        )
    messages.success(request, f"Sweep #{sweep.pk} queued.")
    return redirect("threats-sweep", sweep.pk)


@login_required
@require_POST
def sweep_folder(request: HttpRequest, reference: str) -> HttpResponse:
    """Start a sweep of files already in the organisation's log folder."""
    incident = queries.incident_for(request.user, reference)
    try:
        org = queries.acting_organisation(request.user, incident, request.POST.get("organisation"))
        paths = [p for p in request.POST.get("paths", "").splitlines() if p.strip()]
        sweep = sweeps.start_sweep(incident, actor=request.user, organisation=org, paths=paths)
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _home_page(
            request,
            incident,
            refusal(
                exc,
                form="folder",
                fields=_FOLDER_FIELDS,
                default_href="#sweep-folder-form",
                data=request.POST,
            ),
        )
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


def _sweep_page(request: HttpRequest, sweep: Sweep, refused: Conflict | None = None) -> HttpResponse:
    """The sweep page; after a button refused because the sweep moved on (already finished,
    the proposal already decided), the same page saying so in an error summary."""
    context = _sweep_context(request, sweep)
    if refused is not None:
        context["error_summary"] = [{"href": "#sweep-live", "text": refused.message}]
    return render(
        request, "threats/sweep.html", context, status=refused.status if refused is not None else 200
    )


@login_required
@require_GET
def sweep_detail(request: HttpRequest, sweep_id: int) -> HttpResponse:
    """A sweep's progress and hits, with the proposals to confirm."""
    return _sweep_page(request, queries.sweep_for(request.user, sweep_id))


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
    sweep = queries.sweep_for(request.user, sweep_id)
    try:
        sweeps.cancel_sweep(sweep, actor=request.user)
    except Conflict as exc:
        return _sweep_page(request, sweep, exc)
    messages.success(request, f"Sweep #{sweep.pk} cancelled; the files already swept are kept for a resume.")
    return redirect("threats-sweep", sweep.pk)


@login_required
@require_POST
def sweep_resume(request: HttpRequest, sweep_id: int) -> HttpResponse:
    """Resume a cancelled, failed or interrupted sweep from its checkpoints."""
    sweep = queries.sweep_for(request.user, sweep_id)
    try:
        sweeps.resume_sweep(sweep, actor=request.user)
    except Conflict as exc:
        return _sweep_page(request, sweep, exc)
    messages.success(request, f"Sweep #{sweep.pk} queued to resume.")
    return redirect("threats-sweep", sweep.pk)


@login_required
@require_POST
def hit_confirm(request: HttpRequest, hit_id: int) -> HttpResponse:
    """Confirm a proposal: the system becomes suspected in the incident."""
    hit = queries.hit_for(request.user, hit_id)
    try:
        hit = sweeps.confirm_proposal(hit, actor=request.user)
    except Conflict as exc:
        return _sweep_page(request, hit.sweep, exc)
    messages.success(
        request,
        f"{hit.system.name if hit.system else 'The system'} is now suspected in {hit.sweep.incident.reference}.",
    )
    return redirect("threats-sweep", hit.sweep_id)


@login_required
@require_POST
def hit_dismiss(request: HttpRequest, hit_id: int) -> HttpResponse:
    """Dismiss a proposal."""
    hit = queries.hit_for(request.user, hit_id)
    try:
        hit = sweeps.dismiss_proposal(hit, actor=request.user)
    except Conflict as exc:
        return _sweep_page(request, hit.sweep, exc)
    messages.success(request, "Proposal dismissed; the hit is kept.")
    return redirect("threats-sweep", hit.sweep_id)


# -- evidence ----------------------------------------------------------------------------


_EVIDENCE_FIELDS = {
    "organisation": FieldSpec("For", "#ev-org"),
    "kind": FieldSpec("Kind", "#ev-kind"),
    "description": FieldSpec("Description", "#ev-description"),
    "sha256": FieldSpec("SHA-256", "#ev-sha"),
    "size_bytes": FieldSpec("Size in bytes", "#ev-size"),
    "collected_by": FieldSpec("Collected by", "#ev-by"),
    "collected_at": FieldSpec("Collected at", "#ev-at-day"),
    "collected_where": FieldSpec("Collected from", "#ev-where"),
    "storage_location": FieldSpec("Stored at", "#ev-store"),
}
_CUSTODY_FIELDS = {
    "to_party": FieldSpec("Handed over to", "#cu-to"),
    "at": FieldSpec("When it was handed over", "#cu-at-day"),
    "purpose": FieldSpec("Purpose", "#cu-purpose"),
}
_VERIFY_FIELDS = {
    "path": FieldSpec("A copy on the server", "#ve-path"),
    "observed_sha256": FieldSpec("The SHA-256 you computed", "#ve-sha"),
}


def _evidence_list_page(request: HttpRequest, incident: Any, refused: Refusal | None = None) -> HttpResponse:
    """The evidence list with its register form; after a refusal, the error summary and the
    input kept."""
    mine = incident_queries.my_involved_organisations(request.user, incident)
    items = (
        EvidenceItem.objects.for_user(request.user).filter(incident=incident).select_related("organisation")
    )
    return render(
        request,
        "threats/evidence_list.html",
        {
            "incident": incident,
            "items": items,
            "my_orgs": mine,
            "kinds": EvidenceKind.choices,
            **(refused.context() if refused else no_refusal()),
        },
        status=refused.status if refused else 200,
    )


@login_required
@require_GET
def evidence_list(request: HttpRequest, reference: str) -> HttpResponse:
    """The incident's evidence registered by the user's organisations, and the register form."""
    return _evidence_list_page(request, queries.incident_for(request.user, reference))


@login_required
@require_POST
def evidence_register(request: HttpRequest, reference: str) -> HttpResponse:
    """Register an item from the form."""
    incident = queries.incident_for(request.user, reference)
    try:
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
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _evidence_list_page(
            request,
            incident,
            refusal(
                exc,
                form="register",
                fields=_EVIDENCE_FIELDS,
                default_href="#evidence-form",
                data=request.POST,
            ),
        )
    messages.success(request, f"Evidence {item.reference} registered.")
    return redirect("threats-evidence", item.pk)


def _evidence_page(request: HttpRequest, item: EvidenceItem, refused: Refusal | None = None) -> HttpResponse:
    """One item with its custody and checks; after a refused hand-over or re-verify, the
    same page with the error summary and the input kept."""
    return render(
        request,
        "threats/evidence.html",
        {
            "item": item,
            "incident": item.incident,
            "custody": item.custody.select_related("recorded_by"),
            "checks": item.hash_checks.select_related("checked_by"),
            "root": evidence.evidence_root(item.organisation),
            **(refused.context() if refused else no_refusal()),
        },
        status=refused.status if refused else 200,
    )


@login_required
@require_GET
def evidence_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """One item with its custody and checks, and the hand-over and re-verify forms."""
    return _evidence_page(request, queries.evidence_for(request.user, item_id))


@login_required
@require_POST
def evidence_custody(request: HttpRequest, item_id: int) -> HttpResponse:
    """Record a hand-over."""
    item = queries.evidence_for(request.user, item_id)
    try:
        evidence.hand_over(
            item,
            actor=request.user,
            to_party=request.POST.get("to_party", ""),
            at=_local_time(request.POST, "at", "When it was handed over", required=True) or timezone.now(),
            purpose=request.POST.get("purpose", ""),
        )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _evidence_page(
            request,
            item,
            refusal(
                exc, form="custody", fields=_CUSTODY_FIELDS, default_href="#custody-form", data=request.POST
            ),
        )
    messages.success(request, "Hand-over recorded.")
    return redirect("threats-evidence", item.pk)


@login_required
@require_POST
def evidence_verify(request: HttpRequest, item_id: int) -> HttpResponse:
    """Re-verify the hash (logged whatever the result)."""
    item = queries.evidence_for(request.user, item_id)
    try:
        check = evidence.verify_hash(
            item,
            actor=request.user,
            path=request.POST.get("path", ""),
            observed_sha256=request.POST.get("observed_sha256", ""),
        )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _evidence_page(
            request,
            item,
            refusal(
                exc, form="verify", fields=_VERIFY_FIELDS, default_href="#verify-form", data=request.POST
            ),
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
