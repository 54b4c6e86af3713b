"""The audit trail: every action function records one entry, whatever route called it.

The route (web, api, cli, system) travels in a context variable set once at each entry
point, so action functions need not be told how they were called.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.db import models

from incidentroom.core.models import AuditEntry, Organisation

_channel: ContextVar[str] = ContextVar("audit_channel", default="system")


@contextlib.contextmanager
def channel(name: str) -> Iterator[None]:
    """Mark every audit entry written inside the block as coming from ``name``."""
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel() -> str:
    """The route the current write came through."""
    return _channel.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids) in JSON-safe form."""
    names = list(fields) if fields is not None else [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisations: Iterable[Organisation] = (),
) -> AuditEntry:
    """Write one audit entry; call inside the action's transaction so both land or neither."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_label=str(getattr(actor, "username", None) or actor or "system"),
        channel=current_channel(),
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    orgs = list(organisations)
    if orgs:
        entry.organisations.set(orgs)
    return entry
