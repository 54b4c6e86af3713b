"""Status page fixtures: a private publish folder, tasks run at once, and helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from incidentroom.estate.models import Service, System
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import Incident, SystemState
from incidentroom.status import actions as status_actions
from incidentroom.status.models import ServiceStatus, StatusPage, StatusProposal, StatusUpdate
from tests.helpers.live import SmtpSink


@pytest.fixture(autouse=True)
def published(settings: Settings, tmp_path: Path) -> Path:
    """Every test publishes into its own folder and runs background tasks immediately."""
    settings.STATUS_PUBLISH_DIR = tmp_path / "public-status"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return Path(settings.STATUS_PUBLISH_DIR)


@pytest.fixture
def mail(settings: Settings, smtp_server: SmtpSink) -> Any:
    """Point Django's SMTP backend at the real local SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    return smtp_server


@pytest.fixture
def telephony_off(
    before_comms: None,
    incident: Incident,
    shared_responder: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Callable[[], None]:
    """Switch the shared telephony platform off afresh (restore first), signals delivered."""

    def run() -> None:
        telephony = System.objects.get(code="shared-telephony")
        for state in (SystemState.RESTORED, SystemState.SWITCHED_OFF):
            with django_capture_on_commit_callbacks(execute=True):
                incident_actions.set_system_state(
                    incident, actor=shared_responder, system=telephony, state=state
                )

    return run


@pytest.fixture
def before_comms(incident: Incident) -> None:
    """The Monday before any comms officer acted.

    The demo loads the statements the councils had confirmed by the afternoon; these tests
    start from the moment before that: those statements removed, and the proposals the
    incident's outages raise made afresh through the same actions the app uses.
    """
    StatusUpdate.objects.all().delete()
    ServiceStatus.objects.all().delete()
    StatusPage.objects.all().delete()
    StatusProposal.objects.all().delete()
    for affected in incident.affected_systems.select_related("system"):
        status_actions.propose_for_system_change(
            incident=incident, system=affected.system, state=affected.state, actor=None
        )
    for involvement in incident.involvements.select_related("organisation"):
        status_actions.propose_for_containment(
            incident=incident,
            organisation=involvement.organisation,
            state=involvement.containment,
            actor=None,
        )


@pytest.fixture
def phone_proposal(before_comms: None) -> Callable[[str], StatusProposal]:
    """``phone_proposal(code)``: the pending proposal for a council's contact-centre phone lines."""

    def find(code: str) -> StatusProposal:
        service = Service.objects.get(organisation__code=code, code="contact-centre")
        return StatusProposal.objects.pending().get(service=service)

    return find
