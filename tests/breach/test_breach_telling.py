"""What residents read: only the approved resident wording, the council's letterhead, advice
once per kind, Royal Mail order, and emails sent only after a preview, a test and a confirmed
count. Every generated document is read back (pdftotext, the SMTP server, the public page)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from incidentroom.breach import actions, emails, notify, resident
from incidentroom.breach.letters import build_letter, postcode_sort_key, sort_for_post
from incidentroom.breach.models import Breach, DeliveryStatus, Individual
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from tests.helpers.breachhelp import RESIDENT_WORDING, approve_wording, flat, import_people, make_letters
from tests.helpers.db import first
from tests.helpers.live import SmtpSink
from tests.helpers.pdfcheck import pdftotext

# The internal assessment, as a DPO writes it for the ICO and the police: none of it may
# reach a resident.
INTERNAL = {
    "description": "Attackers who compromised the shared Active Directory exfiltrated SMB shares.",
    "data_sets": "EDRMS export ARCH-2006-2020\nRevs and bens extract RB-17",
    "measures_taken": "Shared directory credentials reset; krbtgt rotated twice.",
    "measures_proposed": "Tier-0 admin workstations by Q2.",
    "likely_consequences": "Targeted phishing using case reference numbers.",
    "discovery": "Darktrace alert on the shared file server at 02:14.",
}
INTERNAL_VALUES = [line for value in INTERNAL.values() for line in value.splitlines()]
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


@pytest.fixture
def internal(scanned: Breach, rbkc_dpo: User) -> Breach:
    """The scanned breach with a realistic internal assessment (the wording stays approved:
    the assessment is not what residents read)."""
    actions.update_breach(scanned, actor=rbkc_dpo, **INTERNAL)
    scanned.refresh_from_db()
    assert resident.is_approved(scanned)
    return scanned


def _no_internal(text: str, where: str) -> None:
    collapsed = flat(text)
    for value in INTERNAL_VALUES:
        assert flat(value) not in collapsed, (where, value)
    assert "Active Directory" not in collapsed and "ARCH-2006" not in collapsed, where


def _has_wording(text: str, where: str) -> None:
    collapsed = flat(text)
    for value in RESIDENT_WORDING.values():
        assert flat(value) in collapsed, (where, value)


# -- no internal field reaches a resident -----------------------------------------------------


def test_letters_read_back_hold_the_resident_wording_and_nothing_internal(
    internal: Breach, rbkc_dpo: User
) -> None:
    batch = make_letters(internal, rbkc_dpo, ["high", "low"])
    directory = Path(batch.directory)
    for letter in batch.letters.all():
        text = pdftotext((directory / "letters" / letter.filename).read_bytes())
        _has_wording(text, letter.filename)
        _no_internal(text, letter.filename)
    _no_internal(pdftotext((directory / "print-file.pdf").read_bytes()), "print file")


def test_emails_read_back_hold_the_resident_wording_and_nothing_internal(
    internal: Breach, rbkc_dpo: User, smtp: Any
) -> None:
    notice = actions.create_email_notice(internal, actor=rbkc_dpo, risks=["high", "low"], subject="")
    notice = actions.confirm_sending(notice, actor=rbkc_dpo, recipients=notify.waiting_count(notice))
    emails.run_batch(notice.pk, notice.run_token, limiter=emails.RateLimiter(0))
    assert len(smtp.messages) == 3
    for message in smtp.messages:
        body = message.get_payload(decode=True).decode()
        _has_wording(body, message["To"])
        _no_internal(body, message["To"])
        _no_internal(message["Subject"], "subject")


def test_public_notice_holds_the_resident_wording_and_nothing_internal(
    internal: Breach, rbkc_dpo: User, client: Client
) -> None:
    public = actions.publish_public_notice(internal, actor=rbkc_dpo)
    body = html.unescape(client.get(f"/notices/{public.slug}/").content.decode())
    _has_wording(body, "public notice")
    _no_internal(body, "public notice")
    # Each kind of advice once, however many categories lead to it.
    text = flat(re.sub(r"<[^>]+>", " ", body))
    assert text.count("Call your bank") == 1 and text.count("Report Fraud on 0300 123 2040") == 1


def _status_pages() -> dict[str, str]:
    from incidentroom.status import site

    orgs = site.organisations()
    pages = {o.code: html.unescape(site.render_org(o)) for o in orgs}
    pages["group"] = html.unescape(site.render_group(orgs))
    pages["json"] = site.render_json(orgs)
    return pages


def test_the_status_page_says_data_was_taken_and_links_to_the_notice_only_while_it_is_live(
    internal: Breach, rbkc_dpo: User
) -> None:
    assert not any("Personal information was taken" in p for p in _status_pages().values())
    notice = actions.publish_public_notice(internal, actor=rbkc_dpo)
    pages = _status_pages()
    for where in ("RBKC", "group"):
        page = pages[where]
        assert "Personal information was taken" in page, where
        assert f'/notices/{notice.slug}/"' in page and "what you can do to protect yourself" in page, where
        assert "National Insurance numbers" in page, where  # the notice's own category labels
        _no_internal(page, f"status page {where}")
    assert f"/notices/{notice.slug}/" in pages["json"]
    _no_internal(pages["json"], "status.json")
    # Another council's page says nothing of RBKC's stolen data.
    assert "Personal information was taken" not in pages["WCC"]
    actions.withdraw_public_notice(notice, actor=rbkc_dpo)
    assert not any("Personal information was taken" in p for p in _status_pages().values())


def test_the_preview_letter_and_email_hold_nothing_internal(
    internal: Breach, rbkc_dpo: User, web: Callable[[User], Client]
) -> None:
    page = web(rbkc_dpo).get(f"/breaches/{internal.pk}/telling/").content.decode()
    assert 'id="letter-preview"' in page and 'id="email-preview"' in page
    preview = page[page.index('id="preview"') :]
    _has_wording(re.sub(r"<[^>]+>", " ", preview).replace("&#x27;", "'"), "preview")
    _no_internal(preview, "preview")
    sample = web(rbkc_dpo).get(f"/breaches/{internal.pk}/telling/sample-letter.pdf")
    assert sample.status_code == 200 and sample["Content-Type"] == "application/pdf"
    _no_internal(pdftotext(sample.content), "sample letter")


# What a blank "What we are doing" may not claim: reports may still be due, containment not
# finished. A default nobody checks against the incident must claim neither.
UNSAFE_CLAIMS = (
    "reported",
    "police",
    "National Cyber Security Centre",
    "Information Commissioner",
    "secured",
    "shut out",
    "contained",
    "working with them",
)


def test_the_default_what_we_are_doing_claims_no_reports_and_no_attackers_shut_out(
    scanned: Breach, rbkc_dpo: User, client: Client
) -> None:
    for default in (resident.DEFAULT_DOING, resident.DEFAULT_DOING_PUBLIC):
        for claim in UNSAFE_CLAIMS:
            assert claim.lower() not in default.lower(), (default, claim)
    breach = approve_wording(scanned, rbkc_dpo, resident_what_we_are_doing="")
    alice = Individual.objects.get(person_id="P0001")
    doing = next(s for s in build_letter(breach, alice).sections if s.heading == "What we are doing")
    assert doing.paragraphs == [resident.DEFAULT_DOING]
    assert resident.DEFAULT_DOING in email_text_for(breach, alice)
    # The public notice's readers have had no letter: its default does not say "again".
    notice = actions.publish_public_notice(breach, actor=rbkc_dpo)
    page = flat(html.unescape(client.get(f"/notices/{notice.slug}/").content.decode()))
    assert resident.DEFAULT_DOING_PUBLIC in page and resident.DEFAULT_DOING not in page
    # The wording page says what a blank box will send, in the same words.
    form = Client()
    form.force_login(rbkc_dpo)
    wording_page = html.unescape(form.get(f"/breaches/{breach.pk}/telling/").content.decode())
    assert resident.DEFAULT_DOING in wording_page and "reported the attack to the police" not in wording_page
    assert "The public notice shows the same words to people nobody has written to" in wording_page


# -- approval before anything is generated ----------------------------------------------------


def test_nothing_is_generated_sent_or_published_before_the_wording_is_approved(
    scanned: Breach, rbkc_dpo: User
) -> None:
    actions.save_wording(scanned, actor=rbkc_dpo, resident_what_happened="Something new happened.")
    scanned.refresh_from_db()
    assert not resident.is_approved(scanned)  # a change withdraws the approval
    with pytest.raises(Conflict):
        actions.generate_letters(scanned, actor=rbkc_dpo, risks=["high"])
    with pytest.raises(Conflict):
        actions.create_email_notice(scanned, actor=rbkc_dpo, risks=["high"], subject="")
    with pytest.raises(Conflict):
        actions.publish_public_notice(scanned, actor=rbkc_dpo)
    stale = resident.wording_hash(scanned)
    actions.save_wording(scanned, actor=rbkc_dpo, resident_what_happened="Changed again.")
    with pytest.raises(Conflict):  # approving a preview of words that have since changed
        actions.approve_wording(scanned, actor=rbkc_dpo, wording=stale)
    scanned.refresh_from_db()
    actions.approve_wording(scanned, actor=rbkc_dpo, wording=resident.wording_hash(scanned))
    scanned.refresh_from_db()
    assert resident.is_approved(scanned)
    assert actions.generate_letters(scanned, actor=rbkc_dpo, risks=["high"]).letter_count == 3
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"breach.resident_text", "breach.resident_text_approved"} <= actions_logged


def test_blank_wording_cannot_be_approved(scanned: Breach, rbkc_dpo: User) -> None:
    actions.save_wording(scanned, actor=rbkc_dpo, resident_what_happened="")
    scanned.refresh_from_db()
    with pytest.raises(InvalidInput):
        actions.approve_wording(scanned, actor=rbkc_dpo, wording=resident.wording_hash(scanned))
    with pytest.raises(Conflict):
        actions.generate_letters(scanned, actor=rbkc_dpo, risks=["high"])


def test_the_dpo_writes_previews_and_approves_on_the_pages(
    scanned: Breach, rbkc_dpo: User, web: Callable[[User], Client]
) -> None:
    client = web(rbkc_dpo)
    actions.save_wording(scanned, actor=rbkc_dpo, resident_what_happened="")
    page = client.get(f"/breaches/{scanned.pk}/").content.decode()
    assert "Write and preview what residents will read" in page and 'id="letters-generate"' not in page
    form = client.get(f"/breaches/{scanned.pk}/telling/").content.decode()
    assert "Not written yet" in form and "we found that criminals had copied" in form  # the suggested start
    client.post(f"/breaches/{scanned.pk}/telling/save/", RESIDENT_WORDING)
    scanned.refresh_from_db()
    page = client.get(f"/breaches/{scanned.pk}/telling/").content.decode()
    assert "Not yet approved" in page and RESIDENT_WORDING["resident_what_you_can_do"] in page
    wording = re.search(r'name="wording" value="([0-9a-f]{64})"', page)
    assert wording is not None
    assert (
        client.post(f"/breaches/{scanned.pk}/telling/approve/", {"wording": wording.group(1)}).status_code
        == 302
    )
    page = client.get(f"/breaches/{scanned.pk}/").content.decode()
    assert "Wording approved" in page and 'id="letters-generate"' in page


def test_another_councils_dpo_and_a_viewer_cannot_change_or_approve_the_wording(
    scanned: Breach, wcc_dpo: User, lbhf_viewer: User, rbkc_comms: User, web: Callable[[User], Client]
) -> None:
    before = resident.wording_hash(scanned)
    for user in (wcc_dpo, lbhf_viewer, rbkc_comms):
        client = web(user)
        assert client.get(f"/breaches/{scanned.pk}/telling/").status_code == 404
        assert client.get(f"/breaches/{scanned.pk}/telling/sample-letter.pdf").status_code == 404
        save = client.post(f"/breaches/{scanned.pk}/telling/save/", {"resident_what_happened": "Hijacked."})
        approve = client.post(f"/breaches/{scanned.pk}/telling/approve/", {"wording": before})
        assert save.status_code == 404 and approve.status_code == 404
        with pytest.raises(Forbidden):
            actions.save_wording(scanned, actor=user, resident_what_happened="Hijacked.")
        with pytest.raises(Forbidden):
            actions.approve_wording(scanned, actor=user, wording=before)
    scanned.refresh_from_db()
    assert resident.wording_hash(scanned) == before and resident.is_approved(scanned)


# -- the letter itself ------------------------------------------------------------------------


def test_advice_appears_once_per_kind(breach: Breach, rbkc_dpo: User, media: Path) -> None:
    from tests.helpers.breachhelp import PEOPLE

    everything = {
        **PEOPLE[0],
        "categories": "name;address;email;phone;bank_account;payment_card;national_insurance_number",
    }
    import_people(breach, rbkc_dpo, media, [everything])
    batch = make_letters(breach, rbkc_dpo)
    letter = batch.letters.get()
    text = flat(pdftotext((Path(batch.directory) / "letters" / letter.filename).read_bytes()))
    assert text.count("Call your bank") == 1
    assert text.count("Report Fraud") == 1
    assert text.count("Watch your bank statements") == 1
    assert text.count("will never contact you about this incident") == 1


def test_the_letter_carries_the_councils_letterhead_signatory_reference_and_a_govuk_date(
    scanned: Breach, rbkc_dpo: User
) -> None:
    batch = make_letters(scanned, rbkc_dpo)
    letter = batch.letters.select_related("individual").first()
    text = pdftotext((Path(batch.directory) / "letters" / letter.filename).read_bytes())
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "Royal Borough of Kensington and Chelsea"  # the letterhead comes first
    collapsed = flat(text)
    for part in ("The Town Hall", "Hornton Street", "W8 7NX", "Helpline 020 7946 0150", "www.rbkc.gov.uk"):
        assert part in collapsed, part
    # The switchboard is one of the lines the attack took down: the helpline stands in for it.
    assert "020 7361 3000" not in collapsed
    assert f"Our reference: RBKC-{scanned.incident.reference}-{letter.individual.pk}" in collapsed
    assert "Yours sincerely, Priya Raman Data Protection Officer" in collapsed
    assert re.search(rf"(?m)^\s*([1-9]|[12]\d|3[01]) ({MONTHS}) 20\d\d\s*$", text), (
        "GOV.UK date on its own line"
    )
    assert not re.search(
        r"\b0\d (January|February|March|April|May|June|July|August|September|October|November|December)", text
    )
    assert "incident-room" not in collapsed.lower() and "localhost" not in collapsed


def test_the_address_block_has_the_postcode_once(scanned: Breach) -> None:
    alice = Individual.objects.get(person_id="P0001")
    alice.address = "12 Abbey Road, London W8 4AA"
    lines = build_letter(scanned, alice).address
    assert lines == ["Alice Ashdown", "12 Abbey Road", "London", "W8 4AA"]


# -- the print file in Royal Mail order -------------------------------------------------------


def test_postcodes_sort_the_way_royal_mail_sorts() -> None:
    given = ["W10 6AB", "B10 1AA", "SW1A 1AA", "W2 1JB", "B0 4SB", "", "SW10 9BB", "B9 9ZZ", "W1T 1AA", "W1 1AA",
             "SW3 5RR", "SW1E 6QP", "NW8 9AB", "not a postcode", "W11 1CC", "W9 2AA"]  # fmt: skip
    ordered = sorted(given, key=postcode_sort_key)
    assert ordered == [
        "B0 4SB", "B9 9ZZ", "B10 1AA", "NW8 9AB", "SW1A 1AA", "SW1E 6QP", "SW3 5RR", "SW10 9BB",
        "W1 1AA", "W1T 1AA", "W2 1JB", "W9 2AA", "W10 6AB", "W11 1CC", "not a postcode", "",
    ]  # fmt: skip
    # Written without the space, the same postcode sorts the same (B04SB is B0 4SB).
    assert postcode_sort_key("B04SB") == postcode_sort_key("B0 4SB") < postcode_sort_key("B10 1AA")


def test_the_print_file_and_csv_follow_royal_mail_order(breach: Breach, rbkc_dpo: User, media: Path) -> None:
    import csv
    import io

    from tests.helpers.breachhelp import PEOPLE

    codes = ["W10 6AB", "W2 1JB", "SW1A 1AA", "W9 2AA"]
    people = [{**p, "postcode": code, "risk": "high"} for p, code in zip(PEOPLE, codes, strict=True)]
    import_people(breach, rbkc_dpo, media, people)
    assert [p.postcode for p in sort_for_post(Individual.objects.all())] == [
        "SW1A 1AA",
        "W2 1JB",
        "W9 2AA",
        "W10 6AB",
    ]
    batch = make_letters(breach, rbkc_dpo, ["high"])
    rows = list(csv.DictReader(io.StringIO((Path(batch.directory) / "print-house.csv").read_text())))
    assert [r["postcode"] for r in rows] == ["SW1A 1AA", "W2 1JB", "W9 2AA", "W10 6AB"]
    text = pdftotext((Path(batch.directory) / "print-file.pdf").read_bytes())
    names = [p["full_name"] for p in sorted(people, key=lambda p: postcode_sort_key(p["postcode"]))]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)


# -- emails: preview, test, confirm -----------------------------------------------------------


def test_emails_are_prepared_tested_and_sent_only_after_the_count_is_confirmed(
    scanned: Breach, rbkc_dpo: User, smtp: Any, web: Callable[[User], Client]
) -> None:
    client = web(rbkc_dpo)
    created = client.post(f"/breaches/{scanned.pk}/emails/", {"risks": ["high", "low"]})
    assert created.status_code == 302
    notice_url = created["Location"]
    page = client.get(notice_url).content.decode()
    assert "Check and send emails to 3 people" in page and "Send 3 emails now" in page
    assert "Royal Borough of Kensington and Chelsea &lt;notices@rbkc.example.gov.uk&gt;" in page
    assert smtp.messages == []  # preparing sends nothing
    notice_id = int(notice_url.rstrip("/").rsplit("/", 1)[1])

    assert client.post(f"/emails/{notice_id}/send/").status_code == 409  # no bypassing the confirmation
    client.post(f"/emails/{notice_id}/test/")
    assert [m["To"] for m in smtp.messages] == [rbkc_dpo.email]
    test = smtp.messages[0]
    assert test["Subject"].startswith("[TEST] ") and "notices@rbkc.example.gov.uk" in test["From"]
    assert "TEST COPY" in test.get_payload(decode=True).decode()
    assert f"Test sent to {rbkc_dpo.email}" in client.get(notice_url).content.decode()

    wrong = client.post(f"/emails/{notice_id}/confirm/", {"recipients": "131"})
    assert wrong.status_code == 409 and "3 people are now on the list" in wrong.content.decode()
    assert client.post(f"/emails/{notice_id}/confirm/", {"recipients": "3"}).status_code == 302
    from incidentroom.breach.models import EmailNotice

    notice = EmailNotice.objects.get(pk=notice_id)
    emails.run_batch(notice.pk, notice.run_token, limiter=emails.RateLimiter(0))
    real = smtp.messages[1:]
    assert sorted(m["To"] for m in real) == ["alice@example.org", "bashir@example.org", "dev@example.org"]
    for message in real:
        assert message["From"] == "Royal Borough of Kensington and Chelsea <notices@rbkc.example.gov.uk>"
        assert message["Message-ID"].endswith("@rbkc.example.gov.uk>")
        assert "localhost" not in message["From"]
    assert notice.counts()[DeliveryStatus.SENT] == 3
    assert client.post(f"/emails/{notice_id}/confirm/", {"recipients": "0"}).status_code == 409  # once only
    assert {"email_notice.test", "email_notice.confirm"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_another_councils_dpo_and_a_viewer_cannot_test_or_confirm(
    scanned: Breach,
    rbkc_dpo: User,
    wcc_dpo: User,
    lbhf_viewer: User,
    smtp: Any,
    web: Callable[[User], Client],
) -> None:
    notice = actions.create_email_notice(scanned, actor=rbkc_dpo, risks=["high"], subject="")
    for user in (wcc_dpo, lbhf_viewer):
        client = web(user)
        assert client.post(f"/emails/{notice.pk}/test/").status_code == 404
        assert client.post(f"/emails/{notice.pk}/confirm/", {"recipients": "3"}).status_code == 404
        with pytest.raises(Forbidden):
            actions.send_test_email(notice, actor=user)
        with pytest.raises(Forbidden):
            actions.confirm_sending(notice, actor=user, recipients=3)
    notice.refresh_from_db()
    assert notice.started_at is None and smtp.messages == []


@pytest.fixture
def smtp(smtp_server: SmtpSink) -> Any:
    """Django's SMTP backend pointed at the test server."""
    from django.test import override_settings

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=smtp_server.host,
        EMAIL_PORT=smtp_server.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield smtp_server


