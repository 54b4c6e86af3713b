"""Fetch one object through a scoped queryset; absent and forbidden look the same (404)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from incidentroom.core.bounds import valid_id
from incidentroom.core.errors import NotFound

M = TypeVar("M", bound=models.Model)


def get_scoped(queryset: models.QuerySet[M], what: str, **lookup: Any) -> M:
    """The one object matching ``lookup`` within ``queryset`` (already ``for_user``-scoped)."""
    for key, value in lookup.items():
        # An id no row can have ('abc', 2**64) is simply not found: passing it to the ORM
        # would overflow the database integer and answer 500 instead.
        if (key in {"pk", "id"} or key.endswith("_id")) and not valid_id(value):
            raise NotFound(f"No {what} found that you can see.")
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound(f"No {what} found that you can see.")
    return obj
