"""The breach pages' forms, end to end through Django's test client as the RBKC DPO."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from incidentroom.breach import actions
from incidentroom.breach.models import (
    Appearance,
    Breach,
    ContactStatus,
    EmailDelivery,
    Individual,
    LetterBatch,
    PublicNotice,
    Report,
    ScanJob,
)
from incidentroom.incidents.models import Incident, Obligation
from tests.helpers.breachhelp import close_response
from tests.helpers.db import first


def hours_ago(hours: int) -> str:
    """A local date-time for the forms: the scenario's clocks are shifted to the present,
    and an awareness time more than a year before detection is refused."""
    return timezone.localtime(timezone.now() - dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_record_a_breach_from_the_page(
    web: Callable[[User], Client], wcc_dpo: User, incident: Incident, media: Any
) -> None:
    client = web(wcc_dpo)
    page = client.get(f"/incidents/{incident.reference}/data-breach/")
    assert page.status_code == 200 and 'value="WCC"' in page.content.decode()
    response = client.post(
        f"/incidents/{incident.reference}/data-breach/",
        {
            "organisation": "WCC",
            "description": "Archive copied.",
            "data_sets": "Licensing files\nHousing register",
            "became_aware_at": hours_ago(3),
            "people_categories": ["residents", "children"],
            "confidentiality": "on",
        },
    )
    breach = Breach.objects.get(organisation__code="WCC")
    assert response.status_code == 302 and response["Location"] == f"/breaches/{breach.pk}/"
    assert breach.data_set_list() == ["Licensing files", "Housing register"] and breach.confidentiality
    assert not breach.integrity and breach.people_categories == ["residents", "children"]
    assert Obligation.objects.filter(organisation__code="WCC", code="ico").exists()
    bad = client.post(
        f"/incidents/{incident.reference}/data-breach/", {"organisation": "WCC", "description": ""}
    )
    assert bad.status_code in (409, 422)


def test_breach_page_edit_upload_and_cancel(
    web: Callable[[User], Client], rbkc_dpo: User, breach: Breach
) -> None:
    client = web(rbkc_dpo)
    body = client.get(f"/breaches/{breach.pk}/").content.decode()
    assert "Document archive 2006-2020" in body and "Start scan" in body
    response = client.post(
        f"/breaches/{breach.pk}/edit/",
        {
            "description": "Updated account.",
            "became_aware_at": hours_ago(2),
            "confidentiality": "on",
            "availability": "on",
            "measures_proposed": "Credit monitoring.",
        },
    )
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.description == "Updated account." and breach.availability
    upload = SimpleUploadedFile("stolen.zip", b"PK\x05\x06" + b"\0" * 18)
    assert client.post(f"/breaches/{breach.pk}/scans/", {"upload": upload}).status_code == 302
    job = ScanJob.objects.get()
    assert job.sources[0]["path"].endswith("stolen.zip")
    panel = client.get(f"/scans/{job.pk}/").content.decode()
    assert "Queued" in panel and "Cancel scan" in panel
    assert client.post(f"/scans/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    neither = client.post(f"/breaches/{breach.pk}/scans/", {})
    assert neither.status_code == 422 and "either a folder" in neither.content.decode()


def test_individuals_search_detail_and_corrections(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    client = web(rbkc_dpo)
    listing = client.get(
        f"/breaches/{scanned.pk}/individuals/", {"category": "passport_number"}
    ).content.decode()
    assert "Dev Dhillon" in listing and "Alice Ashdown" not in listing
    by_postcode = client.get(f"/breaches/{scanned.pk}/individuals/", {"q": "SW10"}).content.decode()
    assert "Bashir Bello" in by_postcode and "Dev Dhillon" not in by_postcode
    alice = Individual.objects.get(person_id="P0001")
    detail = client.get(f"/people/{alice.pk}/").content.decode()
    assert "2009/permits.xlsx" in detail and "Bank account numbers and sort codes" in detail
    client.post(f"/people/{alice.pk}/do-not-contact/", {"reason": "Already informed by phone"})
    alice.refresh_from_db()
    assert alice.contact_status == ContactStatus.DO_NOT_CONTACT
    client.post(f"/people/{alice.pk}/reset/")
    client.post(f"/people/{alice.pk}/notified/", {"how": "in person"})
    alice.refresh_from_db()
    assert alice.contact_status == ContactStatus.NOTIFIED and alice.notified_how == "in person"
    cora = Individual.objects.get(person_id="P0003")
    assert client.post(f"/people/{alice.pk}/merge/", {"others": f"{cora.pk}"}).status_code == 302
    assert Individual.objects.get(pk=cora.pk).merged_into_id == alice.pk
    moved = Appearance.objects.get(individual=alice, path="2018/contacts.csv")
    response = client.post(
        f"/people/{alice.pk}/split/",
        {"full_name": "Cora Cole", "appearances": [str(moved.pk)], "categories": ["name", "phone"]},
    )
    new = Individual.objects.get(full_name="Cora Cole", merged_into=None)
    assert response["Location"] == f"/people/{new.pk}/"
    assert client.post(f"/people/{alice.pk}/merge/", {"others": "abc"}).status_code == 422


def test_reports_letters_emails_and_public_notice_from_the_pages(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    client = web(rbkc_dpo)
    response = client.post(f"/breaches/{scanned.pk}/reports/", {"kind": "ico"})
    report = Report.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/"
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Approximate number of people affected" in page and "Record as submitted" in page
    pdf = client.get(f"/reports/{report.pk}/download.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/reports/{report.pk}/download.docx")
    assert docx.content.startswith(b"PK")
    assert client.get(f"/reports/{report.pk}/download.txt").status_code == 422
    client.post(f"/reports/{report.pk}/submit/", {"external_reference": "ICO/1"})
    report.refresh_from_db()
    assert report.submitted_at is not None and report.external_reference == "ICO/1"

    client.post(f"/breaches/{scanned.pk}/letters/", {"risks": ["high"]})
    batch = LetterBatch.objects.get()
    waiting = client.get(f"/letters/{batch.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert (
        waiting.startswith('<div id="letters-files"')
        and "hx-trigger" in waiting
        and "print-file" not in waiting
    )
    assert client.get(f"/letters/{batch.pk}/files/print-file.pdf").status_code == 409
    actions.render_letters(batch.pk)
    page = client.get(f"/letters/{batch.pk}/").content.decode()
    assert "Combined print file" in page and "Alice Ashdown" in page
    letter = first(batch.letters.all())
    one = client.get(f"/letters/{batch.pk}/people/{letter.pk}.pdf")
    assert one.status_code == 200
    close_response(one)
    for name in ("print-file.pdf", "print-house.csv", "letters.zip"):
        download = client.get(f"/letters/{batch.pk}/files/{name}")
        assert download.status_code == 200, name
        close_response(download)
    assert client.get(f"/letters/{batch.pk}/files/..%2Fsecret").status_code == 404
    client.post(f"/letters/{batch.pk}/posted/")
    assert Individual.objects.filter(contact_status=ContactStatus.NOTIFIED).count() == 3

    client.post(f"/breaches/{scanned.pk}/public-notice/")
    notice = PublicNotice.objects.get()
    assert notice.is_live and client.get(f"/notices/{notice.slug}/").status_code == 200
    client.post(f"/breaches/{scanned.pk}/public-notice/", {"withdraw": "1"})
    notice.refresh_from_db()
    assert not notice.is_live


def test_emails_page_creates_and_shows_progress(
    web: Callable[[User], Client], rbkc_dpo: User, scanned: Breach
) -> None:
    client = web(rbkc_dpo)
    response = client.post(
        f"/breaches/{scanned.pk}/emails/", {"risks": ["high"], "subject": "About your data"}
    )
    assert response.status_code == 302
    # Prepared, not sent: the page shows the email and asks to confirm the number of people.
    page = client.get(response["Location"]).content.decode()
    assert "Check and send emails to 3 people" in page and "Send 3 emails now" in page
    # People with an email address may be in a letter run too: the page does not claim one notice each.
    assert "same notice twice" not in page and "gets both: a letter by post and this email" in page
    assert not EmailDelivery.objects.exclude(status="pending").exists()
    notice_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    confirmed = client.post(f"/emails/{notice_id}/confirm/", {"recipients": "3"})
    assert confirmed.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Subject: About your data" in page and "waiting 3" in page
    assert "same notice twice" not in page and "gets a letter by post as well" in page
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="email-panel"')
