"""Pages: the breach overview, scan progress, individuals, reports, letters, emails, the public notice.

Views parse forms and call actions; every object comes through ``breach.queries``, so a
persona who is not DPO or Gold of the controller gets 404 from every page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from incidentroom.breach import (
    actions,
    downloads,
    evidence,
    forms,
    queries,
    resident,
)
from incidentroom.breach import categories as cat
from incidentroom.breach.access import controller_org_ids, require_controller_role
from incidentroom.breach.models import (
    Breach,
    Letter,
    LetterBatch,
    PublicNotice,
    Report,
    ReportKind,
)
from incidentroom.breach.reports.build import SHORT_NAMES, document_for
from incidentroom.breach.reports.facts import scan_facts
from incidentroom.core import times
from incidentroom.core.access import roles_by_org
from incidentroom.core.csvhttp import csv_stream_response
from incidentroom.core.errors import Conflict, DomainError, InvalidInput, labelled
from incidentroom.core.formpage import FieldSpec, Refusal, correctable, form_refusal, no_refusal, refusal
from incidentroom.core.models import BREACH_ROLES, Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.incidents.forms import LocalDateTimeField
from incidentroom.incidents.models import Incident
from incidentroom.incidents.queries import involved_organisation

PAGE_SIZE = 50


def _org_choices(incident: Incident) -> list[tuple[str, str]]:
    return [(o.code, o.name) for o in incident.organisations.all()]


# -- overview and the breach record ----------------------------------------------------------


@login_required
@require_GET
def breach_list(request: HttpRequest) -> HttpResponse:
    """Breaches you handle, and incidents where you could record one."""
    mine = controller_org_ids(request.user)
    breaches = Breach.objects.for_user(request.user).select_related("incident", "organisation")
    unrecorded = list(queries.unrecorded_involvements(request.user))
    # A council flagged on the incident as having a personal data breach but with no breach
    # record is listed with the breaches: "none" there would tell its Gold nothing happened
    # while the incident page shows a running ICO clock.
    declared = [i for i in unrecorded if i.personal_data_breach]
    open_for = [i for i in unrecorded if not i.personal_data_breach]
    # Where this person's role cannot see breach records, say who holds them, the same words
    # whether or not a breach exists there (the page must not tell comms or a viewer that one does).
    roles = roles_by_org(request.user)
    held_elsewhere = Organisation.objects.filter(
        pk__in=[pk for pk, role in roles.items() if role not in BREACH_ROLES]
    ).order_by("name")
    return render(
        request,
        "breach/list.html",
        {
            "breaches": breaches,
            "declared": declared,
            "can_record": open_for,
            "has_role": bool(mine),
            "held_elsewhere": held_elsewhere,
        },
    )


# The assessment's fields as the page labels them, for the error summary.
_LABELS = {
    "organisation": "Controller organisation",
    "description": "What happened",
    "data_sets": "Data sets involved",
    "became_aware_at": "Became aware at",
    "occurred_at": "When it happened",
    "discovery": "How it was discovered",
    "people_categories": "Categories of people",
    "likely_consequences": "Likely consequences",
    "measures_taken": "Measures taken",
    "measures_proposed": "Measures proposed",
    "delay_reason": "Reasons for any delay past 72 hours",
}


def _refused_form(form: forms.BreachForm, exc: DomainError | None = None) -> list[dict[str, str]]:
    """The error summary for a breach form shown again: its own errors, plus an action's
    refusal attached to the field it names (so the message also sits beside that field)."""
    if exc is not None:
        field = exc.field if exc.field in form.fields else None
        message = (
            labelled(exc.message, _LABELS[field], field, prefix=False) if field in _LABELS else exc.message
        )
        form.add_error(field, message)
    summary = []
    for field, errs in form.errors.items():
        if field == "__all__":
            href, label = "#breach-form", ""
        else:
            bound = form[field]
            first_box = "-day" if isinstance(bound.field, LocalDateTimeField) else ""
            suffix = "_0" if field == "people_categories" else first_box
            href, label = f"#{bound.auto_id}{suffix}", str(_LABELS.get(field, bound.label))
        summary += [{"href": href, "text": labelled(str(e), label, field) if label else str(e)} for e in errs]
    return summary


@login_required
def incident_breach(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a personal data breach for one of your controllers in this incident."""
    incident = queries.incident_for(request.user, reference)
    mine = controller_org_ids(request.user)
    involvements = list(incident.involvements.filter(organisation_id__in=mine).select_related("organisation"))
    recorded = {b.organisation_id: b for b in Breach.objects.for_user(request.user).filter(incident=incident)}
    choices = [
        (i.organisation.code, i.organisation.name) for i in involvements if i.organisation_id not in recorded
    ]
    if request.method == "POST":
        require_controller_role(
            request.user, list(incident.organisations.all()), "record a personal data breach"
        )
        form = forms.BreachForm(request.POST, org_choices=choices)
        refused: DomainError | None = None
        if form.is_valid():
            org = involved_organisation(incident, form.cleaned_data["organisation"])
            details = form.details()
            try:
                breach = actions.record_breach(
                    incident,
                    actor=request.user,
                    organisation=org,
                    description=details.pop("description"),
                    became_aware_at=details.pop("became_aware_at"),
                    **details,
                )
            except (InvalidInput, Conflict) as exc:
                refused = exc
        if not form.is_valid() or refused is not None:
            # The same page with an error summary and everything typed, not an error page.
            summary = _refused_form(form, refused)
            return render(
                request,
                "breach/record.html",
                {
                    "incident": incident,
                    "form": form,
                    "recorded": recorded.values(),
                    "choices": choices,
                    "error_summary": summary,
                },
                status=refused.status if refused is not None else 422,
            )
        messages.success(request, f"Breach recorded for {org.code}; the ICO 72-hour clock is running.")
        return redirect("breach-detail", breach.pk)
    aware = next(
        (i.became_aware_at for i in involvements if i.personal_data_breach and i.became_aware_at), None
    )
    # The breach list's "Record the breach" link names the council it is for.
    asked = request.GET.get("organisation", "")
    initial = {
        **({"organisation": asked} if asked in dict(choices) else {}),
        "became_aware_at": times.form_value(aware or timezone.now()),
        "confidentiality": True,
        "cyber_incident": True,
    }
    form = forms.BreachForm(org_choices=choices, initial=initial)
    return render(
        request,
        "breach/record.html",
        {"incident": incident, "form": form, "recorded": recorded.values(), "choices": choices},
    )


