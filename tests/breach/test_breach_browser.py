"""The DPO's whole breach flow in a real browser against the real server, worker and SMTP.

A DPO records the breach, scans a generated archive (the worker runs the real scanner),
watches progress, opens the ICO draft with the counts and categories filled in, downloads
the PDF, generates the letters and sends the emails, which arrive at a local SMTP server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from incidentroom import csvfile
from tests.helpers.breachhelp import axe_violations, flat, pdf_text
from tests.helpers.live import LiveApp
from tests.helpers.scangen import generate_archive
from tests.helpers.scenario import live_reference

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Inbox:
    """What the SMTP server received."""

    port: int
    messages: list[Message] = field(default_factory=list)


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    """A real SMTP server for the live app (module-scoped, like the app)."""
    import socket

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
    """The stolen copy, as generated council archive, in the server's evidence folder."""
    root = tmp_path_factory.mktemp("evidence")
    generate_archive(
        root / "rbkc" / "rbkc-archive",
        n_people=30,
        seed=21,
        formats={"csv", "xlsx", "docx", "eml", "pdf"},
        containers=False,
    )
    return root


@pytest.fixture(scope="module")
def live_app_env(inbox: Inbox, evidence: Path) -> dict[str, str]:
    """Point the live app's email at the test SMTP server and its scans at the evidence."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(inbox.port),
        "BREACH_SCAN_ROOTS": str(evidence),
        "BREACH_EMAIL_RATE_PER_MINUTE": "0",
        "DEFAULT_FROM_EMAIL": "dpo@rbkc.example.gov.uk",
    }


def test_dpo_assesses_scans_reports_and_tells_people(
    page: Page, live_app: LiveApp, login: Any, evidence: Path, inbox: Inbox, tmp_path: Path
) -> None:
    reference = live_reference(live_app)
    login(page, live_app, "dpo", "RBKC")
    page.click("header >> text=Data breaches")
    # RBKC declared the breach in the incident: the list offers to record it on that row.
    page.click(f"#declared-RBKC-{reference} >> text=Record the breach")
    assert axe_violations(page) == []
    page.fill("#id_description", "Attackers copied the shared document archive from the data centre.")
    page.fill("#id_data_sets", "Document archive 2006-2020")
    page.check("#id_people_categories_0")
    page.click("#breach-form button[type=submit]")
    page.wait_for_selector("text=Breach recorded for RBKC")
    assert "ICO report" in page.locator("#ico-clock").inner_text()

    page.fill("#scan-path", str(evidence / "rbkc" / "rbkc-archive"))
    page.click("#scan-start")
    page.wait_for_selector("#scan-progress-bar")
    page.wait_for_selector("#scan-status[data-status=succeeded]", timeout=120_000)
    progress = page.locator("#scan-progress-text").inner_text()
    files = re.search(r"(\d+) of (\d+) files", progress)
    assert files and files.group(1) == files.group(2) and int(files.group(2)) > 0, progress
    found = int(page.locator("#people-count").inner_text().split()[0])
    assert found > 0
    assert axe_violations(page) == []
    breach_url = page.url
    page.click("#individuals-link")
    page.wait_for_selector("#people-total")
    assert axe_violations(page) == []
    page.click("#people-filter button[type=submit]")
    page.locator("tbody a").first.click()
    page.wait_for_selector("#contact-status")
    assert axe_violations(page) == []
    page.goto(breach_url)

    page.click("#draft-ico")
    page.wait_for_selector("#report-body")
    assert axe_violations(page) == []
    body = flat(page.locator("#report-body").inner_text())
    assert f"Approximate number of people affected {found}" in body
    out = next((live_app.var_dir / "media" / "breach" / "scans").iterdir())
    with csvfile.open_for_reading(out / "individuals.csv") as handle:
        rows = list(csvfile.read_rows(handle))
    assert len(rows) == found
    exposed = {c for r in rows for c in r["categories"].split(";") if c}
    for category, label in (
        ("bank_account", "Bank account numbers"),
        ("national_insurance_number", "National Insurance numbers"),
        ("health", "Health information"),
    ):
        assert (label in body) == (category in exposed), category
    with page.expect_download() as info:
        page.click("#download-pdf")
    saved = tmp_path / "ico.pdf"
    info.value.save_as(saved)
    pdf = flat(pdf_text(saved.read_bytes()))
    assert f"Approximate number of people affected {found}" in pdf and "Priya Raman" in pdf

    page.click(f"text={reference} · Royal Borough of Kensington and Chelsea")
    # Letters, emails and the notice come only from resident wording approved after a preview.
    page.click("#telling-link")
    page.fill("#id_resident_what_happened", "Criminals copied old files from our computer systems.")
    page.click("#wording-save")
    page.wait_for_selector("#letter-preview")
    page.click("#wording-approve")
    page.wait_for_selector("text=Wording approved")
    for risk in ("high", "medium", "low"):
        page.check(f"#letters-{risk}")
    page.click("#letters-generate")
    page.wait_for_selector("#print-file", timeout=60_000)  # the worker renders the batch
    assert axe_violations(page) == []
    letters = int(re.search(r"(\d+) letters", page.locator("h1").inner_text()).group(1))  # type: ignore[union-attr]
    postal = [r for r in rows if r["address"].strip() or r["postcode"].strip()]
    assert letters == len(postal)  # people with no postal address are counted, not written to
    if len(postal) < found:
        assert f"{found - len(postal)} " in page.locator("#without-address").inner_text()

    page.click(f"text={reference} · Royal Borough of Kensington and Chelsea")
    for risk in ("high", "medium", "low"):
        page.check(f"#emails-{risk}")
    page.click("#emails-send")
    page.wait_for_selector("#emails-confirm")  # prepared, not sent: the count is confirmed first
    page.click("#emails-confirm")
    page.wait_for_selector("#email-counts")
    with_email = [r for r in rows if r["email"]]
    page.wait_for_function(
        "n => /Sent (\\d+)/.exec(document.querySelector('#email-counts').textContent)[1] == n",
        arg=str(len(with_email)),
        timeout=60_000,
    )
    assert axe_violations(page) == []
    received = sorted(m["To"] for m in inbox.messages)
    assert received == sorted(r["email"] for r in with_email)
    for message in inbox.messages:
        person = next(r for r in rows if r["email"] == message["To"])
        text = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert person["full_name"] in text
        others = [
            r["full_name"]
            for r in rows
            if r["full_name"]
            and r["person_id"] != person["person_id"]
            and r["full_name"] not in person["full_name"]
        ]
        assert not [name for name in others if name in text]

    # The public notice for the disproportionate-effort case: readable by anyone, names no one.
    page.goto(breach_url)
    page.click("#public-publish")
    page.click("#public-link")
    page.wait_for_selector("h1")
    assert "What information was taken" in page.content()
    assert axe_violations(page) == []
    public = flat(page.locator("main").inner_text())
    assert not [r["full_name"] for r in rows if r["full_name"] and r["full_name"] in public]
