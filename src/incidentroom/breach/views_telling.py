"""Pages for telling people, checked first: the resident wording with its preview and
approval, the sample letter, and the emails page (the test email, the confirmation before
sending, then the sending itself). A mistake comes back on the same page with an error
summary.

Every object comes through ``breach.queries`` (404 for anyone who is not DPO or Gold of the
controller); every write goes through ``breach.actions`` (wording, emails), which audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from incidentroom.breach import actions, emails, forms, notify, queries, resident
from incidentroom.breach.models import Breach, DeliveryStatus, EmailDelivery, EmailNotice
from incidentroom.breach.reports.render_pdf import render_pdf
from incidentroom.core.errors import Conflict, DomainError, InvalidInput, form_error
from incidentroom.core.formpage import FieldSpec, Refusal, correctable, form_refusal, no_refusal, refusal
from incidentroom.core.scoping import get_scoped

# The wording page's fields as it labels them (the same words as the letter's headings), and
# where the error summary sends the reader.
_WORDING_FIELDS = {
    field: FieldSpec(resident.LABELS.get(field, field.replace("_", " ")), f"#id_{field}")
    for field in resident.RESIDENT_FIELDS
}
_APPROVE_FIELDS = {
    "wording": FieldSpec("Approval", "#approve-form"),
    "approval": FieldSpec("Approval", "#approve-form"),
}


def _wording_page(
    request: HttpRequest, breach: Breach, refused: Refusal | None = None, form: Any = None
) -> HttpResponse:
    """The wording page; after a refused save or approval, the same page with the error
    summary, the message beside the field and the wording typed kept."""
    initial = {f: getattr(breach, f) for f in resident.RESIDENT_FIELDS}
    if not initial["resident_what_happened"]:
        initial["resident_what_happened"] = resident.suggested_what_happened(breach)
    return render(
        request,
        "breach/telling.html",
        {
            "breach": breach,
            "incident": breach.incident,
            "form": form if form is not None else forms.ResidentTextForm(initial=initial),
            "saved": bool(breach.resident_what_happened.strip()),
            "approved": resident.is_approved(breach),
            "wording": resident.wording_hash(breach),
            "preview": notify.preview(breach) if breach.resident_what_happened.strip() else None,
            "labels": resident.LABELS,
            "default_doing": resident.DEFAULT_DOING,
            "default_doing_public": resident.DEFAULT_DOING_PUBLIC,
            **(refused.context() if refused is not None else no_refusal()),
        },
        status=refused.status if refused is not None else 200,
    )


@login_required
@require_GET
def wording(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Write what residents read, see the letter and email it makes, and approve it."""
    breach = queries.breach_for(request.user, breach_id)
    return _wording_page(request, breach)


