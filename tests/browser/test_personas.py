"""Each persona walks the commander's flows in a real browser against the real server, every
page it reaches is checked with axe-core (WCAG 2.2 AA), and full-page screenshots are left in
tests/browser/artifacts/ for people to read as a council officer would."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page

from tests.helpers.axe import axe_violations
from tests.helpers.live import LiveApp

pytestmark = pytest.mark.browser


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def _reference(page: Any, live_app: Any) -> str:
    page.goto(live_app.url + "/incidents/")
    return str(page.locator("main table a").first.inner_text())


def _visit_every_page(page: Any, live_app: Any, artifacts: Path, persona: str, extra: list[str]) -> list[str]:
    """Every page reachable from the header and the dashboard's navigation, plus ``extra``:
    axe must find nothing on any of them."""
    page.goto(live_app.url + "/incidents/")
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    seen: list[str] = []
    problems: dict[str, Any] = {}
    for href in [*links, *extra]:
        path = urlparse(href or "").path + (
            ("?" + urlparse(href).query) if urlparse(href or "").query else ""
        )
        if not path or path in seen or path.endswith((".pdf", ".csv")):
            continue
        seen.append(path)
        page.goto(live_app.url + path)
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        _shot(page, artifacts, f"{persona}-{name}")
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
    return seen


def test_gold_dashboard_clocks_figure_graph_what_if_awareness_and_errors(
    page: Page, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    login(page, live_app, "gold", "RBKC")
    ref = _reference(page, live_app)
    page.goto(f"{live_app.url}/incidents/{ref}/")
    _shot(page, artifacts, "gold-dashboard")
    # Clocks grouped by council, each group's running clocks in deadline order, and ticking.
    groups = page.locator("#clock-groups [data-org]")
    assert groups.count() == 3
    clock = page.locator("#clock-groups [data-deadline]").first
    first = clock.inner_text()
    page.wait_for_timeout(1600)
    assert clock.inner_text() != first and re.search(r"\d+h \d\dm \d\ds (left|overdue)", clock.inner_text())
    # Actions and the log form come before the services, systems and councils.
    order = page.evaluate(
        "ids => ids.map(id => document.getElementById(id).getBoundingClientRect().top + window.scrollY)",
        ["actions-heading", "log-form", "services", "systems", "councils"],
    )
    assert order == sorted(order)
    # One "affected" figure: dashboard, estate page and graph agree, and it counts WCC's
    # services lost through its network shutdown.
    figure = int(page.locator("#affected-count").inner_text())
    assert "has shut down its network" in page.locator("#services-grid [data-org=WCC]").inner_text()
    care = page.locator("#lost-RBKC-adult-social-care").inner_text()
    assert "Unavailable" in care and "workaround in place: Paper referral forms" in care
    page.goto(f"{live_app.url}/estate/?incident={ref}")
    _shot(page, artifacts, "gold-estate-incident")
    assert page.locator("#affected").inner_text().startswith(f"{figure} services affected")
    assert page.locator("svg g[data-key^=svc-][data-state=down]").count() == figure

    # "What if": systems picked from a list, not typed.
    page.goto(f"{live_app.url}/estate/")
    page.check("#down-shared-payments")
    with page.expect_navigation():
        page.click("button:has-text('Show what would be lost')")
    _shot(page, artifacts, "gold-estate-what-if")
    lost = page.locator("main table").first.inner_text()
    assert "Online payments" in lost
    # The partner councils sharing the gateway lose services too, and are shown.
    assert (
        "WCC" in lost
        and "LBHF" in lost
        and "partner councils" in page.locator("#partner-impacts").inner_text()
    )
    assert page.locator("#down-shared-payments").is_checked()

    # A changed awareness time is written to the hash-chained log.
    page.goto(f"{live_app.url}/incidents/{ref}/")
    aware = page.locator("#became-aware-RBKC")
    # Five minutes before the time shown: never in the future, whatever the hour the test runs.
    box = {
        part: int(aware.locator(f"#became-aware-RBKC-{part}").input_value() or 0)
        for part in ("year", "month", "day", "hour", "minute")
    }
    shown = dt.datetime(box["year"], box["month"], box["day"], box["hour"], box["minute"])
    earlier = shown - dt.timedelta(minutes=5)
    day, month, year = str(earlier.day), str(earlier.month), str(earlier.year)
    for part, value in (("day", day), ("month", month), ("year", year), ("hour", f"{earlier.hour:02d}")):
        page.fill(f"#became-aware-RBKC-{part}", value)
    page.fill("#became-aware-RBKC-minute", f"{earlier.minute:02d}")
    with page.expect_navigation():
        page.click("button:has-text('Set awareness time')")
    assert "awareness time is recorded in the log" in page.locator("main").inner_text()
    page.goto(f"{live_app.url}/incidents/{ref}/log/")
    log = page.locator("main").inner_text()
    assert "RBKC became aware of the incident" in log and "Hash chain intact" in log
    assert "Helen Marsh (Gold, RBKC)" in log  # authors by name, role and council
    assert f"{int(day)} " in log and year in log and month

    # Errors on the same page, with an error summary that links to the field.
    page.goto(f"{live_app.url}/incidents/{ref}/")
    page.fill("#id_due_at-day", "31")
    page.fill("#id_due_at-month", "2")
    page.fill("#id_due_at-year", "2026")
    page.fill("#id_due_at-hour", "09")
    page.fill("#action-form #id_title", "Check the backups")
    with page.expect_navigation():
        page.click("button:has-text('Add action')")
    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in summary.inner_text() and "Due must be a real date" in summary.inner_text()
    assert page.locator("h1").inner_text().startswith("Cyber attack")  # still the dashboard
    assert page.locator("#action-form #id_title").input_value() == "Check the backups"
    _shot(page, artifacts, "gold-dashboard-error")
    assert axe_violations(page) == []

    _visit_every_page(
        page,
        live_app,
        artifacts,
        "gold",
        [
            f"/incidents/{ref}/",
            f"/incidents/{ref}/log/",
            f"/estate/?incident={ref}",
            "/estate/?down=shared-ad",
            "/continuity/RBKC/",
        ],
    )


def test_the_dependency_graph_fits_its_box_on_a_laptop_and_scrolls_inside_it_on_a_phone(
    page: Page, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    login(page, live_app, "gold", "RBKC")
    ref = _reference(page, live_app)
    measure = """() => {
        const box = document.querySelector('.ir-graph'), svg = box.querySelector('svg');
        const b = box.getBoundingClientRect(), s = svg.getBoundingClientRect();
        return {page: document.documentElement.scrollWidth, viewport: window.innerWidth,
                boxScroll: box.scrollWidth, boxClient: box.clientWidth, boxRight: b.right,
                svgRight: s.right, svgWidth: s.width, natural: svg.viewBox.baseVal.width,
                overflow: getComputedStyle(box).overflowX};
    }"""
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_app.url}/estate/?incident={ref}")
        m = page.evaluate(measure)
        wide = page.evaluate(
            """() => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.ir-graph'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + e.textContent.slice(0, 40))"""
        )
        assert m["page"] <= m["viewport"], (m, wide)  # the page itself never scrolls sideways
        if width == 1280:
            # The whole graph, services column included, is inside the box at (nearly) full size.
            assert m["boxScroll"] <= m["boxClient"] and m["svgRight"] <= m["boxRight"], m
            assert m["svgWidth"] >= 0.95 * m["natural"], m
        else:
            # On a phone it keeps its size and the box scrolls: nothing is cut off for good.
            assert m["overflow"] == "auto" and m["boxScroll"] > m["boxClient"], m
            assert m["svgWidth"] >= m["natural"] - 1, m
            page.locator(".ir-graph").evaluate("b => b.scrollLeft = b.scrollWidth")
            right = page.evaluate(
                "() => document.querySelector('.ir-graph svg g[data-key^=svc-]').getBoundingClientRect().right"
            )
            assert right <= m["viewport"], (right, m)  # the services column scrolled into view
        page.locator("#graph").scroll_into_view_if_needed()
        _shot(page, artifacts, f"gold-estate-graph-{width}")