# -- person pages -----------------------------------------------------------------------------


def test_person_page_shows_the_address_once_and_a_national_phone(
    scanned: Breach, rbkc_dpo: User, web: Callable[[User], Client]
) -> None:
    cora = Individual.objects.get(person_id="P0003")
    Individual.objects.filter(pk=cora.pk).update(
        address="7 Cedar Close, London W11 1CC", phone="+44 (0)20 7361 3000"
    )
    page = web(rbkc_dpo).get(f"/people/{cora.pk}/").content.decode()
    address = re.search(r'id="person-address">([^<]*)<', page)
    assert address is not None and address.group(1) == "7 Cedar Close, London, W11 1CC"
    assert page.count("W11 1CC") == 1
    assert re.search(r'id="person-phone">020 7361 3000<', page)


def test_the_demo_councils_have_their_own_letterhead_and_sender(db: None) -> None:
    expected = {
        "RBKC": ("W8 7NX", "020 7361 3000", "notices@rbkc.example.gov.uk"),
        "WCC": ("SW1E 6QP", "020 7641 6000", "notices@westminster.example.gov.uk"),
        "LBHF": ("W6 9JU", "020 8748 3020", "notices@lbhf.example.gov.uk"),
    }
    for code, (postcode, phone, sender) in expected.items():
        org = Organisation.objects.get(code=code)
        assert org.postal_address.splitlines()[-1] == postcode
        assert (org.main_phone, org.notices_from_email) == (phone, sender)
        assert org.signatory_name and org.signatory_title


