"""Small typed helpers for reading rows in tests."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def first(rows: QuerySet[M]) -> M:
    """The first row of ``rows``; fails the test with the query if there is none (rather
    than an AttributeError on ``None`` further on)."""
    row = rows.first()
    assert row is not None, f"no row in {rows.query}"
    return row
