"""Telling people, checked before it happens: the preview, a test email to the sender, and a
confirmation that names how many people will be emailed.

Nothing residents read is generated or sent until the DPO has approved the wording from a
preview (``breach.resident``). An email notice is prepared first (its recipients fixed and
counted), can be sent as a test to the DPO's own address, and is sent only when the DPO
confirms the number of people shown; if the list changed since, the confirmation is refused.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from incidentroom.breach import actions, letters, resident
from incidentroom.breach.access import require_controller_role
from incidentroom.breach.models import Breach, DeliveryStatus, EmailNotice, Individual
from incidentroom.breach.reports.document import Document
from incidentroom.breach.reports.facts import counted_individuals
from incidentroom.core import audit
from incidentroom.core.emailaddr import normalise_email
from incidentroom.core.errors import Conflict, InvalidInput

# A made-up resident for the preview before any scan has found someone: their letter shows
# how the wording reads with the commonest kinds of information.
SAMPLE_CATEGORIES = ["name", "address", "email", "date_of_birth"]


@dataclass
class Preview:
    """What one resident would receive, by letter and by email."""

    person: Individual
    sample: bool
    letter: Document
    email_subject: str
    email_from: str
    email_body: str


def sample_person(breach: Breach) -> tuple[Individual, bool]:
    """The first person on the print run still waiting to be told, or a made-up resident
    (``True``) when no scan has found anyone yet."""
    waiting = counted_individuals(breach).filter(contact_status="to_notify")
    first = min(
        waiting.values_list("postcode", "full_name", "pk"),
        key=lambda row: (letters.postcode_sort_key(row[0] or ""), row[1], row[2]),
        default=None,
    )
    if first is not None:
        return Individual.objects.get(pk=first[2]), False
    return (
        Individual(
            breach=breach,
            full_name="Alex Sample",
            address="1 Sample Street, London",
            postcode="W8 7NX",
            categories=SAMPLE_CATEGORIES,
        ),
        True,
    )


def default_subject(breach: Breach) -> str:
    """The subject used when the DPO leaves it blank."""
    return f"Important: your information and the {breach.organisation.name} cyber attack"


def preview(breach: Breach) -> Preview:
    """The letter and email one resident would receive from the current wording."""
    from incidentroom.breach import emails

    person, sample = sample_person(breach)
    return Preview(
        person=person,
        sample=sample,
        letter=letters.build_letter(breach, person),
        email_subject=default_subject(breach),
        email_from=emails.from_header(breach.organisation),
        email_body=emails.email_text(breach, person),
    )


def waiting_count(notice: EmailNotice) -> int:
    """How many people sending this notice would email now."""
    return notice.deliveries.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).count()


# -- actions ---------------------------------------------------------------------------------


def prepare_letters(breach: Breach, *, actor: Any, risks: list[str] | None) -> Any:
    """Generate the letter batch, from approved wording only."""
    require_controller_role(actor, [breach.organisation], "generate letters for this breach")
    resident.require_approved(breach, "generate letters")
    return actions.generate_letters(breach, actor=actor, risks=risks)


def prepare_emails(breach: Breach, *, actor: Any, risks: list[str] | None, subject: str) -> EmailNotice:
    """Prepare (not send) an email notice, from approved wording only: recipients fixed and
    counted for the confirmation step."""
    require_controller_role(actor, [breach.organisation], "send emails for this breach")
    resident.require_approved(breach, "prepare emails")
    return actions.create_email_notice(breach, actor=actor, risks=risks, subject=subject)


def publish_notice(breach: Breach, *, actor: Any) -> Any:
    """Publish or refresh the public notice, from approved wording only."""
    require_controller_role(actor, [breach.organisation], "publish the public notice")
    resident.require_approved(breach, "publish the public notice")
    return actions.publish_public_notice(breach, actor=actor)


def send_test_email(notice: EmailNotice, *, actor: Any) -> str:
    """Send the first recipient's email, marked as a test, to the actor's own address only;
    return that address."""
    from incidentroom.breach import emails

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
    message = emails.build_test_message(first, to, waiting_count(notice))
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
    now = waiting_count(notice)
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
    return actions.start_sending(notice, actor=actor)
