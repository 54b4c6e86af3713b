"""Fetch one object through a scoped queryset; absent and forbidden look the same (404)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from incidentroom.core.errors import NotFound

M = TypeVar("M", bound=models.Model)


def get_scoped(queryset: models.QuerySet[M], what: str, **lookup: Any) -> M:
    """The one object matching ``lookup`` within ``queryset`` (already ``for_user``-scoped)."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound(f"No {what} found that you can see.")
    return obj
