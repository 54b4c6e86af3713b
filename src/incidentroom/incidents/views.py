"""Pages: incident list, the live dashboard, the log (with CSV/PDF export).

Views parse input with forms and call action functions; every read goes through the
``for_user`` querysets, so another organisation's incident is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from incidentroom.core import times
from incidentroom.core.access import roles_by_org
from incidentroom.core.csvhttp import csv_response
from incidentroom.core.errors import DomainError, InvalidInput, form_error
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.incidents import actions, exports, forms, logchain, logcsv, queries
from incidentroom.incidents.models import (
    ActionStatus,
    Containment,
    EntryKind,
    Incident,
    LogEntry,
    ObligationStatus,
)


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents involving the user's organisations, and a form to open one."""
    incidents = (
        Incident.objects.for_user(request.user).select_related("origin").prefetch_related("organisations")
    )
    my_orgs = Organisation.objects.for_user(request.user)
    form = forms.IncidentForm(
        org_choices=[(o.code, o.name) for o in my_orgs],
        all_orgs=[(o.code, o.name) for o in Organisation.objects.all()],
        initial={"detected_at": times.form_value(timezone.now())},
    )
    return render(request, "incidents/list.html", {"incidents": incidents, "form": form})


@login_required
@require_POST
def incident_create(request: HttpRequest) -> HttpResponse:
    """Open an incident from the list page's form."""
    my_orgs = list(Organisation.objects.for_user(request.user))
    everyone = list(Organisation.objects.all())
    form = forms.IncidentForm(
        request.POST,
        org_choices=[(o.code, o.name) for o in my_orgs],
        all_orgs=[(o.code, o.name) for o in everyone],
    )
    if not form.is_valid():
        raise form_error(form)
    data = form.cleaned_data
    by_code = {o.code: o for o in everyone}
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
    messages.success(request, f"Incident {incident.reference} opened; the reporting clocks have started.")
    return redirect("incident-dashboard", incident.reference)


def _dashboard_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    now = timezone.now()
    involvements = list(incident.involvements.select_related("organisation"))
    org_codes = [i.organisation.code for i in involvements]
    rows = queries.affected_service_rows(incident)
    grid: dict[str, list[Any]] = {code: [] for code in org_codes}
    for row in rows:
        grid.setdefault(row.service.organisation.code, []).append(row)
    obligations = list(incident.obligations.select_related("organisation"))
    roles = roles_by_org(request.user)
    return {
        "incident": incident,
        "now": now,
        "involvements": involvements,
        "affected_systems": incident.affected_systems.select_related("system__owner"),
        "grid": grid,
        "affected_count": len(rows),
        "obligations": obligations,
        "running_obligations": [
            o for o in obligations if o.status in (ObligationStatus.DUE, ObligationStatus.DRAFTED)
        ],
        "actions_open": incident.actions.open().select_related("owner", "organisation"),
        "log": incident.log_entries.select_related("corrects")
        .prefetch_related("organisations")
        .order_by("-sequence")[:10],
        "breach_orgs": {
            i.organisation.code for i in involvements if roles.get(i.organisation_id) in ("dpo", "gold")
        },
    }


@login_required
@require_GET
def incident_dashboard(request: HttpRequest, reference: str) -> HttpResponse:
    """Containment, affected systems and services, clocks, actions and the latest log."""
    incident = queries.incident_for(request.user, reference)
    ctx = _dashboard_context(request, incident)
    systems = queries.systems_in(incident).order_by("name")
    ctx.update(
        {
            "state_form": forms.SystemStateForm(
                system_choices=[
                    (s.code, f"{s.name} ({s.owner.code})") for s in systems.select_related("owner")
                ]
            ),
            "log_form": forms.LogEntryForm(),
            "action_form": forms.ActionForm(
                org_choices=[(i.organisation.code, i.organisation.code) for i in ctx["involvements"]]
            ),
            "containment_choices": Containment.choices,
            "entry_kinds": EntryKind.choices,
            "action_statuses": ActionStatus.choices,
            "obligation_statuses": ObligationStatus.choices,
        }
    )
    return render(request, "incidents/dashboard.html", ctx)


@login_required
@require_GET
def incident_live(request: HttpRequest, reference: str) -> HttpResponse:
    """The dashboard's live panels, polled by HTMX every few seconds."""
    incident = queries.incident_for(request.user, reference)
    return render(request, "incidents/_live.html", _dashboard_context(request, incident))