def test_residents_are_given_the_incident_helpline_not_the_switchboard(
    scanned: Breach, rbkc_dpo: Any, client: Any
) -> None:
    # The demo councils each have a helpline apart from their switchboard (down in the incident).
    helplines = dict(Organisation.objects.values_list("code", "resident_helpline"))
    switchboards = dict(Organisation.objects.values_list("code", "main_phone"))
    for code in ("RBKC", "WCC", "LBHF"):
        assert helplines[code] and helplines[code] != switchboards[code]
    assert len({helplines[c] for c in ("RBKC", "WCC", "LBHF")}) == 3
    helpline = "If you have questions, call our helpline for this incident on 020 7946 0150."
    batch = make_letters(scanned, rbkc_dpo)
    letter = batch.letters.select_related("individual").first()
    text = flat(pdftotext((Path(batch.directory) / "letters" / letter.filename).read_bytes()))
    assert helpline in text and "helpline for this incident on 020 7361 3000" not in text
    assert helpline in email_text_for(scanned, letter.individual)
    notice = actions.publish_public_notice(scanned, actor=rbkc_dpo)
    page = html.unescape(client.get(f"/notices/{notice.slug}/").content.decode())
    assert helpline in flat(page)

    # With a helpline, the DPO's desk phone and the switchboard (council lines the attack took
    # down) appear in no resident document; the DPO's email and the postal address do.
    dpo_phone, switchboard = scanned.organisation.dpo_phone, scanned.organisation.main_phone
    assert dpo_phone and switchboard
    email = email_text_for(scanned, letter.individual)
    for where, body in (("letter", text), ("email", email), ("notice", flat(page))):
        assert flat(dpo_phone) not in body and flat(switchboard) not in body, where
        assert scanned.organisation.dpo_email in body, where
        assert "Hornton Street" in body, where

    # A council without a helpline is not given one: residents are not sent to the switchboard.
    Organisation.objects.filter(code="RBKC").update(resident_helpline="")
    scanned.organisation.refresh_from_db()
    person = first(Individual.objects.filter(breach=scanned))
    assert "helpline" not in email_text_for(scanned, person)
    # ...and the DPO's own number is then the way to reach them.
    assert flat(dpo_phone) in email_text_for(scanned, person)