# The last elements in the page whose right edge passes the viewport's, outside any box that scrolls.
_STICKING_OUT = """() => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  if (r.right <= window.innerWidth + 0.5) return false;
  for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return false;
  }
  return true;
}).slice(-5).map(e => e.tagName + '.' + e.className + ' right ' + Math.round(e.getBoundingClientRect().right) + ': ' + (e.textContent || '').trim().slice(0, 50))"""


def test_every_page_fits_a_phone_screen_and_passes_axe_there(
    page: Page, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    """At 390px nothing pushes the page sideways: wide tables scroll inside their own box
    (keyboard-reachable while they do), and link lists stay 24px targets."""
    login(page, live_app, "gold", "RBKC")
    ref = _reference(page, live_app)
    page.set_viewport_size({"width": 390, "height": 844})
    problems: dict[str, Any] = {}
    for path in (
        "/incidents/",
        f"/incidents/{ref}/",
        f"/incidents/{ref}/log/",
        "/estate/",
        f"/estate/?incident={ref}",
        "/continuity/RBKC/",
        "/comms/status/",
        "/advisories/",
        "/breaches/",
        "/tokens/",
        "/threats/",
        "/status/",
        "/status/rbkc/",
    ):
        page.goto(live_app.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        found = axe_violations(page)
        if width > 390 or found:
            # What sticks out, so a failure says where to look.
            wide = page.evaluate(_STICKING_OUT)
            problems[path] = {"width": width, "axe": found, "sticking out": wide}
        if path in (f"/incidents/{ref}/", "/continuity/RBKC/", "/status/rbkc/"):
            _shot(page, artifacts, "phone-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")))
    assert problems == {}


