"""Advisory fixtures: background tasks run at once."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django.fixtures import Settings

from tests.helpers.live import SmtpSink


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Settings) -> None:
    """Emails are sent by tasks; run them in the test instead of a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def mail(settings: Settings, smtp_server: SmtpSink) -> Any:
    """Point Django's SMTP backend at the real local SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    return smtp_server