def _breach_context(request: HttpRequest, breach: Breach) -> dict[str, Any]:
    scans = list(breach.scans.all()[:10])
    latest = scans[0] if scans else None
    reports = list(breach.reports.all())
    by_kind: dict[str, list[Report]] = {}
    for r in reports:
        by_kind.setdefault(r.kind, []).append(r)
    facts = scan_facts(breach)
    return {
        "breach": breach,
        "incident": breach.incident,
        "scans": scans,
        "scan": latest,
        "facts": facts,
        "category_rows": [(cat.label(c), n) for c, n in facts["by_category"].items()],
        "report_kinds": [(k, label, by_kind.get(k, []), SHORT_NAMES[k]) for k, label in ReportKind.choices],
        "obligations": {
            o.code: o for o in breach.incident.obligations.filter(organisation=breach.organisation)
        },
        "batches": breach.letter_batches.all()[:10],
        "notices": breach.email_notices.all()[:10],
        "public_notice": PublicNotice.objects.filter(breach=breach).first(),
        "scan_form": forms.ScanForm(org_choices=_org_choices(breach.incident)),
        "edit_form": forms.BreachForm(
            initial={
                **{f: getattr(breach, f) for f in actions.BREACH_FIELDS},
                "occurred_at": times.form_value(breach.occurred_at) if breach.occurred_at else "",
                "became_aware_at": times.form_value(breach.became_aware_at),
            }
        ),
        "notify_risks": settings.BREACH_NOTIFY_RISKS,
        "wording_written": bool(breach.resident_what_happened.strip()),
        "wording_approved": resident.is_approved(breach),
        "scan_roots": [
            f"{r.path} ({'+'.join(r.owners)})"
            for r in evidence.scan_roots([breach.organisation], evidence.EVIDENCE)
        ],
    }


# The breach page's forms other than the assessment: their fields as the page labels them,
# and where the error summary sends the reader.
_PAGE_FIELDS = {
    "scan": {
        "path": FieldSpec("Folder or archive on the server", "#scan-path"),
        "upload": FieldSpec("Archive to upload", "#scan-upload"),
        "file": FieldSpec("Archive to upload", "#scan-upload"),
        "organisation": FieldSpec("Whose data it holds", "#scan-org"),
    },
    "reports": {"kind": FieldSpec("Report", "#reports")},
    "letters": {"risks": FieldSpec("Letters to people at", "#letters-high")},
    "emails": {
        "risks": FieldSpec("Emails to people at", "#emails-high"),
        "subject": FieldSpec("Subject", "#email-subject"),
    },
    "public": {},
}
_PAGE_FORMS = {
    "scan": "#scan-form",
    "reports": "#reports",
    "letters": "#letters-form",
    "emails": "#emails-form",
    "public": "#public",
}


