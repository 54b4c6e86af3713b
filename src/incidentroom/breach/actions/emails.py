"""Art 34 emails: prepare a notice, send a test copy to the sender, confirm the number of
people and start sending, resume, resolve an interrupted email.

The worker's side of sending (claim, sent, failed, retry) is in ``breach.jobs``."""

from __future__ import annotations

import secrets
import smtplib
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from incidentroom.breach import enqueue, notify, resident
from incidentroom.breach.access import require_controller_role
from incidentroom.breach.actions._common import chosen_risks, log
from incidentroom.breach.jobs import notified_by_email, same_person_key
from incidentroom.breach.models import Breach, DeliveryStatus, EmailDelivery, EmailNotice, Individual
from incidentroom.breach.queries import people_to_tell
from incidentroom.core import audit
from incidentroom.core.emailaddr import normalise_email
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.incidents.models import EntryKind


def _mailbox(address: str) -> str | None:
    """The canonical address, or None if it is not one we can send to."""
    try:
        return normalise_email(address)
    except InvalidInput:
        return None


def _one_per_mailbox(people: Iterable[Individual]) -> list[tuple[Individual, str]]:
    """Each person once per mailbox: two records of one person whose address was written two
    ways (``anna@bücher.example`` / ``anna@xn--bcher-kva.example``) get one email, not two.
    Different people who share a mailbox (a family) still each get their own letter."""
    seen: set[tuple[str, str]] = set()
    out = []
    for person in people:
        address = _mailbox(person.email) if person.email else None
        if address is None:
            continue
        key = (address, same_person_key(person))
        if key in seen:
            continue
        seen.add(key)
        out.append((person, address))
    return out


@transaction.atomic
def create_email_notice(
    breach: Breach, *, actor: Any, risks: Sequence[str] | None = None, subject: str = ""
) -> EmailNotice:
    """Prepare an email to everyone at the chosen risk levels with a usable address, not yet told."""
    require_controller_role(actor, [breach.organisation], "send emails for this breach")
    resident.require_approved(breach, "prepare emails")
    chosen = chosen_risks(risks)
    subject = (
        subject or ""
    ).strip() or f"Important: your information and the {breach.organisation.name} cyber attack"
    if len(subject) > 200 or "\n" in subject or "\r" in subject:
        raise InvalidInput("The subject must be one line of at most 200 characters.", field="subject")
    people = _one_per_mailbox(people_to_tell(breach, chosen))
    if not people:
        raise InvalidInput(
            f"No one at {' or '.join(chosen)} risk with a usable email address is waiting.", field="risks"
        )
    notice = EmailNotice.objects.create(breach=breach, subject=subject, risks=chosen, created_by=actor)
    EmailDelivery.objects.bulk_create(
        [EmailDelivery(notice=notice, individual=p, address=address) for p, address in people]
    )
    audit.record(
        actor=actor,
        action="email_notice.create",
        obj=notice,
        after={"risks": chosen, "recipients": len(people), "subject": subject},
        organisations=[breach.organisation],
    )
    return notice


@transaction.atomic
def start_sending(notice: EmailNotice, *, actor: Any) -> EmailNotice:
    """Start (or resume) sending. A new run takes over; emails a dead run had claimed become
    'uncertain' and are never re-sent automatically (they may have gone out)."""
    # Read afresh: the approval is checked against the wording as it is now.
    breach = Breach.objects.select_related("organisation", "incident").get(pk=notice.breach_id)
    require_controller_role(actor, [breach.organisation], "send emails for this breach")
    # Emails are built from the wording at send time: every start and every resume needs the
    # wording the DPO approved, whichever way it is asked for (page, API).
    resident.require_approved(breach, "send emails")
    notice = EmailNotice.objects.select_for_update().get(pk=notice.pk)
    token = secrets.token_hex(8)
    orphaned = notice.deliveries.filter(status=DeliveryStatus.SENDING).update(status=DeliveryStatus.UNCERTAIN)
    notice.run_token = token
    notice.started_at = notice.started_at or timezone.now()
    notice.save(update_fields=["run_token", "started_at"])
    waiting = notice.deliveries.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).count()
    audit.record(
        actor=actor,
        action="email_notice.send",
        obj=notice,
        after={"run": token, "waiting": waiting, "interrupted": orphaned},
        organisations=[breach.organisation],
    )
    log(
        breach.incident,
        actor,
        f"Art 34 emails for {breach.organisation.code}: sending to {waiting} people"
        + (f"; {orphaned} interrupted by a restart held for checking" if orphaned else "")
        + ".",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )
    transaction.on_commit(lambda: enqueue.enqueue(enqueue.EmailRun(notice.pk, token)))
    return notice


