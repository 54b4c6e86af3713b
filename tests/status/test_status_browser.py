"""In a real browser against the real server (granian + worker): the demo's public page
leads with each council's confirmed statement, tells residents the truth (safeguarding rows
give the at-risk number, services whose own system is down are unavailable, the workarounds
officers know are published) and calls nothing "Working" that nobody confirmed; Westminster's
comms officer confirms the services its shutdown took down, seeing for each how it was lost,
and the published static site (served here by a plain static file server, apart from the app)
and its Atom feed show it. axe-core checks the pages for WCAG 2.2 AA."""

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
# Each council's own emergency and "at risk of harm" numbers, as in the demo's statements and
# continuity plans: one council's number must never reach another's residents, and a
# safeguarding row gives the at-risk number, not the general emergency line.
NUMBERS = {"RBKC": "020 7946 0123", "WCC": "020 7946 0456", "LBHF": "020 7946 0789"}
AT_RISK = {"RBKC": "020 7946 0124", "WCC": "020 7946 0457", "LBHF": "020 7946 0790"}
WCC_ADVICE = (
    "We have shut down our computer network as a precaution, so this service is not available "
    "online or by phone. In an emergency call 020 7946 0456."
)
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


def _row(page: Any, name: str) -> Any:
    """The table row whose heading cell names the service."""
    return page.locator("tr", has=page.locator("th", has_text=name))


def _confirm_wcc_shutdown(browser: Any, live_app: Any, login: Any, shots: Path) -> None:
    """Westminster's comms officer confirms, group by group, what its shutdown took down."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, live_app, "comms", "WCC")
        page.goto(live_app.url + "/comms/status/")
        page.screenshot(path=str(shots / "status-comms-wcc.png"), full_page=True)
        cards = page.locator(".govuk-summary-card", has=page.locator("input[name=proposal]"))
        assert cards.count() == 2
        while cards.count():
            card = cards.first
            labels = card.locator(".govuk-checkboxes__label").all_inner_texts()
            assert labels and all("(WCC)" in label for label in labels)
            # Each service says how it was lost (and what else has it down), so comms can tell
            # a service whose own system is down from one that only lost its phones.
            hints = card.locator(".govuk-checkboxes__hint").all_inner_texts()
            assert len(hints) == len(labels) and all(h.startswith("Lost through: ") for h in hints)
            # The advice starts as this council's own help text, never another council's.
            advice = card.locator("textarea[name=advice]").first
            suggested = advice.input_value()
            assert NUMBERS["WCC"] in suggested
            assert all(number not in suggested for other, number in NUMBERS.items() if other != "WCC")
            card.locator("select[name=status]").first.select_option("unavailable")
            advice.fill(WCC_ADVICE)
            card.locator("button[value=confirm]").first.click()
            page.wait_for_selector(f"text=Published: {len(labels)} services are now shown to the public")
    finally:
        context.close()


def test_demo_statements_are_true_and_wcc_confirms_its_shutdown_on_the_static_site_and_feed(
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
    # A worried resident reads the row, not the box: the at-risk number is in the row.
    for name in ("Adult social care", "Children's social care"):
        row = _row(page, name).inner_text()
        assert "Disrupted" in row and AT_RISK["RBKC"] in row and NUMBERS["RBKC"] not in row, name
    # The desk the officers opened and the repairs line reach residents.
    assert "housing options desk at Kensington Town Hall" in _row(page, "Homelessness").inner_text()
    assert "020 7946 0130" in _row(page, "Housing repairs").inner_text()
    # A service whose own system is down is unavailable, not "phones down".
    for name in ("My Account online services", "Council tax support", "Planning applications"):
        row = _row(page, name)
        assert row.locator(".sp-status").inner_text() == "Unavailable", name
        assert "phone lines are down" not in row.inner_text().lower(), name
    assert _row(page, "Libraries").locator(".sp-status").inner_text() == "Not yet confirmed"
    assert "Staff payroll" not in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "status-public-rbkc-before.png"), full_page=True)
    assert axe_violations(page) == []

    # RBKC's comms page: its one open proposal says what else has the centre down; no other
    # council's service can be ticked.
    login(page, live_app, "comms", "RBKC")
    page.goto(live_app.url + "/comms/status/")
    assert page.locator(".govuk-summary-card", has_text="(WCC)").locator("input[name=proposal]").count() == 0
    centre = page.locator(".govuk-checkboxes__item", has_text="Customer Service Centre")
    assert "Also down" in centre.inner_text()
    page.screenshot(path=str(artifacts / "status-comms-rbkc.png"), full_page=True)
    assert axe_violations(page) == []

    _confirm_wcc_shutdown(browser, live_app, login, artifacts)
    page.goto(live_app.url + "/continuity/RBKC/")
    assert axe_violations(page) == []

    # The static copy, served by a plain file server, shows it for all three councils...
    page.goto(static_site + "/")
    for code, number in NUMBERS.items():
        assert number in page.locator("main").inner_text(), code
    assert axe_violations(page) == []
    page.goto(static_site + "/wcc/")
    waste = _row(page, "Waste and recycling collections")
    assert waste.locator(".sp-status").inner_text() == "Unavailable" and "shut down" in waste.inner_text()
    page.goto(static_site + "/rbkc/")
    row = _row(page, "Adult social care").inner_text()
    assert AT_RISK["RBKC"] in row and NUMBERS["RBKC"] not in row
    # ...the centre comms left alone keeps its confirmed status, and a service nobody has
    # confirmed is still not called working.
    page.screenshot(path=str(artifacts / "status-static-rbkc-after.png"), full_page=True)
    assert _row(page, "Customer Service Centre").locator(".sp-status").inner_text() == "Working"
    assert _row(page, "Libraries").locator(".sp-status").inner_text() == "Not yet confirmed"
    assert "Depends on" not in page.content() and "Lost through" not in page.content()
    assert axe_violations(page) == []

    # Our own feed, just written by the app under test, carries Westminster's new update (the
    # feed keeps the latest entries, so the demo's earlier ones may have left it).
    feed = ET.fromstring((live_app.var_dir / "public-status" / "feed.atom").read_bytes())  # noqa: S314
    entries = " ".join(e.findtext(f"{ATOM}summary") or "" for e in feed.iter(f"{ATOM}entry"))
    assert WCC_ADVICE in entries and "Waste and recycling collections" in entries

    # The app's own /status/ shows the same, with no sign-in.
    anonymous = browser.new_context()
    public = anonymous.new_page()
    public.goto(live_app.url + "/status/lbhf/")
    assert NUMBERS["LBHF"] in public.locator("main").inner_text()
    row = _row(public, "Adult social care").inner_text()
    assert AT_RISK["LBHF"] in row and NUMBERS["LBHF"] not in row
    assert _row(public, "Council tax").locator(".sp-status").inner_text() == "Unavailable"
    public.screenshot(path=str(artifacts / "status-public-lbhf-after.png"), full_page=True)
    assert axe_violations(public) == []
    public.goto(live_app.url + "/status/accessibility/")
    assert public.locator("h1").inner_text() == "Accessibility statement"
    assert axe_violations(public) == []
    anonymous.close()
