"""The incident's action functions: every write to an incident goes through one of these,
which checks the actor's role, writes the hash-chained log and audits the change.

One module a concept: ``incident`` (opening, involving councils, containment, systems,
awareness and the log itself), ``items`` (the incident's actions, i.e. its task list) and
``obligations`` (reports due to regulators and partners). Callers import from here.
"""

from incidentroom.incidents.actions.incident import (
    REFERENCE_PATTERN,
    _append_log,
    add_log_entry,
    flag_personal_data_breach,
    involve_organisation,
    lock_incident,
    next_reference,
    open_incident,
    opened_year,
    set_became_aware,
    set_containment,
    set_system_state,
    update_incident,
)
from incidentroom.incidents.actions.items import create_action, update_action
from incidentroom.incidents.actions.obligations import correct_submission, update_obligation

__all__ = [
    "REFERENCE_PATTERN",
    "_append_log",
    "add_log_entry",
    "correct_submission",
    "create_action",
    "flag_personal_data_breach",
    "involve_organisation",
    "lock_incident",
    "next_reference",
    "open_incident",
    "opened_year",
    "set_became_aware",
    "set_containment",
    "set_system_state",
    "update_action",
    "update_incident",
    "update_obligation",
]
