"""Advisory emails, sent by the background worker so publishing never waits on SMTP."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django_tasks import task

from incidentroom.advisories.models import Advisory
from incidentroom.core import times

BATCH = 200


@task()
def email_advisory(advisory_id: int, user_ids: list[int], reminder: bool = False) -> int:
    """Email the advisory to the given staff who have an address; returns how many were sent."""
    advisory = Advisory.objects.filter(pk=advisory_id).first()
    if advisory is None or not advisory.is_active():
        return 0
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="").order_by("pk")
    link = settings.STATUS_BASE_URL.rstrip("/") + f"/advisories/{advisory.pk}/"
    prefix = "Reminder: " if reminder else ""
    subject = f"{prefix}[{advisory.get_severity_display()}] {advisory.title}"
    body = (
        f"{advisory.body}\n\nIn force until {times.uk_time(advisory.expires_at)}.\n\n"
        f"Please confirm you have read this: {link}\n"
    )
    connection = get_connection()
    sent = 0
    batch: list[EmailMessage] = []
    # Two accounts with one mailbox (a person with a login at two councils) get one email;
    # staff addresses are canonical (core.emailaddr), so equal strings are equal mailboxes.
    seen: set[str] = set()
    for user in users.iterator():
        if user.email in seen:
            continue
        seen.add(user.email)
        batch.append(EmailMessage(subject, body, to=[user.email], connection=connection))
        if len(batch) >= BATCH:
            sent += connection.send_messages(batch) or 0
            batch = []
    if batch:
        sent += connection.send_messages(batch) or 0
    return sent
