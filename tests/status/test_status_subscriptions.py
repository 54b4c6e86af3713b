"""Residents' email updates: double opt-in, one-click unsubscribe, rate limits, real SMTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from incidentroom.core.models import Organisation
from incidentroom.status import actions
from incidentroom.status.models import StatusPage, Subscriber


@pytest.fixture
def rbkc_page(rbkc_comms: User) -> StatusPage:
    """RBKC's public page, switched on."""
    return actions.configure_page(
        Organisation.objects.get(code="RBKC"),
        actor=rbkc_comms,
        headline="",
        help_text="In an emergency call 020 7946 0123.",
    )


def _link(message: Any, pattern: str) -> str:
    body = message.get_payload(decode=True).decode()
    found = re.search(r"http://[^\s]+" + pattern + r"[^\s]+/", body)
    assert found, body
    return found.group(0).removeprefix("http://127.0.0.1:8000")


def test_double_opt_in_then_updates_then_one_click_unsubscribe(
    mail: Any,
    rbkc_page: StatusPage,
    rbkc_comms: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    public = Client(REMOTE_ADDR="203.0.113.7")
    with django_capture_on_commit_callbacks(execute=True):
        response = public.post("/status/subscribe/", {"email": "Resident@Example.ORG", "scope": "RBKC"})
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert len(mail.messages) == 1 and mail.envelopes[0][1] == ["resident@example.org"]
    confirm = _link(mail.messages[0], "/status/subscribe/confirm/")
    # Before confirming, updates are not sent.
    rbkc = Organisation.objects.get(code="RBKC")
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_update(rbkc, actor=rbkc_comms, text="Phone lines are down.")
    assert len(mail.messages) == 1
    # Opening the link (as a mail scanner would) does not confirm; pressing the button does.
    assert "Confirm subscription" in public.get(confirm).content.decode()
    assert Subscriber.objects.get().confirmed_at is None
    assert "Subscription confirmed" in Client(enforce_csrf_checks=True).post(confirm).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_update(rbkc, actor=rbkc_comms, text="Customer Service Centre open 10am to 4pm.")
    assert len(mail.messages) == 2
    update = mail.messages[1]
    assert "Customer Service Centre open 10am to 4pm." in update.get_payload(decode=True).decode()
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = re.search(r"<([^>]+)>", re.sub(r"\s+", "", str(update["List-Unsubscribe"])))
    assert header is not None
    unsubscribe = header.group(1).removeprefix("http://127.0.0.1:8000")
    # A link scanner's GET must not unsubscribe; the mail client's POST (no cookie, no CSRF) does.
    assert public.get(unsubscribe).status_code == 200
    assert Subscriber.objects.get().active
    one_click = Client(enforce_csrf_checks=True)
    assert one_click.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscriber.objects.get().active
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_update(rbkc, actor=rbkc_comms, text="Another update.")
    assert len(mail.messages) == 2


def test_already_subscribed_gets_the_same_answer_and_no_mail(
    mail: Any, rbkc_page: StatusPage, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    subscriber = actions.subscribe(email="a@example.org", scope="all", ip="198.51.100.1")
    actions.confirm_subscription(actions.confirm_token(subscriber))
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/status/subscribe/", {"email": "a@example.org", "scope": "all"})
    assert "Check your email" in response.content.decode()
    assert mail.messages == []


def test_rate_limited_per_address_and_per_ip(settings: Settings, rbkc_page: StatusPage) -> None:
    settings.STATUS_SUBSCRIBE_PER_ADDRESS = 2
    settings.STATUS_SUBSCRIBE_PER_IP = 3
    for _ in range(2):
        actions.subscribe(email="same@example.org", scope="RBKC", ip="192.0.2.1")
    with pytest.raises(actions.RateLimited):
        actions.subscribe(email="same@example.org", scope="RBKC", ip="192.0.2.99")
    actions.subscribe(email="other@example.org", scope="RBKC", ip="192.0.2.1")
    response = Client(REMOTE_ADDR="192.0.2.1").post(
        "/status/subscribe/", {"email": "third@example.org", "scope": "RBKC"}
    )
    assert response.status_code == 429 and "Too many subscription requests" in response.content.decode()
    assert not Subscriber.objects.filter(email="third@example.org").exists()
    # Only keyed hashes are kept for the limit, never the address or the IP.
    from incidentroom.status.models import SubscriptionAttempt

    assert not SubscriptionAttempt.objects.filter(email_hash__contains="example").exists()


def test_bad_input_and_bad_links_get_clear_messages(rbkc_page: StatusPage) -> None:
    public = Client()
    response = public.post("/status/subscribe/", {"email": "not an address", "scope": "RBKC"})
    assert response.status_code == 422 and "correct format" in response.content.decode()
    response = public.post("/status/subscribe/", {"email": "a@example.org", "scope": "LBE"})
    assert response.status_code == 422 and "Choose a council" in response.content.decode()
    response = public.post("/status/subscribe/confirm/forged-token/")
    assert response.status_code == 404 and "not valid" in response.content.decode()
    assert public.post("/status/unsubscribe/forged-token/").status_code == 404


def test_behind_a_proxy_the_limit_is_per_resident_not_per_proxy(
    settings: Settings, rbkc_page: StatusPage
) -> None:
    settings.STATUS_SUBSCRIBE_PER_IP = 1
    settings.STATUS_PROXY_HOPS = 1
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    for n, resident in enumerate(("198.51.100.10", "198.51.100.11")):
        # The leftmost entry is the client's own claim and is ignored; the proxy's append counts.
        response = proxy.post(
            "/status/subscribe/",
            {"email": f"r{n}@example.org", "scope": "RBKC"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.99, {resident}",
        )
        assert response.status_code == 200
    again = proxy.post(
        "/status/subscribe/",
        {"email": "r9@example.org", "scope": "RBKC"},
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert again.status_code == 429
