"""Reads that combine an incident with the estate."""

from __future__ import annotations

from incidentroom.estate.queries import AffectedService, affected_services
from incidentroom.incidents.actions import down_system_ids
from incidentroom.incidents.models import Incident


def affected_service_rows(incident: Incident) -> list[AffectedService]:
    """Services lost in every organisation involved in the incident, each with its reason."""
    org_ids = list(incident.involvements.values_list("organisation_id", flat=True))
    return affected_services(down_system_ids(incident), organisation_ids=org_ids)
