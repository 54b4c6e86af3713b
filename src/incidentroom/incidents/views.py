"""Pages: incident list, the live dashboard, the log (with CSV/PDF export).

Views parse input with forms and call action functions; every read goes through the
``for_user`` querysets, so another organisation's incident is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from incidentroom.continuity.queries import continuity_notes
from incidentroom.core.access import roles_by_org
from incidentroom.core.csvhttp import csv_response
from incidentroom.core.errors import DomainError, Forbidden, InvalidInput, NotFound, form_error, labelled
from incidentroom.core.models import WRITER_ROLES, Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.estate.models import Service
from incidentroom.incidents import actions, exports, forms, logchain, logcsv, queries
from incidentroom.incidents.models import (
    AUTHOR_PREFETCH,
    DOWN_STATES,
    Containment,
    EntryKind,
    Incident,
    LogEntry,
    ObligationStatus,
    SystemState,
)
from incidentroom.incidents.queries import affected_service_rows
from incidentroom.incidents.rules import awareness_hint


def _list_page(request: HttpRequest, form: Any = None, *, status: int = 200) -> HttpResponse:
    incidents = (
        Incident.objects.for_user(request.user).select_related("origin").prefetch_related("organisations")
    )
    my_orgs = Organisation.objects.for_user(request.user)
    roles = roles_by_org(request.user)
    can_open = any(roles.get(o.pk) in WRITER_ROLES for o in my_orgs)
    if form is None:
        form = forms.IncidentForm(
            org_choices=[(o.code, o.name) for o in my_orgs if roles.get(o.pk) in WRITER_ROLES],
            all_orgs=[(o.code, o.name) for o in Organisation.objects.all()],
            initial={"detected_at": timezone.now()},
        )
    errors = [
        {
            "href": f"#{form[f].auto_id}{'-day' if f == 'detected_at' else ''}"
            if f != "__all__"
            else "#open",
            "text": labelled(e, str(form[f].label), f) if f != "__all__" else e,
        }
        for f, errs in form.errors.items()
        for e in errs
    ]
    return render(
        request,
        "incidents/list.html",
        {"incidents": incidents, "form": form, "can_open": can_open, "error_summary": errors},
        status=status,
    )


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents involving the user's organisations, and a form to open one."""
    return _list_page(request)


