"""Integers at the boundary: one set of bounds for every id, count and offset a client sends.

Python integers are unbounded, database integers are not: an id of 2**63 overflows SQLite's
INTEGER and PostgreSQL's bigint, and surfaces as a 500 deep inside the ORM. Every route
(API schemas and parameters, form fields, CLI options) checks integers here first, so a
hostile number is a 422 that names the field.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from incidentroom.core.errors import InvalidInput

# Primary keys are BigAutoField (settings.DEFAULT_AUTO_FIELD): signed 64-bit on both databases.
ID_MAX = 2**63 - 1
# Offsets, limits and other counts: a signed 32-bit column (PositiveIntegerField) holds these,
# and no list the product shows comes near it.
COUNT_MAX = 2**31 - 1

# The schema types every API operation uses for integers a client sends.
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Offset = Annotated[int, Field(ge=0, le=COUNT_MAX)]


def parse_int(raw: Any, field: str, *, low: int = 0, high: int = COUNT_MAX) -> int:
    """``raw`` (a form value, a CLI argument) as an integer within [low, high], else a 422 naming ``field``."""
    if isinstance(raw, bool):
        raise InvalidInput(f"{field} must be a whole number.", field=field)
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        # int() accepts '1_000' and thousands of digits; neither is a sane id from a form.
        if not text or len(text) > 20 or not text.lstrip("-").isdigit() or not text.isascii():
            raise InvalidInput(f"{field} must be a whole number.", field=field)
        value = int(text)
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be between {low} and {high}.", field=field)
    return value


def parse_id(raw: Any, field: str) -> int:
    """An object id sent by a client (1 to ID_MAX), else a 422 naming ``field``."""
    return parse_int(raw, field, low=1, high=ID_MAX)


def valid_id(raw: Any) -> bool:
    """Whether ``raw`` could be an id at all (scoped lookups answer 404 for anything else)."""
    try:
        parse_id(raw, "id")
    except InvalidInput:
        return False
    return True