def test_viewer_sees_the_incident_without_a_single_write_form(
    page: Page, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    login(page, live_app, "viewer", "LBHF")
    ref = _reference(page, live_app)
    for path in (f"/incidents/{ref}/", f"/incidents/{ref}/log/", "/continuity/LBHF/", "/incidents/"):
        page.goto(live_app.url + path)
        assert page.locator("main form[method=post]").count() == 0, path
    page.goto(f"{live_app.url}/incidents/{ref}/")
    assert "You can read this incident but not change it" in page.locator("main").inner_text()
    assert page.locator("#clock-groups [data-deadline]").count() > 0
    _shot(page, artifacts, "viewer-dashboard")
    _visit_every_page(
        page,
        live_app,
        artifacts,
        "viewer",
        [f"/incidents/{ref}/", f"/incidents/{ref}/log/", "/continuity/LBHF/"],
    )


def test_comms_status_pages_and_continuity_pass_axe(
    page: Page, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    login(page, live_app, "comms", "RBKC")
    _visit_every_page(page, live_app, artifacts, "comms", ["/status/", "/status/RBKC/"])


def test_continuity_board_is_filled_in_the_demo(
    page: Page, live_app: LiveApp, login: Any, artifacts: Path
) -> None:
    login(page, live_app, "silver", "RBKC")
    page.goto(live_app.url + "/continuity/RBKC/")
    board = page.locator("main table").first.inner_text()
    assert "Paper referral forms" in board and "Omar Haddad" in board
    row = page.locator("#service-adult-social-care").inner_text()
    assert "Workaround in use" in row
    assert "Northgate Telecoms" in page.locator("main").inner_text()
    _shot(page, artifacts, "silver-continuity")


def test_on_a_phone_the_menu_folds_behind_a_button_and_the_page_starts_on_the_first_screen(
    page: Page, live_app: LiveApp, login: Any
) -> None:
    """Nine menu items took the first 370px of a phone screen: GOV.UK Frontend's header folds
    them behind a Menu button below its breakpoint; on a laptop the menu stays open."""
    login(page, live_app, "gold", "RBKC")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_app.url + "/incidents/")
    button = page.locator("header .govuk-header__menu-button")
    assert button.is_visible() and not page.locator("#navigation").is_visible()
    heading_top = page.locator("main h1").first.bounding_box()
    assert heading_top is not None and heading_top["y"] < 250, heading_top
    button.click()
    assert page.locator("#navigation").is_visible()
    assert page.get_by_role("link", name="Data breaches").is_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_app.url + "/incidents/")
    assert page.locator("#navigation").is_visible() and not button.is_visible()
