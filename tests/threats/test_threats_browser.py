"""Issue 17's acceptance flow in a real browser against the real server (granian + worker):
import NCSC's STIX bundle, sweep an M365 audit log and an EVTX file, see both hits with host
and time, confirm the proposal that the shared directory is suspected, see the blast radius."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import stix2
from playwright.sync_api import Page

from tests.helpers import personas
from tests.helpers.live import LiveApp

pytestmark = pytest.mark.browser
EVTX = Path(__file__).parent / "fixtures" / "Security_short_selected.evtx"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"


def _ncsc_bundle() -> str:
    ncsc = stix2.Identity(name="NCSC", identity_class="organization")
    objects = [
        ncsc,
        # The address in the EVTX sample's inbound RDP attempt, and a range an M365 sign-in came from.
        stix2.Indicator(
            name="RDP scanner",
            pattern="[ipv4-addr:value = '23.94.153.202']",
            pattern_type="stix",
            valid_from="2025-11-24T06:00:00Z",
            created_by_ref=ncsc.id,
            confidence=80,
            object_marking_refs=[AMBER],
        ),
        stix2.Indicator(
            name="Tor exit range",
            pattern="[ipv4-addr:value = '185.220.101.0/24']",
            pattern_type="stix",
            valid_from="2025-11-24T06:00:00Z",
            created_by_ref=ncsc.id,
            confidence=70,
            object_marking_refs=[AMBER],
        ),
        stix2.Indicator(
            name="Phishing domain",
            pattern="[domain-name:value = 'rbkc-payroll.example']",
            pattern_type="stix",
            valid_from="2025-11-24T06:00:00Z",
            created_by_ref=ncsc.id,
            object_marking_refs=[AMBER],
        ),
    ]
    return str(stix2.Bundle(objects=objects).serialize(pretty=True))


def _m365_csv() -> str:
    data = {
        "CreationTime": "2025-11-24T07:42:10",
        "Operation": "MailItemsAccessed",
        "UserId": "j.smith@rbkc.example.gov.uk",
        "ClientIP": "185.220.101.44",
        "Workload": "Exchange",
    }
    quoted = json.dumps(data).replace('"', '""')
    return f'CreationDate,UserIds,Operations,AuditData\n2025-11-24T07:42:10,j.smith@rbkc.example.gov.uk,MailItemsAccessed,"{quoted}"\n'


def test_ncsc_indicators_swept_through_logs_and_a_proposal_confirmed(
    page: Page, live_app: LiveApp, login: Any, tmp_path: Path
) -> None:
    # A follow-on incident with nothing marked yet (in the scenario's own incident the shared
    # directory is already compromised, so a sweep rightly proposes nothing for it).
    opened = live_app.python(
        "from django.utils import timezone\n"
        "import datetime as dt\n"
        "from django.contrib.auth import get_user_model\n"
        "from incidentroom.core.models import Organisation\n"
        "from incidentroom.incidents.actions import open_incident\n"
        "o = {x.code: x for x in Organisation.objects.all()}\n"
        f"i = open_incident(actor=get_user_model().objects.get(username={personas.username('gold', 'RBKC')!r}), "
        "title='Follow-on activity', "
        "origin=o['RBKC'], detected_at=timezone.now() - dt.timedelta(hours=1), organisations=[o['RBKC'], o['WCC'], o['LBHF']])\n"
        "print(i.reference)\n"
    )
    assert opened.returncode == 0, opened.stderr
    reference = opened.stdout.strip().splitlines()[-1]
    bundle = tmp_path / "ncsc-bundle.json"
    bundle.write_text(_ncsc_bundle())
    audit = tmp_path / "m365-audit.csv"
    audit.write_text(_m365_csv())

    login(page, live_app, "responder", "RBKC", "WCC", "LBHF")
    page.goto(f"{live_app.url}/incidents/{reference}/")
    page.click("text=Indicators and sweeps")

    # 1. Import the STIX bundle from NCSC.
    page.select_option("#import-org", "RBKC")
    page.select_option("#import-format", "stix")
    page.select_option("#import-source-kind", "ncsc")
    page.fill("#import-source-name", "NCSC")
    page.set_input_files("#import-file", str(bundle))
    page.click("#import-form button[type=submit]")
    assert page.locator("#import-created").inner_text() == "3"
    assert page.locator("#import-skipped").inner_text() == "0"
    page.click("text=Back to indicators")
    assert page.locator("#indicators tr[data-indicator='23.94.153.202']").count() == 1

    # The EVTX sample's host is the shared directory's domain controller.
    page.select_option("#host-system", "shared-ad")
    page.fill("#host-name", "temporal")
    page.click("#host-form button[type=submit]")
    page.wait_for_selector("text=Host temporal is now known as part of Shared directory")

    # 2. Upload an M365 audit log and an EVTX file that contain two of the indicators.
    page.select_option("#sweep-org", "RBKC")
    page.set_input_files("#sweep-files", [str(audit), str(EVTX)])
    page.click("#sweep-upload-form button[type=submit]")
    page.wait_for_selector("#sweep-status[data-status=succeeded]", timeout=90000)

    # 3. Both hits, with host (or account) and time.
    rows = page.locator("#hits tr.ir-hit")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    evtx = [t for t in texts if "23.94.153.202" in t]
    m365 = [t for t in texts if "185.220.101.0/24" in t]
    assert evtx and m365, texts
    assert (
        "temporal" in evtx[0]
        and "29 Jun 2016 16:24 BST" in evtx[0]  # UK time
        and "Security_short_selected.evtx line 1" in evtx[0]
    )
    assert (
        "j.smith@rbkc.example.gov.uk" in m365[0]
        and "24 Nov 2025 07:42 GMT" in m365[0]
        and "m365-audit.csv line 2" in m365[0]
    )

    # 4. One hit proposes the shared directory as suspected; a responder confirms.
    assert "Proposed: mark suspected" in evtx[0]
    assert re.search(r"\d+ of your services depend on shared-ad", page.locator("#sweep-live").inner_text())
    page.locator("#hits tr.ir-hit", has_text="23.94.153.202").first.locator(
        "button", has_text="Confirm suspected"
    ).click()
    page.wait_for_selector("text=Shared directory (Active Directory) is now suspected")
    assert page.locator("#hits tr.ir-hit", has_text="Confirmed suspected").count() >= 1

    # 5. The blast radius updates: the incident shows the directory suspected, and the estate
    # graph for the incident marks it.
    page.goto(f"{live_app.url}/incidents/{reference}/")
    row = page.locator("#affected-systems tr", has_text="Shared directory")
    assert "Suspected" in row.inner_text()
    assert "Confirmed from sweep" in page.locator("#latest-log").inner_text()
    page.goto(f"{live_app.url}/estate/?incident={reference}")
    titles = page.locator("svg title").all_text_contents()
    assert "Shared directory (Active Directory) (RBKC) - suspected" in titles
