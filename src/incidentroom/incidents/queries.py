"""Reads about one incident: which incident a user means, who and what is in it, what is down.

Pages, the API and other apps (threats, breach, status) ask these questions here, so each
rule is written once. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.estate.models import System, SystemQuerySet
from incidentroom.estate.queries import AffectedService, affected_services
from incidentroom.incidents.models import DOWN_STATES, Incident


def incident_for(user: Any, reference: str) -> Incident:
    """The incident with ``reference`` if the user can see it (404 otherwise, never saying which)."""
    return get_scoped(
        Incident.objects.for_user(user).select_related("origin"), "incident", reference=reference
    )


def involved_organisation(incident: Incident, code: str, field: str = "organisation") -> Organisation:
    """The organisation with ``code`` (any case) if it is involved in ``incident``, else InvalidInput."""
    org = incident.organisations.filter(code=code.upper()).first()
    if org is None:
        raise InvalidInput(f"{code} is not involved in {incident.reference}.", field=field)
    return org


def check_involved(incident: Incident, organisation: Organisation) -> Organisation:
    """``organisation`` if it is involved in ``incident``, else InvalidInput."""
    if not incident.involvements.filter(organisation=organisation).exists():
        raise InvalidInput(
            f"{organisation.code} is not involved in {incident.reference}.", field="organisation"
        )
    return organisation


def systems_in(incident: Incident) -> SystemQuerySet:
    """The incident's estate: systems owned by, or serving, an organisation involved in it."""
    return System.objects.for_organisations(incident.organisations.all())


def systems_by_code(incident: Incident, codes: Iterable[str], field: str = "systems") -> list[System]:
    """The systems named by ``codes`` (in that order, each once), all in the incident's estate."""
    wanted = list(dict.fromkeys(codes))
    found = {s.code: s for s in systems_in(incident).filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidInput(f"No system in this incident's estate: {', '.join(missing)}.", field=field)
    return [found[c] for c in wanted]


def down_system_ids(incident: Incident) -> list[int]:
    """Systems currently lost in this incident."""
    return list(incident.affected_systems.filter(state__in=DOWN_STATES).values_list("system_id", flat=True))


def affected_service_rows(incident: Incident) -> list[AffectedService]:
    """Services lost in every organisation involved in the incident, each with its reason."""
    org_ids = list(incident.involvements.values_list("organisation_id", flat=True))
    return affected_services(down_system_ids(incident), organisation_ids=org_ids)