@transaction.atomic
def resolve_uncertain(delivery: EmailDelivery, *, actor: Any, resend: bool) -> EmailDelivery:
    """A person checked the mail server's log for an interrupted email: resend it, or record it as sent."""
    breach = delivery.notice.breach
    require_controller_role(actor, [breach.organisation], "resolve interrupted emails")
    if delivery.status != DeliveryStatus.UNCERTAIN:
        raise Conflict("Only an interrupted email needs resolving.")
    before = {"status": delivery.status}
    if resend:
        delivery.status = DeliveryStatus.PENDING
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = delivery.claimed_at
        notified_by_email(delivery)
    delivery.save()
    audit.record(
        actor=actor,
        action="email_delivery.resolve",
        obj=delivery,
        before=before,
        after={"status": delivery.status},
        organisations=[breach.organisation],
    )
    return delivery


def send_test_email(notice: EmailNotice, *, actor: Any) -> str:
    """Send the first recipient's email, marked as a test, to the actor's own address only;
    return that address."""
    from incidentroom.breach import emails as sending

    breach = notice.breach
    require_controller_role(actor, [breach.organisation], "send a test email for this breach")
    resident.require_approved(breach, "send a test email")
    if notice.started_at is not None:
        raise Conflict("These emails are already being sent; a test copy is for before you confirm.")
    raw = str(getattr(actor, "email", "") or "")
    if not raw.strip():
        raise InvalidInput("Your account has no email address to send a test copy to.", field="email")
    to = normalise_email(raw)
    first = notice.deliveries.select_related("individual", "notice__breach__organisation").first()
    if first is None:
        raise Conflict("This email notice has no recipients.")
    message = sending.build_test_message(first, to, notify.waiting_count(notice))
    connection = get_connection(fail_silently=False)
    try:
        message.connection = connection
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise Conflict(
            f"The test email could not be sent: {type(exc).__name__}: {exc}", field="email"
        ) from exc
    finally:
        connection.close()
    with transaction.atomic():
        EmailNotice.objects.filter(pk=notice.pk).update(test_sent_to=to, test_sent_at=timezone.now())
        audit.record(
            actor=actor,
            action="email_notice.test",
            obj=notice,
            after={"to": to, "sample_delivery": first.pk},
            organisations=[breach.organisation],
        )
    return to


@transaction.atomic
def confirm_sending(notice: EmailNotice, *, actor: Any, recipients: int) -> EmailNotice:
    """Start sending once the DPO has confirmed the number of people it will email.

    ``recipients`` is the number the confirmation showed: if the list changed since (someone
    was marked do-not-contact, told another way), the DPO confirms again with the new number.
    """
    breach = notice.breach
    require_controller_role(actor, [breach.organisation], "send emails for this breach")
    resident.require_approved(breach, "send emails")
    notice = EmailNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.started_at is not None:
        raise Conflict("These emails have already been confirmed and are being sent.")
    now = notify.waiting_count(notice)
    if recipients != now:
        raise Conflict(
            f"You confirmed {recipients} but {now} people are now on the list. Check the list and confirm again.",
            field="recipients",
        )
    audit.record(
        actor=actor,
        action="email_notice.confirm",
        obj=notice,
        after={"recipients": now, "tested_to": notice.test_sent_to},
        organisations=[breach.organisation],
    )
    return start_sending(notice, actor=actor)
