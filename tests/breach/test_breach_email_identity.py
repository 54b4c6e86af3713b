"""Residents' emails are stored in one canonical form, and an Art 34 email notice sends one
email per person per mailbox, however the address was written (issue 18.7)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import User

from incidentroom.breach import actions, jobs
from incidentroom.breach.models import Breach, Individual
from tests.helpers.breachhelp import import_people


def _person(pid: str, name: str, email: str) -> dict[str, str]:
    return {
        "person_id": pid,
        "full_name": name,
        "date_of_birth": "",
        "address": "1 Abbey Road, London",
        "postcode": "W8 4AA",
        "email": email,
        "phone": "",
        "categories": "name;address;email",
        "risk": "high",
        "documents": f"2010/{pid}.docx",
    }


PEOPLE = [
    _person("P0101", "Anna Bücher", "anna@bücher.example"),
    _person("P0102", "ANNA  BÜCHER", "Anna@XN--BCHER-KVA.example"),  # the same person, missed by linkage
    _person("P0103", "Ben Bücher", "anna@xn--bcher-kva.example"),  # her son, sharing the mailbox
]


def test_imported_addresses_are_canonical_and_one_person_gets_one_email(
    breach: Breach, rbkc_dpo: User, media: Path
) -> None:
    import_people(breach, rbkc_dpo, media, PEOPLE)
    stored = set(Individual.objects.filter(breach=breach).values_list("email", flat=True))
    assert stored == {"anna@xn--bcher-kva.example"}
    notice = actions.create_email_notice(breach, actor=rbkc_dpo, risks=["high"])
    deliveries = list(notice.deliveries.select_related("individual").order_by("individual__person_id"))
    # One of Anna's two records (either), and her son.
    assert len(deliveries) == 2 and deliveries[0].individual.person_id in ("P0101", "P0102")
    assert deliveries[1].individual.person_id == "P0103"
    assert {d.address for d in deliveries} == {"anna@xn--bcher-kva.example"}


def test_sending_to_one_record_marks_the_same_persons_other_record_told(
    breach: Breach, rbkc_dpo: User, media: Path
) -> None:
    import_people(breach, rbkc_dpo, media, PEOPLE)
    notice = actions.create_email_notice(breach, actor=rbkc_dpo, risks=["high"])
    anna = notice.deliveries.get(individual__person_id__in=["P0101", "P0102"])
    jobs.notified_by_email(anna)  # what the worker calls once the email is accepted
    told = dict(Individual.objects.filter(breach=breach).values_list("person_id", "contact_status"))
    assert told["P0101"] == told["P0102"] == "notified"
    assert told["P0103"] != "notified"


def test_the_migration_rewrites_stored_resident_addresses(
    breach: Breach, rbkc_dpo: User, media: Path
) -> None:
    import_people(breach, rbkc_dpo, media, PEOPLE)
    Individual.objects.filter(person_id="P0101").update(email="Anna@Bücher.example")
    Individual.objects.filter(person_id="P0102").update(email="not an address")
    import_module("incidentroom.breach.migrations.0007_canonical_individual_emails").forwards(apps, None)
    emails = dict(Individual.objects.filter(breach=breach).values_list("person_id", "email"))
    assert emails["P0101"] == "anna@xn--bcher-kva.example"
    assert emails["P0102"] == "not an address"
