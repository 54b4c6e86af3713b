"""The last line for text: nothing with a control character is stored, whatever route wrote it.

Requests are cleaned at the door (core.middleware), but the CLI, scenario files and tasks
reach the action functions directly. Every save of the product's own models (and of user
accounts) is checked here: a one-line field (CharField: titles, subjects, names) refuses
line breaks and control characters; a multi-line field (TextField) refuses control
characters other than tab, CR and LF. The error names the field and maps to a 422.
Nothing is rewritten here: a log entry's hash is computed before it is saved.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from incidentroom.core.text import ControlCharacterError, check_text, find_control

# Fields whose value a person never types and the product composes itself.
_EXEMPT = {("core", "auditentry"), ("sessions", "session")}


def _applies(model: type[models.Model]) -> bool:
    meta = model._meta
    if (meta.app_label, meta.model_name) in _EXEMPT:
        return False
    return model.__module__.startswith("incidentroom.") or meta.label == "auth.User"


def refuse_control_characters(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """pre_save: refuse control characters in any text field; line breaks in one-line fields."""
    if not _applies(sender):
        return
    update_fields = kwargs.get("update_fields")
    for field in sender._meta.concrete_fields:
        if update_fields is not None and field.name not in update_fields:
            continue
        value = getattr(instance, field.attname, None)
        if not isinstance(value, str) or not value:
            continue
        if isinstance(field, models.TextField):
            check_text(value, field.name)
        elif isinstance(field, models.CharField):
            if "\r" in value or "\n" in value:
                raise ControlCharacterError(f"{field.name} must be on one line.", field=field.name)
            bad = find_control(value)
            if bad:
                raise ControlCharacterError(
                    f"{field.name} contains the control character U+{ord(bad):04X}; remove it.",
                    field=field.name,
                )
