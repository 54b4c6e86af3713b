"""Telling residents, in a real browser against the real server, worker and SMTP server.

The DPO writes what residents will read, checks the letter and email preview, approves it,
generates the letters, prepares the emails, sends a test to herself, confirms the number
and sends. A resident then reads the public notice, their letter and their email. Full-page
screenshots go to tests/browser/artifacts/ for people to read.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.helpers.breachhelp import axe_violations, flat
from tests.helpers.live import LiveApp
from tests.helpers.pdfcheck import pdftotext
from tests.helpers.scenario import live_reference

pytestmark = [pytest.mark.browser]

INTERNAL = [
    "Attackers who compromised the shared Active Directory exfiltrated SMB shares.",
    "EDRMS export ARCH-2006-2020",
    "Shared directory credentials reset; krbtgt rotated twice.",
]
WORDING = {
    # As a careful DPO writes it on the day: no weekday or date that may be wrong, no claim that
    # reports were made or the attackers shut out before anyone can be sure. The incident
    # helpline comes from the council's settings, not the switchboard the attack took down.
    "#id_resident_what_happened": "During a cyber attack on our computer systems, criminals copied some old "
    "files.\n\nWe are writing to everyone whose information we have found in those files.",
    "#id_resident_what_we_are_doing": "We are investigating with specialist help and are checking every file "
    "that was copied. We will write to you again if we find more information about you.",
    "#id_resident_what_you_can_do": "Read the advice below for each kind of information about you.",
}
HELPLINE = "helpline for this incident on 020 7946 0150"


@dataclass
class Inbox:
    """What the SMTP server received."""

    port: int
    messages: list[Message] = field(default_factory=list)


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    """A real SMTP server for the live app."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    box = Inbox(port)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
            box.messages.append(message_from_bytes(envelope.content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RBKC's evidence folder (the people are imported from hand-written scanner outputs)."""
    root = tmp_path_factory.mktemp("evidence")
    (root / "rbkc").mkdir()
    return root


@pytest.fixture(scope="module")
def live_app_env(inbox: Inbox, evidence: Path) -> dict[str, str]:
    """The live app's email goes to the test SMTP server; its evidence is the folder above."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(inbox.port),
        "BREACH_SCAN_ROOTS": str(evidence),
        "BREACH_EMAIL_RATE_PER_MINUTE": "0",
    }


SETUP = """
import datetime as dt
from pathlib import Path
from django.utils import timezone
from incidentroom.breach import actions
from incidentroom.core.models import Organisation
from incidentroom.incidents.models import Incident
from tests.helpers.breachhelp import import_people
from tests.helpers.personas import persona
dpo = persona("dpo", "RBKC")
breach = actions.record_breach(
    Incident.objects.get(reference={reference!r}), actor=dpo, organisation=Organisation.objects.get(code="RBKC"),
    description={description!r}, data_sets={data_sets!r}, measures_taken={measures!r},
    became_aware_at=timezone.now() - dt.timedelta(hours=3),
)
import_people(breach, dpo, Path({folder!r}))
print(breach.pk)
"""


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def _no_internal(text: str, where: str) -> None:
    for value in INTERNAL:
        assert value not in flat(text), (where, value)
    assert "Active Directory" not in text, where


def test_dpo_previews_tests_confirms_and_generates_then_a_resident_reads_it(
    page: Page, browser: Browser, live_app: LiveApp, login: Any, evidence: Path, inbox: Inbox, artifacts: Path
) -> None:
    done = live_app.python(
        SETUP.format(
            description=INTERNAL[0],
            data_sets=INTERNAL[1],
            measures=INTERNAL[2],
            folder=str(evidence / "rbkc"),
            reference=live_reference(live_app),
        )
    )
    assert done.returncode == 0, done.stderr
    breach_id = int(done.stdout.strip().splitlines()[-1])
    breach_url = f"{live_app.url}/breaches/{breach_id}/"

    # -- the DPO: write, preview, approve ----------------------------------------------------
    login(page, live_app, "dpo", "RBKC")
    page.goto(breach_url + "#letters")
    assert page.locator("#letters-generate").count() == 0  # nothing to generate before approval
    _shot(page, artifacts, "letters-dpo-1-breach-before-wording")
    page.click("#telling-link")
    page.wait_for_selector("#wording-form")
    for selector, text in WORDING.items():
        page.fill(selector, text)
    page.click("#wording-save")
    page.wait_for_selector("#letter-preview")
    assert "Not yet approved" in page.locator("#wording-status").inner_text()
    assert axe_violations(page) == []
    letter = page.locator("#letter-preview").inner_text()
    email = page.locator("#email-preview").inner_text()
    for text in (letter, email):
        assert (
            HELPLINE in text
            and "020 7361 3000." not in text
            and "Royal Borough of Kensington and Chelsea" in text
        )
        _no_internal(text, "preview")
    assert letter.count("Call your bank") <= 1
    assert "notices@rbkc.example.gov.uk" in page.locator("#email-from").inner_text()
    _shot(page, artifacts, "letters-dpo-2-preview")
    sample = page.request.get(live_app.url + (page.locator("#sample-letter").get_attribute("href") or ""))
    assert sample.ok
    _no_internal(pdftotext(sample.body()), "sample letter")
    page.click("#wording-approve")
    page.wait_for_selector("text=Wording approved")

    # -- letters --------------------------------------------------------------------------
    for risk in ("high", "medium", "low"):
        page.check(f"#letters-{risk}")
    page.click("#letters-generate")
    page.wait_for_selector("#print-file", timeout=60_000)
    assert axe_violations(page) == []
    _shot(page, artifacts, "letters-dpo-3-letters-ready")
    print_file = page.request.get(live_app.url + (page.locator("#print-file").get_attribute("href") or ""))
    assert print_file.ok
    printed = pdftotext(print_file.body())
    _no_internal(printed, "print file")
    assert "Page 1 of " in printed  # each letter numbers its own pages
    assert (
        printed.index("Bashir Bello") < printed.index("Alice Ashdown") < printed.index("Cora Cole")
    )  # SW10, W8, W11
    pdf = artifacts / "letters-resident-print-file.pdf"
    pdf.write_bytes(print_file.body())
    subprocess.run(  # noqa: S603 - poppler draws the first letter as the resident sees it
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "2",
            str(pdf),
            str(artifacts / "letters-resident-letter"),
        ],
        check=True,
    )

    # -- emails: prepare, test, confirm -------------------------------------------------------
    page.goto(breach_url + "#letters")
    for risk in ("high", "medium", "low"):
        page.check(f"#emails-{risk}")
    page.click("#emails-send")
    page.wait_for_selector("#emails-confirm")
    heading = page.locator("h1").inner_text()
    assert heading == "Check and send emails to 3 people", heading
    assert inbox.messages == []  # preparing sends nothing
    assert axe_violations(page) == []
    _shot(page, artifacts, "letters-dpo-4-email-check")
    page.click("#emails-test")
    page.wait_for_selector("#test-sent")
    assert [m["To"] for m in inbox.messages] == ["rbkc.dpo@persona.example.gov.uk"]
    assert inbox.messages[0]["Subject"].startswith("[TEST] ")
    _shot(page, artifacts, "letters-dpo-5-test-sent")
    assert page.locator("#emails-confirm").inner_text() == "Send 3 emails now"
    page.click("#emails-confirm")
    page.wait_for_function(
        "() => /Sent 3/.test(document.querySelector('#email-counts').textContent)", timeout=60_000
    )
    assert axe_violations(page) == []
    _shot(page, artifacts, "letters-dpo-6-emails-sent")
    real = inbox.messages[1:]
    assert sorted(m["To"] for m in real) == ["alice@example.org", "bashir@example.org", "dev@example.org"]

    # -- the public notice ------------------------------------------------------------------
    page.goto(breach_url)
    page.click("#public-publish")
    notice_url = page.locator("#public-link").get_attribute("href") or ""

    # -- a resident (not signed in) reads the notice and their email --------------------------
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    resident = context.new_page()
    try:
        resident.goto(live_app.url + notice_url)
        resident.wait_for_selector("h1")
        body = resident.locator("main").inner_text()
        _no_internal(body, "public notice")
        assert HELPLINE in body and body.count("Call your bank") == 1
        assert axe_violations(resident) == []
        _shot(resident, artifacts, "letters-resident-public-notice")
        # The status page tells residents their data was taken and links to the notice.
        for path, name in (
            ("/status/rbkc/", "letters-resident-status-rbkc"),
            ("/status/", "letters-resident-status"),
        ):
            resident.goto(live_app.url + path)
            warning = resident.locator("#data-notice-rbkc").inner_text()
            assert "Personal information was taken" in warning and "Read what was taken" in warning, path
            link = resident.locator("#data-notice-rbkc a").get_attribute("href") or ""
            assert link.endswith(notice_url), (path, link)
            _no_internal(resident.locator("main").inner_text(), path)
            assert axe_violations(resident) == []
            _shot(resident, artifacts, name)
    finally:
        context.close()
    alice = next(m for m in real if m["To"] == "alice@example.org")
    assert alice["From"] == "Royal Borough of Kensington and Chelsea <notices@rbkc.example.gov.uk>"
    text = alice.get_payload(decode=True).decode()  # type: ignore[union-attr]
    _no_internal(text, "Alice's email")
    assert "Alice Ashdown" in text and "Bashir" not in text
    (artifacts / "letters-resident-email.txt").write_text(
        f"From: {alice['From']}\nTo: {alice['To']}\nSubject: {alice['Subject']}\n\n{text}", encoding="utf-8"
    )
