"""What the breach actions share: the 'not in the future' check, the incident log line,
the choice of risk levels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from incidentroom.breach.models import Risk
from incidentroom.core import times
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import EntryKind, Incident

FUTURE_SKEW = dt.timedelta(minutes=5)


def aware_past(value: dt.datetime | None, field: str) -> dt.datetime | None:
    """``value`` checked as an aware time not in the future (a little clock skew allowed)."""
    if value is None:
        return None
    value = times.check_datetime(value, field)
    if value > timezone.now() + FUTURE_SKEW:
        raise InvalidInput(f"{field} cannot be in the future.", field=field)
    return value


def log(
    incident: Incident, actor: Any, text: str, organisation: Organisation, kind: str = EntryKind.NOTE
) -> None:
    # The incident log is read by everyone in the incident: only counts and facts, never people.
    incident_actions.add_log_entry(incident, actor=actor, kind=kind, text=text, organisations=[organisation])


def chosen_risks(risks: Sequence[str] | None) -> list[str]:
    """The risk levels asked for (default: the configured ones), each once."""
    chosen = list(dict.fromkeys(risks if risks is not None else settings.BREACH_NOTIFY_RISKS))
    bad = [r for r in chosen if r not in Risk.values]
    if bad or not chosen:
        raise InvalidInput(f"risks must be some of {', '.join(Risk.values)}.", field="risks")
    return chosen
