"""In a real browser against the real server (granian + worker): the demo's public page
leads with each council's confirmed statement and calls nothing "Working" that nobody
confirmed; each council's comms officer confirms the services behind the telephony in one
decision, and the published static site (served here by a plain static file server, apart
from the app) and its Atom feed show it. axe-core checks the pages for WCAG 2.2 AA."""

from __future__ import annotations

import functools
import http.server
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.helpers.live import LiveApp

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Each council's own emergency number and in-person help, as in the demo's statements and
# continuity plans: one council's number or building must never reach another's residents.
NUMBERS = {"RBKC": "020 7946 0123", "WCC": "020 7946 0456", "LBHF": "020 7946 0789"}
IN_PERSON = {
    "RBKC": " Or visit the Customer Service Centre at Kensington Town Hall, Saturday and Sunday 10am to 4pm.",
    "WCC": "",
    "LBHF": "",
}
GROUP = "Shared directory (Active Directory): proposed disrupted"
ATOM = "{http://www.w3.org/2005/Atom}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page and return its WCAG 2.2 AA violations."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) does not apply.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


@pytest.fixture
def static_site(live_app: LiveApp) -> Iterator[str]:
    """The published folder served by a plain static file server on loopback (no app code)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(live_app.var_dir / "public-status"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _confirm_phones(browser: Any, live_app: Any, login: Any, code: str, shots: Path) -> None:
    """One council's comms officer confirms the whole 'phones down' group in one decision."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, live_app, "comms", code)
        page.goto(live_app.url + "/comms/status/")
        # The shared directory is what took the phones (and much else) down: one group.
        card = page.locator(".govuk-summary-card", has_text=GROUP)
        assert card.count() == 1
        # Only this council's services can be ticked, all ticked to start with.
        labels = card.locator(".govuk-checkboxes__label").all_inner_texts()
        assert len(labels) >= 5 and all(f"({code})" in label for label in labels)
        assert card.locator("input[name=proposal]:checked").count() == len(labels)
        if code == "RBKC":
            # The in-person centre is open whatever the CRM says: comms leave it as confirmed.
            card.get_by_label("Customer Service Centre (Kensington Town Hall) (RBKC)").uncheck()
            labels = [label for label in labels if "Customer Service Centre" not in label]
        card.locator("select[name=status]").first.select_option("disrupted")
        # The advice starts as this council's own help text, never another council's.
        advice = card.locator("textarea[name=advice]").first
        suggested = advice.input_value()
        assert NUMBERS[code] in suggested
        assert all(number not in suggested for other, number in NUMBERS.items() if other != code)
        advice.fill(f"Phone lines are down. In an emergency call {NUMBERS[code]}.{IN_PERSON[code]}")
        if code == "RBKC":
            page.screenshot(path=str(shots / "status-comms-rbkc.png"), full_page=True)
        card.locator("button[value=confirm]").first.click()
        page.wait_for_selector(f"text=Published: {len(labels)} services are now shown to the public")
    finally:
        context.close()


def test_comms_confirm_phone_lines_down_and_the_static_site_and_feed_show_it(
    page: Page, browser: Browser, live_app: LiveApp, login: Any, static_site: str, artifacts: Path
) -> None:
    # Before anyone acts, the public page leads with what each council confirmed on the
    # Monday afternoon and never calls an unconfirmed service "Working".
    page.goto(live_app.url + "/status/")
    main = page.locator("main").inner_text()
    assert "no service disruptions" not in main.lower()
    assert main.count("Last confirmed") == 3 and "My Account is suspended" in main
    page.screenshot(path=str(artifacts / "status-public-group.png"), full_page=True)
    page.goto(live_app.url + "/status/rbkc/")
    assert page.locator("tr", has_text="Adult social care").locator(".sp-status").inner_text() == (
        "Not yet confirmed"
    )
    assert "Staff payroll" not in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "status-public-rbkc-before.png"), full_page=True)
    assert axe_violations(page) == []

    # Each council confirms its own services behind the telephony in one decision.
    login(page, live_app, "comms", "RBKC")
    page.goto(live_app.url + "/comms/status/")
    assert page.locator(".govuk-summary-card", has_text="(WCC)").locator("input[name=proposal]").count() == 0
    for code in ("RBKC", "WCC", "LBHF"):
        _confirm_phones(browser, live_app, login, code, artifacts)

    # The staff pages behind it meet the same standard.
    page.goto(live_app.url + "/comms/status/")
    decided = page.locator(
        ".govuk-summary-card", has_text="Contact-centre telephony platform: proposed disrupted"
    )
    assert decided.count() == 0
    assert axe_violations(page) == []
    page.goto(live_app.url + "/continuity/RBKC/")
    assert axe_violations(page) == []

    # The static copy, served by a plain file server, shows it for all three councils...
    page.goto(static_site + "/")
    for code, number in NUMBERS.items():
        assert number in page.locator("main").inner_text(), code
    assert axe_violations(page) == []
    page.goto(static_site + "/rbkc/")
    row = page.locator("tr", has_text="Adult social care")
    assert "Disrupted" in row.inner_text() and NUMBERS["RBKC"] in row.inner_text()
    # ...the centre comms left out keeps its confirmed status, and a service nobody has
    # confirmed is still not called working.
    page.screenshot(path=str(artifacts / "status-static-rbkc-after.png"), full_page=True)
    centre = page.locator("tr", has=page.locator("th", has_text="Customer Service Centre"))
    assert centre.locator(".sp-status").inner_text() == "Working"
    assert page.locator("tr", has_text="Libraries").locator(".sp-status").inner_text() == "Not yet confirmed"
    assert "Depends on" not in page.content()
    assert axe_violations(page) == []

    # Our own feed, just written by the app under test: one update per council.
    feed = ET.fromstring((live_app.var_dir / "public-status" / "feed.atom").read_bytes())  # noqa: S314
    entries = " ".join(e.findtext(f"{ATOM}summary") or "" for e in feed.iter(f"{ATOM}entry"))
    for number in NUMBERS.values():
        assert number in entries

    # The app's own /status/ shows the same, with no sign-in.
    anonymous = browser.new_context()
    public = anonymous.new_page()
    public.goto(live_app.url + "/status/lbhf/")
    assert NUMBERS["LBHF"] in public.locator("main").inner_text()
    public.screenshot(path=str(artifacts / "status-public-lbhf-after.png"), full_page=True)
    assert axe_violations(public) == []
    public.goto(live_app.url + "/status/accessibility/")
    assert public.locator("h1").inner_text() == "Accessibility statement"
    assert axe_violations(public) == []
    anonymous.close()
