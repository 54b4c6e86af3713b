"""Pages for telling people, checked first: the resident wording with its preview and
approval, the sample letter, the test email and the confirmation before sending.

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

from incidentroom.breach import actions, forms, notify, queries, resident
from incidentroom.breach.models import Breach
from incidentroom.breach.reports.render_pdf import render_pdf
from incidentroom.core.errors import InvalidInput, form_error


def _wording_context(breach: Breach) -> dict[str, Any]:
    initial = {f: getattr(breach, f) for f in resident.RESIDENT_FIELDS}
    if not initial["resident_what_happened"]:
        initial["resident_what_happened"] = resident.suggested_what_happened(breach)
    return {
        "breach": breach,
        "incident": breach.incident,
        "form": forms.ResidentTextForm(initial=initial),
        "saved": bool(breach.resident_what_happened.strip()),
        "approved": resident.is_approved(breach),
        "wording": resident.wording_hash(breach),
        "preview": notify.preview(breach) if breach.resident_what_happened.strip() else None,
        "labels": resident.LABELS,
    }


@login_required
@require_GET
def wording(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Write what residents read, see the letter and email it makes, and approve it."""
    breach = queries.breach_for(request.user, breach_id)
    return render(request, "breach/telling.html", _wording_context(breach))


@login_required
@require_POST
def wording_save(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Save the wording (withdraws any earlier approval) and show its preview."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.ResidentTextForm(request.POST)
    if not form.is_valid():
        raise form_error(form, resident.LABELS)
    actions.save_wording(breach, actor=request.user, **form.cleaned_data)
    messages.success(request, "Wording saved. Read the preview below, then approve it.")
    return redirect("breach-telling", breach.pk)


@login_required
@require_POST
def wording_approve(request: HttpRequest, breach_id: int) -> HttpResponse:
    """Approve the wording the preview showed."""
    breach = queries.breach_for(request.user, breach_id)
    form = forms.ApproveForm(request.POST)
    if not form.is_valid():
        raise form_error(form, resident.LABELS)
    actions.approve_wording(breach, actor=request.user, wording=form.cleaned_data["wording"])
    messages.success(
        request, "Wording approved. You can now generate letters, prepare emails and publish the notice."
    )
    return redirect("breach-detail", breach.pk)


@login_required
@require_GET
def sample_letter(request: HttpRequest, breach_id: int) -> HttpResponse:
    """The preview letter as the print file will have it (PDF)."""
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
    to = actions.send_test_email(notice, actor=request.user)
    messages.success(request, f"Test email sent to {to}. Check it, then confirm below.")
    return redirect("breach-emails", notice.pk)


@login_required
@require_POST
def email_confirm(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Send, once the number of people has been confirmed."""
    notice = queries.notice_for(request.user, notice_id)
    form = forms.ConfirmSendForm(request.POST)
    if not form.is_valid():
        raise form_error(form, resident.LABELS)
    notice = actions.confirm_sending(notice, actor=request.user, recipients=form.cleaned_data["recipients"])
    messages.success(request, f"Sending {form.cleaned_data['recipients']} emails in the background.")
    return redirect("breach-emails", notice.pk)
