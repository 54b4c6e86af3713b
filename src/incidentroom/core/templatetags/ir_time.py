"""``{{ value|uk_time }}`` / ``{{ value|uk_time:"short" }}``: templates write times through
:func:`incidentroom.core.times.uk_time`, like every other output."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import template

from incidentroom.core import times

register = template.Library()


@register.filter
def uk_time(value: dt.datetime | None, style: str = "long") -> str:
    """UK local time with its zone (GMT/BST); empty for no value so ``|default`` still works."""
    if not isinstance(value, dt.datetime):
        return ""
    return times.uk_time(value, cast(times.Style, style))


@register.simple_tag
def countdown(until: dt.datetime, now: dt.datetime) -> str:
    """``{% countdown o.deadline_at now %}``: the first text of a ticking clock."""
    return times.countdown(until, now)
