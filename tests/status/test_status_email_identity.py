"""One mailbox, one subscription, one email per update (issue 18.7), and the update email
states its time in UK time with its zone (issue 18.1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from incidentroom.core import times
from incidentroom.core.models import Organisation
from incidentroom.status import actions
from incidentroom.status.models import StatusPage, Subscriber

SPELLINGS = ["anna@bücher.example", "anna@xn--bcher-kva.example", "Anna@BÜCHER.example"]


@pytest.fixture
def rbkc_page(rbkc_comms: User) -> StatusPage:
    """RBKC's public page, switched on."""
    return actions.configure_page(
        Organisation.objects.get(code="RBKC"), actor=rbkc_comms, headline="", help_text="Call 020 7946 0123."
    )


def _body(message: Any) -> str:
    return str(message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8"))


def test_one_mailbox_written_three_ways_is_one_subscription_and_gets_each_update_once(
    mail: Any,
    rbkc_page: StatusPage,
    rbkc_comms: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    settings: Settings,
) -> None:
    # Every spelling counts against the one mailbox's rate limit; allow this test's four.
    settings.STATUS_SUBSCRIBE_PER_ADDRESS = 4
    for i, spelling in enumerate(SPELLINGS):
        with django_capture_on_commit_callbacks(execute=True):
            r = Client(REMOTE_ADDR=f"203.0.113.{i + 1}").post(
                "/status/subscribe/", {"email": spelling, "scope": "RBKC"}
            )
        assert r.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "anna@xn--bcher-kva.example"
    actions.confirm_subscription(actions.confirm_token(subscriber))
    # The same mailbox also follows every council: still one email per update.
    other = actions.subscribe(email="ANNA@bücher.example", scope="all", ip="203.0.113.9")
    actions.confirm_subscription(actions.confirm_token(other))
    mail.messages.clear()
    mail.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update = actions.post_update(
            Organisation.objects.get(code="RBKC"), actor=rbkc_comms, text="Phone lines are down."
        )
    assert [to for _, tos in mail.envelopes for to in tos] == ["anna@xn--bcher-kva.example"]
    body = _body(mail.messages[0])
    assert times.uk_time(update.published_at) in body
    assert re.search(r"\d\d:\d\d (GMT|BST)", body)


def test_the_migration_folds_stored_spellings_into_one_row_and_old_links_still_unsubscribe(
    rbkc_page: StatusPage,
) -> None:
    from importlib import import_module

    migration = import_module("incidentroom.status.migrations.0002_canonical_subscriber_emails")
    now = timezone.now()
    # Rows as the old code stored them (domain only lower-cased, no IDNA).
    pending = Subscriber.objects.create(email="anna@bücher.example", scope="RBKC")
    live = Subscriber.objects.create(email="anna@xn--bcher-kva.example", scope="RBKC", confirmed_at=now)
    other = Subscriber.objects.create(email="Bob@Bücher.example", scope="all", confirmed_at=now)
    old_link = actions.unsubscribe_token(pending)
    migration.forwards(apps, None)
    rows = list(Subscriber.objects.order_by("scope").values_list("pk", "email", "scope"))
    assert rows == [
        (live.pk, "anna@xn--bcher-kva.example", "RBKC"),
        (other.pk, "bob@xn--bcher-kva.example", "all"),
    ]
    # The link in an email sent to the folded row still stops the mail.
    assert (
        Client().post(f"/status/unsubscribe/{old_link}/", {"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    assert Subscriber.objects.get(pk=live.pk).unsubscribed_at is not None
