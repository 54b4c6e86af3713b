"""Form helpers for the GOV.UK patterns: ``{% datetime_field form.x "Legend" %}`` renders the
date input pattern (Day, Month, Year, then Hour and Minute) for a Django form field, and
``{% datetime_input "name" "Legend" value=... %}`` the same boxes for a hand-written form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from incidentroom.core import times
from incidentroom.core.errors import labelled

register = template.Library()

TEMPLATE = "core/widgets/datetime_parts.html"


def _posted_parts(data: Any, name: str) -> dict[str, str]:
    """What the person typed, so a page shown again with an error keeps it."""
    if data.get(name):
        return times.form_parts(str(data.get(name)))
    return {p: str(data.get(f"{name}-{p}", "")) for p in times.DATE_PARTS}


def _context(
    *, name: str, id_: str, legend: str, hint: str, parts: dict[str, str], errors: list[str], required: bool
) -> dict[str, Any]:
    # The message beside the boxes names the field once, in words ("In force until must be a
    # real date"): one that starts with the field's code name (``expires_at must ...``) gets
    # the legend instead. One already in words is kept: a legend may be a question.
    errors = [labelled(e, legend, name, prefix=False) if e.startswith(f"{name} ") else e for e in errors]
    return {
        "name": name,
        "id": id_,
        "legend": legend,
        "hint": hint,
        "parts": parts,
        "errors": errors,
        "optional": not required,
    }


@register.inclusion_tag(TEMPLATE)
def datetime_field(field: Any, legend: str, hint: str = "") -> dict[str, Any]:
    """A bound Django form field in the date input pattern, with its errors."""
    form = field.form
    if form.is_bound:
        parts = _posted_parts(form.data, field.html_name)
    else:
        value = field.value()
        parts = times.form_parts(value if isinstance(value, dt.datetime | str) else None)
    return _context(
        name=field.html_name,
        id_=field.auto_id or field.html_name,
        legend=legend,
        hint=hint,
        parts=parts,
        errors=list(field.errors),
        required=field.field.required,
    )


@register.inclusion_tag(TEMPLATE)
def datetime_input(
    name: str,
    legend: str,
    value: dt.datetime | str | None = None,
    hint: str = "",
    id: str = "",  # noqa: A002 - the HTML attribute's name
    error: str = "",
    data: Any = None,
    required: bool = True,
) -> dict[str, Any]:
    """The date input pattern for a hand-written form; ``data`` (request.POST) keeps what was typed."""
    parts = _posted_parts(data, name) if data else times.form_parts(value)
    return _context(
        name=name,
        id_=id or name,
        legend=legend,
        hint=hint,
        parts=parts,
        errors=[error] if error else [],
        required=required,
    )