@login_required
@require_POST
def incident_create(request: HttpRequest) -> HttpResponse:
    """Open an incident from the list page's form (shown again with its errors if refused)."""
    my_orgs = list(Organisation.objects.for_user(request.user))
    everyone = list(Organisation.objects.all())
    form = forms.IncidentForm(
        request.POST,
        org_choices=[(o.code, o.name) for o in my_orgs],
        all_orgs=[(o.code, o.name) for o in everyone],
    )
    if not form.is_valid():
        return _list_page(request, form, status=422)
    data = form.cleaned_data
    by_code = {o.code: o for o in everyone}
    try:
        incident = actions.open_incident(
            actor=request.user,
            title=data["title"],
            origin=by_code[data["origin"]],
            detected_at=data["detected_at"],
            organisations=[by_code[c] for c in data["organisations"]],
            ncsc_category=data["ncsc_category"],
            severity=data["severity"],
            summary=data["summary"],
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _list_page(request, form, status=exc.status)
    messages.success(request, f"Incident {incident.reference} opened; the reporting clocks have started.")
    return redirect("incident-dashboard", incident.reference)


def _clock_groups(involvements: list[Any], obligations: list[Any], now: Any) -> list[dict[str, Any]]:
    """Reporting clocks by council, the council with the most urgent running clock first;
    within a council, running clocks by deadline (overdue first), then the finished ones."""
    groups: dict[int, dict[str, Any]] = {
        inv.organisation_id: {"organisation": inv.organisation, "running": [], "done": []}
        for inv in involvements
    }
    for o in obligations:
        group = groups.setdefault(
            o.organisation_id, {"organisation": o.organisation, "running": [], "done": []}
        )
        running = o.status in (ObligationStatus.DUE, ObligationStatus.DRAFTED)
        group["running" if running else "done"].append(o)
    for group in groups.values():
        group["running"].sort(key=lambda o: (o.deadline_at, o.pk))
        group["done"].sort(key=lambda o: (o.deadline_at, o.pk))
        group["overdue"] = sum(1 for o in group["running"] if o.deadline_at < now)
        group["next"] = group["running"][0] if group["running"] else None
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(
        groups.values(),
        key=lambda g: (g["next"].deadline_at if g["next"] else far, g["organisation"].code),
    )


@dataclass(frozen=True)
class LostService:
    """A lost service on the dashboard: why it is lost and how it is being kept going."""

    service: Service
    because: str
    continuity: str


def _dashboard_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    now = timezone.now()
    involvements = list(incident.involvements.select_related("organisation"))
    org_codes = [i.organisation.code for i in involvements]
    rows = affected_service_rows(incident)
    # A lost service kept going by a workaround is still unavailable, but Gold must see that
    # the paper forms are in use, not only a red "Unavailable".
    notes = continuity_notes(request.user, (row.service.pk for row in rows))
    grid: dict[str, list[LostService]] = {code: [] for code in org_codes}
    for row in rows:
        grid.setdefault(row.service.organisation.code, []).append(
            LostService(row.service, row.because, notes.get(row.service.pk, ""))
        )
    obligations = list(incident.obligations.select_related("organisation"))
    roles = roles_by_org(request.user)
    # What this person may change: a viewer sees the dashboard without a single write form.
    writable = {i.organisation.code for i in involvements if roles.get(i.organisation_id) in WRITER_ROLES}
    affected_systems = list(incident.affected_systems.select_related("system__owner"))
    running = [o for o in obligations if o.status in (ObligationStatus.DUE, ObligationStatus.DRAFTED)]
    return {
        "incident": incident,
        "now": now,
        "involvements": involvements,
        "affected_systems": affected_systems,
        "systems_down": sum(1 for a in affected_systems if a.state in DOWN_STATES),
        "grid": grid,
        "affected_count": len(rows),
        "obligations": obligations,
        "clock_groups": _clock_groups(involvements, obligations, now),
        "running_obligations": running,
        "overdue_count": sum(1 for o in running if o.deadline_at < now),
        "actions_open": incident.actions.open()
        .select_related("owner", "organisation")
        .order_by(F("due_at").asc(nulls_last=True), "pk"),
        "log": incident.log_entries.select_related("corrects", "author")
        .prefetch_related("organisations", AUTHOR_PREFETCH)
        # The most recent by when it happened, not by when it was written up: an entry
        # recorded late about the evening must not sit above what happened since.
        .order_by("-occurred_at", "-sequence")[:10],
        "breach_orgs": {
            i.organisation.code for i in involvements if roles.get(i.organisation_id) in ("dpo", "gold")
        },
        "writable": writable,
        "can_write": bool(writable),
        "awareness_hint": awareness_hint(),
    }


def _dashboard(
    request: HttpRequest,
    incident: Incident,
    *,
    bound: dict[str, Any] | None = None,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The dashboard page; shown again with the person's input and an error summary when a
    form on it was refused (the GOV.UK pattern: errors on the same page, not a separate one)."""
    ctx = _dashboard_context(request, incident)
    writable = sorted(ctx["writable"])
    ctx.update(
        {
            "state_form": forms.SystemStateForm(
                system_choices=[
                    (s.code, f"{s.name} ({s.owner.code})")
                    for s in queries.systems_in(incident).select_related("owner").order_by("name")
                ]
            ),
            "log_form": forms.LogEntryForm(),
            "action_form": forms.ActionForm(org_choices=[(c, c) for c in writable]),
            "obligation_form": forms.ObligationRecordForm(
                obligation_choices=[
                    (o.pk, f"{o.organisation.code}: {o.title}")
                    for o in ctx["obligations"]
                    if o.organisation.code in ctx["writable"] and o.status != ObligationStatus.SUBMITTED
                ]
            ),
            "containment_choices": Containment.choices,
            "failed": failed or {},
            "error_summary": [],
        }
    )
    for name, form in (bound or {}).items():
        ctx[name] = form
        for field, errs in form.errors.items():
            if field == "__all__":
                href, label = f"#{name}", ""
            else:
                bf = form[field]
                is_date = isinstance(bf.field, forms.LocalDateTimeField)
                href = f"#{bf.auto_id}{'-day' if is_date else ''}"
                label = str(bf.label)
            ctx["error_summary"] += [
                {"href": href, "text": labelled(e, label, field) if label else e} for e in errs
            ]
    if failed:
        ctx["error_summary"].append({"href": failed["href"], "text": failed["message"]})
    return render(request, "incidents/dashboard.html", ctx, status=status)


@login_required
@require_GET
def incident_dashboard(request: HttpRequest, reference: str) -> HttpResponse:
    """Clocks and actions first, then the log form, services, systems and organisations."""
    return _dashboard(request, queries.incident_for(request.user, reference))


@login_required
@require_GET
def incident_live(request: HttpRequest, reference: str) -> HttpResponse:
    """The dashboard's live panels, polled by HTMX every few seconds."""
    incident = queries.incident_for(request.user, reference)
    return render(request, "incidents/_live.html", _dashboard_context(request, incident))


def _refused(
    request: HttpRequest,
    incident: Incident,
    exc: DomainError,
    *,
    form: str,
    href: str,
    org: str = "",
    label: str = "",
) -> HttpResponse:
    """An action refused the input: the dashboard again, the message in its error summary.
    With ``label``, a message naming the field by its code (``became_aware_at cannot be in
    the future``) names it in words instead, beside the field and, after the council, in the
    summary."""
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    failed = {"form": form, "org": org, "message": exc.message, "href": href, "data": request.POST}
    if label:
        failed["field_error"] = labelled(exc.message, label, exc.field, prefix=False)
        failed["message"] = f"{org}: {failed['field_error']}" if org else failed["field_error"]
    return _dashboard(request, incident, failed=failed, status=exc.status)


@login_required
@require_POST
def set_system_state(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark a system's state from the dashboard."""
    incident = queries.incident_for(request.user, reference)
    systems = queries.systems_in(incident).select_related("owner").order_by("name")
    form = forms.SystemStateForm(
        request.POST, system_choices=[(s.code, f"{s.name} ({s.owner.code})") for s in systems]
    )
    if not form.is_valid():
        return _dashboard(request, incident, bound={"state_form": form}, status=422)
    system = systems.get(code=form.cleaned_data["system"])
    try:
        actions.set_system_state(
            incident,
            actor=request.user,
            system=system,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _refused(request, incident, exc, form="state", href="#id_system")
    messages.success(
        request, f"{system.name} is now {SystemState(form.cleaned_data['state']).label.lower()}."
    )
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def set_containment(request: HttpRequest, reference: str) -> HttpResponse:
    """Change an organisation's containment state."""
    incident = queries.incident_for(request.user, reference)
    form = forms.ContainmentForm(request.POST)
    if not form.is_valid():
        code = str(request.POST.get("organisation", ""))
        return _refused(
            request, incident, form_error(form), form="containment", org=code, href=f"#containment-{code}"
        )
    org = queries.involved_organisation(incident, form.cleaned_data["organisation"])
    try:
        actions.set_containment(
            incident, actor=request.user, organisation=org, state=form.cleaned_data["containment"]
        )
    except DomainError as exc:
        return _refused(
            request, incident, exc, form="containment", org=org.code, href=f"#containment-{org.code}"
        )
    messages.success(request, f"{org.name}: {Containment(form.cleaned_data['containment']).label.lower()}.")
    return redirect("incident-dashboard", incident.reference)


def _time_refused(
    request: HttpRequest, incident: Incident, form: Any, *, name: str, org: str, prefix: str
) -> HttpResponse:
    field = "became_aware_at"
    errs = form.errors.get(field) or [" ".join(e for errs in form.errors.values() for e in errs)]
    return _dashboard(
        request,
        incident,
        failed={
            "form": name,
            "org": org,
            "field_error": errs[0],
            # The form's messages already name the field ("Became aware of the breach at must ...").
            "message": f"{org}: {errs[0]}",
            "href": f"#{prefix}-{org}-day",
            "data": request.POST,
        },
        status=422,
    )


@login_required
@require_POST
def set_awareness(request: HttpRequest, reference: str) -> HttpResponse:
    """Set when a controller became aware (moves its ICO clock and writes a log entry)."""
    incident = queries.incident_for(request.user, reference)
    form = forms.AwarenessForm(request.POST)
    code = str(request.POST.get("organisation", ""))
    if not form.is_valid():
        return _time_refused(request, incident, form, name="awareness", org=code, prefix="became-aware")
    org = queries.involved_organisation(incident, form.cleaned_data["organisation"])
    try:
        actions.set_became_aware(
            incident,
            actor=request.user,
            organisation=org,
            became_aware_at=form.cleaned_data["became_aware_at"],
        )
    except DomainError as exc:
        return _refused(
            request,
            incident,
            exc,
            form="awareness",
            org=org.code,
            href=f"#became-aware-{org.code}-day",
            label="Became aware at",
        )
    messages.success(request, f"{org.name}'s awareness time is recorded in the log; its clocks have moved.")
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def flag_breach(request: HttpRequest, reference: str) -> HttpResponse:
    """A DPO or Gold declares a personal data breach for their organisation."""
    incident = queries.incident_for(request.user, reference)
    form = forms.BreachForm(request.POST)
    code = str(request.POST.get("organisation", ""))
    if not form.is_valid():
        return _time_refused(request, incident, form, name="breach", org=code, prefix="aware")
    org = queries.involved_organisation(incident, form.cleaned_data["organisation"])
    try:
        actions.flag_personal_data_breach(
            incident,
            actor=request.user,
            organisation=org,
            became_aware_at=form.cleaned_data["became_aware_at"],
        )
    except DomainError as exc:
        return _refused(
            request,
            incident,
            exc,
            form="breach",
            org=org.code,
            href=f"#aware-{org.code}-day",
            label="Became aware of the breach at",
        )
    messages.success(request, f"Personal data breach recorded for {org.code}; the ICO clock is running.")
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def add_log_entry(request: HttpRequest, reference: str) -> HttpResponse:
    """Append to the log from the dashboard or the log page."""
    incident = queries.incident_for(request.user, reference)
    form = forms.LogEntryForm(request.POST)
    on_log_page = request.POST.get("next") == "log"
    if not form.is_valid():
        if on_log_page:
            return _log_page(request, incident, log_form=form, status=422)
        return _dashboard(request, incident, bound={"log_form": form}, status=422)
    corrects = None
    try:
        if form.cleaned_data.get("corrects"):
            corrects = incident.log_entries.filter(sequence=form.cleaned_data["corrects"]).first()
            if corrects is None:
                raise InvalidInput(
                    f"There is no entry #{form.cleaned_data['corrects']} to correct.", field="corrects"
                )
        entry = actions.add_log_entry(
            incident,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            occurred_at=form.cleaned_data.get("occurred_at"),
            corrects=corrects,
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        if on_log_page:
            return _log_page(request, incident, log_form=form, status=exc.status)
        return _dashboard(request, incident, bound={"log_form": form}, status=exc.status)
    messages.success(request, f"Log entry #{entry.sequence} recorded.")
    return redirect("incident-log" if on_log_page else "incident-dashboard", incident.reference)


@login_required
@require_POST
def create_action(request: HttpRequest, reference: str) -> HttpResponse:
    """Create an action (task)."""
    incident = queries.incident_for(request.user, reference)
    codes = list(incident.organisations.values_list("code", flat=True))
    form = forms.ActionForm(request.POST, org_choices=[(c, c) for c in codes])
    if not form.is_valid():
        return _dashboard(request, incident, bound={"action_form": form}, status=422)
    try:
        action = actions.create_action(
            incident,
            actor=request.user,
            title=form.cleaned_data["title"],
            organisation=queries.involved_organisation(incident, form.cleaned_data["organisation"]),
            owner=request.user,
            due_at=form.cleaned_data.get("due_at"),
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _dashboard(request, incident, bound={"action_form": form}, status=exc.status)
    messages.success(request, f"Action added: {action.title}.")
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def update_action(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    """Change an action's status."""
    incident = queries.incident_for(request.user, reference)
    action = get_scoped(incident.actions.select_related("organisation"), "action", pk=action_id)
    form = forms.ActionStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        actions.update_action(action, actor=request.user, status=form.cleaned_data["status"])
    except DomainError as exc:
        return _refused(request, incident, exc, form="action-status", href="#actions")
    return redirect("incident-dashboard", incident.reference)


def _record_obligation(request: HttpRequest, incident: Incident, obligation_id: int) -> HttpResponse:
    obligation = get_scoped(
        incident.obligations.select_related("organisation", "incident"), "obligation", pk=obligation_id
    )
    form = forms.ObligationForm(request.POST)
    if not form.is_valid():
        return _refused(request, incident, form_error(form), form="obligation", href="#id_obligation")
    try:
        actions.update_obligation(
            obligation,
            actor=request.user,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            external_reference=form.cleaned_data["external_reference"],
        )
    except DomainError as exc:
        return _refused(request, incident, exc, form="obligation", href="#id_obligation")
    messages.success(
        request,
        f"{obligation.organisation.code}: {obligation.title} is now {obligation.get_status_display().lower()}.",
    )
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def update_obligation(request: HttpRequest, reference: str, obligation_id: int) -> HttpResponse:
    """Draft, submit or mark not required."""
    return _record_obligation(request, queries.incident_for(request.user, reference), obligation_id)


@login_required
@require_POST
def record_obligation(request: HttpRequest, reference: str) -> HttpResponse:
    """The dashboard's "record a report" form: the report is picked from a list."""
    incident = queries.incident_for(request.user, reference)
    try:
        obligation_id = int(str(request.POST.get("obligation", "")))
    except ValueError:
        return _refused(
            request,
            incident,
            InvalidInput("Choose which report you are recording.", field="obligation"),
            form="obligation",
            href="#id_obligation",
        )
    return _record_obligation(request, incident, obligation_id)


def _filtered_log(request: HttpRequest, incident: Incident) -> Any:
    entries = incident.log_entries.select_related("corrects", "author").prefetch_related(
        "organisations", "systems", AUTHOR_PREFETCH
    )
    kind = request.GET.get("kind", "")
    if kind:
        entries = entries.filter(kind=kind)
    org = request.GET.get("organisation", "")
    if org:
        entries = entries.filter(organisations__code=org)
    q = request.GET.get("q", "").strip()
    if q:
        entries = entries.filter(text__icontains=q)
    return entries.order_by("sequence")


def _log_page(
    request: HttpRequest, incident: Incident, *, log_form: Any = None, status: int = 200
) -> HttpResponse:
    entries = _filtered_log(request, incident)
    roles = roles_by_org(request.user)
    can_write = any(roles.get(o.pk) in WRITER_ROLES for o in incident.organisations.all())
    errors = []
    if log_form is not None:
        for field, errs in log_form.errors.items():
            bf = None if field == "__all__" else log_form[field]
            href = "#log-form" if bf is None else f"#{bf.auto_id}{'-day' if field == 'occurred_at' else ''}"
            errors += [{"href": href, "text": labelled(e, str(bf.label), field) if bf else e} for e in errs]
    return render(
        request,
        "incidents/log.html",
        {
            "incident": incident,
            "entries": entries,
            "kinds": EntryKind.choices,
            "organisations": incident.organisations.all(),
            "filters": request.GET,
            "query": request.GET.urlencode(),
            "chain": logchain.verify(incident),
            "log_form": log_form or forms.LogEntryForm(),
            "can_write": can_write,
            "error_summary": errors,
        },
        status=status,
    )


@login_required
@require_GET
def incident_log(request: HttpRequest, reference: str) -> HttpResponse:
    """The whole log with filters; export links keep the filters."""
    return _log_page(request, queries.incident_for(request.user, reference))


@login_required
@require_GET
def incident_log_csv(request: HttpRequest, reference: str) -> HttpResponse:
    """The (filtered) log as CSV."""
    incident = queries.incident_for(request.user, reference)
    entries = _filtered_log(request, incident).select_related("incident").prefetch_related("services")
    response = csv_response(f"{incident.reference}-log.csv", logcsv.COLUMNS, exports.log_csv_rows(entries))
    return response


@login_required
@require_GET
def incident_log_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The (filtered) log as PDF with the chain check."""
    incident = queries.incident_for(request.user, reference)
    entries: list[LogEntry] = list(_filtered_log(request, incident))
    pdf = exports.log_pdf(incident, entries, logchain.verify(incident))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}-log.pdf"'
    return response
