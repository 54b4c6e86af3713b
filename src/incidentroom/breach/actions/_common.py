"""What the breach actions share: the incident log line and the choice of risk levels.
(The 'not in the future' check is ``core.times.not_future``.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from incidentroom.breach.models import Risk
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import EntryKind, Incident


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
