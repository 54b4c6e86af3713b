"""Art 34 letters and the public notice: each letter names only its own person's data."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from incidentroom.breach import actions, tasks
from incidentroom.breach.letters import build_letter
from incidentroom.breach.models import Breach, ContactStatus, Individual
from incidentroom.core.errors import InvalidInput
from tests.helpers.breachhelp import PEOPLE, assert_only_own_data, flat, identifying, make_letters, pdf_text


def test_every_letter_pdf_names_only_that_persons_own_categories(scanned: Breach, rbkc_dpo: User) -> None:
    batch = make_letters(scanned, rbkc_dpo, ["high", "low"])
    assert batch.letter_count == 4
    directory = Path(batch.directory)
    for letter in batch.letters.select_related("individual"):
        text = pdf_text((directory / "letters" / letter.filename).read_bytes())
        assert_only_own_data(text, letter.individual.person_id)
        assert "Priya Raman" in text and "ico.org.uk/make-a-complaint" in flat(text)


def test_advice_follows_the_categories(scanned: Breach) -> None:
    alice = Individual.objects.get(person_id="P0001")
    text = build_letter(scanned, alice).plain_text()
    # Alice's bank account and sort code were taken, not a card: no card to turn over.
    assert "Call your bank using the number on its website or on your bank statement" in text
    assert "back of your card" not in text and "card statements" not in text
    assert (
        "Report suspected identity fraud" not in text
    )  # that is NI-number advice; Alice's NI number was not taken
    dev = build_letter(scanned, Individual.objects.get(person_id="P0004")).plain_text()
    assert "HM Passport Office" in dev and "cancel and replace the card" in dev


def test_passport_advice_does_not_send_residents_to_cancel_a_passport_they_still_hold(
    scanned: Breach,
) -> None:
    # gov.uk/report-a-lost-or-stolen-passport cancels the passport: the resident still has theirs.
    dev = flat(build_letter(scanned, Individual.objects.get(person_id="P0004")).plain_text())
    assert "report-a-lost-or-stolen-passport" not in dev and "as compromised" not in dev
    assert "You do not need to cancel your passport" in dev
    assert "HM Passport Office adviceline on 0300 222 0000" in dev


def test_print_file_is_sorted_by_postcode_with_a_print_house_csv(scanned: Breach, rbkc_dpo: User) -> None:
    batch = make_letters(scanned, rbkc_dpo)  # default policy: high risk only
    assert batch.risks == ["high"] and batch.letter_count == 3
    directory = Path(batch.directory)
    text = pdf_text((directory / "print-file.pdf").read_bytes())
    positions = [text.index(name) for name in ("Dev Dhillon", "Bashir Bello", "Alice Ashdown")]
    assert positions == sorted(positions)  # NW1 < SW10 < W8
    rows = list(csv.DictReader(io.StringIO((directory / "print-house.csv").read_text())))
    assert [r["postcode"] for r in rows] == ["NW1 1DD", "SW10 9BB", "W8 4AA"]
    assert rows[2]["name"] == "Alice Ashdown" and rows[2]["address_line_1"] == "12 Abbey Road"
    assert rows[2]["letter_file"].endswith(".pdf") and rows[2]["print_file_order"] == "3"
    with zipfile.ZipFile(directory / "letters.zip") as archive:
        assert sorted(archive.namelist()) == sorted(r["letter_file"] for r in rows)


def test_letters_are_rendered_by_the_worker_after_commit(
    scanned: Breach, rbkc_dpo: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    from incidentroom.breach.models import BatchStatus
    from incidentroom.core.errors import Conflict

    with django_capture_on_commit_callbacks(execute=True):
        batch = actions.generate_letters(scanned, actor=rbkc_dpo)
    assert batch.status == BatchStatus.QUEUED and batch.letter_count == 3
    queued = DBTaskResult.objects.get(task_path__endswith="render_letter_batch")
    assert queued.args_kwargs["args"] == [batch.pk]
    with pytest.raises(Conflict):  # nothing to post before the print file exists
        actions.mark_letters_posted(batch, actor=rbkc_dpo)
    assert tasks.render_letter_batch.call(batch.pk) == "ready"
    assert tasks.render_letter_batch.call(batch.pk) == "skipped"  # a second run does nothing
    assert (Path(batch.directory) / "print-file.pdf").exists()


def test_do_not_contact_and_notified_people_get_no_letter(scanned: Breach, rbkc_dpo: User) -> None:
    actions.set_do_not_contact(Individual.objects.get(person_id="P0001"), actor=rbkc_dpo, reason="Deceased")
    batch = make_letters(scanned, rbkc_dpo)
    assert {lt.individual.person_id for lt in batch.letters.all()} == {"P0002", "P0004"}
    assert actions.mark_letters_posted(batch, actor=rbkc_dpo) == 2
    assert Individual.objects.get(person_id="P0002").contact_status == ContactStatus.NOTIFIED
    with pytest.raises(InvalidInput):  # everyone at high risk is now told or excluded
        actions.generate_letters(scanned, actor=rbkc_dpo)
    with pytest.raises(InvalidInput):
        actions.generate_letters(scanned, actor=rbkc_dpo, risks=["catastrophic"])


def test_public_notice_lists_categories_and_names_no_one(
    scanned: Breach, rbkc_dpo: User, client: Client
) -> None:
    notice = actions.publish_public_notice(scanned, actor=rbkc_dpo)
    response = client.get(f"/notices/{notice.slug}/")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    body = response.content.decode()
    for label in (
        "Bank account numbers and sort codes",
        "Health information (special category)",
        "Passport numbers",
    ):
        assert label in body
    assert "Watch your bank statements" in body and "dpo@rbkc.example.gov.uk" in body
    for person in PEOPLE:
        for value in identifying(person):
            assert value not in body
    actions.withdraw_public_notice(notice, actor=rbkc_dpo)
    assert client.get(f"/notices/{notice.slug}/").status_code == 404


def test_people_without_a_postal_address_are_counted_not_written_to(
    scanned: Breach, rbkc_dpo: User, web: Callable[[User], Client]
) -> None:
    Individual.objects.filter(person_id="P0002").update(address="", postcode="")
    batch = make_letters(scanned, rbkc_dpo)
    assert {lt.individual.person_id for lt in batch.letters.all()} == {"P0001", "P0004"}
    assert batch.without_address == 1
    page = web(rbkc_dpo).get(f"/letters/{batch.pk}/").content.decode()
    assert "1 person has no postal address" in page


def test_people_the_scan_found_deceased_get_no_letter_or_email(
    breach: Breach, rbkc_dpo: User, media: Path
) -> None:
    from incidentroom.breach.importer import DECEASED_REASON
    from tests.helpers.breachhelp import import_people

    people = [dict(p) for p in PEOPLE]
    people[0]["deceased"] = "yes"  # Alice: high risk, with a postal and an email address
    import_people(breach, rbkc_dpo, media, people)
    alice = Individual.objects.get(person_id="P0001")
    assert alice.deceased and alice.contact_status == ContactStatus.DO_NOT_CONTACT
    assert alice.do_not_contact_reason == DECEASED_REASON
    assert not Individual.objects.get(person_id="P0002").deceased
    batch = make_letters(breach, rbkc_dpo)
    assert {lt.individual.person_id for lt in batch.letters.all()} == {"P0002", "P0004"}
    notice = actions.create_email_notice(breach, actor=rbkc_dpo)
    assert "alice@example.org" not in {d.address for d in notice.deliveries.all()}


def _page_texts(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def _numbers(pages: list[str]) -> list[str]:
    found = [re.findall(r"Page \d+ of \d+", text) for text in pages]
    assert all(len(f) == 1 for f in found), found  # exactly one number on every page
    return [f[0] for f in found]


def test_letters_are_numbered_page_x_of_y_each_in_the_print_file_too(scanned: Breach, rbkc_dpo: User) -> None:
    batch = make_letters(scanned, rbkc_dpo, ["high", "low"])
    directory = Path(batch.directory)
    rows = list(csv.DictReader(io.StringIO((directory / "print-house.csv").read_text())))
    expected: list[str] = []
    for row in rows:  # print order
        pages = _page_texts((directory / "letters" / row["letter_file"]).read_bytes())
        assert _numbers(pages) == [f"Page {i} of {len(pages)}" for i in range(1, len(pages) + 1)]
        expected += _numbers(pages)
    # The print file numbers each letter's own pages, never "Page 7 of 12" of the whole run.
    assert _numbers(_page_texts((directory / "print-file.pdf").read_bytes())) == expected
    assert len(rows) == 4
