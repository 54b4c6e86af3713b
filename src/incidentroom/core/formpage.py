"""A refused hand-written form shown again on its own page (the GOV.UK error pattern).

A page with several forms (the threats page: import, add an indicator, sweeps, host names)
answers a mistake in one of them with the same page: the status of the refusal, an error
summary whose link moves focus to the field, the message beside the field, and what was
typed back in that form's boxes. Templates read ``failed_form`` (which form was refused),
``errors.<form>.<field>`` (the message beside the field), ``posted.<form>`` (what was typed
in the refused form only: two forms on one page may both have an ``organisation``) and
``error_summary`` (``_error_summary.html``). A form-wide error (a Django form's
``__all__``, which templates cannot read, or a refusal naming no field of the form) is
``errors.<form>.form``. Refusals that name no field (a role that may
not do this, an object that is not there) have nothing to correct: views let those through
to the error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from incidentroom.core.errors import DomainError, labelled


@dataclass(frozen=True)
class FieldSpec:
    """How a page shows one field of a form: its label in words and the element the error
    summary links to (a date input links to its Day box)."""

    label: str
    href: str


@dataclass(frozen=True)
class Refusal:
    """One refused form, ready for the page's template context."""

    form: str
    errors: dict[str, str]
    summary: list[dict[str, str]]
    status: int
    data: Any

    def context(self) -> dict[str, Any]:
        """What the page template reads (see the module docstring)."""
        return {
            "failed_form": self.form,
            "errors": {self.form: self.errors},
            "posted": {self.form: self.data},
            "error_summary": self.summary,
        }


def correctable(exc: DomainError) -> bool:
    """Whether the person can do something about the refusal on the page: one that names a
    field, or bad input or a clash (422, 409) with the form as a whole. A role that may not
    (403) or an object that is not there (404), naming no field, has nothing to correct."""
    return bool(exc.field) or exc.status in (409, 422)


def _message(exc: DomainError, spec: FieldSpec | None) -> str:
    field = exc.field or ""
    return labelled(exc.message, spec.label, field, prefix=False) if spec else exc.message


def refusal(
    exc: DomainError, *, form: str, fields: Mapping[str, FieldSpec], default_href: str, data: Any
) -> Refusal:
    """``exc`` as the page shows it: the message names the field by its label (never by its
    code name, such as ``source_kind``), and the summary links to the field, or to the form
    when the field is not one of the form's own."""
    field = exc.field or ""
    spec = fields.get(field)
    message = _message(exc, spec)
    return Refusal(
        form=form,
        errors={field if spec else "form": message},
        summary=[{"href": spec.href if spec else default_href, "text": message}],
        status=exc.status,
        data=data,
    )


def form_refusal(
    form: Any,
    *,
    name: str,
    fields: Mapping[str, FieldSpec],
    default_href: str,
    exc: DomainError | None = None,
) -> Refusal:
    """A Django form's own errors (or, once it is valid, the action's refusal ``exc``) as the
    page shows them, as the breach record form does: beside each field its message; in the
    summary the same, after the field's label when the message does not name it ("Reason:
    This field is required."). A form-wide error sits with ``default_href``'s form."""
    if exc is not None:
        return refusal(exc, form=name, fields=fields, default_href=default_href, data=form.data)
    errors: dict[str, str] = {}
    summary: list[dict[str, str]] = []
    for field, errs in form.errors.items():
        spec = fields.get(field)
        texts = [str(e) for e in errs]
        errors["form" if field == "__all__" else field] = " ".join(texts)
        for text in texts:
            summary.append(
                {
                    "href": spec.href if spec else default_href,
                    "text": labelled(text, spec.label, field) if spec else text,
                }
            )
    return Refusal(form=name, errors=errors, summary=summary, status=422, data=form.data)


def no_refusal() -> dict[str, Any]:
    """The context of a page shown without a refusal (the keys templates read, all empty)."""
    return {"failed_form": "", "errors": {}, "posted": {}, "error_summary": []}
