"""The GOV.UK date input and same-page errors in a real browser (issue 15, item 5): each
persona opens the pages whose forms changed, sends a mistake, and gets the page back with an
error summary whose link moves focus to the field. axe-core (WCAG 2.2 AA) checks every page
in both states; full-page screenshots are left in tests/browser/artifacts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.axe import axe_violations
from tests.helpers.live import LiveApp
from tests.helpers.scenario import live_reference

pytestmark = pytest.mark.browser


def _checked(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"forms-{name}.png"), full_page=True)
    assert "datetime-local" not in page.content(), name
    assert axe_violations(page) == [], name


def _summary_leads_to(page: Any, field_id: str) -> None:
    """The error summary is shown and its link puts focus on the field it names."""
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    summary.locator(f"a[href='#{field_id}']").first.click()
    assert page.evaluate("document.activeElement.id") == field_id


def test_comms_advisory_and_status_forms(page: Any, live_app: LiveApp, login: Any, artifacts: Path) -> None:
    login(page, live_app, "comms", "RBKC")
    page.goto(live_app.url + "/advisories/")
    _checked(page, artifacts, "advisories")
    page.fill("#adv-title", "Fake payroll emails")
    page.fill("#adv-body", "Do not open attachments from payroll-update addresses.")
    page.fill("#adv-expires-year", "")
    page.click("text=Publish advisory")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "advisories-error")
    _summary_leads_to(page, "adv-expires-day")
    assert page.input_value("#adv-title") == "Fake payroll emails"

    page.goto(live_app.url + "/comms/status/")
    _checked(page, artifacts, "status-manage")
    page.fill("#upd-text", "   ")
    page.click("text=Publish update")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "status-manage-error")
    _summary_leads_to(page, "upd-text")


def test_silver_continuity_board_forms(page: Any, live_app: LiveApp, login: Any, artifacts: Path) -> None:
    login(page, live_app, "silver", "RBKC")
    page.goto(live_app.url + "/continuity/RBKC/")
    _checked(page, artifacts, "continuity")
    first = page.locator("details[id^=service-form-]").first
    first.locator("summary").click()
    service = str(first.get_attribute("id")).removeprefix("service-form-")
    page.fill(f"#rto-{service}", "four")
    page.click(f"#service-form-{service} >> text=Save plan")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "continuity-error")
    _summary_leads_to(page, f"rto-{service}")
    assert page.input_value(f"#rto-{service}") == "four"


def test_gold_threats_pages_take_dates_in_boxes(
    page: Any, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    reference = live_reference(live_app)
    login(page, live_app, "gold", "RBKC")
    page.goto(f"{live_app.url}/incidents/{reference}/threats/")
    _checked(page, artifacts, "threats")
    page.select_option("#ind-type", "domain")
    page.fill("#ind-value", "not a domain")
    page.fill("#ind-source-name", "NCSC alert")
    page.click("#indicator-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "threats-error")
    _summary_leads_to(page, "ind-value")
    assert page.input_value("#ind-source-name") == "NCSC alert"

    page.goto(f"{live_app.url}/incidents/{reference}/evidence/")
    _checked(page, artifacts, "evidence-list")
    page.fill("#ev-description", "Memory of DC02")
    page.fill("#ev-sha", "not-a-hash")
    page.fill("#ev-by", "K. Mensah")
    # Yesterday on the London calendar (the boxes are UK time).
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).astimezone(ZoneInfo("Europe/London")).date()
    for box, value in zip(
        ("day", "month", "year", "hour", "minute"),
        (yesterday.day, yesterday.month, yesterday.year, 9, 30),
        strict=True,
    ):
        page.fill(f"#ev-at-{box}", str(value))
    page.click("#evidence-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "evidence-list-error")
    _summary_leads_to(page, "ev-sha")
    assert page.input_value("#ev-description") == "Memory of DC02"


def test_dpo_breach_record_form_errors(page: Any, live_app: LiveApp, login: Any, artifacts: Path) -> None:
    reference = live_reference(live_app)
    login(page, live_app, "dpo", "WCC")
    page.goto(f"{live_app.url}/incidents/{reference}/data-breach/")
    _checked(page, artifacts, "breach-record")
    page.fill("#id_description", "The licensing archive was copied out.")
    page.fill("#id_became_aware_at-year", "")
    page.click("#breach-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "breach-record-error")
    _summary_leads_to(page, "id_became_aware_at-day")
    assert page.input_value("#id_description") == "The licensing archive was copied out."


def test_dpo_breach_page_and_wording_form_errors(
    page: Any, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    reference = live_reference(live_app)
    login(page, live_app, "dpo", "LBHF")
    page.goto(f"{live_app.url}/incidents/{reference}/data-breach/")
    page.fill("#id_description", "The housing archive was copied out.")
    with page.expect_navigation():
        page.click("#breach-form button[type=submit]")
    assert "/breaches/" in page.url, page.url
    breach_url = page.url
    page.fill("#scan-path", "../../../etc")
    page.click("#scan-start")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "breach-scan-error")
    _summary_leads_to(page, "scan-path")
    assert page.input_value("#scan-path") == "../../../etc"

    page.goto(breach_url.rstrip("/") + "/telling/")
    _checked(page, artifacts, "telling")
    page.fill("#id_resident_what_happened", "")
    page.fill("#id_resident_what_you_can_do", "Call the helpline.")
    page.click("#wording-save")
    page.wait_for_selector("#error-summary")
    _checked(page, artifacts, "telling-error")
    _summary_leads_to(page, "id_resident_what_happened")
    assert page.input_value("#id_resident_what_you_can_do") == "Call the helpline."
