"""A refused hand-written form shown again on its own page (the GOV.UK error pattern).

A page with several forms (the threats page: import, add an indicator, sweeps, host names)
answers a mistake in one of them with the same page: the status of the refusal, an error
summary whose link moves focus to the field, the message beside the field, and what was
typed back in that form's boxes. Templates read ``failed_form`` (which form was refused),
``errors.<form>.<field>`` (the message beside the field), ``posted.<form>`` (what was typed
in the refused form only: two forms on one page may both have an ``organisation``) and
``error_summary`` (``_error_summary.html``). Refusals that name no field (a role that may
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
    field: str
    message: str
    href: str
    status: int
    data: Any

    def context(self) -> dict[str, Any]:
        """What the page template reads (see the module docstring)."""
        return {
            "failed_form": self.form,
            "errors": {self.form: {self.field: self.message}},
            "posted": {self.form: self.data},
            "error_summary": [{"href": self.href, "text": self.message}],
        }


def correctable(exc: DomainError) -> bool:
    """Whether the refusal names a field the person can change and send again."""
    return bool(exc.field)


def refusal(
    exc: DomainError, *, form: str, fields: Mapping[str, FieldSpec], default_href: str, data: Any
) -> Refusal:
    """``exc`` as the page shows it: the message names the field by its label (never by its
    code name, such as ``source_kind``), and the summary links to the field, or to the form
    when the field is not one of the form's own."""
    field = exc.field or ""
    spec = fields.get(field)
    message = labelled(exc.message, spec.label, field, prefix=False) if spec else exc.message
    return Refusal(
        form=form,
        field=field,
        message=message,
        href=spec.href if spec else default_href,
        status=exc.status,
        data=data,
    )


def no_refusal() -> dict[str, Any]:
    """The context of a page shown without a refusal (the keys templates read, all empty)."""
    return {"failed_form": "", "errors": {}, "posted": {}, "error_summary": []}
