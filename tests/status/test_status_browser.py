"""The issue's 'done when', in a real browser against the real server (gunicorn + worker):
a comms officer switches the telephony off, the three councils' comms officers confirm the
proposed 'phone lines down' status with their emergency numbers, and the published static
site (served here by a plain static file server, apart from the app) and its Atom feed show
it; an unconfirmed proposal never appears. axe-core checks the pages for WCAG 2.2 AA."""

from __future__ import annotations

import functools
import http.server
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NUMBERS = {"RBKC": "020 7946 0101", "WCC": "020 7946 0202", "LBHF": "020 7946 0303"}
ATOM = "{http://www.w3.org/2005/Atom}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page and return its WCAG 2.2 AA violations."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) does not apply.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


@pytest.fixture
def static_site(live_app: Any) -> Iterator[str]:
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


def _confirm_phones(browser: Any, live_app: Any, login: Any, code: str) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, live_app, f"{code.lower()}.comms")
        page.goto(live_app.url + "/comms/status/")
        card = page.locator(".govuk-summary-card", has_text=f"Contact centre telephone lines ({code})")
        card.locator("select[name=status]").select_option("unavailable")
        card.locator("textarea[name=advice]").fill(
            f"Phone lines are down. In an emergency call {NUMBERS[code]}. Or visit the Customer Service Centre "
            "at Kensington Town Hall, Saturday and Sunday 10am to 4pm."
        )
        card.locator("button[value=confirm]").click()
        page.wait_for_selector("text=Published: Contact centre telephone lines is now shown to the public")
    finally:
        context.close()


def test_comms_confirm_phone_lines_down_and_the_static_site_and_feed_show_it(
    page: Any, browser: Any, live_app: Any, login: Any, static_site: str
) -> None:
    # The comms officer switches the telephony off (restored first, so the change is fresh).
    login(page, live_app, "rbkc.comms")
    page.goto(live_app.url + "/incidents/IR-2025-0001/")
    for state in ("restored", "switched_off"):
        page.select_option("#id_system", "shared-telephony")
        page.select_option("#id_state", state)
        with page.expect_navigation():
            page.click("#system-state-form button[type=submit]")
    page.goto(live_app.url + "/comms/status/")
    # RBKC's comms officer sees RBKC's proposals only; each council confirms its own.
    assert page.locator(".govuk-summary-card", has_text="Contact centre telephone lines (RBKC)").count() == 1
    assert page.locator(".govuk-summary-card", has_text="(WCC)").count() == 0
    assert page.locator("h3", has_text="Adult social care (RBKC): proposed disrupted").count() == 1

    for code in ("RBKC", "WCC", "LBHF"):
        _confirm_phones(browser, live_app, login, code)

    # The staff pages behind it meet the same standard.
    page.goto(live_app.url + "/comms/status/")
    assert page.locator("h3", has_text="Contact centre telephone lines (RBKC)").count() == 0  # decided
    assert axe_violations(page) == []
    page.goto(live_app.url + "/continuity/RBKC/")
    assert axe_violations(page) == []

    # The static copy, served by a plain file server, shows it for all three councils...
    page.goto(static_site + "/")
    for code, number in NUMBERS.items():
        assert number in page.locator("main").inner_text(), code
    assert axe_violations(page) == []
    page.goto(static_site + "/rbkc/")
    row = page.locator("tr", has_text="Contact centre telephone lines")
    assert "Unavailable" in row.inner_text() and NUMBERS["RBKC"] in row.inner_text()
    # ...and the unconfirmed proposal for adult social care never reaches it.
    assert "Working" in page.locator("tr", has_text="Adult social care").inner_text()
    assert "Depends on" not in page.content()
    assert axe_violations(page) == []

    # Our own feed, just written by the app under test.
    feed = ET.fromstring((live_app.var_dir / "public-status" / "feed.atom").read_bytes())  # noqa: S314
    entries = " ".join(e.findtext(f"{ATOM}summary") or "" for e in feed.iter(f"{ATOM}entry"))
    for number in NUMBERS.values():
        assert number in entries
    assert "Adult social care" not in entries

    # The app's own /status/ shows the same, with no sign-in.
    anonymous = browser.new_context()
    public = anonymous.new_page()
    public.goto(live_app.url + "/status/lbhf/")
    assert NUMBERS["LBHF"] in public.locator("main").inner_text()
    assert axe_violations(public) == []
    public.goto(live_app.url + "/status/accessibility/")
    assert public.locator("h1").inner_text() == "Accessibility statement"
    assert axe_violations(public) == []
    anonymous.close()