def _breach_page(request: HttpRequest, breach: Breach, refused: Refusal | None = None) -> HttpResponse:
    """The breach page; after a refused form, the same page with the error summary, the
    message beside the field and what was typed in that form kept."""
    context = {**_breach_context(request, breach), **(refused.context() if refused else no_refusal())}
    if refused is not None:
        context["chosen_risks"] = request.POST.getlist("risks")
    return render(request, "breach/detail.html", context, status=refused.status if refused else 200)


def _refused_on_page(
    request: HttpRequest, breach: Breach, name: str, exc: DomainError | None = None, form: Any = None
) -> HttpResponse:
    """A form of the breach page refused (the form's own errors, or the action's ``exc``)."""
    if exc is not None:
        refused = refusal(
            exc, form=name, fields=_PAGE_FIELDS[name], default_href=_PAGE_FORMS[name], data=request.POST
        )
    else:
        refused = form_refusal(form, name=name, fields=_PAGE_FIELDS[name], default_href=_PAGE_FORMS[name])
    return _breach_page(request, breach, refused)


@login_required
@require_GET
def breach_detail(request: HttpRequest, breach_id: int) -> HttpResponse:
    """The breach: assessment, scans with live progress, figures, reports, letters, emails, notice."""
    return _breach_page(request, queries.breach_for(request.user, breach_id))


@login_required
@require_POST
def breach_update(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Save changes to the assessment."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.BreachForm(request.POST)
    refused: DomainError | None = None
    if form.is_valid():
        try:
            actions.update_breach(breach, actor=request.user, **form.details())
        except (InvalidInput, Conflict) as exc:
            refused = exc
    if not form.is_valid() or refused is not None:
        # The breach page again, its assessment open with the error beside the field.
        summary = _refused_form(form, refused)
        context = {
            **_breach_context(request, breach),
            **no_refusal(),
            "failed_form": "assessment",
            "edit_form": form,
            "error_summary": summary,
        }
        return render(
            request, "breach/detail.html", context, status=refused.status if refused is not None else 422
        )
    messages.success(request, "Assessment saved.")
    return redirect("breach-detail", breach.pk)


# -- scans -------------------------------------------------------------------------------------


@login_required
@require_POST
def scan_start(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Start a scan of a server folder or an uploaded archive."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.ScanForm(request.POST, request.FILES, org_choices=_org_choices(breach.incident))
    if not form.is_valid():
        return _refused_on_page(request, breach, "scan", form=form)
    code = form.cleaned_data.get("organisation")
    upload = form.cleaned_data.get("upload")
    try:
        org = involved_organisation(breach.incident, code) if code else None
        if upload is not None:
            job = actions.start_upload_scan(
                breach,
                actor=request.user,
                filename=upload.name or "upload",
                chunks=upload.chunks(),
                organisation=org,
            )
        else:
            job = actions.start_scan(
                breach, actor=request.user, sources=[actions.ScanSource(form.cleaned_data["path"], org)]
            )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, breach, "scan", exc)
    messages.success(request, f"Scan #{job.pk} queued; progress shows below.")
    return redirect("breach-detail", breach.pk)


@login_required
@require_GET
def scan_progress(request: HttpRequest, scan_id: int) -> HttpResponse:
    """The progress panel, polled by HTMX while the scan runs."""
    job = queries.scan_for(request.user, scan_id)
    reload = bool(request.GET.get("running")) and job.is_finished
    return render(request, "breach/_scan.html", {"scan": job, "breach": job.breach, "reload": reload})


@login_required
@require_POST
def scan_cancel(request: HttpRequest, scan_id: int) -> HttpResponse:
    """Ask the scan to stop."""
    job = queries.scan_for(request.user, scan_id)
    try:
        actions.cancel_scan(job, actor=request.user)
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, job.breach, "scan", exc)
    messages.success(request, f"Scan #{job.pk} will stop after the file it is reading.")
    return redirect("breach-detail", job.breach_id)


@login_required
@require_POST
def scan_resume(request: HttpRequest, scan_id: int) -> HttpResponse:
    """Carry on a failed, cancelled or stalled scan from its checkpoints."""
    job = queries.scan_for(request.user, scan_id)
    try:
        actions.resume_scan(job, actor=request.user)
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, job.breach, "scan", exc)
    messages.success(request, f"Scan #{job.pk} will carry on from where it stopped.")
    return redirect("breach-detail", job.breach_id)


