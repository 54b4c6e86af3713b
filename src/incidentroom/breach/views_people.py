"""The page of one person found by a scan, and its forms: notified, do not contact, put back
on the list, merge and split. A mistake in one of them comes back on the person's page with
an error summary, the message beside the field and what was typed kept.

Every object comes through ``breach.queries`` (404 for anyone who is not DPO or Gold of the
controller); every write goes through ``breach.actions``, which audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from incidentroom.breach import actions, forms, letters, queries
from incidentroom.breach import categories as cat
from incidentroom.breach.models import Individual
from incidentroom.core.errors import DomainError, InvalidInput, NotFound
from incidentroom.core.formpage import FieldSpec, Refusal, correctable, form_refusal, no_refusal, refusal

# Each form of the person's page: its fields as the page labels them and where the error
# summary sends the reader.
_FIELDS = {
    "notified": {"how": FieldSpec("Told by", "#how")},
    "do-not-contact": {"reason": FieldSpec("Do not contact, because", "#reason")},
    "merge": {"others": FieldSpec("Records to merge into this one", "#others")},
    "split": {
        "appearances": FieldSpec("Documents for the new record", "#id_appearances_0"),
        "full_name": FieldSpec("Name on the new record", "#split-name"),
        "categories": FieldSpec("Kinds of information", "#split-form"),
    },
    "reset": {},
}
_FORM_IDS = {
    "notified": "#notified-form",
    "do-not-contact": "#dnc-form",
    "reset": "#reset-form",
    "merge": "#merge-form",
    "split": "#split-form",
}


def _name(what: str) -> str:
    """The form's name in the template context (``errors.do_not_contact``: no hyphens)."""
    return what.replace("-", "_")


def _page(request: HttpRequest, person: Individual, refused: Refusal | None = None) -> HttpResponse:
    appearances = list(person.appearances.all())
    choices = [(str(a.pk), str(a)) for a in appearances]
    split_data = refused.data if refused is not None and refused.form == "split" else None
    return render(
        request,
        "breach/individual.html",
        {
            "person": person,
            "address": letters.display_address(person) if (person.address or person.postcode) else "",
            "phone": letters.national_phone(person.phone),
            "breach": person.breach,
            "appearances": appearances,
            "labels": [cat.label(c) for c in person.category_list()],
            "split_form": forms.SplitForm(split_data, appearance_choices=choices)
            if split_data is not None
            else forms.SplitForm(appearance_choices=choices),
            "letters": person.letters.select_related("batch"),
            "emails": person.email_deliveries.select_related("notice"),
            "merged": person.merged.all(),
            **(refused.context() if refused is not None else no_refusal()),
        },
        status=refused.status if refused is not None else 200,
    )


@login_required
@require_GET
def individual_detail(request: HttpRequest, individual_id: int) -> HttpResponse:
    """A person, the documents they appear in, and what can be done."""
    return _page(request, queries.individual_for(request.user, individual_id))


def _bad_form(request: HttpRequest, person: Individual, what: str, form: Any) -> HttpResponse:
    return _page(
        request,
        person,
        form_refusal(form, name=_name(what), fields=_FIELDS[what], default_href=_FORM_IDS[what]),
    )


@login_required
@require_POST
def individual_action(request: HttpRequest, individual_id: int, what: str) -> HttpResponse:
    """Notified, do not contact, reset, merge or split."""
    person = queries.individual_for(request.user, individual_id)
    if what not in _FIELDS:
        raise NotFound(f"There is no change called {what!r}.")
    target = person
    form: Any
    try:
        if what == "notified":
            form = forms.NotifiedForm(request.POST)
            if not form.is_valid():
                return _bad_form(request, person, what, form)
            actions.mark_notified(person, actor=request.user, how=form.cleaned_data["how"])
        elif what == "do-not-contact":
            form = forms.ReasonForm(request.POST)
            if not form.is_valid():
                return _bad_form(request, person, what, form)
            actions.set_do_not_contact(person, actor=request.user, reason=form.cleaned_data["reason"])
        elif what == "reset":
            actions.reset_contact(person, actor=request.user)
        elif what == "merge":
            form = forms.MergeForm(request.POST)
            if not form.is_valid():
                return _bad_form(request, person, what, form)
            try:
                ids = form.ids()
            except ValidationError as exc:
                raise InvalidInput(" ".join(exc.messages), field="others") from exc
            try:
                others = [queries.individual_for(request.user, pk) for pk in ids]
            except NotFound as exc:
                # Another council's record, or none: the same answer, beside the box.
                raise NotFound(
                    "Give the numbers of records in this breach that you can see.", field="others"
                ) from exc
            actions.merge_individuals(person, actor=request.user, others=others)
        else:
            form = forms.SplitForm(
                request.POST, appearance_choices=[(str(a.pk), str(a)) for a in person.appearances.all()]
            )
            if not form.is_valid():
                return _bad_form(request, person, what, form)
            target = actions.split_individual(
                person,
                actor=request.user,
                appearance_ids=[int(x) for x in form.cleaned_data["appearances"]],
                full_name=form.cleaned_data["full_name"],
                categories=form.cleaned_data["categories"] or None,
            )
    except DomainError as exc:
        if not correctable(exc):
            raise
        return _page(
            request,
            person,
            refusal(
                exc, form=_name(what), fields=_FIELDS[what], default_href=_FORM_IDS[what], data=request.POST
            ),
        )
    messages.success(request, "Record updated.")
    return redirect("breach-individual", target.pk)