def test_the_email_says_how_to_check_it_is_genuine_and_what_the_council_never_asks(
    scanned: Breach, rbkc_dpo: User
) -> None:
    person = first(Individual.objects.filter(breach=scanned, email__gt=""))
    body = email_text_for(scanned, person)
    assert (
        "To check that this email is from Royal Borough of Kensington and Chelsea, call our helpline "
        "on 020 7946 0150 or visit our website, www.rbkc.gov.uk." in body
    )
    assert "We will never ask you for your bank details or passwords by email" in body
    # The check comes before the questions and the sign-off, and only in the email.
    assert body.index("Checking this email is really from us") < body.index("Yours sincerely")
    assert "Checking this email" not in flat(build_letter(scanned, person).plain_text())
    # Without a helpline or website, the never-ask line still stands; no empty route is offered.
    Organisation.objects.filter(code="RBKC").update(resident_helpline="", website="")
    scanned.organisation.refresh_from_db()
    bare = email_text_for(scanned, person)
    assert "To check that this email is from" not in bare
    assert "We will never ask you for your bank details or passwords by email" in bare


def test_the_public_notice_is_the_councils_page_for_someone_nobody_has_written_to(
    scanned: Breach, rbkc_dpo: User, client: Client
) -> None:
    notice = actions.publish_public_notice(scanned, actor=rbkc_dpo)
    for reader in (client, _signed_in(rbkc_dpo)):  # an officer sees the public page, not the tool
        raw = html.unescape(reader.get(f"/notices/{notice.slug}/").content.decode())
        body = flat(re.sub(r"<[^>]+>", " ", raw))
        assert "Incident Room" not in raw and "Apache" not in raw, "product name or licence on a public page"
        assert 'id="notice-brand">Royal Borough of Kensington and Chelsea<' in raw
        assert 'id="navigation"' not in raw and "Sign out" not in raw
        assert "How to find out if you are affected" in body
        assert "If you are worried that information about you was taken, call our helpline for this " in body
        assert "incident on 020 7946 0150" in body
        # It promises no letter to a reader the DPO may not write to.
        assert "Some people may not hear from us" in body
        assert not any("write to you" in p for p in notice.content["find_out"])
    # The status pages carry no product licence line either.
    assert not any("Apache" in p or "Incident Room is open source" in p for p in _status_pages().values())


