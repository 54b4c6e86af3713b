"""Signals other apps listen to. Sent from ``transaction.on_commit`` so listeners only ever
see committed state (the status page must never propose from a rolled-back change)."""

from django.dispatch import Signal

# sender=Incident, kwargs: incident, system, state, actor
system_state_changed = Signal()
# sender=Incident, kwargs: incident, organisation, actor
breach_flagged = Signal()
# sender=Incident, kwargs: incident, organisation, state, actor
containment_changed = Signal()
