"""Run in a subprocess by test_breach_restart.py against its own database.

``setup``: a council, its DPO, an incident, a breach with four people imported, and an
email notice being sent (the send task is queued for the worker). ``resume``: start a
new sending run, as the Resume button does after a worker restart.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentroom.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from incidentroom.breach import actions  # noqa: E402
from incidentroom.breach.models import EmailNotice  # noqa: E402
from incidentroom.core.models import Membership, Organisation  # noqa: E402
from incidentroom.incidents.actions import open_incident  # noqa: E402
from tests.helpers.breachhelp import approve_wording, write_outputs  # noqa: E402


def setup() -> None:
    """Everything up to 'Send emails'."""
    org = Organisation.objects.create(
        name="Royal Borough of Kensington and Chelsea",
        code="RBKC",
        dpo_name="Priya Raman",
        dpo_email="dpo@rbkc.example.gov.uk",
    )
    dpo = get_user_model().objects.create_user("rbkc.dpo")
    Membership.objects.create(user=dpo, organisation=org, role="dpo")
    incident = open_incident(actor=dpo, title="Archive copied", origin=org, detected_at=timezone.now())
    breach = actions.record_breach(
        incident, actor=dpo, organisation=org, description="Archive copied.", became_aware_at=timezone.now()
    )
    evidence = Path(os.environ["BREACH_SCAN_ROOTS"]) / "rbkc" / "archive"
    evidence.mkdir(parents=True, exist_ok=True)
    job = actions.start_scan(breach, actor=dpo, sources=[actions.ScanSource(str(evidence))])
    actions.scan_started(job.pk, job.run_token)
    job.refresh_from_db()
    actions.complete_scan(job, write_outputs(Path(job.out_dir), _people(), [str(evidence)]))
    breach = approve_wording(breach, dpo)
    notice = actions.create_email_notice(breach, actor=dpo, risks=["high", "low"])
    actions.start_sending(notice, actor=dpo)


def _people() -> list[dict[str, str]]:
    from tests.helpers.breachhelp import PEOPLE

    return PEOPLE


def resume() -> None:
    """The DPO presses Resume after the worker came back."""
    notice = EmailNotice.objects.get()
    actions.start_sending(notice, actor=get_user_model().objects.get(username="rbkc.dpo"))


if __name__ == "__main__":
    {"setup": setup, "resume": resume}[sys.argv[1]]()
