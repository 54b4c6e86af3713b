"""Scoped reads: the queryset base every model's ``for_user`` builds on, and fetching one
object through a scoped queryset, where absent and forbidden look the same (404)."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models

from incidentroom.core.bounds import valid_id
from incidentroom.core.errors import NotFound

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset whose rows a user may see are given by :meth:`for_user`.

    A model scoped by its own organisation writes ``for_user``; a model that belongs to a
    parent (a log entry to its incident, a scan to its breach) is visible exactly when its
    parent is, which it says with :meth:`via_parent` instead of repeating the parent's rule.
    """

    def for_user(self, user: Any) -> Self:
        """The rows ``user`` may see (each model states its own rule)."""
        raise NotImplementedError(f"{type(self).__name__} must define for_user")

    def via_parent(self, field: str, user: Any) -> Self:
        """Rows whose ``field`` (a foreign key) points at a parent ``user`` may see.

        The parent's queryset must itself be a :class:`ScopedQuerySet`; its ``for_user`` is
        the one rule, so a change there reaches every child.
        """
        parent = self.model._meta.get_field(field).related_model
        if not isinstance(parent, type) or not issubclass(parent, models.Model):
            raise TypeError(f"{self.model.__name__}.{field} is not a foreign key")
        visible = parent._default_manager.all()
        if not isinstance(visible, ScopedQuerySet):
            raise TypeError(f"{parent.__name__} has no scoped queryset to follow")
        return self.filter(**{f"{field}__in": visible.for_user(user)})


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
