"""The incident flow in a real browser against the real server (granian + worker)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.helpers.live import LiveApp
from tests.helpers.scenario import live_reference

pytestmark = pytest.mark.browser


def test_gold_marks_a_shared_system_and_sees_the_blast_radius_and_clocks(
    page: Page, live_app: LiveApp, login: Any
) -> None:
    login(page, live_app, "gold", "RBKC")
    page.click("text=Incidents")
    page.click(f"text={live_reference(live_app)}")
    page.wait_for_selector("h1:has-text('Cyber attack on shared IT')")

    # WCC has shut its network down, so it has already lost every service; the other two
    # councils still take payments online.
    for org in ("RBKC", "LBHF"):
        assert "Online payments" not in page.locator(f"#services-grid [data-org={org}]").inner_text()
    assert "Online payments" in page.locator("#services-grid [data-org=WCC]").inner_text()
    page.select_option("#id_system", "shared-payments")
    page.select_option("#id_state", "compromised")
    page.click("#system-state-form button[type=submit]")
    page.wait_for_selector("text=Payments gateway is now compromised")
    for org in ("RBKC", "WCC", "LBHF"):
        column = page.locator(f"#services-grid [data-org={org}]").inner_text()
        assert "Online payments" in column, org
        assert "Payments gateway" in column  # the 'because' path names the compromised system

    page.select_option("#log-form #id_kind", "decision")
    page.fill("#log-form #id_text", "Take card payments by phone only via the backup provider.")
    page.click("#log-form button[type=submit]")
    page.wait_for_selector("#latest-log >> text=Take card payments by phone only")

    # The ICO clock for RBKC runs 72 hours from RBKC's awareness of the personal data breach.
    aware_cell = page.locator("#containment tr", has_text="Kensington").locator("td").nth(3).inner_text()
    aware_text = aware_cell.splitlines()[0]  # the time; the line under it says which awareness it is
    assert "starts the ICO 72 hours" in aware_cell
    deadline_text = page.locator("#obligation-RBKC-ico .ir-deadline").inner_text()
    # Both are shown in UK time with their zone (GMT/BST): 72 *elapsed* hours apart.
    assert _uk(aware_text) + dt.timedelta(hours=72) == _uk(deadline_text)
    assert "left" in page.locator("#obligation-RBKC-ico [data-deadline]").inner_text()

    # The log page shows the decision and an intact chain.
    page.click("text=Full log")
    assert "Hash chain intact" in page.locator("#chain-status").inner_text()
    assert page.locator("text=Take card payments by phone only").count() == 1


def _uk(text: str) -> dt.datetime:
    """'27 Oct 2026 09:00 GMT' (as uk_time writes it) as a UTC instant."""
    *when, zone = text.split()
    assert zone in ("GMT", "BST"), text
    naive = dt.datetime.strptime(" ".join(when), "%d %b %Y %H:%M")  # noqa: DTZ007 - zone handled below
    return naive.replace(tzinfo=dt.UTC) - dt.timedelta(hours=1 if zone == "BST" else 0)
