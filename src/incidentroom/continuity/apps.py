"""Business continuity app."""

from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    """Django app for the continuity board and the printable grab bag."""

    name = "incidentroom.continuity"
    label = "continuity"
    verbose_name = "Business continuity"
