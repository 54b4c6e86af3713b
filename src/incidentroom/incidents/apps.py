"""Incidents across organisations: containment, affected systems, log, actions, clocks."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """Django app for running one incident across several organisations."""

    name = "incidentroom.incidents"
    label = "incidents"
    verbose_name = "Incidents"
