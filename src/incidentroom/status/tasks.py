"""Emails to residents, sent by the background worker so a page never waits on SMTP."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django_tasks import task

from incidentroom.core import times
from incidentroom.status import actions, site
from incidentroom.status.models import StatusUpdate, Subscriber

BATCH = 200


def _url(path: str) -> str:
    return settings.STATUS_BASE_URL.rstrip("/") + path


@task()
def send_confirmation(subscriber_id: int) -> bool:
    """Send the double opt-in link; False when the subscriber has gone meanwhile."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, confirmed_at=None, unsubscribed_at=None).first()
    if subscriber is None:
        return False
    link = _url(f"/status/subscribe/confirm/{actions.confirm_token(subscriber)}/")
    what = "all councils" if subscriber.scope == Subscriber.ALL else subscriber.scope
    body = (
        f"Someone (we hope you) asked for email updates about council services ({what}).\n\n"
        f"To start receiving them, open this link within 7 days:\n{link}\n\n"
        "If this was not you, ignore this email and you will hear nothing more.\n"
    )
    EmailMessage("Confirm your subscription to service status updates", body, to=[subscriber.email]).send()
    return True


@task()
def notify_subscribers(update_id: int) -> int:
    """Email one update to everyone subscribed to its organisation (or to all); returns how many."""
    update = StatusUpdate.objects.select_related("organisation").filter(pk=update_id).first()
    if update is None:
        return 0
    org = update.organisation
    recipients = Subscriber.objects.filter(
        Q(scope=org.code) | Q(scope=Subscriber.ALL), confirmed_at__isnull=False, unsubscribed_at=None
    ).order_by("email", "pk")
    sent = 0
    # One mailbox subscribed both to this council and to all councils gets one email: the
    # addresses are canonical (core.emailaddr), so sorting puts its rows side by side.
    previous = None
    connection = get_connection()
    batch: list[EmailMessage] = []
    for subscriber in recipients.iterator():
        if subscriber.email == previous:
            continue
        previous = subscriber.email
        unsubscribe = _url(f"/status/unsubscribe/{actions.unsubscribe_token(subscriber)}/")
        body = (
            f"{org.name}: service status update, {times.uk_time(update.published_at)}\n\n{update.text}\n\n"
            f"Current status of every service: {_url('/status/' + org.code.lower() + '/')}\n\n"
            f"Stop these emails: {unsubscribe}\n"
        )
        batch.append(
            EmailMessage(
                f"{org.code} service status update",
                body,
                to=[subscriber.email],
                connection=connection,
                # RFC 8058 one-click unsubscribe: mail clients POST to the link without a page visit.
                headers={
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
        if len(batch) >= BATCH:
            sent += connection.send_messages(batch) or 0
            batch = []
    if batch:
        sent += connection.send_messages(batch) or 0
    return sent


@task()
def publish_site() -> list[str]:
    """Write the static status site again after a failure; returns the parts still failing.

    ``site.publish`` schedules this task again (with a longer wait) while a part keeps
    failing, up to ``site.RETRY_LIMIT`` tries; comms see the failure on the status page.
    """
    return sorted(site.publish().failures)
