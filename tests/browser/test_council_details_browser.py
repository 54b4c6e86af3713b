"""The Council details page in a real browser: Gold corrects the signatory, makes a mistake in
the helpline, gets the page back with the error summary leading to the field, then a viewer
reads the details with no form. axe-core checks each state; screenshots go to
tests/browser/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.axe import axe_violations
from tests.helpers.live import LiveApp

pytestmark = pytest.mark.browser


def _checked(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"council-details-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_gold_keeps_the_letterhead_and_a_viewer_reads_it(
    page: Any, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    login(page, live_app, "gold", "RBKC")
    page.goto(live_app.url + "/")
    page.click("header >> text=Council details")
    assert page.url.endswith("/organisations/RBKC/")
    _checked(page, artifacts, "gold")
    page.fill("#signatory_name", "Ana O'Neill")
    page.fill("#resident_helpline", "12345")
    page.click("text=Save details")
    page.wait_for_selector("#error-summary")
    assert page.title().startswith("Error: ")
    _checked(page, artifacts, "gold-error")
    page.locator("#error-summary a[href='#resident_helpline']").click()
    assert page.evaluate("document.activeElement.id") == "resident_helpline"
    assert page.input_value("#signatory_name") == "Ana O'Neill"  # kept while the mistake is corrected
    page.fill("#resident_helpline", "0800 028 2222")
    page.click("text=Save details")
    page.wait_for_selector("text=details are saved")
    assert page.input_value("#signatory_name") == "Ana O'Neill"

    page.context.clear_cookies()
    login(page, live_app, "viewer", "RBKC")
    page.goto(live_app.url + "/organisations/RBKC/")
    assert page.locator("#details-form").count() == 0
    assert page.locator("text=Ana O'Neill").count() == 1
    _checked(page, artifacts, "viewer")
