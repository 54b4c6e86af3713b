"""The issue's 'done when' for advisories, in a real browser against the real server: a staff
member sees the advisory at sign-in, acknowledges it, and the advisory page counts it.
axe-core checks the advisory pages for WCAG 2.2 AA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.helpers import personas
from tests.helpers.live import LiveApp

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TITLE = "Do not click links from colleagues at RBKC or WCC"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page and return its WCAG 2.2 AA violations."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) does not apply.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


def test_staff_member_sees_advisory_at_sign_in_acknowledges_and_is_counted(
    page: Page, browser: Browser, live_app: LiveApp, login: Any
) -> None:
    login(page, live_app, "comms", "RBKC")
    page.goto(live_app.url + "/advisories/")
    page.fill("#adv-title", TITLE)
    page.fill(
        "#adv-body",
        "Do not click links in Outlook or Teams messages from colleagues at RBKC or WCC "
        "until further notice. Phone them on a known number to check.",
    )
    page.select_option("#adv-severity", "critical")
    page.fill("#adv-domains", "rbkc.gov.uk, westminster.gov.uk")
    with page.expect_navigation():
        page.click("button:has-text('Publish advisory')")
    assert page.locator("#read-count").inner_text() == "1"  # the author
    assert "New-TransportRule" in page.locator("pre").inner_text()
    assert axe_violations(page) == []

    staff = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    dpo = staff.new_page()
    dpo.set_default_timeout(15000)
    login(dpo, live_app, "dpo", "RBKC")
    # Straight after sign-in, before anything else: the advisory.
    assert "/advisories/pending/" in dpo.url
    assert dpo.locator("h1").inner_text() == "Please read before you continue"
    assert TITLE in dpo.locator("main").inner_text()
    assert axe_violations(dpo) == []
    with dpo.expect_navigation():
        dpo.click("button:has-text('I have read and understood this')")
    dpo.wait_for_url(lambda url: "/advisories/pending/" not in url)
    assert dpo.locator("h1").inner_text() == "Incidents"
    staff.close()

    page.reload()
    assert page.locator("#read-count").inner_text() == "2"
    assert "Not yet" not in page.locator("tr", has_text=personas.username("dpo", "RBKC")).inner_text()
