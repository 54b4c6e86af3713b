"""Sending Art 34 emails: claim a row, send it, record the outcome, at a limited rate.

The guarantee is *at most once* per person per notice: a row is claimed in its own
transaction before the SMTP conversation and marked sent after it. If the worker dies in
between, the row stays 'sending'; the next run marks it 'uncertain' for a person to check
instead of sending again. Refusals from the server (an SMTP error) are definite failures
and are retried later.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from incidentroom.breach import jobs
from incidentroom.breach.letters import build_letter, national_phone
from incidentroom.breach.models import Breach, EmailDelivery, Individual
from incidentroom.breach.reports.document import Section
from incidentroom.core.models import Organisation


@dataclass
class RateLimiter:
    """At most ``per_minute`` sends a minute, evenly spaced (clock and sleep injectable for tests)."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = field(default=None, init=False)

    def wait(self) -> None:
        """Block until the next send is allowed."""
        if self.per_minute <= 0:
            return
        gap = 60.0 / self.per_minute
        now = self.clock()
        if self._last is not None and now - self._last < gap:
            self.sleep(gap - (now - self._last))
            now = self.clock()
        self._last = now


def sender_address(org: Organisation) -> str:
    """The council's own address for notices (the server default only if none is set)."""
    return org.notices_from_email or str(settings.DEFAULT_FROM_EMAIL or "")


def from_header(org: Organisation) -> str:
    """'Royal Borough of Kensington and Chelsea <notices@...>': residents see the council."""
    return formataddr((org.name, sender_address(org)))


def message_id(delivery: EmailDelivery) -> str:
    """A stable Message-ID: a mail server or a person checking logs can spot a duplicate."""
    sender = sender_address(delivery.notice.breach.organisation)
    domain = sender.rpartition("@")[2].strip(">") or "incidentroom.invalid"
    return f"<ir-notice{delivery.notice_id}-person{delivery.individual_id}@{domain}>"


def email_text(breach: Breach, person: Individual) -> str:
    """The email body: the person's own letter as plain text, without the envelope blocks."""
    letter = build_letter(breach, person)
    letter.address = []
    letter.sender = []
    # The letter warns against emails about the incident, so the email itself says how to
    # check it is genuine, through routes that do not depend on the email.
    letter.sections.insert(
        -1, Section("Checking this email is really from us", paragraphs=genuine_check(breach))
    )
    return letter.plain_text()


def genuine_check(breach: Breach) -> list[str]:
    """How a resident can check the email came from the council: the incident helpline and
    the council's website (never a link in the email itself), and what the council never asks."""
    org = breach.organisation
    routes = [
        *([f"call our helpline on {national_phone(org.resident_helpline)}"] if org.resident_helpline else []),
        *([f"visit our website, {org.website}"] if org.website else []),
    ]
    check = [f"To check that this email is from {org.name}, {' or '.join(routes)}."] if routes else []
    return [
        *check,
        "We will never ask you for your bank details or passwords by email, and this email does not ask you to pay anything.",
    ]


def build_message(delivery: EmailDelivery, connection: BaseEmailBackend | None = None) -> EmailMessage:
    """The email for one delivery: the person's own letter as plain text, from the council."""
    breach = delivery.notice.breach
    org = breach.organisation
    reply_to = [org.dpo_email] if org.dpo_email else None
    return EmailMessage(
        subject=delivery.notice.subject,
        body=email_text(breach, delivery.individual),
        from_email=from_header(org),
        to=[delivery.address],
        reply_to=reply_to,
        headers={"Message-ID": message_id(delivery)},
        connection=connection,
    )


def build_test_message(delivery: EmailDelivery, to: str, recipients: int) -> EmailMessage:
    """A test copy of one delivery's email, for the sender's own inbox: marked as a test in
    the subject and the first line, so it cannot be mistaken for the real notice."""
    breach = delivery.notice.breach
    org = breach.organisation
    intro = (
        f"TEST COPY sent to {to} only. When you confirm, {recipients} "
        f"{'person' if recipients == 1 else 'people'} will each receive their own version of this email "
        "(this copy is the one for the first person on the list).\n\n"
    )
    return EmailMessage(
        subject=f"[TEST] {delivery.notice.subject}",
        body=intro + email_text(breach, delivery.individual),
        from_email=from_header(org),
        to=[to],
        reply_to=[org.dpo_email] if org.dpo_email else None,
    )


@dataclass
class BatchResult:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    stopped_by_connection: bool = False


def run_batch(notice_id: int, token: str, *, limiter: RateLimiter | None = None) -> BatchResult:
    """Send every due email of the notice for run ``token``; stop if another run takes over."""
    limiter = limiter or RateLimiter(settings.BREACH_EMAIL_RATE_PER_MINUTE)
    result = BatchResult()
    connection = get_connection(fail_silently=False)
    try:
        while True:
            delivery = jobs.claim_delivery(notice_id, token)
            if delivery is None:
                break
            limiter.wait()
            try:
                message = build_message(delivery, connection)
                message.send(fail_silently=False)
            except (smtplib.SMTPException, OSError) as exc:
                jobs.delivery_failed(delivery, error=f"{type(exc).__name__}: {exc}")
                result.failed += 1
                if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
                    # The server is unreachable: the rest would fail too and burn their attempts.
                    result.stopped_by_connection = True
                    break
                continue
            jobs.delivery_sent(delivery, message_id=message_id(delivery))
            result.sent += 1
    finally:
        connection.close()
    jobs.schedule_retry(notice_id, token)
    return result
