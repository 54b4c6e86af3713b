"""Breach assessment, reports and telling residents (UK GDPR Art 33 and 34)."""

from django.apps import AppConfig


class BreachConfig(AppConfig):
    """Django app for the personal-data side of an incident."""

    name = "incidentroom.breach"
    label = "breach"
    verbose_name = "Personal data breaches"
