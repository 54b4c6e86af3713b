"""The remaining breach forms answer a mistake with the same page (issue 15, item 5): the scan
form, report drafting, letters and emails, the public notice, the person page's corrections,
the resident wording and its approval, and the emails page's test, confirmation and resume.
Each comes back with the refusal's 4xx, "Error: " in the title, an error summary naming the
field in words and linking to it, the message beside the field, and what was typed kept.
Refusals with nothing to correct (another council, a viewer) still get the error page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.breach import actions, resident
from incidentroom.breach.models import (
    Breach,
    ContactStatus,
    EmailNotice,
    Individual,
    LetterBatch,
    Report,
    ScanJob,
)


def _same_page(body: str, title: str, href: str) -> str:
    """The page itself again with an error summary whose first link is ``href``; its text."""
    assert f"<title>Error: {title}" in body
    assert 'class="govuk-error-summary"' in body and "Go back" not in body
    start = body.index(f'<li><a href="{href}">') + len(f'<li><a href="{href}">')
    return body[start : body.index("</a>", start)]


def test_a_scan_with_neither_a_folder_nor_an_upload_stays_on_the_breach_page(
    web: Callable[[User], Client], rbkc_dpo: User, breach: Breach
) -> None:
    response = web(rbkc_dpo).post(f"/breaches/{breach.pk}/scans/", {"path": "", "organisation": "WCC"})
    assert response.status_code == 422
    body = response.content.decode()
    text = _same_page(body, "Breach - RBKC", "#scan-form")
    assert text == "Give either a folder or archive on the server, or upload an archive."
    assert 'id="scan-form-error"' in body  # beside the form, which is open
    assert '<option value="WCC" selected>' in body
    outside = web(rbkc_dpo).post(f"/breaches/{breach.pk}/scans/", {"path": "../../../../etc"})
    assert outside.status_code in (403, 422)
    body = outside.content.decode()
    assert _same_page(body, "Breach - RBKC", "#scan-path")
    assert 'value="../../../../etc"' in body and 'id="scan-path-error"' in body
    assert not ScanJob.objects.filter(breach=breach).exists()


def test_a_path_of_huge_length_is_named(
    web: Callable[[User], Client], rbkc_dpo: User, breach: Breach
) -> None:
    response = web(rbkc_dpo).post(f"/breaches/{breach.pk}/scans/", {"path": "a/" * 2000})
    assert response.status_code == 422
    text = _same_page(response.content.decode(), "Breach - RBKC", "#scan-path")
    assert text.startswith("Folder or archive on the server: Ensure this value has at most 1000 characters")


def test_drafting_an_unknown_report_kind(
    web: Callable[[User], Client], rbkc_dpo: User, breach: Breach
) -> None:
    response = web(rbkc_dpo).post(f"/breaches/{breach.pk}/reports/", {"kind": "tabloid"})
    assert response.status_code == 422
    text = _same_page(response.content.decode(), "Breach - RBKC", "#reports")
    assert text.startswith("Report: Select a valid choice.")
    assert not Report.objects.filter(breach=breach).exists()


def test_letters_and_emails_with_no_risk_ticked_keep_the_subject(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    client = web(rbkc_dpo)
    letters = client.post(f"/breaches/{scanned.pk}/letters/", {})
    assert letters.status_code == 422
    body = letters.content.decode()
    assert (
        _same_page(body, "Breach - RBKC", "#letters-high") == "Letters to people at: This field is required."
    )
    # The boxes come back as the person left them (none ticked), not the defaults.
    assert 'id="letters-high" name="risks" value="high" checked' not in body
    emails = client.post(
        f"/breaches/{scanned.pk}/emails/", {"risks": ["extreme"], "subject": "About your data"}
    )
    assert emails.status_code == 422
    body = emails.content.decode()
    assert _same_page(body, "Breach - RBKC", "#emails-high").startswith(
        "Emails to people at: Select a valid choice."
    )
    assert 'value="About your data"' in body and 'id="emails-risks-error"' in body
    assert not LetterBatch.objects.filter(breach=scanned).exists()
    assert not EmailNotice.objects.filter(breach=scanned).exists()


def test_letters_before_the_wording_is_approved_say_so_on_the_page(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    actions.save_wording(scanned, actor=rbkc_dpo, resident_what_happened="Something new happened.")
    client = web(rbkc_dpo)
    response = client.post(f"/breaches/{scanned.pk}/letters/", {"risks": ["high"]})
    assert response.status_code == 409
    assert _same_page(response.content.decode(), "Breach - RBKC", "#letters-form")
    notice = client.post(f"/breaches/{scanned.pk}/public-notice/", {})
    assert notice.status_code == 409
    body = notice.content.decode()
    assert _same_page(body, "Breach - RBKC", "#public") and 'id="public-error"' in body


def test_person_page_corrections_come_back_on_the_person_page(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    client = web(rbkc_dpo)
    alice = Individual.objects.get(person_id="P0001")
    blank = client.post(f"/people/{alice.pk}/do-not-contact/", {"reason": ""})
    assert blank.status_code == 422
    body = blank.content.decode()
    assert _same_page(body, "Alice", "#reason") == "Do not contact, because: This field is required."
    assert 'id="reason-error"' in body
    long = client.post(f"/people/{alice.pk}/notified/", {"how": "x" * 500})
    assert long.status_code == 422
    body = long.content.decode()
    assert _same_page(body, "Alice", "#how").startswith(
        "Told by: Ensure this value has at most 100 characters"
    )
    assert f'value="{"x" * 500}"' in body
    words = client.post(f"/people/{alice.pk}/merge/", {"others": "abc, 12"})
    assert words.status_code == 422
    body = words.content.decode()
    assert _same_page(body, "Alice", "#others") == "List record numbers separated by commas."
    assert 'value="abc, 12"' in body
    huge = client.post(f"/people/{alice.pk}/merge/", {"others": "9" * 30})
    assert huge.status_code == 404
    assert _same_page(huge.content.decode(), "Alice", "#others") == (
        "Give the numbers of records in this breach that you can see."
    )
    split = client.post(f"/people/{alice.pk}/split/", {"full_name": "Cora Cole"})
    assert split.status_code == 422
    body = split.content.decode()
    assert _same_page(body, "Alice", "#id_appearances_0").startswith("Documents for the new record:")
    assert 'value="Cora Cole"' in body
    alice.refresh_from_db()
    assert alice.contact_status == ContactStatus.TO_NOTIFY and alice.merged_into_id is None


def test_another_councils_record_cannot_be_merged_in(
    web: Callable[[User], Client], rbkc_dpo: User, wcc_dpo: User, scanned: Breach
) -> None:
    alice = Individual.objects.get(person_id="P0001")
    # WCC's DPO cannot see RBKC's person at all: the error page, not a form to correct.
    response = web(wcc_dpo).post(f"/people/{alice.pk}/merge/", {"others": str(alice.pk)})
    assert response.status_code == 404 and "error-summary" not in response.content.decode()


def test_saving_blank_wording_keeps_the_other_fields(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    response = web(rbkc_dpo).post(
        f"/breaches/{scanned.pk}/telling/save/",
        {"resident_what_happened": "", "resident_what_you_can_do": "Call the helpline on 020 7361 3000."},
    )
    assert response.status_code == 422
    body = response.content.decode()
    label = resident.LABELS["resident_what_happened"]
    assert _same_page(body, "What residents will read", "#id_resident_what_happened") == (
        f"{label}: This field is required."
    )
    assert 'id="id_resident_what_happened-error"' in body
    assert "Call the helpline on 020 7361 3000.</textarea>" in body
    scanned.refresh_from_db()
    assert scanned.resident_what_you_can_do != "Call the helpline on 020 7361 3000."


def test_approving_a_stale_preview_says_so_on_the_wording_page(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    actions.save_wording(scanned, actor=rbkc_dpo, resident_what_happened="Changed after the preview.")
    response = web(rbkc_dpo).post(f"/breaches/{scanned.pk}/telling/approve/", {"wording": "0" * 64})
    assert response.status_code == 409
    body = response.content.decode()
    assert _same_page(body, "What residents will read", "#approve-form")
    scanned.refresh_from_db()
    assert not resident.is_approved(scanned)


def test_the_emails_page_answers_a_wrong_count_and_a_bad_number_on_the_page(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach, tmp_path: Path
) -> None:
    client = web(rbkc_dpo)
    created = client.post(f"/breaches/{scanned.pk}/emails/", {"risks": ["high", "low"]})
    assert created.status_code == 302
    url = created["Location"]
    notice_id = int(url.rstrip("/").rsplit("/", 1)[1])
    early = client.post(f"/emails/{notice_id}/send/")
    assert early.status_code == 409
    assert _same_page(early.content.decode(), f"Emails #{notice_id}", "#confirm-form").startswith(
        "These emails have not been confirmed yet"
    )
    wrong = client.post(f"/emails/{notice_id}/confirm/", {"recipients": "131"})
    assert wrong.status_code == 409
    assert "3 people are now on the list" in _same_page(
        wrong.content.decode(), f"Emails #{notice_id}", "#confirm-form"
    )
    huge = client.post(f"/emails/{notice_id}/confirm/", {"recipients": "9" * 40})
    assert huge.status_code == 422
    assert _same_page(huge.content.decode(), f"Emails #{notice_id}", "#confirm-form").startswith(
        "Number of people: Ensure this value is less than or equal to"
    )
    words = client.post(f"/emails/{notice_id}/confirm/", {"recipients": "three"})
    assert words.status_code == 422
    assert _same_page(words.content.decode(), f"Emails #{notice_id}", "#confirm-form") == (
        "Number of people: Enter a whole number."
    )
    assert EmailNotice.objects.get(pk=notice_id).started_at is None


def test_a_viewer_still_gets_the_refusal_page(
    web: Callable[[User], Client], lbhf_viewer: User, scanned: Breach
) -> None:
    response = web(lbhf_viewer).post(f"/breaches/{scanned.pk}/letters/", {"risks": ["high"]})
    assert response.status_code == 404 and "error-summary" not in response.content.decode()


def test_marking_letters_posted_before_the_print_file_says_so_on_the_letters_page(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    batch = actions.generate_letters(scanned, actor=rbkc_dpo, risks=["high"])
    LetterBatch.objects.filter(pk=batch.pk).update(status="queued")
    response = web(rbkc_dpo).post(f"/letters/{batch.pk}/posted/")
    assert response.status_code == 409
    body = response.content.decode()
    assert _same_page(body, f"Letters #{batch.pk}", "#letters-status").startswith(
        "These letters are not ready yet"
    )
    assert 'id="posted-error"' in body