@login_required
@require_POST
def scan_discard(request: HttpRequest, scan_id: int) -> HttpResponse:
    """Stop counting a finished scan's results."""
    job = queries.scan_for(request.user, scan_id)
    try:
        actions.discard_scan(job, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, job.breach, "scan", exc)
    messages.success(request, f"Results of scan #{job.pk} no longer count.")
    return redirect("breach-detail", job.breach_id)


# -- individuals ---------------------------------------------------------------------------------


@login_required
@require_GET
def individuals(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Search and filter the people found."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.PeopleFilterForm(request.GET, org_choices=_org_choices(breach.incident))
    qs = _people(request, breach, form)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "breach/individuals.html",
        {
            "breach": breach,
            "incident": breach.incident,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "labels": {c: cat.label(c) for c in cat.TEXT},
        },
    )


def _people(request: HttpRequest, breach: Breach, form: forms.PeopleFilterForm) -> Any:
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    filters = queries.PeopleFilter(
        **{k: str(data.get(k) or "") for k in ("q", "category", "risk", "organisation", "status")}
    )
    return (
        queries.individuals_for(request.user, breach, filters)
        .prefetch_related("organisations")
        .order_by("full_name", "id")
    )


INDIVIDUAL_EXPORT_COLUMNS = (
    "person_id",
    "full_name",
    "date_of_birth",
    "address",
    "postcode",
    "email",
    "phone",
    "categories",
    "risk",
    "contact_status",
    "organisations",
    "document_count",
)


@login_required
@require_GET
def individuals_csv(request: HttpRequest, breach_id: int) -> StreamingHttpResponse:
    """The (filtered) people list as CSV, through the one CSV writer; the same scoping as the page."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.PeopleFilterForm(request.GET, org_choices=_org_choices(breach.incident))
    rows = (
        [
            p.person_id,
            p.full_name,
            p.date_of_birth.isoformat() if p.date_of_birth else "",
            p.address,
            p.postcode,
            p.email,
            p.phone,
            ";".join(p.category_list()),
            p.risk,
            p.contact_status,
            ";".join(sorted(o.code for o in p.organisations.all())),
            p.document_count,
        ]
        for p in _people(request, breach, form).iterator(chunk_size=2000)
    )
    return csv_stream_response(f"breach-{breach.pk}-individuals.csv", INDIVIDUAL_EXPORT_COLUMNS, rows)


# -- reports -----------------------------------------------------------------------------------


@login_required
@require_POST
def report_draft(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Draft a report from the current facts."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        return _refused_on_page(request, breach, "reports", form=form)
    try:
        report = actions.draft_report(breach, actor=request.user, kind=form.cleaned_data["kind"])
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, breach, "reports", exc)
    return redirect("breach-report", report.pk)


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report as it will be filed, with downloads and the submit form."""
    return _report_page(request, queries.report_for(request.user, report_id))


# The submit form's fields as the report page labels them.
_REPORT_LABELS = {"submitted_at": "Submitted at", "external_reference": "Reference"}


def _report_page(
    request: HttpRequest, report: Report, form: forms.SubmitForm | None = None, status: int = 200
) -> HttpResponse:
    """The report page; after a refused submission, with the error summary and the input kept."""
    latest = Report.objects.filter(breach=report.breach, kind=report.kind).order_by("-version").first()
    summary = []
    for field, errs in form.errors.items() if form is not None else ():
        if field == "__all__" or form is None:
            href, label = "#submit-report", ""
        else:
            bound = form[field]
            first_box = "-day" if isinstance(bound.field, LocalDateTimeField) else ""
            href, label = f"#{bound.auto_id}{first_box}", str(_REPORT_LABELS.get(field, bound.label))
        summary += [{"href": href, "text": labelled(str(e), label, field) if label else str(e)} for e in errs]
    return render(
        request,
        "breach/report.html",
        {
            "report": report,
            "breach": report.breach,
            "doc": document_for(report),
            "submit_form": form or forms.SubmitForm(),
            "is_latest": latest is not None and latest.pk == report.pk,
            "obligation": report.breach.obligation(report.kind),
            "error_summary": summary,
        },
        status=status,
    )


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    """PDF or DOCX."""
    return downloads.report_response(queries.report_for(request.user, report_id), fmt)


@login_required
@require_POST
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    """Record the report as filed."""
    report = queries.report_for(request.user, report_id)
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        return _report_page(request, report, form, status=422)
    try:
        actions.submit_report(
            report,
            actor=request.user,
            external_reference=form.cleaned_data["external_reference"],
            submitted_at=form.cleaned_data.get("submitted_at"),
        )
    except InvalidInput as exc:
        # Correctable input (a time before the breach was known, ...): the same page again.
        field = exc.field if exc.field in form.fields else None
        label = _REPORT_LABELS.get(field or "")
        form.add_error(field, labelled(exc.message, label, field, prefix=False) if label else exc.message)
        return _report_page(request, report, form, status=exc.status)
    messages.success(request, f"{report.get_kind_display()} recorded as submitted.")
    return redirect("breach-report", report.pk)


