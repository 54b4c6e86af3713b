"""Scenario loading: management commands only, no models."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Holds ``load-scenario``, which writes into every app and so belongs to none of them."""

    name = "incidentroom.demo"
    label = "demo"
    verbose_name = "Scenario loading"
