"""Telling people, checked before it happens: the preview, a test email to the sender, and a
confirmation that names how many people will be emailed (this module holds the reads; the
writes are ``send_test_email`` and ``confirm_sending`` in ``breach.actions.emails``).

Nothing residents read is generated or sent until the DPO has approved the wording from a
preview (``breach.resident``). An email notice is prepared first (its recipients fixed and
counted), can be sent as a test to the DPO's own address, and is sent only when the DPO
confirms the number of people shown; if the list changed since, the confirmation is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from incidentroom.breach import letters
from incidentroom.breach.models import Breach, DeliveryStatus, EmailNotice, Individual
from incidentroom.breach.reports.document import Document
from incidentroom.breach.reports.facts import counted_individuals

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
