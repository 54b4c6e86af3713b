"""Staff advisories app."""

from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    """Django app for advisories to staff, shown at sign-in until acknowledged."""

    name = "incidentroom.advisories"
    label = "advisories"
    verbose_name = "Staff advisories"