@login_required
@require_POST
def set_system_state(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark a system's state from the dashboard."""
    incident = queries.incident_for(request.user, reference)
    systems = queries.systems_in(incident)
    form = forms.SystemStateForm(request.POST, system_choices=[(s.code, s.name) for s in systems])
    if not form.is_valid():
        raise form_error(form)
    system = systems.get(code=form.cleaned_data["system"])
    actions.set_system_state(
        incident,
        actor=request.user,
        system=system,
        state=form.cleaned_data["state"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, f"{system.name} is now {form.cleaned_data['state'].replace('_', ' ')}.")
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def set_containment(request: HttpRequest, reference: str) -> HttpResponse:
    """Change an organisation's containment state."""
    incident = queries.incident_for(request.user, reference)
    form = forms.ContainmentForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    org = queries.involved_organisation(incident, form.cleaned_data["organisation"])
    actions.set_containment(
        incident, actor=request.user, organisation=org, state=form.cleaned_data["containment"]
    )
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def set_awareness(request: HttpRequest, reference: str) -> HttpResponse:
    """Set when a controller became aware (moves its ICO clock)."""
    incident = queries.incident_for(request.user, reference)
    form = forms.AwarenessForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    org = queries.involved_organisation(incident, form.cleaned_data["organisation"])
    actions.set_became_aware(
        incident, actor=request.user, organisation=org, became_aware_at=form.cleaned_data["became_aware_at"]
    )
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def flag_breach(request: HttpRequest, reference: str) -> HttpResponse:
    """A DPO or Gold declares a personal data breach for their organisation."""
    incident = queries.incident_for(request.user, reference)
    form = forms.BreachForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    org = queries.involved_organisation(incident, form.cleaned_data["organisation"])
    actions.flag_personal_data_breach(
        incident, actor=request.user, organisation=org, became_aware_at=form.cleaned_data["became_aware_at"]
    )
    messages.success(request, f"Personal data breach recorded for {org.code}; the ICO clock is running.")
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def add_log_entry(request: HttpRequest, reference: str) -> HttpResponse:
    """Append to the log from the dashboard or the log page."""
    incident = queries.incident_for(request.user, reference)
    form = forms.LogEntryForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    corrects = None
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
    messages.success(request, f"Log entry #{entry.sequence} recorded.")
    target = "incident-log" if request.POST.get("next") == "log" else "incident-dashboard"
    return redirect(target, incident.reference)


@login_required
@require_POST
def create_action(request: HttpRequest, reference: str) -> HttpResponse:
    """Create an action (task)."""
    incident = queries.incident_for(request.user, reference)
    codes = list(incident.organisations.values_list("code", flat=True))
    form = forms.ActionForm(request.POST, org_choices=[(c, c) for c in codes])
    if not form.is_valid():
        raise form_error(form)
    actions.create_action(
        incident,
        actor=request.user,
        title=form.cleaned_data["title"],
        organisation=queries.involved_organisation(incident, form.cleaned_data["organisation"]),
        owner=request.user,
        due_at=form.cleaned_data.get("due_at"),
    )
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def update_action(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    """Change an action's status."""
    incident = queries.incident_for(request.user, reference)
    action = get_scoped(incident.actions.select_related("organisation"), "action", pk=action_id)
    form = forms.ActionStatusForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    actions.update_action(action, actor=request.user, status=form.cleaned_data["status"])
    return redirect("incident-dashboard", incident.reference)


@login_required
@require_POST
def update_obligation(request: HttpRequest, reference: str, obligation_id: int) -> HttpResponse:
    """Draft, submit or mark not required."""
    incident = queries.incident_for(request.user, reference)
    obligation = get_scoped(
        incident.obligations.select_related("organisation", "incident"), "obligation", pk=obligation_id
    )
    form = forms.ObligationForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    try:
        actions.update_obligation(
            obligation,
            actor=request.user,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            external_reference=form.cleaned_data["external_reference"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("incident-dashboard", incident.reference)


def _filtered_log(request: HttpRequest, incident: Incident) -> Any:
    entries = incident.log_entries.select_related("corrects").prefetch_related("organisations", "systems")
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


@login_required
@require_GET
def incident_log(request: HttpRequest, reference: str) -> HttpResponse:
    """The whole log with filters; export links keep the filters."""
    incident = queries.incident_for(request.user, reference)
    entries = _filtered_log(request, incident)
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
            "log_form": forms.LogEntryForm(),
        },
    )


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
