"""Threat intelligence, log sweeps and evidence custody."""

from django.apps import AppConfig


class ThreatsConfig(AppConfig):
    """Django app for indicators, sweeps and the chain of custody."""

    name = "incidentroom.threats"
    label = "threats"
    verbose_name = "Indicators, sweeps and evidence"