def _signed_in(user: User) -> Client:
    signed = Client()
    signed.force_login(user)
    return signed


def email_text_for(breach: Breach, person: Individual) -> str:
    return flat(emails.email_text(breach, person))


def test_the_demo_archive_residents_live_in_the_three_boroughs() -> None:
    from tests.helpers.scangen import LONDON_STREETS, Population

    people = Population(200, 2025, london=True).people  # make_demo_archive's population
    postcodes = [postcode for p in people for _year, _street, _town, postcode in p.addresses]
    assert postcodes and all(pc.split()[0] in LONDON_STREETS for pc in postcodes)
    assert all(town == "London" for p in people for _year, _street, town, _pc in p.addresses)
    assert not [pc for pc in postcodes if pc.startswith("HU")]


def test_wording_changed_after_approval_stops_emails_and_letters_already_asked_for(
    scanned: Breach, rbkc_dpo: User, smtp: Any
) -> None:
    """Emails and letters are built from the wording when they are sent or printed, so a
    change after the approval must stop them, whichever way sending was asked for."""
    from incidentroom.breach import jobs
    from incidentroom.breach.models import BatchStatus, EmailNotice, LetterBatch

    notice = actions.create_email_notice(scanned, actor=rbkc_dpo, risks=["high", "low"], subject="")
    batch = actions.generate_letters(scanned, actor=rbkc_dpo, risks=["high"])
    running = actions.start_sending(notice, actor=rbkc_dpo)
    actions.save_wording(scanned, actor=rbkc_dpo, resident_what_happened="Not yet approved.")

    # The run already started stops before a single email goes out ...
    assert jobs.claim_delivery(running.pk, running.run_token) is None
    emails.run_batch(running.pk, running.run_token, limiter=emails.RateLimiter(0))
    assert smtp.messages == []
    assert EmailNotice.objects.get(pk=notice.pk).run_token == ""
    # ... resuming (page or API) asks for the approval again ...
    with pytest.raises(Conflict, match="approve the wording"):
        actions.start_sending(notice, actor=rbkc_dpo)
    # ... and letters asked for before the change are not printed from the new words.
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED)
    assert jobs.render_letters(batch.pk) is None
    refused = LetterBatch.objects.get(pk=batch.pk)
    assert refused.status == BatchStatus.FAILED and "approve it again" in refused.error
    assert {"email_notice.stopped", "letters.refused"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