# -- letters and emails -------------------------------------------------------------------------


@login_required
@require_POST
def letters_generate(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Mail-merge letters."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.RisksForm(request.POST)
    if not form.is_valid():
        return _refused_on_page(request, breach, "letters", form=form)
    try:
        batch = actions.generate_letters(breach, actor=request.user, risks=form.cleaned_data["risks"])
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, breach, "letters", exc)
    messages.success(request, f"{batch.letter_count} letters are being prepared.")
    return redirect("breach-letters", batch.pk)


@login_required
@require_GET
def letters_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A letter batch: downloads and the people in it (the files panel is polled while rendering)."""
    batch = queries.batch_for(request.user, batch_id)
    if request.headers.get("HX-Request"):
        return render(request, "breach/_letters_files.html", {"batch": batch})
    return _letters_page(request, batch)


def _letters_page(request: HttpRequest, batch: LetterBatch, refused: Refusal | None = None) -> HttpResponse:
    """The batch page; after a refused "posted" (the print file not ready), the same page
    saying so in an error summary."""
    return render(
        request,
        "breach/letters.html",
        {
            "batch": batch,
            "breach": batch.breach,
            "letters": batch.letters.select_related("individual"),
            "files": downloads.BATCH_FILES,
            **(refused.context() if refused else no_refusal()),
        },
        status=refused.status if refused else 200,
    )


@login_required
@require_GET
def letters_file(request: HttpRequest, batch_id: int, name: str) -> FileResponse:
    """Download the print file, print-house CSV or zip."""
    return downloads.batch_file(queries.batch_for(request.user, batch_id), name)


@login_required
@require_GET
def letter_pdf(request: HttpRequest, batch_id: int, letter_id: int) -> FileResponse:
    """One person's letter."""
    batch = queries.batch_for(request.user, batch_id)
    letter = get_scoped(Letter.objects.filter(batch=batch).select_related("batch"), "letter", pk=letter_id)
    return downloads.letter_file(letter)


@login_required
@require_POST
def letters_posted(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The print run went out."""
    batch = queries.batch_for(request.user, batch_id)
    try:
        count = actions.mark_letters_posted(batch, actor=request.user)
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _letters_page(
            request,
            batch,
            refusal(exc, form="posted", fields={}, default_href="#letters-status", data=request.POST),
        )
    messages.success(request, f"{count} people recorded as notified by letter.")
    return redirect("breach-letters", batch.pk)


@login_required
@require_POST
def emails_create(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Prepare an email notice: nothing is sent until the DPO confirms how many people."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.RisksForm(request.POST)
    if not form.is_valid():
        return _refused_on_page(request, breach, "emails", form=form)
    try:
        notice = actions.create_email_notice(
            breach, actor=request.user, risks=form.cleaned_data["risks"], subject=form.cleaned_data["subject"]
        )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, breach, "emails", exc)
    messages.success(
        request,
        f"Emails to {notice.deliveries.count()} people prepared. Nothing has been sent: check and confirm.",
    )
    return redirect("breach-emails", notice.pk)


# -- public notice --------------------------------------------------------------------------------


@login_required
@require_POST
def public_notice_publish(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Publish or refresh, or withdraw, the public notice."""
    breach = queries.breach_for(request.user, breach_id)
    try:
        if request.POST.get("withdraw"):
            notice = get_scoped(PublicNotice.objects.for_user(request.user), "public notice", breach=breach)
            actions.withdraw_public_notice(notice, actor=request.user)
            done = "Public notice withdrawn."
        else:
            actions.publish_public_notice(breach, actor=request.user)
            done = "Public notice published."
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _refused_on_page(request, breach, "public", exc)
    messages.success(request, done)
    return redirect("breach-detail", breach.pk)


@require_GET
@cache_control(public=True, max_age=60)
def public_notice(request: HttpRequest, slug: str) -> HttpResponse:
    """The public notice: anyone may read it; it names no one. Cached briefly so a rush of
    readers costs one render a minute per server."""
    notice = get_scoped(
        PublicNotice.objects.filter(published_at__isnull=False, withdrawn_at__isnull=True),
        "notice",
        slug=slug,
    )
    return render(request, "breach/public_notice.html", {"notice": notice, "c": notice.content})
