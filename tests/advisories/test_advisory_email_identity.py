"""Staff lists: accounts store one canonical address, and an advisory reaches each mailbox
once (issue 18.7); its "In force until" is UK time with its zone (issue 18.1)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from incidentroom.advisories import actions
from incidentroom.core import actions as core_actions
from incidentroom.core import times
from incidentroom.core.models import Organisation


def test_two_accounts_with_one_mailbox_get_one_advisory_email_in_uk_time(
    mail: Any, lbhf_comms: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    lbhf = Organisation.objects.get(code="LBHF")
    first = core_actions.create_user(
        actor=None, username="anna.one", password=None, email="Anna@Bücher.example"
    )
    second = core_actions.create_user(
        actor=None, username="anna.two", password=None, email="anna@xn--bcher-kva.example"
    )
    assert first.email == second.email == "anna@xn--bcher-kva.example"  # type: ignore[attr-defined]
    for user in (first, second):
        core_actions.set_membership(actor=None, user=user, organisation=lbhf, role="viewer")
    expires = timezone.now() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_advisory(
            actor=lbhf_comms,
            title="Do not click links",
            body="Until further notice.",
            severity="critical",
            expires_at=expires,
            organisations=[lbhf],
        )
    received = [to for _, tos in mail.envelopes for to in tos]
    assert received.count("anna@xn--bcher-kva.example") == 1
    assert len(received) == len(set(received))  # nobody twice
    staff = set(
        get_user_model().objects.filter(memberships__organisation=lbhf).values_list("email", flat=True)
    )
    assert set(received) <= staff
    body = mail.messages[0].get_payload(decode=True).decode()
    assert f"In force until {times.uk_time(expires)}." in body
    assert re.search(r"In force until .* (GMT|BST)\.", body)
