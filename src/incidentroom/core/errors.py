"""Domain exceptions with stable codes.

Action functions raise these; the API and the page middleware map them to HTTP in one
place each, so a bad input is always a clear message naming what was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base class: ``code`` is stable (clients may match on it), ``message`` is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        """The JSON body the API returns."""
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    """The object does not exist *or the user may not see it* (never reveal which)."""

    code = "not_found"
    status = 404


class Forbidden(DomainError):
    """The user can see the object but their role may not do this to it."""

    code = "forbidden"
    status = 403


class InvalidInput(DomainError):
    """The input is well-formed but breaks a rule (a date in the future, an unknown code...)."""

    code = "invalid"
    status = 422


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, an already-submitted report)."""

    code = "conflict"
    status = 409


def labelled(message: str, label: str, field: str | None = None, *, prefix: bool = True) -> str:
    """``message`` as a page shows it for the field it calls ``label``.

    GOV.UK messages name the field once, in words: "In force until must be a real date", not
    "In force until: expires_at must be ...". So a message that starts with the field's code
    name (``expires_at`` or ``expires at``, as the shared time rules write it) gets the label
    in its place, one that already starts with the label is kept, and any other is put after
    "label: " (``prefix``, for an error summary that must say which field) or kept as is."""
    lowered = message.lower()
    # Longest first: "Due" must not match the start of "due at must be ...".
    for name in sorted({label, field or "", (field or "").replace("_", " ")}, key=len, reverse=True):
        if name and lowered.startswith(name.lower() + " "):
            return label + message[len(name) :]
    return f"{label}: {message}" if prefix else message


def form_error(form: Any, labels: Mapping[str, str] | None = None) -> InvalidInput:
    """The first error of an invalid Django form, as :class:`InvalidInput` naming its field.

    Page views raise this so a bad form answers like a bad API call: one message, one field
    (``__all__``, a form-wide error, is called "Form"). A field is named by ``labels``, else
    by its form label, else by its name in words."""
    field, errs = next(iter(form.errors.items()))
    own = form.fields[field].label if field in form.fields else None
    if labels and field in labels:
        label = labels[field]
    elif own:
        label = str(own)  # the words the page shows, not the field's code name
    else:
        label = field.replace("_", " ").capitalize() if field != "__all__" else "Form"
    return InvalidInput(labelled(" ".join(errs), label, field), field=field)
