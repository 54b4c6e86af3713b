"""Signals other apps listen to. Sent from ``transaction.on_commit`` so listeners only ever
see committed state (the status page must never propose from a rolled-back change).

Each signal carries one keyword argument, ``event``: a frozen dataclass saying what changed,
so a receiver's signature is checked instead of trusting a comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

from incidentroom.core.models import Organisation
from incidentroom.estate.models import System
from incidentroom.incidents.models import Incident


@dataclass(frozen=True)
class SystemStateChanged:
    """A system in the incident was marked compromised, shut down, restored... (``state``)."""

    incident: Incident
    system: System
    state: str
    actor: Any


@dataclass(frozen=True)
class ContainmentChanged:
    """An organisation's containment (network shut, isolated, normal) changed to ``state``."""

    incident: Incident
    organisation: Organisation
    state: str
    actor: Any


# sender=Incident, event=SystemStateChanged
system_state_changed = Signal()
# sender=Incident, event=ContainmentChanged
containment_changed = Signal()