@login_required
@require_POST
def wording_save(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Save the wording (withdraws any earlier approval) and show its preview."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.ResidentTextForm(request.POST)
    if not form.is_valid():
        refused = form_refusal(form, name="wording", fields=_WORDING_FIELDS, default_href="#wording-form")
        return _wording_page(request, breach, refused, form)
    try:
        actions.save_wording(breach, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        if not correctable(exc):
            raise
        refused = refusal(
            exc, form="wording", fields=_WORDING_FIELDS, default_href="#wording-form", data=request.POST
        )
        form.add_error(exc.field if exc.field in form.fields else None, refused.summary[0]["text"])
        return _wording_page(request, breach, refused, form)
    messages.success(request, "Wording saved. Read the preview below, then approve it.")
    return redirect("breach-telling", breach.pk)


@login_required
@require_POST
def wording_approve(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Approve the wording the preview showed."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.ApproveForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form, {"wording": "Approval"})
        actions.approve_wording(breach, actor=request.user, wording=form.cleaned_data["wording"])
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _wording_page(
            request,
            breach,
            refusal(
                exc, form="approve", fields=_APPROVE_FIELDS, default_href="#approve-form", data=request.POST
            ),
        )
    messages.success(
        request, "Wording approved. You can now generate letters, prepare emails and publish the notice."
    )
    return redirect("breach-detail", breach.pk)


@login_required
@require_GET
def sample_letter(request: HttpRequest, breach_id: int) -> HttpResponse:
    """The preview letter as the print file will have it (PDF).

    A link, not a form: with no wording yet there is nothing to correct here, so the refusal
    goes to the error page (the wording page never shows the link before the wording exists)."""
    breach = queries.breach_for(request.user, breach_id)
    if not breach.resident_what_happened.strip():
        raise InvalidInput("Write what happened, for residents, first.", field="resident_what_happened")
    body = render_pdf(notify.preview(breach).letter)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sample-letter-{breach.organisation.code}.pdf"'
    return response


@login_required
@require_POST
def email_test(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Send the test copy to the signed-in user's own address."""
    notice = queries.notice_for(request.user, notice_id)
    try:
        to = actions.send_test_email(notice, actor=request.user)
    except DomainError as exc:
        if not correctable(exc):
            raise
        return emails_refused(request, notice, "test", exc)
    messages.success(request, f"Test email sent to {to}. Check it, then confirm below.")
    return redirect("breach-emails", notice.pk)


@login_required
@require_POST
def email_confirm(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Send, once the number of people has been confirmed."""
    notice = queries.notice_for(request.user, notice_id)
    form = forms.ConfirmSendForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form, {"recipients": "Number of people"})
        notice = actions.confirm_sending(
            notice, actor=request.user, recipients=form.cleaned_data["recipients"]
        )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return emails_refused(request, notice, "confirm", exc)
    messages.success(request, f"Sending {form.cleaned_data['recipients']} emails in the background.")
    return redirect("breach-emails", notice.pk)


# -- the emails page: check, test, confirm, then follow the sending ---------------------------


def emails_page(request: HttpRequest, notice: EmailNotice, refused: Refusal | None = None) -> HttpResponse:
    """An email notice's page; after a refused test, confirmation or resend, the same page with
    the error summary (the confirmation's number is the page's own, so nothing typed is lost)."""
    counts = notice.counts()
    busy = counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING] + counts[DeliveryStatus.FAILED] > 0
    template = "breach/_emails.html" if request.headers.get("HX-Request") else "breach/emails.html"
    confirming = notice.started_at is None
    first = notice.deliveries.select_related("individual").first() if confirming else None
    return render(
        request,
        template,
        {
            "notice": notice,
            "breach": notice.breach,
            "counts": counts,
            "busy": busy and not confirming,
            "confirming": confirming,
            "waiting": notify.waiting_count(notice),
            "sample": first,
            "sample_body": emails.email_text(notice.breach, first.individual) if first else "",
            "email_from": emails.from_header(notice.breach.organisation),
            "me": getattr(request.user, "email", ""),
            "deliveries": notice.deliveries.select_related("individual"),
            "statuses": DeliveryStatus.choices,
            **(refused.context() if refused else no_refusal()),
        },
        status=refused.status if refused else 200,
    )


# The emails page's forms: a refusal is shown at the form it came from.
EMAIL_FORMS = {
    "test": "#test-form",
    "confirm": "#confirm-form",
    "send": "#send-form",
    "resolve": "#email-panel",
}


def emails_refused(request: HttpRequest, notice: EmailNotice, name: str, exc: DomainError) -> HttpResponse:
    """The emails page again, saying why the ``name`` form was refused."""
    # Before the confirmation there is no resume button: the refusal sits at the confirmation.
    href = EMAIL_FORMS["confirm" if name == "send" and notice.started_at is None else name]
    return emails_page(
        request, notice, refusal(exc, form=name, fields={}, default_href=href, data=request.POST)
    )


@login_required
@require_GET
def emails_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """An email notice's progress (polled while sending)."""
    return emails_page(request, queries.notice_for(request.user, notice_id))


@login_required
@require_POST
def emails_send(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Resume sending (after a restart or to retry now)."""
    notice = queries.notice_for(request.user, notice_id)
    try:
        if notice.started_at is None:
            # The first send is the confirmation step's, which names how many people it emails.
            raise Conflict(
                "These emails have not been confirmed yet: check them and confirm the number first."
            )
        actions.start_sending(notice, actor=request.user)
    except DomainError as exc:
        if not correctable(exc):
            raise
        return emails_refused(request, notice, "send", exc)
    messages.success(request, "Sending resumed.")
    return redirect("breach-emails", notice.pk)


@login_required
@require_POST
def emails_resolve(request: HttpRequest, notice_id: int, delivery_id: int) -> HttpResponse:
    """Decide an interrupted email."""
    notice = queries.notice_for(request.user, notice_id)
    delivery = get_scoped(
        EmailDelivery.objects.filter(notice=notice).select_related("notice__breach__organisation"),
        "email",
        pk=delivery_id,
    )
    try:
        actions.resolve_uncertain(delivery, actor=request.user, resend=request.POST.get("resend") == "yes")
    except DomainError as exc:
        if not correctable(exc):
            raise
        return emails_refused(request, notice, "resolve", exc)
    return redirect("breach-emails", notice.pk)
