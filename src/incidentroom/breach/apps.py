"""Breach assessment, reports and telling residents (UK GDPR Art 33 and 34)."""

from django.apps import AppConfig


class BreachConfig(AppConfig):
    """Django app for the personal-data side of an incident."""

    name = "incidentroom.breach"
    label = "breach"
    verbose_name = "Personal data breaches"

    def ready(self) -> None:
        """The audit trail about breach objects is scoped like the breach itself; queued
        work reaches the tasks (see ``breach.enqueue``)."""
        from incidentroom.breach import tasks
        from incidentroom.core.models import BREACH_ROLES, restrict_audit

        restrict_audit(f"{self.label}.", BREACH_ROLES)
        tasks.connect()
